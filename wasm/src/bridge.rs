//! What crosses into JavaScript besides JSON text: errors. As in the Node addon, an error's
//! message is the core's error data as JSON text (`{"code": …, "message": …, …}`); the shared
//! JavaScript layer turns it into a `ComfyError` with exact integers.

use comfywire::Error;
use serde_json::Value;
use wasm_bindgen::JsValue;

pub(crate) fn error(err: &Error) -> JsValue {
    error_from_data(&comfywire::js::error_data(err))
}

pub(crate) fn error_from_data(data: &Value) -> JsValue {
    js_sys::Error::new(&data.to_string()).into()
}

/// Optional options text → JSON (`undefined` or empty → `null`).
pub(crate) fn options(text: Option<String>) -> Result<Value, Error> {
    match text {
        Some(t) if !t.is_empty() => comfywire::json::parse(&t),
        _ => Ok(Value::Null),
    }
}
