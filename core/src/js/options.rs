//! The options JavaScript passes, as Rust structs: what the core reads is what
//! `node/shapes.d.ts` declares (generated like the result shapes), and each field's doc comment,
//! default included, is the JSDoc users see. Options only the JavaScript layer reads (`catalog`,
//! `signal`, callbacks) are declared there and ignored here: unknown keys are not errors.
//!
//! Every field is optional and `null` means "not given", as JavaScript users expect.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

#[cfg(feature = "typescript")]
use ts_rs::TS;

/// Reads options from JSON (`null` → every default); a value of the wrong type is an
/// `INVALID_ARGUMENT` naming the option (`options.reconnectMinMs`).
pub(crate) fn read<T: DeserializeOwned + Default>(options: &Value) -> Result<T> {
    let invalid = |name: String, message: String| Error::InvalidArgument { name, message };
    match options {
        Value::Null => Ok(T::default()),
        Value::Object(map) => T::deserialize(options).map_err(|e| {
            // serde's message does not say which field; every field is optional, so the first
            // key that fails on its own is the one (this runs only on the error path, and
            // reuses the same deserializer: no second copy of it in the wasm module).
            let culprit = map.iter().find_map(|(key, value)| {
                let alone: Map<String, Value> =
                    [(key.clone(), value.clone())].into_iter().collect();
                T::deserialize(&Value::Object(alone))
                    .err()
                    .map(|e| (key.clone(), e))
            });
            match culprit {
                Some((key, e)) => invalid(format!("options.{key}"), e.to_string()),
                None => invalid("options".into(), e.to_string()),
            }
        }),
        _ => Err(invalid("options".into(), "expected an object".into())),
    }
}

/// An integer from 0 to 2^64−1, given as a number, a `bigint` or its decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Integer(pub u64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        const EXPECTED: &str = "expected an integer from 0 to 2^64-1";
        match Value::deserialize(d)? {
            Value::Number(n) => n
                .as_u64()
                .map(Integer)
                .ok_or_else(|| D::Error::custom(EXPECTED)),
            Value::String(s) => s
                .parse()
                .map(Integer)
                .map_err(|_| D::Error::custom(EXPECTED)),
            _ => Err(D::Error::custom(EXPECTED)),
        }
    }
}

/// How `{a|b|c}` prompts are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DynamicPromptsOption {
    #[default]
    Keep,
    Resolve {
        seed: u64,
    },
}

impl<'de> Deserialize<'de> for DynamicPromptsOption {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        const EXPECTED: &str = "expected \"keep\" or {seed: n}";
        match Value::deserialize(d)? {
            Value::String(s) if s == "keep" => Ok(DynamicPromptsOption::Keep),
            Value::Object(map) => {
                let seed = match map.get("seed") {
                    None | Some(Value::Null) => Integer(0),
                    Some(v) => Integer::deserialize(v).map_err(D::Error::custom)?,
                };
                Ok(DynamicPromptsOption::Resolve { seed: seed.0 })
            }
            _ => Err(D::Error::custom(EXPECTED)),
        }
    }
}

/// How a UI workflow becomes a prompt.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "ConvertOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct Convert {
    /// Resolve `{a|b}` prompts with this seed, or keep them as written (default: `keep`).
    #[cfg_attr(
        feature = "typescript",
        ts(optional, type = "'keep' | { seed?: number | bigint }")
    )]
    pub dynamic_prompts: Option<DynamicPromptsOption>,
    /// Local date-time for `%date:…%` in widget text, `YYYY-MM-DDThh:mm:ss` (default: none, the
    /// `%date:…%` pattern is kept verbatim).
    pub date: Option<String>,
    /// Read named `widgets_values` objects before positional ones (default false).
    pub prefer_named_values: Option<bool>,
    /// Keep interior ids of expanded subgraphs as saved instead of renumbering colliding ones
    /// as the editor has done since 1.42 (default false: renumber, as the editor does).
    pub keep_subgraph_ids: Option<bool>,
    /// Produce what the file's author meant where the editor demonstrably loses it, each repair
    /// reported as a warning (default false: the editor's output). Today: array links of a
    /// file whose `version` is not 0.4 (`ARRAY_LINKS_REPAIRED` instead of
    /// `ARRAY_LINKS_IGNORED`).
    pub repair: Option<bool>,
}

/// How `control_after_generate` widgets (seeds…) change before a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub enum SeedMode {
    /// Values stay as they are (default).
    #[default]
    #[serde(rename = "fixed")]
    Fixed,
    /// Each widget follows the mode saved in the workflow, as the editor does on queue.
    #[serde(rename = "asSaved", alias = "as-saved")]
    AsSaved,
    #[serde(rename = "increment")]
    Increment,
    #[serde(rename = "decrement")]
    Decrement,
    #[serde(rename = "randomize")]
    Randomize,
}

/// `applyOverrides` options (conversion options apply too).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "OverrideOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct Overrides {
    /// Seeds and other controlled widgets: `fixed` (default), `asSaved`, `increment`,
    /// `decrement`, `randomize`.
    pub seed_mode: Option<SeedMode>,
    /// Makes `randomize` reproducible (default 0).
    #[cfg_attr(
        feature = "typescript",
        ts(optional, type = "number | bigint | string")
    )]
    pub rng_seed: Option<Integer>,
    /// A sparse prompt `{"<id>": {"inputs": {…}}}` applied before the named overrides.
    #[cfg_attr(
        feature = "typescript",
        ts(optional, type = "Record<string, { inputs: Record<string, any> }>")
    )]
    pub body: Option<Value>,
}

/// `listParams` options (conversion options apply too).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "ListParamsOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    /// Return the `{"<id>": {"inputs": {…}}}` shape instead of a list (default false).
    pub by_node: Option<bool>,
}

/// Credentials for HTTP basic authentication.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS), ts(optional_fields))]
pub struct BasicAuth {
    pub user: Option<String>,
    pub password: Option<String>,
}

/// `ComfyClient.connect` options, or the server URL alone.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "ConnectOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct Connect {
    /// Base URL, e.g. `http://127.0.0.1:8188` (a reverse-proxy path is kept). Required.
    #[cfg_attr(feature = "typescript", ts(optional = false, type = "string"))]
    pub server: Option<String>,
    /// The id the server files this client's jobs and messages under (default: a random id).
    pub client_id: Option<String>,
    /// Use the `/api/...` routes (default false).
    pub api_prefix: Option<bool>,
    /// `Authorization: Bearer` token.
    pub bearer: Option<String>,
    /// HTTP basic credentials.
    pub basic: Option<BasicAuth>,
    /// Extra request headers (Node; browsers restrict them).
    #[cfg_attr(feature = "typescript", ts(optional, type = "Record<string, string>"))]
    pub headers: Option<Map<String, Value>>,
    /// Sent as `?token=` on the WebSocket URL.
    pub ws_token: Option<String>,
    /// One HTTP request's limit, in ms (default 30000).
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub request_timeout_ms: Option<Integer>,
    /// Ask the history about a job the socket is silent about this long, in ms (default 15000).
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub silence_ms: Option<Integer>,
    /// The first reconnect waits up to this long, in ms (default 200); each further one up to
    /// twice as long.
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub reconnect_min_ms: Option<Integer>,
    /// No reconnect waits longer, in ms (default 10000).
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub reconnect_max_ms: Option<Integer>,
    /// A socket down this long ends every open job as `JOB_LOST`: the server is gone (default
    /// 60000 ms).
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub reconnect_window_ms: Option<Integer>,
    /// Unread events kept per job (default 1024); when full, the oldest preview goes first,
    /// then progress; `finished` is never dropped.
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub job_event_capacity: Option<Integer>,
}

/// A node id, as a string or a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeId(pub String);

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(NodeId(s)),
            Value::Number(n) => Ok(NodeId(n.to_string())),
            _ => Err(D::Error::custom("expected a node id")),
        }
    }
}

/// What `POST /prompt` carries besides the prompt.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "QueueOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct Submit {
    /// Choose the prompt id (default: a random UUID).
    pub prompt_id: Option<String>,
    /// Queue before the others (default false).
    pub front: Option<bool>,
    /// The queue number to file it under (default: the server's next).
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub number: Option<serde_json::Number>,
    /// Stored with the job (`extra_pnginfo`…).
    #[cfg_attr(feature = "typescript", ts(optional, type = "Record<string, any>"))]
    pub extra_data: Option<Map<String, Value>>,
    /// Only run these output nodes.
    #[cfg_attr(feature = "typescript", ts(optional, type = "Array<string | number>"))]
    pub partial_execution_targets: Option<Vec<NodeId>>,
    /// Cancels the job on the server after this long, in ms; the result's status is `TIMEOUT`.
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub timeout_ms: Option<Integer>,
}

/// `{filename, subfolder, type}` of a stored file.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct FileName {
    pub filename: String,
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub subfolder: Option<String>,
    /// `input` (default), `output` or `temp`.
    #[serde(rename = "type", default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub kind: Option<String>,
}

/// Whether an upload is an image or the mask of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "lowercase")]
pub enum UploadType {
    #[default]
    Image,
    Mask,
}

/// `upload` options.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "UploadOptions")
)]
pub struct Upload {
    /// `image` (default) or `mask`.
    #[serde(rename = "type")]
    pub kind: Option<UploadType>,
    /// Where on the server (default: the input folder itself).
    pub subfolder: Option<String>,
    /// Replace a file of the same name instead of letting the server rename the upload
    /// (default false).
    pub overwrite: Option<bool>,
    /// A mask's image.
    pub original: Option<FileName>,
}

/// `history` options.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "HistoryOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct History {
    /// At most this many entries (default: all).
    pub max_items: Option<u32>,
    /// Skip this many first (default 0).
    pub offset: Option<u32>,
}

/// `free` options.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "typescript",
    derive(TS),
    ts(optional_fields, rename = "FreeOptions")
)]
#[serde(rename_all = "camelCase")]
pub struct Free {
    /// Unload every model (default false).
    pub unload_models: Option<bool>,
    /// Free cached memory (default false).
    pub free_memory: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wrong_type_names_the_option() {
        let err = read::<Connect>(&json!({"server": "x", "reconnectMinMs": "soon"})).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.to_string().contains("options.reconnectMinMs"), "{err}");
        let err = read::<Convert>(&json!({"preferNamedValues": "yes"})).unwrap_err();
        assert!(
            err.to_string().contains("options.preferNamedValues"),
            "{err}"
        );
    }

    #[test]
    fn null_means_not_given_and_unknown_keys_are_left_to_javascript() {
        let o: Convert =
            read(&json!({"preferNamedValues": null, "catalog": {"handle": 1}})).unwrap();
        assert_eq!(o.prefer_named_values, None);
        assert_eq!(read::<Free>(&Value::Null).unwrap().unload_models, None);
        assert!(read::<Free>(&json!([1])).is_err());
    }

    #[test]
    fn integers_are_exact_from_numbers_and_text() {
        let max = u64::MAX;
        let o: Overrides =
            read(&crate::json::parse(&format!("{{\"rngSeed\": {max}}}")).unwrap()).unwrap();
        assert_eq!(o.rng_seed, Some(Integer(max)));
        let o: Overrides = read(&json!({"rngSeed": max.to_string()})).unwrap();
        assert_eq!(o.rng_seed, Some(Integer(max)));
        assert!(read::<Overrides>(&json!({"rngSeed": -1})).is_err());
        assert!(read::<Overrides>(&json!({"rngSeed": 1.5})).is_err());
    }

    #[test]
    fn seed_modes_and_dynamic_prompts_read_as_documented() {
        let o: Overrides = read(&json!({"seedMode": "as-saved"})).unwrap();
        assert_eq!(o.seed_mode, Some(SeedMode::AsSaved));
        assert!(read::<Overrides>(&json!({"seedMode": "sometimes"})).is_err());
        let o: Convert = read(&json!({"dynamicPrompts": {"seed": "7"}})).unwrap();
        assert_eq!(
            o.dynamic_prompts,
            Some(DynamicPromptsOption::Resolve { seed: 7 })
        );
        let err = read::<Convert>(&json!({"dynamicPrompts": 3})).unwrap_err();
        assert!(err.to_string().contains("\"keep\" or {seed: n}"), "{err}");
    }
}
