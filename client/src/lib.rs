//! The native comfywire client: the core's protocol ([`Endpoint`], [`JobTracker`]) driven over
//! reqwest (rustls) and tokio-tungstenite. This crate moves bytes and keeps time; every decision
//! about requests, responses and job state is the core's.
//!
//! One client owns one WebSocket (its `client_id`), opened before any job is submitted and
//! reopened with backoff and jitter when it drops; jobs are watched before they are queued, so
//! a job that finishes before `POST /prompt` returns is still seen.

mod hosted;
mod http;
mod pool;
mod socket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comfywire::protocol::{
    Action, CancelPlan, Endpoint, FileRef, HistoryEntry, JobEvent, JobResult, JobTracker, Outcome,
    PromptAccepted, QueueOptions, QueueState, ServerMessage, TrackerConfig, UploadKind, driver,
    response,
};
use comfywire::{Catalog, Error, Prompt};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};

pub use hosted::{HostedClient, HostedConfig};
pub use http::MAX_BODY_BYTES;
pub use pool::{JobUpload, Pool};

/// How to reach a server and how patient to be with it.
#[derive(Debug, Clone)]
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

struct State {
    tracker: JobTracker,
    subscribers: HashMap<String, mpsc::UnboundedSender<JobEvent>>,
}

pub(crate) struct Inner {
    endpoint: Endpoint,
    http: http::Http,
    config: ClientConfig,
    started: Instant,
    state: Mutex<State>,
    messages: broadcast::Sender<ServerMessage>,
    shutdown: tokio::sync::watch::Sender<bool>,
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
    events: mpsc::UnboundedReceiver<JobEvent>,
    client: Client,
}

impl Job {
    /// The next event; `None` after [`JobEvent::Finished`].
    pub async fn next(&mut self) -> Option<JobEvent> {
        self.events.recv().await
    }

    /// Waits for the end, calling `on_event` for every event before it.
    pub async fn wait_with(mut self, mut on_event: impl FnMut(&JobEvent)) -> JobResult {
        while let Some(event) = self.events.recv().await {
            on_event(&event);
            if let JobEvent::Finished(result) = event {
                return result;
            }
        }
        // The client was dropped under us: nothing more can be known.
        JobResult {
            prompt_id: self.prompt_id.clone(),
            outcome: Outcome::Lost,
            outputs: Default::default(),
        }
    }

    pub async fn wait(self) -> JobResult {
        self.wait_with(|_| {}).await
    }

    /// Cancels this job (and no other): interrupt if it runs, dequeue if it waits.
    pub async fn cancel(&self) -> Result<(), Error> {
        self.client.cancel(&self.prompt_id).await
    }
}

/// A fresh random id (UUID v4 form), for client and prompt ids.
pub fn random_id() -> String {
    let b: [u8; 16] = rand::random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let variant = format!("{:x}", 8 | (b[8] & 0x3));
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

impl Client {
    /// Connects: opens the WebSocket (negotiating previews with metadata) and starts following
    /// the server. Fails if the socket cannot be opened once.
    pub async fn connect(config: ClientConfig) -> Result<Client, Error> {
        let client_id = config.client_id.clone().unwrap_or_else(random_id);
        let mut endpoint =
            Endpoint::new(&config.server, &client_id)?.with_api_prefix(config.api_prefix);
        if let Some(token) = &config.bearer {
            endpoint = endpoint.with_bearer(token);
        }
        if let Some((user, password)) = &config.basic {
            endpoint = endpoint.with_basic(user, password);
        }
        for (name, value) in &config.headers {
            endpoint = endpoint.with_header(name, value);
        }
        if let Some(token) = &config.ws_token {
            endpoint = endpoint.with_ws_token(token);
        }
        let tracker = JobTracker::new(TrackerConfig {
            silence_ms: config.silence.as_millis() as u64,
            ..TrackerConfig::default()
        });
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let inner = Arc::new(Inner {
            http: http::Http::new(config.request_timeout)?,
            endpoint,
            config,
            started: Instant::now(),
            state: Mutex::new(State {
                tracker,
                subscribers: HashMap::new(),
            }),
            messages: broadcast::channel(1024).0,
            shutdown,
        });
        let first = socket::open(&inner).await?;
        tokio::spawn(socket::run(inner.clone(), first));
        tokio::spawn(timers(inner.clone()));
        Ok(Client { inner })
    }

    pub fn client_id(&self) -> &str {
        self.inner.endpoint.client_id()
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Every server message as decoded (status, progress, previews…), for callers who want the raw stream.
    pub fn messages(&self) -> broadcast::Receiver<ServerMessage> {
        self.inner.messages.subscribe()
    }

    /// Resolves once [`Client::close`] was called (at once if it already was): message
    /// readers use it to stop, since the message channel itself outlives the socket.
    pub async fn closed(&self) {
        let mut closing = self.inner.shutdown.subscribe();
        let _ = closing.wait_for(|closed| *closed).await;
    }

    /// Stops the socket and timers; jobs still being followed end as lost.
    pub fn close(&self) {
        let _ = self.inner.shutdown.send(true);
        self.inner
            .state
            .lock()
            .expect("state lock")
            .subscribers
            .clear();
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
        let mut queue = options.queue.clone();
        let prompt_id = queue.prompt_id.get_or_insert_with(random_id).clone();
        let (tx, rx) = mpsc::unbounded_channel();
        {
            let now = inner.now();
            let mut state = inner.state.lock().expect("state lock");
            let deadline = options.timeout.map(|t| now + t.as_millis() as u64);
            state
                .tracker
                .watch(&prompt_id, prompt.nodes.len(), now, deadline);
            state.subscribers.insert(prompt_id.clone(), tx);
        }
        let answer = self
            .send(&inner.endpoint.queue_prompt(prompt, &queue))
            .await;
        let mut failure = None;
        inner.update(|t, now| {
            let (events, result) = driver::submit_answer(t, &prompt_id, answer, now);
            failure = result.err();
            events
        });
        // A refusal (PROMPT_REJECTED, with the server's node_errors) is an error here, as in
        // the wasm transport: there is no job to follow.
        if let Some(err) = failure {
            inner
                .state
                .lock()
                .expect("state lock")
                .subscribers
                .remove(&prompt_id);
            return Err(err);
        }
        Ok(Job {
            prompt_id,
            events: rx,
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
        let plan = self
            .inner
            .state
            .lock()
            .expect("state lock")
            .tracker
            .cancel(prompt_id);
        for request in driver::cancel_requests(&self.inner.endpoint, plan, prompt_id) {
            response::expect_ok(request.route, &self.send(&request).await?)?;
        }
        if plan == CancelPlan::Dequeue {
            self.inner.update(|t, _| t.dequeued(prompt_id));
        }
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

    /// Runs `f` on the tracker, delivers the events it returns and starts the actions it asks for.
    pub(crate) fn update(
        self: &Arc<Self>,
        f: impl FnOnce(&mut JobTracker, u64) -> Vec<(String, JobEvent)>,
    ) {
        let now = self.now();
        let (actions, timed_out) = {
            let mut state = self.state.lock().expect("state lock");
            let events = f(&mut state.tracker, now);
            let mut timed_out = Vec::new();
            for (id, event) in events {
                let finished = matches!(event, JobEvent::Finished(_));
                if let JobEvent::Finished(JobResult {
                    outcome: Outcome::TimedOut,
                    ..
                }) = &event
                {
                    timed_out.push(id.clone());
                }
                if let Some(tx) = state.subscribers.get(&id) {
                    let _ = tx.send(event);
                }
                if finished {
                    state.subscribers.remove(&id);
                }
            }
            (state.tracker.take_actions(), timed_out)
        };
        for id in timed_out {
            // The job is over for us; make sure the server stops spending time on it.
            let inner = self.clone();
            tokio::spawn(async move {
                for request in driver::abandon_requests(&inner.endpoint, &id) {
                    let _ = inner.http.send(&request, None).await;
                }
            });
        }
        for action in actions {
            tokio::spawn(perform(self.clone(), action));
        }
    }
}

/// Performs one tracker action and feeds the answer back. Failures are left to the silence
/// timer, which asks again.
async fn perform(inner: Arc<Inner>, action: Action) {
    let Some(request) = driver::request_for(&inner.endpoint, &action) else {
        return;
    };
    if let Ok(answer) = inner.http.send(&request, None).await {
        inner.update(|t, now| driver::feed(t, &action, &answer, now));
    }
}

/// Deadlines and silence checks.
async fn timers(inner: Arc<Inner>) {
    let mut shutdown = inner.shutdown.subscribe();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = shutdown.changed() => return,
        }
        inner.update(|t, now| t.poll(now));
    }
}
