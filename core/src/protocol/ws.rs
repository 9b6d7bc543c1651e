//! WebSocket messages from the server, decoded once: JSON text frames and the binary frames
//! (`u32be` event type first: 1 preview image, 3 text, 4 preview image with metadata).

use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The largest message the client decodes (SaveImageWebsocket sends full-size PNGs).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// The largest text message the client parses. ComfyUI's are kilobytes (an `executed` listing
/// a thousand files is ~100 KB); parsed into exact JSON values a text grows up to ~40×, so a
/// larger one is skipped unparsed instead of costing gigabytes.
pub const MAX_TEXT_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// The error for a refused WebSocket upgrade, from the status and body of the refusal (the
/// native transport sees them in the handshake) or of an HTTP request made to the same server
/// right after (the WebSocket API of browsers and Node hides them). `None` when that answer was
/// not an error.
pub fn refused_upgrade(status: u16, body: &[u8]) -> Option<Error> {
    (status >= 400).then(|| Error::Http {
        status,
        route: "/ws".into(),
        body: String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned(),
    })
}

/// How long a client waits, once its socket is open, for the server's first message. ComfyUI
/// files a socket under its client id just before it sends it `status`: what it says about the
/// client's prompts before then goes nowhere, so a job submitted at once would run unseen (its
/// result still comes from the history, its events do not). A socket counts as connected at
/// its first message; a server that says nothing first is used anyway after this wait.
pub const FIRST_MESSAGE_WAIT_MS: u64 = 5_000;

/// The first message a client sends: ask for previews with metadata (binary type 4), which
/// carry their prompt id so concurrent jobs' previews can be told apart.
pub fn feature_flags_message() -> String {
    json!({"type": "feature_flags", "data": {"supports_preview_metadata": true}}).to_string()
}

/// Metadata of a type-4 preview.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviewMeta {
    pub node_id: Option<String>,
    pub prompt_id: Option<String>,
    pub display_node_id: Option<String>,
}

/// One server message.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// Queue size changed; `sid` (the socket's client id) only on the first one.
    Status {
        queue_remaining: Option<u64>,
        sid: Option<String>,
    },
    FeatureFlags(Value),
    ExecutionStart {
        prompt_id: String,
    },
    ExecutionCached {
        prompt_id: String,
        nodes: Vec<String>,
    },
    /// A node started; `node: None` ends the prompt. After a reconnect `prompt_id` is absent.
    Executing {
        prompt_id: Option<String>,
        node: Option<String>,
        display_node: Option<String>,
    },
    Progress {
        prompt_id: Option<String>,
        node: Option<String>,
        value: f64,
        max: f64,
    },
    ProgressState {
        prompt_id: Option<String>,
        nodes: Value,
    },
    /// A node produced UI output (`{"images": [...]}`…); cached output nodes send it too.
    Executed {
        prompt_id: Option<String>,
        node: String,
        display_node: Option<String>,
        output: Value,
    },
    ExecutionSuccess {
        prompt_id: String,
    },
    /// The full error payload (`node_id`, `node_type`, `exception_message`, `traceback`…).
    ExecutionError {
        prompt_id: String,
        data: Value,
    },
    ExecutionInterrupted {
        prompt_id: String,
        data: Value,
    },
    /// A preview image (types 1 and 4).
    Preview {
        mime: String,
        image: Vec<u8>,
        meta: Option<PreviewMeta>,
    },
    /// Text a node streams (type 3), broadcast to every socket.
    Text {
        node_id: String,
        text: String,
    },
    /// Anything else, kept so nothing is lost (`logs`, custom node events, unknown binaries).
    Other {
        kind: String,
        data: Value,
    },
}

fn bad(message: impl Into<String>) -> Error {
    Error::BadResponse {
        route: "/ws".into(),
        message: message.into(),
    }
}

fn text_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl ServerMessage {
    /// Decodes a text frame `{"type": …, "data": {…}}`.
    pub fn from_text(text: &str) -> Result<ServerMessage> {
        if text.len() > MAX_TEXT_MESSAGE_BYTES {
            return Err(Error::TooLarge {
                what: "WebSocket text message".into(),
                size: text.len(),
                limit: MAX_TEXT_MESSAGE_BYTES,
            });
        }
        let v: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("text frame is not JSON: {e}")))?;
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("text frame without a type"))?
            .to_string();
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let prompt_id = text_of(&data, "prompt_id");
        let need_id = || {
            prompt_id
                .clone()
                .ok_or_else(|| bad(format!("`{kind}` without prompt_id")))
        };
        Ok(match kind.as_str() {
            "status" => ServerMessage::Status {
                queue_remaining: data
                    .pointer("/status/exec_info/queue_remaining")
                    .and_then(Value::as_u64),
                sid: text_of(&data, "sid"),
            },
            "feature_flags" => ServerMessage::FeatureFlags(data),
            "execution_start" => ServerMessage::ExecutionStart {
                prompt_id: need_id()?,
            },
            "execution_cached" => ServerMessage::ExecutionCached {
                prompt_id: need_id()?,
                nodes: data
                    .get("nodes")
                    .and_then(Value::as_array)
                    .map(|n| {
                        n.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            "executing" => ServerMessage::Executing {
                prompt_id,
                node: text_of(&data, "node"),
                display_node: text_of(&data, "display_node"),
            },
            "progress" => ServerMessage::Progress {
                prompt_id,
                node: text_of(&data, "node"),
                value: data.get("value").and_then(Value::as_f64).unwrap_or(0.0),
                max: data.get("max").and_then(Value::as_f64).unwrap_or(0.0),
            },
            "progress_state" => ServerMessage::ProgressState {
                prompt_id,
                nodes: data.get("nodes").cloned().unwrap_or(Value::Null),
            },
            "executed" => ServerMessage::Executed {
                prompt_id,
                node: text_of(&data, "node").ok_or_else(|| bad("`executed` without node"))?,
                display_node: text_of(&data, "display_node"),
                output: data.get("output").cloned().unwrap_or(Value::Null),
            },
            "execution_success" => ServerMessage::ExecutionSuccess {
                prompt_id: need_id()?,
            },
            "execution_error" => ServerMessage::ExecutionError {
                prompt_id: need_id()?,
                data,
            },
            "execution_interrupted" => ServerMessage::ExecutionInterrupted {
                prompt_id: need_id()?,
                data,
            },
            _ => ServerMessage::Other { kind, data },
        })
    }

    /// Decodes a binary frame.
    pub fn from_binary(bytes: &[u8]) -> Result<ServerMessage> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(Error::TooLarge {
                what: "WebSocket message".into(),
                size: bytes.len(),
                limit: MAX_MESSAGE_BYTES,
            });
        }
        let u32_at = |at: usize| -> Result<u32> {
            bytes
                .get(at..at + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| bad("binary frame too short"))
        };
        match u32_at(0)? {
            1 => {
                let mime = match u32_at(4)? {
                    1 => "image/jpeg",
                    2 => "image/png",
                    _ => "application/octet-stream",
                };
                Ok(ServerMessage::Preview {
                    mime: mime.into(),
                    image: bytes[8..].to_vec(),
                    meta: None,
                })
            }
            3 => {
                let len = u32_at(4)? as usize;
                let end = 8usize
                    .checked_add(len)
                    .filter(|e| *e <= bytes.len())
                    .ok_or_else(|| bad("text frame node id overruns the frame"))?;
                Ok(ServerMessage::Text {
                    node_id: String::from_utf8_lossy(&bytes[8..end]).into_owned(),
                    text: String::from_utf8_lossy(&bytes[end..]).into_owned(),
                })
            }
            4 => {
                let len = u32_at(4)? as usize;
                let end = 8usize
                    .checked_add(len)
                    .filter(|e| *e <= bytes.len())
                    .ok_or_else(|| bad("preview metadata overruns the frame"))?;
                let meta: Value = serde_json::from_slice(&bytes[8..end])
                    .map_err(|e| bad(format!("preview metadata is not JSON: {e}")))?;
                Ok(ServerMessage::Preview {
                    mime: text_of(&meta, "image_type").unwrap_or_else(|| "image/png".into()),
                    image: bytes[end..].to_vec(),
                    meta: Some(PreviewMeta {
                        node_id: text_of(&meta, "node_id"),
                        prompt_id: text_of(&meta, "prompt_id"),
                        display_node_id: text_of(&meta, "display_node_id"),
                    }),
                })
            }
            other => Ok(ServerMessage::Other {
                kind: format!("binary:{other}"),
                data: json!({"length": bytes.len()}),
            }),
        }
    }

    /// The prompt this message belongs to, when it says.
    pub fn prompt_id(&self) -> Option<&str> {
        match self {
            ServerMessage::ExecutionStart { prompt_id }
            | ServerMessage::ExecutionCached { prompt_id, .. }
            | ServerMessage::ExecutionSuccess { prompt_id }
            | ServerMessage::ExecutionError { prompt_id, .. }
            | ServerMessage::ExecutionInterrupted { prompt_id, .. } => Some(prompt_id),
            ServerMessage::Executing { prompt_id, .. }
            | ServerMessage::Progress { prompt_id, .. }
            | ServerMessage::ProgressState { prompt_id, .. }
            | ServerMessage::Executed { prompt_id, .. } => prompt_id.as_deref(),
            ServerMessage::Preview { meta, .. } => {
                meta.as_ref().and_then(|m| m.prompt_id.as_deref())
            }
            // Listed one by one: a new variant must decide here whether it names a job.
            ServerMessage::Status { .. }
            | ServerMessage::FeatureFlags(_)
            | ServerMessage::Text { .. }
            | ServerMessage::Other { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_upgrade_is_an_http_error_with_a_bounded_body() {
        let err = refused_upgrade(403, &[b'x'; 10_000]).unwrap();
        assert_eq!(err.code(), "HTTP_STATUS");
        let Error::Http {
            status,
            route,
            body,
        } = err
        else {
            unreachable!()
        };
        assert_eq!((status, route.as_str(), body.len()), (403, "/ws", 4096));
        assert!(refused_upgrade(200, b"{}").is_none());
    }

    #[test]
    fn a_text_message_over_the_parse_limit_is_refused_unparsed() {
        // 9 MiB of `0,` inside a list: valid JSON that would grow ~40× as exact values.
        let mut text = String::from(r#"{"type": "x", "data": {"a": ["#);
        text.push_str(&"0,".repeat(MAX_TEXT_MESSAGE_BYTES / 2 + 1));
        text.push_str("0]}}");
        let err = ServerMessage::from_text(&text).unwrap_err();
        assert_eq!(err.code(), "TOO_LARGE");
        let small =
            r#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}}}"#;
        assert!(ServerMessage::from_text(small).is_ok());
    }

    #[test]
    fn decodes_text_frames() {
        let m = ServerMessage::from_text(
            r#"{"type": "executing", "data": {"node": null, "prompt_id": "p"}}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            ServerMessage::Executing {
                prompt_id: Some("p".into()),
                node: None,
                display_node: None
            }
        );
        let m = ServerMessage::from_text(r#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 2}}, "sid": "s"}}"#).unwrap();
        assert_eq!(
            m,
            ServerMessage::Status {
                queue_remaining: Some(2),
                sid: Some("s".into())
            }
        );
        assert!(matches!(
            ServerMessage::from_text(r#"{"type": "crystools.monitor", "data": {}}"#).unwrap(),
            ServerMessage::Other { .. }
        ));
        for bad in ["", "[]", "{}", r#"{"type": "execution_start", "data": {}}"#] {
            assert_eq!(
                ServerMessage::from_text(bad).unwrap_err().code(),
                "BAD_RESPONSE",
                "{bad}"
            );
        }
    }

    #[test]
    fn decodes_binary_frames_and_refuses_overruns() {
        let mut text = vec![0, 0, 0, 3, 0, 0, 0, 1, b'2'];
        text.extend_from_slice(b"hello");
        assert_eq!(
            ServerMessage::from_binary(&text).unwrap(),
            ServerMessage::Text {
                node_id: "2".into(),
                text: "hello".into()
            }
        );
        assert!(ServerMessage::from_binary(&[0, 0, 0, 3, 255, 255, 255, 255, 1]).is_err());
        assert!(ServerMessage::from_binary(&[0, 0, 0, 4, 0, 0, 0, 9, b'{']).is_err());
        assert!(ServerMessage::from_binary(&[0, 0]).is_err());
        let preview = ServerMessage::from_binary(&[0, 0, 0, 1, 0, 0, 0, 1, 0xff, 0xd8]).unwrap();
        assert_eq!(
            preview,
            ServerMessage::Preview {
                mime: "image/jpeg".into(),
                image: vec![0xff, 0xd8],
                meta: None
            }
        );
    }
}
