//! Changing a prompt's inputs: by selector (`seed=42`), by a sparse body like GenStudio's
//! `{"<id>": {"inputs": {…}}}` (seed 001), or by the named parameters of seed 000's
//! `generate_image` (`prompt`, `negative_prompt`, `width`, `cfg_scale`…). Values are checked
//! against the catalog; problems come back as [`OverrideIssue`] values and nothing is changed.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value};

use super::spec::ParamType;
use crate::address::{Role, Selector};
use crate::catalog::{Catalog, InputSpec};
use crate::error::Error;
use crate::prompt::Prompt;

/// Why an override was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueCode {
    InvalidSelector,
    NotFound,
    Ambiguous,
    /// The input is a socket (IMAGE, MODEL…) or the selector names a node, not an input.
    NotAParameter,
    TypeMismatch,
    OutOfRange,
    NotAChoice,
}

impl IssueCode {
    /// Every code, in declaration order (the JS `OverrideIssue.code` union is checked against it).
    pub const ALL: [IssueCode; 7] = [
        IssueCode::InvalidSelector,
        IssueCode::NotFound,
        IssueCode::Ambiguous,
        IssueCode::NotAParameter,
        IssueCode::TypeMismatch,
        IssueCode::OutOfRange,
        IssueCode::NotAChoice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::InvalidSelector => "INVALID_SELECTOR",
            IssueCode::NotFound => "NOT_FOUND",
            IssueCode::Ambiguous => "AMBIGUOUS_SELECTOR",
            IssueCode::NotAParameter => "NOT_A_PARAMETER",
            IssueCode::TypeMismatch => "TYPE_MISMATCH",
            IssueCode::OutOfRange => "OUT_OF_RANGE",
            IssueCode::NotAChoice => "NOT_A_CHOICE",
        }
    }
}

/// One refused override.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideIssue {
    pub selector: String,
    pub code: IssueCode,
    pub message: String,
}

impl OverrideIssue {
    pub fn to_json(&self) -> Value {
        crate::js::shapes::to_value(crate::js::shapes::OverrideIssue::from(self))
    }
}

impl fmt::Display for OverrideIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.selector,
            self.code.as_str(),
            self.message
        )
    }
}

fn issue(selector: &str, code: IssueCode, message: impl Into<String>) -> OverrideIssue {
    OverrideIssue {
        selector: selector.to_string(),
        code,
        message: message.into(),
    }
}

fn from_error(selector: &str, err: Error) -> OverrideIssue {
    let code = match err {
        Error::Ambiguous { .. } => IssueCode::Ambiguous,
        Error::NotFound { .. } => IssueCode::NotFound,
        _ => IssueCode::InvalidSelector,
    };
    issue(selector, code, err.to_string())
}

/// Applies `selector = value` pairs, all or nothing: when any is refused the prompt is left
/// untouched and every refusal is returned.
pub fn apply_overrides(
    prompt: &mut Prompt,
    catalog: &Catalog,
    overrides: &[(String, Value)],
) -> Vec<OverrideIssue> {
    let mut changes: Vec<(String, String, Value)> = Vec::new();
    let mut issues = Vec::new();
    for (selector, value) in overrides {
        let targets = match Selector::parse(selector).and_then(|s| s.resolve(prompt, catalog)) {
            Ok(t) => t,
            Err(e) => {
                issues.push(from_error(selector, e));
                continue;
            }
        };
        for target in targets {
            let Some(input) = target.input.clone() else {
                // `{"3": {"inputs": {…}}}` is a sparse prompt body (the hosted-API shape), not
                // named overrides: say where it goes.
                let sparse = value.get("inputs").is_some_and(Value::is_object);
                let hint = if sparse {
                    "; a sparse `{\"<id>\": {\"inputs\": {…}}}` body goes in the `body` option \
                     (CLI: `set --body`)"
                } else {
                    ""
                };
                issues.push(issue(
                    selector,
                    IssueCode::NotAParameter,
                    format!(
                        "{target} is a node; name one of its inputs (`{selector}.<input>`){hint}"
                    ),
                ));
                continue;
            };
            let node = &prompt.nodes[&target.node_id];
            let spec = node
                .class_type
                .as_deref()
                .and_then(|c| catalog.get(c))
                .and_then(|d| d.input(&input))
                .map(|i| &i.spec);
            let checked = match spec {
                // A class the catalog does not know: the value goes in as given.
                None if node
                    .class_type
                    .as_deref()
                    .is_none_or(|c| catalog.get(c).is_none()) =>
                {
                    Ok(value.clone())
                }
                None => Err(issue(
                    selector,
                    IssueCode::NotFound,
                    format!("{} has no input `{input}`", target.node_id),
                )),
                Some(spec) => match ParamType::of(&input, spec) {
                    None => Err(issue(
                        selector,
                        IssueCode::NotAParameter,
                        format!("`{input}` is a {} socket, not a value", spec.type_name()),
                    )),
                    Some(t) => coerce(&t, spec, value)
                        .map_err(|(code, m)| issue(selector, code, format!("{target}: {m}"))),
                },
            };
            match checked {
                Ok(v) => changes.push((target.node_id, input, v)),
                Err(i) => issues.push(i),
            }
        }
    }
    if issues.is_empty() {
        for (id, input, value) in changes {
            if let Some(node) = prompt.nodes.get_mut(&id) {
                node.inputs.insert(input, value);
            }
        }
    }
    issues
}

/// A sparse body `{"<id>": {"inputs": {"<name>": value}}}`; a value may also be GenStudio's
/// `{"type", "current", "spec"}` object, whose `current` is taken.
pub fn apply_sparse(prompt: &mut Prompt, catalog: &Catalog, body: &Value) -> Vec<OverrideIssue> {
    let Some(nodes) = body.as_object() else {
        return vec![issue(
            "$",
            IssueCode::TypeMismatch,
            "a sparse override body is an object keyed by node id",
        )];
    };
    let mut pairs = Vec::new();
    for (id, node) in nodes {
        let Some(inputs) = node.get("inputs").and_then(Value::as_object) else {
            return vec![issue(
                id,
                IssueCode::TypeMismatch,
                "expected {\"inputs\": {…}}",
            )];
        };
        for (name, value) in inputs {
            let value = match value {
                Value::Object(o) if o.contains_key("current") => o["current"].clone(),
                v => v.clone(),
            };
            pairs.push((format!("#{id}.{name}"), value));
        }
    }
    apply_overrides(prompt, catalog, &pairs)
}

/// Named parameters (seed 000): `prompt`, `negative_prompt`, `width`, `height`, `steps`,
/// `cfg_scale`, `seed`, `checkpoint`, `image`, and every other role name.
pub fn apply_named(
    prompt: &mut Prompt,
    catalog: &Catalog,
    params: &Map<String, Value>,
) -> Vec<OverrideIssue> {
    let mut pairs = Vec::new();
    for (name, value) in params {
        match Role::parse(name) {
            Some(role) if role != Role::Outputs => {
                pairs.push((role.as_str().to_string(), value.clone()))
            }
            _ => {
                return vec![issue(
                    name,
                    IssueCode::InvalidSelector,
                    format!(
                        "`{name}` is not a parameter name (known: prompt, negative_prompt, width, height, steps, cfg_scale, seed, sampler, scheduler, denoise, batch_size, checkpoint, image)"
                    ),
                )];
            }
        }
    }
    apply_overrides(prompt, catalog, &pairs)
}

/// Splits `selector=value` (command line). The value is JSON when it parses as JSON (numbers
/// stay exact), else the text itself; [`coerce`] then converts text for the target's type.
pub fn parse_assignment(text: &str) -> Result<(String, Value), Error> {
    let (selector, raw) = text.split_once('=').ok_or_else(|| Error::InvalidSelector {
        selector: text.to_string(),
        message: "expected `selector=value`".into(),
    })?;
    let value =
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((selector.trim().to_string(), value))
}

type Refusal = (IssueCode, String);

/// Checks `value` against an input's spec and converts what the server would convert
/// (numeric strings for INT/FLOAT, `"true"`/`"false"`, numbers for STRING).
pub fn coerce(param_type: &ParamType, spec: &InputSpec, value: &Value) -> Result<Value, Refusal> {
    match param_type {
        ParamType::Int => {
            let text = match value {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.trim().to_string(),
                other => {
                    return Err((
                        IssueCode::TypeMismatch,
                        format!("expected an integer, got {}", crate::json::kind(other)),
                    ));
                }
            };
            let canonical = canonical_int(&text).ok_or((
                IssueCode::TypeMismatch,
                format!("`{text}` is not an integer"),
            ))?;
            check_int_range(&canonical, spec)?;
            Ok(serde_json::from_str(&canonical).expect("a canonical integer is JSON"))
        }
        ParamType::Float => {
            let f = match value {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            }
            .filter(|f| f.is_finite())
            .ok_or((
                IssueCode::TypeMismatch,
                format!("expected a number, got {value}"),
            ))?;
            let bound = |k: &str| spec.option(k).and_then(Value::as_f64);
            if bound("min").is_some_and(|m| f < m) || bound("max").is_some_and(|m| f > m) {
                return Err((
                    IssueCode::OutOfRange,
                    format!(
                        "{f} is outside [{}, {}]",
                        show(spec.min()),
                        show(spec.max())
                    ),
                ));
            }
            Ok(match value {
                Value::Number(_) => value.clone(),
                _ => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
            })
        }
        ParamType::Boolean => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err((
                IssueCode::TypeMismatch,
                format!("expected true or false, got {value}"),
            )),
        },
        ParamType::String => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(n) => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err((
                IssueCode::TypeMismatch,
                format!("expected text, got {}", crate::json::kind(value)),
            )),
        },
        ParamType::List
        | ParamType::Model
        | ParamType::Image
        | ParamType::Video
        | ParamType::Audio => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => {
                    return Err((
                        IssueCode::TypeMismatch,
                        format!("expected a choice, got {}", crate::json::kind(value)),
                    ));
                }
            };
            // Uploaded files appear after the catalog was read: only fixed lists are enforced.
            let enforce = matches!(param_type, ParamType::List | ParamType::Model);
            let choices = spec.choices().unwrap_or_default();
            if enforce
                && !choices.is_empty()
                && !choices.iter().any(|c| c.as_str() == Some(text.as_str()))
            {
                let shown: Vec<String> = choices.iter().take(8).map(|c| c.to_string()).collect();
                let more = if choices.len() > 8 {
                    format!(" … ({} in all)", choices.len())
                } else {
                    String::new()
                };
                return Err((
                    IssueCode::NotAChoice,
                    format!("`{text}` is not one of {}{more}", shown.join(", ")),
                ));
            }
            Ok(Value::String(text))
        }
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "…".to_string(), Value::to_string)
}

/// `-007` → `-7`; `1e3`, `1.5`, `abc` → `None`. Any length: INTs are compared as decimal text.
pub(crate) fn canonical_int(text: &str) -> Option<String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    let body = if trimmed.is_empty() { "0" } else { trimmed };
    Some(if neg && body != "0" {
        format!("-{body}")
    } else {
        body.to_string()
    })
}

/// Orders two canonical decimal integers of any size.
pub(crate) fn cmp_int(a: &str, b: &str) -> Ordering {
    let (an, bn) = (a.starts_with('-'), b.starts_with('-'));
    let (ad, bd) = (a.trim_start_matches('-'), b.trim_start_matches('-'));
    let magnitude = ad.len().cmp(&bd.len()).then_with(|| ad.cmp(bd));
    match (an, bn) {
        (false, false) => magnitude,
        (true, true) => magnitude.reverse(),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

fn check_int_range(value: &str, spec: &InputSpec) -> Result<(), Refusal> {
    let bound = |v: Option<&Value>| {
        v.and_then(|v| {
            canonical_int(&v.to_string())
                .or_else(|| v.as_f64().map(|f| format!("{}", f.floor() as i128)))
        })
    };
    let (min, max) = (bound(spec.min()), bound(spec.max()));
    if min
        .as_deref()
        .is_some_and(|m| cmp_int(value, m) == Ordering::Less)
        || max
            .as_deref()
            .is_some_and(|m| cmp_int(value, m) == Ordering::Greater)
    {
        return Err((
            IssueCode::OutOfRange,
            format!(
                "{value} is outside [{}, {}]",
                show(spec.min()),
                show(spec.max())
            ),
        ));
    }
    Ok(())
}
