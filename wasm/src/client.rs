//! The browser/worker/Node transport: the core's [`Session`] over `fetch` and one `WebSocket`
//! (gloo-net), on the JavaScript event loop. Same interface as the Node addon's client. This
//! file moves bytes, keeps the clock and supplies randomness; the session decides the rest.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use comfywire::Error;
use comfywire::js::CallAnswer;
use comfywire::protocol::ws::{FIRST_MESSAGE_WAIT_MS, refused_upgrade};
use comfywire::protocol::{Endpoint, Frame, JobEvent, NextEvent, ServerMessage, Session, response};
use futures_util::future::{Either, select};
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State};

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::bridge;
use crate::{Catalog, JsResult, http, options};

/// Wakes whoever waits for a change (single-threaded: a generation and the wakers to call).
#[derive(Debug, Default)]
struct Signal {
    generation: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl Signal {
    fn notify(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        for waker in self.wakers.take() {
            waker.wake();
        }
    }

    /// Resolves once [`Signal::notify`] was called after the generation `seen` was read.
    async fn since(&self, seen: u64) {
        std::future::poll_fn(|cx| {
            if self.generation.get() != seen {
                return Poll::Ready(());
            }
            let mut wakers = self.wakers.borrow_mut();
            if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                wakers.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

struct Inner {
    endpoint: Endpoint,
    request_timeout_ms: u32,
    started: f64,
    session: RefCell<Session>,
    /// Job and message readers.
    changed: Signal,
    /// The driver.
    kick: Signal,
    timer_wakeups: Cell<u64>,
}

impl Inner {
    fn now(&self) -> u64 {
        (js_sys::Date::now() - self.started).max(0.0) as u64
    }

    async fn send(
        &self,
        request: &comfywire::protocol::HttpRequest,
    ) -> Result<comfywire::protocol::HttpResponse, Error> {
        http::send(request, self.request_timeout_ms).await
    }

    /// Runs `f` on the session, then wakes the driver and every reader.
    fn with_session<T>(&self, f: impl FnOnce(&mut Session, u64) -> T) -> T {
        let out = f(&mut self.session.borrow_mut(), self.now());
        self.kick.notify();
        self.changed.notify();
        out
    }

    /// Waits until `check` finds something in the session.
    async fn wait_for<T>(&self, mut check: impl FnMut(&mut Session) -> Option<T>) -> T {
        loop {
            let seen = self.changed.generation.get();
            if let Some(found) = check(&mut self.session.borrow_mut()) {
                return found;
            }
            self.changed.since(seen).await;
        }
    }
}

fn js_err(err: Error) -> JsValue {
    bridge::error(&err)
}

/// Sixteen random bytes (prompt and client ids).
fn entropy() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(4) {
        let word = (js_sys::Math::random() * 4_294_967_296.0) as u32;
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

async fn sleep_ms(ms: u64) {
    gloo_timers::future::TimeoutFuture::new(ms.min(u64::from(u32::MAX)) as u32).await;
}

/// Opens the socket; resolves once it is open, the feature flags are sent and the server's
/// first message (returned) has come.
async fn open(inner: &Inner) -> Result<(WebSocket, Option<Message>), Error> {
    let ws_error = |e: String| Error::Network {
        route: "/ws".into(),
        message: e,
    };
    let ws = WebSocket::open(&inner.endpoint.ws_url()).map_err(|e| ws_error(e.to_string()))?;
    let hello = inner.session.borrow().hello();
    // The sink waits for "open", so the hello is also the connect. A socket that fails instead
    // (refused, 403, no CORS) never opens: its stream says so first. (Node 20's WebSocket
    // fires "error" but never leaves CONNECTING, so the socket's state cannot be watched.)
    let (mut sink, mut stream) = ws.split();
    let failure = {
        let hello = Box::pin(sink.send(Message::Text(hello)));
        let first = Box::pin(stream.next());
        let timer = gloo_timers::future::TimeoutFuture::new(inner.request_timeout_ms);
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
    let wait = FIRST_MESSAGE_WAIT_MS.min(u64::from(inner.request_timeout_ms)) as u32;
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

/// The session's view of a frame.
fn frame(message: &Message) -> Frame<'_> {
    match message {
        Message::Text(text) => Frame::Text(text),
        Message::Bytes(bytes) => Frame::Binary(bytes),
    }
}

type Opening = Pin<Box<dyn Future<Output = Result<(WebSocket, Option<Message>), Error>>>>;

/// What woke the driver.
enum Wake {
    Frame(Option<Result<Message, gloo_net::websocket::WebSocketError>>),
    Opened(Result<(WebSocket, Option<Message>), Error>),
    Deadline,
    Kicked,
}

/// How long, after `close()`, the requests stopping abandoned jobs may take.
const CLOSE_FLUSH_MS: u32 = 2_000;

/// The driver: owns the socket and the timer; runs until the session is closed.
async fn drive(inner: Rc<Inner>, first: WebSocket) {
    let mut socket = Some(first);
    let mut connecting: Option<Opening> = None;
    loop {
        send_transmits(&inner);
        let (deadline, closed) = {
            let session = inner.session.borrow();
            (session.poll_timeout(), session.is_closed())
        };
        if closed {
            if let Some(ws) = socket.take() {
                let _ = ws.close(None, None);
            }
            let flushed = inner.wait_for(|s| (s.abandons_pending() == 0).then_some(()));
            let timer = gloo_timers::future::TimeoutFuture::new(CLOSE_FLUSH_MS);
            select(Box::pin(flushed), timer).await;
            return;
        }
        let seen = inner.kick.generation.get();
        let now = inner.now();
        let wake = {
            let frame = Box::pin(async {
                match socket.as_mut() {
                    Some(ws) => ws.next().await,
                    None => std::future::pending().await,
                }
            });
            let opened = Box::pin(async {
                match connecting.as_mut() {
                    Some(opening) => opening.await,
                    None => std::future::pending().await,
                }
            });
            let timer = Box::pin(async {
                match deadline {
                    Some(at) => sleep_ms(at.saturating_sub(now)).await,
                    None => std::future::pending().await,
                }
            });
            let kicked = Box::pin(inner.kick.since(seen));
            match select(select(frame, opened), select(timer, kicked)).await {
                Either::Left((Either::Left((frame, _)), _)) => Wake::Frame(frame),
                Either::Left((Either::Right((opened, _)), _)) => Wake::Opened(opened),
                Either::Right((Either::Left(_), _)) => Wake::Deadline,
                Either::Right((Either::Right(_), _)) => Wake::Kicked,
            }
        };
        let jitter = js_sys::Math::random();
        inner.with_session(|session, now| match wake {
            Wake::Frame(Some(Ok(message))) => session.on_frame(frame(&message), now),
            Wake::Frame(Some(Err(_)) | None) => {
                socket = None;
                session.socket_lost(now, jitter);
            }
            Wake::Opened(Ok((ws, first))) => {
                connecting = None;
                socket = Some(ws);
                session.socket_opened(now, first.as_ref().map(frame));
            }
            Wake::Opened(Err(_)) => {
                connecting = None;
                session.socket_lost(now, jitter);
            }
            Wake::Deadline => {
                inner.timer_wakeups.set(inner.timer_wakeups.get() + 1);
                session.handle_timeout(now);
            }
            Wake::Kicked => {}
        });
        if socket.is_none()
            && connecting.is_none()
            && inner.session.borrow_mut().poll_connect(inner.now())
        {
            let inner = inner.clone();
            connecting = Some(Box::pin(async move { open(&inner).await }));
        }
    }
}

/// Sends every request the session wants and hands back the answers. Not generic, so the
/// futures it spawns do not nest types without end.
fn send_transmits(inner: &Rc<Inner>) {
    loop {
        let Some(transmit) = inner.session.borrow_mut().poll_transmit() else {
            return;
        };
        let inner = inner.clone();
        spawn_local(async move {
            let answer = inner.send(&transmit.request).await;
            inner.with_session(|s, now| s.on_response(transmit.id, answer, now));
        });
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
}

impl std::fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClient")
            .field("client_id", &self.inner.endpoint.client_id())
            .finish()
    }
}

fn parse(text: &str) -> JsResult<serde_json::Value> {
    comfywire::json::parse(text).map_err(js_err)
}

/// Connects to a server (options as JSON text, see `comfywire::js::connect_options`) and
/// resolves once its WebSocket is open.
#[wasm_bindgen]
pub async fn connect(options_json: String) -> JsResult<NativeClient> {
    let o = comfywire::js::connect_options(&parse(&options_json)?).map_err(js_err)?;
    let client_id = o
        .client_id
        .clone()
        .unwrap_or_else(|| comfywire::protocol::uuid_v4(entropy()));
    let endpoint = o.endpoint(&client_id).map_err(js_err)?;
    let inner = Rc::new(Inner {
        session: RefCell::new(Session::new(endpoint.clone(), o.session)),
        endpoint,
        request_timeout_ms: o.request_timeout_ms.min(u64::from(u32::MAX)) as u32,
        started: js_sys::Date::now(),
        changed: Signal::default(),
        kick: Signal::default(),
        timer_wakeups: Cell::new(0),
    });
    let (socket, first) = open(&inner).await.map_err(js_err)?;
    inner.with_session(|s, now| s.socket_opened(now, first.as_ref().map(frame)));
    spawn_local(drive(inner.clone(), socket));
    Ok(NativeClient { inner })
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
            comfywire::js::submit_options(&options(options_json)?).map_err(js_err)?;
        let (prompt_id, request) = inner
            .with_session(|s, now| s.begin_submit(&prompt, &queue, timeout_ms, now, entropy()))
            .map_err(js_err)?;
        let answer = inner.send(&request).await;
        inner
            .with_session(|s, now| s.end_submit(&prompt_id, answer, now))
            .map_err(js_err)?;
        Ok(NativeJob {
            prompt_id,
            inner: inner.clone(),
        })
    }

    /// Cancels one of this client's jobs and nothing else.
    pub async fn cancel(&self, prompt_id: String) -> JsResult<()> {
        cancel(&self.inner, &prompt_id).await
    }

    /// One request and its answer (`comfywire::js::server_call` names them: `queue`,
    /// `history`, `upload`, `view`, `free`…): JSON text, bytes, or `undefined`.
    pub async fn call(
        &self,
        name: String,
        options_json: Option<String>,
        bytes: Option<Vec<u8>>,
    ) -> JsResult<JsValue> {
        let call =
            comfywire::js::server_call(&self.inner.endpoint, &name, &options(options_json)?, bytes)
                .map_err(js_err)?;
        let answer = self.inner.send(&call.request).await.map_err(js_err)?;
        Ok(match call.answer(answer).map_err(js_err)? {
            CallAnswer::Nothing => JsValue::UNDEFINED,
            CallAnswer::Text(text) => text.into(),
            CallAnswer::Bytes(bytes) => js_sys::Uint8Array::from(bytes.as_slice()).into(),
        })
    }

    /// The server's catalog, parsed in Rust (the text never becomes a JavaScript object).
    #[wasm_bindgen(js_name = objectInfo)]
    pub async fn object_info(&self) -> JsResult<Catalog> {
        let text = self.call("objectInfoText".into(), None, None).await?;
        Catalog::from_json(&text.as_string().unwrap_or_default())
    }

    /// Starts keeping server messages for `nextMessage` (from now on; the newest 1024 unread
    /// are kept, the session's rule).
    #[wasm_bindgen(js_name = watchMessages)]
    pub fn watch_messages(&self) {
        self.inner.session.borrow_mut().watch_messages();
    }

    /// The next server message as `{type, ...}` JSON (a preview's bytes beside it), or `null`
    /// once the client is closed or when `watchMessages` was not called.
    #[wasm_bindgen(js_name = nextMessage)]
    pub async fn next_message(&self) -> JsResult<Option<Item>> {
        let message = self
            .inner
            .wait_for(|s| match s.next_message() {
                Some(message) => Some(Some(message)),
                None if s.is_closed() || !s.is_watching_messages() => Some(None),
                None => None,
            })
            .await;
        Ok(message.map(|message| {
            let bytes = match &message {
                ServerMessage::Preview { image, .. } => Some(image.clone()),
                _ => None,
            };
            Item {
                json: comfywire::js::message_json(&message).to_string(),
                bytes,
            }
        }))
    }

    /// How often the client woke for a deadline (an idle client sleeps: tests count this).
    #[wasm_bindgen(js_name = timerWakeups)]
    pub fn timer_wakeups(&self) -> f64 {
        self.inner.timer_wakeups.get() as f64
    }

    /// Closes the socket; unfinished jobs end as `JOB_LOST`.
    pub fn close(&self) {
        self.inner.with_session(|s, _| s.close());
    }
}

async fn cancel(inner: &Rc<Inner>, prompt_id: &str) -> JsResult<()> {
    let requests = inner.with_session(|s, _| s.cancel(prompt_id));
    for request in requests {
        let answer = inner.send(&request).await.map_err(js_err)?;
        response::expect_ok(request.route, &answer).map_err(js_err)?;
    }
    inner.with_session(|s, _| s.cancel_sent(prompt_id));
    Ok(())
}

/// One submitted job: its events in order, ending with `finished`.
#[wasm_bindgen]
pub struct NativeJob {
    prompt_id: String,
    inner: Rc<Inner>,
}

impl std::fmt::Debug for NativeJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeJob")
            .field("prompt_id", &self.prompt_id)
            .finish()
    }
}

impl Drop for NativeJob {
    fn drop(&mut self) {
        if let Ok(mut session) = self.inner.session.try_borrow_mut() {
            session.release(&self.prompt_id);
        }
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
        let event = self
            .inner
            .wait_for(|s| match s.next_event(&self.prompt_id) {
                NextEvent::Event(event) => Some(Some(event)),
                NextEvent::End => Some(None),
                NextEvent::Pending => None,
            })
            .await;
        let Some(event) = event else {
            return Ok(None);
        };
        let json = comfywire::js::event_json(&self.prompt_id, &event, Some(&self.inner.endpoint));
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
