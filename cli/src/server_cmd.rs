//! Commands that talk to a server: `run`, `queue`, `history`, `interrupt`, `upload`, `object-info`.
//! Without `--server` and `COMFYUI_URL`, `run` starts the bundled emulator for the duration.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use comfywire::protocol::{FileRef, JobEvent, Outcome, UploadKind, response};
use comfywire::{ConvertOptions, params};
use comfywire_client::{Client, ClientConfig, JobOptions};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use tokio::io::AsyncBufReadExt;

/// Where the server is.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// Server URL (default: $COMFYUI_URL; `run` starts the bundled emulator when neither is set).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// Bearer token for servers behind an authenticating proxy.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "COMFYUI_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
}

impl ServerArgs {
    fn url(&self) -> Option<String> {
        self.server
            .clone()
            .or_else(|| std::env::var("COMFYUI_URL").ok().filter(|u| !u.is_empty()))
    }

    async fn connect(&self, url: &str) -> anyhow::Result<Client> {
        let mut config = ClientConfig::new(url);
        config.bearer = self.token.clone();
        Client::connect(config)
            .await
            .with_context(|| format!("cannot connect to {url}"))
    }

    async fn connect_required(&self) -> anyhow::Result<Client> {
        let Some(url) = self.url() else {
            bail!("no server: give --server URL or set COMFYUI_URL")
        };
        self.connect(&url).await
    }
}

/// The bundled emulator, stopped when dropped.
struct Emulator {
    child: tokio::process::Child,
    url: String,
}

impl Emulator {
    /// Started with the model files `workflow` loads, standing in for a server that has them.
    async fn start(workflow: &Path) -> anyhow::Result<Emulator> {
        let exe = std::env::current_exe()?;
        let name = format!("comfywire-emulator{}", std::env::consts::EXE_SUFFIX);
        let path = exe.parent().map(|d| d.join(&name)).filter(|p| p.exists()).context(
            "no COMFYUI_URL and no bundled emulator next to this binary (build it: cargo build --release)",
        )?;
        let mut child = tokio::process::Command::new(path)
            .args(["--port", "0", "--exit-on-stdin-close"])
            .arg("--models-for")
            .arg(workflow)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the emulator")?;
        let stdout = child.stdout.take().context("emulator stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .context("the emulator did not start in time")??
            .context("the emulator exited")?;
        eprintln!("no COMFYUI_URL: using the bundled emulator at {url}");
        Ok(Emulator {
            child,
            url: url.trim().to_string(),
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Workflow (UI or API; JSON or a file ComfyUI wrote).
    workflow: PathBuf,
    /// `selector=value` overrides: `positive="a red fox" seed=42`.
    assignments: Vec<String>,
    #[command(flatten)]
    server: ServerArgs,
    /// Save the outputs here.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print the result as JSON instead of progress bars.
    #[arg(long)]
    json: bool,
    /// Give up (and cancel the job) after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Seed control before the run: fixed keeps seeds, randomize draws new ones.
    #[arg(long, default_value = "as-saved")]
    seed_mode: String,
}

pub(crate) async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (emulator, url) = match args.server.url() {
        Some(url) => (None, url),
        None => {
            let e = Emulator::start(&args.workflow).await?;
            let url = e.url.clone();
            (Some(e), url)
        }
    };
    let client = args.server.connect(&url).await?;
    // Convert against the server's own catalog: values are positional over *its* widgets.
    let catalog = client
        .object_info(None)
        .await
        .context("cannot read the server's /object_info")?;
    let document = crate::read_document(&args.workflow)?;
    let mut conversion = document.into_prompt(&catalog, &ConvertOptions::default())?;
    for w in &conversion.warnings {
        eprintln!("warning: {w}");
    }
    let pairs = args
        .assignments
        .iter()
        .map(|a| params::parse_assignment(a))
        .collect::<Result<Vec<_>, _>>()?;
    let issues = params::apply_overrides(&mut conversion.prompt, &catalog, &pairs);
    if !issues.is_empty() {
        for i in &issues {
            eprintln!("comfywire: {i}");
        }
        return Ok(ExitCode::from(1));
    }
    let mode = match args.seed_mode.as_str() {
        "as-saved" => None,
        other => Some(
            params::ControlMode::parse(other)
                .with_context(|| format!("unknown seed mode `{other}`"))?,
        ),
    };
    let controls = if mode.is_some() {
        params::seed_controls(&conversion.prompt, &catalog, "fixed")
    } else {
        conversion.controls.clone()
    };
    params::apply_controls(
        &mut conversion.prompt,
        &catalog,
        &controls,
        mode,
        rand_seed(),
    );

    let options = JobOptions {
        timeout: args.timeout.map(Duration::from_secs),
        ..JobOptions::default()
    };
    let bars = Progress::new(args.json, conversion.prompt.nodes.len());
    let result = client
        .run(&conversion.prompt, options, |e| bars.on_event(e))
        .await?;
    bars.finish(&result.outcome);
    if result.outcome == Outcome::TimedOut {
        use comfywire::protocol::ServerStop;
        let secs = args.timeout.unwrap_or_default();
        match client.server_stop(&result.prompt_id) {
            ServerStop::Confirmed => eprintln!(
                "timed out after {secs} s: the server accepted stopping job {} (a running node finishes first)",
                result.prompt_id
            ),
            _ => eprintln!(
                "timed out after {secs} s: the server did not confirm stopping job {} (it may still run)",
                result.prompt_id
            ),
        }
    }

    let files = response::output_files(&result.outputs);
    let mut saved = Vec::new();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for f in &files {
            let bytes = client.view(&f.file).await?;
            let path = dir.join(safe_name(&f.file));
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            saved.push(path);
        }
    }
    client.close();
    drop(emulator);
    if args.json {
        let out = serde_json::json!({
            "promptId": result.prompt_id,
            "outcome": result.outcome.code(),
            "outputs": result.outputs,
            "saved": saved.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for f in &files {
            println!(
                "{}\t{}",
                f.node_id,
                client.endpoint().view(&f.file, None).url
            );
        }
        for p in &saved {
            println!("saved {}", p.display());
        }
    }
    Ok(if result.outcome == Outcome::Success {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A file name from an output reference that cannot escape `--out`.
fn safe_name(file: &FileRef) -> String {
    let name = Path::new(&file.filename)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    name.replace(['/', '\\'], "_")
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Progress bars: the queue position, then one bar for the whole job and one for the node.
struct Progress {
    overall: Option<ProgressBar>,
    node: Option<ProgressBar>,
    _multi: Option<MultiProgress>,
}

impl Progress {
    fn new(quiet: bool, _nodes: usize) -> Self {
        if quiet {
            return Progress {
                overall: None,
                node: None,
                _multi: None,
            };
        }
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{prefix:>8} [{bar:40}] {percent:>3}% {msg}")
            .expect("valid template")
            .progress_chars("=> ");
        let overall = multi.add(
            ProgressBar::new(1000)
                .with_style(style.clone())
                .with_prefix("job"),
        );
        let node = multi.add(ProgressBar::new(1).with_style(style).with_prefix("node"));
        overall.set_message("submitting");
        Progress {
            overall: Some(overall),
            node: Some(node),
            _multi: Some(multi),
        }
    }

    fn on_event(&self, event: &JobEvent) {
        let (Some(overall), Some(node)) = (&self.overall, &self.node) else {
            return;
        };
        match event {
            JobEvent::Queued { position: 0 } | JobEvent::Started => overall.set_message("running"),
            JobEvent::Queued { position } => {
                overall.set_message(format!("queued, {position} ahead"))
            }
            JobEvent::NodeStarted { node: id } => {
                node.set_length(1);
                node.set_position(0);
                node.set_message(format!("#{id}"));
            }
            JobEvent::Progress {
                value,
                max,
                overall: fraction,
                ..
            } => {
                node.set_length(max.max(1.0) as u64);
                node.set_position(*value as u64);
                overall.set_position((fraction * 1000.0) as u64);
            }
            _ => {}
        }
    }

    fn finish(&self, outcome: &Outcome) {
        if let (Some(overall), Some(node)) = (&self.overall, &self.node) {
            node.finish_and_clear();
            if *outcome == Outcome::Success {
                overall.set_position(1000);
            }
            overall.finish_with_message(outcome.code().to_lowercase());
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct SimpleArgs {
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn queue(args: SimpleArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.connect_required().await?;
    let q = client.queue().await?;
    for item in q
        .running
        .iter()
        .map(|i| ("running", i))
        .chain(q.pending.iter().map(|i| ("pending", i)))
    {
        println!("{}\t{}\t{}", item.0, item.1.number, item.1.prompt_id);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// One prompt id (default: the latest entries).
    prompt_id: Option<String>,
    #[arg(long, default_value_t = 10)]
    max_items: u32,
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.connect_required().await?;
    for entry in client
        .history(args.prompt_id.as_deref(), Some(args.max_items))
        .await?
    {
        let files = response::output_files(&entry.outputs).len();
        println!(
            "{}\t{}\t{} file(s)",
            entry.prompt_id, entry.status_str, files
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct InterruptArgs {
    /// Interrupt only this prompt, if it is running (the server ignores it otherwise).
    prompt_id: String,
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn interrupt(args: InterruptArgs) -> anyhow::Result<ExitCode> {
    args.server
        .connect_required()
        .await?
        .interrupt(Some(&args.prompt_id))
        .await?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct UploadArgs {
    file: PathBuf,
    #[arg(long, default_value = "")]
    subfolder: String,
    #[arg(long)]
    overwrite: bool,
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn upload(args: UploadArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.connect_required().await?;
    let data = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .context("file name")?;
    let stored = client
        .upload(
            &UploadKind::Image,
            name,
            data,
            &args.subfolder,
            args.overwrite,
        )
        .await?;
    let path = if stored.subfolder.is_empty() {
        stored.filename.clone()
    } else {
        format!("{}/{}", stored.subfolder, stored.filename)
    };
    println!("{path}");
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub(crate) struct ObjectInfoArgs {
    /// One class (default: every class, printed as the server sent it).
    class: Option<String>,
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn object_info(args: ObjectInfoArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.connect_required().await?;
    let catalog = client.object_info(args.class.as_deref()).await?;
    for def in catalog.iter() {
        println!("{}\t{}", def.name, def.title());
    }
    Ok(ExitCode::SUCCESS)
}
