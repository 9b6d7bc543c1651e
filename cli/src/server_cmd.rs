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
    #[command(flatten)]
    token: TokenArg,
}

/// `--token` / `$COMFYUI_TOKEN`, for every command that talks to a server.
#[derive(Debug, Args)]
pub(crate) struct TokenArg {
    /// Bearer token for servers behind an authenticating proxy.
    #[arg(
        long = "token",
        value_name = "TOKEN",
        env = "COMFYUI_TOKEN",
        hide_env_values = true
    )]
    pub(crate) value: Option<String>,
}

impl ServerArgs {
    fn url(&self) -> Option<String> {
        self.server
            .clone()
            .or_else(|| std::env::var("COMFYUI_URL").ok().filter(|u| !u.is_empty()))
    }

    async fn connect(&self, url: &str) -> anyhow::Result<Client> {
        self.connect_with(ClientConfig::new(url)).await
    }

    async fn connect_with(&self, mut config: ClientConfig) -> anyhow::Result<Client> {
        let url = config.server.clone();
        config.bearer = self.token.value.clone();
        Client::connect(config).await.with_context(|| {
            format!(
                "cannot connect to {}",
                comfywire::protocol::secrets::redact_url(&url)
            )
        })
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
    /// Save the outputs here, as the server laid them out (`DIR/<subfolder>/<file>`; previews
    /// and other temp files under `DIR/temp/`). Default with the bundled emulator: ./comfywire-out.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace files that already exist under --out (default: refuse, exit 1).
    #[arg(long)]
    overwrite: bool,
    /// On an execution error, print the server's traceback too.
    #[arg(short, long)]
    verbose: bool,
    /// Refuse a prompt the server would run only in part (some outputs failing validation):
    /// checked against the server's catalog before submitting, exit 1.
    #[arg(long)]
    strict: bool,
    /// Print the result as JSON instead of progress bars.
    #[arg(long)]
    json: bool,
    /// Give up (and cancel the job) after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// When the server stops answering mid-job, keep reconnecting this long before the job
    /// ends as lost (exit 1).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    reconnect_window: u64,
    /// Seed control before the run: fixed keeps seeds, randomize draws new ones.
    #[arg(long, default_value = "as-saved")]
    seed_mode: String,
}

/// `work`, or `TIMEOUT` for `route` once `deadline` (from `--timeout SECS`) has passed.
async fn by_deadline<T>(
    deadline: Option<std::time::Instant>,
    secs: Option<u64>,
    route: &str,
    work: impl std::future::Future<Output = T>,
) -> Result<T, comfywire::Error> {
    let Some(deadline) = deadline else {
        return Ok(work.await);
    };
    tokio::time::timeout_at(deadline.into(), work)
        .await
        .map_err(|_| comfywire::Error::Timeout {
            route: route.to_string(),
            after_ms: secs.unwrap_or(0).saturating_mul(1000),
        })
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
    let mut config = ClientConfig::new(&url);
    config.reconnect_window = Duration::from_secs(args.reconnect_window);
    // `--timeout` bounds the whole run: connecting and reading the catalog come out of the same
    // budget as the job, and no single request may outlast it.
    let deadline = args
        .timeout
        .map(|s| std::time::Instant::now() + Duration::from_secs(s));
    let remaining = || deadline.map(|d| d.saturating_duration_since(std::time::Instant::now()));
    if let Some(left) = remaining() {
        config.request_timeout = config
            .request_timeout
            .min(left.max(Duration::from_millis(1)));
    }
    let client = by_deadline(
        deadline,
        args.timeout,
        "/ws",
        args.server.connect_with(config),
    )
    .await??;
    // Convert against the server's own catalog: values are positional over *its* widgets.
    let catalog = by_deadline(
        deadline,
        args.timeout,
        "/object_info",
        client.object_info(None),
    )
    .await?
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
        timeout: remaining(),
        ..JobOptions::default()
    };
    let bars = Progress::new(args.json, &conversion.prompt);
    let strict_refusal = args
        .strict
        .then(|| comfywire::validate::partial_acceptance(&conversion.prompt, &catalog))
        .flatten();
    let run = async {
        match strict_refusal {
            Some(refusal) => Err(refusal),
            None => {
                client
                    .run(&conversion.prompt, options, |e| bars.on_event(e))
                    .await
            }
        }
    };
    let result = match run.await {
        Ok(result) => result,
        // A refusal is a result like the others here: explained, in --json, exit 1.
        Err(comfywire::Error::PromptRejected {
            error, node_errors, ..
        }) => comfywire::protocol::JobResult {
            prompt_id: String::new(),
            outcome: Outcome::Rejected {
                error: *error,
                node_errors: *node_errors,
            },
            outputs: Default::default(),
            dropped: None,
            server_stop: Default::default(),
        },
        Err(e) => return Err(e.into()),
    };
    bars.finish(&result.outcome);
    explain_outcome(&result, args.timeout, args.verbose);
    if let Some(dropped) = &result.dropped {
        eprintln!(
            "warning: the server dropped output(s) {} that failed validation and ran the rest (--strict refuses such a prompt):",
            result.dropped_outputs().join(", ")
        );
        let dropped = serde_json::Value::Object((**dropped).clone());
        for line in
            comfywire::protocol::explain::rejection_lines(&serde_json::Value::Null, &dropped)
        {
            eprintln!("  {line}");
        }
    }

    let files = response::output_files(&result.outputs);
    let out_dir = args.out.clone().or_else(|| {
        emulator.as_ref().map(|_| {
            let dir = PathBuf::from("comfywire-out");
            eprintln!(
                "the bundled emulator stops with this command: its outputs go to {}/ (choose with --out)",
                dir.display()
            );
            dir
        })
    });
    let mut saved = Vec::new();
    let mut not_saved = Vec::new();
    if let Some(dir) = &out_dir {
        for f in &files {
            let outcome = match crate::save::local_path(dir, &f.file) {
                Ok((path, renamed)) => {
                    if let Some(warning) = &renamed {
                        eprintln!("warning: node #{}: {warning}", f.node_id);
                    }
                    match client.view(&f.file).await {
                        Ok(bytes) => crate::save::write(
                            dir,
                            &path,
                            &bytes,
                            args.overwrite,
                            renamed.is_some(),
                        ),
                        Err(e) => Err(format!("cannot download it: {e}")),
                    }
                }
                Err(why) => Err(why),
            };
            match outcome {
                Ok(path) => saved.push(path),
                Err(why) => {
                    let name = output_name(&f.file);
                    eprintln!("comfywire: not saved: node #{} {name}: {why}", f.node_id);
                    not_saved.push(
                        serde_json::json!({"nodeId": f.node_id, "file": name, "reason": why}),
                    );
                }
            }
        }
    }
    let urls: Vec<String> = files
        .iter()
        .map(|f| {
            comfywire::protocol::secrets::redact_url(&client.endpoint().view(&f.file, None).url)
        })
        .collect();
    client.close();
    let emulated = emulator.is_some();
    drop(emulator);
    if args.json {
        let mut out = serde_json::json!({
            "promptId": result.prompt_id,
            "status": result.outcome.code(),
            "outputs": result.outputs,
            "saved": saved.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "notSaved": not_saved,
        });
        if !emulated {
            out["urls"] = serde_json::json!(urls);
        }
        if let Some(stop) = result.server_stop.code() {
            out["serverStop"] = serde_json::json!(stop);
        }
        if let Some(dropped) = &result.dropped {
            out["droppedOutputs"] = serde_json::json!(result.dropped_outputs());
            out["nodeErrors"] = serde_json::Value::Object((**dropped).clone());
        }
        match &result.outcome {
            Outcome::Failed { error } => out["error"] = error.clone(),
            Outcome::Interrupted { data } => out["error"] = data.clone(),
            Outcome::Rejected { error, node_errors } => {
                out["rejection"] = serde_json::json!({"error": error, "node_errors": node_errors});
            }
            _ => {}
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        if !emulated {
            for (f, url) in files.iter().zip(&urls) {
                println!("{}\t{url}", f.node_id);
            }
        }
        for p in &saved {
            println!("saved {}", p.display());
        }
    }
    Ok(
        if result.outcome == Outcome::Success && not_saved.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// `subfolder/filename` as the server names an output.
/// The server's name of an output, safe to print (control characters escaped).
fn output_name(file: &FileRef) -> String {
    crate::save::printable(&if file.subfolder.is_empty() {
        file.filename.clone()
    } else {
        format!("{}/{}", file.subfolder, file.filename)
    })
}

/// Says on stderr, TTY or not, why a job did not succeed: the node and exception of an
/// execution error, each node error of a rejection, whether the server stopped a timed-out job.
fn explain_outcome(result: &comfywire::protocol::JobResult, timeout: Option<u64>, verbose: bool) {
    use comfywire::protocol::{ServerStop, explain};
    match &result.outcome {
        Outcome::Success => {}
        Outcome::Failed { error } => {
            eprintln!("comfywire: job {} failed", result.prompt_id);
            for line in explain::execution_error_lines(error, verbose) {
                eprintln!("{line}");
            }
        }
        Outcome::Rejected { error, node_errors } => {
            if error.get("type").and_then(|t| t.as_str()) == Some("partial_acceptance") {
                eprintln!("comfywire: not submitted (--strict): the server would drop outputs");
            } else {
                eprintln!("comfywire: the server refused the prompt");
            }
            for line in explain::rejection_lines(error, node_errors) {
                eprintln!("{line}");
            }
        }
        Outcome::Interrupted { .. } => {
            eprintln!(
                "comfywire: job {} was interrupted on the server",
                result.prompt_id
            )
        }
        Outcome::Cancelled => eprintln!("comfywire: job {} was cancelled", result.prompt_id),
        Outcome::Lost => eprintln!(
            "comfywire: job {} was lost: the server went away or forgot it (JOB_LOST)",
            result.prompt_id
        ),
        Outcome::TimedOut => {
            let secs = timeout.unwrap_or_default();
            match result.server_stop {
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
    }
}

fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// Progress on stderr: bars on a terminal (the queue position, the whole job, the node), plain
/// lines otherwise (one per node, and every 10 % of a node's steps), nothing under `--json`.
struct Progress {
    bars: Option<(ProgressBar, ProgressBar, MultiProgress)>,
    plain: bool,
    /// `#3 KSampler` (or its title) by node id.
    labels: std::collections::HashMap<String, String>,
    total: usize,
    state: std::sync::Mutex<ProgressState>,
}

#[derive(Default)]
struct ProgressState {
    /// Nodes executed or cached so far.
    done: usize,
    /// The last tenth of a node's steps printed in plain mode.
    tenth: u64,
    /// Whether "running" was said.
    running: bool,
}

impl Progress {
    fn new(quiet: bool, prompt: &comfywire::Prompt) -> Self {
        use std::io::IsTerminal;
        let labels = prompt
            .nodes
            .iter()
            .map(|(id, node)| {
                let name = node
                    .meta
                    .get("title")
                    .and_then(|t| t.as_str())
                    .or(node.class_type.as_deref())
                    .unwrap_or("?");
                (id.clone(), format!("#{id} {name}"))
            })
            .collect();
        let terminal = std::io::stderr().is_terminal();
        let bars = (!quiet && terminal).then(|| {
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
            (overall, node, multi)
        });
        Progress {
            bars,
            plain: !quiet && !terminal,
            labels,
            total: prompt.nodes.len().max(1),
            state: Default::default(),
        }
    }

    fn label(&self, id: &str) -> String {
        self.labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    }

    fn on_event(&self, event: &JobEvent) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // Workflows without samplers report no steps: count nodes run or cached too.
        let nodes_fraction = |done: usize| done.min(self.total) as f64 / self.total as f64;
        match event {
            JobEvent::Queued { position } if *position > 0 => {
                self.say(&format!("queued, {position} ahead"), None);
            }
            JobEvent::Queued { .. } | JobEvent::Started if !state.running => {
                state.running = true;
                self.say("running", None);
            }
            JobEvent::Cached { nodes } if !nodes.is_empty() => {
                state.done += nodes.len();
                self.say(
                    &format!("{} node(s) cached", nodes.len()),
                    Some(nodes_fraction(state.done)),
                );
            }
            JobEvent::NodeStarted { node: id } => {
                state.done += 1;
                state.tenth = 0;
                let label = self.label(id);
                if let Some((overall, node, _)) = &self.bars {
                    node.set_length(1);
                    node.set_position(0);
                    node.set_message(label.clone());
                    let fraction = nodes_fraction(state.done.saturating_sub(1));
                    overall.set_position(overall.position().max((fraction * 1000.0) as u64));
                }
                if self.plain {
                    eprintln!("running {label}");
                }
            }
            JobEvent::Progress {
                node: id,
                value,
                max,
                overall: fraction,
            } => {
                if let Some((overall, node, _)) = &self.bars {
                    node.set_length(max.max(1.0) as u64);
                    node.set_position(*value as u64);
                    overall.set_position(overall.position().max((fraction * 1000.0) as u64));
                }
                let tenth = (value / max.max(1.0) * 10.0).floor() as u64;
                if self.plain && tenth > state.tenth {
                    state.tenth = tenth;
                    let label = id.as_deref().map(|i| self.label(i)).unwrap_or_default();
                    eprintln!("  {label} step {value}/{max}");
                }
            }
            _ => {}
        }
    }

    fn say(&self, message: &str, fraction: Option<f64>) {
        if let Some((overall, _, _)) = &self.bars {
            overall.set_message(message.to_string());
            if let Some(f) = fraction {
                overall.set_position(overall.position().max((f * 1000.0) as u64));
            }
        }
        if self.plain {
            eprintln!("{message}");
        }
    }

    fn finish(&self, outcome: &Outcome) {
        if let Some((overall, node, _)) = &self.bars {
            node.finish_and_clear();
            if *outcome == Outcome::Success {
                overall.set_position(1000);
            }
            overall.finish_with_message(outcome.code().to_lowercase());
        }
        if self.plain {
            eprintln!("{}", outcome.code().to_lowercase());
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
    let mut entries = client
        .history(args.prompt_id.as_deref(), Some(args.max_items))
        .await?;
    // Asked for one prompt, show that one only, whatever else the server sends.
    if let Some(id) = &args.prompt_id {
        entries.retain(|e| &e.prompt_id == id);
    }
    if let (Some(id), true) = (&args.prompt_id, entries.is_empty()) {
        eprintln!("comfywire: no such prompt in the server's history: {id}");
        return Ok(ExitCode::from(1));
    }
    for entry in entries {
        let files = response::output_files(&entry.outputs).len();
        println!(
            "{}\t{}\t{} file(s)",
            crate::save::printable(&entry.prompt_id),
            crate::save::printable(&entry.status_str),
            files
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
    /// One class (default: every class).
    class: Option<String>,
    /// Print the server's JSON answer as it sent it (default: one line per class, name and title).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    server: ServerArgs,
}

pub(crate) async fn object_info(args: ObjectInfoArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.connect_required().await?;
    if args.json {
        let answer = client.object_info_json(args.class.as_deref()).await?;
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    let catalog = client.object_info(args.class.as_deref()).await?;
    for def in catalog.iter() {
        println!("{}\t{}", def.name, def.title());
    }
    Ok(ExitCode::SUCCESS)
}
