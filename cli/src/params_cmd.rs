//! `comfywire params`, `comfywire set`, `comfywire select`: the parameter surface of a workflow.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use comfywire::params::{self, ControlMode};
use comfywire::{Catalog, Conversion, ConvertOptions};
use serde_json::Value;

/// A workflow (UI or API) and the catalog to read it with.
#[derive(Debug, Args)]
pub(crate) struct Input {
    /// UI workflow or API prompt: JSON, or an image/audio file ComfyUI wrote; `-` for stdin.
    workflow: PathBuf,
    #[command(flatten)]
    catalog: crate::CatalogArgs,
}

impl Input {
    fn load(&self) -> anyhow::Result<(Conversion, std::borrow::Cow<'static, Catalog>)> {
        let document = crate::read_document(&self.workflow)?;
        let catalog = self.catalog.load()?;
        let conversion = document.into_prompt(&catalog, &ConvertOptions::default())?;
        for w in &conversion.warnings {
            eprintln!("warning: {w}");
        }
        Ok((conversion, catalog))
    }
}

#[derive(Debug, Args)]
pub(crate) struct ParamsArgs {
    #[command(flatten)]
    input: Input,
    /// Print GenStudio's shape: `{"<id>": {"inputs": {"<name>": {"type","current","spec"}}}}`.
    #[arg(long)]
    by_node: bool,
}

pub(crate) fn params(args: ParamsArgs) -> anyhow::Result<ExitCode> {
    let (conversion, catalog) = args.input.load()?;
    let out = if args.by_node {
        params::params_by_node(&conversion.prompt, &catalog)
    } else {
        Value::Array(
            params::list_params(&conversion.prompt, &catalog)
                .iter()
                .map(|p| p.to_json())
                .collect(),
        )
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedMode {
    /// Apply the modes saved in the workflow (`control_after_generate`).
    AsSaved,
    Fixed,
    Increment,
    Decrement,
    Randomize,
}

#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    #[command(flatten)]
    input: Input,
    /// `selector=value` pairs: `positive="a red fox"`, `seed=42`, `#12:5.text=…`, `KSampler.steps=30`.
    assignments: Vec<String>,
    /// A sparse body `{"<id>": {"inputs": {…}}}` (GenStudio style) to apply first.
    #[arg(long, value_name = "FILE")]
    body: Option<PathBuf>,
    /// What happens to seeds before the run, as the editor's `control_after_generate` does.
    #[arg(long, value_enum, default_value = "fixed")]
    seed_mode: SeedMode,
    /// Seed of the generator behind `randomize` (for reproducible prompts).
    #[arg(long, value_name = "N", default_value_t = 0)]
    rng_seed: u64,
}

pub(crate) fn set(args: SetArgs) -> anyhow::Result<ExitCode> {
    let (mut conversion, catalog) = args.input.load()?;
    let prompt = &mut conversion.prompt;
    let mut issues = Vec::new();
    if let Some(path) = &args.body {
        let body: Value = serde_json::from_str(&crate::read_input(path)?)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        issues.extend(params::apply_sparse(prompt, &catalog, &body));
    }
    let pairs = args
        .assignments
        .iter()
        .map(|a| params::parse_assignment(a))
        .collect::<Result<Vec<_>, _>>()?;
    issues.extend(params::apply_overrides(prompt, &catalog, &pairs));
    if !issues.is_empty() {
        for i in &issues {
            eprintln!("comfywire: {i}");
        }
        return Ok(ExitCode::from(1));
    }
    let (mode, controls) = match args.seed_mode {
        SeedMode::AsSaved => (None, conversion.controls.clone()),
        SeedMode::Fixed => (Some(ControlMode::Fixed), Vec::new()),
        other => {
            let mode = match other {
                SeedMode::Increment => ControlMode::Increment,
                SeedMode::Decrement => ControlMode::Decrement,
                _ => ControlMode::Randomize,
            };
            (Some(mode), params::seed_controls(prompt, &catalog, "fixed"))
        }
    };
    for change in params::apply_controls(prompt, &catalog, &controls, mode, args.rng_seed) {
        eprintln!(
            "{}.{}: {} → {}",
            change.node_id, change.input, change.from, change.to
        );
    }
    println!("{}", prompt.to_json_pretty());
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct SelectArgs {
    #[command(flatten)]
    input: Input,
    /// A selector: `positive`, `seed[*]`, `#12:5.text`, `title:Hero Prompt`, `KSampler[1].steps`.
    selector: String,
}

pub(crate) fn select(args: SelectArgs) -> anyhow::Result<ExitCode> {
    let (conversion, catalog) = args.input.load()?;
    let targets = comfywire::address::select(&conversion.prompt, &catalog, &args.selector)?;
    for t in targets {
        let value = t
            .input
            .as_ref()
            .and_then(|i| conversion.prompt.nodes[&t.node_id].inputs.get(i));
        match value {
            Some(v) => println!("{t}\t{v}"),
            None => println!("{t}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}
