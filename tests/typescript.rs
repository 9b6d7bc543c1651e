//! `node/shapes.d.ts` is generated from the structs `comfywire::js` serialises, so the TypeScript
//! types cannot drift from the objects JavaScript receives. `COMFYWIRE_BLESS=1` rewrites the file.
//! The tests below also check the declared string unions against the core's enums, and read
//! the golden corpus back through the declarations that describe values the core does not build
//! itself (prompt nodes, catalog specs).

use std::path::Path;

use comfywire::js::options;
use comfywire::js::shapes::*;
use ts_rs::{Config, TS};

fn declaration<T: TS>(cfg: &Config) -> String {
    let docs = T::docs().unwrap_or_default();
    format!("{docs}export {}\n", T::decl(cfg))
}

fn render() -> String {
    let cfg = Config::default();
    let parts = [
        declaration::<ParamSpec>(&cfg),
        declaration::<ParamLimits>(&cfg),
        declaration::<Warning>(&cfg),
        declaration::<Control>(&cfg),
        declaration::<ConvertResult>(&cfg),
        declaration::<ApiNode>(&cfg),
        declaration::<OverrideIssue>(&cfg),
        declaration::<Change>(&cfg),
        declaration::<OverrideResult>(&cfg),
        declaration::<Validation>(&cfg),
        declaration::<WorkflowInfo>(&cfg),
        declaration::<Embedded>(&cfg),
        declaration::<FoundNode>(&cfg),
        declaration::<OutputFile>(&cfg),
        declaration::<JobResult>(&cfg),
        declaration::<JobEventKind>(&cfg),
        declaration::<JobEvent>(&cfg),
        declaration::<OtherMessage>(&cfg),
        declaration::<ServerMessage>(&cfg),
        declaration::<QueueItem>(&cfg),
        declaration::<QueueState>(&cfg),
        declaration::<UploadedFile>(&cfg),
        declaration::<options::Convert>(&cfg),
        declaration::<options::SeedMode>(&cfg),
        declaration::<options::Overrides>(&cfg),
        declaration::<options::ListParams>(&cfg),
        declaration::<options::BasicAuth>(&cfg),
        declaration::<options::Connect>(&cfg),
        declaration::<options::Submit>(&cfg),
        declaration::<options::FileName>(&cfg),
        declaration::<options::UploadType>(&cfg),
        declaration::<options::Upload>(&cfg),
        declaration::<options::History>(&cfg),
        declaration::<options::Free>(&cfg),
    ];
    format!(
        "// Generated from core/src/js/shapes.rs and core/src/js/options.rs by tests/typescript.rs: do not edit.\n\n{}",
        parts.join("\n")
    )
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

#[test]
fn the_declarations_are_generated_from_the_serialised_structs() {
    comfywire_tests::check_generated("node/shapes.d.ts", &render(), "typescript");
}

fn union(names: impl IntoIterator<Item = &'static str>) -> String {
    names
        .into_iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The unions written by hand in `ts(type = …)` are the core's enums, in the same order.
#[test]
fn the_declared_string_unions_are_the_cores_enums() {
    use comfywire::params::{IssueCode, ParamType};
    use comfywire::protocol::Outcome;
    let dts = render();
    let kinds = union(ParamType::ALL.iter().map(ParamType::as_str));
    let codes = union(IssueCode::ALL.iter().map(|c| c.as_str()));
    let null = serde_json::Value::Null;
    let outcomes = [
        Outcome::Success,
        Outcome::Failed {
            error: null.clone(),
        },
        Outcome::Interrupted { data: null.clone() },
        Outcome::Cancelled,
        Outcome::Rejected {
            error: null.clone(),
            node_errors: null,
        },
        Outcome::Lost,
        Outcome::TimedOut,
    ];
    let statuses = union(outcomes.iter().map(Outcome::code));
    for (what, expected) in [
        ("ParamSpec.type", format!("type: {kinds}")),
        ("OverrideIssue.code", format!("code: {codes}")),
        ("JobResult.status", format!("status: {statuses}")),
    ] {
        assert!(dts.contains(&expected), "{what} should be {expected}");
    }
}

fn golden_prompts() -> Vec<(String, serde_json::Value)> {
    let dir = repo("tests/fixtures/goldens");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".prompt.json") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((name, comfywire::json::parse(&text).unwrap()));
        }
    }
    assert!(
        out.len() > 50,
        "the golden corpus is missing ({})",
        out.len()
    );
    out
}

/// `ApiNode` describes prompts the core writes with `Prompt::to_value`: every node of every
/// golden prompt (what the editor sends, which conversion reproduces) reads back through it.
#[test]
fn every_golden_prompt_node_is_an_api_node() {
    for (name, prompt) in golden_prompts() {
        for (id, node) in prompt.as_object().unwrap() {
            let parsed: Result<ApiNode, _> = serde_json::from_value(node.clone());
            assert!(parsed.is_ok(), "{name} #{id}: {:?}", parsed.err());
        }
    }
}

/// `ParamLimits` names keys of the catalog's specs: in every param of every golden prompt,
/// those keys have the declared types.
#[test]
fn every_param_spec_of_the_corpus_has_the_declared_limits() {
    let catalog = comfywire::Catalog::embedded();
    let mut specs = 0;
    for (name, prompt) in golden_prompts() {
        let Ok(prompt) = comfywire::Prompt::from_value(&prompt) else {
            continue;
        };
        for param in comfywire::params::list_params(&prompt, catalog) {
            let spec = serde_json::Value::Object(param.spec.clone());
            let parsed: Result<ParamLimits, _> = serde_json::from_value(spec);
            assert!(
                parsed.is_ok(),
                "{name} {}: {:?}",
                param.selector,
                parsed.err()
            );
            specs += 1;
        }
    }
    assert!(specs > 500, "only {specs} specs checked");
}
