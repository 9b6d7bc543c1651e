//! `comfywire-emulator`: prints its base URL as the first line of stdout, then serves until
//! interrupted (or until stdin closes, with `--exit-on-stdin-close`, so a parent that dies does
//! not leave it running). Logs go to stderr: a parent may stop reading stdout after the URL.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;
use comfywire_emulator::{Emulator, EmulatorConfig, Faults, parse_duration_flag};

/// A ComfyUI 0.3.64 server emulator for tests (HTTP + WebSocket, fault injection).
///
/// Knobs can also be changed while running: `POST /_emulator/config` with a JSON object of
/// the same settings (`node_ms`, `node_durations`, `steps`, `previews`, `instant_finish`,
/// `ws_drop_mid_job`, `execution_error`, `slow_history_ms`, `prompt_500`, `garbage_ws_frames`,
/// `forbidden`), `POST /_emulator/reset` (back to these flags), `POST /_emulator/restart`.
#[derive(Debug, Parser)]
#[command(name = "comfywire-emulator", version)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8188)]
    port: u16,
    /// Loopback address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Answer with CORS headers (`*` or the given origin) instead of checking Origin.
    #[arg(long, value_name = "ORIGIN", num_args = 0..=1, default_missing_value = "*")]
    enable_cors_header: Option<String>,
    /// Serve and validate against this GET /object_info document instead of ComfyUI 0.3.64's.
    #[arg(long, value_name = "FILE")]
    object_info: Option<PathBuf>,
    /// Folder for input/, output/, temp/ (default: a temporary folder removed on exit).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Create an empty model file so loaders accept its name, e.g.
    /// `checkpoints/v1-5-pruned-emaonly.safetensors` (repeatable).
    #[arg(long = "model", value_name = "FOLDER/NAME")]
    models: Vec<String>,
    /// Also create every model file this workflow or prompt loads (JSON, or a PNG ComfyUI wrote).
    #[arg(long, value_name = "FILE")]
    models_for: Option<PathBuf>,
    /// Exit when stdin reaches end of file.
    #[arg(long)]
    exit_on_stdin_close: bool,
    /// Milliseconds each executed node takes.
    #[arg(long, value_name = "N", default_value_t = 20)]
    node_ms: u64,
    /// Milliseconds for one class type or node id, e.g. `KSampler=500` (repeatable).
    #[arg(long = "node-duration", value_name = "CLASS_OR_ID=MS", value_parser = parse_duration_flag)]
    node_durations: Vec<(String, u64)>,
    /// Progress steps every sampler reports (default: its own `steps` input).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    steps: Option<u64>,
    /// Samplers send no preview images.
    #[arg(long)]
    no_previews: bool,
    /// POST /prompt answers only after the job has finished.
    #[arg(long)]
    instant_finish: bool,
    /// Close every WebSocket after a job's first progress message.
    #[arg(long)]
    ws_drop_mid_job: bool,
    /// Make nodes of this class type (`*`: any) raise at execution.
    #[arg(long, value_name = "CLASS")]
    execution_error: Option<String>,
    /// Delay GET /history answers by this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    slow_history_ms: u64,
    /// POST /prompt answers 500.
    #[arg(long)]
    prompt_500: bool,
    /// Send a malformed text frame and an unknown binary frame before each job's events.
    #[arg(long)]
    garbage_ws_frames: bool,
    /// Answer 403 to everything but /_emulator/*.
    #[arg(long)]
    forbidden: bool,
}

impl Args {
    fn config(mut self) -> anyhow::Result<(EmulatorConfig, bool)> {
        if let Some(path) = &self.models_for {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let prompt = comfywire::Document::from_bytes(&bytes)?
                .into_prompt(
                    comfywire::Catalog::embedded(),
                    &comfywire::ConvertOptions::default(),
                )?
                .prompt;
            self.models
                .extend(comfywire_emulator::models_needed(&prompt));
        }
        let faults = Faults {
            node_ms: self.node_ms,
            node_durations: self.node_durations.into_iter().collect(),
            steps: self.steps,
            previews: !self.no_previews,
            instant_finish: self.instant_finish,
            ws_drop_mid_job: self.ws_drop_mid_job,
            execution_error: self.execution_error,
            slow_history_ms: self.slow_history_ms,
            prompt_500: self.prompt_500,
            garbage_ws_frames: self.garbage_ws_frames,
            forbidden: self.forbidden,
            redirect_object_info: None,
            reassign_prompt_id: false,
        };
        let config = EmulatorConfig {
            host: self.host,
            port: self.port,
            cors: self.enable_cors_header,
            object_info: self.object_info,
            data_dir: self.data_dir,
            models: self.models,
            faults,
        };
        Ok((config, self.exit_on_stdin_close))
    }
}

fn main() -> std::process::ExitCode {
    let (config, exit_on_stdin_close) = match Args::parse().config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("comfywire-emulator: {e:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("comfywire-emulator: cannot start a runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let bound = Emulator::bind(config).await?;
        // The first stdout line is the contract with parents (`comfywire run`); a parent that
        // has stopped reading makes later writes fail, so nothing else goes to stdout.
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{}", bound.url()).and_then(|()| out.flush());
        eprintln!(
            "comfywire-emulator: listening on {} (data in {})",
            bound.url(),
            bound.data_dir().display()
        );
        bound.serve(stop_signal(exit_on_stdin_close)).await;
        anyhow::Ok(())
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("comfywire-emulator: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, SIGTERM, or (when asked) the end of stdin.
async fn stop_signal(watch_stdin: bool) {
    let stdin_closed = async move {
        if !watch_stdin {
            return std::future::pending::<()>().await;
        }
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        // A plain thread: a blocking read would otherwise hold up the runtime's shutdown.
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 1024];
            while matches!(stdin.read(&mut buf), Ok(n) if n > 0) {}
            let _ = tx.send(());
        });
        let _ = rx.await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
        () = stdin_closed => {}
    }
}
