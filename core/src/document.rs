//! Telling the two formats apart: a UI workflow (what the editor saves) or an API prompt (what
//! the server runs, possibly wrapped in a `POST /prompt` body).

use serde_json::Value;

use crate::catalog::Catalog;
use crate::convert::{Conversion, ConvertOptions};
use crate::error::{Error, Result};
use crate::prompt::Prompt;
use crate::workflow::Workflow;

/// A parsed ComfyUI document.
#[derive(Debug, Clone)]
pub enum Document {
    Ui(Box<Workflow>),
    Api(Prompt),
}

impl Document {
    /// Parses JSON text and decides its format as the editor does when a file is dropped:
    /// an object with a `nodes` array is a UI workflow; one whose every value has a string
    /// `class_type` and object `inputs` (or a body with such a `prompt`) is an API prompt.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_value(crate::json::parse(text).map_err(|e| hint_if_path(e, text))?)
    }

    pub fn from_value(value: Value) -> Result<Self> {
        let Some(obj) = value.as_object() else {
            return Err(Error::UnknownFormat {
                reason: format!(
                    "the document is {}, not an object",
                    crate::json::kind(&value)
                ),
            });
        };
        if obj.get("nodes").is_some_and(Value::is_array) {
            return Ok(Document::Ui(Box::new(Workflow::from_value(value)?)));
        }
        if Prompt::looks_like_api(&value) {
            return Ok(Document::Api(Prompt::from_value(&value)?));
        }
        if let Some(inner) = obj.get("prompt").filter(|p| Prompt::looks_like_api(p)) {
            return Ok(Document::Api(Prompt::from_value(inner)?));
        }
        Err(Error::UnknownFormat {
            reason: "no `nodes` array (UI format) and not a map of nodes with `class_type` and `inputs` (API format)".into(),
        })
    }
}

impl Document {
    /// Reads a document from file bytes: JSON text, or a PNG/WebP/FLAC/Ogg/MP3 written by
    /// ComfyUI, whose embedded `workflow` is preferred over its `prompt` as the editor does on drop.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if crate::media::detect(bytes).is_some() {
            let meta = crate::media::extract(bytes)?;
            if let Some(workflow) = meta
                .workflow
                .filter(|w| w.get("nodes").is_some_and(Value::is_array))
            {
                return Self::from_value(workflow);
            }
            return match meta.prompt {
                Some(prompt) => Self::from_value(prompt),
                None => Err(Error::NoEmbeddedWorkflow),
            };
        }
        let text = std::str::from_utf8(bytes).map_err(|e| Error::UnknownFormat {
            reason: format!(
                "neither JSON text nor a known media file (invalid UTF-8 at byte {})",
                e.valid_up_to()
            ),
        })?;
        Self::from_json(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// The API prompt of this document: a UI workflow is converted, an API prompt is taken as is.
    pub fn into_prompt(self, catalog: &Catalog, options: &ConvertOptions) -> Result<Conversion> {
        match self {
            Document::Ui(workflow) => crate::convert(&workflow, catalog, options),
            Document::Api(prompt) => Ok(Conversion {
                prompt,
                warnings: Vec::new(),
                controls: Vec::new(),
            }),
        }
    }
}

/// A string that looks like a file name, not JSON, gets a hint: callers often pass a path where
/// the API takes the file's text.
fn hint_if_path(error: Error, text: &str) -> Error {
    let trimmed = text.trim();
    let looks_like_path = !trimmed.is_empty()
        && !trimmed.starts_with(['{', '[', '"'])
        && !trimmed.contains('\n')
        && trimmed.len() < 4096
        && (trimmed.contains('/') || trimmed.contains('\\') || trimmed.contains('.'));
    match error {
        Error::JsonSyntax {
            line,
            column,
            message,
        } if looks_like_path => Error::JsonSyntax {
            line,
            column,
            message: format!(
                "{message} (`{trimmed}` looks like a file name: a string is read as JSON text; pass the file's contents or bytes)"
            ),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_where_json_text_belongs_says_so_and_json_errors_stay_as_they_are() {
        let err = Document::from_json("/home/me/workflows/wf.json").unwrap_err();
        assert_eq!(err.code(), "JSON_SYNTAX");
        assert!(err.to_string().contains("looks like a file name"), "{err}");
        let err = Document::from_json("{\"nodes\": 3").unwrap_err();
        assert!(!err.to_string().contains("file name"), "{err}");
    }

    #[test]
    fn detects_each_format() {
        assert!(matches!(
            Document::from_json(r#"{"nodes": [], "links": []}"#).unwrap(),
            Document::Ui(_)
        ));
        let api = r#"{"3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615}}}"#;
        let Document::Api(p) = Document::from_json(api).unwrap() else {
            panic!("not API")
        };
        assert_eq!(
            p.nodes["3"].inputs["seed"].to_string(),
            "18446744073709551615"
        );
        let body = r#"{"client_id": "x", "prompt": {"1": {"class_type": "A", "inputs": {}}}}"#;
        assert!(matches!(
            Document::from_json(body).unwrap(),
            Document::Api(_)
        ));
    }

    #[test]
    fn reads_the_workflow_a_server_png_carries() {
        let png = include_bytes!("../../tests/fixtures/media/view_output_extra_data.png");
        assert!(matches!(
            Document::from_bytes(png).unwrap(),
            Document::Ui(_) | Document::Api(_)
        ));
        let plain = include_bytes!("../../tests/fixtures/media/view_output_of_run.png");
        let Document::Api(prompt) = Document::from_bytes(plain).unwrap() else {
            panic!("prompt only")
        };
        assert_eq!(prompt.nodes["3"].class_type.as_deref(), Some("SaveImage"));
        assert_eq!(
            Document::from_bytes(b"\x89PNG\r\n\x1a\n")
                .unwrap_err()
                .code(),
            "INVALID_MEDIA"
        );
        assert_eq!(
            Document::from_bytes(&[0xc3, 0x28, 0x7b])
                .unwrap_err()
                .code(),
            "UNKNOWN_FORMAT"
        );
    }

    #[test]
    fn anything_else_is_an_unknown_format() {
        for text in ["[]", "{}", r#"{"a": 1}"#, r#"{"1": {"inputs": {}}}"#] {
            assert_eq!(
                Document::from_json(text).unwrap_err().code(),
                "UNKNOWN_FORMAT",
                "{text}"
            );
        }
        assert_eq!(Document::from_json("{").unwrap_err().code(), "JSON_SYNTAX");
    }
}
