//! The JavaScript client's one-request calls (queue, history, upload, view, free…), built and
//! answered here once: a binding turns `(name, options, bytes)` into the request with
//! [`server_call`], sends it, and turns the answer into what JavaScript receives with
//! [`ServerCall::answer`]. No binding knows a route.

use serde_json::Value;

use super::{file_ref, free_options, history_options, id_list, queue_json, upload_options};
use crate::error::{Error, Result};
use crate::protocol::{Endpoint, HttpRequest, HttpResponse, response};

/// How the answer to a call is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// Success or an error; nothing to return.
    Nothing,
    /// The body as JSON text (exact integers kept).
    Json,
    /// The body as text, checked to be valid UTF-8 (`/object_info`, parsed by the caller).
    Text,
    Queue,
    Uploaded,
    /// The body's bytes (`/view`).
    Bytes,
}

/// A call ready to send.
#[derive(Debug, Clone)]
pub struct ServerCall {
    pub request: HttpRequest,
    reply: Reply,
}

/// What a call returns to JavaScript: JSON text, bytes, or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum CallAnswer {
    Nothing,
    Text(String),
    Bytes(Vec<u8>),
}

/// The request of call `name` with its `options` (an object or `null`) and, for `upload`,
/// the file's bytes. Names: `interrupt {promptId?}`, `queue`, `history {promptId?, maxItems?,
/// offset?}`, `deleteHistory {ids}`, `clearHistory`, `deleteQueued {ids}`, `clearQueue`,
/// `upload {filename, type?, subfolder?, overwrite?, original?}`, `view {filename,
/// subfolder?, type?}`, `objectInfoText`, `systemStats`, `free {unloadModels?, freeMemory?}`.
pub fn server_call(
    endpoint: &Endpoint,
    name: &str,
    options: &Value,
    bytes: Option<Vec<u8>>,
) -> Result<ServerCall> {
    let text = |key: &str| options.get(key).and_then(Value::as_str);
    let ids = || id_list(options.get("ids").unwrap_or(&Value::Null));
    let (request, reply) = match name {
        "interrupt" => (endpoint.interrupt(text("promptId")), Reply::Nothing),
        "queue" => (endpoint.queue(), Reply::Queue),
        "history" => {
            let (max, offset) = history_options(options)?;
            (endpoint.history(text("promptId"), max, offset), Reply::Json)
        }
        "deleteHistory" => (endpoint.delete_history(&ids()?), Reply::Nothing),
        "clearHistory" => (endpoint.clear_history(), Reply::Nothing),
        "deleteQueued" => (endpoint.delete_queued(&ids()?), Reply::Nothing),
        "clearQueue" => (endpoint.clear_queue(), Reply::Nothing),
        "upload" => {
            let o = upload_options(options)?;
            let filename = text("filename").ok_or_else(|| Error::InvalidArgument {
                name: "filename".into(),
                message: "an upload needs a file name".into(),
            })?;
            let data = bytes.unwrap_or_default();
            let request =
                endpoint.upload(&o.kind, filename, data, &o.subfolder, "input", o.overwrite);
            (request, Reply::Uploaded)
        }
        "view" => (endpoint.view(&file_ref(options)?, None), Reply::Bytes),
        "objectInfoText" => (endpoint.object_info(None), Reply::Text),
        "systemStats" => (endpoint.system_stats(), Reply::Json),
        "free" => {
            let (unload, free) = free_options(options)?;
            (endpoint.free(unload, free), Reply::Nothing)
        }
        other => {
            return Err(Error::InvalidArgument {
                name: "call".into(),
                message: format!("no server call named `{other}`"),
            });
        }
    };
    Ok(ServerCall { request, reply })
}

impl ServerCall {
    /// Reads the server's answer (an error status is the typed error of that route).
    pub fn answer(&self, answer: HttpResponse) -> Result<CallAnswer> {
        let route = self.request.route;
        Ok(match self.reply {
            Reply::Nothing => {
                response::expect_ok(route, &answer)?;
                CallAnswer::Nothing
            }
            Reply::Json => CallAnswer::Text(response::json_body(route, &answer)?.to_string()),
            Reply::Queue => {
                CallAnswer::Text(queue_json(&response::queue_response(&answer)?).to_string())
            }
            Reply::Uploaded => {
                let file = response::upload_response(&answer)?;
                CallAnswer::Text(super::uploaded_json(&file).to_string())
            }
            Reply::Text => {
                response::expect_ok(route, &answer)?;
                let text = String::from_utf8(answer.body).map_err(|e| Error::BadResponse {
                    route: route.into(),
                    message: e.to_string(),
                })?;
                CallAnswer::Text(text)
            }
            Reply::Bytes => {
                response::expect_ok(route, &answer)?;
                CallAnswer::Bytes(answer.body)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Body;
    use serde_json::json;

    fn endpoint() -> Endpoint {
        Endpoint::new("http://127.0.0.1:8188/base/", "me").unwrap()
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn calls_build_the_routes_and_read_the_answers() {
        let e = endpoint();
        let call = server_call(&e, "interrupt", &json!({"promptId": "p1"}), None).unwrap();
        assert!(call.request.url.ends_with("/base/interrupt"));
        assert_eq!(call.request.body, Body::Json(json!({"prompt_id": "p1"})));
        assert_eq!(call.answer(ok("")).unwrap(), CallAnswer::Nothing);

        let call = server_call(&e, "history", &json!({"maxItems": 2}), None).unwrap();
        assert!(
            call.request.url.contains("max_items=2"),
            "{}",
            call.request.url
        );
        let big = r#"{"a":{"seed":18446744073709551615}}"#;
        assert_eq!(call.answer(ok(big)).unwrap(), CallAnswer::Text(big.into()));

        let call = server_call(&e, "queue", &Value::Null, None).unwrap();
        let CallAnswer::Text(queue) = call
            .answer(ok(r#"{"queue_running": [], "queue_pending": []}"#))
            .unwrap()
        else {
            panic!()
        };
        assert!(queue.contains("\"running\""), "{queue}");

        let call = server_call(&e, "view", &json!({"filename": "a.png"}), None).unwrap();
        assert_eq!(
            call.answer(ok("PNG")).unwrap(),
            CallAnswer::Bytes(b"PNG".to_vec())
        );

        let call = server_call(&e, "upload", &json!({"filename": "a.png"}), Some(vec![1])).unwrap();
        let CallAnswer::Text(up) = call
            .answer(ok(
                r#"{"name": "a.png", "subfolder": "s", "type": "input"}"#,
            ))
            .unwrap()
        else {
            panic!()
        };
        assert!(up.contains(r#""inputName":"s/a.png""#), "{up}");
    }

    #[test]
    fn bad_calls_and_refusals_are_typed_errors() {
        let e = endpoint();
        let err = server_call(&e, "rm -rf", &Value::Null, None).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        let err = server_call(&e, "upload", &json!({}), None).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        let call = server_call(&e, "free", &json!({"unloadModels": true}), None).unwrap();
        let refused = HttpResponse {
            status: 500,
            body: b"boom".to_vec(),
        };
        assert_eq!(call.answer(refused).unwrap_err().code(), "HTTP_STATUS");
    }
}
