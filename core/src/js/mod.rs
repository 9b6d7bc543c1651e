//! The JavaScript API's operations, as JSON values in and out.
//!
//! Both bindings (napi and wasm) call these and only translate values between JavaScript and
//! [`Value`]; option names, result shapes, event objects and error data are decided once, here.
//! Names are camelCase because these objects are what JavaScript sees.

use serde_json::{Map, Value, json};

use crate::address;
use crate::catalog::Catalog;
use crate::convert::{ConvertOptions, DynamicPrompts, LocalDateTime};
use crate::document::Document;
use crate::error::{Error, Result};
use crate::params::{self, ControlMode};
use crate::prompt::Prompt;
use crate::protocol::{
    Endpoint, FileRef, JobEvent, JobResult, Outcome, QueueState, ServerMessage, response,
};

fn invalid_option(name: &str, message: &str) -> Error {
    Error::InvalidArgument {
        name: format!("options.{name}"),
        message: message.to_string(),
    }
}

mod calls;
pub mod options;
mod session;
pub mod shapes;
pub use calls::{CallAnswer, ServerCall, server_call};
pub use session::*;
use shapes::to_value;

/// Conversion options ([`options::Convert`]) as the converter takes them.
pub fn convert_options(options: &Value) -> Result<ConvertOptions> {
    let given: options::Convert = options::read(options)?;
    let mut out = ConvertOptions::default();
    if let Some(options::DynamicPromptsOption::Resolve { seed }) = given.dynamic_prompts {
        out.dynamic_prompts = DynamicPrompts::Resolve { seed };
    }
    if let Some(text) = &given.date {
        out.date = Some(
            parse_local_date(text)
                .ok_or_else(|| invalid_option("date", "expected \"YYYY-MM-DDThh:mm:ss\""))?,
        );
    }
    out.prefer_named_values = given.prefer_named_values.unwrap_or(false);
    out.keep_subgraph_ids = given.keep_subgraph_ids.unwrap_or(false);
    out.repair = given.repair.unwrap_or(false);
    Ok(out)
}

fn parse_local_date(text: &str) -> Option<LocalDateTime> {
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00:00"));
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let [y, mo, da] = d.as_slice() else {
        return None;
    };
    let num = |s: &&str| s.parse::<u32>().ok();
    let hour = t.first().and_then(num).unwrap_or(0);
    let minute = t.get(1).and_then(num).unwrap_or(0);
    let second = t
        .get(2)
        .and_then(|s| num(&s.split('.').next().unwrap_or(s)))
        .unwrap_or(0);
    let (month, day) = (num(mo)?, num(da)?);
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60;
    valid.then_some(LocalDateTime {
        year: y.parse().ok()?,
        month,
        day,
        hour,
        minute,
        second: second.min(59),
    })
}

/// A short description of a document ([`shapes::WorkflowInfo`]).
pub fn describe(document: &Document) -> Value {
    to_value(match document {
        Document::Ui(w) => shapes::WorkflowInfo {
            format: "ui",
            version: Some(w.raw.get("version").unwrap_or(&Value::Null)),
            frontend_version: Some(w.frontend_version.as_deref()),
            nodes: w.graph.nodes.len(),
            links: Some(w.graph.links.len()),
            subgraphs: Some(w.subgraphs.len()),
            group_nodes: Some(w.group_nodes.len()),
        },
        Document::Api(p) => shapes::WorkflowInfo {
            format: "api",
            version: None,
            frontend_version: None,
            nodes: p.nodes.len(),
            links: None,
            subgraphs: None,
            group_nodes: None,
        },
    })
}

fn warnings(conversion: &crate::Conversion) -> Vec<shapes::Warning<'_>> {
    conversion.warnings.iter().map(Into::into).collect()
}

/// The prompt, its warnings and its controls ([`shapes::ConvertResult`]).
pub fn convert(document: Document, catalog: &Catalog, options: &Value) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let controls = conversion
        .controls
        .iter()
        .map(|c| shapes::Control {
            node_id: &c.node_id,
            input: &c.input,
            mode: &c.mode,
        })
        .collect();
    Ok(to_value(shapes::ConvertResult {
        prompt: conversion.prompt.to_value(),
        warnings: warnings(&conversion),
        controls,
    }))
}

/// Every tunable input: a list of [`shapes::ParamSpec`], or with `{byNode: true}` the
/// `{"<id>": {"inputs": {…}}}` shape.
pub fn list_params(document: Document, catalog: &Catalog, options: &Value) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let listing: options::ListParams = options::read(options)?;
    if listing.by_node.unwrap_or(false) {
        return Ok(params::params_by_node(&conversion.prompt, catalog));
    }
    let list = params::list_params(&conversion.prompt, catalog);
    Ok(to_value(
        list.iter().map(shapes::ParamSpec::from).collect::<Vec<_>>(),
    ))
}

/// What a selector names ([`shapes::FoundNode`]s).
pub fn find_nodes(
    document: Document,
    catalog: &Catalog,
    selector: &str,
    options: &Value,
) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let prompt = &conversion.prompt;
    let targets = address::select(prompt, catalog, selector)?;
    let found: Vec<_> = targets
        .iter()
        .map(|t| {
            let node = &prompt.nodes[&t.node_id];
            shapes::FoundNode {
                selector: t.to_string(),
                node_id: &t.node_id,
                input: t.input.as_deref(),
                class_type: node.class_type.as_deref(),
                title: node.meta.get("title"),
                value: t.input.as_ref().and_then(|i| node.inputs.get(i)),
            }
        })
        .collect();
    Ok(to_value(found))
}

/// Applies overrides; nothing changes unless all of them can be applied.
///
/// `overrides` is `{selector: value}` (roles, `#id.input`, `title:…`, `Class.input`), and/or
/// `options.body`, a sparse `{"<id>": {"inputs": {…}}}`. `options.seedMode` (`fixed`, `asSaved`,
/// `increment`, `decrement`, `randomize`) and `options.rngSeed` control seeds as the editor's
/// `control_after_generate` does. Returns a [`shapes::OverrideResult`]: refusals are values
/// (`issues`), never exceptions.
pub fn apply_overrides(
    document: Document,
    catalog: &Catalog,
    overrides: &Value,
    options: &Value,
) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let mut prompt = conversion.prompt.clone();
    let given: options::Overrides = options::read(options)?;
    let mut issues = Vec::new();
    if let Some(body) = &given.body {
        issues.extend(params::apply_sparse(&mut prompt, catalog, body));
    }
    let pairs: Vec<(String, Value)> = match overrides {
        Value::Null => Vec::new(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => return Err(invalid_option("overrides", "expected {selector: value}")),
    };
    issues.extend(params::apply_overrides(&mut prompt, catalog, &pairs));
    if !issues.is_empty() {
        let issues = issues.iter().map(Into::into).collect();
        return Ok(to_value(shapes::OverrideResult {
            ok: false,
            prompt: conversion.prompt.to_value(),
            issues,
            changes: Vec::new(),
            warnings: warnings(&conversion),
        }));
    }
    let rng_seed = given.rng_seed.map_or(0, |s| s.0);
    let forced = |mode| (Some(mode), params::seed_controls(&prompt, catalog, "fixed"));
    let (mode, controls) = match given.seed_mode.unwrap_or_default() {
        options::SeedMode::AsSaved => (None, conversion.controls.clone()),
        options::SeedMode::Fixed => (Some(ControlMode::Fixed), Vec::new()),
        options::SeedMode::Increment => forced(ControlMode::Increment),
        options::SeedMode::Decrement => forced(ControlMode::Decrement),
        options::SeedMode::Randomize => forced(ControlMode::Randomize),
    };
    let changes = params::apply_controls(&mut prompt, catalog, &controls, mode, rng_seed);
    Ok(to_value(shapes::OverrideResult {
        ok: true,
        prompt: prompt.to_value(),
        issues: Vec::new(),
        changes: changes
            .iter()
            .map(|c| shapes::Change {
                node_id: &c.node_id,
                input: &c.input,
                from: &c.from,
                to: &c.to,
            })
            .collect(),
        warnings: warnings(&conversion),
    }))
}

/// What the server would answer to `POST /prompt` ([`shapes::Validation`]). A whole POST
/// body (`{"prompt": …, "partial_execution_targets": …}`) is validated as sent; a UI workflow is
/// converted first.
pub fn validate(input: Value, catalog: &Catalog, options: &Value) -> Result<Value> {
    let is_body = input.get("prompt").is_some_and(Value::is_object) && input.get("nodes").is_none();
    let body = if is_body {
        input
    } else {
        let conversion =
            Document::from_value(input)?.into_prompt(catalog, &convert_options(options)?)?;
        json!({ "prompt": conversion.prompt.to_value() })
    };
    let outcome = crate::validate::validate_prompt_body(&body, catalog);
    Ok(to_value(shapes::Validation {
        accepted: outcome.status == 200,
        status: outcome.status,
        body: &outcome.body,
    }))
}

/// For `{strict: true}`: fails with `PROMPT_REJECTED` (the node errors as data) when the server
/// would run the prompt (API JSON) only in part.
pub fn refuse_partial(prompt: &Value, catalog: &Catalog) -> Result<()> {
    let prompt = Prompt::from_value(prompt)?;
    match crate::validate::partial_acceptance(&prompt, catalog) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

/// `{prompt, workflow}` embedded in a PNG/WebP/FLAC/Ogg/MP3 file (`null` where absent).
pub fn extract(bytes: &[u8]) -> Result<Value> {
    let meta = crate::media::extract(bytes)?.require()?;
    Ok(to_value(shapes::Embedded {
        prompt: meta.prompt.as_ref(),
        workflow: meta.workflow.as_ref(),
    }))
}

/// The API prompt of a document, for submitting (converted with `options`).
pub fn prompt_of(document: Document, catalog: &Catalog, options: &Value) -> Result<Prompt> {
    Ok(document
        .into_prompt(catalog, &convert_options(options)?)?
        .prompt)
}

/// `{code, message, ...data}`: what a JavaScript `Error` carries besides its message.
pub fn error_data(error: &Error) -> Value {
    let mut out = Map::new();
    out.insert("code".into(), error.code().into());
    out.insert("message".into(), error.to_string().into());
    let mut put = |k: &str, v: Value| {
        out.insert(k.into(), v);
    };
    match error {
        Error::JsonSyntax { line, column, .. } => {
            put("line", json!(line));
            put("column", json!(column));
        }
        Error::InvalidWorkflow { path, .. } | Error::InvalidCatalog { path, .. } => {
            put("path", json!(path));
        }
        Error::InvalidArgument { name, .. } => put("path", json!(name)),
        Error::Network { route, .. } => put("route", json!(route)),
        Error::Timeout { route, after_ms } => {
            put("route", json!(route));
            put("timeoutMs", json!(after_ms));
        }
        Error::InvalidSelector { selector, .. } | Error::NotFound { selector, .. } => {
            put("selector", json!(selector));
        }
        Error::Ambiguous {
            selector,
            candidates,
        } => {
            put("selector", json!(selector));
            put("candidates", json!(candidates));
        }
        Error::InvalidUrl { url, .. } => put("url", json!(url)),
        Error::Http {
            status,
            route,
            body,
        } => {
            put("status", json!(status));
            put("route", json!(route));
            put("body", json!(body));
        }
        Error::PromptRejected {
            status,
            error,
            node_errors,
        } => {
            put("status", json!(status));
            put("error", (**error).clone());
            put("nodeErrors", (**node_errors).clone());
        }
        Error::BadResponse { route, .. } => put("route", json!(route)),
        Error::NoServer { reasons } => put("reasons", json!(reasons)),
        Error::TooLarge { size, limit, .. } => {
            put("size", json!(size));
            put("limit", json!(limit));
        }
        Error::TooManyValues { limit, .. } => put("limit", json!(limit)),
        _ => {}
    }
    Value::Object(out)
}

/// Output files with the URL to fetch each.
fn output_files(
    outputs: &Map<String, Value>,
    endpoint: Option<&Endpoint>,
) -> Vec<shapes::OutputFile> {
    response::output_files(outputs)
        .into_iter()
        .map(|f| shapes::OutputFile {
            url: endpoint.map(|e| e.view(&f.file, None).url),
            node_id: f.node_id,
            key: f.key,
            filename: f.file.filename,
            subfolder: f.file.subfolder,
            kind: f.file.kind,
        })
        .collect()
}

fn job_result<'a>(result: &'a JobResult, endpoint: Option<&Endpoint>) -> shapes::JobResult<'a> {
    let (error, node_errors) = match &result.outcome {
        Outcome::Failed { error } => (Some(error), None),
        Outcome::Interrupted { data } => (Some(data), None),
        Outcome::Rejected { error, node_errors } => (Some(error), Some(node_errors.clone())),
        _ => (None, None),
    };
    let partial = result.dropped.is_some();
    let node_errors = node_errors.or_else(|| {
        result
            .dropped
            .as_ref()
            .map(|d| Value::Object((**d).clone()))
    });
    shapes::JobResult {
        prompt_id: &result.prompt_id,
        status: result.outcome.code(),
        ok: result.outcome == Outcome::Success,
        outputs: &result.outputs,
        files: output_files(&result.outputs, endpoint),
        error,
        node_errors,
        dropped_outputs: partial.then(|| result.dropped_outputs()),
        server_stop: result.server_stop.code(),
    }
}

/// A job's end ([`shapes::JobResult`]): `status` is the outcome's code.
pub fn result_json(result: &JobResult, endpoint: Option<&Endpoint>) -> Value {
    to_value(job_result(result, endpoint))
}

/// A job event as JavaScript sees it ([`shapes::JobEvent`]). A preview's image bytes are not in
/// the JSON (bindings set `image` to a `Uint8Array`).
pub fn event_json(prompt_id: &str, event: &JobEvent, endpoint: Option<&Endpoint>) -> Value {
    use shapes::JobEventKind as Kind;
    let single: Map<String, Value>;
    let kind = match event {
        JobEvent::Queued { position } => Kind::Queued {
            position: *position,
        },
        JobEvent::Started => Kind::Started,
        JobEvent::Cached { nodes } => Kind::Cached { nodes },
        JobEvent::NodeStarted { node } => Kind::NodeStarted { node },
        JobEvent::Progress {
            node,
            value,
            max,
            overall,
        } => Kind::Progress {
            node: node.as_deref(),
            value: *value,
            max: *max,
            overall: *overall,
        },
        JobEvent::Preview { node, mime, image } => Kind::Preview {
            node: node.as_deref(),
            mime,
            size: image.len(),
            image: shapes::ImageBytes,
        },
        JobEvent::Output { node, output } => {
            single = [(node.clone(), output.clone())].into_iter().collect();
            Kind::Output {
                node,
                output,
                files: output_files(&single, endpoint),
            }
        }
        JobEvent::Text { node, text } => Kind::Text { node, text },
        JobEvent::Finished(result) => Kind::Finished {
            result: job_result(result, endpoint),
        },
    };
    to_value(shapes::JobEvent { prompt_id, kind })
}

/// The server's queue in execution order ([`shapes::QueueState`]).
pub fn queue_json(queue: &QueueState) -> Value {
    fn items(list: &[crate::protocol::QueueItem]) -> Vec<shapes::QueueItem<'_>> {
        list.iter()
            .map(|i| shapes::QueueItem {
                number: &i.number,
                prompt_id: &i.prompt_id,
                client_id: i.client_id(),
                outputs: &i.outputs_to_execute,
            })
            .collect()
    }
    to_value(shapes::QueueState {
        running: items(&queue.running),
        pending: items(&queue.pending),
    })
}

/// A server message ([`shapes::ServerMessage`]; a preview's bytes are not in the JSON — bindings
/// set `image` to a `Uint8Array`).
pub fn message_json(message: &ServerMessage) -> Value {
    use shapes::ServerMessage as M;
    to_value(match message {
        ServerMessage::Status {
            queue_remaining,
            sid,
        } => M::Status {
            queue_remaining: *queue_remaining,
            sid: sid.as_deref(),
        },
        ServerMessage::FeatureFlags(data) => M::FeatureFlags { data },
        ServerMessage::ExecutionStart { prompt_id } => M::ExecutionStart { prompt_id },
        ServerMessage::ExecutionCached { prompt_id, nodes } => {
            M::ExecutionCached { prompt_id, nodes }
        }
        ServerMessage::Executing {
            prompt_id,
            node,
            display_node,
        } => M::Executing {
            prompt_id: prompt_id.as_deref(),
            node: node.as_deref(),
            display_node: display_node.as_deref(),
        },
        ServerMessage::Progress {
            prompt_id,
            node,
            value,
            max,
        } => M::Progress {
            prompt_id: prompt_id.as_deref(),
            node: node.as_deref(),
            value: *value,
            max: *max,
        },
        ServerMessage::ProgressState { prompt_id, nodes } => M::ProgressState {
            prompt_id: prompt_id.as_deref(),
            nodes,
        },
        ServerMessage::Executed {
            prompt_id,
            node,
            display_node,
            output,
        } => M::Executed {
            prompt_id: prompt_id.as_deref(),
            node,
            display_node: display_node.as_deref(),
            output,
        },
        ServerMessage::ExecutionSuccess { prompt_id } => M::ExecutionSuccess { prompt_id },
        ServerMessage::ExecutionError { prompt_id, data } => M::ExecutionError { prompt_id, data },
        ServerMessage::ExecutionInterrupted { prompt_id, data } => {
            M::ExecutionInterrupted { prompt_id, data }
        }
        ServerMessage::Preview { mime, image, meta } => M::Preview {
            mime,
            size: image.len(),
            node: meta.as_ref().and_then(|m| m.node_id.as_deref()),
            prompt_id: meta.as_ref().and_then(|m| m.prompt_id.as_deref()),
            image: shapes::ImageBytes,
        },
        ServerMessage::Text { node_id, text } => M::Text {
            node: node_id,
            text,
        },
        ServerMessage::Other { kind, data } => M::Other(shapes::OtherMessage { kind, data }),
    })
}

/// A file reference from `{filename, subfolder, type}` (as outputs and uploads name files).
pub fn file_ref(value: &Value) -> Result<FileRef> {
    let field = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(FileRef {
        filename: field("filename").ok_or_else(|| invalid_option("filename", "required"))?,
        subfolder: field("subfolder").unwrap_or_default(),
        kind: field("type").unwrap_or_else(|| "output".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_workflow() -> Document {
        let text = include_str!(
            "../../../tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json"
        );
        Document::from_json(text).unwrap()
    }

    #[test]
    fn convert_and_params_in_javascript_shapes() {
        let catalog = Catalog::embedded();
        let out = convert(default_workflow(), catalog, &Value::Null).unwrap();
        assert_eq!(out["prompt"]["3"]["class_type"], "KSampler");
        assert!(out["warnings"].as_array().unwrap().is_empty());
        assert!(out["controls"].is_array());
        let params = list_params(default_workflow(), catalog, &Value::Null).unwrap();
        let seed = params
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["selector"] == "#3.seed")
            .unwrap();
        assert_eq!(seed["nodeId"], "3");
        assert_eq!(seed["classType"], "KSampler");
        assert_eq!(seed["type"], "INT");
        let found = find_nodes(default_workflow(), catalog, "positive", &Value::Null).unwrap();
        assert_eq!(found[0]["selector"], "#6.text");
    }

    #[test]
    fn overrides_all_or_nothing_with_exact_big_seeds() {
        let catalog = Catalog::embedded();
        let overrides: Value =
            serde_json::from_str(r#"{"seed": 18446744073709551615, "positive": "a red fox"}"#)
                .unwrap();
        let out = apply_overrides(default_workflow(), catalog, &overrides, &Value::Null).unwrap();
        assert_eq!(out["ok"], true);
        assert_eq!(
            out["prompt"]["3"]["inputs"]["seed"].to_string(),
            "18446744073709551615"
        );
        let bad: Value = serde_json::from_str(r#"{"steps": -4, "positive": "x"}"#).unwrap();
        let out = apply_overrides(default_workflow(), catalog, &bad, &Value::Null).unwrap();
        assert_eq!(out["ok"], false);
        assert_eq!(out["issues"][0]["code"], "OUT_OF_RANGE");
        assert_ne!(out["prompt"]["6"]["inputs"]["text"], "x");
        let randomized = apply_overrides(
            default_workflow(),
            catalog,
            &Value::Null,
            &json!({"seedMode": "randomize", "rngSeed": 7}),
        )
        .unwrap();
        assert_eq!(randomized["changes"][0]["input"], "seed");
    }

    #[test]
    fn validation_and_errors_are_values() {
        let catalog = Catalog::embedded();
        let v = validate(
            json!({"1": {"class_type": "Nope", "inputs": {}}}),
            catalog,
            &Value::Null,
        )
        .unwrap();
        assert_eq!(v["accepted"], false);
        assert_eq!(v["status"], 400);
        assert_eq!(v["body"]["error"]["type"], "invalid_prompt");
        let err = convert_options(&json!({"date": "yesterday"})).unwrap_err();
        assert_eq!(error_data(&err)["path"], "options.date");
        let amb = Error::Ambiguous {
            selector: "seed".into(),
            candidates: vec!["#3.seed".into(), "#9.seed".into()],
        };
        assert_eq!(error_data(&amb)["candidates"][1], "#9.seed");
        assert!(
            convert_options(&json!({"date": "2026-11-22T10:30:05"}))
                .unwrap()
                .date
                .is_some()
        );
    }
}
