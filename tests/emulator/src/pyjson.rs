//! Python's view of JSON values: `json.dumps` text, `repr(float)`, `str(x)`, truthiness.
//!
//! The server answers with `json.dumps` (aiohttp's `json_response` and the socket's `send_json`
//! use its defaults): `", "` and `": "` separators, every non-ASCII character `\u`-escaped, floats
//! as `repr()` writes them. Clients compare bodies and frames byte for byte (the captures do), so
//! the emulator writes the same text. Integers are never touched: with `arbitrary_precision` their
//! digits pass through exactly, at any size.

use std::io;

use serde_json::Value;
use serde_json::ser::Formatter;

/// `json.dumps(value)` with the default arguments.
pub fn dumps(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PyFormatter);
    serde::Serialize::serialize(value, &mut ser).expect("writing to a Vec cannot fail");
    // The formatter writes ASCII only.
    String::from_utf8(out).expect("ASCII output")
}

struct PyFormatter;

impl Formatter for PyFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    /// Runs of characters that need no JSON escape: Python's `ensure_ascii` still escapes
    /// everything outside printable ASCII (DEL included).
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn write_number_str<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        value: &str,
    ) -> io::Result<()> {
        w.write_all(normalize_number(value).as_bytes())
    }
}

/// A JSON number as Python writes it back after `json.loads`: integers keep their digits (`-0`
/// becomes `0`), floats are re-spelled by `repr` (`1E5` → `100000.0`, `1e400` → `Infinity`).
fn normalize_number(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['.', 'e', 'E']) {
        let digits = text.trim_start_matches('-');
        return if text.starts_with('-') && digits.bytes().all(|b| b == b'0') {
            "0".into()
        } else {
            text.into()
        };
    }
    match text.parse::<f64>() {
        Ok(f) => json_float(f).into(),
        Err(_) => text.into(),
    }
}

/// A float as `json.dumps` writes it.
pub fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        float_repr(f)
    }
}

/// `repr(f)` for a float: the shortest digits that read back the same value, in fixed notation
/// for decimal exponents -4..16 (always with a fraction: `5.0`), otherwise `1e+16`, `1.5e-07`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    // Rust's `{:e}` also prints the shortest round-tripping digits: "1.2345e6", "5e-7".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                format!("{sign}{digits}{}.0", "0".repeat(int_len - digits.len()))
            } else {
                format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
            }
        } else {
            format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
        }
    } else {
        let (head, tail) = digits.split_at(1);
        let frac = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{head}{frac}e{esign}{:02}", exp.abs())
    }
}

/// Python's truth value of a JSON value (`if json_data['front']:`).
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => {
            let t = n.to_string();
            if t.contains(['.', 'e', 'E']) {
                t.parse::<f64>().map(|f| f != 0.0).unwrap_or(true)
            } else {
                t.trim_start_matches('-').bytes().any(|b| b != b'0')
            }
        }
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Whether a JSON number is written as an integer (Python reads it as `int`).
pub fn is_int(n: &serde_json::Number) -> bool {
    !n.to_string().contains(['.', 'e', 'E'])
}

/// `float(x)` for the values a request may carry; `None` where Python raises.
pub fn py_float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => {
            let t = s.trim().replace('_', "");
            match t.to_ascii_lowercase().as_str() {
                "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
                "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
                "nan" | "+nan" | "-nan" => Some(f64::NAN),
                _ => t.parse().ok(),
            }
        }
        _ => None,
    }
}

/// A float as a JSON number whose text is Python's `repr` (`5` → `5.0`).
pub fn float_value(f: f64) -> Value {
    match serde_json::Number::from_f64(f) {
        // Re-spelled at serialisation anyway; from_f64 keeps the value exact.
        Some(n) => Value::Number(n),
        None => Value::Null,
    }
}

/// `str(x)` of a JSON value as Python sees it after `json.loads`.
pub fn py_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => py_repr(v),
    }
}

/// `repr(x)` of a JSON value as Python sees it after `json.loads`.
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            let t = n.to_string();
            if is_int(n) {
                normalize_number(&t).into_owned()
            } else {
                t.parse::<f64>().map(float_repr).unwrap_or(t)
            }
        }
        Value::String(s) => repr_str(s),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k), py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// `repr(s)`: single quotes unless the text has one and no double quote.
fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dumps_like_python() {
        let v: Value =
            serde_json::from_str(r#"{"a": [1, 2.50, "h\u00e9llo \u2713 \ud83d\ude00", null], "b": {"c": true}, "d": 18446744073709551615, "e": 1E5, "f": "\u007f\n"}"#)
                .unwrap();
        assert_eq!(
            dumps(&v),
            r#"{"a": [1, 2.5, "h\u00e9llo \u2713 \ud83d\ude00", null], "b": {"c": true}, "d": 18446744073709551615, "e": 100000.0, "f": "\u007f\n"}"#
        );
    }

    #[test]
    fn float_repr_like_python() {
        for (f, s) in [
            (5.0, "5.0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-67.0, "-67.0"),
            (1.8446744073709552e19, "1.8446744073709552e+19"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(float_repr(f), s, "{f}");
        }
    }

    #[test]
    fn str_and_truth() {
        assert_eq!(py_str(&json!(true)), "True");
        assert_eq!(py_str(&json!([1, "a", null])), "[1, 'a', None]");
        assert_eq!(py_str(&json!("x")), "x");
        assert!(!truthy(&json!(0)));
        assert!(!truthy(&json!(0.0)));
        assert!(truthy(&json!("0")));
        assert!(!truthy(&json!({})));
    }
}
