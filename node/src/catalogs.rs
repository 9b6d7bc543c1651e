//! Catalogs live in Rust; JavaScript holds a `Catalog` object and functions receive its
//! `handle`, so one parsed `/object_info` serves every call without crossing the boundary again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::{guard, js_error};

type Registry = Mutex<(u32, HashMap<u32, Arc<comfywire::Catalog>>)>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new((0, HashMap::new())))
}

/// The catalog behind a handle; no handle means the embedded ComfyUI 0.3.64 catalog.
pub(crate) fn get(handle: Option<u32>) -> napi::Result<Arc<comfywire::Catalog>> {
    let Some(handle) = handle else {
        return Ok(embedded());
    };
    let found = registry()
        .lock()
        .map_err(|_| napi::Error::from_reason("catalog registry poisoned"))?
        .1
        .get(&handle)
        .cloned();
    found.ok_or_else(|| {
        js_error(&comfywire::Error::InvalidArgument {
            name: "catalog".into(),
            message: "not a live Catalog (made by loadCatalog or client.objectInfo)".into(),
        })
    })
}

fn embedded() -> Arc<comfywire::Catalog> {
    static EMBEDDED: OnceLock<Arc<comfywire::Catalog>> = OnceLock::new();
    EMBEDDED
        .get_or_init(|| Arc::new(comfywire::Catalog::embedded().clone()))
        .clone()
}

/// A node catalog (`GET /object_info`), parsed once with exact integers.
#[napi]
#[derive(Debug)]
pub struct Catalog {
    id: u32,
    inner: Arc<comfywire::Catalog>,
}

impl Catalog {
    pub(crate) fn register(inner: Arc<comfywire::Catalog>) -> Catalog {
        let mut registry = registry().lock().unwrap_or_else(|p| p.into_inner());
        registry.0 = registry.0.wrapping_add(1).max(1);
        let id = registry.0;
        registry.1.insert(id, inner.clone());
        Catalog { id, inner }
    }
}

impl Drop for Catalog {
    fn drop(&mut self) {
        if let Ok(mut registry) = registry().lock() {
            registry.1.remove(&self.id);
        }
    }
}

#[napi]
impl Catalog {
    /// ComfyUI 0.3.64's catalog, built into the addon.
    #[napi(factory)]
    pub fn embedded() -> Catalog {
        Catalog::register(embedded())
    }

    /// Parses the text of a `GET /object_info` answer.
    #[napi(factory, js_name = "fromJson")]
    pub fn from_json(text: String) -> Result<Catalog> {
        let inner = guard(|| comfywire::Catalog::from_json(&text))?;
        Ok(Catalog::register(Arc::new(inner)))
    }

    /// Number of node classes.
    #[napi(js_name = "classCount")]
    pub fn class_count(&self) -> u32 {
        self.inner.len() as u32
    }

    /// How functions find this catalog.
    #[napi(getter)]
    pub fn handle(&self) -> u32 {
        self.id
    }

    /// Whether the server knows this node class.
    #[napi]
    pub fn has(&self, class_type: String) -> bool {
        self.inner.get(&class_type).is_some()
    }
}
