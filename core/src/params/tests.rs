use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::Catalog;
use crate::convert::ValueControl;
use crate::prompt::Prompt;

/// The editor's default text-to-image workflow, as an API prompt.
fn default_prompt() -> Prompt {
    Prompt::from_value(&json!({
        "3": {"class_type": "KSampler", "inputs": {"seed": 156680208700286u64, "steps": 20, "cfg": 8, "sampler_name": "euler",
               "scheduler": "normal", "denoise": 1, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]},
              "_meta": {"title": "KSampler"}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}, "_meta": {"title": "Load Checkpoint"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}, "_meta": {"title": "Hero Prompt"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
    }))
    .unwrap()
}

fn input(p: &Prompt, id: &str, name: &str) -> Value {
    p.nodes[id].inputs[name].clone()
}

#[test]
fn params_have_genstudio_shape_with_exact_limits() {
    let by_node = params_by_node(&default_prompt(), Catalog::embedded());
    let seed = &by_node["3"]["inputs"]["seed"];
    assert_eq!(seed["type"], "INT");
    assert_eq!(seed["spec"]["max"].to_string(), "18446744073709551615");
    assert_eq!(by_node["3"]["inputs"]["sampler_name"]["type"], "LIST");
    assert!(
        by_node["3"]["inputs"]["sampler_name"]["spec"]["choices"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );
    assert_eq!(by_node["4"]["inputs"]["ckpt_name"]["type"], "MODEL");
    assert_eq!(
        by_node["6"]["inputs"]["text"],
        json!({"type": "STRING", "current": "a cat", "spec": {"multiline": true}})
    );
    assert!(
        by_node["3"]["inputs"].get("model").is_none(),
        "links are not parameters"
    );
    assert_eq!(by_node["3"]["class_type"], "KSampler");
}

#[test]
fn flat_list_puts_roles_first() {
    let params = list_params(&default_prompt(), Catalog::embedded());
    let first: Vec<(&str, Vec<&str>)> = params
        .iter()
        .take(3)
        .map(|p| {
            (
                p.selector.as_str(),
                p.roles.iter().map(|r| r.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        first,
        [
            ("#6.text", vec!["positive"]),
            ("#7.text", vec!["negative"]),
            ("#3.seed", vec!["seed"])
        ]
    );
    assert!(
        params
            .iter()
            .any(|p| p.selector == "#9.filename_prefix" && p.roles.is_empty())
    );
}

#[test]
fn selector_overrides_check_types_and_ranges() {
    let mut p = default_prompt();
    let issues = apply_overrides(
        &mut p,
        Catalog::embedded(),
        &[
            ("positive".into(), json!("a red fox")),
            ("seed".into(), json!("18446744073709551615")),
            ("width".into(), json!(768)),
            (
                "title:Load Checkpoint.ckpt_name".into(),
                json!("other.safetensors"),
            ),
        ],
    );
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(input(&p, "6", "text"), json!("a red fox"));
    assert_eq!(input(&p, "3", "seed").to_string(), "18446744073709551615");
    assert_eq!(input(&p, "5", "width"), json!(768));
}

#[test]
fn refused_overrides_change_nothing() {
    let before = default_prompt();
    let mut p = before.clone();
    let issues = apply_overrides(
        &mut p,
        Catalog::embedded(),
        &[
            ("steps".into(), json!(30)),
            ("seed".into(), json!("18446744073709551616")),
            ("sampler".into(), json!("warp_drive")),
            ("cfg".into(), json!("lots")),
            ("CLIPTextEncode.text".into(), json!("x")),
            ("KSampler.model".into(), json!("x")),
            ("KSampler".into(), json!(1)),
        ],
    );
    let codes: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "OUT_OF_RANGE",
            "NOT_A_CHOICE",
            "TYPE_MISMATCH",
            "AMBIGUOUS_SELECTOR",
            "NOT_A_PARAMETER",
            "NOT_A_PARAMETER"
        ]
    );
    assert_eq!(p, before, "all or nothing");
}

#[test]
fn sparse_bodies_and_named_parameters() {
    let mut p = default_prompt();
    let body =
        json!({"3": {"inputs": {"steps": {"type": "INT", "current": 12, "spec": {}}, "cfg": 4.5}}});
    assert!(apply_sparse(&mut p, Catalog::embedded(), &body).is_empty());
    assert_eq!(
        (input(&p, "3", "steps"), input(&p, "3", "cfg")),
        (json!(12), json!(4.5))
    );

    let named = json!({"prompt": "a lighthouse", "negative_prompt": "text", "height": 640, "cfg_scale": 6, "checkpoint": "sdxl.safetensors"});
    assert!(apply_named(&mut p, Catalog::embedded(), named.as_object().unwrap()).is_empty());
    assert_eq!(input(&p, "6", "text"), json!("a lighthouse"));
    assert_eq!(input(&p, "7", "text"), json!("text"));
    assert_eq!(input(&p, "5", "height"), json!(640));
    let bad = json!({"colour": "red"});
    assert_eq!(
        apply_named(&mut p, Catalog::embedded(), bad.as_object().unwrap())[0].code,
        IssueCode::InvalidSelector
    );
}

#[test]
fn assignments_parse_values_exactly() {
    assert_eq!(
        parse_assignment("seed=18446744073709551615")
            .unwrap()
            .1
            .to_string(),
        "18446744073709551615"
    );
    assert_eq!(
        parse_assignment("positive=a red fox").unwrap(),
        ("positive".into(), json!("a red fox"))
    );
    assert_eq!(parse_assignment("#6.text=").unwrap().1, json!(""));
    assert!(parse_assignment("no equals").is_err());
}

#[test]
fn seed_control_steps_and_draws_within_the_editor_limits() {
    let controls = [ValueControl {
        node_id: "3".into(),
        input: "seed".into(),
        mode: "increment".into(),
    }];
    let mut p = default_prompt();
    let changes = apply_controls(&mut p, Catalog::embedded(), &controls, None, 1);
    assert_eq!(changes[0].to, json!(156680208700287u64));

    let mut a = default_prompt();
    let mut b = default_prompt();
    apply_controls(
        &mut a,
        Catalog::embedded(),
        &controls,
        Some(ControlMode::Randomize),
        7,
    );
    apply_controls(
        &mut b,
        Catalog::embedded(),
        &controls,
        Some(ControlMode::Randomize),
        7,
    );
    let drawn = input(&a, "3", "seed").as_u64().unwrap();
    assert_eq!(input(&b, "3", "seed"), json!(drawn), "same seed, same draw");
    assert!(
        drawn <= 1_125_899_906_842_624,
        "the editor draws below 2^50: {drawn}"
    );

    let mut fixed = default_prompt();
    assert!(
        apply_controls(
            &mut fixed,
            Catalog::embedded(),
            &controls,
            Some(ControlMode::Fixed),
            7
        )
        .is_empty()
    );
    let combo = [ValueControl {
        node_id: "3".into(),
        input: "sampler_name".into(),
        mode: "decrement".into(),
    }];
    apply_controls(&mut fixed, Catalog::embedded(), &combo, None, 0);
    assert_eq!(
        input(&fixed, "3", "sampler_name"),
        json!("euler"),
        "clamped at the first choice"
    );
}

#[test]
fn seed_controls_for_prompts_without_saved_modes() {
    let controls = seed_controls(&default_prompt(), Catalog::embedded(), "randomize");
    assert_eq!(
        controls,
        [ValueControl {
            node_id: "3".into(),
            input: "seed".into(),
            mode: "randomize".into()
        }]
    );
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z0-9 .:#\\[\\]*=-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::hash_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        ]
    })
}

const SELECTORS: &[&str] = &[
    "positive",
    "negative",
    "seed",
    "steps",
    "cfg",
    "sampler",
    "scheduler",
    "denoise",
    "width",
    "height",
    "batch_size",
    "checkpoint",
    "#3.seed",
    "#6.text",
    "KSampler.steps",
    "title:Hero Prompt.text",
    "#9.filename_prefix",
    "outputs",
    "nope",
];

proptest! {
    /// An override changes its own targets and nothing else, whatever the values.
    #[test]
    fn overrides_never_touch_other_inputs(picks in prop::collection::vec((0..SELECTORS.len(), any_json()), 1..5)) {
        let before = default_prompt();
        let mut after = before.clone();
        let pairs: Vec<(String, Value)> = picks.iter().map(|(i, v)| (SELECTORS[*i].to_string(), v.clone())).collect();
        let issues = apply_overrides(&mut after, Catalog::embedded(), &pairs);
        let targeted: Vec<(String, String)> = pairs
            .iter()
            .filter_map(|(s, _)| crate::address::select(&before, Catalog::embedded(), s).ok())
            .flatten()
            .filter_map(|t| Some((t.node_id, t.input?)))
            .collect();
        if !issues.is_empty() {
            prop_assert_eq!(&after, &before);
        }
        for (id, node) in &before.nodes {
            for (name, value) in &node.inputs {
                if !targeted.contains(&(id.clone(), name.clone())) {
                    prop_assert_eq!(&after.nodes[id].inputs[name], value);
                }
            }
            prop_assert_eq!(after.nodes[id].inputs.len(), node.inputs.len());
        }
    }
}

#[test]
fn a_sparse_body_given_as_overrides_is_refused_with_where_it_goes() {
    let mut prompt = default_prompt();
    let issues = apply_overrides(
        &mut prompt,
        Catalog::embedded(),
        &[("3".into(), json!({"inputs": {"steps": 5}}))],
    );
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, IssueCode::NotAParameter);
    assert!(
        issues[0].message.contains("`body` option"),
        "{}",
        issues[0].message
    );
    assert_eq!(input(&prompt, "3", "steps"), json!(20), "nothing changed");
}
