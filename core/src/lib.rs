//! comfywire: drive ComfyUI exactly as its editor does.
//!
//! This crate is the pure core: no I/O, no binding dependencies, builds for `wasm32-unknown-unknown`.
//! - [`workflow`]: the editor's UI format; [`prompt`]: the API format `POST /prompt` takes;
//! - [`catalog`]: node classes from `GET /object_info` (ComfyUI 0.3.64's is embedded);
//! - [`convert`]: UI → API, identical to the editor's `graphToPrompt`.

pub mod address;
pub mod api;
pub mod catalog;
pub mod convert;
pub mod document;
pub mod error;
pub mod json;
pub mod media;
pub mod params;
pub mod prompt;
pub mod protocol;
pub mod validate;
pub mod workflow;

pub use catalog::Catalog;
pub use convert::{Conversion, ConvertOptions, ValueControl, Warning, WarningCode, convert};
pub use document::Document;
pub use error::{ERROR_CODES, Error, Result};
pub use prompt::Prompt;
pub use workflow::Workflow;

/// The crate version, as bindings report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
