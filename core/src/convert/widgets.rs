//! Node definition → the editor's widget list (conversion spec §4).
//!
//! `widgets_values` is positional over this list, so it must contain exactly the widgets the editor
//! creates, in its order, including the ones the editor adds on its own (`control_after_generate`,
//! `control_filter_list`, `upload`, `audioUI`) which hold a value slot but never reach the API.

use serde_json::{Value, json};

use crate::catalog::{InputKind, InputSpec, NodeDef, SpecType};

/// Widget types the editor can construct (core constructors and core extensions).
const WIDGET_TYPES: &[&str] = &[
    "INT",
    "FLOAT",
    "BOOLEAN",
    "STRING",
    "MARKDOWN",
    "COMBO",
    "IMAGEUPLOAD",
    "COLOR",
    "IMAGECOMPARE",
    "BOUNDING_BOX",
    "CHART",
    "GALLERIA",
    "PAINTER",
    "COMPOSITOR",
    "TEXTAREA",
    "CURVE",
    "RANGE",
    "VIDEO_EDIT",
    "RESOLUTION_PREVIEW",
    "BOUNDING_BOXES",
    "LIGHT_INFO_PREVIEW",
    "COLORS",
    "COMFY_DYNAMICCOMBO_V3",
    "COMFY_DYNAMICGROUP_V3",
    "AUDIO_UI",
    "AUDIOUPLOAD",
    // Registered by the editor's core extensions (3D viewers, webcam, recorder).
    "PREVIEW_3D",
    "LOAD_3D",
    "LOAD_3D_ANIMATION",
    "WEBCAM",
    "AUDIO_RECORD",
];

/// Nodes whose 3D viewer the editor adds as a `required.image` widget (sent to the API as `""`).
const PREVIEW_3D_NODES: &[&str] = &["SaveGLB", "Preview3D"];

/// Nodes that get the frontend-only `audioUI` player widget.
const AUDIO_UI_NODES: &[&str] = &[
    "LoadAudio",
    "SaveAudio",
    "PreviewAudio",
    "SaveAudioMP3",
    "SaveAudioOpus",
    "SaveAudioAdvanced",
];

const UPLOAD_FLAGS: &[&str] = &["image_upload", "video_upload", "animated_image_upload"];

/// What a widget is, as far as conversion cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WidgetRole {
    /// A widget backed by a catalog input; its value goes to the API under its name.
    Input,
    /// `control_after_generate` / `control_filter_list` / `upload` / `audioUI`: editor-only.
    Pseudo,
    /// A button (`refresh` of remote combos): takes a value slot, keeps its own value, and the
    /// editor sends it to the API under its name.
    Button,
}

/// One widget of a node, in the editor's order.
#[derive(Debug, Clone)]
pub(crate) struct WidgetDef {
    pub name: String,
    /// The widget type (`INT`, `COMBO`, `IMAGEUPLOAD`, …).
    pub widget_type: String,
    pub role: WidgetRole,
    /// Whether it owns a slot in `widgets_values` (`widget.serialize !== false`).
    pub saved: bool,
    /// The value it has before `widgets_values` is applied; `None` is JS `undefined` (a combo
    /// with no choices and no default), which the API prompt leaves out.
    pub default: Option<Value>,
    pub spec: Option<InputSpec>,
}

impl WidgetDef {
    pub fn to_api(&self) -> bool {
        matches!(self.role, WidgetRole::Input | WidgetRole::Button)
    }
}

/// An input as the editor's node definition holds it.
pub(crate) type EditorInput = (String, InputKind, InputSpec);

/// The editor's `nodeData.inputs`: required inputs (with those its extensions inject appended),
/// then optional ones, in catalog key order. `migrateWidgetsValues` walks this order.
pub(crate) fn node_data_inputs(def: &NodeDef) -> Vec<EditorInput> {
    let mut required: Vec<EditorInput> = Vec::new();
    let mut optional = Vec::new();
    for input in &def.inputs {
        let entry = (input.name.clone(), input.kind, input.spec.clone());
        match input.kind {
            InputKind::Required => required.push(entry),
            InputKind::Optional => optional.push(entry),
            InputKind::Hidden => {}
        }
    }
    let injected = injected_inputs(def, &required);
    for entry in injected {
        // Injection assigns `required[name]`: an existing key keeps its place.
        match required.iter_mut().find(|(n, _, _)| *n == entry.0) {
            Some(slot) => *slot = entry,
            None => required.push(entry),
        }
    }
    required.extend(optional);
    required
}

/// `getOrderedInputSpecs`: `input_order` names first (required, then optional), then the rest.
pub(crate) fn editor_inputs(def: &NodeDef) -> Vec<EditorInput> {
    let mut rest = node_data_inputs(def);
    let Some((req_order, opt_order)) = &def.input_order else {
        return rest;
    };
    let mut ordered = Vec::with_capacity(rest.len());
    for (names, kind) in [
        (req_order, InputKind::Required),
        (opt_order, InputKind::Optional),
    ] {
        for name in names {
            if let Some(pos) = rest.iter().position(|(n, k, _)| n == name && *k == kind) {
                ordered.push(rest.remove(pos));
            }
        }
    }
    ordered.extend(rest);
    ordered
}

fn injected_inputs(def: &NodeDef, required: &[EditorInput]) -> Vec<EditorInput> {
    let mut out = Vec::new();
    let spec = |t: &str, options: Value| InputSpec {
        spec_type: SpecType::Named(t.to_string()),
        options: options.as_object().cloned().unwrap_or_default(),
    };
    if let Some((name, _, _)) = required
        .iter()
        .find(|(_, _, s)| s.is_combo() && UPLOAD_FLAGS.iter().any(|f| s.flag(f)))
    {
        out.push((
            "upload".to_string(),
            InputKind::Required,
            spec("IMAGEUPLOAD", json!({"imageInputName": name})),
        ));
    }
    if PREVIEW_3D_NODES.contains(&def.name.as_str()) {
        out.push((
            "image".to_string(),
            InputKind::Required,
            spec("PREVIEW_3D", json!({})),
        ));
    }
    if AUDIO_UI_NODES.contains(&def.name.as_str()) {
        out.push((
            "audioUI".to_string(),
            InputKind::Required,
            spec("AUDIO_UI", json!({})),
        ));
    }
    if required
        .iter()
        .any(|(n, _, s)| n == "audio" && s.flag("audio_upload"))
    {
        out.push((
            "upload".to_string(),
            InputKind::Required,
            spec("AUDIOUPLOAD", json!({})),
        ));
    }
    out
}

/// Whether an input spec makes a widget (rather than a socket only).
pub(crate) fn is_widget(spec: &InputSpec) -> bool {
    if spec.force_input() {
        return false;
    }
    let widget_type = spec
        .option("widgetType")
        .and_then(Value::as_str)
        .unwrap_or(spec.type_name());
    WIDGET_TYPES.contains(&widget_type)
}

/// The widget list of a node class, with each dynamic combo showing its default option.
pub(crate) fn widget_list(def: &NodeDef) -> Vec<WidgetDef> {
    let mut widgets = Vec::new();
    for (name, _, spec) in editor_inputs(def) {
        widgets.extend(widgets_for_input(&name, &spec));
    }
    widgets
}

/// The widgets one input creates: itself, the widgets the editor attaches to it, and for a
/// dynamic combo the widgets of its current option.
pub(crate) fn widgets_for_input(name: &str, spec: &InputSpec) -> Vec<WidgetDef> {
    if !is_widget(spec) {
        return Vec::new();
    }
    let widget_type = spec
        .option("widgetType")
        .and_then(Value::as_str)
        .unwrap_or(spec.type_name())
        .to_string();
    let (role, saved) = match widget_type.as_str() {
        "IMAGEUPLOAD" | "AUDIOUPLOAD" => (WidgetRole::Pseudo, true),
        "AUDIO_UI" => (WidgetRole::Pseudo, false),
        _ => (WidgetRole::Input, true),
    };
    let default = default_value(&widget_type, spec);
    let mut extra = Vec::new();
    if widget_type == "COMBO" && remote_refresh_button(spec) {
        extra.push(WidgetDef {
            name: "refresh".into(),
            widget_type: "button".into(),
            role: WidgetRole::Button,
            saved: true,
            default: Some(Value::String("refresh".into())),
            spec: None,
        });
    }
    extra.extend(control_widgets(name, &widget_type, spec));
    if widget_type == DYNAMIC_COMBO {
        let key = default
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        extra.extend(
            dynamic_option_inputs(name, spec, &key)
                .iter()
                .flat_map(|(n, _, s)| widgets_for_input(n, s)),
        );
    }
    let mut widgets = vec![WidgetDef {
        name: name.to_string(),
        widget_type,
        role,
        saved,
        default,
        spec: Some(spec.clone()),
    }];
    widgets.extend(extra);
    widgets
}

pub(crate) const DYNAMIC_COMBO: &str = "COMFY_DYNAMICCOMBO_V3";

/// The inputs option `key` of dynamic combo `name` adds, named `name.child` (required, then optional).
pub(crate) fn dynamic_option_inputs(name: &str, spec: &InputSpec, key: &str) -> Vec<EditorInput> {
    let Some(option) = spec
        .option("options")
        .and_then(Value::as_array)
        .and_then(|opts| {
            opts.iter()
                .find(|o| o.get("key").and_then(Value::as_str) == Some(key))
        })
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (section, kind) in [
        ("required", InputKind::Required),
        ("optional", InputKind::Optional),
    ] {
        let Some(entries) = option
            .get("inputs")
            .and_then(|i| i.get(section))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (child, child_spec) in entries {
            let Some(parts) = child_spec.as_array() else {
                continue;
            };
            let spec_type = match parts.first() {
                Some(Value::Array(choices)) => SpecType::LegacyCombo(choices.clone()),
                Some(Value::String(t)) => SpecType::Named(t.clone()),
                _ => continue,
            };
            let options = parts
                .get(1)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            out.push((
                format!("{name}.{child}"),
                kind,
                InputSpec { spec_type, options },
            ));
        }
    }
    out
}

fn remote_refresh_button(spec: &InputSpec) -> bool {
    spec.option("remote")
        .and_then(|r| r.get("refresh_button"))
        .is_some_and(|b| b.as_bool() == Some(true))
}

/// The value a fresh widget holds (spec `default`, else the first choice, else an empty value).
pub(crate) fn default_value(widget_type: &str, spec: &InputSpec) -> Option<Value> {
    if widget_type == DYNAMIC_COMBO {
        let first_key = spec
            .option("options")
            .and_then(Value::as_array)
            .and_then(|o| o.first())
            .and_then(|o| o.get("key"));
        return first_key.cloned();
    }
    if widget_type == "COMBO" {
        return match spec.default_value() {
            Some(d) if truthy(d) => Some(d.clone()),
            _ => match spec.choices().and_then(|c| c.first()) {
                Some(first) => Some(first.clone()),
                None if spec.option("remote").is_some() => Some(Value::String("Loading...".into())),
                None => None,
            },
        };
    }
    if let Some(d) = spec.default_value() {
        return Some(d.clone());
    }
    Some(match widget_type {
        "INT" | "FLOAT" => json!(0),
        "BOOLEAN" => Value::Bool(false),
        "STRING" | "TEXTAREA" | "MARKDOWN" => Value::String(String::new()),
        "IMAGEUPLOAD" => Value::String("image".into()),
        "AUDIOUPLOAD" | "PREVIEW_3D" | "LOAD_3D" | "LOAD_3D_ANIMATION" | "WEBCAM"
        | "AUDIO_RECORD" => Value::String(String::new()),
        _ => Value::Null,
    })
}

/// `control_after_generate` (and for combos `control_filter_list`) widgets the editor appends.
fn control_widgets(name: &str, widget_type: &str, spec: &InputSpec) -> Vec<WidgetDef> {
    let option = spec.option("control_after_generate");
    let wanted = match widget_type {
        "INT" => match option {
            Some(_) => spec.flag("control_after_generate"),
            None => name == "seed" || name == "noise_seed",
        },
        "COMBO" => spec.flag("control_after_generate"),
        _ => false,
    };
    if !wanted {
        return Vec::new();
    }
    let default = match option {
        Some(Value::String(mode)) if CONTROL_MODES.contains(&mode.as_str()) => mode.clone(),
        _ => "randomize".to_string(),
    };
    let control_name = match (
        option,
        spec.option("control_prefix").and_then(Value::as_str),
    ) {
        (Some(Value::String(custom)), _) if !CONTROL_MODES.contains(&custom.as_str()) => {
            custom.clone()
        }
        (_, Some(prefix)) => format!("{prefix} control_after_generate"),
        _ => "control_after_generate".to_string(),
    };
    let pseudo = |name: String, default: Value| WidgetDef {
        name,
        widget_type: "COMBO".into(),
        role: WidgetRole::Pseudo,
        saved: true,
        default: Some(default),
        spec: None,
    };
    let mut out = vec![pseudo(control_name, Value::String(default))];
    if widget_type == "COMBO" {
        out.push(pseudo(
            "control_filter_list".into(),
            Value::String(String::new()),
        ));
    }
    out
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

pub(crate) const CONTROL_MODES: &[&str] = &[
    "fixed",
    "increment",
    "decrement",
    "randomize",
    "increment-wrap",
];

#[cfg(all(test, feature = "embedded-catalog"))]
mod tests {
    use super::*;
    use crate::Catalog;

    fn names(class: &str) -> Vec<String> {
        widget_list(Catalog::embedded().get(class).unwrap())
            .into_iter()
            .map(|w| w.name)
            .collect()
    }

    #[test]
    fn input_order_puts_listed_names_first_and_injected_inputs_last() {
        let c = Catalog::from_json(
            r#"{"N": {"input": {"required": {"b": ["INT"], "a": [["x.png"], {"image_upload": true}]},
                     "optional": {"z": ["STRING"]}, "hidden": {"p": "PROMPT", "u": ["UNIQUE_ID"]}},
                     "input_order": {"required": ["a", "b"], "optional": ["z"]}, "output": []}}"#,
        )
        .unwrap();
        let names: Vec<String> = editor_inputs(c.get("N").unwrap())
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        assert_eq!(names, ["a", "b", "z", "upload"]);
        // Without `input_order`, injected inputs close the required ones, before the optional.
        let c = Catalog::from_json(
            r#"{"N": {"input": {"required": {"b": ["INT"], "a": [["x.png"], {"image_upload": true}]},
                     "optional": {"z": ["STRING"]}}, "output": []}}"#,
        )
        .unwrap();
        let names: Vec<String> = editor_inputs(c.get("N").unwrap())
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        assert_eq!(names, ["b", "a", "upload", "z"]);
    }

    #[test]
    fn ksampler_gets_a_control_widget_after_seed() {
        assert_eq!(
            names("KSampler"),
            [
                "seed",
                "control_after_generate",
                "steps",
                "cfg",
                "sampler_name",
                "scheduler",
                "denoise"
            ]
        );
    }

    #[test]
    fn load_image_gets_an_upload_button() {
        assert_eq!(names("LoadImage"), ["image", "upload"]);
    }

    #[test]
    fn load_audio_gets_player_and_upload() {
        let list = widget_list(Catalog::embedded().get("LoadAudio").unwrap());
        let summary: Vec<_> = list.iter().map(|w| (w.name.as_str(), w.saved)).collect();
        assert_eq!(
            summary,
            [("audio", true), ("audioUI", false), ("upload", true)]
        );
    }
}
