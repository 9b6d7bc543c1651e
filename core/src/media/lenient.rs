//! JSON as Python's `json.dumps` writes it: bare `NaN`, `Infinity` and `-Infinity` may appear where
//! numbers go (for example `"is_changed": [NaN]`). Like the editor's `parseJsonWithNonFinite`, the
//! text is first parsed as strict JSON; only if that fails are those tokens, outside strings,
//! replaced by `null` and the text parsed again.

use serde_json::Value;

use crate::error::Result;

/// Parses JSON, tolerating bare `NaN`, `Infinity` and `-Infinity` (outside strings), which become
/// `null`. Key order and exact numbers are kept, as with [`crate::json::parse`].
pub fn parse_json_lenient(text: &str) -> Result<Value> {
    let strict = match crate::json::parse(text) {
        Ok(value) => return Ok(value),
        Err(err) => err,
    };
    match replace_non_finite(text) {
        Some(patched) => crate::json::parse(&patched),
        None => Err(strict),
    }
}

const TOKENS: [&str; 3] = ["-Infinity", "Infinity", "NaN"];

/// `[A-Za-z0-9_]`, the regex `\w` of the editor's pattern.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Replaces every bare non-finite token outside a string literal with `null`; `None` if there was
/// none. A token is bare when not preceded by `[\w.-]` and not followed by `[\w.]`, exactly the
/// editor's `(?<![\w.-])(-?Infinity|NaN)(?![\w.])`.
fn replace_non_finite(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0; // bytes of `text` already in `out`
    let mut replaced = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' {
            // Skip a complete string literal; an unterminated quote is just a character, as in the
            // editor's regex (the text is invalid JSON either way).
            let mut j = i + 1;
            let mut closed = None;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b'"' => {
                        closed = Some(j);
                        break;
                    }
                    _ => j += 1,
                }
            }
            i = closed.map_or(i + 1, |end| end + 1);
            continue;
        }
        let before_ok =
            i == 0 || !(is_word(bytes[i - 1]) || bytes[i - 1] == b'.' || bytes[i - 1] == b'-');
        if before_ok && (b == b'-' || b == b'I' || b == b'N') {
            let hit = TOKENS.iter().find(|token| {
                let end = i + token.len();
                bytes[i..].starts_with(token.as_bytes())
                    && bytes
                        .get(end)
                        .is_none_or(|&next| !(is_word(next) || next == b'.'))
            });
            if let Some(token) = hit {
                out.push_str(&text[copied..i]);
                out.push_str("null");
                i += token.len();
                copied = i;
                replaced = true;
                continue;
            }
        }
        i += 1;
    }
    if !replaced {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lenient(text: &str) -> Value {
        parse_json_lenient(text).unwrap()
    }

    #[test]
    fn strict_json_is_untouched() {
        let v = lenient(r#"{"b": 1, "a": "NaN", "c": 12345678901234567890123}"#);
        assert_eq!(v["a"], "NaN");
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"b":1,"a":"NaN","c":12345678901234567890123}"#
        );
    }

    #[test]
    fn non_finite_tokens_become_null() {
        let v = lenient(r#"{"is_changed": [NaN], "x": Infinity, "y": -Infinity, "z":[1,NaN,2]}"#);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"is_changed":[null],"x":null,"y":null,"z":[1,null,2]}"#
        );
    }

    #[test]
    fn tokens_inside_strings_are_kept() {
        let v = lenient(r#"{"s": "a NaN \" Infinity -Infinity", "n": NaN, "k\"NaN": "x"}"#);
        assert_eq!(v["s"], "a NaN \" Infinity -Infinity");
        assert_eq!(v["n"], Value::Null);
        assert_eq!(v["k\"NaN"], "x");
    }

    #[test]
    fn non_bare_tokens_are_not_replaced() {
        // `1NaN`, `NaN1`, `xInfinity` are not tokens: the text stays invalid, as in the editor.
        for text in [
            "[1NaN]",
            "[NaN1]",
            "[NaN.5]",
            "[.NaN]",
            "[--Infinity]",
            "[nan]",
            "{NaN: 1}",
        ] {
            let err = parse_json_lenient(text).unwrap_err();
            assert_eq!(err.code(), "JSON_SYNTAX", "{text}");
        }
        // A token followed by `-` is still bare (the editor's lookahead excludes only `[\w.]`).
        assert!(parse_json_lenient("[NaN-1]").is_err());
    }

    #[test]
    fn invalid_json_reports_a_syntax_error() {
        let err = parse_json_lenient(r#"{"a": NaN"#).unwrap_err();
        assert_eq!(err.code(), "JSON_SYNTAX");
        let err = parse_json_lenient("{").unwrap_err();
        assert!(
            matches!(
                err,
                crate::Error::JsonSyntax {
                    line: 1,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn unterminated_and_multibyte_text_does_not_panic() {
        for text in [
            "\"",
            "\"\\",
            "[\"é\\",
            "NaN",
            "-",
            "-Inf",
            "Ä NaN ü",
            "\"\\\"NaN",
        ] {
            let _ = parse_json_lenient(text);
        }
        assert_eq!(lenient("NaN"), Value::Null);
        assert_eq!(lenient(" -Infinity "), Value::Null);
        assert_eq!(lenient(r#"["é", NaN]"#), serde_json::json!(["é", null]));
    }
}
