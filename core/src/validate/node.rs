//! One node's `validate_inputs`: its loop over declared inputs (presence, links, coercion,
//! bounds, combo choices) and its class's own validation function, as resumable frames.

use serde_json::{Value, json};

use super::custom::{self, Validator};
use super::engine::{Engine, Exc, NodeResult};
use super::py::{Py, PyErr, contains, index, py_float, py_int};
use super::pyset::PySet;
use super::traceback as tb;
use crate::catalog::{InputDef, InputKind, NodeDef, SpecType};

/// One `validate_inputs` call in progress.
pub(super) struct Frame {
    pub(super) id: String,
    pub(super) validator: Option<Validator>,
    /// The node's `inputs`, coerced in place as the server does.
    pub(super) inputs: Py,
    /// Input names in the server's set order.
    pub(super) order: Vec<String>,
    pub(super) pos: usize,
    pub(super) errors: Vec<Value>,
    pub(super) valid: bool,
    pub(super) received_types: Vec<(String, Py)>,
    /// The link whose target is being validated.
    pub(super) pending: Option<Pending>,
}

#[derive(Debug)]
pub(super) struct Pending {
    pub(super) input: String,
    pub(super) config: Value,
    pub(super) link: Value,
    pub(super) target: String,
}

pub(super) enum Step {
    /// Validate this linked node, then resume.
    Link(String),
    Done(NodeResult),
    Raised(Exc),
}

impl Engine<'_> {
    /// The start of `validate_inputs` for one node, up to its loop over inputs.
    pub(super) fn open_frame(&self, id: &str) -> Result<Frame, Exc> {
        let node = self.node(id).unwrap_or(&Py::None);
        let Some(inputs) = node.dict_get("inputs").cloned() else {
            return Err(Exc::at(
                PyErr::key_error(&Py::Str("inputs".into())),
                tb::NODE_INPUTS,
            ));
        };
        let class_type = self.class_of(id);
        let validator = custom::validator(class_type);
        let names = |kind| {
            self.def_of(id)
                .into_iter()
                .flat_map(|d| d.inputs.iter())
                .filter(move |i| i.kind == kind)
                .map(|i| i.name.as_str())
                .collect::<Vec<_>>()
        };
        let required = names(InputKind::Required);
        let optional = names(InputKind::Optional);
        let order = PySet::from_dict_keys(required.iter().copied())
            .union(&PySet::from_dict_keys(optional.iter().copied()))
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Frame {
            id: id.to_string(),
            validator,
            inputs,
            order,
            pos: 0,
            errors: Vec::new(),
            valid: true,
            received_types: Vec::new(),
            pending: None,
        })
    }

    /// Runs a frame's loop over its inputs until it needs a linked node validated, finishes, or
    /// raises.
    pub(super) fn step(&self, f: &mut Frame) -> Step {
        match self.step_inner(f) {
            Ok(step) => step,
            Err(exc) => Step::Raised(exc),
        }
    }

    fn step_inner(&self, f: &mut Frame) -> Result<Step, Exc> {
        let Some(def) = self.def_of(&f.id) else {
            return Ok(Step::Done(NodeResult {
                ok: false,
                reasons: Vec::new(),
            }));
        };
        let validator = f.validator;
        let takes = |name: &str| validator.is_some_and(|v| v.args.contains(&name));
        while f.pos < f.order.len() {
            let x = f.order[f.pos].clone();
            let x = x.as_str();
            f.pos += 1;
            let Some(input) = spec_of(def, x) else {
                continue;
            };
            let config = input_config(input);
            if !contains(&f.inputs, x).map_err(|e| Exc::at(e, tb::INPUT_PRESENT))? {
                if input.kind == InputKind::Required {
                    f.errors.push(json!({
                        "type": "required_input_missing",
                        "message": "Required input is missing",
                        "details": x,
                        "extra_info": {"input_name": x}
                    }));
                }
                continue;
            }
            let val = match &f.inputs {
                Py::Dict(_) => f.inputs.dict_get(x).cloned().unwrap_or(Py::None),
                Py::List(_) => {
                    return Err(Exc::at(
                        PyErr::type_error("list indices must be integers or slices, not str"),
                        tb::INPUT_VALUE,
                    ));
                }
                _ => {
                    return Err(Exc::at(
                        PyErr::type_error("string indices must be integers, not 'str'"),
                        tb::INPUT_VALUE,
                    ));
                }
            };

            if let Py::List(link) = &val {
                if link.len() != 2 {
                    f.errors.push(json!({
                        "type": "bad_linked_input",
                        "message": "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                        "details": x,
                        "extra_info": {
                            "input_name": x,
                            "input_config": config,
                            "received_value": val.to_json(),
                        }
                    }));
                    continue;
                }
                let o_id = self.link_target(&link[0])?;
                let received_type = self.link_type(&o_id, &link[1])?;
                f.received_types
                    .push((x.to_string(), Py::Str(received_type.clone())));
                if !takes("input_types") && !type_matches(&received_type, &input.spec.spec_type) {
                    f.errors.push(json!({
                        "type": "return_type_mismatch",
                        "message": "Return type mismatch between linked nodes",
                        "details": format!(
                            "{x}, received_type({received_type}) mismatch input_type({})",
                            type_text(&input.spec.spec_type)
                        ),
                        "extra_info": {
                            "input_name": x,
                            "input_config": config,
                            "received_type": received_type,
                            "linked_node": val.to_json(),
                        }
                    }));
                    continue;
                }
                f.pending = Some(Pending {
                    input: x.to_string(),
                    config,
                    link: val.to_json(),
                    target: o_id.clone(),
                });
                return Ok(Step::Link(o_id));
            }

            let mut val = val;
            if let Some(inner) = val.dict_get("__value__").cloned() {
                val = inner;
                set_input(&mut f.inputs, x, val.clone());
            }
            let type_name = match &input.spec.spec_type {
                SpecType::Named(t) => t.as_str(),
                SpecType::LegacyCombo(_) => "",
            };
            let converted = match type_name {
                "INT" => Some(py_int(&val).map(Py::Int)),
                "FLOAT" => Some(py_float(&val).map(Py::Float)),
                "STRING" => Some(Ok(Py::Str(val.to_py_str()))),
                "BOOLEAN" => Some(Ok(Py::Bool(val.truthy()))),
                _ => None,
            };
            match converted {
                Some(Ok(v)) => {
                    val = v;
                    set_input(&mut f.inputs, x, val.clone());
                }
                Some(Err(ex)) => {
                    f.errors.push(json!({
                        "type": "invalid_input_type",
                        "message": format!("Failed to convert an input value to a {type_name} value"),
                        "details": format!("{x}, {}, {}", val.to_py_str(), ex.message),
                        "extra_info": {
                            "input_name": x,
                            "input_config": config,
                            "received_value": val.to_json(),
                            "exception_message": ex.message,
                        }
                    }));
                    continue;
                }
                None => {}
            }

            if takes(x) {
                continue;
            }
            if let Some(min) = input.spec.options.get("min") {
                let min = Py::from_json(min);
                if val
                    .py_compare(&min, "<")
                    .map_err(|e| Exc::at(e, tb::MIN_COMPARE))?
                {
                    f.errors.push(json!({
                        "type": "value_smaller_than_min",
                        "message": format!("Value {} smaller than min of {}", val.to_py_str(), min.to_py_str()),
                        "details": x,
                        "extra_info": {"input_name": x, "input_config": config, "received_value": val.to_json()}
                    }));
                    continue;
                }
            }
            if let Some(max) = input.spec.options.get("max") {
                let max = Py::from_json(max);
                if val
                    .py_compare(&max, ">")
                    .map_err(|e| Exc::at(e, tb::MAX_COMPARE))?
                {
                    f.errors.push(json!({
                        "type": "value_bigger_than_max",
                        "message": format!("Value {} bigger than max of {}", val.to_py_str(), max.to_py_str()),
                        "details": x,
                        "extra_info": {"input_name": x, "input_config": config, "received_value": val.to_json()}
                    }));
                    continue;
                }
            }
            if let SpecType::LegacyCombo(choices) = &input.spec.spec_type {
                let choices: Vec<Py> = choices.iter().map(Py::from_json).collect();
                if !choices.iter().any(|c| val.py_eq(c)) {
                    let (list_info, input_config) = if choices.len() > 20 {
                        (format!("(list of length {})", choices.len()), Value::Null)
                    } else {
                        (Py::List(choices).repr(), config)
                    };
                    f.errors.push(json!({
                        "type": "value_not_in_list",
                        "message": "Value not in list",
                        "details": format!("{x}: '{}' not in {list_info}", val.to_py_str()),
                        "extra_info": {"input_name": x, "input_config": input_config, "received_value": val.to_json()}
                    }));
                    continue;
                }
            }
        }

        if let Some(v) = validator {
            let received = std::mem::take(&mut f.received_types);
            self.custom_validation(def, &v, &f.inputs, received, &mut f.errors)?;
        }
        Ok(Step::Done(NodeResult {
            ok: f.errors.is_empty() && f.valid,
            reasons: std::mem::take(&mut f.errors),
        }))
    }

    /// `prompt[o_id]` for the first element of a link.
    fn link_target(&self, o_id: &Py) -> Result<String, Exc> {
        let err = match o_id {
            Py::List(_) | Py::Dict(_) => {
                PyErr::type_error(format!("unhashable type: '{}'", o_id.type_name()))
            }
            Py::Str(s) if self.index.contains_key(s.as_str()) => return Ok(s.clone()),
            other => PyErr::key_error(other),
        };
        Err(Exc::at(err, tb::LINK_NODE))
    }

    /// `RETURN_TYPES[slot]` of the linked node.
    fn link_type(&self, o_id: &str, slot: &Py) -> Result<String, Exc> {
        let def = self.def_of(o_id);
        let outputs = def.map(|d| d.outputs.as_slice()).unwrap_or_default();
        let kind = if def.is_some_and(|d| d.v3_schema) {
            "list"
        } else {
            "tuple"
        };
        let at = index(slot, outputs.len(), kind).map_err(|e| Exc::at(e, tb::LINK_SLOT))?;
        Ok(outputs[at].output_type.clone())
    }

    /// Calls the class's own validation function the way the server does, and records what it
    /// returns as `custom_validation_failed` errors (one per argument it was given).
    fn custom_validation(
        &self,
        def: &NodeDef,
        v: &Validator,
        inputs: &Py,
        received_types: Vec<(String, Py)>,
        errors: &mut Vec<Value>,
    ) -> Result<(), Exc> {
        // get_input_data(inputs, ...): every input the class declares (links stand as None).
        let mut data: Vec<(String, Py)> = Vec::new();
        match inputs {
            Py::Dict(entries) => {
                for (x, value) in entries {
                    let spec = def
                        .inputs
                        .iter()
                        .find(|i| &i.name == x && (i.kind != InputKind::Hidden || !def.v3_schema));
                    let raw_link = spec.is_some_and(|s| s.spec.flag("rawLink"));
                    if is_link(value) && !raw_link {
                        data.push((x.clone(), Py::None));
                    } else if spec.is_some() {
                        data.push((x.clone(), value.clone()));
                    }
                }
            }
            Py::List(items) => {
                for x in items {
                    index(x, items.len(), "list").map_err(|e| Exc {
                        err: e,
                        frames: vec![tb::GET_INPUT_DATA_CALL, tb::GET_INPUT_DATA_ITEM],
                    })?;
                }
            }
            Py::Str(s) if !s.is_empty() => {
                return Err(Exc {
                    err: PyErr::type_error("string indices must be integers, not 'str'"),
                    frames: vec![tb::GET_INPUT_DATA_CALL, tb::GET_INPUT_DATA_ITEM],
                });
            }
            _ => {}
        }
        let mut args: Vec<(String, Py)> = data
            .into_iter()
            .filter(|(x, _)| v.args.contains(&x.as_str()))
            .collect();
        if v.args.contains(&"input_types") {
            args.push(("input_types".into(), Py::Dict(received_types)));
        }

        let mut lead = vec![
            tb::MAP_CALL,
            if args.is_empty() {
                tb::MAP_NO_INPUTS
            } else {
                tb::MAP_SLICE
            },
            tb::PROCESS_CALL,
        ];
        if v.v3 {
            lead.push(tb::V3_WRAPPED);
        }
        let missing: Vec<&str> = v.args[1..]
            .iter()
            .copied()
            .filter(|a| !args.iter().any(|(x, _)| x == a))
            .collect();
        if !missing.is_empty() {
            return Err(Exc {
                err: PyErr::type_error(missing_arguments(v.qualname, &missing)),
                frames: lead,
            });
        }
        let listing = def
            .inputs
            .iter()
            .find(|i| i.name == v.args[1])
            .and_then(|i| i.spec.choices())
            .map(|c| c.iter().map(Py::from_json).collect::<Vec<_>>());
        let outcome = custom::run(v.check, &args, listing.as_deref(), self.files, &lead)?;
        if let Some(message) = outcome {
            for (x, _) in &args {
                errors.push(json!({
                    "type": "custom_validation_failed",
                    "message": "Custom validation failed for node",
                    "details": format!("{x} - {message}"),
                    "extra_info": {"input_name": x}
                }));
            }
        }
        Ok(())
    }
}

/// Python's message for a call missing positional arguments.
fn missing_arguments(qualname: &str, names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    let list = match quoted.as_slice() {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let plural = if names.len() == 1 {
        "argument"
    } else {
        "arguments"
    };
    format!(
        "{qualname}() missing {} required positional {plural}: {list}",
        names.len()
    )
}

/// `comfy_execution.graph_utils.is_link`.
fn is_link(v: &Py) -> bool {
    matches!(v, Py::List(l) if l.len() == 2
        && matches!(l[0], Py::Str(_))
        && matches!(l[1], Py::Int(_) | Py::Float(_) | Py::Bool(_)))
}

fn set_input(inputs: &mut Py, name: &str, value: Py) {
    if let Py::Dict(entries) = inputs
        && let Some(slot) = entries.iter_mut().find(|(k, _)| k == name)
    {
        slot.1 = value;
    }
}

/// The input's declaration: required first, as `get_input_info` looks it up.
fn spec_of<'d>(def: &'d NodeDef, name: &str) -> Option<&'d InputDef> {
    def.inputs
        .iter()
        .find(|i| i.name == name && i.kind == InputKind::Required)
        .or_else(|| {
            def.inputs
                .iter()
                .find(|i| i.name == name && i.kind == InputKind::Optional)
        })
}

/// `(input_type, extra_info)` as JSON.
fn input_config(input: &InputDef) -> Value {
    let kind = match &input.spec.spec_type {
        SpecType::LegacyCombo(list) => Py::List(list.iter().map(Py::from_json).collect()).to_json(),
        SpecType::Named(name) => Value::String(name.clone()),
    };
    let options = Py::from_json(&Value::Object(input.spec.options.clone())).to_json();
    Value::Array(vec![kind, options])
}

/// `str(input_type)`.
fn type_text(t: &SpecType) -> String {
    match t {
        SpecType::Named(name) => name.clone(),
        SpecType::LegacyCombo(list) => Py::List(list.iter().map(Py::from_json).collect()).repr(),
    }
}

/// `validate_node_input(received_type, input_type)`: equal, `*` (the any-type of V1 `IO.ANY` and
/// every V3 type), or overlapping comma-separated unions.
fn type_matches(received: &str, input: &SpecType) -> bool {
    let SpecType::Named(input) = input else {
        return false;
    };
    if received == input || received == "*" || input == "*" {
        return true;
    }
    let split = |s: &str| {
        s.split(',')
            .map(str::trim)
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let theirs = split(input);
    split(received).iter().any(|t| theirs.contains(t))
}
