//! `comfywire`: the command-line face of the core. Each subcommand is a thin shell around one core
//! function; later subcommands (params, set, validate, run…) slot into [`Command`].

mod convert_cmd;
mod params_cmd;
mod save;
mod server_cmd;
mod validate_cmd;

// Exact JSON (numbers kept as text, ordered maps) allocates a lot; mimalloc halves that cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use comfywire::Catalog;

#[derive(Debug, Parser)]
#[command(
    name = "comfywire",
    version,
    about = "Drive ComfyUI exactly as its editor does"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert a UI workflow (as saved by the editor) into the API prompt `POST /prompt` takes.
    Convert(convert_cmd::ConvertArgs),
    /// List every tunable input with its type, current value and range (roles first).
    Params(params_cmd::ParamsArgs),
    /// Change inputs by selector (`seed=42 positive="a red fox"`) and print the API prompt.
    Set(params_cmd::SetArgs),
    /// Show what a selector names: `comfywire select workflow.json positive`.
    Select(params_cmd::SelectArgs),
    /// Print exactly the body ComfyUI would answer to `POST /prompt` (exit 1 when rejected).
    Validate(validate_cmd::ValidateArgs),
    /// Print the prompt and workflow embedded in a PNG/WebP/FLAC/Ogg/MP3 written by ComfyUI.
    Extract(ExtractArgs),
    /// Run a workflow on a server with progress, and save its outputs.
    Run(server_cmd::RunArgs),
    /// Show the server's queue (running, then pending in execution order).
    Queue(server_cmd::SimpleArgs),
    /// Show history entries.
    History(server_cmd::HistoryArgs),
    /// Interrupt one prompt (only if it is running).
    Interrupt(server_cmd::InterruptArgs),
    /// Upload an input image; prints the name the server stored it under.
    Upload(server_cmd::UploadArgs),
    /// List the server's node classes.
    ObjectInfo(server_cmd::ObjectInfoArgs),
}

#[derive(Debug, clap::Args)]
struct ExtractArgs {
    /// The media file (`-` for standard input).
    file: PathBuf,
}

fn extract(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_bytes(&args.file)?;
    let meta = comfywire::media::extract(&bytes)
        .and_then(|m| m.require())
        .with_context(|| format!("cannot extract from {}", args.file.display()))?;
    let mut out = serde_json::Map::new();
    out.insert(
        "prompt".into(),
        meta.prompt.unwrap_or(serde_json::Value::Null),
    );
    out.insert(
        "workflow".into(),
        meta.workflow.unwrap_or(serde_json::Value::Null),
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::Value::Object(out))?
    );
    Ok(ExitCode::SUCCESS)
}

/// `comfywire validate WF | head`: when the reader goes away, stop quietly, as a Unix tool
/// killed by SIGPIPE would (status 141), instead of panicking inside `println!`.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// The stable code of an error: the core's, or `CLI_ERROR` for the CLI's own (a missing file…).
fn error_code(err: &anyhow::Error) -> &'static str {
    err.chain()
        .find_map(|e| e.downcast_ref::<comfywire::Error>())
        .map_or("CLI_ERROR", comfywire::Error::code)
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    // Under --json, a failure is one JSON object on stdout too, so scripts read one format.
    let json = std::env::args().any(|a| a == "--json");
    let cli = Cli::parse();
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    };
    let result = match cli.command {
        Command::Run(args) => runtime().block_on(server_cmd::run(args)),
        Command::Queue(args) => runtime().block_on(server_cmd::queue(args)),
        Command::History(args) => runtime().block_on(server_cmd::history(args)),
        Command::Interrupt(args) => runtime().block_on(server_cmd::interrupt(args)),
        Command::Upload(args) => runtime().block_on(server_cmd::upload(args)),
        Command::ObjectInfo(args) => runtime().block_on(server_cmd::object_info(args)),
        Command::Convert(args) => convert_cmd::run(args),
        Command::Params(args) => params_cmd::params(args),
        Command::Set(args) => params_cmd::set(args),
        Command::Select(args) => params_cmd::select(args),
        Command::Validate(args) => validate_cmd::validate(args),
        Command::Extract(args) => extract(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("comfywire: {err:#}");
            if json {
                let object =
                    serde_json::json!({"code": error_code(&err), "message": format!("{err:#}")});
                println!("{object}");
            }
            ExitCode::from(2)
        }
    }
}

/// Reads a workflow or prompt from a JSON file or from an image/audio file ComfyUI wrote.
pub(crate) fn read_document(path: &Path) -> anyhow::Result<comfywire::Document> {
    let bytes = read_bytes(path)?;
    comfywire::Document::from_bytes(&bytes)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a file's bytes, or standard input for `-`.
pub(crate) fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("cannot read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a text file, or standard input for `-`.
pub(crate) fn read_input(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Where the node catalog comes from, for commands that work offline: a saved `/object_info`
/// answer, a live server's, or the embedded one (ComfyUI 0.3.64).
#[derive(Debug, clap::Args)]
pub(crate) struct CatalogArgs {
    /// `GET /object_info` answer to read the workflow with (default: the embedded ComfyUI 0.3.64
    /// catalog).
    #[arg(long, value_name = "FILE")]
    object_info: Option<PathBuf>,
    /// Read the catalog from this server's `/object_info` instead (its model and input files
    /// included).
    #[arg(long, value_name = "URL", conflicts_with = "object_info")]
    server: Option<String>,
    #[command(flatten)]
    token: crate::server_cmd::TokenArg,
}

impl CatalogArgs {
    /// Neither `--object-info` nor `--server`: the embedded catalog, which lists no files.
    pub(crate) fn is_embedded(&self) -> bool {
        self.object_info.is_none() && self.server.is_none()
    }

    pub(crate) fn load(&self) -> anyhow::Result<std::borrow::Cow<'static, Catalog>> {
        if let Some(url) = &self.server {
            let mut config = comfywire_client::ClientConfig::new(url);
            config.bearer = self.token.value.clone();
            let catalog = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(comfywire_client::Client::fetch_catalog(&config))
                .with_context(|| {
                    format!(
                        "cannot read the catalog of {}",
                        comfywire::protocol::secrets::redact_url(url)
                    )
                })?;
            return Ok(std::borrow::Cow::Owned(catalog));
        }
        load_catalog(self.object_info.as_ref())
    }
}

/// The catalog from `--object-info`, else the embedded one (ComfyUI 0.3.64).
pub(crate) fn load_catalog(
    path: Option<&PathBuf>,
) -> anyhow::Result<std::borrow::Cow<'static, Catalog>> {
    match path {
        Some(p) => {
            let text = read_input(p)?;
            let catalog = Catalog::from_json(&text)
                .with_context(|| format!("{} is not an object_info answer", p.display()))?;
            Ok(std::borrow::Cow::Owned(catalog))
        }
        None => Ok(std::borrow::Cow::Borrowed(Catalog::embedded())),
    }
}
