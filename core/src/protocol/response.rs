//! Responses as typed values: what each route answers, parsed once here.

use serde_json::{Map, Value};

use super::endpoint::FileRef;
use super::request::HttpResponse;
use crate::catalog::Catalog;
use crate::error::{Error, Result};

/// The largest JSON body the client parses; transports should stop reading past it.
pub const MAX_JSON_BYTES: usize = 128 * 1024 * 1024;

fn bad(route: &str, message: impl Into<String>) -> Error {
    Error::BadResponse {
        route: route.to_string(),
        message: message.into(),
    }
}

fn http_error(route: &str, resp: &HttpResponse) -> Error {
    let mut body = String::from_utf8_lossy(&resp.body[..resp.body.len().min(4096)]).into_owned();
    if resp.body.len() > 4096 {
        body.push('…');
    }
    Error::Http {
        status: resp.status,
        route: route.to_string(),
        body,
    }
}

/// A 2xx JSON body, size-checked.
pub fn json_body(route: &str, resp: &HttpResponse) -> Result<Value> {
    if !(200..300).contains(&resp.status) {
        return Err(http_error(route, resp));
    }
    if resp.body.len() > MAX_JSON_BYTES {
        return Err(Error::TooLarge {
            what: format!("response of {route}"),
            size: resp.body.len(),
            limit: MAX_JSON_BYTES,
        });
    }
    crate::json::check_value_budget(&resp.body, &format!("response of {route}"))?;
    serde_json::from_slice(&resp.body).map_err(|e| bad(route, format!("not JSON: {e}")))
}

/// A 2xx answer whose body does not matter (`/interrupt`, `/free`, `POST /queue`, `POST /history`).
pub fn expect_ok(route: &str, resp: &HttpResponse) -> Result<()> {
    if (200..300).contains(&resp.status) {
        Ok(())
    } else {
        Err(http_error(route, resp))
    }
}

/// `POST /prompt` accepted the prompt (a 200 may still list `node_errors` of dropped outputs).
#[derive(Debug, Clone, PartialEq)]
pub struct PromptAccepted {
    pub prompt_id: String,
    /// The queue priority: an integer, or a float when one was given.
    pub number: Value,
    pub node_errors: Value,
}

/// Parses the `POST /prompt` answer: 200 → accepted; 400 → [`Error::PromptRejected`] with the
/// server's `error` and `node_errors` exactly; anything else → [`Error::Http`].
pub fn prompt_response(resp: &HttpResponse) -> Result<PromptAccepted> {
    let route = "/prompt";
    if resp.status == 400 {
        let parsed =
            crate::json::check_value_budget(&resp.body, "response of /prompt").and_then(|()| {
                serde_json::from_slice::<Value>(&resp.body).map_err(|e| bad(route, e.to_string()))
            });
        if let Ok(Value::Object(body)) = parsed {
            return Err(Error::PromptRejected {
                status: 400,
                error: Box::new(body.get("error").cloned().unwrap_or(Value::Null)),
                node_errors: Box::new(
                    body.get("node_errors")
                        .cloned()
                        .unwrap_or_else(|| Value::Object(Map::new())),
                ),
            });
        }
    }
    let body = json_body(route, resp)?;
    let prompt_id = body
        .get("prompt_id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(route, "no prompt_id"))?;
    Ok(PromptAccepted {
        prompt_id: prompt_id.to_string(),
        number: body.get("number").cloned().unwrap_or(Value::Null),
        node_errors: body
            .get("node_errors")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
    })
}

/// One queue entry (`[number, prompt_id, prompt, extra_data, outputs_to_execute]`).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub number: Value,
    pub prompt_id: String,
    pub extra_data: Value,
    pub outputs_to_execute: Vec<String>,
}

impl QueueItem {
    /// The client that submitted it (`extra_data.client_id`).
    pub fn client_id(&self) -> Option<&str> {
        self.extra_data.get("client_id").and_then(Value::as_str)
    }
}

/// `GET /queue`: the running prompt(s) and the pending ones **in execution order** (the server
/// sends its raw heap).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueState {
    pub running: Vec<QueueItem>,
    pub pending: Vec<QueueItem>,
}

impl QueueState {
    /// 0 when running, 1 for the next pending prompt…; `None` when not queued.
    pub fn position(&self, prompt_id: &str) -> Option<usize> {
        if self.running.iter().any(|i| i.prompt_id == prompt_id) {
            return Some(0);
        }
        self.pending
            .iter()
            .position(|i| i.prompt_id == prompt_id)
            .map(|p| p + 1)
    }
}

pub fn queue_response(resp: &HttpResponse) -> Result<QueueState> {
    let route = "/queue";
    let body = json_body(route, resp)?;
    let items = |key: &str| -> Result<Vec<QueueItem>> {
        let Some(list) = body.get(key).and_then(Value::as_array) else {
            return Err(bad(route, format!("no {key} list")));
        };
        list.iter()
            .map(|item| {
                let a = item
                    .as_array()
                    .filter(|a| a.len() >= 2)
                    .ok_or_else(|| bad(route, "queue item is not an array"))?;
                Ok(QueueItem {
                    number: a[0].clone(),
                    prompt_id: a[1]
                        .as_str()
                        .ok_or_else(|| bad(route, "prompt id is not a string"))?
                        .to_string(),
                    extra_data: a.get(3).cloned().unwrap_or(Value::Null),
                    outputs_to_execute: a
                        .get(4)
                        .and_then(Value::as_array)
                        .map(|o| {
                            o.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect()
    };
    let mut pending = items("queue_pending")?;
    // Lowest number first; ties by prompt id, as the server's heap orders them.
    pending.sort_by(|a, b| {
        let (x, y) = (
            a.number.as_f64().unwrap_or(f64::MAX),
            b.number.as_f64().unwrap_or(f64::MAX),
        );
        x.total_cmp(&y).then_with(|| a.prompt_id.cmp(&b.prompt_id))
    });
    Ok(QueueState {
        running: items("queue_running")?,
        pending,
    })
}

/// How a finished prompt ended, per its history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub prompt_id: String,
    /// `[number, prompt_id, prompt, extra_data, outputs_to_execute]` as the server stored it
    /// (its prompt holds the values after the server's coercions).
    pub prompt: Value,
    /// `outputs[node_id]` is that node's `ui` dict (`{"images": [...]}`, `{"text": [...]}`…).
    pub outputs: Map<String, Value>,
    /// `success` or `error` (an interrupted prompt is an `error` too).
    pub status_str: String,
    pub completed: bool,
    /// `[event, data]` pairs: `execution_start`, `execution_cached`, `execution_error`…
    pub messages: Vec<(String, Value)>,
}

impl HistoryEntry {
    pub fn was_interrupted(&self) -> bool {
        self.messages
            .iter()
            .any(|(e, _)| e == "execution_interrupted")
    }
    pub fn error(&self) -> Option<&Value> {
        self.messages
            .iter()
            .find(|(e, _)| e == "execution_error")
            .map(|(_, d)| d)
    }
}

/// `GET /history[/{id}]`: entries in server order. `{}` for an unknown id means *not known*
/// (still queued, or lost), never "done".
pub fn history_response(resp: &HttpResponse) -> Result<Vec<HistoryEntry>> {
    let route = "/history";
    let body = json_body(route, resp)?;
    let entries = body
        .as_object()
        .ok_or_else(|| bad(route, "history is not an object"))?;
    entries
        .iter()
        .map(|(id, entry)| {
            let status = entry.get("status").cloned().unwrap_or(Value::Null);
            let messages = status
                .get("messages")
                .and_then(Value::as_array)
                .map(|m| {
                    m.iter()
                        .filter_map(|pair| {
                            let p = pair.as_array()?;
                            Some((
                                p.first()?.as_str()?.to_string(),
                                p.get(1).cloned().unwrap_or(Value::Null),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(HistoryEntry {
                prompt_id: id.clone(),
                prompt: entry.get("prompt").cloned().unwrap_or(Value::Null),
                outputs: entry
                    .get("outputs")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
                status_str: status
                    .get("status_str")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                completed: status
                    .get("completed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                messages,
            })
        })
        .collect()
}

/// `POST /upload/*`: where the server stored the file (it may have renamed it).
pub fn upload_response(resp: &HttpResponse) -> Result<FileRef> {
    let route = "/upload";
    let body = json_body(route, resp)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(FileRef {
        filename: text("name").ok_or_else(|| bad(route, "no name"))?,
        subfolder: text("subfolder").unwrap_or_default(),
        kind: text("type").unwrap_or_else(|| "input".into()),
    })
}

/// `GET /object_info[/{class}]` as a catalog.
pub fn object_info_response(resp: &HttpResponse) -> Result<Catalog> {
    Catalog::from_value(&json_body("/object_info", resp)?)
}

/// One file a node produced, from its `ui` dict.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    pub node_id: String,
    /// The `ui` key: `images`, `gifs`, `audio`, `video`, `3d`…
    pub key: String,
    pub file: FileRef,
}

/// Every file in a set of node outputs (`executed.output` or `history.outputs`), in order.
pub fn output_files(outputs: &Map<String, Value>) -> Vec<OutputFile> {
    let mut files = Vec::new();
    for (node_id, ui) in outputs {
        let Some(ui) = ui.as_object() else { continue };
        for (key, list) in ui {
            for item in list.as_array().into_iter().flatten() {
                let Some(filename) = item.get("filename").and_then(Value::as_str) else {
                    continue;
                };
                let text = |k: &str| {
                    item.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let kind = item
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("output")
                    .to_string();
                files.push(OutputFile {
                    node_id: node_id.clone(),
                    key: key.clone(),
                    file: FileRef {
                        filename: filename.to_string(),
                        subfolder: text("subfolder"),
                        kind,
                    },
                });
            }
        }
    }
    files
}
