use serde_json::{Map, Value};

/// Which section of the node's `input` an input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Required,
    Optional,
    Hidden,
}

/// The declared type of an input.
#[derive(Debug, Clone, PartialEq)]
pub enum SpecType {
    /// A legacy combo `[["a", "b"], {…}]`: the choices stand where the type name would.
    LegacyCombo(Vec<Value>),
    /// Any named type: `INT`, `FLOAT`, `COMBO` (V3), `IMAGE`, `MODEL,CLIP`, `*`, `COMFY_AUTOGROW_V3`…
    Named(String),
}

/// `[type, options]` of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    pub spec_type: SpecType,
    pub options: Map<String, Value>,
}

impl InputSpec {
    /// `COMBO` for both combo spellings, else the type name.
    pub fn type_name(&self) -> &str {
        match &self.spec_type {
            SpecType::LegacyCombo(_) => "COMBO",
            SpecType::Named(name) => name,
        }
    }

    pub fn is_combo(&self) -> bool {
        self.type_name() == "COMBO"
    }

    /// Combo choices: the legacy list, or V3 `options`.
    pub fn choices(&self) -> Option<&[Value]> {
        match &self.spec_type {
            SpecType::LegacyCombo(list) => Some(list),
            SpecType::Named(name) if name == "COMBO" => self
                .options
                .get("options")
                .and_then(Value::as_array)
                .map(Vec::as_slice),
            SpecType::Named(_) => None,
        }
    }

    pub fn option(&self, key: &str) -> Option<&Value> {
        self.options.get(key).filter(|v| !v.is_null())
    }

    /// A boolean option, with JS truthiness (`"randomize"` counts as true).
    pub fn flag(&self, key: &str) -> bool {
        match self.option(key) {
            None | Some(Value::Bool(false)) => false,
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            Some(_) => true,
        }
    }

    pub fn default_value(&self) -> Option<&Value> {
        self.option("default")
    }

    /// Numeric bounds and steps, exactly as the server sent them (an INT max of
    /// 18446744073709551615 stays that number).
    pub fn min(&self) -> Option<&Value> {
        self.option("min")
    }
    pub fn max(&self) -> Option<&Value> {
        self.option("max")
    }
    pub fn step(&self) -> Option<&Value> {
        self.option("step")
    }
    /// FLOAT rounding precision; `false` disables rounding.
    pub fn round(&self) -> Option<&Value> {
        self.option("round")
    }
    pub fn multiline(&self) -> bool {
        self.flag("multiline")
    }
    /// An input that is a socket only, never a widget.
    pub fn force_input(&self) -> bool {
        self.flag("forceInput")
    }
    /// `control_after_generate`: `true`, a default mode (`"fixed"`…), or absent.
    pub fn control_after_generate(&self) -> Option<&Value> {
        self.option("control_after_generate")
    }
    /// A media combo the editor gives an upload button.
    pub fn media_upload(&self) -> bool {
        [
            "image_upload",
            "video_upload",
            "animated_image_upload",
            "audio_upload",
        ]
        .iter()
        .any(|k| self.flag(k))
    }
    /// `{a|b}` in this STRING is resolved by the editor at queue time.
    pub fn dynamic_prompts(&self) -> bool {
        self.flag("dynamicPrompts")
    }
    pub fn tooltip(&self) -> Option<&str> {
        self.option("tooltip").and_then(Value::as_str)
    }
    /// A combo whose choices the editor fetches from a server route.
    pub fn remote(&self) -> Option<&Value> {
        self.option("remote")
    }
}
