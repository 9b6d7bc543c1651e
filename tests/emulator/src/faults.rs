//! Behaviour knobs and fault injection, settable by flags and at runtime by
//! `POST /_emulator/config` (a JSON merge: only the fields given change, `null` resets a field to
//! its built-in default).

use indexmap::IndexMap;
use serde_json::{Value, json};

/// Every knob. The defaults behave like a quick, healthy server.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Duration of every executed node, in milliseconds (default 20).
    pub node_ms: u64,
    /// Durations by node id or class type (an id wins), overriding `node_ms`.
    pub node_durations: IndexMap<String, u64>,
    /// Progress steps of every sampler. `None`: the node's own `steps` input (20 if linked).
    pub steps: Option<u64>,
    /// Samplers send a binary preview with each progress step (default true).
    pub previews: bool,
    /// `POST /prompt` answers only after the job ran to its end (`executing {node: null}`
    /// included), with no node durations.
    pub instant_finish: bool,
    /// The server closes every socket (abruptly, no close frame) after a job's first progress
    /// message; the job goes on and lands in history.
    pub ws_drop_mid_job: bool,
    /// A class type (or `"*"` for any) whose execution raises: `execution_error`, history
    /// `status_str: "error"`.
    pub execution_error: Option<String>,
    /// Delay before answering `GET /history` and `GET /history/{id}`, in milliseconds.
    pub slow_history_ms: u64,
    /// `POST /prompt` answers the server's plain-text 500 without queueing anything.
    pub prompt_500: bool,
    /// Before each job's first message its recipients get a malformed text frame and a binary
    /// frame of an unknown type (99).
    pub garbage_ws_frames: bool,
    /// Every request but `/_emulator/*` gets 403 with an empty body (WebSocket upgrades too).
    pub forbidden: bool,
    /// `GET /object_info` answers `302 Found` to this URL (a proxy sending the client elsewhere).
    pub redirect_object_info: Option<String>,
    /// `POST /prompt` ignores the client's `prompt_id` and runs the job under a new one.
    pub reassign_prompt_id: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            node_ms: 20,
            node_durations: IndexMap::new(),
            steps: None,
            previews: true,
            instant_finish: false,
            ws_drop_mid_job: false,
            execution_error: None,
            slow_history_ms: 0,
            prompt_500: false,
            garbage_ws_frames: false,
            forbidden: false,
            redirect_object_info: None,
            reassign_prompt_id: false,
        }
    }
}

impl Faults {
    /// The knobs as `GET /_emulator/config` shows them.
    pub fn to_json(&self) -> Value {
        json!({
            "node_ms": self.node_ms,
            "node_durations": self
                .node_durations
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(*v)))
                .collect::<serde_json::Map<_, _>>(),
            "steps": self.steps,
            "previews": self.previews,
            "instant_finish": self.instant_finish,
            "ws_drop_mid_job": self.ws_drop_mid_job,
            "execution_error": self.execution_error,
            "slow_history_ms": self.slow_history_ms,
            "prompt_500": self.prompt_500,
            "garbage_ws_frames": self.garbage_ws_frames,
            "forbidden": self.forbidden,
            "redirect_object_info": self.redirect_object_info,
            "reassign_prompt_id": self.reassign_prompt_id,
        })
    }

    /// Applies a JSON merge patch. All-or-nothing: on an error nothing changes.
    pub fn merge(&mut self, patch: &Value) -> Result<(), String> {
        let Value::Object(patch) = patch else {
            return Err("the configuration must be a JSON object".into());
        };
        let mut next = self.clone();
        let defaults = Faults::default();
        for (key, value) in patch {
            let null = value.is_null();
            match key.as_str() {
                "node_ms" => {
                    next.node_ms = if null {
                        defaults.node_ms
                    } else {
                        uint(key, value)?
                    }
                }
                "node_durations" => merge_durations(&mut next.node_durations, value)?,
                "steps" => {
                    next.steps = if null {
                        None
                    } else {
                        Some(uint(key, value)?.max(1))
                    }
                }
                "previews" => {
                    next.previews = if null {
                        defaults.previews
                    } else {
                        boolean(key, value)?
                    }
                }
                "instant_finish" => next.instant_finish = !null && boolean(key, value)?,
                "ws_drop_mid_job" => next.ws_drop_mid_job = !null && boolean(key, value)?,
                "execution_error" => {
                    next.execution_error = match value {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        _ => return Err(format!("{key}: expected a class type, \"*\" or null")),
                    }
                }
                "slow_history_ms" => {
                    next.slow_history_ms = if null { 0 } else { uint(key, value)? }
                }
                "prompt_500" => next.prompt_500 = !null && boolean(key, value)?,
                "garbage_ws_frames" => next.garbage_ws_frames = !null && boolean(key, value)?,
                "forbidden" => next.forbidden = !null && boolean(key, value)?,
                "reassign_prompt_id" => next.reassign_prompt_id = !null && boolean(key, value)?,
                "redirect_object_info" => {
                    next.redirect_object_info = match value {
                        Value::Null => None,
                        Value::String(s) => Some(s.clone()),
                        _ => return Err(format!("{key}: expected a URL or null")),
                    }
                }
                _ => return Err(format!("unknown setting {key:?}")),
            }
        }
        *self = next;
        Ok(())
    }

    /// How long a node runs.
    pub fn duration_ms(&self, node_id: &str, class_type: &str) -> u64 {
        if self.instant_finish {
            return 0;
        }
        self.node_durations
            .get(node_id)
            .or_else(|| self.node_durations.get(class_type))
            .copied()
            .unwrap_or(self.node_ms)
    }

    /// Whether executing this class raises the injected error.
    pub fn fails(&self, class_type: &str) -> bool {
        self.execution_error
            .as_deref()
            .is_some_and(|c| c == "*" || c == class_type)
    }
}

fn uint(key: &str, v: &Value) -> Result<u64, String> {
    v.as_u64()
        .ok_or_else(|| format!("{key}: expected a non-negative integer"))
}

fn boolean(key: &str, v: &Value) -> Result<bool, String> {
    v.as_bool()
        .ok_or_else(|| format!("{key}: expected true or false"))
}

/// `{"KSampler": 500, "3": null}` sets one and removes the other; `null` clears them all.
fn merge_durations(map: &mut IndexMap<String, u64>, v: &Value) -> Result<(), String> {
    match v {
        Value::Null => map.clear(),
        Value::Object(entries) => {
            for (k, ms) in entries {
                if ms.is_null() {
                    map.shift_remove(k);
                } else {
                    map.insert(k.clone(), uint(&format!("node_durations.{k}"), ms)?);
                }
            }
        }
        _ => return Err("node_durations: expected an object of milliseconds".into()),
    }
    Ok(())
}

/// Parses `CLASS_OR_ID=MS` (the `--node-duration` flag).
pub fn parse_duration_flag(s: &str) -> Result<(String, u64), String> {
    let (k, ms) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("expected CLASS_OR_ID=MS, got {s:?}"))?;
    let ms = ms
        .parse()
        .map_err(|_| format!("not a number of milliseconds: {ms:?}"))?;
    Ok((k.to_string(), ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_partial_and_atomic() {
        let mut f = Faults::default();
        f.merge(
            &json!({"node_ms": 5, "node_durations": {"KSampler": 100}, "execution_error": "*"}),
        )
        .unwrap();
        assert_eq!(f.node_ms, 5);
        assert_eq!(f.duration_ms("3", "KSampler"), 100);
        assert!(f.fails("Anything"));
        let before = f.clone();
        assert!(f.merge(&json!({"node_ms": 1, "bogus": true})).is_err());
        assert_eq!(f, before);
        f.merge(&json!({"node_ms": null, "execution_error": null, "node_durations": {"KSampler": null}}))
            .unwrap();
        assert_eq!(f, Faults::default());
    }
}
