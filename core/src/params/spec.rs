//! Every tunable input of a prompt with its type, current value and accepted range — the shape
//! GenStudio's hosted workflow service publishes (seed 001): `{"type", "current", "spec"}`.

use serde_json::{Map, Value, json};

use crate::address::{Role, Target, find_roles};
use crate::catalog::{Catalog, InputSpec};
use crate::prompt::{Prompt, as_link};

/// The value kind of a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamType {
    Int,
    Float,
    String,
    Boolean,
    /// A combo of plain choices (`sampler_name`).
    List,
    /// A combo of model files (`ckpt_name`, `lora_name`…).
    Model,
    /// A combo of uploaded inputs (`LoadImage.image`).
    Image,
    Video,
    Audio,
}

impl ParamType {
    /// Every kind, in declaration order (the JS `ParamSpec.type` union is checked against it).
    pub const ALL: [ParamType; 9] = [
        ParamType::Int,
        ParamType::Float,
        ParamType::String,
        ParamType::Boolean,
        ParamType::List,
        ParamType::Model,
        ParamType::Image,
        ParamType::Video,
        ParamType::Audio,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ParamType::Int => "INT",
            ParamType::Float => "FLOAT",
            ParamType::String => "STRING",
            ParamType::Boolean => "BOOLEAN",
            ParamType::List => "LIST",
            ParamType::Model => "MODEL",
            ParamType::Image => "IMAGE",
            ParamType::Video => "VIDEO",
            ParamType::Audio => "AUDIO",
        }
    }

    /// The parameter type of a catalog input, `None` when it is a socket (IMAGE, MODEL…).
    pub fn of(name: &str, spec: &InputSpec) -> Option<ParamType> {
        if spec.force_input() {
            return None;
        }
        Some(match spec.type_name() {
            "INT" => ParamType::Int,
            "FLOAT" => ParamType::Float,
            "STRING" => ParamType::String,
            "BOOLEAN" => ParamType::Boolean,
            "COMBO" if spec.flag("image_upload") || spec.flag("animated_image_upload") => {
                ParamType::Image
            }
            "COMBO" if spec.flag("video_upload") => ParamType::Video,
            "COMBO" if spec.flag("audio_upload") => ParamType::Audio,
            "COMBO" if is_model_combo(name, spec) => ParamType::Model,
            "COMBO" => ParamType::List,
            _ => return None,
        })
    }
}

const MODEL_EXTENSIONS: &[&str] = &[
    ".safetensors",
    ".ckpt",
    ".pt",
    ".pth",
    ".bin",
    ".gguf",
    ".sft",
    ".onnx",
    ".pkl",
];

/// `*_name` combos listing model files (or listing nothing: a server with an empty folder).
fn is_model_combo(name: &str, spec: &InputSpec) -> bool {
    let choices = spec.choices().unwrap_or_default();
    let file_like = |v: &Value| {
        v.as_str().is_some_and(|s| {
            MODEL_EXTENSIONS
                .iter()
                .any(|e| s.to_lowercase().ends_with(e))
        })
    };
    let named = name.ends_with("_name") || name.starts_with("clip_name") || name == "model";
    named && name != "sampler_name" && (choices.is_empty() || choices.iter().any(file_like))
}

/// The accepted range of an input: `default`, `min`, `max`, `step`, `round`, `choices`,
/// `multiline`, each only when the catalog states it. Numbers keep their exact text.
pub fn spec_of(spec: &InputSpec) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["default", "min", "max", "step", "round"] {
        if let Some(v) = spec.option(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(choices) = spec.choices() {
        out.insert("choices".into(), Value::Array(choices.to_vec()));
    }
    if spec.multiline() {
        out.insert("multiline".into(), Value::Bool(true));
    }
    out
}

/// One tunable input.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// `#<node id>.<input>`: a selector that always names exactly this input.
    pub selector: String,
    pub node_id: String,
    pub input: String,
    pub class_type: String,
    pub title: Option<String>,
    /// The roles this input plays (`seed`, `positive`…), first role first.
    pub roles: Vec<Role>,
    pub param_type: ParamType,
    pub current: Value,
    pub spec: Map<String, Value>,
}

impl Param {
    /// `{"type", "current", "spec"}` as seed 001 shows.
    pub fn to_spec_json(&self) -> Value {
        json!({"type": self.param_type.as_str(), "current": self.current, "spec": self.spec})
    }

    /// The flat form JavaScript and the CLI show: selector, node, input, class, title, roles, spec.
    pub fn to_json(&self) -> Value {
        crate::js::shapes::to_value(crate::js::shapes::ParamSpec::from(self))
    }
}

/// Every literal widget input of `prompt` the catalog knows, inputs with a role first (in role
/// order), then the rest in prompt order.
pub fn list_params(prompt: &Prompt, catalog: &Catalog) -> Vec<Param> {
    // Target → its roles, in role order: one pass, so a workflow with thousands of candidates
    // of a role (every EmptyImage's width…) stays linear.
    let mut roles_by_target: std::collections::HashMap<Target, Vec<Role>> =
        std::collections::HashMap::new();
    for (role, targets) in find_roles(prompt, catalog) {
        for target in targets {
            let roles = roles_by_target.entry(target).or_default();
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
    }
    let roles_of =
        |t: &Target| -> Vec<Role> { roles_by_target.get(t).cloned().unwrap_or_default() };
    let mut params = Vec::new();
    for (id, node) in &prompt.nodes {
        let Some(class) = node.class_type.as_deref() else {
            continue;
        };
        let Some(def) = catalog.get(class) else {
            continue;
        };
        for (input, value) in &node.inputs {
            if as_link(value).is_some() {
                continue;
            }
            let Some(input_def) = def.input(input) else {
                continue;
            };
            let Some(param_type) = ParamType::of(input, &input_def.spec) else {
                continue;
            };
            let target = Target {
                node_id: id.clone(),
                input: Some(input.clone()),
            };
            params.push(Param {
                selector: target.to_string(),
                node_id: id.clone(),
                input: input.clone(),
                class_type: class.to_string(),
                title: node
                    .meta
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                roles: roles_of(&target),
                param_type,
                current: value.clone(),
                spec: spec_of(&input_def.spec),
            });
        }
    }
    let rank = |p: &Param| {
        p.roles.first().map_or(usize::MAX, |r| {
            Role::ALL.iter().position(|x| x == r).unwrap_or(usize::MAX)
        })
    };
    params.sort_by_key(rank); // stable: prompt order within a rank
    params
}

/// The GenStudio shape: `{"<id>": {"inputs": {"<name>": {"type","current","spec"}}, "class_type", "_meta"}}`.
pub fn params_by_node(prompt: &Prompt, catalog: &Catalog) -> Value {
    let params = list_params(prompt, catalog);
    let by_input: std::collections::HashMap<(&str, &str), &Param> = params
        .iter()
        .map(|p| ((p.node_id.as_str(), p.input.as_str()), p))
        .collect();
    let mut out = Map::new();
    for (id, node) in &prompt.nodes {
        let inputs: Map<String, Value> = node
            .inputs
            .keys()
            .filter_map(|name| by_input.get(&(id.as_str(), name.as_str())))
            .map(|p| (p.input.clone(), p.to_spec_json()))
            .collect();
        if inputs.is_empty() {
            continue;
        }
        let mut entry = Map::new();
        entry.insert("inputs".into(), Value::Object(inputs));
        if let Some(class) = &node.class_type {
            entry.insert("class_type".into(), Value::String(class.clone()));
        }
        if !node.meta.is_empty() {
            entry.insert("_meta".into(), Value::Object(node.meta.clone()));
        }
        out.insert(id.clone(), Value::Object(entry));
    }
    Value::Object(out)
}
