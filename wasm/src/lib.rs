//! comfywire in WebAssembly: the low-level interface the shared JavaScript layer (`createApi`)
//! is built on, identical in names and shapes to the Node addon's (see node/BINDING.md): JSON text in and out. Every
//! operation is the core's (`comfywire::js`); this crate converts values and moves bytes over
//! `fetch` and `WebSocket`.

mod bridge;
mod client;
mod http;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use comfywire::{Document, js};
use wasm_bindgen::prelude::*;

pub use client::{Item, NativeClient, NativeJob, connect};

/// Turns panics into readable console errors (a panic still aborts the call).
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

type JsResult<T> = Result<T, JsValue>;

fn thrown<T>(result: comfywire::Result<T>) -> JsResult<T> {
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
            Err(bridge::error(&comfywire::Error::InvalidArgument {
                name: "catalog".into(),
                message: "this build embeds no catalog: pass the server's object_info (loadCatalog) or a client's objectInfo()".into(),
            }))
        }
    }

    /// Parses the text of a `GET /object_info` answer (exact integers kept).
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> JsResult<Catalog> {
        Ok(Catalog::register(Rc::new(thrown(
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

fn catalog_of(handle: Option<u32>) -> JsResult<Rc<comfywire::Catalog>> {
    let Some(id) = handle else {
        return Catalog::embedded().map(|c| c.inner.clone());
    };
    CATALOGS
        .with(|c| c.borrow().1.get(&id).cloned())
        .ok_or_else(|| {
            bridge::error(&comfywire::Error::InvalidArgument {
                name: "catalog".into(),
                message:
                    "not a live Catalog (made by loadCatalog or client.objectInfo, and not freed)"
                        .into(),
            })
        })
}

fn text(value: comfywire::Result<serde_json::Value>) -> JsResult<String> {
    thrown(value).map(|v| v.to_string())
}

fn options(text: Option<String>) -> JsResult<serde_json::Value> {
    thrown(bridge::options(text))
}

/// `{format, version, nodes, links, subgraphs…}` of a workflow or prompt (JSON text).
#[wasm_bindgen]
pub fn describe(input: &str) -> JsResult<String> {
    let doc = thrown(Document::from_json(input))?;
    Ok(js::describe(&doc).to_string())
}

/// The same for the bytes of a file ComfyUI wrote (PNG, WebP, FLAC, Ogg, MP3) or JSON bytes.
#[wasm_bindgen(js_name = describeBytes)]
pub fn describe_bytes(input: &[u8]) -> JsResult<String> {
    let doc = thrown(Document::from_bytes(input))?;
    Ok(js::describe(&doc).to_string())
}

/// UI workflow (or API prompt) → `{prompt, warnings, controls}`.
#[wasm_bindgen]
pub fn convert(
    input: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = thrown(Document::from_json(input))?;
    text(js::convert(doc, &catalog, &options(options_json)?))
}

/// JSON text in, the prompt's exact JSON text out.
#[wasm_bindgen(js_name = convertJson)]
pub fn convert_json(
    input: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = thrown(Document::from_json(input))?;
    let prompt = thrown(js::prompt_of(doc, &catalog, &options(options_json)?))?;
    Ok(prompt.to_value().to_string())
}

/// Every parameter with its spec.
#[wasm_bindgen(js_name = listParams)]
pub fn list_params(
    input: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = thrown(Document::from_json(input))?;
    text(js::list_params(doc, &catalog, &options(options_json)?))
}

/// The nodes (and inputs) a selector names.
#[wasm_bindgen(js_name = findNodes)]
pub fn find_nodes(
    input: &str,
    selector: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = thrown(Document::from_json(input))?;
    text(js::find_nodes(
        doc,
        &catalog,
        selector,
        &options(options_json)?,
    ))
}

/// `{ok, prompt, issues, changes, warnings}`: all overrides applied, or none.
#[wasm_bindgen(js_name = applyOverrides)]
pub fn apply_overrides(
    input: &str,
    overrides: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let doc = thrown(Document::from_json(input))?;
    let overrides = thrown(comfywire::json::parse(overrides))?;
    text(js::apply_overrides(
        doc,
        &catalog,
        &overrides,
        &options(options_json)?,
    ))
}

/// `{accepted, status, body}`: exactly what the server would answer to `POST /prompt`.
#[wasm_bindgen]
pub fn validate(
    input: &str,
    catalog: Option<u32>,
    options_json: Option<String>,
) -> JsResult<String> {
    let catalog = catalog_of(catalog)?;
    let value = thrown(comfywire::json::parse(input))?;
    text(js::validate(value, &catalog, &options(options_json)?))
}

/// Throws `PROMPT_REJECTED` when the server would run this prompt only in part (`strict`).
#[wasm_bindgen(js_name = refusePartial)]
pub fn refuse_partial(prompt: &str, catalog: Option<u32>) -> JsResult<()> {
    let catalog = catalog_of(catalog)?;
    let value = thrown(comfywire::json::parse(prompt))?;
    thrown(js::refuse_partial(&value, &catalog))
}

/// `{prompt, workflow}` embedded in a file ComfyUI wrote.
#[wasm_bindgen]
pub fn extract(bytes: &[u8]) -> JsResult<String> {
    text(js::extract(bytes))
}

/// Why a server with this catalog cannot run the prompt (a missing class or model), or `null`.
#[wasm_bindgen]
pub fn incapable(prompt: &str, catalog: Option<u32>) -> JsResult<Option<String>> {
    let catalog = catalog_of(catalog)?;
    let prompt =
        thrown(comfywire::json::parse(prompt).and_then(|v| comfywire::Prompt::from_value(&v)))?;
    Ok(js::incapable(&catalog, &prompt))
}

/// The pool's choice (`comfywire::js::pick_server_json`): the index, or `NO_SERVER`.
#[wasm_bindgen(js_name = pickServer)]
pub fn pick_server(servers: &str) -> JsResult<u32> {
    let servers = thrown(comfywire::json::parse(servers))?;
    Ok(thrown(js::pick_server_json(&servers))? as u32)
}
