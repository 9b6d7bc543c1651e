//! `control_after_generate`: what the editor does to a seed (or a combo) between runs — keep it,
//! step it, or draw a new one — reproduced exactly in integers and driven by a seeded generator.

use serde_json::Value;

use super::overrides::canonical_int;
use crate::catalog::Catalog;
use crate::convert::ValueControl;
use crate::convert::text::SplitMix64;
use crate::prompt::Prompt;

/// The editor clamps number ranges to ±2^50 before stepping or drawing.
const EDITOR_LIMIT: i128 = 1_125_899_906_842_624;

/// A control mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlMode {
    Fixed,
    Increment,
    /// Combos only: past the last choice, back to the first.
    IncrementWrap,
    Decrement,
    Randomize,
}

impl ControlMode {
    pub fn parse(text: &str) -> Option<ControlMode> {
        Some(match text {
            "fixed" => ControlMode::Fixed,
            "increment" => ControlMode::Increment,
            "increment-wrap" => ControlMode::IncrementWrap,
            "decrement" => ControlMode::Decrement,
            "randomize" => ControlMode::Randomize,
            _ => return None,
        })
    }
}

/// A value changed by a control.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlChange {
    pub node_id: String,
    pub input: String,
    pub from: Value,
    pub to: Value,
}

/// Applies each control once (what queueing a run does in the editor), `mode` overriding the
/// saved modes when given. `rng_seed` makes `randomize` reproducible.
pub fn apply_controls(
    prompt: &mut Prompt,
    catalog: &Catalog,
    controls: &[ValueControl],
    mode: Option<ControlMode>,
    rng_seed: u64,
) -> Vec<ControlChange> {
    let mut rng = SplitMix64::new(rng_seed);
    let mut changes = Vec::new();
    for control in controls {
        let Some(mode) = mode.or_else(|| ControlMode::parse(&control.mode)) else {
            continue;
        };
        let Some(node) = prompt.nodes.get_mut(&control.node_id) else {
            continue;
        };
        let Some(spec) = node
            .class_type
            .as_deref()
            .and_then(|c| catalog.get(c))
            .and_then(|d| d.input(&control.input))
            .map(|i| &i.spec)
        else {
            continue;
        };
        let Some(current) = node.inputs.get(&control.input).cloned() else {
            continue;
        };
        let next = if spec.is_combo() {
            next_choice(spec.choices().unwrap_or_default(), &current, mode, &mut rng)
        } else if spec.type_name() == "INT" {
            next_int(spec, &current, mode, &mut rng)
        } else {
            None
        };
        if let Some(next) = next.filter(|n| *n != current) {
            node.inputs.insert(control.input.clone(), next.clone());
            changes.push(ControlChange {
                node_id: control.node_id.clone(),
                input: control.input.clone(),
                from: current,
                to: next,
            });
        }
    }
    changes
}

fn bound(v: Option<&Value>, default: i128) -> i128 {
    v.and_then(|v| canonical_int(&v.to_string()))
        .and_then(|s| s.parse::<i128>().ok())
        .unwrap_or(default)
}

/// `computeNextNumberValue`, in integers: step by `step`, or draw
/// `floor(random · (max − min) / step) · step + min`, clamped to `[min, max]`.
fn next_int(
    spec: &crate::catalog::InputSpec,
    current: &Value,
    mode: ControlMode,
    rng: &mut SplitMix64,
) -> Option<Value> {
    let value: i128 = canonical_int(&current.to_string())?.parse().ok()?;
    let min = bound(spec.min(), 0).max(-EDITOR_LIMIT);
    let max = bound(spec.max(), 1).min(EDITOR_LIMIT);
    let step = bound(spec.step(), 1).max(1);
    let next = match mode {
        ControlMode::Fixed => value,
        ControlMode::Increment | ControlMode::IncrementWrap => value + step,
        ControlMode::Decrement => value - step,
        ControlMode::Randomize => {
            let range = ((max - min) / step).max(1) as u128;
            let draw = (rng.next_u64() as u128 % range) as i128;
            draw * step + min
        }
    };
    let clamped = next.clamp(min, max.max(min));
    serde_json::from_str(&clamped.to_string()).ok()
}

/// Combo stepping: move through the choices, clamped at the ends (or wrapping).
fn next_choice(
    choices: &[Value],
    current: &Value,
    mode: ControlMode,
    rng: &mut SplitMix64,
) -> Option<Value> {
    if choices.is_empty() {
        return None;
    }
    let len = choices.len() as i64;
    let index = choices
        .iter()
        .position(|c| c == current)
        .map_or(-1, |i| i as i64);
    let next = match mode {
        ControlMode::Fixed => index,
        ControlMode::Increment => index + 1,
        ControlMode::IncrementWrap => {
            if index + 1 >= len {
                0
            } else {
                index + 1
            }
        }
        ControlMode::Decrement => index - 1,
        ControlMode::Randomize => (rng.next_u64() % len as u64) as i64,
    };
    Some(choices[next.clamp(0, len - 1) as usize].clone())
}

/// Controls for every `seed` role of a prompt that carries no saved modes (an API prompt), all
/// with `mode`, so `--seed-mode randomize` works on either format.
pub fn seed_controls(prompt: &Prompt, catalog: &Catalog, mode: &str) -> Vec<ValueControl> {
    crate::address::find_roles(prompt, catalog)
        .into_iter()
        .filter(|(r, _)| *r == crate::address::Role::Seed)
        .flat_map(|(_, targets)| targets)
        .filter_map(|t| {
            Some(ValueControl {
                node_id: t.node_id,
                input: t.input?,
                mode: mode.to_string(),
            })
        })
        .collect()
}
