//! comfywire as a Node.js addon: the low-level interface the shared JavaScript layer
//! (`node/lib/api.js`, `createApi`) is built on. It is identical in names and shapes to the wasm
//! build's (see node/BINDING.md): documents, options and results cross as JSON text, so the
//! JavaScript layer decides once, for both runtimes, how integers beyond 2^53 become `BigInt`.
//! Every operation is the core's (`comfywire::js`); this crate converts arguments and drives
//! the native transport (`comfywire-client`). Errors are thrown with the core's error data as
//! their JSON message; a panic becomes `{"code": "INTERNAL"}` instead of crossing into Node.

mod catalogs;
mod client;

use std::panic::{AssertUnwindSafe, catch_unwind};

use comfywire::{Document, js};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

pub use catalogs::Catalog;
pub use client::{NativeClient, NativeJob, connect};

/// An error thrown into JavaScript: the message is the core's error data as JSON text.
pub(crate) fn js_error(error: &comfywire::Error) -> napi::Error {
    napi::Error::new(Status::GenericFailure, js::error_data(error).to_string())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

pub(crate) fn internal(payload: &(dyn std::any::Any + Send)) -> napi::Error {
    js_error(&comfywire::Error::Internal {
        message: panic_message(payload),
    })
}

/// Runs `f`, turning core errors into thrown errors and panics into `INTERNAL`.
pub(crate) fn guard<T>(f: impl FnOnce() -> comfywire::Result<T>) -> napi::Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(|e| js_error(&e)),
        Err(payload) => Err(internal(payload.as_ref())),
    }
}

pub(crate) fn parse(text: &str) -> comfywire::Result<Value> {
    comfywire::json::parse(text)
}

fn options(text: Option<String>) -> comfywire::Result<Value> {
    match text {
        Some(t) if !t.is_empty() => parse(&t),
        _ => Ok(Value::Null),
    }
}

/// The crate version.
#[napi]
pub fn version() -> String {
    comfywire::VERSION.to_string()
}

/// Panics inside the guard, so tests can see that a panic reaches JavaScript as `INTERNAL`
/// and the process goes on (not part of the API).
#[napi(js_name = "__panicForTests")]
pub fn panic_for_tests() -> Result<()> {
    guard(|| -> comfywire::Result<()> { panic!("a deliberate panic (tests)") })
}

/// `{format, version, nodes, links, subgraphs…}` of a workflow or prompt given as JSON text.
#[napi]
pub fn describe(input: String) -> Result<String> {
    guard(|| Ok(js::describe(&Document::from_json(&input)?).to_string()))
}

/// The same for the bytes of a file ComfyUI wrote (PNG, WebP, FLAC, Ogg, MP3) or JSON bytes.
#[napi(js_name = "describeBytes")]
pub fn describe_bytes(input: Uint8Array) -> Result<String> {
    guard(|| Ok(js::describe(&Document::from_bytes(&input)?).to_string()))
}

/// UI workflow (or API prompt) → `{prompt, warnings, controls}`.
#[napi]
pub fn convert(
    input: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let doc = Document::from_json(&input)?;
        Ok(js::convert(doc, &catalog, &options(options_json)?)?.to_string())
    })
}

/// JSON text in, the prompt's exact JSON text out.
#[napi(js_name = "convertJson")]
pub fn convert_json(
    input: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let doc = Document::from_json(&input)?;
        Ok(js::prompt_of(doc, &catalog, &options(options_json)?)?
            .to_value()
            .to_string())
    })
}

/// Every parameter with its spec.
#[napi(js_name = "listParams")]
pub fn list_params(
    input: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let doc = Document::from_json(&input)?;
        Ok(js::list_params(doc, &catalog, &options(options_json)?)?.to_string())
    })
}

/// The nodes (and inputs) a selector names.
#[napi(js_name = "findNodes")]
pub fn find_nodes(
    input: String,
    selector: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let doc = Document::from_json(&input)?;
        Ok(js::find_nodes(doc, &catalog, &selector, &options(options_json)?)?.to_string())
    })
}

/// `{ok, prompt, issues, changes, warnings}`: all overrides applied, or none.
#[napi(js_name = "applyOverrides")]
pub fn apply_overrides(
    input: String,
    overrides: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let doc = Document::from_json(&input)?;
        let overrides = parse(&overrides)?;
        Ok(js::apply_overrides(doc, &catalog, &overrides, &options(options_json)?)?.to_string())
    })
}

/// `{accepted, status, body}`: exactly what the server would answer to `POST /prompt`.
#[napi]
pub fn validate(
    input: String,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> Result<String> {
    let catalog = catalogs::get(catalog)?;
    guard(|| Ok(js::validate(parse(&input)?, &catalog, &options(options_json)?)?.to_string()))
}

/// Throws `PROMPT_REJECTED` when the server would run this prompt only in part (`strict`).
#[napi(js_name = "refusePartial")]
pub fn refuse_partial(prompt: String, catalog: Option<u32>) -> Result<()> {
    let catalog = catalogs::get(catalog)?;
    guard(|| js::refuse_partial(&parse(&prompt)?, &catalog))
}

/// `{prompt, workflow}` embedded in a file ComfyUI wrote.
#[napi]
pub fn extract(bytes: Uint8Array) -> Result<String> {
    guard(|| Ok(js::extract(&bytes)?.to_string()))
}

/// Why a server with this catalog cannot run the prompt (a missing class or model), or `null`.
#[napi]
pub fn incapable(prompt: String, catalog: Option<u32>) -> Result<Option<String>> {
    let catalog = catalogs::get(catalog)?;
    guard(|| {
        let prompt = comfywire::Prompt::from_value(&parse(&prompt)?)?;
        Ok(js::incapable(&catalog, &prompt))
    })
}

/// The pool's choice (`comfywire::js::pick_server_json`): the index, or `NO_SERVER`.
#[napi(js_name = "pickServer")]
pub fn pick_server(servers: String) -> Result<u32> {
    guard(|| Ok(js::pick_server_json(&parse(&servers)?)? as u32))
}
