//! Behaviour the golden corpus cannot show (its catalog has no V3 dynamic inputs, its texts no
//! dynamic prompts) and the converter's options. Cases from the spec live in
//! `core/tests/conversion_edge_cases.rs`.

use serde_json::{Value, json};

use super::*;
use crate::json::json_eq;

/// A catalog with V3 dynamic inputs, written the way ComfyUI serialises them.
fn v3_catalog() -> Catalog {
    Catalog::from_value(&json!({
        "Resize": {
            "input": {"required": {
                "image": ["IMAGE", {}],
                "resize_type": ["COMFY_DYNAMICCOMBO_V3", {"options": [
                    {"key": "scale by", "inputs": {"required": {"factor": ["FLOAT", {"default": 1.0}]}}},
                    {"key": "scale longer dimension", "inputs": {"required": {
                        "longer_size": ["INT", {"default": 512}],
                        "mask": ["MASK", {}]}}}
                ]}],
                "scale_method": [["nearest", "lanczos"], {}]
            }},
            "input_order": {"required": ["image", "resize_type", "scale_method"]},
            "output": ["IMAGE"], "output_name": ["IMAGE"], "name": "Resize", "display_name": "Resize"
        },
        "Batch": {
            "input": {"required": {"images": ["COMFY_AUTOGROW_V3", {"template": {"input": {"required": {"image": ["IMAGE", {}]}}, "prefix": "image"}}]}},
            "output": ["IMAGE"], "name": "Batch", "display_name": "Batch"
        },
        "Src": {"input": {"required": {}}, "output": ["IMAGE", "MASK"], "name": "Src", "display_name": "Src"}
    }))
    .unwrap()
}

fn run(catalog: &Catalog, workflow: Value, options: &ConvertOptions) -> Conversion {
    let wf = Workflow::from_value(workflow).unwrap();
    convert(&wf, catalog, options).unwrap()
}

fn inputs(c: &Conversion, id: &str) -> Value {
    Value::Object(c.prompt.nodes[id].inputs.clone())
}

#[test]
fn dynamic_combo_children_follow_the_selected_option() {
    let c = run(
        &v3_catalog(),
        json!({"nodes": [
            {"id": 1, "type": "Src", "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]}, {"name": "MASK", "type": "MASK", "links": [2]}]},
            {"id": 2, "type": "Resize",
             "inputs": [{"name": "image", "type": "IMAGE", "link": 1}, {"name": "resize_type.mask", "type": "MASK", "link": 2}],
             "widgets_values": ["scale longer dimension", 2048, "lanczos"]}
        ], "version": 0.4, "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 1, 1, 2, 1, "MASK"]]}),
        &ConvertOptions::default(),
    );
    let expected = json!({"resize_type": "scale longer dimension", "resize_type.longer_size": 2048,
                          "scale_method": "lanczos", "image": ["1", 0], "resize_type.mask": ["1", 1]});
    assert!(json_eq(&inputs(&c, "2"), &expected), "{}", inputs(&c, "2"));
}

#[test]
fn dynamic_combo_default_option_when_nothing_is_saved() {
    let c = run(
        &v3_catalog(),
        json!({"nodes": [{"id": 2, "type": "Resize"}], "links": []}),
        &ConvertOptions::default(),
    );
    let expected =
        json!({"resize_type": "scale by", "resize_type.factor": 1.0, "scale_method": "nearest"});
    assert!(json_eq(&inputs(&c, "2"), &expected), "{}", inputs(&c, "2"));
}

#[test]
fn autogrow_sockets_are_the_saved_dotted_inputs() {
    let c = run(
        &v3_catalog(),
        json!({"nodes": [
            {"id": 1, "type": "Src", "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1, 2]}]},
            {"id": 2, "type": "Batch", "inputs": [
                {"name": "images.image0", "type": "IMAGE", "link": 1},
                {"name": "images.image1", "type": "IMAGE", "link": 2},
                {"name": "images.image2", "type": "IMAGE", "link": null}]}
        ], "version": 0.4, "links": [[1, 1, 0, 2, 0, "IMAGE"], [2, 1, 0, 2, 1, "IMAGE"]]}),
        &ConvertOptions::default(),
    );
    let expected = json!({"images.image0": ["1", 0], "images.image1": ["1", 0]});
    assert!(json_eq(&inputs(&c, "2"), &expected), "{}", inputs(&c, "2"));
}

fn skewed_sampler() -> Value {
    // Saved by a server whose EmptyLatentImage had `height` first: positional values land on the
    // wrong widgets, the named ones do not.
    json!({"nodes": [{"id": 5, "type": "EmptyLatentImage", "widgets_values": [768, 512, 1],
        "widgets_values_named": {"height": 768, "width": 512, "batch_size": 1}}], "links": []})
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn positional_values_win_by_default_and_the_skew_is_reported() {
    let c = run(
        Catalog::embedded(),
        skewed_sampler(),
        &ConvertOptions::default(),
    );
    assert!(json_eq(
        &inputs(&c, "5"),
        &json!({"width": 768, "height": 512, "batch_size": 1})
    ));
    let skew = c
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::WidgetValuesSkew)
        .expect("skew warning");
    assert_eq!(skew.node_id.as_deref(), Some("5"));
    assert!(
        skew.message.contains("width") && skew.message.contains("height"),
        "{}",
        skew.message
    );
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn named_values_can_be_preferred() {
    let options = ConvertOptions {
        prefer_named_values: true,
        ..ConvertOptions::default()
    };
    let c = run(Catalog::embedded(), skewed_sampler(), &options);
    assert!(json_eq(
        &inputs(&c, "5"),
        &json!({"width": 512, "height": 768, "batch_size": 1})
    ));
    assert!(
        c.warnings
            .iter()
            .all(|w| w.code != WarningCode::WidgetValuesSkew)
    );
}

#[cfg(feature = "embedded-catalog")]
fn prompt_node(text: &str) -> Value {
    json!({"nodes": [{"id": 6, "type": "CLIPTextEncode", "widgets_values": [text]}], "links": []})
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn dynamic_prompts_are_kept_with_a_warning_or_resolved_reproducibly() {
    let text = "a {red|blue} fox // draft";
    let kept = run(
        Catalog::embedded(),
        prompt_node(text),
        &ConvertOptions::default(),
    );
    assert_eq!(inputs(&kept, "6")["text"], json!(text));
    assert!(
        kept.warnings
            .iter()
            .any(|w| w.code == WarningCode::DynamicPromptKept)
    );

    let resolve = ConvertOptions {
        dynamic_prompts: DynamicPrompts::Resolve { seed: 9 },
        ..ConvertOptions::default()
    };
    let a = run(Catalog::embedded(), prompt_node(text), &resolve);
    let b = run(Catalog::embedded(), prompt_node(text), &resolve);
    let resolved = inputs(&a, "6")["text"].as_str().unwrap().to_string();
    assert!(
        resolved == "a red fox " || resolved == "a blue fox ",
        "{resolved}"
    );
    assert_eq!(inputs(&b, "6")["text"], json!(resolved));
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn filename_prefix_dates_and_widget_references() {
    let wf = json!({"nodes": [
        {"id": 3, "type": "KSampler", "properties": {"Node name for S&R": "KSampler"},
         "widgets_values": [42, "fixed", 20, 8, "euler", "normal", 1]},
        {"id": 9, "type": "SaveImage", "widgets_values": ["%date:yyyy-MM-dd%/run_%KSampler.seed%_%width%"]}
    ], "links": []});
    let kept = run(Catalog::embedded(), wf.clone(), &ConvertOptions::default());
    assert_eq!(
        inputs(&kept, "9")["filename_prefix"],
        json!("%date:yyyy-MM-dd%/run_42_%width%")
    );
    assert!(
        kept.warnings
            .iter()
            .any(|w| w.code == WarningCode::DateKept)
    );

    let date = LocalDateTime {
        year: 2026,
        month: 11,
        day: 2,
        hour: 9,
        minute: 0,
        second: 0,
    };
    let dated = run(
        Catalog::embedded(),
        wf,
        &ConvertOptions {
            date: Some(date),
            ..ConvertOptions::default()
        },
    );
    assert_eq!(
        inputs(&dated, "9")["filename_prefix"],
        json!("2026-11-02/run_42_%width%")
    );
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn colliding_subgraph_ids_are_renumbered_unless_kept() {
    let wf = json!({
        "last_node_id": 7,
        "nodes": [
            {"id": 5, "type": "EmptyLatentImage", "widgets_values": [512, 512, 1]},
            {"id": 7, "type": "sub-a", "mode": 0}
        ],
        "links": [],
        "definitions": {"subgraphs": [{"id": "sub-a", "name": "A", "inputs": [], "outputs": [], "links": [],
            "nodes": [{"id": 5, "type": "EmptyLatentImage", "widgets_values": [64, 64, 1]}]}]}
    });
    let renumbered = run(Catalog::embedded(), wf.clone(), &ConvertOptions::default());
    assert!(
        renumbered.prompt.nodes.contains_key("7:8"),
        "{:?}",
        renumbered.prompt.nodes.keys()
    );
    assert!(
        renumbered
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::SubgraphIdsRenumbered)
    );
    let kept = run(
        Catalog::embedded(),
        wf,
        &ConvertOptions {
            keep_subgraph_ids: true,
            ..ConvertOptions::default()
        },
    );
    assert!(
        kept.prompt.nodes.contains_key("7:5"),
        "{:?}",
        kept.prompt.nodes.keys()
    );
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn a_subgraph_containing_itself_is_reported_not_looped() {
    let wf = json!({"nodes": [{"id": 1, "type": "loop"}], "links": [],
        "definitions": {"subgraphs": [{"id": "loop", "name": "L", "links": [], "nodes": [{"id": 2, "type": "loop"}]}]}});
    let c = run(Catalog::embedded(), wf, &ConvertOptions::default());
    assert!(c.prompt.nodes.is_empty());
    assert!(
        c.warnings
            .iter()
            .any(|w| w.code == WarningCode::RecursiveSubgraph)
    );
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn a_reroute_cycle_is_reported_not_looped() {
    let wf = json!({"nodes": [
        {"id": 1, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 2}], "outputs": [{"name": "", "type": "*", "links": [1, 3]}]},
        {"id": 2, "type": "Reroute", "inputs": [{"name": "", "type": "*", "link": 1}], "outputs": [{"name": "", "type": "*", "links": [2]}]},
        {"id": 3, "type": "PreviewImage", "inputs": [{"name": "images", "type": "IMAGE", "link": 3}]}
    ], "version": 0.4, "links": [[1, 1, 0, 2, 0, "*"], [2, 2, 0, 1, 0, "*"], [3, 1, 0, 3, 0, "IMAGE"]]});
    let c = run(Catalog::embedded(), wf, &ConvertOptions::default());
    assert!(json_eq(&inputs(&c, "3"), &json!({})));
    assert!(c.warnings.iter().any(|w| w.code == WarningCode::LinkCycle));
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn control_modes_travel_with_the_conversion() {
    let wf = json!({"nodes": [
        {"id": 3, "type": "KSampler", "widgets_values": [42, "increment", 20, 8, "euler", "normal", 1]},
        {"id": 4, "type": "KSampler", "mode": 2, "widgets_values": [1, "randomize", 20, 8, "euler", "normal", 1]}
    ], "links": []});
    let c = run(Catalog::embedded(), wf, &ConvertOptions::default());
    assert_eq!(
        c.controls,
        vec![ValueControl {
            node_id: "3".into(),
            input: "seed".into(),
            mode: "increment".into()
        }]
    );
}

// Fuzz regressions (workflow_convert): counters at the integer limit, exponential nesting.

#[cfg(feature = "embedded-catalog")]
fn conversion_error(wf: Value) -> crate::Error {
    let wf = Workflow::from_value(wf).unwrap();
    convert(&wf, Catalog::embedded(), &ConvertOptions::default()).unwrap_err()
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn a_group_node_after_a_counter_at_the_integer_limit_is_refused_not_overflowed() {
    let wf = |last: i64| {
        json!({"last_node_id": last, "links": [],
        "nodes": [{"id": 1, "type": "workflow>G", "inputs": [], "outputs": [], "widgets_values": []}],
        "extra": {"groupNodes": {"G": {"links": [], "external": [], "nodes": [
            {"index": 0, "type": "EmptyImage", "inputs": [],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}], "widgets_values": [64, 64, 1, 0]}
        ]}}}})
    };
    let c = run(Catalog::embedded(), wf(20), &ConvertOptions::default());
    assert!(
        c.prompt.nodes.contains_key("22:21"),
        "{:?}",
        c.prompt.nodes.keys()
    );
    assert_eq!(conversion_error(wf(i64::MAX)).code(), "CONVERSION_FAILED");
    assert_eq!(
        conversion_error(wf(i64::MAX - 1)).code(),
        "CONVERSION_FAILED"
    );
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn renumbering_interior_ids_past_the_integer_limit_is_refused_not_overflowed() {
    let wf = |last: i64| {
        json!({"last_node_id": last, "links": [],
        "nodes": [{"id": 2, "type": "sub"}],
        "definitions": {"subgraphs": [{"id": "sub", "name": "S", "links": [], "nodes": [
            {"id": 2, "type": "EmptyImage", "widgets_values": [64, 64, 1, 0]}
        ]}]}})
    };
    let c = run(Catalog::embedded(), wf(7), &ConvertOptions::default());
    assert!(
        c.prompt.nodes.contains_key("2:8"),
        "{:?}",
        c.prompt.nodes.keys()
    );
    assert_eq!(conversion_error(wf(i64::MAX)).code(), "CONVERSION_FAILED");
}

/// Level `k` holds two instances of level `k - 1`; level 0 one `EmptyImage`: `2^depth` nodes.
#[cfg(feature = "embedded-catalog")]
fn doubling_subgraphs(depth: usize) -> Value {
    let mut subgraphs = vec![json!({"id": "s0", "name": "s0", "links": [],
        "nodes": [{"id": 1, "type": "EmptyImage", "widgets_values": [64, 64, 1, 0]}]})];
    for k in 1..=depth {
        subgraphs.push(json!({"id": format!("s{k}"), "name": format!("s{k}"), "links": [],
            "nodes": [{"id": 1, "type": format!("s{}", k - 1)}, {"id": 2, "type": format!("s{}", k - 1)}]}));
    }
    json!({"nodes": [{"id": 1, "type": format!("s{depth}")}], "links": [],
        "definitions": {"subgraphs": subgraphs}})
}

#[cfg(feature = "embedded-catalog")]
#[test]
fn exponentially_nested_subgraphs_are_refused_not_expanded() {
    let c = run(
        Catalog::embedded(),
        doubling_subgraphs(10),
        &ConvertOptions::default(),
    );
    assert_eq!(c.prompt.nodes.len(), 1 << 10);
    // 2^40 nodes from a few kilobytes: refused after the budget, at once.
    let started = std::time::Instant::now();
    let err = conversion_error(doubling_subgraphs(40));
    assert_eq!(err.code(), "CONVERSION_FAILED");
    assert!(err.to_string().contains("100000 nodes"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// Two nodes and one array link, under the given `version` (or none).
fn array_linked(version: Option<Value>) -> Value {
    let mut wf = json!({
        "nodes": [
            {"id": 1, "type": "EmptyImage", "widgets_values": [8, 8, 1, 0],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]}]},
            {"id": 2, "type": "SaveImage", "widgets_values": ["x"],
             "inputs": [{"name": "images", "type": "IMAGE", "link": 1}]}
        ],
        "links": [[1, 1, 0, 2, 0, "IMAGE"]]
    });
    if let Some(v) = version {
        wf["version"] = v;
    }
    wf
}

#[test]
fn array_links_are_read_under_version_0_4_only_as_the_editor_does() {
    let read = run(
        Catalog::embedded(),
        array_linked(Some(json!(0.4))),
        &ConvertOptions::default(),
    );
    assert_eq!(inputs(&read, "2")["images"], json!(["1", 0]));
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    for version in [None, Some(json!(0.3)), Some(json!(1)), Some(json!("0.4"))] {
        let dropped = run(
            Catalog::embedded(),
            array_linked(version.clone()),
            &ConvertOptions::default(),
        );
        assert_eq!(inputs(&dropped, "2").get("images"), None, "{version:?}");
        assert_eq!(dropped.warnings.len(), 1, "{:?}", dropped.warnings);
        assert_eq!(dropped.warnings[0].code, WarningCode::ArrayLinksIgnored);
        let repaired = run(
            Catalog::embedded(),
            array_linked(version.clone()),
            &ConvertOptions {
                repair: true,
                ..ConvertOptions::default()
            },
        );
        assert_eq!(
            inputs(&repaired, "2")["images"],
            json!(["1", 0]),
            "{version:?}"
        );
        assert_eq!(repaired.warnings[0].code, WarningCode::ArrayLinksRepaired);
    }
}
