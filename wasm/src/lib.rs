//! comfywire in WebAssembly: the low-level interface the shared JavaScript layer (`createApi`)
//! is built on, identical in names and shapes to the Node addon's (see node/BINDING.md). Every
//! operation is the core's (`comfywire::api`); this crate converts values and moves bytes over
//! `fetch` and `WebSocket`.

mod bridge;
mod client;
mod http;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use comfywire::api;
use wasm_bindgen::prelude::*;

pub use client::{NativeClient, NativeJob};

/// Turns panics into readable console errors (a panic still aborts the call).
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

type JsResult<T> = Result<T, JsValue>;

fn js<T>(result: comfywire::Result<T>) -> JsResult<T> {
    result.map_err(|e| bridge::error(&e))
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    comfywire::VERSION.to_string()
}

/// A node catalog (`GET /object_info`).
///
/// wasm-bindgen cannot take an optional borrowed exported object, so functions receive the
/// JavaScript object and find the catalog through its `handle` in a per-thread registry.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Catalog {
    id: u32,
    pub(crate) inner: Rc<comfywire::Catalog>,
}

thread_local! {
    static CATALOGS: RefCell<(u32, HashMap<u32, Rc<comfywire::Catalog>>)> = RefCell::new((0, HashMap::new()));
}

impl Catalog {
    pub(crate) fn register(inner: Rc<comfywire::Catalog>) -> Catalog {
        let id = CATALOGS.with(|c| {
            let mut c = c.borrow_mut();
            c.0 += 1;
            let id = c.0;
            c.1.insert(id, inner.clone());
            id
        });
        Catalog { id, inner }
    }
}

impl Drop for Catalog {
    fn drop(&mut self) {
        let id = self.id;
        let _ = CATALOGS.try_with(|c| c.borrow_mut().1.remove(&id));
    }
}

#[wasm_bindgen]
impl Catalog {
    /// ComfyUI 0.3.64's catalog, when this build embeds it (`embedded-catalog` feature).
    pub fn embedded() -> JsResult<Catalog> {
        #[cfg(feature = "embedded-catalog")]
        {
            Ok(Catalog::register(Rc::new(
                comfywire::Catalog::embedded().clone(),
            )))
        }
        #[cfg(not(feature = "embedded-catalog"))]
        {
            Err(bridge::error_from_data(&serde_json::json!({
                "code": "NO_EMBEDDED_CATALOG",
                "message": "this build embeds no catalog: pass the server's object_info (loadCatalog) or use a client",
            })))
        }
    }

    /// Parses the text of a `GET /object_info` answer (exact integers kept).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> JsResult<Catalog> {
        Ok(Catalog::register(Rc::new(js(
            comfywire::Catalog::from_json(text),
        )?)))
    }

    #[wasm_bindgen(js_name = classCount)]
    pub fn class_count(&self) -> usize {
        self.inner.len()
    }

    /// How functions find this catalog (see the type's documentation).
    #[wasm_bindgen(getter)]
    pub fn handle(&self) -> u32 {
        self.id
    }

    pub fn has(&self, class_type: &str) -> bool {
        self.inner.get(class_type).is_some()
    }
}

fn catalog_of(catalog: JsValue) -> JsResult<Rc<comfywire::Catalog>> {
    if catalog.is_undefined() || catalog.is_null() {
        return Catalog::embedded().map(|c| c.inner.clone());
    }
    let id = js_sys::Reflect::get(&catalog, &JsValue::from_str("handle"))
        .ok()
        .and_then(|h| h.as_f64())
        .map(|h| h as u32);
    id.and_then(|id| CATALOGS.with(|c| c.borrow().1.get(&id).cloned()))
        .ok_or_else(|| {
            bridge::error_from_data(&serde_json::json!({
                "code": "INVALID_CATALOG",
                "message": "not a live Catalog (made by Catalog.fromJson / loadCatalog, and not freed)",
            }))
        })
}

fn out(value: comfywire::Result<serde_json::Value>) -> JsResult<JsValue> {
    js(value).map(|v| bridge::to_js(&v))
}

/// `{format, version, nodes, links, subgraphs…}` of a workflow or prompt.
#[wasm_bindgen]
pub fn describe(input: JsValue) -> JsResult<JsValue> {
    let doc = js(bridge::document(&input))?;
    Ok(bridge::to_js(&api::describe(&doc)))
}

/// UI workflow (or API prompt) → `{prompt, warnings, controls}`.
#[wasm_bindgen]
pub fn convert(input: JsValue, catalog: JsValue, options: JsValue) -> JsResult<JsValue> {
    let catalog = catalog_of(catalog)?;
    let doc = js(bridge::document(&input))?;
    out(api::convert(doc, &catalog, &js(bridge::options(&options))?))
}

/// JSON text in, the prompt's exact JSON text out.
#[wasm_bindgen(js_name = convertJson)]
pub fn convert_json(text: &str, catalog: JsValue, options: JsValue) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = js(comfywire::Document::from_json(text))?;
    let prompt = js(api::prompt_of(
        doc,
        &catalog,
        &js(bridge::options(&options))?,
    ))?;
    Ok(prompt.to_value().to_string())
}

#[wasm_bindgen(js_name = listParams)]
pub fn list_params(input: JsValue, catalog: JsValue, options: JsValue) -> JsResult<JsValue> {
    let catalog = catalog_of(catalog)?;
    let doc = js(bridge::document(&input))?;
    out(api::list_params(
        doc,
        &catalog,
        &js(bridge::options(&options))?,
    ))
}

#[wasm_bindgen(js_name = findNodes)]
pub fn find_nodes(
    input: JsValue,
    selector: &str,
    catalog: JsValue,
    options: JsValue,
) -> JsResult<JsValue> {
    let catalog = catalog_of(catalog)?;
    let doc = js(bridge::document(&input))?;
    out(api::find_nodes(
        doc,
        &catalog,
        selector,
        &js(bridge::options(&options))?,
    ))
}

#[wasm_bindgen(js_name = applyOverrides)]
pub fn apply_overrides(
    input: JsValue,
    overrides: JsValue,
    catalog: JsValue,
    options: JsValue,
) -> JsResult<JsValue> {
    let catalog = catalog_of(catalog)?;
    let doc = js(bridge::document(&input))?;
    let overrides = js(bridge::from_js(&overrides))?;
    out(api::apply_overrides(
        doc,
        &catalog,
        &overrides,
        &js(bridge::options(&options))?,
    ))
}

/// `{accepted, status, body}`: exactly what the server would answer.
#[wasm_bindgen]
pub fn validate(input: JsValue, catalog: JsValue, options: JsValue) -> JsResult<JsValue> {
    let catalog = catalog_of(catalog)?;
    let value = match input.dyn_ref::<js_sys::Uint8Array>() {
        Some(_) => match js(bridge::document(&input))? {
            comfywire::Document::Api(p) => serde_json::json!({ "prompt": p.to_value() }),
            comfywire::Document::Ui(w) => w.raw.clone(),
        },
        None => match input.as_string() {
            Some(text) => js(comfywire::json::parse(&text))?,
            None => js(bridge::from_js(&input))?,
        },
    };
    out(api::validate(
        value,
        &catalog,
        &js(bridge::options(&options))?,
    ))
}

/// `{prompt, workflow}` embedded in a file ComfyUI wrote.
#[wasm_bindgen]
pub fn extract(bytes: &[u8]) -> JsResult<JsValue> {
    out(api::extract(bytes))
}
