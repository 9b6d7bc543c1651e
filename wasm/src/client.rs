//! The browser/worker/Node transport: the core's [`JobTracker`] and [`driver`] over `fetch` and
//! one `WebSocket` (gloo-net), on the JavaScript event loop. Same interface as the Node addon's
//! `NativeClient`; state lives in `Rc<RefCell<…>>` because wasm is single-threaded.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use comfywire::Error;
use comfywire::protocol::ws::{FIRST_MESSAGE_WAIT_MS, feature_flags_message, refused_upgrade};
use comfywire::protocol::{
    Action, Endpoint, JobEvent, JobTracker, QueueOptions, ServerMessage, TrackerConfig, driver,
    response,
};
use futures_channel::mpsc;
use futures_util::future::{Either, select};
use futures_util::lock::Mutex as AsyncMutex;
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State};

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::bridge;
use crate::{Catalog, JsResult, http};

/// Raw server messages kept for `nextMessage()` before the oldest are dropped.
const MESSAGE_BACKLOG: usize = 1024;

#[derive(Debug, Clone)]
struct Config {
    request_timeout_ms: u32,
    silence_ms: u64,
    reconnect_min_ms: f64,
    reconnect_max_ms: f64,
}

struct Shared {
    tracker: JobTracker,
    subscribers: HashMap<String, mpsc::UnboundedSender<JobEvent>>,
    closed: bool,
}

struct Inner {
    endpoint: Endpoint,
    config: Config,
    started: f64,
    state: RefCell<Shared>,
    messages: RefCell<mpsc::Sender<ServerMessage>>,
    watching: std::cell::Cell<bool>,
    shutdown: RefCell<Option<mpsc::UnboundedSender<()>>>,
}

impl Inner {
    fn now(&self) -> u64 {
        (js_sys::Date::now() - self.started).max(0.0) as u64
    }

    async fn send(
        &self,
        request: &comfywire::protocol::HttpRequest,
    ) -> Result<comfywire::protocol::HttpResponse, Error> {
        http::send(request, self.config.request_timeout_ms).await
    }

    /// Runs `f` on the tracker, delivers its events, starts the requests it asks for.
    fn update(self: &Rc<Self>, f: impl FnOnce(&mut JobTracker, u64) -> Vec<(String, JobEvent)>) {
        let now = self.now();
        let (actions, abandoned) = {
            let mut state = self.state.borrow_mut();
            let events = f(&mut state.tracker, now);
            let abandoned = driver::timed_out(&events);
            for (id, event) in events {
                let finished = matches!(event, JobEvent::Finished(_));
                if let Some(tx) = state.subscribers.get(&id) {
                    let _ = tx.unbounded_send(event);
                }
                if finished {
                    state.subscribers.remove(&id);
                }
            }
            (state.tracker.take_actions(), abandoned)
        };
        self.dispatch(actions, abandoned);
    }

    /// Starts the requests the tracker asked for. Not generic, so the futures it spawns (which
    /// call `update` again) do not nest types without end.
    fn dispatch(self: &Rc<Self>, actions: Vec<Action>, abandoned: Vec<String>) {
        for id in abandoned {
            let inner = self.clone();
            spawn_local(async move {
                for request in driver::abandon_requests(&inner.endpoint, &id) {
                    let _ = inner.send(&request).await;
                }
            });
        }
        for action in actions {
            let inner = self.clone();
            spawn_local(perform(inner, action));
        }
    }

    fn deliver(self: &Rc<Self>, decoded: comfywire::Result<ServerMessage>) {
        // A garbage frame is skipped, not fatal.
        let Ok(message) = decoded else { return };
        if self.watching.get() {
            let _ = self.messages.borrow_mut().try_send(message.clone());
        }
        self.update(|t, now| t.on_message(&message, now));
    }
}

fn js_err(err: Error) -> JsValue {
    bridge::error(&err)
}

async fn perform(inner: Rc<Inner>, action: Action) {
    let Some(request) = driver::request_for(&inner.endpoint, &action) else {
        return;
    };
    if let Ok(answer) = inner.send(&request).await {
        inner.update(|t, now| driver::feed(t, &action, &answer, now));
    }
}

async fn sleep_ms(ms: f64) {
    gloo_timers::future::TimeoutFuture::new(ms.clamp(0.0, u32::MAX as f64) as u32).await;
}

/// Opens the socket; resolves once it is open, the feature flags are sent and the server's
/// first message (returned) has come.
async fn open(inner: &Inner) -> Result<(WebSocket, Option<Message>), Error> {
    let ws_error = |e: String| Error::Network {
        route: "/ws".into(),
        message: e,
    };
    let ws = WebSocket::open(&inner.endpoint.ws_url()).map_err(|e| ws_error(e.to_string()))?;
    // The sink waits for "open", so the hello is also the connect. A socket that fails instead
    // (refused, 403, no CORS) never opens: its stream says so first. (Node 20's WebSocket
    // fires "error" but never leaves CONNECTING, so the socket's state cannot be watched.)
    let (mut sink, mut stream) = ws.split();
    let failure = {
        let hello = Box::pin(sink.send(Message::Text(feature_flags_message())));
        let first = Box::pin(stream.next());
        let timer = gloo_timers::future::TimeoutFuture::new(inner.config.request_timeout_ms);
        match select(hello, select(first, timer)).await {
            Either::Left((Ok(()), _)) => None,
            Either::Left((Err(e), _)) => Some(e.to_string()),
            // Nothing can arrive before "open"; an item here is the failure.
            Either::Right((Either::Left((Some(Err(e)), _)), _)) => Some(e.to_string()),
            Either::Right((Either::Left(_), _)) => {
                Some("the WebSocket was refused or closed while opening".into())
            }
            Either::Right((Either::Right(_), _)) => {
                Some("the WebSocket did not open in time".into())
            }
        }
    };
    if let Some(message) = failure {
        // The WebSocket API hides why an upgrade was refused; ask the server over HTTP, which
        // answers with the status (a browser without CORS access learns nothing more).
        if let Ok(answer) = inner.send(&inner.endpoint.system_stats()).await
            && let Some(refusal) = refused_upgrade(answer.status, &answer.body)
        {
            return Err(refusal);
        }
        return Err(ws_error(message));
    }
    let mut ws = sink
        .reunite(stream)
        .map_err(|_| ws_error("the WebSocket halves did not match".into()))?;
    // Browsers let the sink through once the socket is closed, too (the send is then dropped).
    if !matches!(ws.state(), State::Open) {
        return Err(ws_error(
            "the WebSocket was refused or closed while opening".into(),
        ));
    }
    // Connected at the server's first message: see FIRST_MESSAGE_WAIT_MS.
    let wait = FIRST_MESSAGE_WAIT_MS.min(u64::from(inner.config.request_timeout_ms)) as u32;
    let first = match select(ws.next(), gloo_timers::future::TimeoutFuture::new(wait)).await {
        Either::Left((Some(Ok(message)), _)) => Some(message),
        Either::Left((Some(Err(e)), _)) => return Err(ws_error(e.to_string())),
        Either::Left((None, _)) => {
            return Err(ws_error(
                "the WebSocket closed before its first message".into(),
            ));
        }
        Either::Right(_) => None,
    };
    Ok((ws, first))
}

/// Decodes a frame the socket received.
fn decode(message: &Message) -> comfywire::Result<ServerMessage> {
    match message {
        Message::Text(text) => ServerMessage::from_text(text),
        Message::Bytes(bytes) => ServerMessage::from_binary(bytes),
    }
}

/// Reads the socket until shutdown, reopening it with exponential backoff and full jitter.
async fn socket_loop(
    inner: Rc<Inner>,
    first: (WebSocket, Option<Message>),
    mut shutdown: mpsc::UnboundedReceiver<()>,
) {
    let mut socket = Some(first);
    let mut attempt: u32 = 0;
    loop {
        if let Some((ws, first_message)) = socket.take() {
            attempt = 0;
            inner.update(|t, now| {
                t.connected(now);
                Vec::new()
            });
            if let Some(message) = &first_message {
                inner.deliver(decode(message));
            }
            let (sink, mut stream) = ws.split();
            loop {
                match select(stream.next(), shutdown.next()).await {
                    Either::Left((Some(Ok(message)), _)) => inner.deliver(decode(&message)),
                    Either::Left((Some(Err(_)) | None, _)) => break,
                    Either::Right(_) => {
                        if let Ok(ws) = sink.reunite(stream) {
                            let _ = ws.close(None, None);
                        }
                        return;
                    }
                }
            }
            drop(sink);
        }
        if inner.state.borrow().closed {
            return;
        }
        let (min, max) = (inner.config.reconnect_min_ms, inner.config.reconnect_max_ms);
        let ceiling = (min * f64::from(1u32 << attempt.min(16))).min(max);
        let delay = min + (ceiling - min).max(0.0) * js_sys::Math::random();
        attempt = attempt.saturating_add(1);
        match select(Box::pin(sleep_ms(delay)), shutdown.next()).await {
            Either::Left(_) => {}
            Either::Right(_) => return,
        }
        socket = open(&inner).await.ok();
    }
}

async fn timers(inner: Rc<Inner>) {
    while !inner.state.borrow().closed {
        sleep_ms(100.0).await;
        inner.update(|t, now| t.poll(now));
    }
}

/// An event or server message: JSON text, and the image bytes of a preview.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Item {
    json: String,
    bytes: Option<Vec<u8>>,
}

#[wasm_bindgen]
impl Item {
    #[wasm_bindgen(getter)]
    pub fn json(&self) -> String {
        self.json.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> Option<js_sys::Uint8Array> {
        self.bytes.as_deref().map(js_sys::Uint8Array::from)
    }
}

/// One server, one WebSocket, every job this client submits.
#[wasm_bindgen]
pub struct NativeClient {
    inner: Rc<Inner>,
    messages: Rc<AsyncMutex<mpsc::Receiver<ServerMessage>>>,
}

impl std::fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClient")
            .field("client_id", &self.inner.endpoint.client_id())
            .finish()
    }
}

fn random_id() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| format!("{:x}", (js_sys::Math::random() * 16.0) as u8 & 15))
            .collect()
    };
    format!("{}-{}-4{}-a{}-{}", hex(8), hex(4), hex(3), hex(3), hex(12))
}

fn parse(text: &str) -> JsResult<serde_json::Value> {
    comfywire::json::parse(text).map_err(js_err)
}

fn options(text: Option<String>) -> JsResult<serde_json::Value> {
    bridge::options(text).map_err(js_err)
}

/// Connects to a server (options as JSON text, see `comfywire::api::connect_options`) and
/// resolves once its WebSocket is open.
#[wasm_bindgen]
pub async fn connect(options_json: String) -> JsResult<NativeClient> {
    let o = comfywire::api::connect_options(&parse(&options_json)?).map_err(js_err)?;
    let client_id = o.client_id.clone().unwrap_or_else(random_id);
    let endpoint = o.endpoint(&client_id).map_err(js_err)?;
    let settings = Config {
        request_timeout_ms: o.request_timeout_ms.min(u32::MAX as u64) as u32,
        silence_ms: o.silence_ms,
        reconnect_min_ms: 200.0,
        reconnect_max_ms: 10_000.0,
    };
    let (messages_tx, messages_rx) = mpsc::channel(MESSAGE_BACKLOG);
    let (shutdown_tx, shutdown_rx) = mpsc::unbounded();
    let inner = Rc::new(Inner {
        endpoint,
        state: RefCell::new(Shared {
            tracker: JobTracker::new(TrackerConfig {
                silence_ms: settings.silence_ms,
                ..TrackerConfig::default()
            }),
            subscribers: HashMap::new(),
            closed: false,
        }),
        config: settings,
        started: js_sys::Date::now(),
        messages: RefCell::new(messages_tx),
        watching: std::cell::Cell::new(false),
        shutdown: RefCell::new(Some(shutdown_tx)),
    });
    let first = open(&inner).await.map_err(js_err)?;
    spawn_local(socket_loop(inner.clone(), first, shutdown_rx));
    spawn_local(timers(inner.clone()));
    Ok(NativeClient {
        inner,
        messages: Rc::new(AsyncMutex::new(messages_rx)),
    })
}

#[wasm_bindgen]
impl NativeClient {
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.inner.endpoint.client_id().to_string()
    }

    /// Queues an API prompt (JSON text) and follows it; a refused prompt throws
    /// `PROMPT_REJECTED` with the server's `nodeErrors`.
    pub async fn submit(
        &self,
        prompt: String,
        options_json: Option<String>,
    ) -> JsResult<NativeJob> {
        let inner = &self.inner;
        let prompt = comfywire::Prompt::from_value(&parse(&prompt)?).map_err(js_err)?;
        let (queue, timeout_ms) =
            comfywire::api::submit_options(&options(options_json)?).map_err(js_err)?;
        let prompt_id = queue.prompt_id.clone().unwrap_or_else(random_id);
        let queue = QueueOptions {
            prompt_id: Some(prompt_id.clone()),
            ..queue
        };
        let (tx, rx) = mpsc::unbounded();
        {
            let now = inner.now();
            let deadline = timeout_ms.map(|t| now + t);
            let mut state = inner.state.borrow_mut();
            state
                .tracker
                .watch(&prompt_id, prompt.nodes.len(), now, deadline);
            state.subscribers.insert(prompt_id.clone(), tx);
        }
        let answer = inner
            .send(&inner.endpoint.queue_prompt(&prompt, &queue))
            .await;
        let mut failure = None;
        inner.update(|t, now| {
            let (events, result) = driver::submit_answer(t, &prompt_id, answer, now);
            failure = result.err();
            events
        });
        if let Some(err) = failure {
            inner.state.borrow_mut().subscribers.remove(&prompt_id);
            return Err(js_err(err));
        }
        Ok(NativeJob {
            prompt_id,
            events: Rc::new(AsyncMutex::new(rx)),
            inner: inner.clone(),
        })
    }

    /// Cancels one of this client's jobs and nothing else.
    pub async fn cancel(&self, prompt_id: String) -> JsResult<()> {
        cancel(&self.inner, &prompt_id).await
    }

    /// `POST /interrupt` as given (no id interrupts whatever runs: prefer `cancel`).
    pub async fn interrupt(&self, prompt_id: Option<String>) -> JsResult<()> {
        self.simple(self.inner.endpoint.interrupt(prompt_id.as_deref()))
            .await
    }

    /// `{running, pending}` as JSON text.
    pub async fn queue(&self) -> JsResult<String> {
        let answer = self
            .inner
            .send(&self.inner.endpoint.queue())
            .await
            .map_err(js_err)?;
        let queue = response::queue_response(&answer).map_err(js_err)?;
        Ok(comfywire::api::queue_json(&queue).to_string())
    }

    /// History entries (one, or the last `maxItems`), as the server stores them.
    pub async fn history(
        &self,
        prompt_id: Option<String>,
        options_json: Option<String>,
    ) -> JsResult<String> {
        let (max, offset) =
            comfywire::api::history_options(&options(options_json)?).map_err(js_err)?;
        let request = self
            .inner
            .endpoint
            .history(prompt_id.as_deref(), max, offset);
        self.json(request).await
    }

    #[wasm_bindgen(js_name = deleteHistory)]
    pub async fn delete_history(&self, ids_json: String) -> JsResult<()> {
        let ids = comfywire::api::id_list(&parse(&ids_json)?).map_err(js_err)?;
        self.simple(self.inner.endpoint.delete_history(&ids)).await
    }

    #[wasm_bindgen(js_name = clearHistory)]
    pub async fn clear_history(&self) -> JsResult<()> {
        self.simple(self.inner.endpoint.clear_history()).await
    }

    #[wasm_bindgen(js_name = deleteQueued)]
    pub async fn delete_queued(&self, ids_json: String) -> JsResult<()> {
        let ids = comfywire::api::id_list(&parse(&ids_json)?).map_err(js_err)?;
        self.simple(self.inner.endpoint.delete_queued(&ids)).await
    }

    #[wasm_bindgen(js_name = clearQueue)]
    pub async fn clear_queue(&self) -> JsResult<()> {
        self.simple(self.inner.endpoint.clear_queue()).await
    }

    /// Uploads an input file → `{filename, subfolder, type, inputName}` (the server may rename it).
    pub async fn upload(
        &self,
        bytes: Vec<u8>,
        filename: String,
        options_json: Option<String>,
    ) -> JsResult<String> {
        let o = comfywire::api::upload_options(&options(options_json)?).map_err(js_err)?;
        let request = self.inner.endpoint.upload(
            &o.kind,
            &filename,
            bytes,
            &o.subfolder,
            "input",
            o.overwrite,
        );
        let answer = self.inner.send(&request).await.map_err(js_err)?;
        let file = response::upload_response(&answer).map_err(js_err)?;
        Ok(comfywire::api::uploaded_json(&file).to_string())
    }

    /// Downloads a file named by `{filename, subfolder, type}` (JSON text).
    pub async fn view(&self, file_json: String) -> JsResult<Vec<u8>> {
        let file = comfywire::api::file_ref(&parse(&file_json)?).map_err(js_err)?;
        let answer = self
            .inner
            .send(&self.inner.endpoint.view(&file, None))
            .await
            .map_err(js_err)?;
        response::expect_ok("/view", &answer).map_err(js_err)?;
        Ok(answer.body)
    }

    /// The server's `/object_info` text.
    #[wasm_bindgen(js_name = objectInfoText)]
    pub async fn object_info_text(&self) -> JsResult<String> {
        let answer = self
            .inner
            .send(&self.inner.endpoint.object_info(None))
            .await
            .map_err(js_err)?;
        response::expect_ok("/object_info", &answer).map_err(js_err)?;
        String::from_utf8(answer.body).map_err(|e| {
            js_err(Error::BadResponse {
                route: "/object_info".into(),
                message: e.to_string(),
            })
        })
    }

    /// The server's catalog, parsed in Rust (the text never becomes a JavaScript object).
    #[wasm_bindgen(js_name = objectInfo)]
    pub async fn object_info(&self) -> JsResult<Catalog> {
        let text = self.object_info_text().await?;
        Catalog::from_json(&text)
    }

    #[wasm_bindgen(js_name = systemStats)]
    pub async fn system_stats(&self) -> JsResult<String> {
        self.json(self.inner.endpoint.system_stats()).await
    }

    /// `POST /free` with `{unloadModels, freeMemory}` (JSON text). Not named `free`: that is
    /// the name wasm-bindgen gives the method that releases the object.
    #[wasm_bindgen(js_name = freeServer)]
    pub async fn free_server(&self, options_json: Option<String>) -> JsResult<()> {
        let (unload, free) =
            comfywire::api::free_options(&options(options_json)?).map_err(js_err)?;
        self.simple(self.inner.endpoint.free(unload, free)).await
    }

    /// Starts keeping server messages for `nextMessage` (from now on; up to 1024 unread).
    #[wasm_bindgen(js_name = watchMessages)]
    pub fn watch_messages(&self) {
        self.inner.watching.set(true);
    }

    /// The next server message as `{type, ...}` JSON (a preview's bytes beside it), or `null`
    /// once the client is closed or when `watchMessages` was not called.
    #[wasm_bindgen(js_name = nextMessage)]
    pub async fn next_message(&self) -> JsResult<Option<Item>> {
        if !self.inner.watching.get() {
            return Ok(None);
        }
        let mut rx = self.messages.lock().await;
        Ok(rx.next().await.map(|message| {
            let bytes = match &message {
                ServerMessage::Preview { image, .. } => Some(image.clone()),
                _ => None,
            };
            Item {
                json: comfywire::api::message_json(&message).to_string(),
                bytes,
            }
        }))
    }

    /// Closes the socket and stops the timers; unfinished jobs end as lost.
    pub fn close(&self) {
        let mut state = self.inner.state.borrow_mut();
        state.closed = true;
        let ids: Vec<String> = state.subscribers.keys().cloned().collect();
        for id in ids {
            if let Some(tx) = state.subscribers.remove(&id) {
                let _ = tx.unbounded_send(JobEvent::Finished(comfywire::protocol::JobResult {
                    prompt_id: id.clone(),
                    outcome: comfywire::protocol::Outcome::Lost,
                    outputs: Default::default(),
                }));
            }
        }
        drop(state);
        self.inner.messages.borrow_mut().close_channel();
        if let Some(tx) = self.inner.shutdown.borrow_mut().take() {
            let _ = tx.unbounded_send(());
        }
    }
}

impl NativeClient {
    async fn simple(&self, request: comfywire::protocol::HttpRequest) -> JsResult<()> {
        let answer = self.inner.send(&request).await.map_err(js_err)?;
        response::expect_ok(request.route, &answer).map_err(js_err)
    }

    async fn json(&self, request: comfywire::protocol::HttpRequest) -> JsResult<String> {
        let answer = self.inner.send(&request).await.map_err(js_err)?;
        Ok(response::json_body(request.route, &answer)
            .map_err(js_err)?
            .to_string())
    }
}

async fn cancel(inner: &Rc<Inner>, prompt_id: &str) -> JsResult<()> {
    let plan = inner.state.borrow_mut().tracker.cancel(prompt_id);
    for request in driver::cancel_requests(&inner.endpoint, plan, prompt_id) {
        let answer = inner.send(&request).await.map_err(js_err)?;
        response::expect_ok(request.route, &answer).map_err(js_err)?;
    }
    if plan == comfywire::protocol::CancelPlan::Dequeue {
        inner.update(|t, _| t.dequeued(prompt_id));
    }
    Ok(())
}

/// One submitted job: its events in order, ending with `finished`.
#[wasm_bindgen]
pub struct NativeJob {
    prompt_id: String,
    events: Rc<AsyncMutex<mpsc::UnboundedReceiver<JobEvent>>>,
    inner: Rc<Inner>,
}

impl std::fmt::Debug for NativeJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeJob")
            .field("prompt_id", &self.prompt_id)
            .finish()
    }
}

#[wasm_bindgen]
impl NativeJob {
    #[wasm_bindgen(getter, js_name = promptId)]
    pub fn prompt_id(&self) -> String {
        self.prompt_id.clone()
    }

    /// The next event as JSON text (a preview's bytes beside it), or `null` after `finished`.
    pub async fn next(&self) -> JsResult<Option<Item>> {
        let mut rx = self.events.lock().await;
        let Some(event) = rx.next().await else {
            return Ok(None);
        };
        let json = comfywire::api::event_json(&self.prompt_id, &event, Some(&self.inner.endpoint));
        let bytes = match &event {
            JobEvent::Preview { image, .. } => Some(image.clone()),
            _ => None,
        };
        Ok(Some(Item {
            json: json.to_string(),
            bytes,
        }))
    }

    /// Cancels this job (interrupt if it runs, dequeue if it waits) and no other.
    pub async fn cancel(&self) -> JsResult<()> {
        cancel(&self.inner, &self.prompt_id).await
    }
}
