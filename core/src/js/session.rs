//! The client side of the JavaScript API: how connect, submit, upload, history and free options
//! are read, and what an upload answers. Both transports (reqwest/tungstenite in the addon,
//! fetch/WebSocket in wasm) call these, so an option means the same thing in every runtime.

use serde_json::Value;

use super::{invalid_option, options};
use crate::catalog::Catalog;
use crate::error::Result;
use crate::params::{self, ParamType};
use crate::prompt::Prompt;
use crate::protocol::{Endpoint, FileRef, QueueOptions, SessionConfig, Standing, UploadKind};

/// `ComfyClient.connect` options after checking. `Debug` hides the credentials.
#[derive(Clone, PartialEq)]
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

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::protocol::secrets::{HeaderNames, Hidden, redact_url};
        f.debug_struct("ConnectOptions")
            .field("server", &redact_url(&self.server))
            .field("client_id", &self.client_id)
            .field("api_prefix", &self.api_prefix)
            .field("bearer", &Hidden(&self.bearer))
            .field("basic", &Hidden(&self.basic))
            .field("headers", &HeaderNames(&self.headers))
            .field("ws_token", &Hidden(&self.ws_token))
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("session", &self.session)
            .finish()
    }
}

/// Connect options ([`options::Connect`]), or the server URL alone as a string.
pub fn connect_options(given: &Value) -> Result<ConnectOptions> {
    let given: options::Connect = match given {
        Value::String(server) => options::Connect {
            server: Some(server.clone()),
            ..Default::default()
        },
        other => options::read(other)?,
    };
    let server = given
        .server
        .ok_or_else(|| invalid_option("server", "the server's URL is required"))?;
    let headers = given
        .headers
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            _ => Err(invalid_option("headers", "header values must be strings")),
        })
        .collect::<Result<_>>()?;
    let defaults = SessionConfig::default();
    let ms = |o: Option<options::Integer>, default: u64| o.map_or(default, |n| n.0);
    let capacity = ms(given.job_event_capacity, defaults.job_event_capacity as u64);
    Ok(ConnectOptions {
        server,
        client_id: given.client_id,
        api_prefix: given.api_prefix.unwrap_or(false),
        bearer: given.bearer,
        basic: given
            .basic
            .map(|b| (b.user.unwrap_or_default(), b.password.unwrap_or_default())),
        headers,
        ws_token: given.ws_token,
        request_timeout_ms: ms(given.request_timeout_ms, 30_000),
        session: SessionConfig {
            silence_ms: ms(given.silence_ms, defaults.silence_ms),
            reconnect_min_ms: ms(given.reconnect_min_ms, defaults.reconnect_min_ms),
            reconnect_max_ms: ms(given.reconnect_max_ms, defaults.reconnect_max_ms),
            reconnect_window_ms: ms(given.reconnect_window_ms, defaults.reconnect_window_ms),
            job_event_capacity: usize::try_from(capacity).unwrap_or(usize::MAX),
            ..defaults
        },
    })
}

impl ConnectOptions {
    /// The endpoint these options describe, for the given client id.
    pub fn endpoint(&self, client_id: &str) -> Result<Endpoint> {
        // Checked here, before any transport: reqwest and fetch reject such values in ways that
        // differ (fetch's can abort a wasm caller), and the value must not reach an error message.
        if let Some(token) = &self.bearer {
            check_header("bearer", "Authorization", token)?;
        }
        if let Some((user, password)) = &self.basic {
            check_header("basic.user", "Authorization", user)?;
            check_header("basic.password", "Authorization", password)?;
        }
        for (name, value) in &self.headers {
            check_header(&format!("headers.{name}"), name, value)?;
        }
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

/// Submit options ([`options::Submit`]) → the queue options and the job's deadline in
/// milliseconds.
pub fn submit_options(given: &Value) -> Result<(QueueOptions, Option<u64>)> {
    let given: options::Submit = options::read(given)?;
    let queue = QueueOptions {
        prompt_id: given.prompt_id,
        front: given.front.unwrap_or(false),
        number: given.number.map(Value::Number),
        extra_data: given.extra_data.unwrap_or_default(),
        partial_execution_targets: given
            .partial_execution_targets
            .unwrap_or_default()
            .into_iter()
            .map(|id| id.0)
            .collect(),
    };
    Ok((queue, given.timeout_ms.map(|n| n.0)))
}

/// Upload options: `{type?: "image" | "mask", subfolder?, overwrite?, original?}` (a mask
/// names the image it belongs to in `original: {filename, subfolder, type}`).
#[derive(Debug, Clone, PartialEq)]
pub struct UploadOptions {
    pub kind: UploadKind,
    pub subfolder: String,
    pub overwrite: bool,
}

pub fn upload_options(given: &Value) -> Result<UploadOptions> {
    let given: options::Upload = options::read(given)?;
    let kind = match given.kind.unwrap_or_default() {
        options::UploadType::Image => UploadKind::Image,
        options::UploadType::Mask => {
            let original = given.original.ok_or_else(|| {
                invalid_option(
                    "original",
                    "a mask needs {filename, subfolder, type} of its image",
                )
            })?;
            UploadKind::Mask {
                original: FileRef {
                    filename: original.filename,
                    subfolder: original.subfolder.unwrap_or_default(),
                    kind: original.kind.unwrap_or_else(|| "input".into()),
                },
            }
        }
    };
    Ok(UploadOptions {
        kind,
        subfolder: given.subfolder.unwrap_or_default(),
        overwrite: given.overwrite.unwrap_or(false),
    })
}

/// What an upload answers ([`super::shapes::UploadedFile`]).
pub fn uploaded_json(file: &FileRef) -> Value {
    let input_name = if file.subfolder.is_empty() {
        file.filename.clone()
    } else {
        format!("{}/{}", file.subfolder, file.filename)
    };
    super::shapes::to_value(super::shapes::UploadedFile {
        filename: &file.filename,
        subfolder: &file.subfolder,
        kind: &file.kind,
        input_name,
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
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Server {
        #[serde(default)]
        name: String,
        load: Option<options::Integer>,
        incapable: Option<String>,
        unreachable: Option<String>,
        in_flight: Option<options::Integer>,
    }
    let list: Vec<Server> = serde_json::from_value(servers.clone())
        .map_err(|e| invalid_option("servers", &e.to_string()))?;
    let count =
        |n: Option<options::Integer>| usize::try_from(n.map_or(0, |n| n.0)).unwrap_or(usize::MAX);
    let standings: Vec<_> = list
        .into_iter()
        .map(|server| {
            let standing = if let Some(why) = server.unreachable {
                Standing::Unreachable(why)
            } else if let Some(why) = server.incapable {
                Standing::Incapable(why)
            } else {
                Standing::Load(count(server.load))
            };
            (server.name, standing, count(server.in_flight))
        })
        .collect();
    crate::protocol::pick_server(&standings)
}

/// History options ([`options::History`]): at most `maxItems` entries after `offset`.
pub fn history_options(given: &Value) -> Result<(Option<u32>, Option<u32>)> {
    let given: options::History = options::read(given)?;
    Ok((given.max_items, given.offset))
}

/// `free` options ([`options::Free`]): whether to unload models and free memory.
pub fn free_options(given: &Value) -> Result<(bool, bool)> {
    let given: options::Free = options::read(given)?;
    Ok((
        given.unload_models.unwrap_or(false),
        given.free_memory.unwrap_or(false),
    ))
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

/// A header every transport can send: the name an HTTP token, the value printable ASCII (and
/// tabs). The value is never quoted back: it is usually a secret.
fn check_header(option: &str, name: &str, value: &str) -> Result<()> {
    let token = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(invalid_option(
            option,
            "a header name is letters, digits and !#$%&'*+-.^_`|~ only",
        ));
    }
    if !value
        .bytes()
        .all(|c| c == b'\t' || (0x20..0x7f).contains(&c))
    {
        return Err(invalid_option(
            option,
            "a header value cannot hold line breaks, control characters or non-ASCII text",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_values_that_no_transport_can_send_are_refused_without_quoting_them() {
        for given in [
            serde_json::json!({"server": "http://h:1", "bearer": "a\nSECRET"}),
            serde_json::json!({"server": "http://h:1", "headers": {"X-Key": "SECRET\r\nX: y"}}),
            serde_json::json!({"server": "http://h:1", "headers": {"Bad Name": "v"}}),
            serde_json::json!({"server": "http://h:1", "basic": {"user": "u", "password": "é"}}),
        ] {
            let options = super::connect_options(&given).unwrap();
            let err = options.endpoint("c").unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{given}");
            assert!(!err.to_string().contains("SECRET"), "{err}");
        }
        let fine = serde_json::json!({"server": "http://h:1", "bearer": "abc.DEF-1", "headers": {"X-Api-Key": "k v\tw"}});
        assert!(super::connect_options(&fine).unwrap().endpoint("c").is_ok());
    }

    use super::*;
    use serde_json::json;

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
