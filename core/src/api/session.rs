//! The client side of the JavaScript API: how connect, submit, upload, history and free options
//! are read, and what an upload answers. Both transports (reqwest/tungstenite in the addon,
//! fetch/WebSocket in wasm) call these, so an option means the same thing in every runtime.

use serde_json::{Map, Value, json};

use super::{flag, invalid_option, u64_option};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::params::{self, ParamType};
use crate::prompt::Prompt;
use crate::protocol::{Endpoint, FileRef, QueueOptions, SessionConfig, Standing, UploadKind};

/// `ComfyClient.connect` options after checking.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    pub server: String,
    pub client_id: Option<String>,
    pub api_prefix: bool,
    pub bearer: Option<String>,
    pub basic: Option<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub ws_token: Option<String>,
    /// One HTTP request's limit (default 30 s).
    pub request_timeout_ms: u64,
    /// The session's timing: silence, reconnect backoff and window (defaults: 15 s, 200 ms to
    /// 10 s, 60 s).
    pub session: SessionConfig,
}

fn string_option(options: &Value, name: &str) -> Result<Option<String>> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_option(name, "expected a string")),
    }
}

/// `{server, clientId?, apiPrefix?, bearer?, basic?: {user, password}, headers?, wsToken?,
/// requestTimeoutMs?, silenceMs?, reconnectMinMs?, reconnectMaxMs?, reconnectWindowMs?}`, or
/// the server URL alone as a string.
pub fn connect_options(options: &Value) -> Result<ConnectOptions> {
    if let Value::String(server) = options {
        return connect_options(&json!({ "server": server }));
    }
    let server = string_option(options, "server")?
        .ok_or_else(|| invalid_option("server", "the server's URL is required"))?;
    let basic = match options.get("basic") {
        None | Some(Value::Null) => None,
        Some(b @ Value::Object(_)) => Some((
            string_option(b, "user")?.unwrap_or_default(),
            string_option(b, "password")?.unwrap_or_default(),
        )),
        Some(_) => return Err(invalid_option("basic", "expected {user, password}")),
    };
    let headers = match options.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(invalid_option("headers", "header values must be strings")),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(invalid_option("headers", "expected {name: value}")),
    };
    Ok(ConnectOptions {
        server,
        client_id: string_option(options, "clientId")?,
        api_prefix: flag(options, "apiPrefix")?,
        bearer: string_option(options, "bearer")?,
        basic,
        headers,
        ws_token: string_option(options, "wsToken")?,
        request_timeout_ms: u64_option(options, "requestTimeoutMs")?.unwrap_or(30_000),
        session: {
            let defaults = SessionConfig::default();
            let number = |name, default| {
                Ok::<_, crate::Error>(u64_option(options, name)?.unwrap_or(default))
            };
            let capacity = number("jobEventCapacity", defaults.job_event_capacity as u64)?;
            SessionConfig {
                silence_ms: number("silenceMs", defaults.silence_ms)?,
                reconnect_min_ms: number("reconnectMinMs", defaults.reconnect_min_ms)?,
                reconnect_max_ms: number("reconnectMaxMs", defaults.reconnect_max_ms)?,
                reconnect_window_ms: number("reconnectWindowMs", defaults.reconnect_window_ms)?,
                job_event_capacity: usize::try_from(capacity).unwrap_or(usize::MAX),
                ..defaults
            }
        },
    })
}

impl ConnectOptions {
    /// The endpoint these options describe, for the given client id.
    pub fn endpoint(&self, client_id: &str) -> Result<Endpoint> {
        let mut endpoint = Endpoint::new(&self.server, client_id)?.with_api_prefix(self.api_prefix);
        if let Some(token) = &self.bearer {
            endpoint = endpoint.with_bearer(token);
        }
        if let Some((user, password)) = &self.basic {
            endpoint = endpoint.with_basic(user, password);
        }
        for (name, value) in &self.headers {
            endpoint = endpoint.with_header(name, value);
        }
        if let Some(token) = &self.ws_token {
            endpoint = endpoint.with_ws_token(token);
        }
        Ok(endpoint)
    }
}

/// Submit options: `{promptId?, front?, number?, extraData?, partialExecutionTargets?,
/// timeoutMs?}` → the queue options and the job's deadline in milliseconds.
pub fn submit_options(options: &Value) -> Result<(QueueOptions, Option<u64>)> {
    let extra_data = match options.get("extraData") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err(invalid_option("extraData", "expected an object")),
    };
    let partial_execution_targets = match options.get("partialExecutionTargets") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(invalid_option(
                    "partialExecutionTargets",
                    "expected node ids",
                )),
            })
            .collect::<Result<_>>()?,
        Some(_) => {
            return Err(invalid_option(
                "partialExecutionTargets",
                "expected an array of node ids",
            ));
        }
    };
    let number = match options.get("number") {
        None | Some(Value::Null) => None,
        Some(n @ Value::Number(_)) => Some(n.clone()),
        Some(_) => return Err(invalid_option("number", "expected a number")),
    };
    let queue = QueueOptions {
        prompt_id: string_option(options, "promptId")?,
        front: flag(options, "front")?,
        number,
        extra_data,
        partial_execution_targets,
    };
    Ok((queue, u64_option(options, "timeoutMs")?))
}

/// Upload options: `{type?: "image" | "mask", subfolder?, overwrite?, original?}` (a mask
/// names the image it belongs to in `original: {filename, subfolder, type}`).
#[derive(Debug, Clone, PartialEq)]
pub struct UploadOptions {
    pub kind: UploadKind,
    pub subfolder: String,
    pub overwrite: bool,
}

pub fn upload_options(options: &Value) -> Result<UploadOptions> {
    let kind = match string_option(options, "type")?.as_deref() {
        None | Some("image") => UploadKind::Image,
        Some("mask") => UploadKind::Mask {
            original: super::file_ref(options.get("original").unwrap_or(&Value::Null)).map_err(
                |_| {
                    invalid_option(
                        "original",
                        "a mask needs {filename, subfolder, type} of its image",
                    )
                },
            )?,
        },
        Some(_) => return Err(invalid_option("type", "expected \"image\" or \"mask\"")),
    };
    Ok(UploadOptions {
        kind,
        subfolder: string_option(options, "subfolder")?.unwrap_or_default(),
        overwrite: flag(options, "overwrite")?,
    })
}

/// What an upload answers: `{filename, subfolder, type, inputName}`; `inputName` is the value a
/// `LoadImage` input takes (`subfolder/filename`).
pub fn uploaded_json(file: &FileRef) -> Value {
    let input_name = if file.subfolder.is_empty() {
        file.filename.clone()
    } else {
        format!("{}/{}", file.subfolder, file.filename)
    };
    json!({
        "filename": file.filename,
        "subfolder": file.subfolder,
        "type": file.kind,
        "inputName": input_name,
    })
}

/// Why a server with this catalog cannot run `prompt`, if it cannot: a node class it does not
/// have, or a model file its catalog does not list. Pools use it to route jobs.
pub fn incapable(catalog: &Catalog, prompt: &Prompt) -> Option<String> {
    for (id, node) in &prompt.nodes {
        let class = node.class_type.as_deref().unwrap_or("");
        if catalog.get(class).is_none() {
            return Some(format!("node #{id}: class `{class}` is not installed"));
        }
    }
    params::list_params(prompt, catalog)
        .into_iter()
        .find(|p| {
            let listed = p.spec.get("choices").and_then(Value::as_array);
            p.param_type == ParamType::Model && listed.is_some_and(|c| !c.contains(&p.current))
        })
        .map(|p| format!("{}: model {} is not on this server", p.selector, p.current))
}

/// The pool's choice from JSON: `[{name, load?: n, incapable?: why, unreachable?: why,
/// inFlight?: n}]` → the index of the server to use ([`crate::protocol::pick_server`]).
pub fn pick_server_json(servers: &Value) -> Result<usize> {
    let list = servers
        .as_array()
        .ok_or_else(|| invalid_option("servers", "expected a list"))?;
    let mut standings = Vec::with_capacity(list.len());
    for server in list {
        let name = string_option(server, "name")?.unwrap_or_default();
        let standing = if let Some(why) = string_option(server, "unreachable")? {
            Standing::Unreachable(why)
        } else if let Some(why) = string_option(server, "incapable")? {
            Standing::Incapable(why)
        } else {
            let load = u64_option(server, "load")?.unwrap_or(0);
            Standing::Load(usize::try_from(load).unwrap_or(usize::MAX))
        };
        let in_flight = u64_option(server, "inFlight")?.unwrap_or(0);
        standings.push((
            name,
            standing,
            usize::try_from(in_flight).unwrap_or(usize::MAX),
        ));
    }
    crate::protocol::pick_server(&standings)
}

/// History options: `{maxItems?, offset?}`.
pub fn history_options(options: &Value) -> Result<(Option<u32>, Option<u32>)> {
    let small = |name: &str| -> Result<Option<u32>> {
        u64_option(options, name)?
            .map(|n| u32::try_from(n).map_err(|_| invalid_option(name, "too large")))
            .transpose()
    };
    Ok((small("maxItems")?, small("offset")?))
}

/// `free` options: `{unloadModels?, freeMemory?}`.
pub fn free_options(options: &Value) -> Result<(bool, bool)> {
    Ok((flag(options, "unloadModels")?, flag(options, "freeMemory")?))
}

/// A list of prompt ids (`deleteHistory`, `deleteQueued`).
pub fn id_list(ids: &Value) -> Result<Vec<String>> {
    match ids {
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid_option("ids", "expected prompt id strings")),
            })
            .collect(),
        Value::String(s) => Ok(vec![s.clone()]),
        _ => Err(invalid_option("ids", "expected an array of prompt ids")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_options_from_a_url_or_an_object() {
        let plain = connect_options(&json!("http://127.0.0.1:8188")).unwrap();
        assert_eq!(plain.server, "http://127.0.0.1:8188");
        assert_eq!(plain.request_timeout_ms, 30_000);
        let full = connect_options(&json!({
            "server": "https://h/comfy/", "apiPrefix": true, "bearer": "t",
            "basic": {"user": "u", "password": "p"}, "headers": {"X-A": "1"},
            "requestTimeoutMs": 5, "silenceMs": "7"
        }))
        .unwrap();
        assert!(full.api_prefix);
        assert_eq!(full.session.silence_ms, 7);
        assert_eq!(full.basic, Some(("u".into(), "p".into())));
        let endpoint = full.endpoint("cid").unwrap();
        assert!(
            endpoint
                .queue()
                .url
                .starts_with("https://h/comfy/api/queue")
        );
        let missing = connect_options(&json!({})).unwrap_err();
        assert_eq!(missing.code(), "INVALID_ARGUMENT");
        assert!(connect_options(&json!({"server": "x", "headers": {"a": 1}})).is_err());
    }

    #[test]
    fn submit_and_upload_options() {
        let (queue, deadline) = submit_options(&json!({
            "promptId": "p", "front": true, "extraData": {"k": 1},
            "partialExecutionTargets": ["9", 12], "timeoutMs": 1000
        }))
        .unwrap();
        assert_eq!(queue.prompt_id.as_deref(), Some("p"));
        assert!(queue.front);
        assert_eq!(queue.partial_execution_targets, ["9", "12"]);
        assert_eq!(deadline, Some(1000));
        assert!(submit_options(&json!({"front": "yes"})).is_err());
        assert_eq!(
            upload_options(&Value::Null).unwrap().kind,
            UploadKind::Image
        );
        assert!(upload_options(&json!({"type": "mask"})).is_err());
        let mask = upload_options(
            &json!({"type": "mask", "original": {"filename": "a.png", "type": "input"}}),
        )
        .unwrap();
        assert!(matches!(mask.kind, UploadKind::Mask { .. }));
        let file = FileRef {
            filename: "a.png".into(),
            subfolder: "s".into(),
            kind: "input".into(),
        };
        assert_eq!(uploaded_json(&file)["inputName"], "s/a.png");
        assert_eq!(
            history_options(&json!({"maxItems": 3})).unwrap(),
            (Some(3), None)
        );
        assert_eq!(id_list(&json!(["a", "b"])).unwrap(), ["a", "b"]);
    }
}
