//! The hosted task API (GenStudio's `comfy_task_api`, seed 001): a managed ComfyUI behind three
//! JSON routes and a Bearer key. Workflows are stored by the host and referenced by
//! `workflow_id`; a job may override inputs with a sparse prompt (`{"<id>": {"inputs": {…}}}`);
//! progress is polled (`get_task_info`, status 1–5), not pushed; outputs are URLs per output node.
//!
//! Requests and answers are built and parsed here; [`super::JobTracker`] follows such jobs when
//! its [`super::TrackerConfig::task_poll_ms`] is set.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use url::Url;

use super::request::{Body, FilePart, HttpRequest, HttpResponse, Method};
use super::response::json_body;
use crate::error::{Error, Result};

const ROUTE_SUBMIT: &str = "comfy_task_api/prompt";
const ROUTE_TASK_INFO: &str = "comfy_task_api/get_task_info";
const ROUTE_UPLOAD: &str = "comfy_task_api/upload/image";

/// A task's state as `get_task_info` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// 1
    Queued,
    /// 2
    Running,
    /// 3
    Done,
    /// 4
    Failed,
    /// 5: the key may not run this workflow.
    Forbidden,
}

impl TaskStatus {
    pub fn from_code(code: i64) -> Option<TaskStatus> {
        Some(match code {
            1 => TaskStatus::Queued,
            2 => TaskStatus::Running,
            3 => TaskStatus::Done,
            4 => TaskStatus::Failed,
            5 => TaskStatus::Forbidden,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            TaskStatus::Queued => 1,
            TaskStatus::Running => 2,
            TaskStatus::Done => 3,
            TaskStatus::Failed => 4,
            TaskStatus::Forbidden => 5,
        }
    }
}

/// One entry of `data.comfy_task_info`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    pub task_id: String,
    pub status: TaskStatus,
    pub queue_size: u64,
    /// 1-based place in the queue while waiting; 0 otherwise.
    pub current_position: u64,
    pub error_message: String,
    /// Output node id → signed download URLs (the host sends one URL or a list).
    pub files: IndexMap<String, Vec<String>>,
}

impl TaskInfo {
    /// The files as the tracker's outputs: node id → `{"urls": [...]}`.
    pub fn outputs(&self) -> Map<String, Value> {
        self.files
            .iter()
            .map(|(node, urls)| (node.clone(), json!({ "urls": urls })))
            .collect()
    }
}

/// A hosted service: base URL (e.g. `https://cloud.infini-ai.com/api/maas/`) and API key.
/// `Debug` hides the key.
#[derive(Clone)]
pub struct HostedEndpoint {
    base: Url,
    headers: Vec<(String, String)>,
}

impl std::fmt::Debug for HostedEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostedEndpoint")
            .field("base", &super::secrets::redact_url(self.base.as_str()))
            .field("headers", &super::secrets::HeaderNames(&self.headers))
            .finish()
    }
}

impl HostedEndpoint {
    /// `base_url` is the folder holding `comfy_task_api/` (the service's `…/api/maas/`).
    pub fn new(base_url: &str, api_key: &str) -> Result<Self> {
        let invalid = |message: &str| Error::InvalidUrl {
            url: super::secrets::redact_url(base_url),
            message: message.to_string(),
        };
        let mut base = Url::parse(base_url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(invalid("an http(s) URL with a host is needed"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("a service URL has no query or fragment"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(HostedEndpoint {
            base,
            headers: vec![("Authorization".into(), format!("Bearer {api_key}"))],
        })
    }

    fn request(&self, route: &'static str, body: Body) -> HttpRequest {
        let mut headers = self.headers.clone();
        headers.push(("Accept".into(), "application/json".into()));
        HttpRequest {
            method: Method::Post,
            url: self.base.join(route).expect("relative route").into(),
            headers,
            body,
            route,
        }
    }

    /// Queues the stored workflow `workflow_id`, with `prompt` overriding some of its inputs.
    pub fn submit(&self, workflow_id: &str, prompt: Option<&Value>) -> HttpRequest {
        let mut body = Map::new();
        body.insert("workflow_id".into(), Value::String(workflow_id.into()));
        if let Some(p) = prompt {
            body.insert("prompt".into(), p.clone());
        }
        self.request(ROUTE_SUBMIT, Body::Json(Value::Object(body)))
    }

    /// Asks for the state of some tasks; download URLs stay valid `url_expire_secs`.
    pub fn task_info(&self, task_ids: &[String], url_expire_secs: u64) -> HttpRequest {
        self.request(
            ROUTE_TASK_INFO,
            Body::Json(json!({
                "comfy_task_ids": task_ids,
                "url_expire_period": url_expire_secs,
            })),
        )
    }

    /// Uploads an input image; the answer's `image_id` goes where a `LoadImage` file name goes.
    pub fn upload_image(&self, file_name: &str, content_type: &str, data: Vec<u8>) -> HttpRequest {
        self.request(
            ROUTE_UPLOAD,
            Body::Multipart {
                text_fields: Vec::new(),
                files: vec![FilePart {
                    field: "source_file".into(),
                    file_name: file_name.into(),
                    content_type: content_type.into(),
                    data,
                }],
            },
        )
    }
}

fn bad(route: &str, message: impl Into<String>) -> Error {
    Error::BadResponse {
        route: route.to_string(),
        message: message.into(),
    }
}

/// The `{code, msg, data}` envelope: `code` 0 is success, anything else is refused.
fn envelope_data(route: &str, resp: &HttpResponse) -> Result<Value> {
    let body = json_body(route, resp)?;
    let code = body.get("code").and_then(Value::as_i64).unwrap_or(0);
    if code != 0 {
        let message = body
            .get("msg")
            .and_then(Value::as_str)
            .unwrap_or("refused")
            .to_string();
        return Err(Error::PromptRejected {
            status: resp.status,
            error: Box::new(json!({
                "type": "hosted_error",
                "message": message,
                "details": format!("code {code}"),
                "extra_info": { "code": code },
            })),
            node_errors: Box::new(Value::Object(Map::new())),
        });
    }
    Ok(body.get("data").cloned().unwrap_or(body))
}

/// The task id from the submit answer (`data.prompt_id`).
pub fn submit_response(resp: &HttpResponse) -> Result<String> {
    let data = envelope_data(ROUTE_SUBMIT, resp)?;
    data.get("prompt_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| bad(ROUTE_SUBMIT, "no data.prompt_id"))
}

/// Every task of a `get_task_info` answer.
pub fn task_info_response(resp: &HttpResponse) -> Result<Vec<TaskInfo>> {
    let route = ROUTE_TASK_INFO;
    let data = envelope_data(route, resp)?;
    let list = data
        .get("comfy_task_info")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(route, "no data.comfy_task_info list"))?;
    list.iter().map(|t| parse_task(route, t)).collect()
}

fn parse_task(route: &str, t: &Value) -> Result<TaskInfo> {
    let task_id = t
        .get("comfy_task_id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(route, "a task without comfy_task_id"))?;
    let code = t.get("status").and_then(Value::as_i64);
    let status = code
        .and_then(TaskStatus::from_code)
        .ok_or_else(|| bad(route, format!("task {task_id}: unknown status {code:?}")))?;
    let count = |key: &str| t.get(key).and_then(Value::as_u64).unwrap_or(0);
    // `files` is the string "None" until there are any; a node maps to one URL or a list.
    let mut files = IndexMap::new();
    if let Some(map) = t.get("files").and_then(Value::as_object) {
        for (node, urls) in map {
            let urls: Vec<String> = match urls {
                Value::String(u) => vec![u.clone()],
                Value::Array(list) => list
                    .iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            files.insert(node.clone(), urls);
        }
    }
    Ok(TaskInfo {
        task_id: task_id.to_string(),
        status,
        queue_size: count("queue_size"),
        current_position: count("current_position"),
        error_message: t
            .get("errMsg")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        files,
    })
}

/// The `image_id` an upload answered.
pub fn upload_response(resp: &HttpResponse) -> Result<String> {
    let body = json_body(ROUTE_UPLOAD, resp)?;
    let data = match body.get("data") {
        Some(d) if d.is_object() => d.clone(),
        _ => body,
    };
    data.get("image_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| bad(ROUTE_UPLOAD, "no image_id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn requests_carry_the_key_and_the_seed_document_bodies() {
        let ep = HostedEndpoint::new("https://cloud.infini-ai.com/api/maas", "k-1").unwrap();
        let sparse = json!({"6": {"inputs": {"text": "a fox"}}, "3": {"inputs": {"seed": 18446744073709551615u64}}});
        let r = ep.submit("wf-c72qozydy6suxesa", Some(&sparse));
        assert_eq!(
            r.url,
            "https://cloud.infini-ai.com/api/maas/comfy_task_api/prompt"
        );
        assert!(
            r.headers
                .contains(&("Authorization".into(), "Bearer k-1".into()))
        );
        let (_, bytes) = r.body.encode("b");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"workflow_id":"wf-c72qozydy6suxesa","prompt":{"6":{"inputs":{"text":"a fox"}},"3":{"inputs":{"seed":18446744073709551615}}}}"#
        );
        let r = ep.task_info(&["cft-1".into()], 3600);
        assert!(r.url.ends_with("/comfy_task_api/get_task_info"));
        assert_eq!(
            r.body,
            Body::Json(json!({"comfy_task_ids": ["cft-1"], "url_expire_period": 3600}))
        );
        let r = ep.upload_image("in.png", "image/png", vec![1, 2]);
        assert!(r.url.ends_with("/comfy_task_api/upload/image"));
        let (ct, bytes) = r.body.encode("XyZ");
        assert_eq!(ct.unwrap(), "multipart/form-data; boundary=XyZ");
        assert!(
            String::from_utf8_lossy(&bytes).contains(r#"name="source_file"; filename="in.png""#)
        );
    }

    #[test]
    fn parses_the_seed_document_answers() {
        let queued = ok(
            r#"{"code":0,"msg":"Success","data":{"comfy_task_info":[{"comfy_task_id":"cft-c7yg23q4ao5wkcsa","status":1,"queue_size":1,"current_position":1,"errMsg":"","files":"None"}]}}"#,
        );
        let t = &task_info_response(&queued).unwrap()[0];
        assert_eq!(t.status, TaskStatus::Queued);
        assert_eq!((t.queue_size, t.current_position), (1, 1));
        assert!(t.files.is_empty());
        let done = ok(
            r#"{"code":0,"msg":"Success","data":{"comfy_task_info":[{"comfy_task_id":"cft-c7yg23q4ao5wkcsa","status":3,"queue_size":0,"current_position":0,"errMsg":"","files":{"9":"https://x/a.png?Expires=1","12":["https://x/b.png","https://x/c.png"]}}]}}"#,
        );
        let t = &task_info_response(&done).unwrap()[0];
        assert_eq!(t.status, TaskStatus::Done);
        assert_eq!(t.files["9"], vec!["https://x/a.png?Expires=1"]);
        assert_eq!(t.files["12"].len(), 2);
        assert_eq!(
            t.outputs()["9"],
            json!({"urls": ["https://x/a.png?Expires=1"]})
        );

        assert_eq!(
            submit_response(&ok(
                r#"{"code":0,"msg":"Success","data":{"prompt_id":"cft-1"}}"#
            ))
            .unwrap(),
            "cft-1"
        );
        assert_eq!(
            upload_response(&ok(r#"{"image_id":"te-c7/ac-c7/sui-c7.png"}"#)).unwrap(),
            "te-c7/ac-c7/sui-c7.png"
        );
    }

    #[test]
    fn refusals_and_garbage_are_typed_errors() {
        let refused = submit_response(&ok(r#"{"code":40001,"msg":"workflow not found"}"#));
        let err = refused.unwrap_err();
        assert_eq!(err.code(), "PROMPT_REJECTED");
        assert!(
            err.to_string().contains("workflow not found")
                || format!("{err:?}").contains("workflow not found")
        );
        let unauthorized = HttpResponse {
            status: 401,
            body: b"no".to_vec(),
        };
        assert_eq!(
            submit_response(&unauthorized).unwrap_err().code(),
            "HTTP_STATUS"
        );
        let odd = ok(r#"{"code":0,"data":{"comfy_task_info":[{"comfy_task_id":"x","status":9}]}}"#);
        assert_eq!(task_info_response(&odd).unwrap_err().code(), "BAD_RESPONSE");
        assert_eq!(
            HostedEndpoint::new("ftp://x", "k").unwrap_err().code(),
            "INVALID_URL"
        );
    }
}
