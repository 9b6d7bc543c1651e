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
mod session;
pub use calls::{CallAnswer, ServerCall, server_call};
pub use session::*;

fn flag(options: &Value, name: &str) -> Result<bool> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_option(name, "expected true or false")),
    }
}

fn u64_option(options: &Value, name: &str) -> Result<Option<u64>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| invalid_option(name, "expected an integer from 0 to 2^64-1")),
        Some(Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| invalid_option(name, "expected an integer from 0 to 2^64-1")),
        Some(_) => Err(invalid_option(name, "expected an integer")),
    }
}

/// Conversion options: `{dynamicPrompts: "keep" | {seed}, date: "2026-11-22T10:30:00",
/// preferNamedValues, keepSubgraphIds}`.
pub fn convert_options(options: &Value) -> Result<ConvertOptions> {
    let mut out = ConvertOptions::default();
    match options.get("dynamicPrompts") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "keep" => {}
        Some(v @ Value::Object(_)) => {
            let seed = u64_option(v, "seed")?.unwrap_or(0);
            out.dynamic_prompts = DynamicPrompts::Resolve { seed };
        }
        Some(_) => {
            return Err(invalid_option(
                "dynamicPrompts",
                "expected \"keep\" or {seed: n}",
            ));
        }
    }
    if let Some(date) = options.get("date").filter(|d| !d.is_null()) {
        let text = date
            .as_str()
            .ok_or_else(|| invalid_option("date", "expected \"YYYY-MM-DDThh:mm:ss\""))?;
        out.date = Some(
            parse_local_date(text)
                .ok_or_else(|| invalid_option("date", "expected \"YYYY-MM-DDThh:mm:ss\""))?,
        );
    }
    out.prefer_named_values = flag(options, "preferNamedValues")?;
    out.keep_subgraph_ids = flag(options, "keepSubgraphIds")?;
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

/// A short description of a document: `{format: "ui"|"api", version, frontendVersion, nodes, links, subgraphs, groupNodes}`.
pub fn describe(document: &Document) -> Value {
    match document {
        Document::Ui(w) => json!({
            "format": "ui",
            "version": w.raw.get("version").cloned().unwrap_or(Value::Null),
            "frontendVersion": w.frontend_version,
            "groupNodes": w.group_nodes.len(),
            "nodes": w.graph.nodes.len(),
            "links": w.graph.links.len(),
            "subgraphs": w.subgraphs.len(),
        }),
        Document::Api(p) => json!({
            "format": "api",
            "nodes": p.nodes.len(),
        }),
    }
}

fn warnings_json(conversion: &crate::Conversion) -> Value {
    conversion
        .warnings
        .iter()
        .map(|w| {
            json!({
                "code": w.code.as_str(),
                "nodeId": w.node_id,
                "path": w.path,
                "message": w.message,
            })
        })
        .collect()
}

/// `{prompt, warnings: [{code, nodeId, path, message}], controls: [{nodeId, input, mode}]}`.
pub fn convert(document: Document, catalog: &Catalog, options: &Value) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let controls: Value = conversion
        .controls
        .iter()
        .map(|c| json!({"nodeId": c.node_id, "input": c.input, "mode": c.mode}))
        .collect();
    Ok(json!({
        "prompt": conversion.prompt.to_value(),
        "warnings": warnings_json(&conversion),
        "controls": controls,
    }))
}

/// Every tunable input: a list (`{selector, nodeId, input, classType, title, roles, type,
/// current, spec}`), or with `{byNode: true}` the `{"<id>": {"inputs": {…}}}` shape.
pub fn list_params(document: Document, catalog: &Catalog, options: &Value) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    if flag(options, "byNode")? {
        return Ok(params::params_by_node(&conversion.prompt, catalog));
    }
    Ok(params::list_params(&conversion.prompt, catalog)
        .iter()
        .map(|p| camel_param(p.to_json()))
        .collect())
}

/// The flat param JSON uses snake_case keys in the CLI; JavaScript gets camelCase.
fn camel_param(value: Value) -> Value {
    let Value::Object(map) = value else {
        return value;
    };
    Value::Object(
        map.into_iter()
            .map(|(k, v)| {
                let key = match k.as_str() {
                    "node_id" => "nodeId".to_string(),
                    "class_type" => "classType".to_string(),
                    _ => k,
                };
                (key, v)
            })
            .collect(),
    )
}

/// What a selector names: `[{selector, nodeId, input, classType, title, value}]`.
pub fn find_nodes(
    document: Document,
    catalog: &Catalog,
    selector: &str,
    options: &Value,
) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let prompt = &conversion.prompt;
    let targets = address::select(prompt, catalog, selector)?;
    Ok(targets
        .iter()
        .map(|t| {
            let node = &prompt.nodes[&t.node_id];
            let value = t.input.as_ref().and_then(|i| node.inputs.get(i)).cloned();
            json!({
                "selector": t.to_string(),
                "nodeId": t.node_id,
                "input": t.input,
                "classType": node.class_type,
                "title": node.meta.get("title"),
                "value": value,
            })
        })
        .collect())
}

/// Applies overrides; nothing changes unless all of them can be applied.
///
/// `overrides` is `{selector: value}` (roles, `#id.input`, `title:…`, `Class.input`), and/or
/// `options.body`, a sparse `{"<id>": {"inputs": {…}}}`. `options.seedMode` (`fixed`, `asSaved`,
/// `increment`, `decrement`, `randomize`) and `options.rngSeed` control seeds as the editor's
/// `control_after_generate` does. Returns `{ok, prompt, issues, changes, warnings}`: refusals are
/// values (`issues`), never exceptions.
pub fn apply_overrides(
    document: Document,
    catalog: &Catalog,
    overrides: &Value,
    options: &Value,
) -> Result<Value> {
    let conversion = document.into_prompt(catalog, &convert_options(options)?)?;
    let mut prompt = conversion.prompt.clone();
    let mut issues = Vec::new();
    if let Some(body) = options.get("body").filter(|b| !b.is_null()) {
        issues.extend(params::apply_sparse(&mut prompt, catalog, body));
    }
    let pairs: Vec<(String, Value)> = match overrides {
        Value::Null => Vec::new(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => return Err(invalid_option("overrides", "expected {selector: value}")),
    };
    issues.extend(params::apply_overrides(&mut prompt, catalog, &pairs));
    if !issues.is_empty() {
        return Ok(json!({
            "ok": false,
            "prompt": conversion.prompt.to_value(),
            "issues": issues.iter().map(|i| i.to_json()).collect::<Vec<_>>(),
            "changes": [],
            "warnings": warnings_json(&conversion),
        }));
    }
    let seed_mode = options
        .get("seedMode")
        .and_then(Value::as_str)
        .unwrap_or("fixed");
    let rng_seed = u64_option(options, "rngSeed")?.unwrap_or(0);
    let (mode, controls) = match seed_mode {
        "asSaved" | "as-saved" => (None, conversion.controls.clone()),
        "fixed" => (Some(ControlMode::Fixed), Vec::new()),
        other => {
            let mode = ControlMode::parse(other).ok_or_else(|| {
                invalid_option(
                    "seedMode",
                    "expected fixed, asSaved, increment, decrement or randomize",
                )
            })?;
            (Some(mode), params::seed_controls(&prompt, catalog, "fixed"))
        }
    };
    let changes: Vec<Value> =
        params::apply_controls(&mut prompt, catalog, &controls, mode, rng_seed)
            .into_iter()
            .map(|c| json!({"nodeId": c.node_id, "input": c.input, "from": c.from, "to": c.to}))
            .collect();
    Ok(json!({
        "ok": true,
        "prompt": prompt.to_value(),
        "issues": [],
        "changes": changes,
        "warnings": warnings_json(&conversion),
    }))
}

/// What the server would answer to `POST /prompt`: `{accepted, status, body}`. A whole POST
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
    Ok(json!({
        "accepted": outcome.status == 200,
        "status": outcome.status,
        "body": outcome.body,
    }))
}

/// `{prompt, workflow}` embedded in a PNG/WebP/FLAC/Ogg/MP3 file (`null` where absent).
pub fn extract(bytes: &[u8]) -> Result<Value> {
    let meta = crate::media::extract(bytes)?.require()?;
    Ok(json!({
        "prompt": meta.prompt,
        "workflow": meta.workflow,
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
        _ => {}
    }
    Value::Object(out)
}

/// Output files with the URL to fetch each: `[{nodeId, key, filename, subfolder, type, url}]`.
pub fn files_json(outputs: &Map<String, Value>, endpoint: Option<&Endpoint>) -> Value {
    response::output_files(outputs)
        .into_iter()
        .map(|f| {
            let url = endpoint.map(|e| e.view(&f.file, None).url);
            json!({
                "nodeId": f.node_id,
                "key": f.key,
                "filename": f.file.filename,
                "subfolder": f.file.subfolder,
                "type": f.file.kind,
                "url": url,
            })
        })
        .collect()
}

/// A job's end: `{promptId, status, ok, outputs, files, error?, nodeErrors?}`; `status` is the
/// outcome's code (`SUCCESS`, `EXECUTION_ERROR`, `INTERRUPTED`, `CANCELLED`, `PROMPT_REJECTED`,
/// `JOB_LOST`, `TIMEOUT`).
pub fn result_json(result: &JobResult, endpoint: Option<&Endpoint>) -> Value {
    let mut out = json!({
        "promptId": result.prompt_id,
        "status": result.outcome.code(),
        "ok": result.outcome == Outcome::Success,
        "outputs": result.outputs,
        "files": files_json(&result.outputs, endpoint),
    });
    match &result.outcome {
        Outcome::Failed { error } => out["error"] = error.clone(),
        Outcome::Interrupted { data } => out["error"] = data.clone(),
        Outcome::Rejected { error, node_errors } => {
            out["error"] = error.clone();
            out["nodeErrors"] = node_errors.clone();
        }
        _ => {}
    }
    out
}

/// A job event as JavaScript sees it: `{type, promptId, ...}` with `type` one of `queued`,
/// `started`, `cached`, `executing`, `progress`, `preview`, `output`, `text`, `finished`.
/// A preview's image bytes are not in the JSON (bindings pass them as a `Uint8Array`).
pub fn event_json(prompt_id: &str, event: &JobEvent, endpoint: Option<&Endpoint>) -> Value {
    let mut out = match event {
        JobEvent::Queued { position } => json!({"type": "queued", "position": position}),
        JobEvent::Started => json!({"type": "started"}),
        JobEvent::Cached { nodes } => json!({"type": "cached", "nodes": nodes}),
        JobEvent::NodeStarted { node } => json!({"type": "executing", "node": node}),
        JobEvent::Progress {
            node,
            value,
            max,
            overall,
        } => {
            json!({"type": "progress", "node": node, "value": value, "max": max, "overall": overall})
        }
        JobEvent::Preview { node, mime, image } => {
            json!({"type": "preview", "node": node, "mime": mime, "size": image.len()})
        }
        JobEvent::Output { node, output } => {
            let single: Map<String, Value> = [(node.clone(), output.clone())].into_iter().collect();
            json!({"type": "output", "node": node, "output": output, "files": files_json(&single, endpoint)})
        }
        JobEvent::Text { node, text } => json!({"type": "text", "node": node, "text": text}),
        JobEvent::Finished(result) => {
            json!({"type": "finished", "result": result_json(result, endpoint)})
        }
    };
    out["promptId"] = Value::String(prompt_id.to_string());
    out
}

/// `{running: [...], pending: [...]}` in execution order; items `{number, promptId, clientId,
/// outputs}`.
pub fn queue_json(queue: &QueueState) -> Value {
    let items = |list: &[crate::protocol::QueueItem]| -> Value {
        list.iter()
            .map(|i| {
                json!({
                    "number": i.number,
                    "promptId": i.prompt_id,
                    "clientId": i.client_id(),
                    "outputs": i.outputs_to_execute,
                })
            })
            .collect()
    };
    json!({"running": items(&queue.running), "pending": items(&queue.pending)})
}

/// A server message as `{type, ...fields}` (the wire's `type` names; a preview's bytes are not
/// in the JSON — bindings attach them as a `Uint8Array`).
pub fn message_json(message: &ServerMessage) -> Value {
    match message {
        ServerMessage::Status {
            queue_remaining,
            sid,
        } => json!({"type": "status", "queueRemaining": queue_remaining, "sid": sid}),
        ServerMessage::FeatureFlags(data) => json!({"type": "feature_flags", "data": data}),
        ServerMessage::ExecutionStart { prompt_id } => {
            json!({"type": "execution_start", "promptId": prompt_id})
        }
        ServerMessage::ExecutionCached { prompt_id, nodes } => {
            json!({"type": "execution_cached", "promptId": prompt_id, "nodes": nodes})
        }
        ServerMessage::Executing {
            prompt_id,
            node,
            display_node,
        } => {
            json!({"type": "executing", "promptId": prompt_id, "node": node, "displayNode": display_node})
        }
        ServerMessage::Progress {
            prompt_id,
            node,
            value,
            max,
        } => {
            json!({"type": "progress", "promptId": prompt_id, "node": node, "value": value, "max": max})
        }
        ServerMessage::ProgressState { prompt_id, nodes } => {
            json!({"type": "progress_state", "promptId": prompt_id, "nodes": nodes})
        }
        ServerMessage::Executed {
            prompt_id,
            node,
            display_node,
            output,
        } => {
            json!({"type": "executed", "promptId": prompt_id, "node": node, "displayNode": display_node, "output": output})
        }
        ServerMessage::ExecutionSuccess { prompt_id } => {
            json!({"type": "execution_success", "promptId": prompt_id})
        }
        ServerMessage::ExecutionError { prompt_id, data } => {
            json!({"type": "execution_error", "promptId": prompt_id, "data": data})
        }
        ServerMessage::ExecutionInterrupted { prompt_id, data } => {
            json!({"type": "execution_interrupted", "promptId": prompt_id, "data": data})
        }
        ServerMessage::Preview { mime, image, meta } => json!({
            "type": "preview",
            "mime": mime,
            "size": image.len(),
            "node": meta.as_ref().and_then(|m| m.node_id.clone()),
            "promptId": meta.as_ref().and_then(|m| m.prompt_id.clone()),
        }),
        ServerMessage::Text { node_id, text } => {
            json!({"type": "text", "node": node_id, "text": text})
        }
        ServerMessage::Other { kind, data } => json!({"type": kind, "data": data}),
    }
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
