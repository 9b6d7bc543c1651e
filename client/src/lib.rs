//! The native comfywire client: the core's [`Session`] driven over reqwest (rustls) and
//! tokio-tungstenite. This crate moves bytes, keeps the clock and supplies randomness; every
//! decision (requests, job state, event buffering, reconnects, giving up, closing) is the
//! session's, shared with the WebAssembly build.
//!
//! One client owns one WebSocket (its `client_id`), opened before any job is submitted; jobs
//! are followed before they are queued, so a job that finishes before `POST /prompt` returns
//! is still seen.

mod hosted;
mod http;
mod pool;
mod socket;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comfywire::protocol::{
    Endpoint, FileRef, HistoryEntry, JobEvent, JobResult, NextEvent, PromptAccepted, QueueOptions,
    QueueState, ServerMessage, Session, SessionConfig, UploadKind, response, uuid_v4,
};
use comfywire::{Catalog, Error, Prompt};
use serde_json::Value;
use tokio::sync::Notify;

pub use hosted::{HostedClient, HostedConfig};
pub use http::MAX_BODY_BYTES;
pub use pool::{JobUpload, Pool};

/// How to reach a server and how patient to be with it. `Debug` hides the credentials.
#[derive(Clone)]
pub struct ClientConfig {
    /// `http://127.0.0.1:8188`, `https://host/comfy/`…
    pub server: String,
    /// Defaults to a random id.
    pub client_id: Option<String>,
    /// Use `/api/...` routes.
    pub api_prefix: bool,
    pub bearer: Option<String>,
    pub basic: Option<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// Sent as `?token=` on the WebSocket URL (gateways that cannot read headers there).
    pub ws_token: Option<String>,
    pub request_timeout: Duration,
    /// Ask the history about a job the socket has been silent about this long.
    pub silence: Duration,
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// A socket down this long ends every open job as `JOB_LOST` (the server is gone).
    pub reconnect_window: Duration,
}

/// Shown as the core's connect options, whose `Debug` hides the credentials.
impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.options().fmt(f)
    }
}

impl ClientConfig {
    pub fn new(server: &str) -> Self {
        ClientConfig {
            server: server.to_string(),
            client_id: None,
            api_prefix: false,
            bearer: None,
            basic: None,
            headers: Vec::new(),
            ws_token: None,
            request_timeout: Duration::from_secs(30),
            silence: Duration::from_secs(15),
            reconnect_min: Duration::from_millis(200),
            reconnect_max: Duration::from_secs(10),
            reconnect_window: Duration::from_secs(60),
        }
    }
}

impl ClientConfig {
    /// The same configuration as the core's connect options, which make the endpoint and the
    /// session's timing.
    fn options(&self) -> comfywire::js::ConnectOptions {
        let millis = |d: Duration| d.as_millis().min(u128::from(u64::MAX)) as u64;
        comfywire::js::ConnectOptions {
            server: self.server.clone(),
            client_id: self.client_id.clone(),
            api_prefix: self.api_prefix,
            bearer: self.bearer.clone(),
            basic: self.basic.clone(),
            headers: self.headers.clone(),
            ws_token: self.ws_token.clone(),
            request_timeout_ms: millis(self.request_timeout),
            session: SessionConfig {
                silence_ms: millis(self.silence),
                reconnect_min_ms: millis(self.reconnect_min),
                reconnect_max_ms: millis(self.reconnect_max),
                reconnect_window_ms: millis(self.reconnect_window),
                ..SessionConfig::default()
            },
        }
    }

    /// The configuration the JavaScript `connect` options describe (read by the core).
    pub fn from_options(o: comfywire::js::ConnectOptions) -> Self {
        let ms = Duration::from_millis;
        ClientConfig {
            server: o.server,
            client_id: o.client_id,
            api_prefix: o.api_prefix,
            bearer: o.bearer,
            basic: o.basic,
            headers: o.headers,
            ws_token: o.ws_token,
            request_timeout: ms(o.request_timeout_ms),
            silence: ms(o.session.silence_ms),
            reconnect_min: ms(o.session.reconnect_min_ms),
            reconnect_max: ms(o.session.reconnect_max_ms),
            reconnect_window: ms(o.session.reconnect_window_ms),
        }
    }
}

/// Options of one job.
#[derive(Debug, Clone, Default)]
pub struct JobOptions {
    pub queue: QueueOptions,
    /// Give up (and cancel the job on the server) after this long.
    pub timeout: Option<Duration>,
}

pub(crate) struct Inner {
    endpoint: Endpoint,
    http: http::Http,
    config: ClientConfig,
    started: Instant,
    session: Mutex<Session>,
    /// Wakes job and message readers: the session may have something for them.
    changed: Notify,
    /// Wakes the driver: the session may want to send, connect, or sleep less.
    kick: Notify,
    /// How often the driver woke for a deadline (an idle client must not).
    timer_wakeups: AtomicU64,
}

/// A connected client. Cheap to clone; all clones share one socket.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server", &self.inner.config.server)
            .field("client_id", &self.inner.endpoint.client_id())
            .finish()
    }
}

/// A submitted job: its events as they happen, and its result.
#[derive(Debug)]
pub struct Job {
    pub prompt_id: String,
    client: Client,
}

impl Job {
    /// The next event; `None` after [`JobEvent::Finished`].
    pub async fn next(&mut self) -> Option<JobEvent> {
        let inner = &self.client.inner;
        inner
            .wait_for(|session| match session.next_event(&self.prompt_id) {
                NextEvent::Event(event) => Some(Some(event)),
                NextEvent::End => Some(None),
                NextEvent::Pending => None,
            })
            .await
    }

    /// Waits for the end, calling `on_event` for every event before it.
    pub async fn wait_with(mut self, mut on_event: impl FnMut(&JobEvent)) -> JobResult {
        while let Some(event) = self.next().await {
            on_event(&event);
            if let JobEvent::Finished(result) = event {
                return result;
            }
        }
        // Not reached: the session ends every job it hands out with `finished`.
        JobResult::lost(&self.prompt_id)
    }

    pub async fn wait(self) -> JobResult {
        self.wait_with(|_| {}).await
    }

    /// Cancels this job (and no other): interrupt if it runs, dequeue if it waits.
    pub async fn cancel(&self) -> Result<(), Error> {
        self.client.cancel(&self.prompt_id).await
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.client.inner.lock().release(&self.prompt_id);
    }
}

/// Server messages from the moment [`Client::messages`] was called.
#[derive(Debug)]
pub struct Messages {
    client: Client,
}

impl Messages {
    /// The next message; `None` once the client is closed.
    pub async fn next(&mut self) -> Option<ServerMessage> {
        self.client
            .inner
            .wait_for(|session| match session.next_message() {
                Some(message) => Some(Some(message)),
                None if session.is_closed() => Some(None),
                None => None,
            })
            .await
    }
}

/// A fresh random id (UUID v4 form), for client and prompt ids.
pub fn random_id() -> String {
    uuid_v4(rand::random())
}

impl Client {
    /// Connects: opens the WebSocket (negotiating previews with metadata) and starts following
    /// the server. Fails if the socket cannot be opened once.
    pub async fn connect(config: ClientConfig) -> Result<Client, Error> {
        let client_id = config.client_id.clone().unwrap_or_else(random_id);
        let options = config.options();
        let endpoint = options.endpoint(&client_id)?;
        let session = Session::new(endpoint.clone(), options.session);
        let inner = Arc::new(Inner {
            http: http::Http::new(config.request_timeout)?,
            endpoint,
            config,
            started: Instant::now(),
            session: Mutex::new(session),
            changed: Notify::new(),
            kick: Notify::new(),
            timer_wakeups: AtomicU64::new(0),
        });
        let (socket, first) = socket::open(&inner).await?;
        inner.with_session(|s, now| s.socket_opened(now, first.as_ref().and_then(socket::frame)));
        tokio::spawn(socket::drive(inner.clone(), socket));
        Ok(Client { inner })
    }

    /// `GET /object_info` of the server `config` names, without opening a socket (for tools that
    /// only validate or list parameters against the server's catalog).
    pub async fn fetch_catalog(config: &ClientConfig) -> Result<Catalog, Error> {
        let endpoint = config.options().endpoint(&random_id())?;
        let http = http::Http::new(config.request_timeout)?;
        response::object_info_response(&http.send(&endpoint.object_info(None), None).await?)
    }

    pub fn client_id(&self) -> &str {
        self.inner.endpoint.client_id()
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Every server message as decoded (status, progress, previews…) from now on, for
    /// callers who want the raw stream. One reader: the session keeps the newest 1024 unread.
    pub fn messages(&self) -> Messages {
        self.inner.lock().watch_messages();
        Messages {
            client: self.clone(),
        }
    }

    /// Resolves once [`Client::close`] was called (at once if it already was).
    pub async fn closed(&self) {
        self.inner.wait_for(|s| s.is_closed().then_some(())).await
    }

    /// How many times the driver woke for a deadline since it connected; an idle client
    /// (no job open, socket up) sleeps until something happens.
    pub fn timer_wakeups(&self) -> u64 {
        self.inner.timer_wakeups.load(Ordering::Relaxed)
    }

    /// Stops the socket and timers; jobs still being followed end as `JOB_LOST`.
    pub fn close(&self) {
        self.inner.with_session(|s, _| s.close());
    }

    /// Sends a request the core built (for example from [`Client::endpoint`]) and returns the
    /// raw answer, for routes this type has no method for; parse it with `protocol::response`.
    pub async fn send(
        &self,
        request: &comfywire::protocol::HttpRequest,
    ) -> Result<comfywire::protocol::HttpResponse, Error> {
        self.inner.http.send(request, None).await
    }

    /// Queues a prompt and follows it. A prompt the server refuses fails with
    /// [`Error::PromptRejected`].
    pub async fn submit(&self, prompt: &Prompt, options: JobOptions) -> Result<Job, Error> {
        let inner = &self.inner;
        let timeout_ms = options.timeout.map(|t| t.as_millis() as u64);
        let (prompt_id, request) = inner.with_session(|s, now| {
            s.begin_submit(prompt, &options.queue, timeout_ms, now, rand::random())
        })?;
        let answer = self.send(&request).await;
        inner.with_session(|s, now| s.end_submit(&prompt_id, answer, now))?;
        Ok(Job {
            prompt_id,
            client: self.clone(),
        })
    }

    /// Queues a prompt, follows it to the end and returns what it produced.
    pub async fn run(
        &self,
        prompt: &Prompt,
        options: JobOptions,
        on_event: impl FnMut(&JobEvent),
    ) -> Result<JobResult, Error> {
        Ok(self
            .submit(prompt, options)
            .await?
            .wait_with(on_event)
            .await)
    }

    /// `POST /prompt` only, without following the job.
    pub async fn queue_prompt(
        &self,
        prompt: &Prompt,
        options: &QueueOptions,
    ) -> Result<PromptAccepted, Error> {
        response::prompt_response(
            &self
                .send(&self.inner.endpoint.queue_prompt(prompt, options))
                .await?,
        )
    }

    /// Cancels one of this client's jobs without touching anyone else's.
    pub async fn cancel(&self, prompt_id: &str) -> Result<(), Error> {
        let requests = self.inner.with_session(|s, _| s.cancel(prompt_id));
        for request in requests {
            response::expect_ok(request.route, &self.send(&request).await?)?;
        }
        self.inner.with_session(|s, _| s.cancel_sent(prompt_id));
        Ok(())
    }

    pub async fn history(
        &self,
        prompt_id: Option<&str>,
        max_items: Option<u32>,
    ) -> Result<Vec<HistoryEntry>, Error> {
        response::history_response(
            &self
                .send(&self.inner.endpoint.history(prompt_id, max_items, None))
                .await?,
        )
    }

    pub async fn queue(&self) -> Result<QueueState, Error> {
        response::queue_response(&self.send(&self.inner.endpoint.queue()).await?)
    }

    /// `POST /interrupt` as given (`None` interrupts whatever runs — prefer [`Client::cancel`]).
    pub async fn interrupt(&self, prompt_id: Option<&str>) -> Result<(), Error> {
        response::expect_ok(
            "/interrupt",
            &self.send(&self.inner.endpoint.interrupt(prompt_id)).await?,
        )
    }

    pub async fn free(&self, unload_models: bool, free_memory: bool) -> Result<(), Error> {
        response::expect_ok(
            "/free",
            &self
                .send(&self.inner.endpoint.free(unload_models, free_memory))
                .await?,
        )
    }

    pub async fn object_info(&self, class_type: Option<&str>) -> Result<Catalog, Error> {
        response::object_info_response(
            &self
                .send(&self.inner.endpoint.object_info(class_type))
                .await?,
        )
    }

    /// The `/object_info` answer as JSON (exact numbers, the server's key order).
    pub async fn object_info_json(&self, class_type: Option<&str>) -> Result<Value, Error> {
        response::json_body(
            "/object_info",
            &self
                .send(&self.inner.endpoint.object_info(class_type))
                .await?,
        )
    }

    pub async fn system_stats(&self) -> Result<Value, Error> {
        response::json_body(
            "/system_stats",
            &self.send(&self.inner.endpoint.system_stats()).await?,
        )
    }

    /// Uploads an input file; the server may rename it — use the returned reference.
    pub async fn upload(
        &self,
        kind: &UploadKind,
        file_name: &str,
        data: Vec<u8>,
        subfolder: &str,
        overwrite: bool,
    ) -> Result<FileRef, Error> {
        let request = self
            .inner
            .endpoint
            .upload(kind, file_name, data, subfolder, "input", overwrite);
        response::upload_response(&self.send(&request).await?)
    }

    /// Downloads an output (or input/temp) file.
    pub async fn view(&self, file: &FileRef) -> Result<Vec<u8>, Error> {
        let resp = self.send(&self.inner.endpoint.view(file, None)).await?;
        response::expect_ok("/view", &resp)?;
        Ok(resp.body)
    }
}

impl Inner {
    fn now(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        // A panic elsewhere while holding the lock leaves a session that is still consistent
        // between calls, so a poisoned lock is used anyway.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the session, then wakes the driver and every reader: what `f` changed may
    /// be a request to send, a new deadline, or an event.
    pub(crate) fn with_session<T>(&self, f: impl FnOnce(&mut Session, u64) -> T) -> T {
        let out = self.update(f);
        self.kick.notify_one();
        out
    }

    /// [`Inner::with_session`] for the driver itself, which must not wake itself up.
    pub(crate) fn update<T>(&self, f: impl FnOnce(&mut Session, u64) -> T) -> T {
        let out = f(&mut self.lock(), self.now());
        self.changed.notify_waiters();
        out
    }

    /// Waits until `check` finds something in the session.
    async fn wait_for<T>(&self, mut check: impl FnMut(&mut Session) -> Option<T>) -> T {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(found) = check(&mut self.lock()) {
                return found;
            }
            changed.await;
        }
    }
}
