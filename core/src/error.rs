//! The one error type of the core. Every variant has a stable [`Error::code`] that the JS bindings
//! expose as `err.code`; messages may improve, codes may not change.

use std::fmt;

/// A failure that stops an operation. Problems that leave a usable result (a dangling link, an
/// unknown node type) are not errors: they are returned as [`crate::convert::Warning`] values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    JsonSyntax {
        line: usize,
        column: usize,
        message: String,
    },

    /// JSON that does not have the shape of a workflow (UI or API format).
    #[error("invalid workflow at {path}: {message}")]
    InvalidWorkflow { path: String, message: String },

    /// JSON that does not have the shape of a `GET /object_info` answer.
    #[error("invalid object_info at {path}: {message}")]
    InvalidCatalog { path: String, message: String },

    /// The document is valid JSON but neither a UI workflow nor an API prompt.
    #[error("not a ComfyUI workflow or prompt: {reason}")]
    UnknownFormat { reason: String },

    /// A selector string that does not follow the selector syntax.
    #[error("invalid selector `{selector}`: {message}")]
    InvalidSelector { selector: String, message: String },

    /// A selector that names nothing in the prompt.
    #[error("`{selector}` selects nothing: {message}")]
    NotFound { selector: String, message: String },

    /// A selector that names several nodes where one is needed.
    #[error("`{selector}` is ambiguous: {} (add [0], [1]… or [*])", candidates.join(", "))]
    Ambiguous {
        selector: String,
        candidates: Vec<String>,
    },

    /// A server URL that is not an absolute http(s) URL.
    #[error("invalid server URL `{url}`: {message}")]
    InvalidUrl { url: String, message: String },

    /// The server answered with an unexpected status (the body is kept, cut to 4 KiB).
    #[error("HTTP {status} from {route}: {body}")]
    Http {
        status: u16,
        route: String,
        body: String,
    },

    /// `POST /prompt` refused the prompt: ComfyUI's `error` and `node_errors`, as it sent them.
    #[error("prompt rejected: {}", error.get("message").and_then(|m| m.as_str()).unwrap_or("invalid prompt"))]
    PromptRejected {
        status: u16,
        error: Box<serde_json::Value>,
        node_errors: Box<serde_json::Value>,
    },

    /// The server could not be reached, or the connection broke before an answer.
    #[error("network error on {route}: {message}")]
    Network { route: String, message: String },

    /// A request (or the call it belongs to) ran out of time: no whole answer within `after_ms`.
    #[error("no answer from {route} within {after_ms} ms")]
    Timeout { route: String, after_ms: u64 },

    /// An argument or option of an API call that has the wrong type or value.
    #[error("invalid argument {name}: {message}")]
    InvalidArgument { name: String, message: String },

    /// A bug in comfywire (a caught panic): please report it with the message.
    #[error("internal error: {message}")]
    Internal { message: String },

    /// A response that does not have the shape the protocol documents.
    #[error("unexpected response from {route}: {message}")]
    BadResponse { route: String, message: String },

    /// A response or message larger than the client accepts.
    #[error("{what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        what: String,
        size: usize,
        limit: usize,
    },

    /// A JSON text holding more values than the client parses (code `TOO_LARGE` too): refused
    /// before parsing, as exact values cost up to ~40 times their text.
    #[error("{what} holds more than {limit} JSON values")]
    TooManyValues { what: String, limit: usize },

    /// The graph cannot be converted at all (for example a subgraph that contains itself).
    #[error("cannot convert workflow: {message}")]
    Conversion { message: String },

    /// Bytes that are not a media container the metadata reader knows (PNG, WebP, FLAC, Ogg, MP3).
    #[error("unsupported media: not a PNG, WebP, FLAC, Ogg or MP3 file")]
    UnsupportedMedia,

    /// A known media container whose structure is broken: truncated, impossible lengths, bad
    /// compression, or (when writing) a text entry the container cannot hold.
    #[error("invalid {container} file: {message}")]
    InvalidMedia { container: String, message: String },

    /// The client was closed before the call could complete.
    #[error("the client is closed")]
    ClientClosed,

    /// No server of a pool can run the job: each one's reason (unreachable, or lacking a class
    /// or model the prompt needs).
    #[error("no server can run this prompt: {}", if reasons.is_empty() { "the pool is empty".to_string() } else { reasons.join("; ") })]
    NoServer { reasons: Vec<String> },

    /// A media file that carries neither an embedded `workflow` nor an embedded `prompt`.
    #[error("the file carries no embedded workflow or prompt")]
    NoEmbeddedWorkflow,

    /// Overrides applied all-or-nothing, and at least one was refused (the refusals themselves
    /// are values: `issues`).
    #[error("overrides refused: {first}")]
    OverridesRefused { refused: usize, first: String },

    /// The caller gave up on the call (an `AbortSignal`, a dropped future): nothing was lost
    /// on the server's side that the caller did not ask to cancel.
    #[error("the operation was aborted: {reason}")]
    Aborted { reason: String },

    /// The browser build was used before its WebAssembly module was loaded (`await init()`).
    #[error("call `await init()` before using the API (it loads the WebAssembly module)")]
    NotInitialized,
}

/// Every code a caller can see in `err.code`, in Rust, Node and the browser: the codes of
/// [`Error`] and the codes of the job outcomes that `run` reports as errors. The JS `ErrorCode`
/// type is generated from this list.
pub const ERROR_CODES: &[&str] = &[
    "JSON_SYNTAX",
    "INVALID_WORKFLOW",
    "INVALID_CATALOG",
    "UNKNOWN_FORMAT",
    "CONVERSION_FAILED",
    "INVALID_SELECTOR",
    "NOT_FOUND",
    "AMBIGUOUS_SELECTOR",
    "INVALID_URL",
    "HTTP_STATUS",
    "PROMPT_REJECTED",
    "BAD_RESPONSE",
    "NETWORK",
    "INVALID_ARGUMENT",
    "INTERNAL",
    "TOO_LARGE",
    "UNSUPPORTED_MEDIA",
    "INVALID_MEDIA",
    "NO_EMBEDDED_WORKFLOW",
    "CLIENT_CLOSED",
    "NO_SERVER",
    "OVERRIDES_REFUSED",
    "ABORTED",
    "NOT_INITIALIZED",
    // Job outcomes other than success (`crate::protocol::Outcome::code`).
    "EXECUTION_ERROR",
    "INTERRUPTED",
    "CANCELLED",
    "JOB_LOST",
    "TIMEOUT",
];

impl Error {
    /// Stable machine-readable code, identical in Rust, Node and the browser.
    pub fn code(&self) -> &'static str {
        match self {
            Error::JsonSyntax { .. } => "JSON_SYNTAX",
            Error::InvalidWorkflow { .. } => "INVALID_WORKFLOW",
            Error::InvalidCatalog { .. } => "INVALID_CATALOG",
            Error::UnknownFormat { .. } => "UNKNOWN_FORMAT",
            Error::Conversion { .. } => "CONVERSION_FAILED",
            Error::InvalidSelector { .. } => "INVALID_SELECTOR",
            Error::InvalidUrl { .. } => "INVALID_URL",
            Error::Http { .. } => "HTTP_STATUS",
            Error::PromptRejected { .. } => "PROMPT_REJECTED",
            Error::BadResponse { .. } => "BAD_RESPONSE",
            Error::Network { .. } => "NETWORK",
            Error::Timeout { .. } => "TIMEOUT",
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::Internal { .. } => "INTERNAL",
            Error::TooLarge { .. } | Error::TooManyValues { .. } => "TOO_LARGE",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::Ambiguous { .. } => "AMBIGUOUS_SELECTOR",
            Error::UnsupportedMedia => "UNSUPPORTED_MEDIA",
            Error::InvalidMedia { .. } => "INVALID_MEDIA",
            Error::NoEmbeddedWorkflow => "NO_EMBEDDED_WORKFLOW",
            Error::ClientClosed => "CLIENT_CLOSED",
            Error::NoServer { .. } => "NO_SERVER",
            Error::OverridesRefused { .. } => "OVERRIDES_REFUSED",
            Error::Aborted { .. } => "ABORTED",
            Error::NotInitialized => "NOT_INITIALIZED",
        }
    }

    pub(crate) fn json_syntax(err: &serde_json::Error) -> Self {
        let full = err.to_string();
        // serde_json appends " at line L column C"; the fields carry that already.
        let message = match full.rfind(" at line ") {
            Some(cut) => full[..cut].to_string(),
            None => full,
        };
        Error::JsonSyntax {
            line: err.line(),
            column: err.column(),
            message,
        }
    }
}

/// Which document a shape error belongs to; lets one reader serve workflows and catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Document {
    Workflow,
    Catalog,
}

impl Document {
    pub(crate) fn error(self, path: impl fmt::Display, message: impl Into<String>) -> Error {
        let (path, message) = (path.to_string(), message.into());
        match self {
            Document::Workflow => Error::InvalidWorkflow { path, message },
            Document::Catalog => Error::InvalidCatalog { path, message },
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let err = Error::json_syntax(&serde_json::from_str::<serde_json::Value>("{").unwrap_err());
        assert_eq!(err.code(), "JSON_SYNTAX");
        assert!(
            matches!(
                err,
                Error::JsonSyntax {
                    line: 1,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.to_string().contains(" at line 1 column"), "{err}");
        assert_eq!(
            Document::Catalog.error("$.x", "bad").code(),
            "INVALID_CATALOG"
        );
        assert_eq!(Error::UnsupportedMedia.code(), "UNSUPPORTED_MEDIA");
        let media = Error::InvalidMedia {
            container: "png".into(),
            message: "truncated".into(),
        };
        assert_eq!(media.code(), "INVALID_MEDIA");
        assert_eq!(Error::NoEmbeddedWorkflow.code(), "NO_EMBEDDED_WORKFLOW");
    }

    /// One value of every variant. The match below stops compiling when a variant is added
    /// without an example here, so the code list cannot silently miss it.
    fn one_of_each() -> Vec<Error> {
        let s = String::new;
        let all = vec![
            Error::JsonSyntax {
                line: 1,
                column: 1,
                message: s(),
            },
            Error::InvalidWorkflow {
                path: s(),
                message: s(),
            },
            Error::InvalidCatalog {
                path: s(),
                message: s(),
            },
            Error::UnknownFormat { reason: s() },
            Error::InvalidSelector {
                selector: s(),
                message: s(),
            },
            Error::NotFound {
                selector: s(),
                message: s(),
            },
            Error::Ambiguous {
                selector: s(),
                candidates: vec![],
            },
            Error::InvalidUrl {
                url: s(),
                message: s(),
            },
            Error::Http {
                status: 500,
                route: s(),
                body: s(),
            },
            Error::PromptRejected {
                status: 400,
                error: Box::default(),
                node_errors: Box::default(),
            },
            Error::Network {
                route: s(),
                message: s(),
            },
            Error::Timeout {
                route: s(),
                after_ms: 1,
            },
            Error::InvalidArgument {
                name: s(),
                message: s(),
            },
            Error::Internal { message: s() },
            Error::BadResponse {
                route: s(),
                message: s(),
            },
            Error::TooLarge {
                what: s(),
                size: 2,
                limit: 1,
            },
            Error::TooManyValues {
                what: s(),
                limit: 1,
            },
            Error::Conversion { message: s() },
            Error::UnsupportedMedia,
            Error::InvalidMedia {
                container: s(),
                message: s(),
            },
            Error::ClientClosed,
            Error::NoServer { reasons: vec![] },
            Error::NoEmbeddedWorkflow,
            Error::OverridesRefused {
                refused: 1,
                first: s(),
            },
            Error::Aborted { reason: s() },
            Error::NotInitialized,
        ];
        for e in &all {
            match e {
                Error::JsonSyntax { .. }
                | Error::InvalidWorkflow { .. }
                | Error::InvalidCatalog { .. }
                | Error::UnknownFormat { .. }
                | Error::InvalidSelector { .. }
                | Error::NotFound { .. }
                | Error::Ambiguous { .. }
                | Error::InvalidUrl { .. }
                | Error::Http { .. }
                | Error::PromptRejected { .. }
                | Error::Network { .. }
                | Error::Timeout { .. }
                | Error::InvalidArgument { .. }
                | Error::Internal { .. }
                | Error::BadResponse { .. }
                | Error::TooLarge { .. }
                | Error::TooManyValues { .. }
                | Error::Conversion { .. }
                | Error::UnsupportedMedia
                | Error::InvalidMedia { .. }
                | Error::ClientClosed
                | Error::NoServer { .. }
                | Error::NoEmbeddedWorkflow
                | Error::OverridesRefused { .. }
                | Error::Aborted { .. }
                | Error::NotInitialized => {}
            }
        }
        all
    }

    #[test]
    fn the_code_list_is_every_error_and_every_failed_outcome_once() {
        use crate::protocol::Outcome;
        let mut expected: Vec<&str> = one_of_each().iter().map(Error::code).collect();
        let outcomes = [
            Outcome::Failed {
                error: Default::default(),
            },
            Outcome::Interrupted {
                data: Default::default(),
            },
            Outcome::Cancelled,
            Outcome::Rejected {
                error: Default::default(),
                node_errors: Default::default(),
            },
            Outcome::Lost,
            Outcome::TimedOut,
        ];
        expected.extend(outcomes.iter().map(Outcome::code));
        let mut listed = ERROR_CODES.to_vec();
        expected.sort_unstable();
        expected.dedup(); // PROMPT_REJECTED is both an error and an outcome
        listed.sort_unstable();
        let before = listed.len();
        listed.dedup();
        assert_eq!(before, listed.len(), "a code is listed twice");
        assert_eq!(listed, expected);
    }
}
