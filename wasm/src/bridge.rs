//! Values between JavaScript and the core: JSON values with exact integers (beyond ±(2^53−1)
//! they travel as `BigInt`), errors as `Error` objects with `code` and data.

use comfywire::{Document, Error};
use js_sys::{Array, BigInt, Object, Reflect, Uint8Array};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

const MAX_SAFE: u64 = (1 << 53) - 1;
/// Deeper than any workflow; stops a cyclic object instead of overflowing the stack.
const MAX_DEPTH: usize = 256;

pub(crate) fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => number_to_js(n),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => {
            let out = Array::new_with_length(items.len() as u32);
            for (i, item) in items.iter().enumerate() {
                out.set(i as u32, to_js(item));
            }
            out.into()
        }
        Value::Object(map) => {
            let out = Object::new();
            for (k, v) in map {
                let _ = Reflect::set(&out, &JsValue::from_str(k), &to_js(v));
            }
            out.into()
        }
    }
}

fn big(text: &str) -> JsValue {
    BigInt::new(&JsValue::from_str(text))
        .map(JsValue::from)
        .unwrap_or_else(|_| JsValue::from_str(text))
}

fn number_to_js(n: &Number) -> JsValue {
    if let Some(i) = n.as_i64() {
        return if i.unsigned_abs() <= MAX_SAFE {
            JsValue::from_f64(i as f64)
        } else {
            big(&i.to_string())
        };
    }
    if let Some(u) = n.as_u64() {
        return if u <= MAX_SAFE {
            JsValue::from_f64(u as f64)
        } else {
            big(&u.to_string())
        };
    }
    let text = n.to_string();
    let integral = text
        .strip_prefix('-')
        .unwrap_or(&text)
        .bytes()
        .all(|b| b.is_ascii_digit());
    if integral {
        big(&text)
    } else {
        JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

pub(crate) fn from_js(value: &JsValue) -> Result<Value, Error> {
    from_js_at(value, 0)
}

fn bad_value(message: &str) -> Error {
    Error::InvalidWorkflow {
        path: "$".into(),
        message: message.into(),
    }
}

fn from_js_at(value: &JsValue, depth: usize) -> Result<Value, Error> {
    if depth > MAX_DEPTH {
        return Err(bad_value("nested too deeply (a cycle?)"));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(f) = value.as_f64() {
        if !f.is_finite() {
            return Ok(Value::Null); // as JSON.stringify writes it
        }
        if f.fract() == 0.0 && f.abs() <= MAX_SAFE as f64 {
            return Ok(Value::Number((f as i64).into()));
        }
        return Ok(Number::from_f64(f).map_or(Value::Null, Value::Number));
    }
    if value.is_bigint() {
        let text: String = value
            .clone()
            .unchecked_into::<BigInt>()
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return serde_json::from_str::<Number>(&text)
            .map(Value::Number)
            .map_err(|_| bad_value("unreadable BigInt"));
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(Value::Array(
            bytes.to_vec().into_iter().map(Value::from).collect(),
        ));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        return array
            .iter()
            .map(|item| from_js_at(&item, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if value.is_function() || value.is_symbol() {
        return Ok(Value::Null);
    }
    let object: &Object = value.unchecked_ref();
    let mut map = Map::new();
    for entry in Object::entries(object).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let item = pair.get(1);
        if item.is_undefined() || item.is_function() || item.is_symbol() {
            continue;
        }
        map.insert(key, from_js_at(&item, depth + 1)?);
    }
    Ok(Value::Object(map))
}

/// A workflow or prompt given as an object, JSON text, or file bytes (PNG/WebP/FLAC… or JSON).
pub(crate) fn document(input: &JsValue) -> Result<Document, Error> {
    if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        return Document::from_bytes(&bytes.to_vec());
    }
    if let Some(text) = input.as_string() {
        return Document::from_json(&text);
    }
    Document::from_value(from_js(input)?)
}

/// Optional options object → JSON (`undefined` → `null`).
pub(crate) fn options(value: &JsValue) -> Result<Value, Error> {
    from_js(value)
}

/// A JavaScript `Error` with `code` and the error's data as properties.
pub(crate) fn error(err: &Error) -> JsValue {
    error_from_data(&comfywire::api::error_data(err))
}

pub(crate) fn error_from_data(data: &Value) -> JsValue {
    let message = data["message"].as_str().unwrap_or("comfywire error");
    let out = js_sys::Error::new(message);
    if let Value::Object(map) = data {
        for (k, v) in map {
            if k != "message" {
                let _ = Reflect::set(&out, &JsValue::from_str(k), &to_js(v));
            }
        }
    }
    out.into()
}
