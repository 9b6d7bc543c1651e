//! UI workflow → API prompt, identical to the editor's `graphToPrompt` (frontend 1.58.1).
//!
//! The editor does not transform JSON: it loads the workflow into a live graph (widgets created
//! from the catalog, values restored positionally, subgraph instances promoting interior widgets)
//! and then walks "executable node DTOs". This module rebuilds exactly that state ([`live`]) and
//! walks it the same way ([`emit`]), including the editor's quirks, which the golden corpus pins.

mod emit;
mod group_nodes;
mod live;
mod normalize;
mod order;
pub mod text;
mod warnings;
mod widgets;

use std::collections::HashMap;

pub use text::LocalDateTime;
pub use warnings::{Warning, WarningCode};

use crate::catalog::Catalog;
use crate::error::Result;
use crate::prompt::Prompt;
use crate::workflow::Workflow;

/// What to do with dynamic-prompt syntax (`{a|b}`, `//` comments) in text widgets that declare
/// `dynamicPrompts` (e.g. `CLIPTextEncode.text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DynamicPrompts {
    /// Send the text as written (the server receives `{a|b}` literally); a warning says so.
    #[default]
    Keep,
    /// Do what the editor does at queue time: strip comments and pick one option of each
    /// `{a|b}` group, with a deterministic generator seeded by `seed`.
    Resolve { seed: u64 },
}

/// Conversion settings. The defaults reproduce the editor (1.58.1, default settings).
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    pub dynamic_prompts: DynamicPrompts,
    /// Local time used for `%date:…%` in `filename_prefix`; `None` keeps the pattern verbatim.
    pub date: Option<LocalDateTime>,
    /// Restore widget values from `widgets_values_named` when present, instead of positionally.
    /// The editor does this only behind an experimental setting, so it is off by default; turn it
    /// on to survive a catalog whose input order differs from the one the workflow was saved with.
    pub prefer_named_values: bool,
    /// Keep subgraph interior node ids as saved instead of renumbering colliding ones as the
    /// editor has done since 1.42 (affects execution ids such as `"10:69"`).
    pub keep_subgraph_ids: bool,
    /// Produce what the file's author meant where the editor demonstrably loses it, each repair
    /// reported as a warning of its own code. Today: array links of a file whose `version` is
    /// not 0.4, which the editor drops (`ARRAY_LINKS_IGNORED`) and this keeps
    /// (`ARRAY_LINKS_REPAIRED`). Off by default: the output stays the editor's.
    pub repair: bool,
}

/// The result of a conversion: the prompt and everything that could not be done exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub prompt: Prompt,
    pub warnings: Vec<Warning>,
    /// The `control_after_generate` mode of every emitted widget that has one (the API prompt
    /// cannot carry it), for seed control before queueing.
    pub controls: Vec<ValueControl>,
}

/// "What happens to this value after each run" as the workflow saved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueControl {
    /// Execution id of the node in the prompt.
    pub node_id: String,
    pub input: String,
    /// `fixed`, `increment`, `decrement`, `randomize` (or `increment-wrap` for combos), as saved.
    pub mode: String,
}

/// Converts a UI workflow into the API prompt the editor would send.
pub fn convert(
    workflow: &Workflow,
    catalog: &Catalog,
    options: &ConvertOptions,
) -> Result<Conversion> {
    let mut warnings = Vec::new();
    let workflow = normalize::normalize(workflow, catalog, options, &mut warnings)?;
    let def_index: HashMap<&str, usize> = workflow
        .subgraphs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();

    let mut loader = live::Loader {
        catalog,
        subgraphs: &workflow.subgraphs,
        def_index: &def_index,
        prefer_named_values: options.prefer_named_values,
        warnings: &mut warnings,
    };
    let mut graphs = vec![loader.load_graph(&workflow.graph, None, "$.nodes".to_string())];
    for (i, def) in workflow.subgraphs.iter().enumerate() {
        let path = format!("$.definitions.subgraphs[{i}].nodes");
        graphs.push(loader.load_graph(&def.graph, Some(i), path));
    }
    let mut emitter = emit::Emitter::new(graphs, &workflow, options, &mut warnings);
    emitter.promote_host_widgets();
    emitter.apply_primitives();
    let (prompt, controls) = emitter.emit()?;
    Ok(Conversion {
        prompt,
        warnings,
        controls,
    })
}

/// Parses UI-format JSON text and converts it.
pub fn convert_json(text: &str, catalog: &Catalog, options: &ConvertOptions) -> Result<Conversion> {
    let workflow = Workflow::from_json(text)?;
    convert(&workflow, catalog, options)
}

#[cfg(test)]
mod tests;
