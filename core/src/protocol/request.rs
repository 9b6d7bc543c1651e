//! Requests as data: a transport (reqwest, fetch) sends them as they are.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// One file field of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePart {
    pub field: String,
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What a request carries.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    /// Serialized with exact numbers (`serde_json` keeps 18446744073709551615 as written).
    Json(Value),
    Multipart {
        text_fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
}

impl Body {
    /// The encoded body and its `Content-Type`, for transports that send raw bytes. `boundary`
    /// must not occur in the data (callers pass a random one).
    pub fn encode(&self, boundary: &str) -> (Option<String>, Vec<u8>) {
        match self {
            Body::Empty => (None, Vec::new()),
            Body::Json(v) => (
                Some("application/json".into()),
                serde_json::to_vec(v).expect("JSON values serialize"),
            ),
            Body::Multipart { text_fields, files } => {
                let mut out = Vec::new();
                for (name, value) in text_fields {
                    out.extend_from_slice(
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                            quote(name)
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(value.as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
                for f in files {
                    out.extend_from_slice(
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                            quote(&f.field),
                            quote(&f.file_name),
                            f.content_type
                        )
                        .as_bytes(),
                    );
                    out.extend_from_slice(&f.data);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                (
                    Some(format!("multipart/form-data; boundary={boundary}")),
                    out,
                )
            }
        }
    }
}

/// Quotes a multipart header parameter (no raw quotes or line breaks can break out of it).
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "%22")
        .replace(['\r', '\n'], " ")
}

/// How large a response body may grow before a transport stops reading it (SaveImage outputs
/// and `/view` downloads can be large; JSON routes are held to [`super::response::MAX_JSON_BYTES`]).
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// The error a transport returns once a body passes [`MAX_BODY_BYTES`] (declared or read).
pub fn body_too_large(route: &str, size: usize) -> crate::Error {
    crate::Error::TooLarge {
        what: format!("response of {route}"),
        size,
        limit: MAX_BODY_BYTES,
    }
}

/// A request to send. `Debug` shows header names, not their values.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// The route, for messages (`/prompt`, `/history/{id}`).
    pub route: &'static str,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &super::secrets::redact_url(&self.url))
            .field("headers", &super::secrets::HeaderNames(&self.headers))
            .field("body", &self.body)
            .field("route", &self.route)
            .finish()
    }
}

/// A response as the transport received it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: Vec<u8>,
}
