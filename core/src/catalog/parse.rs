use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::{Catalog, InputDef, InputKind, InputSpec, NodeDef, OutputDef, SpecType};
use crate::error::{Document, Result};
use crate::json::{JsonPath, Reader, member};

const R: Reader = Reader {
    doc: Document::Catalog,
};

pub(super) fn parse_catalog(value: &Value) -> Result<Catalog> {
    let root = JsonPath::Root;
    let mut nodes = IndexMap::new();
    for (class, def) in R.object(value, &root)? {
        let path = root.key(class);
        nodes.insert(class.clone(), parse_node_def(class, def, &path)?);
    }
    Ok(Catalog { nodes })
}

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    member(obj, key).and_then(Value::as_str).map(str::to_string)
}

fn flag(obj: &Map<String, Value>, key: &str) -> bool {
    member(obj, key).and_then(Value::as_bool).unwrap_or(false)
}

fn parse_node_def(class: &str, def: &Value, path: &JsonPath) -> Result<NodeDef> {
    let obj = R.object(def, path)?;
    let mut inputs = Vec::new();
    if let Some(input) = member(obj, "input") {
        let input_path = path.key("input");
        let sections = R.object(input, &input_path)?;
        for (section, kind) in [
            ("required", InputKind::Required),
            ("optional", InputKind::Optional),
            ("hidden", InputKind::Hidden),
        ] {
            let Some(entries) = member(sections, section) else {
                continue;
            };
            let section_path = input_path.key(section);
            for (name, spec) in R.object(entries, &section_path)? {
                let spec = parse_spec(spec, kind, &section_path.key(name))?;
                inputs.push(InputDef {
                    name: name.clone(),
                    kind,
                    spec,
                });
            }
        }
    }
    let input_order = member(obj, "input_order")
        .and_then(Value::as_object)
        .map(|o| {
            let names = |k: &str| -> Vec<String> {
                member(o, k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            (names("required"), names("optional"))
        });

    let list = |key: &str| {
        member(obj, key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (types, names, is_list, tooltips) = (
        list("output"),
        list("output_name"),
        list("output_is_list"),
        list("output_tooltips"),
    );
    let outputs = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let output_type = match t {
                Value::String(s) => s.clone(),
                // Legacy combo outputs list their choices.
                Value::Array(_) => "COMBO".to_string(),
                other => other.to_string(),
            };
            OutputDef {
                name: names
                    .get(i)
                    .and_then(Value::as_str)
                    .unwrap_or(&output_type)
                    .to_string(),
                output_type,
                is_list: is_list.get(i).and_then(Value::as_bool).unwrap_or(false),
                tooltip: tooltips.get(i).and_then(Value::as_str).map(str::to_string),
            }
        })
        .collect();

    Ok(NodeDef {
        name: text(obj, "name").unwrap_or_else(|| class.to_string()),
        display_name: text(obj, "display_name"),
        category: text(obj, "category").unwrap_or_default(),
        description: text(obj, "description").unwrap_or_default(),
        python_module: text(obj, "python_module").unwrap_or_default(),
        inputs,
        input_order,
        outputs,
        output_node: flag(obj, "output_node"),
        deprecated: flag(obj, "deprecated"),
        experimental: flag(obj, "experimental"),
        api_node: flag(obj, "api_node"),
        // V3 classes always send all three flags; V1 classes send deprecated/experimental only when true.
        v3_schema: ["deprecated", "experimental", "api_node"]
            .iter()
            .all(|k| obj.contains_key(*k)),
    })
}

fn parse_spec(spec: &Value, kind: InputKind, path: &JsonPath) -> Result<InputSpec> {
    // Hidden inputs are `"PROMPT"` (V1) or `["UNIQUE_ID"]` (V3).
    if let (InputKind::Hidden, Value::String(t)) = (kind, spec) {
        return Ok(InputSpec {
            spec_type: SpecType::Named(t.clone()),
            options: Map::new(),
        });
    }
    let parts = R.array(spec, path)?;
    let Some(first) = parts.first() else {
        return Err(Document::Catalog.error(path, "empty input spec"));
    };
    let spec_type = match first {
        Value::Array(choices) => SpecType::LegacyCombo(choices.clone()),
        Value::String(name) => SpecType::Named(name.clone()),
        other => {
            return Err(Document::Catalog.error(
                path.index(0),
                format!(
                    "expected a type name or a list of choices, found {}",
                    crate::json::kind(other)
                ),
            ));
        }
    };
    let options = parts
        .get(1)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(InputSpec { spec_type, options })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "embedded-catalog")]
    #[test]
    fn embedded_catalog_reads_every_class() {
        let c = Catalog::embedded();
        assert_eq!(c.len(), 496);
        let ks = c.get("KSampler").unwrap();
        let seed = ks.input("seed").unwrap();
        assert_eq!(
            seed.spec.option("max").unwrap().to_string(),
            "18446744073709551615"
        );
        assert!(seed.spec.flag("control_after_generate"));
        assert_eq!(ks.input("sampler_name").unwrap().spec.type_name(), "COMBO");
        assert_eq!(ks.title(), "KSampler");
        assert_eq!(
            c.get("CheckpointLoaderSimple").unwrap().title(),
            "Load Checkpoint"
        );
        assert_eq!(ks.outputs[0].output_type, "LATENT");
        let cfg = &ks.input("cfg").unwrap().spec;
        let text = |v: Option<&serde_json::Value>| v.map(|v| v.to_string());
        assert_eq!(
            (
                text(cfg.min()),
                text(cfg.max()),
                text(cfg.step()),
                text(cfg.round())
            ),
            (
                Some("0.0".into()),
                Some("100.0".into()),
                Some("0.1".into()),
                Some("0.01".into())
            )
        );
        let text = &c.get("CLIPTextEncode").unwrap().input("text").unwrap().spec;
        assert!(text.multiline() && text.dynamic_prompts());
        assert!(
            c.get("LoadImage")
                .unwrap()
                .input("image")
                .unwrap()
                .spec
                .media_upload()
        );
        // V3 nodes send `display_name: null`; the editor's own English name stands in.
        assert_eq!(c.get("Canny").unwrap().title(), "Detect Edges (Canny)");
    }

    #[test]
    fn bad_specs_are_located() {
        let err = Catalog::from_json(r#"{"N": {"input": {"required": {"x": [42]}}}}"#).unwrap_err();
        assert_eq!(err.code(), "INVALID_CATALOG");
        assert!(err.to_string().contains("$.N.input.required.x[0]"), "{err}");
    }
}
