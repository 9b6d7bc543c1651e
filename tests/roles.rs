//! Role detection over the 452 golden prompts. A role must be found wherever the workflow has
//! what it names (a text encoder for `positive`, a seed input for `seed`…); where several
//! candidates exist (multi-pass workflows) the report lists them.

use comfywire::address::{Role, Target, find_roles, select};
use comfywire::{Catalog, Prompt};
use comfywire_tests::{golden_stems, read_golden};

fn has_input(prompt: &Prompt, names: &[&str]) -> bool {
    prompt
        .nodes
        .values()
        .any(|n| names.iter().any(|name| n.inputs.contains_key(*name)))
}

/// A text encoder whose conditioning some node uses (an encoder nothing reads, as in a prompt
/// whose links the editor dropped, is no prompt a person would point at).
fn has_text_encoder(prompt: &Prompt, catalog: &Catalog) -> bool {
    let used = |id: &str| {
        prompt.nodes.values().any(|other| {
            other
                .inputs
                .values()
                .any(|v| v.as_array().is_some_and(|l| l.len() == 2 && l[0] == id))
        })
    };
    prompt.nodes.iter().any(|(id, n)| {
        used(id)
            && n.class_type
                .as_deref()
                .and_then(|c| catalog.get(c))
                .is_some_and(|d| {
                    d.outputs.iter().any(|o| o.output_type == "CONDITIONING")
                        && d.inputs.iter().any(|i| {
                            i.spec.type_name() == "STRING"
                                && (i.spec.multiline() || i.spec.dynamic_prompts())
                        })
                })
    })
}

#[test]
fn roles_are_found_wherever_the_workflow_has_them() {
    let catalog = Catalog::embedded();
    let (mut checked, mut found, mut ambiguous) = (0, 0, Vec::new());
    let mut missing = Vec::new();
    for stem in golden_stems() {
        let prompt = Prompt::from_json(&read_golden(&stem, "prompt")).unwrap();
        let roles = find_roles(&prompt, catalog);
        let get = |r: Role| {
            roles
                .iter()
                .find(|(role, _)| *role == r)
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        };
        // An empty latent with a literal size that some sampler actually consumes.
        let feeds_latent = |id: &str| {
            prompt.nodes.values().any(|n| {
                ["latent_image", "latent"].iter().any(|k| {
                    n.inputs
                        .get(*k)
                        .and_then(comfywire::prompt::as_link)
                        .is_some_and(|(o, _)| o == id)
                })
            })
        };
        let literal_on_latent_node = |name: &str| {
            prompt.nodes.iter().any(|(id, n)| {
                n.inputs.get(name).is_some_and(|v| !v.is_array()) && feeds_latent(id)
            })
        };
        // What a person would point at: a text prompt wherever a text encoder exists (either side:
        // some workflows zero out the positive on purpose), a seed/steps/sampler wherever one is set,
        // a width wherever an empty latent has one.
        let expectations = [
            (
                "prompt",
                has_text_encoder(&prompt, catalog),
                [Role::Positive, Role::Negative],
            ),
            (
                "seed",
                has_input(&prompt, &["seed", "noise_seed"]),
                [Role::Seed, Role::Seed],
            ),
            (
                "steps",
                has_input(&prompt, &["steps"]),
                [Role::Steps, Role::Steps],
            ),
            (
                "sampler",
                has_input(&prompt, &["sampler_name"]),
                [Role::Sampler, Role::Sampler],
            ),
            (
                "width",
                literal_on_latent_node("width"),
                [Role::Width, Role::Width],
            ),
        ];
        for (label, expected, roles_for) in expectations {
            if !expected {
                continue;
            }
            checked += 1;
            let role = roles_for[0];
            let mut targets = get(role);
            if targets.is_empty() {
                targets = get(roles_for[1]);
            }
            let role = label;
            match targets.len() {
                0 => missing.push(format!("{stem}: {role}")),
                1 => found += 1,
                n => {
                    found += 1;
                    let list: Vec<String> = targets.iter().map(Target::to_string).collect();
                    ambiguous.push(format!("{stem}: {role} ×{n} ({})", list.join(", ")));
                }
            }
        }
        // Positive and negative are never the same text.
        let (pos, neg) = (get(Role::Positive), get(Role::Negative));
        assert!(
            pos.iter().all(|p| !neg.contains(p)),
            "{stem}: {pos:?} / {neg:?}"
        );
    }
    println!(
        "roles: {found}/{checked} found; {} with several candidates (multi-pass workflows):",
        ambiguous.len()
    );
    for a in &ambiguous {
        println!("  {a}");
    }
    assert!(
        missing.is_empty(),
        "roles not found:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_default_workflow_reads_like_a_person_would() {
    let catalog = Catalog::embedded();
    let prompt = Prompt::from_json(&read_golden("templates-old-0.1.0__default", "prompt")).unwrap();
    let one = |s: &str| {
        select(&prompt, catalog, s)
            .unwrap()
            .iter()
            .map(Target::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(one("positive"), "#6.text");
    assert_eq!(one("negative"), "#7.text");
    assert_eq!(one("seed"), "#3.seed");
    assert_eq!(one("cfg_scale"), "#3.cfg");
    assert_eq!(one("width"), "#5.width");
    assert_eq!(one("batch_size"), "#5.batch_size");
    assert_eq!(one("checkpoint"), "#4.ckpt_name");
    assert_eq!(one("outputs"), "#9");
    assert_eq!(one("KSampler.steps"), "#3.steps");
    assert_eq!(one("title:Load Checkpoint.ckpt_name"), "#4.ckpt_name");
    assert_eq!(one("CLIPTextEncode[1].text"), "#7.text");
    assert_eq!(one("CLIPTextEncode[*]"), "#6 #7");
    assert_eq!(one("#9.filename_prefix"), "#9.filename_prefix");
    let err = select(&prompt, catalog, "CLIPTextEncode.text").unwrap_err();
    assert_eq!(err.code(), "AMBIGUOUS_SELECTOR");
    assert!(
        err.to_string().contains("#6") && err.to_string().contains("#7"),
        "{err}"
    );
    assert_eq!(
        select(&prompt, catalog, "title:Nope").unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        select(&prompt, catalog, "KSampler.nope")
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        select(&prompt, catalog, "KSampler[x]").unwrap_err().code(),
        "INVALID_SELECTOR"
    );
}

#[test]
fn subgraph_workflows_resolve_to_execution_ids() {
    let catalog = Catalog::embedded();
    let prompt = Prompt::from_json(&read_golden(
        "templates__template_sugar_coated_gummy_style_qwen",
        "prompt",
    ))
    .unwrap();
    let got: Vec<String> = select(&prompt, catalog, "positive")
        .unwrap()
        .iter()
        .map(Target::to_string)
        .collect();
    // The prompt text is built by a StringConcatenate inside subgraph 76.
    assert_eq!(got, ["#76:80.string_a"]);
    assert_eq!(
        select(&prompt, catalog, "#76:3.seed").unwrap()[0].to_string(),
        "#76:3.seed"
    );
}
