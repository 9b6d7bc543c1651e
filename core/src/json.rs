//! Reading untyped JSON into typed models with precise locations.
//!
//! Workflows in the wild are loosely shaped (ids as numbers or strings, slots as numeric strings,
//! objects where arrays are expected). We parse once into [`Value`] — which keeps key order and exact
//! integers — and then read the parts we need with these helpers, so every shape error names its
//! JSON path. serde's `flatten`/`untagged` are avoided on purpose: they buffer numbers and lose the
//! exactness that `arbitrary_precision` gives us.

use std::fmt;

use serde_json::{Map, Value};

use crate::error::{Document, Error, Result};

/// The most values a document may hold. Parsed exactly, a value costs ~40 times its text
/// at worst (`[0,0,0,…]`), so this bounds a document's memory near 300 MB however it is built;
/// real ones are far below (ComfyUI 0.3.64's catalog: ~31 k values; a 35 k-node prompt: ~380 k).
pub const MAX_JSON_VALUES: usize = 4_000_000;

/// Parses JSON text into a [`Value`], keeping key order and exact numbers.
pub fn parse(text: &str) -> Result<Value> {
    check_value_budget(text.as_bytes(), "JSON document")?;
    serde_json::from_str(text).map_err(|e| Error::json_syntax(&e))
}

/// Refuses, before parsing, a text with more than [`MAX_JSON_VALUES`] values: one pass that
/// counts the separators and containers outside strings (an upper bound of the value count).
pub fn check_value_budget(text: &[u8], what: &str) -> Result<()> {
    if values_upper_bound(text, MAX_JSON_VALUES) > MAX_JSON_VALUES {
        return Err(Error::TooManyValues {
            what: what.to_string(),
            limit: MAX_JSON_VALUES,
        });
    }
    Ok(())
}

/// At least the number of values in `text` (every value but the root follows a `,` or opens
/// its container's first slot), at most that plus the empty containers; stops counting past
/// `stop_after`.
fn values_upper_bound(text: &[u8], stop_after: usize) -> usize {
    let (mut count, mut in_string, mut escaped) = (1usize, false, false);
    for &b in text {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b',' | b'[' | b'{') {
            count += 1;
            if count > stop_after {
                return count;
            }
        }
    }
    count
}

/// A JSON path built on the stack while walking a document: `$.nodes[3].inputs[0].link`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonPath<'a> {
    Root,
    Key(&'a JsonPath<'a>, &'a str),
    Index(&'a JsonPath<'a>, usize),
}

impl<'a> JsonPath<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> JsonPath<'a> {
        JsonPath::Key(self, key)
    }
    pub(crate) fn index(&'a self, index: usize) -> JsonPath<'a> {
        JsonPath::Index(self, index)
    }
}

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonPath::Root => f.write_str("$"),
            JsonPath::Key(parent, key) => {
                let plain = !key.is_empty()
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !key.starts_with(|c: char| c.is_ascii_digit());
                if plain {
                    write!(f, "{parent}.{key}")
                } else {
                    write!(f, "{parent}[{}]", Value::String((*key).to_string()))
                }
            }
            JsonPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// Typed accessors that report the path of what was wrong.
pub(crate) struct Reader {
    pub(crate) doc: Document,
}

impl Reader {
    pub(crate) fn object<'v>(
        &self,
        v: &'v Value,
        path: &JsonPath,
    ) -> Result<&'v Map<String, Value>> {
        v.as_object().ok_or_else(|| {
            self.doc
                .error(path, format!("expected an object, found {}", kind(v)))
        })
    }

    pub(crate) fn array<'v>(&self, v: &'v Value, path: &JsonPath) -> Result<&'v [Value]> {
        v.as_array().map(Vec::as_slice).ok_or_else(|| {
            self.doc
                .error(path, format!("expected an array, found {}", kind(v)))
        })
    }

    /// An integer given as a JSON integer or as a decimal string (the editor's zod schemas accept both).
    pub(crate) fn int(&self, v: &Value, path: &JsonPath) -> Result<i64> {
        as_int(v).ok_or_else(|| {
            self.doc
                .error(path, format!("expected an integer, found {}", kind(v)))
        })
    }

    /// A node id: integer or string, kept in its JS string form (`3` → `"3"`).
    pub(crate) fn node_id(&self, v: &Value, path: &JsonPath) -> Result<String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self
                .doc
                .error(path, format!("expected a node id, found {}", kind(v)))),
        }
    }
}

/// An integer from a JSON integer, an integral float (`3.0`) or a decimal string.
pub fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The JSON kind of a value, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Object member that may be absent or `null`.
pub(crate) fn member<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// Whether JS would enumerate this object key before string keys (a canonical array index).
pub fn is_array_index_key(key: &str) -> bool {
    key == "0"
        || (!key.is_empty()
            && !key.starts_with('0')
            && key.len() <= 10
            && key.bytes().all(|b| b.is_ascii_digit())
            && key.parse::<u64>().is_ok_and(|n| n < u32::MAX as u64))
}

/// Reorders object keys as a JS engine enumerates them: array-index keys ascending, then the rest
/// in insertion order. Needed wherever the editor iterates a parsed JSON object.
pub fn js_key_order<'k, I: IntoIterator<Item = &'k str>>(keys: I) -> Vec<&'k str> {
    let (mut indices, rest): (Vec<&str>, Vec<&str>) =
        keys.into_iter().partition(|k| is_array_index_key(k));
    indices.sort_by_key(|k| k.parse::<u64>().unwrap_or(u64::MAX));
    indices.extend(rest);
    indices
}

/// Deep equality of JSON values where numbers compare by value: exact for integers, as f64 for the
/// rest (`8` equals `8.0`). Key order is ignored.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_eq(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(a), Some(b)) = (exact_int(x), exact_int(y)) {
        return a == b;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => x.to_string() == y.to_string(),
    }
}

fn exact_int(n: &serde_json::Number) -> Option<i128> {
    let text = n.to_string();
    text.parse::<i128>().ok().or_else(|| {
        // `8.0` / `1e3` style integers: exact when the f64 is integral and small enough to be exact.
        let f = n.as_f64()?;
        (f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0).then_some(f as i128)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values_and_empty_containers(v: &Value) -> (usize, usize) {
        let children: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            Value::Object(o) => o.values().collect(),
            _ => return (1, 0),
        };
        let empty = usize::from(children.is_empty());
        children.iter().fold((1, empty), |(n, e), c| {
            let (cn, ce) = values_and_empty_containers(c);
            (n + cn, e + ce)
        })
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            // Strings full of the bytes the scanner counts, and escapes.
            "[,\\[\\]{}:\"\\\\a]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-z,{\\[]{0,3}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn the_value_count_bounds_the_true_count(v in any_json()) {
            for text in [serde_json::to_string(&v).unwrap(), serde_json::to_string_pretty(&v).unwrap()] {
                let (values, empty) = values_and_empty_containers(&v);
                let counted = values_upper_bound(text.as_bytes(), usize::MAX);
                proptest::prop_assert!(counted >= values && counted <= values + empty, "{text}: {counted} vs {values} (+{empty})");
            }
        }
    }

    #[test]
    fn a_document_of_too_many_values_is_refused_before_parsing() {
        let many = format!("[{}0]", "0,".repeat(MAX_JSON_VALUES));
        let err = parse(&many).unwrap_err();
        assert_eq!(err.code(), "TOO_LARGE");
        // Separators inside strings are text, not values.
        let text = format!("[\"{}\", \"a\\\"b,\"]", ",".repeat(MAX_JSON_VALUES));
        assert!(parse(&text).is_ok());
        let resp = crate::protocol::HttpResponse {
            status: 200,
            body: many.into_bytes(),
        };
        let err = crate::protocol::response::history_response(&resp).unwrap_err();
        assert_eq!(err.code(), "TOO_LARGE");
        assert!(err.to_string().contains("/history"), "{err}");
    }

    #[test]
    fn paths_render_like_jsonpath() {
        let root = JsonPath::Root;
        let nodes = root.key("nodes");
        let n3 = nodes.index(3);
        let odd = n3.key("Node name for S&R");
        assert_eq!(n3.key("inputs").to_string(), "$.nodes[3].inputs");
        assert_eq!(odd.to_string(), r#"$.nodes[3]["Node name for S&R"]"#);
    }

    #[test]
    fn big_integers_survive_parsing() {
        let v = parse(r#"{"seed": 18446744073709551615, "neg": -18446744073709551615}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"seed":18446744073709551615,"neg":-18446744073709551615}"#
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(
            &json!({"a": 8, "b": [1.5]}),
            &parse(r#"{"b": [1.50], "a": 8.0}"#).unwrap()
        ));
        assert!(!json_eq(
            &parse("18446744073709551615").unwrap(),
            &parse("18446744073709551614").unwrap()
        ));
        assert!(!json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    }

    #[test]
    fn js_enumerates_index_keys_first() {
        assert_eq!(
            js_key_order(["b", "10", "a", "2", "01"]),
            vec!["2", "10", "b", "a", "01"]
        );
    }

    #[test]
    fn ints_accept_numeric_strings() {
        assert_eq!(as_int(&json!("12")), Some(12));
        assert_eq!(as_int(&json!(3.0)), Some(3));
        assert_eq!(as_int(&json!(3.5)), None);
        assert_eq!(as_int(&json!(null)), None);
    }
}
