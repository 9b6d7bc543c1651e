//! A ComfyUI server as requests: every route of the protocol reference, built once here and sent
//! by whichever transport the runtime has.

use base64::Engine;
use serde_json::{Map, Value, json};
use url::Url;

use super::request::{Body, FilePart, HttpRequest, Method};
use crate::error::{Error, Result};
use crate::prompt::Prompt;

/// Where a file lives on the server, as output dicts and upload answers name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub filename: String,
    pub subfolder: String,
    /// `output`, `input` or `temp`.
    pub kind: String,
}

/// Options of `POST /prompt`.
#[derive(Debug, Clone, Default)]
pub struct QueueOptions {
    /// Chosen by the client so the job can be watched before it is submitted.
    pub prompt_id: Option<String>,
    /// Run before normally queued prompts.
    pub front: bool,
    /// Explicit priority (lower runs first).
    pub number: Option<Value>,
    /// Stored with the job; `extra_pnginfo.workflow` ends up in saved images.
    pub extra_data: Map<String, Value>,
    /// Only these output nodes are validated and run.
    pub partial_execution_targets: Vec<String>,
}

/// Which upload route.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadKind {
    Image,
    /// A mask applied to the alpha of an existing image.
    Mask {
        original: FileRef,
    },
}

/// One ComfyUI server: base URL (a reverse-proxy path is kept), `/api` prefix, credentials.
/// `Debug` shows neither the credentials nor header values.
#[derive(Clone)]
pub struct Endpoint {
    base: Url,
    api_prefix: bool,
    headers: Vec<(String, String)>,
    ws_token: Option<String>,
    client_id: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base", &super::secrets::redact_url(self.base.as_str()))
            .field("api_prefix", &self.api_prefix)
            .field("headers", &super::secrets::HeaderNames(&self.headers))
            .field("ws_token", &super::secrets::Hidden(&self.ws_token))
            .field("client_id", &self.client_id)
            .finish()
    }
}

impl Endpoint {
    /// `base_url` like `http://127.0.0.1:8188` or `https://host/comfy/`; `client_id` names this
    /// client's WebSocket so the server routes its jobs' events to it.
    pub fn new(base_url: &str, client_id: &str) -> Result<Self> {
        let invalid = |message: &str| Error::InvalidUrl {
            url: super::secrets::redact_url(base_url),
            message: message.to_string(),
        };
        if !base_url.contains("://") {
            // `127.0.0.1:8188` or `localhost:8188`: the URL parser would call the host a scheme.
            return Err(invalid(&format!(
                "no scheme: write http://{base_url} (or https://)"
            )));
        }
        let mut base = Url::parse(base_url).map_err(|e| match e {
            // The ASCII-only IDNA backend (see core/Cargo.toml) cannot map Unicode host names.
            url::ParseError::IdnaError => {
                invalid("a host name with non-ASCII letters must be written as punycode (xn--…)")
            }
            e => invalid(&e.to_string()),
        })?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(invalid("only http and https servers are supported"));
        }
        if base.cannot_be_a_base() || base.host().is_none() {
            return Err(invalid("no host"));
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(invalid("a server URL has no query or fragment"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Endpoint {
            base,
            api_prefix: false,
            headers: Vec::new(),
            ws_token: None,
            client_id: client_id.to_string(),
        })
    }

    /// Use `/api/...` routes (what the editor uses; both work on a plain server).
    pub fn with_api_prefix(mut self, on: bool) -> Self {
        self.api_prefix = on;
        self
    }

    pub fn with_bearer(self, token: &str) -> Self {
        self.with_header("Authorization", &format!("Bearer {token}"))
    }

    pub fn with_basic(self, user: &str, password: &str) -> Self {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.with_header("Authorization", &format!("Basic {encoded}"))
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Browsers cannot set headers on a WebSocket: gateways accept `?token=` instead.
    pub fn with_ws_token(mut self, token: &str) -> Self {
        self.ws_token = Some(token.to_string());
        self
    }

    /// The server's base URL as parsed (always ending in `/`).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let prefix = if self.api_prefix && !path.starts_with("internal/") {
            "api/"
        } else {
            ""
        };
        let mut url = self
            .base
            .join(&format!("{prefix}{path}"))
            .expect("route paths are relative");
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url.into()
    }

    fn request(
        &self,
        method: Method,
        route: &'static str,
        path: &str,
        query: &[(&str, &str)],
        body: Body,
    ) -> HttpRequest {
        HttpRequest {
            method,
            url: self.url(path, query),
            headers: self.headers.clone(),
            body,
            route,
        }
    }

    /// The WebSocket URL (`ws://…/ws?clientId=…`, `wss` for https).
    pub fn ws_url(&self) -> String {
        let mut url = Url::parse(&self.url("ws", &[])).expect("built from a valid base");
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme)
            .expect("ws and wss are valid for http(s) URLs");
        url.query_pairs_mut()
            .append_pair("clientId", &self.client_id);
        if let Some(token) = &self.ws_token {
            url.query_pairs_mut().append_pair("token", token);
        }
        url.into()
    }

    /// `POST /prompt`.
    pub fn queue_prompt(&self, prompt: &Prompt, options: &QueueOptions) -> HttpRequest {
        let mut body = Map::new();
        body.insert("prompt".into(), prompt.to_value());
        body.insert("client_id".into(), Value::String(self.client_id.clone()));
        if let Some(id) = &options.prompt_id {
            body.insert("prompt_id".into(), Value::String(id.clone()));
        }
        if options.front {
            body.insert("front".into(), Value::Bool(true));
        }
        if let Some(n) = &options.number {
            body.insert("number".into(), n.clone());
        }
        if !options.extra_data.is_empty() {
            body.insert(
                "extra_data".into(),
                Value::Object(options.extra_data.clone()),
            );
        }
        if !options.partial_execution_targets.is_empty() {
            body.insert(
                "partial_execution_targets".into(),
                json!(options.partial_execution_targets),
            );
        }
        self.request(
            Method::Post,
            "/prompt",
            "prompt",
            &[],
            Body::Json(Value::Object(body)),
        )
    }

    /// `GET /history`, `GET /history?max_items=&offset=` or `GET /history/{id}`.
    pub fn history(
        &self,
        prompt_id: Option<&str>,
        max_items: Option<u32>,
        offset: Option<u32>,
    ) -> HttpRequest {
        if let Some(id) = prompt_id {
            let path = format!("history/{}", url_segment(id));
            return self.request(Method::Get, "/history/{id}", &path, &[], Body::Empty);
        }
        let (max, off) = (
            max_items.map(|m| m.to_string()),
            offset.map(|o| o.to_string()),
        );
        let mut query = Vec::new();
        if let Some(m) = &max {
            query.push(("max_items", m.as_str()));
        }
        if let Some(o) = &off {
            query.push(("offset", o.as_str()));
        }
        self.request(Method::Get, "/history", "history", &query, Body::Empty)
    }

    /// `POST /history {"delete": [...]}`.
    pub fn delete_history(&self, prompt_ids: &[String]) -> HttpRequest {
        self.request(
            Method::Post,
            "/history",
            "history",
            &[],
            Body::Json(json!({"delete": prompt_ids})),
        )
    }

    pub fn clear_history(&self) -> HttpRequest {
        self.request(
            Method::Post,
            "/history",
            "history",
            &[],
            Body::Json(json!({"clear": true})),
        )
    }

    pub fn queue(&self) -> HttpRequest {
        self.request(Method::Get, "/queue", "queue", &[], Body::Empty)
    }

    /// `POST /queue {"delete": [...]}`: removes pending prompts (never the running one).
    pub fn delete_queued(&self, prompt_ids: &[String]) -> HttpRequest {
        self.request(
            Method::Post,
            "/queue",
            "queue",
            &[],
            Body::Json(json!({"delete": prompt_ids})),
        )
    }

    pub fn clear_queue(&self) -> HttpRequest {
        self.request(
            Method::Post,
            "/queue",
            "queue",
            &[],
            Body::Json(json!({"clear": true})),
        )
    }

    /// `POST /interrupt`; with a prompt id the server stops only that prompt, if it is running.
    pub fn interrupt(&self, prompt_id: Option<&str>) -> HttpRequest {
        let body = match prompt_id {
            Some(id) => Body::Json(json!({"prompt_id": id})),
            None => Body::Json(json!({})),
        };
        self.request(Method::Post, "/interrupt", "interrupt", &[], body)
    }

    pub fn free(&self, unload_models: bool, free_memory: bool) -> HttpRequest {
        let body = json!({"unload_models": unload_models, "free_memory": free_memory});
        self.request(Method::Post, "/free", "free", &[], Body::Json(body))
    }

    /// `POST /upload/image` or `/upload/mask` (multipart). The server may rename the file; use
    /// the name it answers.
    pub fn upload(
        &self,
        kind: &UploadKind,
        file_name: &str,
        data: Vec<u8>,
        subfolder: &str,
        folder: &str,
        overwrite: bool,
    ) -> HttpRequest {
        let mut text_fields = vec![
            ("type".to_string(), folder.to_string()),
            ("subfolder".to_string(), subfolder.to_string()),
        ];
        if overwrite {
            text_fields.push(("overwrite".into(), "true".into()));
        }
        let (route, path) = match kind {
            UploadKind::Image => ("/upload/image", "upload/image"),
            UploadKind::Mask { original } => {
                let r = json!({"filename": original.filename, "subfolder": original.subfolder, "type": original.kind});
                text_fields.push(("original_ref".into(), r.to_string()));
                ("/upload/mask", "upload/mask")
            }
        };
        let content_type = mime_of(file_name).to_string();
        let files = vec![FilePart {
            field: "image".into(),
            file_name: file_name.to_string(),
            content_type,
            data,
        }];
        self.request(
            Method::Post,
            route,
            path,
            &[],
            Body::Multipart { text_fields, files },
        )
    }

    /// `GET /view` for an output, input or temp file; `preview` like `webp;50` re-encodes.
    pub fn view(&self, file: &FileRef, preview: Option<&str>) -> HttpRequest {
        let mut query = vec![
            ("filename", file.filename.as_str()),
            ("subfolder", file.subfolder.as_str()),
            ("type", file.kind.as_str()),
        ];
        if let Some(p) = preview {
            query.push(("preview", p));
        }
        self.request(Method::Get, "/view", "view", &query, Body::Empty)
    }

    /// `GET /object_info` or `GET /object_info/{class}`.
    pub fn object_info(&self, class_type: Option<&str>) -> HttpRequest {
        match class_type {
            Some(c) => self.request(
                Method::Get,
                "/object_info/{class}",
                &format!("object_info/{}", url_segment(c)),
                &[],
                Body::Empty,
            ),
            None => self.request(Method::Get, "/object_info", "object_info", &[], Body::Empty),
        }
    }

    pub fn system_stats(&self) -> HttpRequest {
        self.request(
            Method::Get,
            "/system_stats",
            "system_stats",
            &[],
            Body::Empty,
        )
    }

    pub fn features(&self) -> HttpRequest {
        self.request(Method::Get, "/features", "features", &[], Body::Empty)
    }

    pub fn embeddings(&self) -> HttpRequest {
        self.request(Method::Get, "/embeddings", "embeddings", &[], Body::Empty)
    }

    /// `GET /models` (folder names) or `GET /models/{folder}` (file names).
    pub fn models(&self, folder: Option<&str>) -> HttpRequest {
        match folder {
            Some(f) => self.request(
                Method::Get,
                "/models/{folder}",
                &format!("models/{}", url_segment(f)),
                &[],
                Body::Empty,
            ),
            None => self.request(Method::Get, "/models", "models", &[], Body::Empty),
        }
    }
}

/// Percent-encodes one path segment.
fn url_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn mime_of(file_name: &str) -> &'static str {
    let lower = file_name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "ogg" | "opus" => "audio/ogg",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_are_ascii_or_punycode() {
        assert!(Endpoint::new("http://xn--bcher-kva.example:8188", "c").is_ok());
        let err = Endpoint::new("http://bücher.example:8188", "c").unwrap_err();
        assert_eq!(err.code(), "INVALID_URL");
        assert!(err.to_string().contains("punycode"), "{err}");
    }

    #[test]
    fn a_host_without_a_scheme_is_told_to_add_one() {
        for url in ["127.0.0.1:8188", "localhost:8188"] {
            let err = Endpoint::new(url, "c").unwrap_err();
            assert_eq!(err.code(), "INVALID_URL");
            assert!(err.to_string().contains(&format!("http://{url}")), "{err}");
        }
    }

    #[test]
    fn urls_keep_reverse_proxy_paths_and_prefix() {
        let e = Endpoint::new("https://host.example/comfy", "c1").unwrap();
        assert_eq!(
            e.history(Some("a b/c"), None, None).url,
            "https://host.example/comfy/history/a%20b%2Fc"
        );
        assert_eq!(e.ws_url(), "wss://host.example/comfy/ws?clientId=c1");
        let e = e.with_api_prefix(true).with_ws_token("t&k");
        assert_eq!(e.queue().url, "https://host.example/comfy/api/queue");
        assert_eq!(
            e.ws_url(),
            "wss://host.example/comfy/api/ws?clientId=c1&token=t%26k"
        );
        let h = e.history(None, Some(2), Some(1));
        assert_eq!(
            h.url,
            "https://host.example/comfy/api/history?max_items=2&offset=1"
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in ["ftp://x", "not a url", "http://h/?q=1", "file:///tmp"] {
            assert_eq!(
                Endpoint::new(url, "c").unwrap_err().code(),
                "INVALID_URL",
                "{url}"
            );
        }
    }

    #[test]
    fn prompt_body_keeps_exact_integers_and_options() {
        let prompt = Prompt::from_json(
            r#"{"1": {"class_type": "ImageAddNoise", "inputs": {"seed": 18446744073709551615}}}"#,
        )
        .unwrap();
        let e = Endpoint::new("http://127.0.0.1:8188", "me")
            .unwrap()
            .with_bearer("tok");
        let options = QueueOptions {
            prompt_id: Some("p1".into()),
            front: true,
            ..QueueOptions::default()
        };
        let req = e.queue_prompt(&prompt, &options);
        let (ct, bytes) = req.body.encode("b");
        assert_eq!(ct.as_deref(), Some("application/json"));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(r#""seed":18446744073709551615"#), "{text}");
        assert!(
            text.contains(r#""client_id":"me""#)
                && text.contains(r#""prompt_id":"p1""#)
                && text.contains(r#""front":true"#)
        );
        assert_eq!(
            req.headers,
            [("Authorization".to_string(), "Bearer tok".to_string())]
        );
    }

    #[test]
    fn uploads_are_multipart_with_the_fields_comfyui_reads() {
        let e = Endpoint::new("http://h:1", "c")
            .unwrap()
            .with_basic("u", "p");
        assert_eq!(e.headers()[0].1, "Basic dTpw");
        let original = FileRef {
            filename: "a.png".into(),
            subfolder: "".into(),
            kind: "input".into(),
        };
        let req = e.upload(
            &UploadKind::Mask { original },
            "m\".png",
            b"PNGDATA".to_vec(),
            "sub",
            "input",
            true,
        );
        assert!(req.url.ends_with("/upload/mask"));
        let (ct, body) = req.body.encode("XyZ");
        assert_eq!(ct.as_deref(), Some("multipart/form-data; boundary=XyZ"));
        let text = String::from_utf8_lossy(&body);
        for needle in [
            "name=\"type\"\r\n\r\ninput",
            "name=\"subfolder\"\r\n\r\nsub",
            "name=\"overwrite\"\r\n\r\ntrue",
            "original_ref",
            "filename=\"m%22.png\"",
            "Content-Type: image/png",
            "PNGDATA",
            "--XyZ--",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }
}
