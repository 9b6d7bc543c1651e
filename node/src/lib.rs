//! Node.js addon of comfywire. Placeholder: the napi-rs layer arrives with its own issue.

pub use comfywire::VERSION;
