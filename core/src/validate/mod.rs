//! Offline `POST /prompt` validation: the answer ComfyUI 0.3.64's server gives to a prompt, from
//! a node [`Catalog`] alone.
//!
//! The server validates in `server.py` (`post_prompt`) and `execution.py` (`validate_prompt`,
//! `validate_inputs`); this module redoes those steps on Python's view of the JSON, so statuses,
//! error types, messages, `input_config`, `received_value` and even the Python tracebacks of
//! `exception_during_*` errors come out as the server writes them. Reproduced quirks:
//!
//! - a broken link is reported under the node the link *comes from* (the upstream node), with
//!   the downstream node's input name, because the server charges the exception to it;
//! - a dependency cycle fails every output it feeds with no node errors (`node_errors: {}`);
//! - V3 combos (`["COMBO", {"options": [...]}]`) are never checked against their options, legacy
//!   combos (`[[...], {...}]`) are; lists over 20 choices are summarised;
//! - values are coerced first (`"7"` → 7 for INT, `12.7` → 12, `{"__value__": v}` unwrapped), so a
//!   numeric string passes; INTs compare exactly at any size;
//! - when some outputs validate, the answer is 200 with the failing outputs' `node_errors`;
//! - a body or `prompt` of the wrong shape, an unparsable `number`, an `extra_data` that is not an
//!   object next to a `client_id`: 500 with the server's plain-text page;
//! - classes with their own validation (`LoadImage` & co: the file must exist; Flux Ultra's aspect
//!   ratio; Kling camera controls; Tripo conversion) are emulated, see [`Options`].
//!
//! Where the server's answer depends on things outside the prompt and the catalog:
//! - **order**: the server walks Python `set`s (input names, output ids), whose order is random
//!   per process. We reproduce a server started with `PYTHONHASHSEED=0`; the captured server
//!   agrees wherever the captures show an order. It decides the order of a node's `errors`, of
//!   `dependent_outputs`, and which output is validated first;
//! - **files**: `LoadImage`-style nodes check the disk. By default a plain file name must be in the
//!   catalog's combo list for that input (which is the server's input-folder listing when the
//!   catalog was fetched); names in subfolders, annotated `[output]`/`[temp]`, or absolute are
//!   assumed present. [`Options::file_exists`] answers precisely;
//! - **deep recursion**: chains of links about 1000 deep hit Python's recursion limit at a point
//!   that depends on the server's stack; cycles are resolved as the server's outermost frames
//!   leave them, not through the limit's side effects on nodes first reached inside the cycle;
//! - a 200 answer also carries `prompt_id` and `number` (server-chosen); they are left out;
//! - JSON Python reads but `serde_json` cannot hold (`NaN`, `Infinity`, lone surrogates, nesting
//!   deeper than 128) is outside the API; non-finite floats in an answer are written as `null`.

mod bigint;
mod custom;
mod engine;
mod node;
mod py;
mod pyset;
mod traceback;
mod unicode_tables;

use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use custom::FileLookup;
use py::Py;

/// The plain-text body of the server's 500 answer.
pub const INTERNAL_ERROR_TEXT: &str = "500 Internal Server Error\n\nServer got itself in trouble";

/// What the server answers to `POST /prompt`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationOutcome {
    /// 200 (queued, perhaps with some outputs dropped), 400 (rejected) or 500 (malformed body).
    pub status: u16,
    /// For 400: `{"error": {...}, "node_errors": {...}}`. For 200: `{"node_errors": {...}}` (the
    /// server adds the `prompt_id` and `number` it chose). For 500: the plain-text page as a
    /// JSON string ([`INTERNAL_ERROR_TEXT`]).
    pub body: Value,
}

/// One entry of `node_errors[id].errors`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeError<'a> {
    pub node_id: &'a str,
    pub class_type: &'a str,
    /// `required_input_missing`, `value_not_in_list`, `exception_during_inner_validation`, …
    pub error_type: &'a str,
    pub message: &'a str,
    pub details: &'a str,
    /// The input concerned, when the error names one.
    pub input_name: Option<&'a str>,
    /// The whole error object as the server sent it.
    pub raw: &'a Value,
}

impl ValidationOutcome {
    fn internal() -> Self {
        ValidationOutcome {
            status: 500,
            body: Value::String(INTERNAL_ERROR_TEXT.into()),
        }
    }

    /// The prompt was queued (status 200).
    pub fn is_accepted(&self) -> bool {
        self.status == 200
    }

    /// The top-level `error` object of a 400 answer.
    pub fn error(&self) -> Option<&Value> {
        self.body.get("error")
    }

    /// `error.type`: `no_prompt`, `invalid_prompt`, `prompt_no_outputs`, `prompt_outputs_failed_validation`.
    pub fn error_type(&self) -> Option<&str> {
        self.error()?.get("type")?.as_str()
    }

    /// `node_errors`, present on 200 and 400 answers.
    pub fn node_errors(&self) -> Option<&Map<String, Value>> {
        self.body.get("node_errors")?.as_object()
    }

    /// Ids of the nodes with errors, in the server's order.
    pub fn node_ids_with_errors(&self) -> Vec<&str> {
        self.node_errors()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// Every node error, flattened.
    pub fn errors(&self) -> Vec<NodeError<'_>> {
        let mut out = Vec::new();
        let Some(nodes) = self.node_errors() else {
            return out;
        };
        fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
            v.get(k).and_then(Value::as_str)
        }
        for (node_id, entry) in nodes {
            let class_type = s(entry, "class_type").unwrap_or_default();
            for raw in entry
                .get("errors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(NodeError {
                    node_id,
                    class_type,
                    error_type: s(raw, "type").unwrap_or_default(),
                    message: s(raw, "message").unwrap_or_default(),
                    details: s(raw, "details").unwrap_or_default(),
                    input_name: raw.get("extra_info").and_then(|e| s(e, "input_name")),
                    raw,
                });
            }
        }
        out
    }
}

/// Answers whether a file exists: folder type (`input`, `output`, `temp`), path inside it.
pub type FileExists<'a> = &'a dyn Fn(&str, &str) -> bool;

/// How to answer what the catalog cannot.
#[derive(Default)]
pub struct Options<'a> {
    /// Whether a file exists, for nodes that load one (`LoadImage`, `LoadImageMask`,
    /// `LoadImageOutput`, `LoadLatent`, `LoadAudio`, `LoadVideo`). Called with the folder type
    /// (`input`, `output`, `temp`) and the path inside it, annotation removed (`"a.png [output]"`
    /// → (`output`, `a.png`)). Unset: see the module documentation.
    pub file_exists: Option<FileExists<'a>>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("file_exists", &self.file_exists.map(|_| "<fn>"))
            .finish()
    }
}

impl FileLookup for Options<'_> {
    fn exists(&self, folder: &str, name: &str, listing: Option<&[Py]>) -> bool {
        if let Some(f) = self.file_exists {
            return f(folder, name);
        }
        let unknowable = folder != "input"
            || name.starts_with('/')
            || name.contains('/')
            || matches!(name, "" | "." | "..");
        match listing {
            _ if unknowable => true,
            Some(list) => list.iter().any(|p| p.as_str() == Some(name)),
            None => true,
        }
    }
}

/// Validates a whole `POST /prompt` body as the server does.
pub fn validate_prompt_body(body: &Value, catalog: &Catalog) -> ValidationOutcome {
    validate_prompt_body_with(body, catalog, &Options::default())
}

/// [`validate_prompt_body`] with [`Options`].
pub fn validate_prompt_body_with(
    body: &Value,
    catalog: &Catalog,
    options: &Options,
) -> ValidationOutcome {
    if has_oversized_int(body) {
        return ValidationOutcome::internal();
    }
    post_prompt(&Py::from_json(body), catalog, options)
        .unwrap_or_else(|_| ValidationOutcome::internal())
}

/// Validates the raw text of a request body: text that is not JSON gets the server's 500.
pub fn validate_prompt_text(text: &str, catalog: &Catalog) -> ValidationOutcome {
    match serde_json::from_str::<Value>(text) {
        Ok(body) => validate_prompt_body(&body, catalog),
        Err(_) => ValidationOutcome::internal(),
    }
}

/// Validates a prompt (the body's `prompt` value) alone, as `{"prompt": prompt}`.
pub fn validate_prompt(prompt: &Value, catalog: &Catalog) -> ValidationOutcome {
    validate_prompt_body(&json!({ "prompt": prompt }), catalog)
}

/// Python's `json` module refuses integers of more than 4300 digits (the body is then a 500).
fn has_oversized_int(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            let t = n.to_string();
            !t.contains(['.', 'e', 'E']) && t.trim_start_matches('-').len() > 4300
        }
        Value::Array(a) => a.iter().any(has_oversized_int),
        Value::Object(o) => o.values().any(has_oversized_int),
        _ => false,
    }
}

/// `key in body` then `body[key]`, for the body's top-level keys; `Err` where Python raises.
fn body_member<'b>(body: &'b Py, key: &str) -> Result<Option<&'b Py>, engine::Internal> {
    match body {
        Py::Dict(_) => Ok(body.dict_get(key)),
        Py::List(items) if items.iter().any(|i| i.as_str() == Some(key)) => Err(engine::Internal),
        Py::Str(s) if s.contains(key) => Err(engine::Internal),
        Py::List(_) | Py::Str(_) => Ok(None),
        _ => Err(engine::Internal),
    }
}

/// `post_prompt` of server.py, without queueing.
fn post_prompt(
    body: &Py,
    catalog: &Catalog,
    options: &Options,
) -> Result<ValidationOutcome, engine::Internal> {
    // The handler hook list is empty in a stock server, so the body reaches this unchanged.
    if let Some(number) = body_member(body, "number")? {
        py::py_float(number).map_err(|_| engine::Internal)?;
    } else {
        body_member(body, "front")?;
    }
    let Some(prompt) = body_member(body, "prompt")? else {
        return Ok(ValidationOutcome {
            status: 400,
            body: json!({
                "error": {
                    "type": "no_prompt",
                    "message": "No prompt provided",
                    "details": "No prompt provided",
                    "extra_info": {}
                },
                "node_errors": {}
            }),
        });
    };
    let partial = body.dict_get("partial_execution_targets");
    let result = engine::validate_prompt(prompt, partial, catalog, options)?;
    // `extra_data["client_id"] = ...` runs after validation and needs a dict.
    if body.dict_get("client_id").is_some()
        && body
            .dict_get("extra_data")
            .is_some_and(|e| !matches!(e, Py::Dict(_)))
    {
        return Err(engine::Internal);
    }
    let node_errors = Value::Object(result.node_errors);
    Ok(if result.ok {
        ValidationOutcome {
            status: 200,
            body: json!({ "node_errors": node_errors }),
        }
    } else {
        ValidationOutcome {
            status: 400,
            body: json!({ "error": result.error, "node_errors": node_errors }),
        }
    })
}

#[cfg(test)]
mod tests;

/// `strict` submission: the refusal for a prompt the server would accept only in part (a 200
/// answer with `node_errors`: some outputs fail validation and are dropped, the rest run), as a
/// `PROMPT_REJECTED` error carrying those node errors; `None` when every output would run (or
/// the server would refuse it anyway, which it then says itself).
pub fn partial_acceptance(prompt: &crate::Prompt, catalog: &Catalog) -> Option<crate::Error> {
    let body = serde_json::json!({ "prompt": prompt.to_value() });
    let outcome = validate_prompt_body(&body, catalog);
    let node_errors = outcome.body.get("node_errors")?;
    let partial = outcome.status == 200 && node_errors.as_object().is_some_and(|e| !e.is_empty());
    partial.then(|| crate::Error::PromptRejected {
        status: 200,
        error: Box::new(serde_json::json!({
            "type": "partial_acceptance",
            "message": "Some outputs failed validation (refused as strict)",
            "details": "",
            "extra_info": {}
        })),
        node_errors: Box::new(node_errors.clone()),
    })
}
