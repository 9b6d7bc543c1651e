//! Everything the emulator remembers, in one struct behind one mutex, and the socket registry
//! messages go through.
//!
//! The lock is never held across an `.await`: handlers and the worker take it, change or read,
//! and drop it. Sending to a socket is a non-blocking `try_send` into that socket's bounded
//! channel, so it is safe under the lock; a socket that cannot keep up is closed rather than
//! allowed to grow memory without bound.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use comfywire::Catalog;
use indexmap::IndexMap;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};

use crate::exec::Cache;
use crate::faults::Faults;
use crate::files::Dirs;
use crate::models::ValidationCatalog;
use crate::pyjson;
use crate::queue::{Client, Heap, QueueItem};

/// Messages waiting for one socket. Enough for a long sampler run sent in one burst.
pub const SOCKET_CHANNEL: usize = 4096;

/// The server keeps at most this many history entries (oldest dropped first).
pub const MAX_HISTORY: usize = 10_000;

/// The largest request body, as `GET /features` announces (100 MiB).
pub const MAX_UPLOAD_SIZE: usize = 104_857_600;

/// One frame for a socket.
#[derive(Debug)]
pub enum Out {
    Text(String),
    Binary(Vec<u8>),
}

/// A connected socket, by client id.
#[derive(Debug)]
pub struct SocketEntry {
    /// Distinguishes two sockets opened with the same client id.
    pub conn: u64,
    pub tx: mpsc::Sender<Out>,
    /// Notified to drop the connection (restart, injected drop, overflow).
    pub kill: Arc<Notify>,
    /// The client's first message negotiated `supports_preview_metadata: true`.
    pub preview_metadata: bool,
}

/// The job being executed.
#[derive(Debug)]
pub struct Running {
    pub item: QueueItem,
    /// The node last announced with `executing` (a reconnecting client is told it).
    pub node: Option<String>,
}

/// The emulator's whole mutable state.
#[derive(Debug, Default)]
pub struct State {
    pub faults: Faults,
    /// The server's prompt counter (`number` of the next prompt without one).
    pub counter: i64,
    pub queue: Heap,
    pub running: Option<Running>,
    pub history: IndexMap<String, Value>,
    pub sockets: HashMap<String, SocketEntry>,
    pub cache: Cache,
    /// `POST /free {"free_memory": true}` arrived while a job ran: drop the cache after it.
    pub free_pending: bool,
    /// `POST /prompt` calls waiting for their job to end (instant finish), by submission.
    pub waiters: HashMap<u64, oneshot::Sender<()>>,
    pub next_seq: u64,
}

/// What handlers and the worker share.
#[derive(Debug)]
pub struct Shared {
    state: Mutex<State>,
    /// Wakes the worker when something is queued.
    pub queue_changed: Notify,
    /// Set by `POST /interrupt`; checked before each node and at each progress step.
    pub interrupt: AtomicBool,
    /// Bumped by a restart: a job of an older epoch must not touch the new state.
    pub epoch: AtomicU64,
    next_conn: AtomicU64,
    /// The catalog as loaded, and as validation sees it with the current model files.
    pub catalogs: ValidationCatalog,
    /// The raw `/object_info` document (served with the current file listings).
    pub object_info: Value,
    pub dirs: Dirs,
    /// `Some(origin)` in `--enable-cors-header` mode.
    pub cors: Option<String>,
    /// The knobs given at start; `POST /_emulator/reset` goes back to them.
    pub initial_faults: Faults,
    /// The worker task, aborted by a restart.
    pub worker: Mutex<Option<tokio::task::AbortHandle>>,
}

impl Shared {
    pub fn new(
        catalog: Catalog,
        object_info: Value,
        dirs: Dirs,
        cors: Option<String>,
        faults: Faults,
    ) -> Shared {
        Shared {
            state: Mutex::new(State {
                faults: faults.clone(),
                ..State::default()
            }),
            queue_changed: Notify::new(),
            interrupt: AtomicBool::new(false),
            epoch: AtomicU64::new(0),
            next_conn: AtomicU64::new(1),
            catalogs: ValidationCatalog::new(catalog),
            object_info,
            dirs,
            cors,
            initial_faults: faults,
            worker: Mutex::new(None),
        }
    }

    /// The state. A panic while it was held (a bug) does not wedge the emulator.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The catalog as loaded (classes and output flags do not depend on files).
    pub fn catalog(&self) -> &Catalog {
        self.catalogs.base()
    }

    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn next_conn(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }
}

/// `{"type": event, "data": data}` as the server writes it.
pub fn frame(event: &str, data: Value) -> String {
    pyjson::dumps(&json!({"type": event, "data": data}))
}

impl State {
    /// `queue_remaining`: pending plus running.
    pub fn queue_remaining(&self) -> usize {
        self.queue.len() + usize::from(self.running.is_some())
    }

    pub fn status_data(&self) -> Value {
        json!({"status": {"exec_info": {"queue_remaining": self.queue_remaining()}}})
    }

    /// The `status` message every socket gets on each queue change.
    pub fn broadcast_status(&mut self) {
        let data = self.status_data();
        self.send_json("status", data, None);
    }

    /// Sends to one client id, or to every socket when `to` is `None` (the server's `sid=None`).
    /// A message for a client id with no socket is dropped, as the server does.
    pub fn send(&mut self, out: impl Fn() -> Out, to: Option<&str>) {
        let mut overflowed = Vec::new();
        match to {
            Some(sid) => {
                if let Some(entry) = self.sockets.get(sid)
                    && entry.tx.try_send(out()).is_err()
                {
                    overflowed.push(sid.to_string());
                }
            }
            None => {
                for (sid, entry) in &self.sockets {
                    if entry.tx.try_send(out()).is_err() {
                        overflowed.push(sid.clone());
                    }
                }
            }
        }
        // A full channel means the client stopped reading: close it rather than buffer forever
        // (it will reconnect and read history, as after any drop). A closed one is gone already.
        for sid in overflowed {
            if let Some(entry) = self.sockets.remove(&sid) {
                entry.kill.notify_one();
            }
        }
    }

    pub fn send_json(&mut self, event: &str, data: Value, to: Option<&str>) {
        let text = frame(event, data);
        self.send(|| Out::Text(text.clone()), to);
    }

    pub fn send_binary(&mut self, bytes: &[u8], to: Option<&str>) {
        self.send(|| Out::Binary(bytes.to_vec()), to);
    }

    /// Drops every socket connection (restart, injected drop).
    pub fn close_all_sockets(&mut self) {
        for (_, entry) in self.sockets.drain() {
            entry.kill.notify_one();
        }
    }

    /// Whether the prompt's client negotiated previews with metadata.
    pub fn wants_metadata(&self, client: &Client) -> bool {
        match client {
            Client::Id(sid) => self.sockets.get(sid).is_some_and(|s| s.preview_metadata),
            _ => false,
        }
    }

    /// Stores a finished job, dropping the oldest entry beyond the cap. A reused `prompt_id`
    /// overwrites its entry in place (a Python dict keeps the first insertion position).
    pub fn record_history(&mut self, prompt_id: &str, entry: Value) {
        if self.history.len() > MAX_HISTORY {
            self.history.shift_remove_index(0);
        }
        self.history.insert(prompt_id.to_string(), entry);
    }
}
