use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use comfywire::convert::{ConvertOptions, DynamicPrompts};

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// UI workflow or API prompt (passed through): JSON, or an image/audio file ComfyUI wrote; `-` for stdin.
    workflow: PathBuf,
    /// `GET /object_info` answer to convert against (default: the embedded ComfyUI 0.3.64 catalog).
    #[arg(long, value_name = "FILE")]
    object_info: Option<PathBuf>,
    /// Write the prompt here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print warnings to standard error as one JSON array instead of lines of text.
    #[arg(long)]
    json_warnings: bool,
    /// Resolve `{a|b}` dynamic prompts as the editor does, seeded for reproducibility.
    #[arg(long, value_name = "SEED")]
    resolve_dynamic_prompts: Option<u64>,
    /// Restore widget values by name (`widgets_values_named`) instead of positionally.
    #[arg(long)]
    prefer_named_values: bool,
    /// Produce what the file's author meant where the editor demonstrably loses it (each repair
    /// is a warning); default: exactly the editor's prompt.
    #[arg(long)]
    repair: bool,
}

pub(crate) fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let document = crate::read_document(&args.workflow)?;
    let catalog = crate::load_catalog(args.object_info.as_ref())?;
    let options = ConvertOptions {
        dynamic_prompts: match args.resolve_dynamic_prompts {
            Some(seed) => DynamicPrompts::Resolve { seed },
            None => DynamicPrompts::Keep,
        },
        prefer_named_values: args.prefer_named_values,
        repair: args.repair,
        ..ConvertOptions::default()
    };
    // An API prompt passes through unchanged, so scripts can feed either format.
    let conversion = document
        .into_prompt(&catalog, &options)
        .with_context(|| format!("cannot convert {}", args.workflow.display()))?;
    let mut json = conversion.prompt.to_json_pretty();
    json.push('\n');
    match &args.output {
        Some(path) => std::fs::write(path, json)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{json}"),
    }
    if args.json_warnings {
        let list: Vec<_> = conversion.warnings.iter().map(|w| w.to_json()).collect();
        eprintln!("{}", serde_json::Value::Array(list));
    } else {
        for w in &conversion.warnings {
            eprintln!("warning: {w}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
