//! The driver: one task that owns the WebSocket and the clock. It sends what the session asks,
//! opens the socket when the session says so, hands it every frame, and sleeps until the
//! session's next deadline (or until an API call changes the session).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use comfywire::Error;
use comfywire::protocol::Frame;
use comfywire::protocol::ws::{FIRST_MESSAGE_WAIT_MS, MAX_MESSAGE_BYTES};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::Inner;

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An open socket and the server's first message on it (see [`FIRST_MESSAGE_WAIT_MS`]).
pub(crate) type Opened = (Socket, Option<Message>);

fn ws_error(err: impl std::fmt::Display) -> Error {
    Error::Network {
        route: "/ws".into(),
        message: err.to_string(),
    }
}

/// A refused upgrade (403 from a server without our origin allowed, 401 behind a proxy) is an
/// HTTP answer, so it gets the same typed error as a refused HTTP route.
fn handshake_error(err: tokio_tungstenite::tungstenite::Error) -> Error {
    match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => {
            let body = response.body().as_deref().unwrap_or_default();
            comfywire::protocol::ws::refused_upgrade(response.status().as_u16(), body)
                .unwrap_or_else(|| ws_error(format!("upgrade refused: {}", response.status())))
        }
        other => ws_error(other),
    }
}

/// Opens the socket, sends the feature flags (they only count as the first message) and waits
/// for the server's first message, which says the server has filed the socket.
pub(crate) async fn open(inner: &Inner) -> Result<Opened, Error> {
    let mut request = inner
        .endpoint
        .ws_url()
        .into_client_request()
        .map_err(ws_error)?;
    for (name, value) in inner.endpoint.headers() {
        let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(ws_error)?;
        request
            .headers_mut()
            .insert(name, HeaderValue::from_str(value).map_err(ws_error)?);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES));
    let connect = tokio_tungstenite::connect_async_with_config(request, Some(config), false);
    let (mut socket, _) = tokio::time::timeout(inner.config.request_timeout, connect)
        .await
        .map_err(ws_error)?
        .map_err(handshake_error)?;
    let hello = inner.lock().hello();
    socket
        .send(Message::Text(hello.into()))
        .await
        .map_err(ws_error)?;
    let wait = Duration::from_millis(FIRST_MESSAGE_WAIT_MS).min(inner.config.request_timeout);
    let first = match tokio::time::timeout(wait, socket.next()).await {
        Ok(Some(Ok(message))) => Some(message),
        Ok(Some(Err(e))) => return Err(ws_error(e)),
        Ok(None) => return Err(ws_error("the WebSocket closed before its first message")),
        Err(_) => None,
    };
    Ok((socket, first))
}

/// The session's view of a data frame (control frames are the transport's).
pub(crate) fn frame(message: &Message) -> Option<Frame<'_>> {
    match message {
        Message::Text(text) => Some(Frame::Text(text.as_str())),
        Message::Binary(bytes) => Some(Frame::Binary(bytes)),
        _ => None,
    }
}

/// What woke the driver.
enum Wake {
    Frame(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Opened(Result<Box<Opened>, Error>),
    Deadline,
    Kicked,
}

/// Answers abandoned jobs' cancel requests may take after `close()` before the driver stops.
const CLOSE_FLUSH: Duration = Duration::from_secs(2);

/// Runs until the session is closed.
pub(crate) async fn drive(inner: Arc<Inner>, first: Socket) {
    let mut socket = Some(first);
    let mut connecting: Option<std::pin::Pin<Box<dyn Future<Output = _> + Send>>> = None;
    loop {
        send_transmits(&inner);
        let (deadline, closed) = {
            let session = inner.lock();
            (session.poll_timeout(), session.is_closed())
        };
        if closed {
            if let Some(mut ws) = socket.take() {
                let _ = ws.close(None).await;
            }
            flush_abandons(&inner).await;
            return;
        }
        let sleep_until = deadline.map(|at| inner.started + Duration::from_millis(at));
        let wake = tokio::select! {
            frame = async { socket.as_mut().expect("guarded").next().await }, if socket.is_some() => Wake::Frame(frame),
            opened = async { connecting.as_mut().expect("guarded").await }, if connecting.is_some() => Wake::Opened(opened),
            () = async { tokio::time::sleep_until(sleep_until.expect("guarded").into()).await }, if sleep_until.is_some() => Wake::Deadline,
            () = inner.kick.notified() => Wake::Kicked,
        };
        let jitter = rand::random::<f64>();
        inner.update(|session, now| match wake {
            Wake::Frame(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => {
                socket = None;
                session.socket_lost(now, jitter);
            }
            Wake::Frame(Some(Ok(message))) => {
                if let Some(frame) = frame(&message) {
                    session.on_frame(frame, now);
                }
            }
            Wake::Opened(Ok(opened)) => {
                let (ws, first) = *opened;
                connecting = None;
                socket = Some(ws);
                session.socket_opened(now, first.as_ref().and_then(frame));
            }
            Wake::Opened(Err(_)) => {
                connecting = None;
                session.socket_lost(now, jitter);
            }
            Wake::Deadline => {
                inner.timer_wakeups.fetch_add(1, Ordering::Relaxed);
                session.handle_timeout(now);
            }
            Wake::Kicked => {}
        });
        if socket.is_none() && connecting.is_none() && inner.update(|s, now| s.poll_connect(now)) {
            let inner = inner.clone();
            connecting = Some(Box::pin(async move { open(&inner).await.map(Box::new) }));
        }
    }
}

/// Sends every request the session wants, each on its own task, and hands back the answers.
fn send_transmits(inner: &Arc<Inner>) {
    loop {
        let Some(transmit) = inner.lock().poll_transmit() else {
            return;
        };
        let inner = inner.clone();
        tokio::spawn(async move {
            let answer = inner.http.send(&transmit.request, None).await;
            inner.with_session(|s, now| s.on_response(transmit.id, answer, now));
        });
    }
}

/// After `close()`: waits (at most [`CLOSE_FLUSH`]) until the server answered the requests
/// that stop jobs this client gave up on.
async fn flush_abandons(inner: &Arc<Inner>) {
    let _ = tokio::time::timeout(
        CLOSE_FLUSH,
        inner.wait_for(|s| (s.abandons_pending() == 0).then_some(())),
    )
    .await;
}
