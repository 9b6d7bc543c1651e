//! `comfywire validate`: exactly the JSON body ComfyUI would answer to `POST /prompt`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use comfywire::ConvertOptions;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// API prompt (bare, or a whole `POST /prompt` body) or a UI workflow (converted first); JSON,
    /// or an image/audio file ComfyUI wrote. `-` reads standard input.
    workflow: PathBuf,
    #[command(flatten)]
    catalog: crate::CatalogArgs,
}

pub(crate) fn validate(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let bytes = crate::read_bytes(&args.workflow)?;
    // A whole POST body is validated as sent (with its `partial_execution_targets`…).
    let as_body = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .filter(|v| {
            // `{}` is a body without a prompt: the server answers `no_prompt`, so do we.
            let empty = v.as_object().is_some_and(|o| o.is_empty());
            empty || (v.get("prompt").is_some_and(Value::is_object) && v.get("nodes").is_none())
        });
    let body = match as_body {
        Some(body) => body,
        None => {
            let conversion = comfywire::Document::from_bytes(&bytes)
                .and_then(|doc| doc.into_prompt(&catalog, &ConvertOptions::default()))
                .with_context(|| format!("cannot read {}", args.workflow.display()))?;
            for warning in &conversion.warnings {
                eprintln!("warning: {warning}");
            }
            json!({ "prompt": conversion.prompt.to_value() })
        }
    };
    let outcome = comfywire::validate::validate_prompt_body(&body, &catalog);
    match &outcome.body {
        Value::String(text) => println!("{text}"),
        other => println!("{}", serde_json::to_string_pretty(other)?),
    }
    if outcome.status != 200 {
        // The same lines `run` prints when a server refuses a prompt.
        let error = outcome.body.get("error").unwrap_or(&Value::Null);
        let node_errors = outcome.body.get("node_errors").unwrap_or(&Value::Null);
        for line in comfywire::protocol::explain::rejection_lines(error, node_errors) {
            eprintln!("{line}");
        }
        if args.catalog.is_embedded() {
            eprintln!(
                "note: validated against the embedded catalog (ComfyUI 0.3.64), which lists no model \
                 or input files: pass --server URL (or --object-info FILE) to check those"
            );
        }
    }
    Ok(if outcome.status == 200 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
