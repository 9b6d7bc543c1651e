//! Failures as lines a person reads: a rejected prompt (`POST /prompt` 400) one line per node
//! error, and an `execution_error` with the node, its class and the exception. The CLI prints
//! these for `run` and `validate`; they read the server's own JSON, so any server's answer works.

use serde_json::Value;

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `node #6 (CLIPTextEncode)`, or `node #6` when the class is unknown.
fn node_label(id: &str, class: &str) -> String {
    if class.is_empty() {
        format!("node #{id}")
    } else {
        format!("node #{id} ({class})")
    }
}

/// The server's top-level `error` (`Prompt outputs failed validation`), then one line per node
/// error: node, class, input, error type, message and details.
pub fn rejection_lines(error: &Value, node_errors: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let message = match error {
        Value::String(s) => s.as_str(),
        other => text(other, "message"),
    };
    let details = Some(text(error, "details"))
        .filter(|d| *d != message)
        .unwrap_or("");
    match (message.is_empty(), details.is_empty()) {
        (false, false) => lines.push(format!("{message}: {details}")),
        (false, true) => lines.push(message.to_string()),
        (true, false) => lines.push(details.to_string()),
        (true, true) => {}
    }
    for (id, node) in node_errors.as_object().into_iter().flatten() {
        let label = node_label(id, text(node, "class_type"));
        for e in node
            .get("errors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let input = e
                .get("extra_info")
                .map(|x| text(x, "input_name"))
                .filter(|n| !n.is_empty())
                .map(|n| format!(" input `{n}`"))
                .unwrap_or_default();
            let mut line = format!(
                "{label}{input}: {}: {}",
                text(e, "type"),
                text(e, "message")
            );
            let details = text(e, "details");
            if !details.is_empty() {
                line.push_str(&format!(" ({details})"));
            }
            lines.push(line);
        }
    }
    lines
}

/// `node #7 (ImageCrop) raised ValueError: …`, then with `traceback` the server's traceback.
pub fn execution_error_lines(data: &Value, traceback: bool) -> Vec<String> {
    let node = data
        .get("node_id")
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    let exception = text(data, "exception_type");
    let mut lines = vec![format!(
        "{} raised {}: {}",
        node_label(&node, text(data, "node_type")),
        if exception.is_empty() {
            "an error"
        } else {
            exception
        },
        text(data, "exception_message").trim_end()
    )];
    if traceback {
        for frame in data
            .get("traceback")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(frame) = frame.as_str() {
                lines.extend(frame.trim_end().lines().map(|l| format!("  {l}")));
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rejection_names_node_class_input_type_and_details() {
        let lines = rejection_lines(
            &json!({"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation", "details": "", "extra_info": {}}),
            &json!({"6": {"errors": [{"type": "required_input_missing", "message": "Required input is missing", "details": "text", "extra_info": {"input_name": "text"}}], "dependent_outputs": ["9"], "class_type": "CLIPTextEncode"}}),
        );
        assert_eq!(
            lines,
            [
                "Prompt outputs failed validation",
                "node #6 (CLIPTextEncode) input `text`: required_input_missing: Required input is missing (text)"
            ]
        );
    }

    #[test]
    fn an_execution_error_names_the_node_and_the_exception() {
        let data = json!({"prompt_id": "p", "node_id": "7", "node_type": "ImageCrop", "exception_type": "ValueError", "exception_message": "crop outside the image\n", "traceback": ["  File \"nodes.py\", line 1\n", "    raise\n"]});
        assert_eq!(
            execution_error_lines(&data, false),
            ["node #7 (ImageCrop) raised ValueError: crop outside the image"]
        );
        assert_eq!(execution_error_lines(&data, true).len(), 3);
    }
}
