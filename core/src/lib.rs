//! comfywire: drive ComfyUI exactly as its editor does.
//!
//! This crate is the pure core: no I/O, no binding dependencies, builds for `wasm32-unknown-unknown`.
//! - [`workflow`]: the editor's UI format; [`prompt`]: the API format `POST /prompt` takes;
//!   [`document`]: either, from JSON or from a file ComfyUI wrote ([`media`]: PNG, WebP, FLAC…);
//! - [`catalog`]: node classes from `GET /object_info` (ComfyUI 0.3.64's is embedded);
//! - [`convert`](mod@convert): UI → API, identical to the editor's `graphToPrompt`;
//! - [`address`]: nodes by id, title, class or role; [`params`]: every tunable input, overrides;
//! - [`validate`]: what the server would answer to `POST /prompt` (its `node_errors`);
//! - [`protocol`]: the server protocol without I/O — requests, responses, WebSocket frames, job
//!   tracking and the [`protocol::Session`] drivers run;
//! - [`js`]: the JavaScript API's operations, options and result shapes, for both bindings;
//! - [`json`]: exact JSON (integers never pass through `f64`); [`error`]: the error enum.

pub mod address;
pub mod catalog;
pub mod convert;
pub mod document;
pub mod error;
pub mod js;
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
