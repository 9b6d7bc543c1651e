#![no_main]
//! Any text as a `GET /object_info` answer: parsing gives a catalog or a typed error, and every
//! accessor of every class and input answers without panicking.
use comfywire::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(catalog) = Catalog::from_json(text) else {
        return;
    };
    assert_eq!(catalog.is_empty(), catalog.len() == 0);
    for node in catalog.iter() {
        // Keyed by the answer's key; `name` is what the class sends (the editor emits it as
        // `class_type`), and a server's own answer never makes them differ.
        let _ = catalog.get(&node.name);
        let _ = (node.title(), node.input_order.as_ref(), node.outputs.len());
        for output in &node.outputs {
            let _ = (
                &output.output_type,
                &output.name,
                output.is_list,
                &output.tooltip,
            );
        }
        for input in &node.inputs {
            assert!(node.input(&input.name).is_some());
            let spec = &input.spec;
            let _ = (
                input.kind,
                spec.type_name(),
                spec.is_combo(),
                spec.choices(),
            );
            let _ = (
                spec.default_value(),
                spec.min(),
                spec.max(),
                spec.step(),
                spec.round(),
            );
            let _ = (
                spec.multiline(),
                spec.force_input(),
                spec.control_after_generate(),
            );
            let _ = (
                spec.media_upload(),
                spec.dynamic_prompts(),
                spec.tooltip(),
                spec.remote(),
            );
            if let Some(param_type) = comfywire::params::ParamType::of(&input.name, spec) {
                let _ = param_type.as_str();
                let _ = comfywire::params::spec::spec_of(spec);
                if let Some(default) = spec.default_value() {
                    let _ = comfywire::params::overrides::coerce(&param_type, spec, default);
                }
            }
        }
    }
    // A prompt of the first classes with their defaults, validated against this catalog: the
    // validator reads min/max/step/choices of whatever shape the server sent.
    let mut prompt = serde_json::Map::new();
    for (i, node) in catalog.iter().take(4).enumerate() {
        let inputs: serde_json::Map<String, serde_json::Value> = node
            .inputs
            .iter()
            .filter_map(|input| Some((input.name.clone(), input.spec.default_value()?.clone())))
            .collect();
        prompt.insert(
            i.to_string(),
            serde_json::json!({"class_type": node.name, "inputs": inputs}),
        );
    }
    let outcome = comfywire::validate::validate_prompt(&prompt.into(), &catalog);
    assert!(matches!(outcome.status, 200 | 400 | 500));
    let mut merged = Catalog::default();
    merged.extend(catalog.clone());
    merged.extend(catalog);
});
