#![no_main]
//! Any text as a `POST /prompt` body: the offline validator answers 200, 400 or 500 with a body
//! of the server's shape, never panics.
use comfywire::Catalog;
use comfywire::validate::validate_prompt_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let outcome = validate_prompt_text(text, Catalog::embedded());
    assert!(
        matches!(outcome.status, 200 | 400 | 500),
        "{}",
        outcome.status
    );
    let _ = (
        outcome.error_type(),
        outcome.node_ids_with_errors(),
        outcome.errors(),
    );
    if outcome.status != 500 {
        assert!(
            outcome.node_errors().is_some(),
            "no node_errors in {}",
            outcome.body
        );
    }
});
