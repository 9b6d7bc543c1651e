//! A ComfyUI 0.3.64 server emulator for tests.
//!
//! It answers like the real server as `tests/fixtures/captures` recorded it: both route prefixes,
//! the origin check (or CORS mode), `POST /prompt` validation by the core's validator, the queue
//! as a Python heap, history entries, the WebSocket message sequences (status with `sid`,
//! feature flags, execution events, progress, binary previews and text), uploads with renaming
//! and `/view`. Nodes do not compute pictures: outputs are small solid-colour PNGs with the
//! server's names and metadata. Knobs ([`Faults`]) make it slow, fast, broken or forgetful on
//! purpose, from flags or at runtime with `POST /_emulator/config`.
//!
//! Where clients can tell, it was compared with a running 0.3.64 (BENCHMARKS.md): answers made
//! from raised aiohttp errors (405, 500, a plain GET of `/ws`) carry no CORS headers; only a
//! JSON object counts as the socket's first message; `/view` converts `preview=` and `channel=`;
//! tracebacks have the server's frames; the training loaders list `input/`'s folders. Known
//! differences: `/view` converts PNG files only (others are sent as stored) and its WebP is
//! lossless.
//!
//! In-process use (each test gets its own server on a free port, stopped on drop):
//!
//! ```no_run
//! use comfywire_emulator::{Emulator, EmulatorConfig};
//! let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
//! println!("{}", emulator.url());
//! emulator.update_faults(|f| f.instant_finish = true);
//! ```

mod exec;
mod faults;
mod files;
mod image;
mod models;
mod nodes;
mod pyjson;
mod queue;
mod routes;
mod state;
mod submit;
mod view;
mod ws;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::{Context, bail};
use comfywire::Catalog;
use serde_json::Value;

pub use faults::{Faults, parse_duration_flag};
pub use models::models_needed;
pub use pyjson::dumps as python_json;
use state::Shared;

/// The catalog the core embeds, as raw JSON (served by `GET /object_info`).
const EMBEDDED_OBJECT_INFO: &str = include_str!("../../../core/catalog/object_info.json");

/// How to start an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// A loopback address (the emulator refuses others).
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// `Some(origin)`: `--enable-cors-header` mode (`"*"` by default), no origin check.
    pub cors: Option<String>,
    /// A `GET /object_info` document to serve and validate against, instead of the embedded one.
    pub object_info: Option<PathBuf>,
    /// Where `input/`, `output/`, `temp/`, `models/` live. `None`: a temporary folder, removed
    /// on exit.
    pub data_dir: Option<PathBuf>,
    /// Model files to create (empty) at start, as `folder/name`: `checkpoints/v1-5.safetensors`.
    /// Loader combos list `models/<folder>` like the server's, so only these names validate.
    pub models: Vec<String>,
    pub faults: Faults,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            cors: None,
            object_info: None,
            data_dir: None,
            models: Vec::new(),
            faults: Faults::default(),
        }
    }
}

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

/// A bound, not yet serving emulator (for binaries that run their own runtime).
#[derive(Debug)]
pub struct Bound {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    url: String,
}

impl Bound {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.dirs.root
    }

    /// Serves until `shutdown` completes, then drops every socket and removes a temporary data
    /// folder.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) {
        let shared = self.shared.clone();
        spawn_worker(&shared, &tokio::runtime::Handle::current());
        let app = routes::router(shared.clone());
        tokio::select! {
            result = axum::serve(self.listener, app) => {
                if let Err(e) = result {
                    eprintln!("comfywire-emulator: server error: {e}");
                }
            }
            () = shutdown => {}
        }
        shared.lock().close_all_sockets();
        if let Some(worker) = shared
            .worker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            worker.abort();
        }
        shared.dirs.cleanup();
    }
}

impl Emulator {
    /// Loads the catalog, prepares the data folder and binds the port.
    pub async fn bind(config: EmulatorConfig) -> anyhow::Result<Bound> {
        if !config.host.is_loopback() {
            bail!(
                "the emulator listens on loopback addresses only, not {}",
                config.host
            );
        }
        let (catalog, object_info) = load_catalog(config.object_info.as_deref())?;
        let dirs = files::Dirs::create(config.data_dir.clone())
            .context("cannot prepare the data folder")?;
        for model in &config.models {
            dirs.add_model(model)?;
        }
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(config.host, config.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", config.host, config.port))?;
        let addr = listener.local_addr()?;
        let url = match addr.ip() {
            IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
            IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        };
        let shared = Arc::new(Shared::new(
            catalog,
            object_info,
            dirs,
            config.cors,
            config.faults,
        ));
        Ok(Bound {
            listener,
            shared,
            url,
        })
    }

    /// Starts an emulator on its own thread and runtime, usable from sync and async tests.
    pub fn start(config: EmulatorConfig) -> anyhow::Result<EmulatorHandle> {
        let (started, ready) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // Everything runtime-related happens on the new thread: the caller may itself be inside
        // a runtime, where blocking on another one is not allowed.
        let thread = std::thread::Builder::new()
            .name("comfywire-emulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = started.send(Err(anyhow::Error::from(e)));
                        return;
                    }
                };
                let bound = match runtime.block_on(Emulator::bind(config)) {
                    Ok(b) => b,
                    Err(e) => {
                        let _ = started.send(Err(e));
                        return;
                    }
                };
                let info = (
                    bound.url.clone(),
                    bound.shared.clone(),
                    runtime.handle().clone(),
                );
                let _ = started.send(Ok(info));
                runtime.block_on(bound.serve(async {
                    let _ = stopped.await;
                }));
                runtime.shutdown_timeout(std::time::Duration::from_millis(500));
            })?;
        let (url, shared, runtime) = ready
            .recv()
            .context("the emulator thread ended before starting")??;
        Ok(EmulatorHandle {
            url,
            shared,
            runtime,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A running in-process emulator; dropping it stops the server and removes its temporary folder.
#[derive(Debug)]
pub struct EmulatorHandle {
    url: String,
    shared: Arc<Shared>,
    runtime: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `ws://127.0.0.1:PORT/ws?clientId=...`
    pub fn ws_url(&self, client_id: &str) -> String {
        format!(
            "{}/ws?clientId={client_id}",
            self.url.replacen("http", "ws", 1)
        )
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.dirs.root
    }

    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces every knob.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }

    /// Changes some knobs.
    pub fn update_faults(&self, change: impl FnOnce(&mut Faults)) {
        change(&mut self.shared.lock().faults);
    }

    /// Like `POST /_emulator/config`: a JSON merge of knobs.
    pub fn merge_faults(&self, patch: &Value) -> Result<(), String> {
        self.shared.lock().faults.merge(patch)
    }

    /// Simulates a server restart (see `POST /_emulator/restart`).
    pub fn restart(&self) {
        restart(&self.shared, &self.runtime);
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.shared.dirs.cleanup();
    }
}

fn load_catalog(path: Option<&Path>) -> anyhow::Result<(Catalog, Value)> {
    let (text, name) = match path {
        None => (
            EMBEDDED_OBJECT_INFO.to_string(),
            "the embedded catalog".to_string(),
        ),
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    let value: Value =
        serde_json::from_str(&text).with_context(|| format!("{name} is not JSON"))?;
    let catalog = match path {
        None => Catalog::embedded().clone(),
        Some(_) => Catalog::from_value(&value)
            .with_context(|| format!("{name} is not an /object_info document"))?,
    };
    Ok((catalog, value))
}

fn spawn_worker(shared: &Arc<Shared>, runtime: &tokio::runtime::Handle) {
    let task = runtime.spawn(exec::worker(shared.clone()));
    *shared.worker.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
}

/// A server restart as clients see it: the queue, the running job, history, the cache and the
/// counter are gone, every socket drops, `temp/` is emptied; files in `input/` and `output/`
/// stay. Knobs stay as they are.
fn restart(shared: &Arc<Shared>, runtime: &tokio::runtime::Handle) {
    {
        let mut st = shared.lock();
        // Under the lock: the running job checks the epoch under it before every effect.
        shared.epoch.fetch_add(1, Ordering::SeqCst);
        if let Some(worker) = shared
            .worker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            worker.abort();
        }
        st.close_all_sockets();
        st.queue.clear();
        st.running = None;
        st.history.clear();
        st.cache.clear();
        st.counter = 0;
        st.free_pending = false;
        st.waiters.clear();
    }
    shared.interrupt.store(false, Ordering::SeqCst);
    shared.dirs.wipe_temp();
    spawn_worker(shared, runtime);
}
