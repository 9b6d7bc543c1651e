//! Hand-written edge cases of the UI → API conversion, one small workflow per case.
//!
//! Every expectation here was derived from `docs/conversion-spec.md` and the editor's source
//! (ComfyUI frontend 1.58.1: `utils/executionUtil.ts`, `ExecutableNodeDTO.ts`, `SubgraphNode.ts`,
//! `LGraphNode.configure`, `utils/litegraphUtil.ts` `migrateWidgetsValues`,
//! `extensions/core/widgetInputs.ts`, …), never from the converter's own output.
//! Node classes and their inputs come from the embedded catalog (ComfyUI 0.3.64).

use comfywire::convert::WarningCode;
use comfywire::{Catalog, Conversion, ConvertOptions, Workflow, convert};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Fills the layout fields every saved node carries (`pos`, `size`, `flags`, `order`, `mode`,
/// `properties`) when a test leaves them out; they never influence the conversion.
fn fill_node(node: &mut Value, order: usize) {
    let obj = node.as_object_mut().expect("a node is an object");
    obj.entry("pos").or_insert_with(|| json!([0, 0]));
    obj.entry("size").or_insert_with(|| json!([200, 100]));
    obj.entry("flags").or_insert_with(|| json!({}));
    obj.entry("order").or_insert_with(|| json!(order));
    obj.entry("mode").or_insert_with(|| json!(0));
    obj.entry("properties").or_insert_with(|| json!({}));
}

/// A saved 0.4 workflow from `nodes` and 0.4 array `links`, with optional subgraph definitions.
fn workflow_with(mut nodes: Value, links: Value, mut subgraphs: Vec<Value>) -> Value {
    for (i, n) in nodes.as_array_mut().expect("nodes").iter_mut().enumerate() {
        fill_node(n, i);
    }
    for def in &mut subgraphs {
        for (i, n) in def["nodes"]
            .as_array_mut()
            .expect("nodes")
            .iter_mut()
            .enumerate()
        {
            fill_node(n, i);
        }
    }
    let mut wf = json!({
        "last_node_id": 100,
        "last_link_id": 100,
        "nodes": nodes,
        "links": links,
        "groups": [],
        "config": {},
        "extra": {"frontendVersion": "1.58.1"},
        "version": 0.4
    });
    if !subgraphs.is_empty() {
        wf["definitions"] = json!({ "subgraphs": subgraphs });
    }
    wf
}

fn workflow(nodes: Value, links: Value) -> Value {
    workflow_with(nodes, links, Vec::new())
}

/// A subgraph definition (version-1 shape) with object links.
fn subgraph_def(
    id: &str,
    name: &str,
    inputs: Value,
    outputs: Value,
    nodes: Value,
    links: Value,
) -> Value {
    json!({
        "id": id,
        "version": 1,
        "state": {"lastGroupId": 0, "lastNodeId": 100, "lastLinkId": 100, "lastRerouteId": 0},
        "revision": 0,
        "config": {},
        "name": name,
        "inputNode": {"id": -10, "bounding": [0, 0, 120, 60]},
        "outputNode": {"id": -20, "bounding": [600, 0, 120, 60]},
        "inputs": inputs,
        "outputs": outputs,
        "widgets": [],
        "nodes": nodes,
        "groups": [],
        "links": links,
        "extra": {}
    })
}

/// Converts through the public text entry point, like a user of the crate would.
fn run(wf: &Value) -> Conversion {
    let text = serde_json::to_string(wf).expect("serializable");
    let parsed = Workflow::from_json(&text).expect("the workflow parses");
    convert(&parsed, Catalog::embedded(), &ConvertOptions::default()).expect("it converts")
}

/// Asserts the whole prompt (numbers by value, key order ignored).
#[track_caller]
fn assert_prompt(c: &Conversion, expected: Value) {
    let got = c.prompt.to_value();
    assert!(
        comfywire::json::json_eq(&expected, &got),
        "prompt mismatch\nexpected: {}\n     got: {}\nwarnings: {:?}",
        serde_json::to_string_pretty(&expected).unwrap(),
        serde_json::to_string_pretty(&got).unwrap(),
        c.warnings
    );
}

#[track_caller]
fn assert_warning(c: &Conversion, code: WarningCode, node_id: Option<&str>) {
    let found = c
        .warnings
        .iter()
        .any(|w| w.code == code && node_id.is_none_or(|id| w.node_id.as_deref() == Some(id)));
    assert!(
        found,
        "expected a {code} warning for node {node_id:?}, got {:?}",
        c.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// 1. control_after_generate value is a widgets_values slot but never an API input
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_with_control_value() {
    // The standard text-to-image graph (spec §5 example). KSampler's widgets are
    // seed, control_after_generate, steps, cfg, sampler_name, scheduler, denoise.
    let wf = workflow(
        json!([
            {"id": 4, "type": "CheckpointLoaderSimple",
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": [1]},
                         {"name": "CLIP", "type": "CLIP", "links": [3, 5]},
                         {"name": "VAE", "type": "VAE", "links": [8]}],
             "widgets_values": ["v1-5-pruned-emaonly.safetensors"]},
            {"id": 6, "type": "CLIPTextEncode",
             "inputs": [{"name": "clip", "type": "CLIP", "link": 3}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [4]}],
             "widgets_values": ["a cat on a sofa"]},
            {"id": 7, "type": "CLIPTextEncode",
             "inputs": [{"name": "clip", "type": "CLIP", "link": 5}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [6]}],
             "widgets_values": ["blurry"]},
            {"id": 5, "type": "EmptyLatentImage",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": [2]}],
             "widgets_values": [512, 512, 1]},
            {"id": 3, "type": "KSampler",
             "inputs": [{"name": "model", "type": "MODEL", "link": 1},
                        {"name": "positive", "type": "CONDITIONING", "link": 4},
                        {"name": "negative", "type": "CONDITIONING", "link": 6},
                        {"name": "latent_image", "type": "LATENT", "link": 2}],
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": [7]}],
             "widgets_values": [156680208700286_u64, "randomize", 20, 8, "euler", "normal", 1]},
            {"id": 8, "type": "VAEDecode",
             "inputs": [{"name": "samples", "type": "LATENT", "link": 7},
                        {"name": "vae", "type": "VAE", "link": 8}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [9]}]},
            {"id": 9, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 9}],
             "widgets_values": ["ComfyUI"]}
        ]),
        json!([
            [1, 4, 0, 3, 0, "MODEL"],
            [2, 5, 0, 3, 3, "LATENT"],
            [3, 4, 1, 6, 0, "CLIP"],
            [4, 6, 0, 3, 1, "CONDITIONING"],
            [5, 4, 1, 7, 0, "CLIP"],
            [6, 7, 0, 3, 2, "CONDITIONING"],
            [7, 3, 0, 8, 0, "LATENT"],
            [8, 4, 2, 8, 1, "VAE"],
            [9, 8, 0, 9, 0, "IMAGE"]
        ]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "3": {"inputs": {"seed": 156680208700286_u64, "steps": 20, "cfg": 8,
                             "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                             "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
                             "latent_image": ["5", 0]},
                  "class_type": "KSampler", "_meta": {"title": "KSampler"}},
            "4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"},
                  "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
            "5": {"inputs": {"width": 512, "height": 512, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
            "6": {"inputs": {"text": "a cat on a sofa", "clip": ["4", 1]},
                  "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
            "7": {"inputs": {"text": "blurry", "clip": ["4", 1]},
                  "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
            "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]},
                  "class_type": "VAEDecode", "_meta": {"title": "VAE Decode"}},
            "9": {"inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 2. A linked widget input sends the link, not the widget value (spec §7.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn linked_widget_input() {
    let wf = workflow(
        json!([
            {"id": 10, "type": "PrimitiveInt",
             "outputs": [{"name": "INT", "type": "INT", "links": [11]}],
             "widgets_values": [42, "fixed"]},
            {"id": 3, "type": "KSampler",
             "inputs": [{"name": "seed", "type": "INT", "widget": {"name": "seed"}, "link": 11}],
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [5, "randomize", 20, 8, "euler", "normal", 1]}
        ]),
        json!([[11, 10, 0, 3, 0, "INT"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "3": {"inputs": {"seed": ["10", 0], "steps": 20, "cfg": 8, "sampler_name": "euler",
                             "scheduler": "normal", "denoise": 1},
                  "class_type": "KSampler", "_meta": {"title": "KSampler"}},
            "10": {"inputs": {"value": 42},
                   "class_type": "PrimitiveInt", "_meta": {"title": "Int"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 3./4. Bypass (mode 4): slot matching of ExecutableNodeDTO._getBypassSlotIndex (spec §8.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn bypass_with_matching_type() {
    // ImageScale.IMAGE (output 0) ↔ input 0 `image: IMAGE` → the consumer gets LoadImage's IMAGE.
    let wf = workflow(
        json!([
            {"id": 1, "type": "LoadImage",
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]},
                         {"name": "MASK", "type": "MASK", "links": []}],
             "widgets_values": ["example.png", "image"]},
            {"id": 2, "type": "ImageScale", "mode": 4,
             "inputs": [{"name": "image", "type": "IMAGE", "link": 1}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [2]}],
             "widgets_values": ["nearest-exact", 1024, 1024, "disabled"]},
            {"id": 3, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 2}],
             "widgets_values": ["scaled"]}
        ]),
        json!([[1, 1, 0, 2, 0, "IMAGE"], [2, 2, 0, 3, 0, "IMAGE"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"image": "example.png"},
                  "class_type": "LoadImage", "_meta": {"title": "Load Image"}},
            "3": {"inputs": {"filename_prefix": "scaled", "images": ["1", 0]},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
}

#[test]
fn bypass_with_non_matching_type() {
    // VAEDecode has inputs samples:LATENT, vae:VAE; the consumer wants IMAGE → no slot (-1)
    // → `images` is left out (the server then reports the missing input).
    let wf = workflow(
        json!([
            {"id": 4, "type": "CheckpointLoaderSimple",
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": []},
                         {"name": "CLIP", "type": "CLIP", "links": []},
                         {"name": "VAE", "type": "VAE", "links": [2]}],
             "widgets_values": ["model.safetensors"]},
            {"id": 5, "type": "EmptyLatentImage",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": [1]}],
             "widgets_values": [512, 512, 1]},
            {"id": 8, "type": "VAEDecode", "mode": 4,
             "inputs": [{"name": "samples", "type": "LATENT", "link": 1},
                        {"name": "vae", "type": "VAE", "link": 2}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [3]}]},
            {"id": 9, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 3}],
             "widgets_values": ["ComfyUI"]}
        ]),
        json!([
            [1, 5, 0, 8, 0, "LATENT"],
            [2, 4, 2, 8, 1, "VAE"],
            [3, 8, 0, 9, 0, "IMAGE"]
        ]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "4": {"inputs": {"ckpt_name": "model.safetensors"},
                  "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
            "5": {"inputs": {"width": 512, "height": 512, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
            "9": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Muted producer (mode 2): resolveOutput → undefined (spec §8.2.1, §7.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn muted_producer() {
    // A muted socket producer removes the consumer's input; a muted producer of a widget input
    // leaves the consumer's own (stale) widget value in place.
    let wf = workflow(
        json!([
            {"id": 1, "type": "LoadImage", "mode": 2,
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]},
                         {"name": "MASK", "type": "MASK", "links": []}],
             "widgets_values": ["example.png", "image"]},
            {"id": 2, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 1}],
             "widgets_values": ["ComfyUI"]},
            {"id": 3, "type": "PrimitiveInt", "mode": 2,
             "outputs": [{"name": "INT", "type": "INT", "links": [2]}],
             "widgets_values": [1024, "fixed"]},
            {"id": 4, "type": "EmptyLatentImage",
             "inputs": [{"name": "width", "type": "INT", "widget": {"name": "width"}, "link": 2}],
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [640, 480, 1]}
        ]),
        json!([[1, 1, 0, 2, 0, "IMAGE"], [2, 3, 0, 4, 0, "INT"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "2": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}},
            "4": {"inputs": {"width": 640, "height": 480, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Legacy Reroute nodes collapse (spec §8.6, ExecutableNodeDTO.resolveOutput virtual branch)
// ---------------------------------------------------------------------------------------------

#[test]
fn reroute_chain() {
    let wf = workflow(
        json!([
            {"id": 4, "type": "CheckpointLoaderSimple",
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": []},
                         {"name": "CLIP", "type": "CLIP", "links": []},
                         {"name": "VAE", "type": "VAE", "links": [1]}],
             "widgets_values": ["model.safetensors"]},
            {"id": 10, "type": "Reroute",
             "inputs": [{"name": "", "type": "*", "link": 1}],
             "outputs": [{"name": "", "type": "VAE", "links": [2]}],
             "properties": {"showOutputText": false, "horizontal": false}},
            {"id": 11, "type": "Reroute",
             "inputs": [{"name": "", "type": "*", "link": 2}],
             "outputs": [{"name": "", "type": "VAE", "links": [3]}],
             "properties": {"showOutputText": false, "horizontal": false}},
            {"id": 12, "type": "VAEDecode",
             "inputs": [{"name": "samples", "type": "LATENT", "link": null},
                        {"name": "vae", "type": "VAE", "link": 3}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}]}
        ]),
        json!([
            [1, 4, 2, 10, 0, "*"],
            [2, 10, 0, 11, 0, "*"],
            [3, 11, 0, 12, 1, "VAE"]
        ]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "4": {"inputs": {"ckpt_name": "model.safetensors"},
                  "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
            "12": {"inputs": {"vae": ["4", 2]},
                   "class_type": "VAEDecode", "_meta": {"title": "VAE Decode"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 7. PrimitiveNode propagates its value into every directly linked widget (spec §8.5)
// ---------------------------------------------------------------------------------------------

#[test]
fn primitive_node_to_two_targets() {
    // ImageScale saves `image` and the linked `width` slot only (compressed), so link 22's
    // target_slot is 1; the editor matches inputs by name.
    let wf = workflow(
        json!([
            {"id": 20, "type": "PrimitiveNode",
             "outputs": [{"name": "INT", "type": "INT", "links": [21, 22],
                          "widget": {"name": "width"}}],
             "properties": {"Run widget replace on values": false},
             "widgets_values": [768, "fixed"]},
            {"id": 5, "type": "EmptyLatentImage",
             "inputs": [{"name": "width", "type": "INT", "widget": {"name": "width"}, "link": 21}],
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [512, 512, 1]},
            {"id": 6, "type": "ImageScale",
             "inputs": [{"name": "image", "type": "IMAGE", "link": null},
                        {"name": "width", "type": "INT", "widget": {"name": "width"}, "link": 22}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}],
             "widgets_values": ["nearest-exact", 512, 512, "disabled"]}
        ]),
        json!([[21, 20, 0, 5, 0, "INT"], [22, 20, 0, 6, 1, "INT"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "5": {"inputs": {"width": 768, "height": 512, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
            "6": {"inputs": {"upscale_method": "nearest-exact", "width": 768, "height": 512,
                             "crop": "disabled"},
                  "class_type": "ImageScale", "_meta": {"title": "Upscale Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Nested subgraphs: ids "hostA:hostB:inner", outer host value wins (spec §9.3, §9.4)
// ---------------------------------------------------------------------------------------------

const DEF_A: &str = "1d6f1a52-7a3c-4c55-9d0e-7b1f0c2a0a01";
const DEF_B: &str = "2e7a2b63-8b4d-4d66-8e1f-8c2a1d3b1b02";

#[test]
fn nested_subgraph_host_value_override() {
    // Root: 1 CheckpointLoaderSimple.CLIP → 2 (host of A).clip; 2.CONDITIONING → 3.
    // A: -10.clip → 5 (host of B).clip, -10.text → 5.text (promoted), 5 → -20.
    // B: -10.clip → 7 CLIPTextEncode.clip, -10.text → 7.text (widget), 7 → -20.
    // Values: 7 holds "inner prompt", host 5 "middle prompt", root host 2 "outer prompt".
    // SubgraphNode._applyPromotedWidgetValues: host widgets_values are positional over the
    // definition inputs that promote a widget (`clip` does not, `text` does → index 0).
    // ExecutableNodeDTO.resolveInput climbs 7.text → 5.text (linked to -10) → 2.text (not
    // linked, promoted) → the root host's value.
    let def_a = subgraph_def(
        DEF_A,
        "Outer",
        json!([
            {"id": "a0000000-0000-4000-8000-000000000001", "name": "clip", "type": "CLIP",
             "linkIds": [10]},
            {"id": "a0000000-0000-4000-8000-000000000002", "name": "text", "type": "STRING",
             "linkIds": [11]}
        ]),
        json!([
            {"id": "a0000000-0000-4000-8000-000000000003", "name": "CONDITIONING",
             "type": "CONDITIONING", "linkIds": [12]}
        ]),
        json!([
            {"id": 5, "type": DEF_B,
             "inputs": [{"name": "clip", "type": "CLIP", "link": 10},
                        {"name": "text", "type": "STRING", "widget": {"name": "text"}, "link": 11}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [12]}],
             "widgets_values": ["middle prompt"]}
        ]),
        json!([
            {"id": 10, "origin_id": -10, "origin_slot": 0, "target_id": 5, "target_slot": 0,
             "type": "CLIP"},
            {"id": 11, "origin_id": -10, "origin_slot": 1, "target_id": 5, "target_slot": 1,
             "type": "STRING"},
            {"id": 12, "origin_id": 5, "origin_slot": 0, "target_id": -20, "target_slot": 0,
             "type": "CONDITIONING"}
        ]),
    );
    let def_b = subgraph_def(
        DEF_B,
        "Inner",
        json!([
            {"id": "b0000000-0000-4000-8000-000000000001", "name": "clip", "type": "CLIP",
             "linkIds": [20]},
            {"id": "b0000000-0000-4000-8000-000000000002", "name": "text", "type": "STRING",
             "linkIds": [21]}
        ]),
        json!([
            {"id": "b0000000-0000-4000-8000-000000000003", "name": "CONDITIONING",
             "type": "CONDITIONING", "linkIds": [22]}
        ]),
        json!([
            {"id": 7, "type": "CLIPTextEncode",
             "inputs": [{"name": "clip", "type": "CLIP", "link": 20},
                        {"name": "text", "type": "STRING", "widget": {"name": "text"}, "link": 21}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [22]}],
             "widgets_values": ["inner prompt"]}
        ]),
        json!([
            {"id": 20, "origin_id": -10, "origin_slot": 0, "target_id": 7, "target_slot": 0,
             "type": "CLIP"},
            {"id": 21, "origin_id": -10, "origin_slot": 1, "target_id": 7, "target_slot": 1,
             "type": "STRING"},
            {"id": 22, "origin_id": 7, "origin_slot": 0, "target_id": -20, "target_slot": 0,
             "type": "CONDITIONING"}
        ]),
    );
    let wf = workflow_with(
        json!([
            {"id": 1, "type": "CheckpointLoaderSimple",
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": []},
                         {"name": "CLIP", "type": "CLIP", "links": [1]},
                         {"name": "VAE", "type": "VAE", "links": []}],
             "widgets_values": ["model.safetensors"]},
            {"id": 2, "type": DEF_A,
             "inputs": [{"name": "clip", "type": "CLIP", "link": 1},
                        {"name": "text", "type": "STRING", "widget": {"name": "text"},
                         "link": null}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": [2]}],
             "widgets_values": ["outer prompt"]},
            {"id": 3, "type": "ConditioningZeroOut", "title": "Zero Out",
             "inputs": [{"name": "conditioning", "type": "CONDITIONING", "link": 2}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": []}]}
        ]),
        json!([[1, 1, 1, 2, 0, "CLIP"], [2, 2, 0, 3, 0, "CONDITIONING"]]),
        vec![def_a, def_b],
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"ckpt_name": "model.safetensors"},
                  "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
            "3": {"inputs": {"conditioning": ["2:5:7", 0]},
                  "class_type": "ConditioningZeroOut", "_meta": {"title": "Zero Out"}},
            "2:5:7": {"inputs": {"text": "outer prompt", "clip": ["1", 1]},
                      "class_type": "CLIPTextEncode",
                      "_meta": {"title": "CLIP Text Encode (Prompt)"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 9. Legacy group nodes (extra.groupNodes, type "workflow>Name")
// ---------------------------------------------------------------------------------------------

// SKIPPED on purpose: legacy group-node expansion (spec §10) is being implemented in parallel;
// its edge-case test will be added with that work.

// ---------------------------------------------------------------------------------------------
// 10. null holes and migrateWidgetsValues (spec §5.3, utils/litegraphUtil.ts)
// ---------------------------------------------------------------------------------------------

#[test]
fn null_holes_load_audio() {
    // LoadAudio widgets: audio, audioUI (serialize:false → a null hole from writers ≤1.50),
    // upload (button; in widgets_values, options.serialize:false → not in the API).
    let wf = workflow(
        json!([
            {"id": 1, "type": "LoadAudio",
             "outputs": [{"name": "AUDIO", "type": "AUDIO", "links": []}],
             "widgets_values": ["x.mp3", null, ""]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"audio": "x.mp3"},
                  "class_type": "LoadAudio", "_meta": {"title": "Load Audio"}}
        }),
    );
}

#[test]
fn null_holes_save_audio_dropped_by_migration() {
    // SaveAudioMP3 widgets (input_order, then the injected audioUI): filename_prefix, quality,
    // audioUI. A holes writer saved ["audio/x", "320k", null]; 3 values ≠ 2 serializable
    // widgets → migrateWidgetsValues drops the entry at the serialize:false position.
    let wf = workflow(
        json!([
            {"id": 1, "type": "SaveAudioMP3", "title": "Save MP3",
             "inputs": [{"name": "audio", "type": "AUDIO", "link": null}],
             "widgets_values": ["audio/x", "320k", null]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"filename_prefix": "audio/x", "quality": "320k"},
                  "class_type": "SaveAudioMP3", "_meta": {"title": "Save MP3"}}
        }),
    );
}

#[test]
fn force_input_value_dropped_by_migration() {
    // StabilityStableImageUltraNode: widgets prompt, aspect_ratio, style_preset, seed,
    // control_after_generate, image_denoise; optional `negative_prompt` is forceInput (no
    // widget). An older editor saved a value for it between seed's control and image_denoise.
    // migrateWidgetsValues: widgetIndexHasForceInput = [f,f,f,f,f(control),t,f] (length 7 ==
    // values) → the forceInput position is dropped, so image_denoise gets 0.8, not "ugly".
    let wf = workflow(
        json!([
            {"id": 1, "type": "StabilityStableImageUltraNode", "title": "Ultra",
             "inputs": [{"name": "image", "type": "IMAGE", "link": null},
                        {"name": "negative_prompt", "type": "STRING", "link": null}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}],
             "widgets_values": ["a fox", "16:9", "anime", 1234, "fixed", "ugly", 0.8]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"prompt": "a fox", "aspect_ratio": "16:9", "style_preset": "anime",
                             "seed": 1234, "image_denoise": 0.8},
                  "class_type": "StabilityStableImageUltraNode", "_meta": {"title": "Ultra"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 11. Object-form widgets_values on a core class
// ---------------------------------------------------------------------------------------------

#[test]
fn dict_widgets_values_restore_nothing() {
    // ComfyNode.configure → migrateWidgetsValues(dict): `dict.length` is undefined; the es-toolkit
    // `filter` over the dict yields its 2 values, which match neither the 3 widget-input slots
    // nor anything else → the dict is returned unchanged. LGraphNode.configure →
    // createWidgetRestorationState: `Array.from(dict)` is [] → every widget keeps its default.
    let wf = workflow(
        json!([
            {"id": 1, "type": "EmptyLatentImage",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": {"width": 1024, "height": 768}}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"width": 512, "height": 512, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}}
        }),
    );
}

#[test]
fn dict_widgets_values_with_full_count_restore_positionally_in_key_order() {
    // Same path, but the dict has exactly as many entries as widgetIndexHasForceInput (3):
    // migrateWidgetsValues returns `filter(dict, …)` = the dict's values in Object.keys order
    // ([768, 1024, 2]) as an array, and LGraphNode.configure restores it positionally —
    // by position, not by key (es-toolkit/compat filter: non-arrays iterate Object.keys).
    let wf = workflow(
        json!([
            {"id": 1, "type": "EmptyLatentImage",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": {"height": 768, "width": 1024, "batch_size": 2}}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"width": 768, "height": 1024, "batch_size": 2},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 12. Dangling link id. Editor 1.58 reads input links from its link store (built from `links`,
//     slotLinks.ts inputLinkId), so the input is just unconnected; the converter must also warn.
// ---------------------------------------------------------------------------------------------

/// Node 9's `images` and node 5's widget input `width` carry link ids that `links` lacks.
fn dangling_link_workflow() -> Value {
    workflow(
        json!([
            {"id": 9, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 77}],
             "widgets_values": ["ComfyUI"]},
            {"id": 5, "type": "EmptyLatentImage",
             "inputs": [{"name": "width", "type": "INT", "widget": {"name": "width"}, "link": 78}],
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [640, 480, 1]}
        ]),
        json!([]),
    )
}

#[test]
fn dangling_link_leaves_input_out() {
    // The socket input disappears; the widget input keeps its widget value (spec §7.3).
    let c = run(&dangling_link_workflow());
    assert_prompt(
        &c,
        json!({
            "5": {"inputs": {"width": 640, "height": 480, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
            "9": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
}

#[test]
fn dangling_link() {
    let c = run(&dangling_link_workflow());
    assert_prompt(
        &c,
        json!({
            "5": {"inputs": {"width": 640, "height": 480, "batch_size": 1},
                  "class_type": "EmptyLatentImage", "_meta": {"title": "Empty Latent Image"}},
            "9": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
    assert_warning(&c, WarningCode::DanglingLink, Some("9"));
    assert_warning(&c, WarningCode::DanglingLink, Some("5"));
}

// ---------------------------------------------------------------------------------------------
// 13. Unknown node type (spec §11): class_type = type, link inputs only, warning
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_node_type() {
    let wf = workflow(
        json!([
            {"id": 1, "type": "LoadImage",
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]},
                         {"name": "MASK", "type": "MASK", "links": []}],
             "widgets_values": ["example.png", "image"]},
            {"id": 2, "type": "SomePack_MagicFilter", "title": "Magic",
             "inputs": [{"name": "image", "type": "IMAGE", "link": 1}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [2]}],
             "widgets_values": [1.5, "sharpen"]},
            {"id": 3, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 2}],
             "widgets_values": ["ComfyUI"]}
        ]),
        json!([[1, 1, 0, 2, 0, "IMAGE"], [2, 2, 0, 3, 0, "IMAGE"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"image": "example.png"},
                  "class_type": "LoadImage", "_meta": {"title": "Load Image"}},
            "2": {"inputs": {"image": ["1", 0]},
                  "class_type": "SomePack_MagicFilter", "_meta": {"title": "Magic"}},
            "3": {"inputs": {"filename_prefix": "ComfyUI", "images": ["2", 0]},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
    assert_warning(&c, WarningCode::UnknownNodeType, Some("2"));
}

// ---------------------------------------------------------------------------------------------
// 14. Integers above 2^53 are sent as saved
// ---------------------------------------------------------------------------------------------

#[test]
fn big_integer_seed() {
    const BIG: &str = "18446744073709551615";
    let big: Value = serde_json::from_str(BIG).unwrap();
    let wf = workflow(
        json!([
            {"id": 3, "type": "KSampler",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [big, "fixed", 20, 8, "euler", "normal", 1]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    let text = serde_json::to_string(&c.prompt.to_value()).unwrap();
    assert!(
        text.contains(&format!("\"seed\":{BIG}")),
        "seed not exact: {text}"
    );
    let expected: Value = serde_json::from_str(&format!(
        r#"{{"3": {{"inputs": {{"seed": {BIG}, "steps": 20, "cfg": 8, "sampler_name": "euler",
                               "scheduler": "normal", "denoise": 1}},
                   "class_type": "KSampler", "_meta": {{"title": "KSampler"}}}}}}"#
    ))
    .unwrap();
    assert_prompt(&c, expected);
    // And the parsed value is exactly u64::MAX (not its f64 neighbour 18446744073709552000).
    assert_eq!(
        c.prompt.to_value()["3"]["inputs"]["seed"].as_u64(),
        Some(u64::MAX)
    );
}

// ---------------------------------------------------------------------------------------------
// 15. Widgets the file predates keep their spec default and are emitted (spec §11)
// ---------------------------------------------------------------------------------------------

#[test]
fn widgets_the_file_predates() {
    // ImageScale saved with 2 of 4 values: height → default 512, crop → first option.
    // KSampler saved without denoise → default 1.0.
    let wf = workflow(
        json!([
            {"id": 6, "type": "ImageScale",
             "inputs": [{"name": "image", "type": "IMAGE", "link": null}],
             "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}],
             "widgets_values": ["bilinear", 640]},
            {"id": 3, "type": "KSampler",
             "outputs": [{"name": "LATENT", "type": "LATENT", "links": []}],
             "widgets_values": [7, "fixed", 25, 6.5, "dpmpp_2m", "karras"]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "3": {"inputs": {"seed": 7, "steps": 25, "cfg": 6.5, "sampler_name": "dpmpp_2m",
                             "scheduler": "karras", "denoise": 1.0},
                  "class_type": "KSampler", "_meta": {"title": "KSampler"}},
            "6": {"inputs": {"upscale_method": "bilinear", "width": 640, "height": 512,
                             "crop": "disabled"},
                  "class_type": "ImageScale", "_meta": {"title": "Upscale Image"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 16. Array values are wrapped as {"__value__": [...]} (executionUtil.ts, both branches)
// ---------------------------------------------------------------------------------------------

#[test]
fn array_widget_value_is_wrapped() {
    // A plain (single-line) STRING widget restored with an array: BaseWidget stores it as is,
    // graphToPrompt wraps it so the server does not read it as a link.
    let wf = workflow(
        json!([
            {"id": 1, "type": "PrimitiveString", "title": "Tags",
             "outputs": [{"name": "STRING", "type": "STRING", "links": []}],
             "widgets_values": [["a", "b"]]}
        ]),
        json!([]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "1": {"inputs": {"value": {"__value__": ["a", "b"]}},
                  "class_type": "PrimitiveString", "_meta": {"title": "Tags"}}
        }),
    );
}

const DEF_C: &str = "3f8b3c74-9c5e-4e77-9f20-9d3b2e4c2c03";

#[test]
fn array_promoted_value_is_wrapped() {
    // The `resolvedInput.widgetInfo` branch: a subgraph host's promoted value is an array.
    let def_c = subgraph_def(
        DEF_C,
        "Text box",
        json!([
            {"id": "c0000000-0000-4000-8000-000000000001", "name": "value", "type": "STRING",
             "linkIds": [30]}
        ]),
        json!([
            {"id": "c0000000-0000-4000-8000-000000000002", "name": "STRING", "type": "STRING",
             "linkIds": [31]}
        ]),
        json!([
            {"id": 4, "type": "PrimitiveString", "title": "Inner text",
             "inputs": [{"name": "value", "type": "STRING", "widget": {"name": "value"},
                         "link": 30}],
             "outputs": [{"name": "STRING", "type": "STRING", "links": [31]}],
             "widgets_values": ["inner"]}
        ]),
        json!([
            {"id": 30, "origin_id": -10, "origin_slot": 0, "target_id": 4, "target_slot": 0,
             "type": "STRING"},
            {"id": 31, "origin_id": 4, "origin_slot": 0, "target_id": -20, "target_slot": 0,
             "type": "STRING"}
        ]),
    );
    let wf = workflow_with(
        json!([
            {"id": 2, "type": DEF_C,
             "inputs": [{"name": "value", "type": "STRING", "widget": {"name": "value"},
                         "link": null}],
             "outputs": [{"name": "STRING", "type": "STRING", "links": []}],
             "widgets_values": [["x", "y"]]}
        ]),
        json!([]),
        vec![def_c],
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "2:4": {"inputs": {"value": {"__value__": ["x", "y"]}},
                    "class_type": "PrimitiveString", "_meta": {"title": "Inner text"}}
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// 17. Links from nodes that are never emitted are removed
// ---------------------------------------------------------------------------------------------

#[test]
fn link_from_note_is_removed() {
    // A Note is virtual and has no inputs: resolveOutput's virtual branch finds no input link
    // with the requested index → undefined → the consumer's input is left out.
    let wf = workflow(
        json!([
            {"id": 1, "type": "Note",
             "outputs": [{"name": "", "type": "*", "links": [1]}],
             "widgets_values": ["remember to upscale"]},
            {"id": 2, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 1}],
             "widgets_values": ["ComfyUI"]}
        ]),
        json!([[1, 1, 0, 2, 0, "IMAGE"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "2": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
}

#[test]
fn link_from_missing_origin_is_removed() {
    // Link 5 starts at node 99, which the graph does not have (the editor throws
    // InvalidLinkError; the converter drops the input and warns).
    let wf = workflow(
        json!([
            {"id": 2, "type": "SaveImage",
             "inputs": [{"name": "images", "type": "IMAGE", "link": 5}],
             "widgets_values": ["ComfyUI"]}
        ]),
        json!([[5, 99, 0, 2, 0, "IMAGE"]]),
    );
    let c = run(&wf);
    assert_prompt(
        &c,
        json!({
            "2": {"inputs": {"filename_prefix": "ComfyUI"},
                  "class_type": "SaveImage", "_meta": {"title": "Save Image"}}
        }),
    );
    assert_warning(&c, WarningCode::MissingOrigin, None);
}

/// Case 9: a legacy group node. Since 1.47 the editor re-creates the inner nodes with fresh ids
/// after `last_node_id` (21, 22), wraps them into a subgraph whose host takes the next id (23),
/// and emits `host:inner` ids. Host outputs are the inner outputs not consumed inside (MODEL,
/// VAE, CONDITIONING); its `widgets_values` are the inner widgets, concatenated. A bypassed
/// group runs anyway after the conversion (the host is created active).
fn group_node_workflow(mode: i64) -> Value {
    let mut wf = workflow(
        json!([
            {"id": 10, "type": "workflow>Encode", "mode": mode,
             "inputs": [],
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": null},
                         {"name": "VAE", "type": "VAE", "links": null},
                         {"name": "CONDITIONING", "type": "CONDITIONING", "links": [1]}],
             "widgets_values": ["model.safetensors", "a red fox"]},
            {"id": 20, "type": "ConditioningZeroOut",
             "inputs": [{"name": "conditioning", "type": "CONDITIONING", "link": 1}],
             "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": []}]}
        ]),
        json!([[1, 10, 2, 20, 0, "CONDITIONING"]]),
    );
    wf["last_node_id"] = json!(20);
    wf["extra"]["groupNodes"] = json!({"Encode": {
        "nodes": [
            {"index": 0, "type": "CheckpointLoaderSimple", "inputs": [], "widgets_values": ["old.safetensors"],
             "outputs": [{"name": "MODEL", "type": "MODEL", "links": []}, {"name": "CLIP", "type": "CLIP", "links": []},
                         {"name": "VAE", "type": "VAE", "links": []}]},
            {"index": 1, "type": "CLIPTextEncode", "inputs": [{"name": "clip", "type": "CLIP", "link": null}],
             "widgets_values": ["old text"], "outputs": [{"name": "CONDITIONING", "type": "CONDITIONING", "links": []}]}
        ],
        "links": [[0, 1, 1, 0, 5, "CLIP"]],
        "external": []
    }});
    wf
}

#[test]
fn group_node_becomes_a_subgraph_with_fresh_ids() {
    let expected = json!({
        "23:21": {"inputs": {"ckpt_name": "model.safetensors"}, "class_type": "CheckpointLoaderSimple", "_meta": {"title": "Load Checkpoint"}},
        "23:22": {"inputs": {"text": "a red fox", "clip": ["23:21", 1]}, "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
        "20": {"inputs": {"conditioning": ["23:22", 0]}, "class_type": "ConditioningZeroOut", "_meta": {"title": "ConditioningZeroOut"}}
    });
    assert_prompt(&run(&group_node_workflow(0)), expected.clone());
    // Bypassing the group node does not survive the editor's conversion.
    assert_prompt(&run(&group_node_workflow(4)), expected);
}
