//! Roles: the parts of a workflow a user means without knowing node ids ("the positive prompt",
//! "the seed"), found by walking the graph from its samplers the way a person reads it.

use std::collections::HashSet;
use std::fmt;

use super::graph::PromptGraph;

/// A well-known part of a generation workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The text encoder feeding a sampler's positive conditioning (through reroutes, guiders,
    /// ControlNet appliers and conditioning combiners).
    Positive,
    Negative,
    Seed,
    Steps,
    Cfg,
    Sampler,
    Scheduler,
    Denoise,
    Width,
    Height,
    BatchSize,
    Checkpoint,
    LoadImage,
    /// Output nodes (SaveImage, PreviewImage…); a node, not an input.
    Outputs,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::Positive,
        Role::Negative,
        Role::Seed,
        Role::Steps,
        Role::Cfg,
        Role::Sampler,
        Role::Scheduler,
        Role::Denoise,
        Role::Width,
        Role::Height,
        Role::BatchSize,
        Role::Checkpoint,
        Role::LoadImage,
        Role::Outputs,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Positive => "positive",
            Role::Negative => "negative",
            Role::Seed => "seed",
            Role::Steps => "steps",
            Role::Cfg => "cfg",
            Role::Sampler => "sampler",
            Role::Scheduler => "scheduler",
            Role::Denoise => "denoise",
            Role::Width => "width",
            Role::Height => "height",
            Role::BatchSize => "batch_size",
            Role::Checkpoint => "checkpoint",
            Role::LoadImage => "load_image",
            Role::Outputs => "outputs",
        }
    }

    /// Parses a role name; also accepts the parameter names of seed 000's `generate_image`
    /// (`prompt`, `negative_prompt`, `cfg_scale`, `image`).
    pub fn parse(name: &str) -> Option<Role> {
        let alias = match name {
            "prompt" => "positive",
            "negative_prompt" => "negative",
            "cfg_scale" => "cfg",
            "sampler_name" => "sampler",
            "image" => "load_image",
            "ckpt" | "model" => "checkpoint",
            other => other,
        };
        Role::ALL.into_iter().find(|r| r.as_str() == alias)
    }

    /// Input names that carry this role on the node found for it.
    fn inputs(self) -> &'static [&'static str] {
        match self {
            Role::Seed => &["seed", "noise_seed"],
            Role::Steps => &["steps"],
            Role::Cfg => &["cfg"],
            Role::Sampler => &["sampler_name"],
            Role::Scheduler => &["scheduler"],
            Role::Denoise => &["denoise"],
            Role::Width => &["width"],
            Role::Height => &["height"],
            Role::BatchSize => &["batch_size"],
            Role::Checkpoint => &["ckpt_name", "unet_name"],
            _ => &[],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a role lives: a node and (except for `outputs`) one of its inputs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub node_id: String,
    pub input: Option<String>,
}

/// Every candidate of `role`, in execution order (the first sampler's first), without duplicates.
/// A graph without a sampler (API nodes, audio, 3D…) is searched node by node instead.
pub(crate) fn find(graph: &PromptGraph, role: Role) -> Vec<Target> {
    if !matches!(role, Role::Outputs | Role::LoadImage) && samplers(graph).is_empty() {
        return find_without_sampler(graph, role);
    }
    let mut out: Vec<Target> = Vec::new();
    let mut seen: HashSet<Target> = HashSet::new();
    let mut push = |t: Target| {
        if seen.insert(t.clone()) {
            out.push(t);
        }
    };
    match role {
        Role::Outputs => {
            for id in &graph.order {
                if graph.def(id).is_some_and(|d| d.output_node) {
                    push(Target {
                        node_id: id.to_string(),
                        input: None,
                    });
                }
            }
        }
        Role::LoadImage => {
            for id in &graph.order {
                let Some(def) = graph.def(id) else { continue };
                let image = def
                    .inputs
                    .iter()
                    .find(|i| i.spec.is_combo() && i.spec.flag("image_upload"));
                if let Some(input) = image.filter(|i| graph.literal(id, &i.name).is_some()) {
                    push(Target {
                        node_id: id.to_string(),
                        input: Some(input.name.clone()),
                    });
                }
            }
        }
        Role::Positive | Role::Negative => {
            let texts = |side: &str| -> Vec<Target> {
                samplers(graph)
                    .into_iter()
                    .flat_map(|sampler| conditioning_starts(graph, sampler, side))
                    .filter_map(|(node, slot)| text_source(graph, node, slot, &mut HashSet::new()))
                    .collect()
            };
            let positives = texts("positive");
            let found = if role == Role::Positive {
                positives.clone()
            } else {
                texts("negative")
            };
            // A negative derived from the positive text (e.g. zeroed out) is not a prompt of its own.
            for t in found {
                if role == Role::Positive || !positives.contains(&t) {
                    push(t);
                }
            }
        }
        Role::Width | Role::Height | Role::BatchSize => {
            for sampler in samplers(graph) {
                let branch =
                    graph.upstream_bfs(sampler, Some(&["latent_image", "latent", "samples"]));
                if let Some(t) = first_with_input(graph, &branch[1..], role.inputs()) {
                    push(t);
                }
            }
        }
        _ => {
            for sampler in samplers(graph) {
                let reach = graph.upstream_bfs(sampler, None);
                if let Some(t) = first_with_input(graph, &reach, role.inputs()) {
                    push(t);
                }
            }
        }
    }
    out
}

/// Without a sampler, a role is an input of that name on any node (`prompt` / `negative_prompt`
/// for the texts, as API nodes name them).
fn find_without_sampler(graph: &PromptGraph, role: Role) -> Vec<Target> {
    let names: &[&str] = match role {
        Role::Positive => &["prompt", "text", "positive_prompt"],
        Role::Negative => &["negative_prompt", "negative"],
        other => other.inputs(),
    };
    let mut out = Vec::new();
    for id in &graph.order {
        for name in names {
            let is_text = matches!(role, Role::Positive | Role::Negative);
            let fits = graph.literal(id, name).is_some()
                && (!is_text || graph.input_type(id, name) == Some("STRING"));
            if fits {
                out.push(Target {
                    node_id: id.to_string(),
                    input: Some(name.to_string()),
                });
                break;
            }
        }
    }
    out
}

/// Nodes that sample: a CONDITIONING `positive` input or a `guider` input, in execution order.
fn samplers<'p>(graph: &PromptGraph<'p, '_>) -> Vec<&'p str> {
    graph
        .order
        .iter()
        .copied()
        .filter(|id| {
            graph.def(id).is_some_and(|d| {
                let has =
                    |name: &str, ty: &str| d.input(name).is_some_and(|i| i.spec.type_name() == ty);
                (has("positive", "CONDITIONING") || has("guider", "GUIDER"))
                    && d.outputs.iter().any(|o| o.output_type == "LATENT")
            })
        })
        .collect()
}

/// Where to start looking for the `side` prompt of a sampler: its own `positive`/`negative`, or
/// those of its guider (`BasicGuider` has one `conditioning`, the positive).
fn conditioning_starts<'p>(
    graph: &PromptGraph<'p, '_>,
    sampler: &'p str,
    side: &str,
) -> Vec<(&'p str, i64)> {
    if let Some(up) = graph.upstream(sampler, side) {
        return vec![up];
    }
    let Some((guider, _)) = graph.upstream(sampler, "guider") else {
        return Vec::new();
    };
    if let Some(up) = graph.upstream(guider, side) {
        return vec![up];
    }
    // BasicGuider has one `conditioning`; DualCFGGuider calls its positive `cond1`.
    let alternates: &[&str] = if side == "positive" {
        &["conditioning", "cond1"]
    } else {
        &[]
    };
    alternates
        .iter()
        .find_map(|name| graph.upstream(guider, name))
        .into_iter()
        .collect()
}

/// Follows conditioning upstream from output `slot` of `id` to the node holding the prompt text.
fn text_source(
    graph: &PromptGraph,
    id: &str,
    slot: i64,
    seen: &mut HashSet<(String, i64)>,
) -> Option<Target> {
    if !seen.insert((id.to_string(), slot)) || seen.len() > 256 {
        return None;
    }
    let def = graph.def(id)?;
    // Zeroed conditioning carries no prompt, whatever fed it.
    if def.name.contains("ZeroOut") {
        return None;
    }
    if let Some(t) = string_input(graph, id) {
        return Some(t);
    }
    // A node that passes conditioning through: follow the input named like the output it
    // produced (ControlNetApplyAdvanced: positive → positive), else its conditioning inputs.
    let out_name = def
        .outputs
        .get(usize::try_from(slot).ok()?)
        .map(|o| o.name.to_lowercase());
    let conditioning: Vec<&str> = def
        .inputs
        .iter()
        .filter(|i| i.spec.type_name() == "CONDITIONING")
        .map(|i| i.name.as_str())
        .collect();
    let same_name = out_name.as_deref().filter(|n| conditioning.contains(n));
    let candidates: Vec<&str> = match same_name {
        Some(n) => vec![n],
        None => conditioning,
    };
    candidates
        .into_iter()
        .filter_map(|input| graph.upstream(id, input))
        .find_map(|(origin, origin_slot)| text_source(graph, origin, origin_slot, seen))
}

/// The prompt text input of a text encoder: `text`/`prompt`-like, or any multiline STRING,
/// following a link to a string node (`PrimitiveStringMultiline`) when it is converted to input.
fn string_input(graph: &PromptGraph, id: &str) -> Option<Target> {
    let def = graph.def(id)?;
    let strings: Vec<&str> = def
        .inputs
        .iter()
        .filter(|i| {
            i.spec.type_name() == "STRING" && (i.spec.multiline() || i.spec.dynamic_prompts())
        })
        .map(|i| i.name.as_str())
        .collect();
    let preferred = ["text", "prompt", "text_g", "clip_l", "t5xxl"];
    let mut ordered: Vec<&str> = preferred
        .iter()
        .copied()
        .filter(|p| strings.contains(p))
        .collect();
    ordered.extend(strings.iter().copied().filter(|s| !preferred.contains(s)));
    for name in ordered {
        if graph.literal(id, name).is_some() {
            return Some(Target {
                node_id: id.to_string(),
                input: Some(name.to_string()),
            });
        }
        if let Some((origin, _)) = graph.upstream(id, name) {
            if let Some(t) = string_node_text(graph, origin, &mut HashSet::new()) {
                return Some(t);
            }
        }
    }
    None
}

/// The text a string-producing node (a primitive, `StringConcatenate`…) contributes: what a
/// linked string input leads to first (the user's primitive), else its first multiline literal.
fn string_node_text(graph: &PromptGraph, id: &str, seen: &mut HashSet<String>) -> Option<Target> {
    if !seen.insert(id.to_string()) || seen.len() > 64 {
        return None;
    }
    let def = graph.def(id)?;
    let strings: Vec<_> = def
        .inputs
        .iter()
        .filter(|i| i.spec.type_name() == "STRING")
        .collect();
    for input in &strings {
        if let Some((origin, _)) = graph.upstream(id, &input.name) {
            if let Some(t) = string_node_text(graph, origin, seen) {
                return Some(t);
            }
        }
    }
    let literal = |multiline_only: bool| {
        strings
            .iter()
            .filter(|i| !multiline_only || i.spec.multiline())
            .find(|i| graph.literal(id, &i.name).is_some())
            .map(|i| Target {
                node_id: id.to_string(),
                input: Some(i.name.clone()),
            })
    };
    literal(true).or_else(|| literal(false))
}

/// The first node of `nodes` carrying one of `names`; a linked input is followed to the
/// primitive node that holds the value.
fn first_with_input(graph: &PromptGraph, nodes: &[&str], names: &[&str]) -> Option<Target> {
    for id in nodes {
        for name in names {
            if graph.literal(id, name).is_some() {
                return Some(Target {
                    node_id: id.to_string(),
                    input: Some(name.to_string()),
                });
            }
            if let Some((origin, _)) = graph.upstream(id, name) {
                let ty = graph.input_type(id, name).unwrap_or("*");
                let types: &[&str] = match ty {
                    "INT" => &["INT"],
                    "FLOAT" => &["FLOAT", "INT"],
                    _ => &["COMBO", "STRING"],
                };
                if let Some(t) = single_literal(graph, origin, types) {
                    return Some(t);
                }
            }
        }
    }
    None
}

/// A node with exactly one literal input of the given types (a primitive or selector node).
fn single_literal(graph: &PromptGraph, id: &str, types: &[&str]) -> Option<Target> {
    let def = graph.def(id)?;
    let mut found = def
        .inputs
        .iter()
        .filter(|i| types.contains(&i.spec.type_name()) && graph.literal(id, &i.name).is_some());
    let first = found.next()?;
    found.next().is_none().then(|| Target {
        node_id: id.to_string(),
        input: Some(first.name.clone()),
    })
}
