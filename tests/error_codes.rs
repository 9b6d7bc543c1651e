//! `node/lib/codes.js` is generated from the core's `ERROR_CODES`, so the JS `ErrorCode` type
//! and the runtime list cannot drift from the enum. `COMFYWIRE_BLESS=1` rewrites the file.

fn render() -> String {
    let union = comfywire::ERROR_CODES
        .iter()
        .map(|c| format!(" *   | '{c}'"))
        .collect::<Vec<_>>()
        .join("\n");
    let list = comfywire::ERROR_CODES
        .iter()
        .map(|c| format!("  '{c}',"))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "// Generated from the core's ERROR_CODES by tests/error_codes.rs: do not edit.\n\
         \n\
         /**\n\
         \x20* Every code `err.code` can hold, in Node and in the browser.\n\
         \x20* @typedef {{(\n{union}\n\x20* )}} ErrorCode\n\
         \x20*/\n\
         \n\
         /** @type {{readonly ErrorCode[]}} */\n\
         export const ERROR_CODES = Object.freeze([\n{list}\n]);\n"
    )
}

#[test]
fn the_js_code_list_is_generated_from_the_core() {
    comfywire_tests::check_generated("node/lib/codes.js", &render(), "error_codes");
}
