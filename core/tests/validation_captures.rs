//! Offline `POST /prompt` validation against the real server's answers: every `err_*.json`
//! capture of ComfyUI 0.3.64 (request body → status and body) must come out identical.
//!
//! Request bodies that are not JSON (`raw_body`) go through [`validate_prompt_text`], which gives
//! the server's 500 page for them. For a 200 the server adds `prompt_id` and `number`, which it
//! chooses; those two keys are dropped from the expected body before comparing.

use std::path::PathBuf;

use comfywire::Catalog;
use comfywire::json::json_eq;
use comfywire::validate::{
    INTERNAL_ERROR_TEXT, Options, ValidationOutcome, validate_prompt_body,
    validate_prompt_body_with, validate_prompt_text,
};
use serde_json::Value;

fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/captures")
}

fn capture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(captures_dir())
        .expect("the captures folder exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("err_") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    files
}

/// What the capture says the server answered: status and body (200 bodies without the ids).
fn expected(capture: &Value) -> (u16, Value) {
    let response = &capture["response"];
    let status = response["status"].as_u64().expect("a status") as u16;
    let body = match (response.get("body_json"), response.get("body_text")) {
        (Some(Value::Object(body)), _) => {
            let mut body = body.clone();
            if status == 200 {
                body.remove("prompt_id");
                body.remove("number");
            }
            Value::Object(body)
        }
        (_, Some(text)) => text.clone(),
        _ => panic!("a capture has body_json or body_text"),
    };
    (status, body)
}

fn answer(capture: &Value, catalog: &Catalog) -> ValidationOutcome {
    let request = &capture["request"];
    match (request.get("body"), request.get("raw_body")) {
        (Some(body), _) => validate_prompt_body(body, catalog),
        (None, Some(Value::String(raw))) => validate_prompt_text(raw, catalog),
        _ => panic!("a capture has body or raw_body"),
    }
}

#[test]
fn every_error_capture_is_reproduced() {
    let catalog = Catalog::embedded();
    let files = capture_files();
    assert_eq!(files.len(), 36, "the 36 err_*.json captures");
    let mut mismatches = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable capture");
        let capture: Value = serde_json::from_str(&text).expect("capture is JSON");
        let (status, body) = expected(&capture);
        let got = answer(&capture, catalog);
        if got.status != status || !json_eq(&got.body, &body) {
            mismatches.push(format!(
                "{}: expected {status} {body}\n   got {} {}",
                path.file_name().unwrap().to_string_lossy(),
                got.status,
                got.body
            ));
        }
    }
    let matched = files.len() - mismatches.len();
    println!("validation captures: {matched}/{} match", files.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn accepted_prompt_captures_are_accepted() {
    // Every other `POST /prompt` capture (`*_post.json`): all were queued (200), one with
    // `node_errors` for a dropped output. Their LoadImage files had been uploaded to the capture
    // server after the catalog was fetched, so file checks are answered "present" here.
    let catalog = Catalog::embedded();
    let present = |_: &str, _: &str| true;
    let options = Options {
        file_exists: Some(&present),
    };
    let mut checked = 0;
    for entry in std::fs::read_dir(captures_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with("_post.json") {
            continue;
        }
        let capture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if capture["request"]["path"] != "/prompt" {
            continue;
        }
        let body = match (
            &capture["request"].get("body"),
            &capture["request"].get("raw_body"),
        ) {
            (Some(body), _) => (*body).clone(),
            (None, Some(Value::String(raw))) => serde_json::from_str(raw).unwrap(),
            _ => continue,
        };
        let (status, expected) = expected(&capture);
        let got = validate_prompt_body_with(&body, catalog, &options);
        assert_eq!(got.status, status, "{name}");
        assert!(
            json_eq(&got.body, &expected),
            "{name}: {} vs {expected}",
            got.body
        );
        checked += 1;
    }
    assert!(checked >= 40, "only {checked} accepted captures found");
}

#[test]
fn byte_order_of_lists_matches_too() {
    // json_eq ignores object key order but not list order: check the two captures where the
    // server's set order shows (errors within a node, dependent_outputs) serialize identically.
    let catalog = Catalog::embedded();
    for name in [
        "err_two_errors_same_node.json",
        "err_errors_in_two_nodes.json",
    ] {
        let text = std::fs::read_to_string(captures_dir().join(name)).unwrap();
        let capture: Value = serde_json::from_str(&text).unwrap();
        let (_, body) = expected(&capture);
        let got = answer(&capture, catalog);
        assert_eq!(
            serde_json::to_string(&got.body).unwrap(),
            serde_json::to_string(&body).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn malformed_bodies_get_the_plain_text_page() {
    let catalog = Catalog::embedded();
    for raw in ["", "{not json", "[1, 2", "nul"] {
        let got = validate_prompt_text(raw, catalog);
        assert_eq!(got.status, 500);
        assert_eq!(got.body, Value::String(INTERNAL_ERROR_TEXT.into()));
    }
}
