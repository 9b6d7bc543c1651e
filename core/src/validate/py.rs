//! The slice of Python's object model the server's validation touches: JSON values as Python's
//! `json` module reads them, their `str()`/`repr()`, equality and ordering, and the `int()`,
//! `float()`, `str()`, `bool()` conversions with CPython 3.11's exact error messages.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::bigint::BigInt;
use super::unicode_tables::{DECIMAL_ZEROS, NON_PRINTABLE, WHITESPACE};

/// A Python value read from JSON (`dict` keys are always `str`).
#[derive(Debug, Clone)]
pub(crate) enum Py {
    None,
    Bool(bool),
    Int(BigInt),
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Vec<(String, Py)>),
}

/// A Python exception: its class name (`KeyError`, `builtins` omitted) and `str(exc)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyErr {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

impl PyErr {
    pub(crate) fn new(kind: &'static str, message: impl Into<String>) -> Self {
        PyErr {
            kind,
            message: message.into(),
        }
    }
    pub(crate) fn type_error(message: impl Into<String>) -> Self {
        Self::new("TypeError", message)
    }
    /// `KeyError(key)`: its `str()` is the key's `repr()`.
    pub(crate) fn key_error(key: &Py) -> Self {
        Self::new("KeyError", key.repr())
    }
}

impl Py {
    /// The value Python's `json.loads` would produce.
    pub(crate) fn from_json(v: &Value) -> Py {
        match v {
            Value::Null => Py::None,
            Value::Bool(b) => Py::Bool(*b),
            Value::Number(n) => number_from_json(n),
            Value::String(s) => Py::Str(s.clone()),
            Value::Array(a) => Py::List(a.iter().map(Py::from_json).collect()),
            Value::Object(o) => Py::Dict(
                o.iter()
                    .map(|(k, v)| (k.clone(), Py::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The JSON `json.dumps` would write. Python writes `NaN`/`Infinity` for non-finite floats,
    /// which JSON (and `serde_json`) cannot hold: they become `null`.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Py::None => Value::Null,
            Py::Bool(b) => Value::Bool(*b),
            Py::Int(i) => number_value(&i.to_string()),
            Py::Float(f) if f.is_finite() => number_value(&float_repr(*f)),
            Py::Float(_) => Value::Null,
            Py::Str(s) => Value::String(s.clone()),
            Py::List(items) => Value::Array(items.iter().map(Py::to_json).collect()),
            Py::Dict(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.clone(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Py::None => "NoneType",
            Py::Bool(_) => "bool",
            Py::Int(_) => "int",
            Py::Float(_) => "float",
            Py::Str(_) => "str",
            Py::List(_) => "list",
            Py::Dict(_) => "dict",
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Py::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `obj[key]` for a `dict` with a `str` key.
    pub(crate) fn dict_get(&self, key: &str) -> Option<&Py> {
        match self {
            Py::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Python truthiness.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Py::None => false,
            Py::Bool(b) => *b,
            Py::Int(i) => !i.is_zero(),
            Py::Float(f) => *f != 0.0,
            Py::Str(s) => !s.is_empty(),
            Py::List(l) => !l.is_empty(),
            Py::Dict(d) => !d.is_empty(),
        }
    }

    /// `str(obj)`.
    pub(crate) fn to_py_str(&self) -> String {
        match self {
            Py::Str(s) => s.clone(),
            other => other.repr(),
        }
    }

    /// `repr(obj)`.
    pub(crate) fn repr(&self) -> String {
        match self {
            Py::None => "None".into(),
            Py::Bool(true) => "True".into(),
            Py::Bool(false) => "False".into(),
            Py::Int(i) => i.to_string(),
            Py::Float(f) => float_repr(*f),
            Py::Str(s) => str_repr(s),
            Py::List(items) => {
                let parts: Vec<String> = items.iter().map(Py::repr).collect();
                format!("[{}]", parts.join(", "))
            }
            Py::Dict(entries) => {
                let parts: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", str_repr(k), v.repr()))
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    /// `a == b`.
    pub(crate) fn py_eq(&self, other: &Py) -> bool {
        if let (Some(a), Some(b)) = (self.numeric(), other.numeric()) {
            return numeric_cmp(&a, &b) == Some(Ordering::Equal);
        }
        match (self, other) {
            (Py::None, Py::None) => true,
            (Py::Str(a), Py::Str(b)) => a == b,
            (Py::List(a), Py::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            (Py::Dict(a), Py::Dict(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(k2, _)| k2 == k)
                            .is_some_and(|(_, w)| v.py_eq(w))
                    })
            }
            _ => false,
        }
    }

    fn numeric(&self) -> Option<Numeric> {
        match self {
            Py::Bool(b) => Some(Numeric::Int(BigInt::from_i64(i64::from(*b)))),
            Py::Int(i) => Some(Numeric::Int(i.clone())),
            Py::Float(f) => Some(Numeric::Float(*f)),
            _ => None,
        }
    }

    /// `a < b` (`op` is `"<"`) or `a > b` (`">"`), with Python's `TypeError` for unorderable types.
    pub(crate) fn py_compare(&self, other: &Py, op: &str) -> Result<bool, PyErr> {
        let want = if op == "<" {
            Ordering::Less
        } else {
            Ordering::Greater
        };
        match self.py_order(other) {
            Ok(ord) => Ok(ord == Some(want)),
            Err(()) => Err(PyErr::type_error(format!(
                "'{op}' not supported between instances of '{}' and '{}'",
                self.type_name(),
                other.type_name()
            ))),
        }
    }

    /// `None` when unordered (NaN), `Err` when Python refuses to compare.
    fn py_order(&self, other: &Py) -> Result<Option<Ordering>, ()> {
        if let (Some(a), Some(b)) = (self.numeric(), other.numeric()) {
            return Ok(numeric_cmp(&a, &b));
        }
        match (self, other) {
            (Py::Str(a), Py::Str(b)) => Ok(Some(a.chars().cmp(b.chars()))),
            (Py::List(a), Py::List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    if !x.py_eq(y) {
                        return x.py_order(y);
                    }
                }
                Ok(Some(a.len().cmp(&b.len())))
            }
            _ => Err(()),
        }
    }
}

enum Numeric {
    Int(BigInt),
    Float(f64),
}

fn numeric_cmp(a: &Numeric, b: &Numeric) -> Option<Ordering> {
    match (a, b) {
        (Numeric::Int(x), Numeric::Int(y)) => Some(x.cmp(y)),
        (Numeric::Int(x), Numeric::Float(f)) => x.cmp_f64(*f),
        (Numeric::Float(f), Numeric::Int(x)) => x.cmp_f64(*f).map(Ordering::reverse),
        (Numeric::Float(x), Numeric::Float(y)) => x.partial_cmp(y),
    }
}

fn number_from_json(n: &Number) -> Py {
    let text = n.to_string();
    if let Some(i) = BigInt::parse_plain(&text) {
        return Py::Int(i);
    }
    // Python reads any number with a fraction or exponent as a float; overflow gives inf.
    Py::Float(text.parse::<f64>().unwrap_or(f64::NAN))
}

fn number_value(text: &str) -> Value {
    serde_json::from_str::<Number>(text)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form outside `1e-4 ≤ |x| < 1e16`.
pub(crate) fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let decpt = exp + 1;
    let n = digits.len() as i32;
    let body = if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e = decpt - 1;
        format!(
            "{first}{frac}e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        )
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt >= n {
        format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
    } else {
        let (a, b) = digits.split_at(decpt as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{body}")
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    NON_PRINTABLE
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_err()
}

/// Python's `repr(str)`.
pub(crate) fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            _ if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            _ if (c as u32) < 0x7f || is_printable(c) => out.push(c),
            _ if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            _ if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            _ => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// `%.200R`: a repr cut to 200 characters, as `int()`'s error message prints it.
fn repr_200(s: &str) -> String {
    str_repr(s).chars().take(200).collect()
}

fn decimal_value(c: char) -> Option<u32> {
    let c = c as u32;
    let i = DECIMAL_ZEROS.partition_point(|&z| z <= c);
    let zero = *DECIMAL_ZEROS.get(i.checked_sub(1)?)?;
    (c - zero < 10).then_some(c - zero)
}

fn is_py_space(c: char) -> bool {
    WHITESPACE.binary_search(&(c as u32)).is_ok()
}

/// `_PyUnicode_TransformDecimalAndSpaceToASCII`: Unicode digits → ASCII, Unicode spaces → ' ',
/// anything else non-ASCII → '?'.
fn to_ascii_number_text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                c
            } else if let Some(d) = decimal_value(c) {
                char::from(b'0' + d as u8)
            } else if is_py_space(c) {
                ' '
            } else {
                '?'
            }
        })
        .collect()
}

const INT_MAX_STR_DIGITS: usize = 4300;

/// `int(text)` for a `str` argument.
fn int_from_str(s: &str) -> Result<BigInt, PyErr> {
    let invalid = || {
        PyErr::new(
            "ValueError",
            format!("invalid literal for int() with base 10: {}", repr_200(s)),
        )
    };
    let ascii = to_ascii_number_text(s);
    let t = ascii.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => ("-", &t[1..]),
        Some(b'+') => ("", &t[1..]),
        _ => ("", t),
    };
    let digits = strip_underscores(body).ok_or_else(invalid)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if digits.len() > INT_MAX_STR_DIGITS {
        return Err(PyErr::new(
            "ValueError",
            format!(
                "Exceeds the limit ({INT_MAX_STR_DIGITS} digits) for integer string conversion: \
                 value has {} digits; use sys.set_int_max_str_digits() to increase the limit",
                digits.len()
            ),
        ));
    }
    BigInt::parse_plain(&format!("{sign}{digits}")).ok_or_else(invalid)
}

/// Removes PEP 515 underscores, which may only stand between two digits.
fn strip_underscores(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        if c == '_' {
            if !prev.is_ascii_digit() {
                return None;
            }
        } else {
            if prev == '_' && !c.is_ascii_digit() {
                return None;
            }
            out.push(c);
        }
        prev = c;
    }
    (prev != '_').then_some(out)
}

/// `float(text)` for a `str` argument.
fn float_from_str(s: &str) -> Result<f64, PyErr> {
    let invalid = || {
        PyErr::new(
            "ValueError",
            format!("could not convert string to float: {}", str_repr(s)),
        )
    };
    let ascii = to_ascii_number_text(s);
    let ascii = if ascii.contains('_') {
        strip_underscores(&ascii).ok_or_else(invalid)?
    } else {
        ascii
    };
    let t = ascii.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        let v = if lower == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Ok(if t.starts_with('-') { -v } else { v });
    }
    if !decimal_float_syntax(body) {
        return Err(invalid());
    }
    t.parse::<f64>().map_err(|_| invalid())
}

/// `digits [. digits] [e [+-] digits]` with at least one mantissa digit.
fn decimal_float_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

/// Python's `int(val)`.
pub(crate) fn py_int(v: &Py) -> Result<BigInt, PyErr> {
    match v {
        Py::Int(i) => Ok(i.clone()),
        Py::Bool(b) => Ok(BigInt::from_i64(i64::from(*b))),
        Py::Float(f) if f.is_nan() => Err(PyErr::new(
            "ValueError",
            "cannot convert float NaN to integer",
        )),
        Py::Float(f) if f.is_infinite() => Err(PyErr::new(
            "OverflowError",
            "cannot convert float infinity to integer",
        )),
        Py::Float(f) => Ok(BigInt::from_integral_f64(f.trunc())),
        Py::Str(s) => int_from_str(s),
        other => Err(PyErr::type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// Python's `float(val)`.
pub(crate) fn py_float(v: &Py) -> Result<f64, PyErr> {
    match v {
        Py::Float(f) => Ok(*f),
        Py::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Py::Int(i) => i
            .to_f64()
            .ok_or_else(|| PyErr::new("OverflowError", "int too large to convert to float")),
        Py::Str(s) => float_from_str(s),
        other => Err(PyErr::type_error(format!(
            "float() argument must be a string or a real number, not '{}'",
            other.type_name()
        ))),
    }
}

/// `needle in container` for a `str` needle; `Err` when Python raises `TypeError`.
pub(crate) fn contains(container: &Py, needle: &str) -> Result<bool, PyErr> {
    py_contains(container, &Py::Str(needle.to_string()))
}

/// `needle in container` for any needle.
pub(crate) fn py_contains(container: &Py, needle: &Py) -> Result<bool, PyErr> {
    match (container, needle) {
        (Py::Dict(_), Py::List(_) | Py::Dict(_)) => Err(PyErr::type_error(format!(
            "unhashable type: '{}'",
            needle.type_name()
        ))),
        (Py::Dict(entries), Py::Str(key)) => Ok(entries.iter().any(|(k, _)| k == key)),
        (Py::Dict(_), _) => Ok(false),
        (Py::List(items), _) => Ok(items.iter().any(|i| i.py_eq(needle))),
        (Py::Str(s), Py::Str(n)) => Ok(s.contains(n.as_str())),
        (Py::Str(_), other) => Err(PyErr::type_error(format!(
            "'in <string>' requires string as left operand, not {}",
            other.type_name()
        ))),
        (other, _) => Err(PyErr::type_error(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        ))),
    }
}

/// Python's index normalisation for `seq[i]`; `kind` is `tuple`, `list` or `str`.
pub(crate) fn index(i: &Py, len: usize, kind: &str) -> Result<usize, PyErr> {
    let n = match i {
        Py::Bool(b) => i64::from(*b),
        Py::Int(n) => n.to_i64().ok_or_else(|| {
            PyErr::new("IndexError", "cannot fit 'int' into an index-sized integer")
        })?,
        other => {
            return Err(PyErr::type_error(format!(
                "{kind} indices must be integers or slices, not {}",
                other.type_name()
            )));
        }
    };
    let len = len as i64;
    let at = if n < 0 { n + len } else { n };
    if (0..len).contains(&at) {
        Ok(at as usize)
    } else {
        Err(PyErr::new(
            "IndexError",
            format!("{kind} index out of range"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_python() {
        for (f, s) in [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (123456789.125, "123456789.125"),
            (-0.0, "-0.0"),
            (18446744073709551616.0, "1.8446744073709552e+19"),
        ] {
            assert_eq!(float_repr(f), s);
        }
    }

    #[test]
    fn strings_repr_like_python() {
        assert_eq!(str_repr("abc"), "'abc'");
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(
            str_repr("tab\t\u{7f}\u{85}é\u{200b}😀"),
            "'tab\\t\\x7f\\x85é\\u200b😀'"
        );
    }

    #[test]
    fn int_parses_like_python() {
        let ok = |s: &str| int_from_str(s).map(|i| i.to_string());
        assert_eq!(ok(" 12 ").unwrap(), "12");
        assert_eq!(ok("-1_000").unwrap(), "-1000");
        assert_eq!(ok("007").unwrap(), "7");
        assert_eq!(ok("١٢").unwrap(), "12");
        assert_eq!(
            ok("abc").unwrap_err().message,
            "invalid literal for int() with base 10: 'abc'"
        );
        assert!(ok("1__0").is_err() && ok("_1").is_err() && ok("1_").is_err());
        assert!(ok("12.5").is_err() && ok("").is_err() && ok("+").is_err());
    }

    #[test]
    fn float_parses_like_python() {
        assert_eq!(float_from_str(" 1_000.5 ").unwrap(), 1000.5);
        assert_eq!(float_from_str("-Infinity").unwrap(), f64::NEG_INFINITY);
        assert!(float_from_str("nan").unwrap().is_nan());
        assert_eq!(float_from_str("1.").unwrap(), 1.0);
        assert_eq!(float_from_str(".5e1").unwrap(), 5.0);
        for bad in ["", ".", "1e", "abc", "1_.5", "0x10", "in f"] {
            assert!(float_from_str(bad).is_err(), "{bad}");
        }
        assert_eq!(
            float_from_str("abc").unwrap_err().message,
            "could not convert string to float: 'abc'"
        );
    }

    #[test]
    fn equality_and_order_follow_python() {
        let i = |n: i64| Py::Int(BigInt::from_i64(n));
        assert!(i(1).py_eq(&Py::Float(1.0)) && i(1).py_eq(&Py::Bool(true)));
        assert!(!i(1).py_eq(&Py::Str("1".into())));
        assert!(i(0).py_compare(&Py::Float(0.5), "<").unwrap());
        assert_eq!(
            Py::Str("a".into())
                .py_compare(&i(1), "<")
                .unwrap_err()
                .message,
            "'<' not supported between instances of 'str' and 'int'"
        );
    }
}
