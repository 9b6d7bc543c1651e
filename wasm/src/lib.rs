//! WebAssembly bindings of comfywire. Placeholder: the wasm-bindgen layer arrives with its own issue;
//! until then this crate only proves the core links into a wasm build unchanged.

pub use comfywire::VERSION;
