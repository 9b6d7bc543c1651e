//! Helpers shared by the integration tests: fixture locations and a readable JSON diff.

use std::path::PathBuf;

use serde_json::Value;

/// `tests/fixtures`, wherever the tests run from.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Stems of the golden corpus (`<stem>.workflow.json` + `<stem>.prompt.json`), sorted.
pub fn golden_stems() -> Vec<String> {
    let dir = fixtures().join("goldens");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".workflow.json").map(str::to_string))
        .collect();
    stems.sort();
    stems
}

pub fn read_golden(stem: &str, kind: &str) -> String {
    let path = fixtures()
        .join("goldens")
        .join(format!("{stem}.{kind}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Differences between two JSON values as `path: expected … got …` lines (numbers compare by
/// value, key order is ignored).
pub fn json_diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_into("$", expected, actual, &mut out);
    out
}

fn diff_into(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => diff_into(&p, ev, av, out),
                    None => out.push(format!("{p}: missing (expected {})", short(ev))),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    out.push(format!("{path}.{k}: unexpected {}", short(av)));
                }
            }
        }
        _ if comfywire::json::json_eq(expected, actual) => {}
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff_into(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        _ => out.push(format!(
            "{path}: expected {} got {}",
            short(expected),
            short(actual)
        )),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// Checks that the committed file `path` (relative to the repository) is `expected`, a file
/// generated from the core; `COMFYWIRE_BLESS=1` rewrites it first. `test` names the test target
/// that blesses it, for the failure message.
pub fn check_generated(path: &str, expected: &str, test: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    if std::env::var_os("COMFYWIRE_BLESS").is_some() {
        std::fs::write(&full, expected).unwrap();
    }
    let actual = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        actual == expected,
        "{path} is stale: run `COMFYWIRE_BLESS=1 cargo test -p comfywire-tests --test {test}`"
    );
}
