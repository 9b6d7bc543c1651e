//! `POST /prompt`: the counter, the core's validation (with the emulator's files), the stored
//! prompt (coerced as validation leaves it on the server) and queueing.

use std::collections::HashSet;

use comfywire::Catalog;
use comfywire::validate::{Options, validate_prompt_body_with};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use crate::pyjson::{self, py_float, py_str, truthy};
use crate::queue::{Client, QueueItem};
use crate::state::Shared;

/// `extra_data` keys the server passes to API nodes but never writes to history.
const SENSITIVE_EXTRA_DATA: [&str; 2] = ["api_key_comfy_org", "auth_token_comfy_org"];

/// The answer to a submission.
#[derive(Debug)]
pub enum Answer {
    /// 200/400 with a JSON body.
    Json(u16, Value),
    /// The server's plain-text 500.
    InternalError,
    /// 200, but only once the job has finished (instant-finish mode).
    AfterJob(Value, oneshot::Receiver<()>),
}

/// Whether the server's counter advances: it does when `"number" in body` is false (and
/// reading `front` does not raise), before validation, so rejected prompts use up numbers too.
fn counter_applies(body: &Value) -> bool {
    match body {
        Value::Object(m) => !m.contains_key("number"),
        Value::Array(a) => !a.iter().any(|v| v == "number" || v == "front"),
        Value::String(s) => !s.contains("number") && !s.contains("front"),
        _ => false,
    }
}

pub fn submit(shared: &Shared, body: &Value) -> Answer {
    let faults = shared.faults();
    let number = if counter_applies(body) {
        let mut st = shared.lock();
        let n = st.counter;
        st.counter += 1;
        let front = body.get("front").is_some_and(truthy);
        Value::from(if front { -n } else { n })
    } else {
        // Unparsable numbers are the validator's 500 below.
        body.get("number")
            .and_then(py_float)
            .map(pyjson::float_value)
            .unwrap_or(Value::Null)
    };
    let exists = |folder: &str, name: &str| shared.dirs.file_exists(folder, name);
    let options = Options {
        file_exists: Some(&exists),
    };
    let catalog = shared.catalogs.current(&shared.object_info, &shared.dirs);
    let outcome = validate_prompt_body_with(body, &catalog, &options);
    match outcome.status {
        200 => {}
        500 => return Answer::InternalError,
        status => return Answer::Json(status, outcome.body),
    }
    let node_errors = outcome
        .body
        .get("node_errors")
        .cloned()
        .unwrap_or(json!({}));
    let prompt_id = match body.get("prompt_id") {
        Some(v) if !shared.faults().reassign_prompt_id => py_str(v),
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let mut prompt = body["prompt"].as_object().cloned().unwrap_or_default();
    let outputs = outputs_to_execute(
        &prompt,
        &catalog,
        body.get("partial_execution_targets"),
        &node_errors,
    );
    coerce(&mut prompt, &outputs, &catalog);

    let mut extra_data = body.get("extra_data").cloned().unwrap_or(json!({}));
    if let (Some(cid), Value::Object(m)) = (body.get("client_id"), &mut extra_data) {
        m.insert("client_id".into(), cid.clone());
    }
    // The worker routes by `extra_data.client_id`, wherever it came from.
    let client = match extra_data.get("client_id") {
        None | Some(Value::Null) => Client::None,
        Some(Value::String(s)) => Client::Id(s.clone()),
        Some(_) => Client::Unroutable,
    };
    let public_extra_data = match &extra_data {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !SENSITIVE_EXTRA_DATA.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    };
    let key = number.as_f64().unwrap_or(0.0);
    let response = json!({"prompt_id": prompt_id, "number": number, "node_errors": node_errors});
    let waiter = {
        let mut st = shared.lock();
        let seq = st.next_seq;
        st.next_seq += 1;
        st.queue.push(QueueItem {
            number,
            key,
            prompt_id,
            prompt: Value::Object(prompt),
            extra_data,
            public_extra_data,
            outputs,
            client,
            seq,
        });
        st.broadcast_status();
        faults.instant_finish.then(|| {
            let (tx, rx) = oneshot::channel();
            st.waiters.insert(seq, tx);
            rx
        })
    };
    shared.queue_changed.notify_one();
    match waiter {
        Some(rx) => Answer::AfterJob(response, rx),
        None => Answer::Json(200, response),
    }
}

/// The outputs the server queues: output nodes (among `partial_execution_targets` when given)
/// that no node error lists as dependent, minus any caught in a dependency cycle (the server
/// drops those with empty `node_errors`). In prompt order: the server's is a Python set's.
pub fn outputs_to_execute(
    prompt: &Map<String, Value>,
    catalog: &Catalog,
    partial: Option<&Value>,
    node_errors: &Value,
) -> Vec<String> {
    let failed: HashSet<&str> = node_errors
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|e| e.get("dependent_outputs")?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let selected = |id: &str| match partial {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(id)),
        Some(Value::String(s)) => s.contains(id),
        Some(_) => false,
    };
    prompt
        .iter()
        .filter(|(id, node)| {
            let class = node.get("class_type").and_then(Value::as_str).unwrap_or("");
            catalog.get(class).is_some_and(|d| d.output_node)
                && selected(id)
                && !failed.contains(id.as_str())
                && !in_cycle(prompt, id)
        })
        .map(|(id, _)| id.clone())
        .collect()
}

fn links(node: &Value) -> impl Iterator<Item = &str> {
    node.get("inputs")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|v| {
            let a = v.as_array().filter(|a| a.len() == 2)?;
            a[1].as_u64()?;
            a[0].as_str()
        })
}

/// Whether a cycle is reachable from `start` through links.
fn in_cycle(prompt: &Map<String, Value>, start: &str) -> bool {
    fn visit<'p>(
        prompt: &'p Map<String, Value>,
        id: &'p str,
        path: &mut HashSet<&'p str>,
        done: &mut HashSet<&'p str>,
    ) -> bool {
        if done.contains(id) {
            return false;
        }
        if !path.insert(id) {
            return true;
        }
        let Some((key, node)) = prompt.get_key_value(id) else {
            path.remove(id);
            return false;
        };
        for src in links(node) {
            if let Some((src, _)) = prompt.get_key_value(src)
                && visit(prompt, src.as_str(), path, done)
            {
                return true;
            }
        }
        path.remove(id);
        done.insert(key.as_str());
        false
    }
    visit(prompt, start, &mut HashSet::new(), &mut HashSet::new())
}

/// Validation converts widget values in place and the server stores the result: `"7"` and
/// `12.7` become `7` and `12` for an INT, `5` becomes `5.0` for a FLOAT, `{"__value__": v}`
/// becomes `v`. Done for the nodes that will run; others are stored as sent.
fn coerce(prompt: &mut Map<String, Value>, outputs: &[String], catalog: &Catalog) {
    let mut stack: Vec<String> = outputs.to_vec();
    let mut seen = HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(node) = prompt.get_mut(&id) else {
            continue;
        };
        stack.extend(links(node).map(str::to_string));
        let class = node
            .get("class_type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let Some(def) = catalog.get(&class) else {
            continue;
        };
        let Some(inputs) = node.get_mut("inputs").and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, value) in inputs.iter_mut() {
            let Some(input) = def.input(name) else {
                continue;
            };
            if let Some(inner) = value.as_object().and_then(|o| o.get("__value__")).cloned() {
                *value = inner;
            }
            if let Some(converted) = convert(value, input.spec.type_name()) {
                *value = converted;
            }
        }
    }
}

/// `int(v)`, `float(v)`, `str(v)`, `bool(v)` for a widget value, where it changes the JSON.
fn convert(v: &Value, type_name: &str) -> Option<Value> {
    match (type_name, v) {
        (_, Value::Array(_)) => None, // a link
        ("INT", Value::Number(n)) if !pyjson::is_int(n) => {
            let f = n.as_f64()?;
            f.is_finite()
                .then(|| int_value(&format!("{:.0}", f.trunc())))?
        }
        ("INT", Value::String(s)) => {
            let t = s.trim().replace('_', "");
            let digits = t.strip_prefix(['+', '-']).unwrap_or(&t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            int_value(t.strip_prefix('+').unwrap_or(&t))
        }
        ("INT", Value::Bool(b)) => Some(Value::from(u8::from(*b))),
        ("FLOAT", Value::Number(n)) if pyjson::is_int(n) => {
            n.to_string().parse().ok().map(pyjson::float_value)
        }
        ("FLOAT", Value::String(_) | Value::Bool(_)) => py_float(v)
            .filter(|f| f.is_finite())
            .map(pyjson::float_value),
        ("STRING", Value::Number(_) | Value::Bool(_) | Value::Null) => {
            Some(Value::String(py_str(v)))
        }
        ("BOOLEAN", v) if !v.is_boolean() => Some(Value::Bool(truthy(v))),
        _ => None,
    }
}

/// An integer of any size from its decimal digits (never through f64).
fn int_value(digits: &str) -> Option<Value> {
    let trimmed = digits.trim_start_matches('-').trim_start_matches('0');
    let normal = match (digits.starts_with('-'), trimmed.is_empty()) {
        (_, true) => "0".to_string(),
        (true, false) => format!("-{trimmed}"),
        (false, false) => trimmed.to_string(),
    };
    serde_json::from_str(&normal).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coercions_keep_integers_exact() {
        assert_eq!(convert(&json!(12.7), "INT"), Some(json!(12)));
        let big = convert(&json!("18446744073709551614"), "INT").unwrap();
        assert_eq!(big.to_string(), "18446744073709551614");
        assert_eq!(convert(&json!(" -0007 "), "INT").unwrap().to_string(), "-7");
        assert_eq!(convert(&json!("abc"), "INT"), None);
        assert_eq!(pyjson::dumps(&convert(&json!(5), "FLOAT").unwrap()), "5.0");
        assert_eq!(convert(&json!(7), "STRING"), Some(json!("7")));
        assert_eq!(convert(&json!(18446744073709551615u64), "INT"), None);
        assert_eq!(convert(&json!(["1", 0]), "INT"), None);
    }

    #[test]
    fn counter_rules() {
        assert!(counter_applies(&json!({"prompt": {}})));
        assert!(!counter_applies(&json!({"number": 3})));
        assert!(counter_applies(&json!([])));
        assert!(!counter_applies(&json!(null)));
    }
}
