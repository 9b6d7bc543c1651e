//! `validate_prompt` and `validate_inputs` of the server's execution.py (0.3.64), step by step,
//! on Python values: the same checks in the same order, the same recursion through links, the
//! same cache of validated nodes, the same error dicts.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::custom::{FileLookup, Raised};
use super::node::{Frame, Step};
use super::py::{Py, PyErr, index, py_contains};
use super::pyset::PySet;
use super::traceback as tb;
use crate::catalog::{Catalog, NodeDef};

/// Nesting of `validate_inputs` calls past which Python's recursion limit (1000 frames, minus the
/// server's own) stops a chain of links. The exact point and the error that results depend on the
/// server's stack at that moment; this stands in for it.
const MAX_DEPTH: usize = 980;

/// What the server's `validate_inputs` returns for one node: valid, and the errors it found.
#[derive(Debug, Clone)]
pub(super) struct NodeResult {
    pub(super) ok: bool,
    pub(super) reasons: Vec<Value>,
}

/// An exception propagating out of `validate_inputs`, with the traceback entries from the frame
/// that raised it downwards (the catching frame adds its own line on top).
#[derive(Debug)]
pub(super) struct Exc {
    pub(super) err: PyErr,
    pub(super) frames: Vec<&'static str>,
}

impl Exc {
    pub(super) fn at(err: PyErr, frame: &'static str) -> Self {
        Exc {
            err,
            frames: vec![frame],
        }
    }
}

impl From<Raised> for Exc {
    fn from(r: Raised) -> Self {
        Exc {
            err: r.err,
            frames: r.frames,
        }
    }
}

/// The server answered 500: an exception nothing caught (a body or prompt of the wrong shape).
#[derive(Debug)]
pub(super) struct Internal;

/// `validate_prompt`'s 4-tuple.
#[derive(Debug)]
pub(super) struct PromptResult {
    pub(super) ok: bool,
    pub(super) error: Option<Value>,
    pub(super) node_errors: Map<String, Value>,
}

fn top_error(kind: &str, message: &str, details: &str) -> Value {
    json!({"type": kind, "message": message, "details": details, "extra_info": {}})
}

fn failed(error: Value) -> PromptResult {
    PromptResult {
        ok: false,
        error: Some(error),
        node_errors: Map::new(),
    }
}

/// `'class_type' in node`, then `node['class_type']`, as Python evaluates them on any value.
fn class_type_of(node: &Py) -> Result<Option<&Py>, Internal> {
    match node {
        Py::Dict(_) => Ok(node.dict_get("class_type")),
        Py::List(items) => {
            let present = items.iter().any(|i| i.as_str() == Some("class_type"));
            if present { Err(Internal) } else { Ok(None) }
        }
        Py::Str(s) => {
            if s.contains("class_type") {
                Err(Internal)
            } else {
                Ok(None)
            }
        }
        _ => Err(Internal),
    }
}

/// Whether an output node is among `partial_execution_targets` (absent or null: all are).
fn selected(partial: Option<&Py>, x: &Py) -> Result<bool, Internal> {
    match partial {
        None | Some(Py::None) => Ok(true),
        Some(list) => py_contains(list, x).map_err(|_| Internal),
    }
}

/// The first outcome of walking the prompt's nodes: its output nodes, or an early answer.
enum Walk {
    Outputs(PySet),
    Done(PromptResult),
}

/// Validates a prompt (any JSON value, as `json.loads` gave it to the server).
pub(super) fn validate_prompt(
    prompt: &Py,
    partial: Option<&Py>,
    catalog: &Catalog,
    files: &dyn FileLookup,
) -> Result<PromptResult, Internal> {
    let entries = match prompt {
        Py::Dict(entries) => entries,
        // `for x in prompt` over a list visits its elements and indexes the list with them.
        Py::List(items) => return list_prompt(items, partial, catalog),
        Py::Str(s) if s.is_empty() => return Ok(no_outputs()),
        // A non-empty string: `prompt['c']` raises.
        _ => return Err(Internal),
    };
    let outputs = match walk_nodes(entries, partial, catalog)? {
        Walk::Outputs(o) => o,
        Walk::Done(r) => return Ok(r),
    };
    let mut engine = Engine {
        catalog,
        files,
        index: entries
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.as_str(), i))
            .collect(),
        nodes: entries,
        validated: IndexMap::new(),
    };
    Ok(engine.run(&outputs))
}

fn no_outputs() -> PromptResult {
    failed(top_error("prompt_no_outputs", "Prompt has no outputs", ""))
}

fn missing_class_type(x: &str) -> PromptResult {
    failed(top_error(
        "invalid_prompt",
        "Cannot execute because a node is missing the class_type property.",
        &format!("Node ID '#{x}'"),
    ))
}

fn check_class<'c>(
    class_type: &Py,
    x: &str,
    catalog: &'c Catalog,
) -> Result<Result<&'c NodeDef, PromptResult>, Internal> {
    let def = match class_type {
        Py::List(_) | Py::Dict(_) => return Err(Internal), // unhashable
        Py::Str(s) => catalog.get(s),
        _ => None,
    };
    Ok(def.ok_or_else(|| {
        failed(top_error(
            "invalid_prompt",
            &format!(
                "Cannot execute because node {} does not exist.",
                class_type.to_py_str()
            ),
            &format!("Node ID '#{x}'"),
        ))
    }))
}

fn walk_nodes(
    entries: &[(String, Py)],
    partial: Option<&Py>,
    catalog: &Catalog,
) -> Result<Walk, Internal> {
    let mut outputs = PySet::new();
    for (x, node) in entries {
        let Some(class_type) = class_type_of(node)? else {
            return Ok(Walk::Done(missing_class_type(x)));
        };
        let def = match check_class(class_type, x, catalog)? {
            Ok(def) => def,
            Err(answer) => return Ok(Walk::Done(answer)),
        };
        if def.output_node && selected(partial, &Py::Str(x.clone()))? {
            outputs.add(x);
        }
    }
    if outputs.iter().next().is_none() {
        return Ok(Walk::Done(no_outputs()));
    }
    Ok(Walk::Outputs(outputs))
}

/// A JSON list as the prompt: Python walks its elements, using each as an index into the list.
/// Every path through it ends in an early answer or a `TypeError`, never in node validation.
fn list_prompt(
    items: &[Py],
    partial: Option<&Py>,
    catalog: &Catalog,
) -> Result<PromptResult, Internal> {
    if items.is_empty() {
        return Ok(no_outputs());
    }
    for x in items {
        let at = index(x, items.len(), "list").map_err(|_| Internal)?;
        let node = &items[at];
        let label = x.to_py_str();
        let Some(class_type) = class_type_of(node)? else {
            return Ok(missing_class_type(&label));
        };
        match check_class(class_type, &label, catalog)? {
            Err(answer) => return Ok(answer),
            Ok(def) if def.output_node => {
                selected(partial, x)?;
            }
            Ok(_) => {}
        }
    }
    // Only ints index a list, so every element was an int and every node an int: `in` raised.
    Err(Internal)
}

pub(super) struct Engine<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) files: &'a dyn FileLookup,
    pub(super) nodes: &'a [(String, Py)],
    pub(super) index: HashMap<&'a str, usize>,
    /// Python's `validated` dict: insertion-ordered, re-assignment keeps the position.
    pub(super) validated: IndexMap<String, NodeResult>,
}

impl<'a> Engine<'a> {
    pub(super) fn node(&self, id: &str) -> Option<&'a Py> {
        self.index.get(id).map(|&i| &self.nodes[i].1)
    }

    pub(super) fn class_of(&self, id: &str) -> &'a str {
        self.node(id)
            .and_then(|n| n.dict_get("class_type"))
            .and_then(Py::as_str)
            .unwrap_or_default()
    }

    pub(super) fn def_of(&self, id: &str) -> Option<&'a NodeDef> {
        self.catalog.get(self.class_of(id))
    }

    fn run(&mut self, outputs: &PySet) -> PromptResult {
        let mut good = 0usize;
        let mut failures: Vec<Vec<Value>> = Vec::new();
        let mut node_errors: Map<String, Value> = Map::new();
        for o in outputs.iter() {
            let (valid, reasons) = match self.validate_inputs(o) {
                Ok(r) => (r.ok, r.reasons),
                Err(exc) => {
                    let mut frames = vec![tb::CATCH_OUTER];
                    frames.extend(exc.frames);
                    let reasons = vec![json!({
                        "type": "exception_during_validation",
                        "message": "Exception when validating node",
                        "details": exc.err.message,
                        "extra_info": {
                            "exception_type": exc.err.kind,
                            "traceback": frames,
                        }
                    })];
                    self.validated.insert(
                        o.to_string(),
                        NodeResult {
                            ok: false,
                            reasons: reasons.clone(),
                        },
                    );
                    (false, reasons)
                }
            };
            if valid {
                good += 1;
                continue;
            }
            failures.push(reasons);
            for (node_id, result) in &self.validated {
                if result.ok || result.reasons.is_empty() {
                    continue;
                }
                let entry = node_errors.entry(node_id.clone()).or_insert_with(|| {
                    json!({
                        "errors": result.reasons,
                        "dependent_outputs": [],
                        "class_type": self.class_of(node_id),
                    })
                });
                if let Some(Value::Array(deps)) = entry.get_mut("dependent_outputs") {
                    deps.push(Value::String(o.to_string()));
                }
            }
        }
        if good > 0 {
            return PromptResult {
                ok: true,
                error: None,
                node_errors,
            };
        }
        let details: Vec<String> = failures
            .iter()
            .flatten()
            .map(|e| format!("{}: {}", text(&e["message"]), text(&e["details"])))
            .collect();
        PromptResult {
            ok: false,
            error: Some(top_error(
                "prompt_outputs_failed_validation",
                "Prompt outputs failed validation",
                &details.join("\n"),
            )),
            node_errors,
        }
    }

    /// The server's recursive `validate_inputs(id)`, run on an explicit stack of frames so that
    /// chains of links as deep as Python allows cannot exhaust ours.
    fn validate_inputs(&mut self, id: &str) -> Result<NodeResult, Exc> {
        if let Some(r) = self.validated.get(id) {
            return Ok(r.clone());
        }
        let mut frames = vec![self.open_frame(id)?];
        loop {
            // The loop returns when the last frame closes, so there is always a top frame.
            let Some(top) = frames.last_mut() else {
                return Err(Exc::at(
                    PyErr::new("SystemError", "empty frame stack"),
                    tb::CATCH_INNER,
                ));
            };
            let outcome = match self.step(top) {
                Step::Link(o_id) => {
                    let child = if let Some(r) = self.validated.get(&o_id) {
                        Ok(r.clone())
                    } else if frames.iter().any(|f| f.id == o_id) {
                        // A cycle: the server recurses until Python's recursion limit; the frames
                        // nearest the start of the cycle write their (reason-less) results last,
                        // so this is what stays.
                        Ok(NodeResult {
                            ok: false,
                            reasons: Vec::new(),
                        })
                    } else if frames.len() >= MAX_DEPTH {
                        Err(Exc {
                            err: PyErr::new(
                                "RecursionError",
                                "maximum recursion depth exceeded while calling a Python object",
                            ),
                            frames: Vec::new(),
                        })
                    } else {
                        match self.open_frame(&o_id) {
                            Ok(frame) => {
                                frames.push(frame);
                                continue;
                            }
                            Err(exc) => Err(exc),
                        }
                    };
                    if let Some(top) = frames.last_mut() {
                        self.deliver(top, child);
                    }
                    continue;
                }
                Step::Done(result) => Ok(result),
                Step::Raised(exc) => Err(exc),
            };
            let Some(done) = frames.pop() else {
                return outcome;
            };
            if let Ok(result) = &outcome {
                self.validated.insert(done.id.clone(), result.clone());
            }
            match frames.last_mut() {
                None => return outcome,
                Some(parent) => self.deliver(parent, outcome),
            }
        }
    }

    /// Hands a linked node's result (or exception) to the frame that asked for it.
    fn deliver(&mut self, frame: &mut Frame, child: Result<NodeResult, Exc>) {
        let Some(p) = frame.pending.take() else {
            return;
        };
        match child {
            Ok(r) => {
                if !r.ok {
                    frame.valid = false;
                }
            }
            Err(exc) => {
                frame.valid = false;
                let mut frames = vec![tb::CATCH_INNER];
                frames.extend(exc.frames);
                let reasons = vec![json!({
                    "type": "exception_during_inner_validation",
                    "message": "Exception when validating inner node",
                    "details": exc.err.message,
                    "extra_info": {
                        "input_name": p.input,
                        "input_config": p.config,
                        "exception_message": exc.err.message,
                        "exception_type": exc.err.kind,
                        "traceback": frames,
                        "linked_node": p.link,
                    }
                })];
                self.validated
                    .insert(p.target, NodeResult { ok: false, reasons });
            }
        }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
