//! The node catalog: what `GET /object_info` says about every node class.

mod input_spec;
mod parse;

pub use input_spec::{InputKind, InputSpec, SpecType};

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::Result;

/// One input of a node class, in catalog order.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDef {
    pub name: String,
    pub kind: InputKind,
    pub spec: InputSpec,
}

/// One output of a node class.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputDef {
    pub output_type: String,
    pub name: String,
    pub is_list: bool,
    pub tooltip: Option<String>,
}

/// A node class as the server describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeDef {
    pub name: String,
    pub display_name: Option<String>,
    pub category: String,
    pub description: String,
    pub python_module: String,
    /// Required, then optional, then hidden inputs, each group in the server's key order.
    pub inputs: Vec<InputDef>,
    /// `input_order` when the server sent it: (required names, optional names).
    pub input_order: Option<(Vec<String>, Vec<String>)>,
    pub outputs: Vec<OutputDef>,
    pub output_node: bool,
    pub deprecated: bool,
    pub experimental: bool,
    pub api_node: bool,
    /// Defined with the V3 schema API (`comfy_api.latest`), judged from the flags object_info
    /// always sends for such classes. Validation differs in small ways (`RETURN_TYPES` is a list).
    pub v3_schema: bool,
}

impl NodeDef {
    /// The title the editor gives a node of this class when the workflow names none: the
    /// server's `display_name`, else the editor's own English name for the class (V3 nodes send
    /// `null`), else the class name.
    pub fn title(&self) -> &str {
        self.display_name
            .as_deref()
            .filter(|d| !d.is_empty())
            .or_else(|| editor_display_name(&self.name))
            .unwrap_or(&self.name)
    }

    pub fn input(&self, name: &str) -> Option<&InputDef> {
        self.inputs.iter().find(|i| i.name == name)
    }
}

/// The English display name the editor (1.58.1) bundles for a class, if any.
pub fn editor_display_name(class_type: &str) -> Option<&'static str> {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<String, String>> =
        std::sync::OnceLock::new();
    NAMES
        .get_or_init(|| {
            serde_json::from_str(include_str!("../../catalog/editor_display_names.json"))
                .expect("the bundled display names are valid JSON (checked by tests)")
        })
        .get(class_type)
        .map(String::as_str)
}

/// All node classes of one server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    nodes: IndexMap<String, NodeDef>,
}

impl Catalog {
    /// Parses the JSON text of a `GET /object_info` answer.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_value(&crate::json::parse(text)?)
    }

    /// Reads an already parsed `GET /object_info` answer (or a single-class answer merged into one).
    pub fn from_value(value: &Value) -> Result<Self> {
        parse::parse_catalog(value)
    }

    /// The catalog of ComfyUI 0.3.64 (496 classes) shipped inside the crate, parsed once.
    #[cfg(feature = "embedded-catalog")]
    pub fn embedded() -> &'static Catalog {
        static EMBEDDED: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        EMBEDDED.get_or_init(|| {
            Catalog::from_json(include_str!("../../catalog/object_info.json"))
                .expect("the embedded catalog is valid (checked by tests)")
        })
    }

    pub fn get(&self, class_type: &str) -> Option<&NodeDef> {
        self.nodes.get(class_type)
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &NodeDef> {
        self.nodes.values()
    }

    /// Adds or replaces classes (e.g. from `GET /object_info/{class}`).
    pub fn extend(&mut self, other: Catalog) {
        self.nodes.extend(other.nodes);
    }
}
