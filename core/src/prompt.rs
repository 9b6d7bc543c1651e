//! The API format: what `POST /prompt` takes under `"prompt"`.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::error::{Document, Result};
use crate::json::{JsonPath, Reader, js_key_order, member};

/// One node of an API prompt.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromptNode {
    /// `None` only for nodes whose class the converter could not know (the server rejects them).
    pub class_type: Option<String>,
    /// Input name → literal, or a link `["<origin id>", <output index>]`.
    pub inputs: Map<String, Value>,
    /// `_meta` (`title`, and `cnr_id`/`aux_id`/`ver` since editor 1.58). Ignored by the server.
    pub meta: Map<String, Value>,
}

/// An API prompt: node execution id (`"3"`, `"12:5"`) → node.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prompt {
    pub nodes: IndexMap<String, PromptNode>,
}

/// A link input `[origin_id, origin_slot]`, as the server recognises it.
pub fn as_link(value: &Value) -> Option<(&str, i64)> {
    match value.as_array()?.as_slice() {
        [Value::String(id), slot] => Some((id, slot.as_i64()?)),
        _ => None,
    }
}

impl Prompt {
    /// Parses API-format JSON text: either the bare prompt or a `POST /prompt` body with `"prompt"`.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_value(&crate::json::parse(text)?)
    }

    pub fn from_value(value: &Value) -> Result<Self> {
        const R: Reader = Reader {
            doc: Document::Workflow,
        };
        let root = JsonPath::Root;
        let mut obj = R.object(value, &root)?;
        let prompt_path = root.key("prompt");
        let mut base = &root;
        if let Some(inner) = member(obj, "prompt").filter(|_| !obj.contains_key("class_type")) {
            obj = R.object(inner, &prompt_path)?;
            base = &prompt_path;
        }
        let mut nodes = IndexMap::new();
        for (id, node) in obj {
            let path = base.key(id);
            let n = R.object(node, &path)?;
            let inputs = match member(n, "inputs") {
                Some(v) => R.object(v, &path.key("inputs"))?.clone(),
                None => Map::new(),
            };
            nodes.insert(
                id.clone(),
                PromptNode {
                    class_type: member(n, "class_type")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    inputs,
                    meta: member(n, "_meta")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default(),
                },
            );
        }
        Ok(Prompt { nodes })
    }

    /// The editor's `isApiJson`: a non-empty object whose every value has a string `class_type`
    /// and an object `inputs`.
    pub fn looks_like_api(value: &Value) -> bool {
        value.as_object().is_some_and(|o| {
            !o.is_empty()
                && o.values().all(|n| {
                    n.get("class_type").is_some_and(Value::is_string)
                        && n.get("inputs").is_some_and(Value::is_object)
                })
        })
    }

    /// The prompt as JSON, keys in the order a JS engine would print the editor's object
    /// (numeric ids ascending first, then `"12:5"`-style ids in insertion order).
    pub fn to_value(&self) -> Value {
        let mut out = Map::new();
        for id in js_key_order(self.nodes.keys().map(String::as_str)) {
            let node = &self.nodes[id];
            let mut n = Map::new();
            n.insert("inputs".into(), Value::Object(node.inputs.clone()));
            if let Some(class) = &node.class_type {
                n.insert("class_type".into(), Value::String(class.clone()));
            }
            if !node.meta.is_empty() {
                n.insert("_meta".into(), Value::Object(node.meta.clone()));
            }
            out.insert(id.to_string(), Value::Object(n));
        }
        Value::Object(out)
    }

    /// Pretty JSON, as the editor's "Export (API)" writes it.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).expect("a JSON value always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_and_orders_keys_like_js() {
        let text = r#"{"12:5": {"inputs": {"a": ["3", 0]}, "class_type": "X"},
                       "10": {"inputs": {"seed": 18446744073709551615}, "class_type": "Y", "_meta": {"title": "t"}},
                       "3": {"inputs": {}, "class_type": "Z"}}"#;
        let p = Prompt::from_json(text).unwrap();
        assert_eq!(as_link(&p.nodes["12:5"].inputs["a"]), Some(("3", 0)));
        let keys: Vec<String> = p.to_value().as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["3", "10", "12:5"]);
        assert!(p.to_json_pretty().contains("18446744073709551615"));
    }

    #[test]
    fn accepts_a_post_body_and_detects_api_json() {
        let body = json!({"client_id": "c", "prompt": {"1": {"class_type": "A", "inputs": {}}}});
        assert_eq!(Prompt::from_value(&body).unwrap().nodes.len(), 1);
        assert!(Prompt::looks_like_api(&body["prompt"]));
        assert!(!Prompt::looks_like_api(&json!({"nodes": [], "links": []})));
        assert!(!Prompt::looks_like_api(&json!({})));
    }
}
