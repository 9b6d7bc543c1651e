//! The client's WebSocket: opened with the endpoint's credentials, feature flags sent first,
//! reopened with exponential backoff and jitter (so a restarted server is not stormed).

use std::sync::Arc;
use std::time::Duration;

use comfywire::Error;
use comfywire::protocol::ServerMessage;
use comfywire::protocol::ws::{FIRST_MESSAGE_WAIT_MS, MAX_MESSAGE_BYTES, feature_flags_message};
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
    socket
        .send(Message::Text(feature_flags_message().into()))
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

/// Decodes a frame; `None` for control frames.
fn decode(frame: &Message) -> Option<Result<ServerMessage, Error>> {
    match frame {
        Message::Text(text) => Some(ServerMessage::from_text(text.as_str())),
        Message::Binary(bytes) => Some(ServerMessage::from_binary(bytes)),
        _ => None,
    }
}

/// Reads the socket until shutdown, reconnecting when it drops.
pub(crate) async fn run(inner: Arc<Inner>, first: Opened) {
    let mut shutdown = inner.shutdown.subscribe();
    let mut socket = Some(first);
    let mut attempt: u32 = 0;
    loop {
        if let Some((mut ws, first_message)) = socket.take() {
            attempt = 0;
            inner.update(|t, now| {
                t.connected(now);
                Vec::new()
            });
            if let Some(decoded) = first_message.as_ref().and_then(decode) {
                deliver(&inner, decoded);
            }
            loop {
                tokio::select! {
                    frame = ws.next() => match frame {
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(frame)) => if let Some(decoded) = decode(&frame) {
                            deliver(&inner, decoded);
                        },
                    },
                    _ = shutdown.changed() => {
                        let _ = ws.close(None).await;
                        return;
                    }
                }
            }
        }
        if *shutdown.borrow() {
            return;
        }
        let delay = backoff(&inner, attempt);
        attempt = attempt.saturating_add(1);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => return,
        }
        socket = open(&inner).await.ok();
    }
}

/// Exponential backoff with full jitter between `reconnect_min` and `reconnect_max`.
fn backoff(inner: &Inner, attempt: u32) -> Duration {
    let (min, max) = (inner.config.reconnect_min, inner.config.reconnect_max);
    let ceiling = min.saturating_mul(1u32 << attempt.min(16)).min(max);
    let jitter = rand::random::<f64>();
    min + (ceiling.saturating_sub(min)).mul_f64(jitter)
}

/// Hands a decoded message to the tracker (a garbage frame is skipped, not fatal).
fn deliver(inner: &Arc<Inner>, decoded: Result<ServerMessage, Error>) {
    let Ok(message) = decoded else { return };
    let _ = inner.messages.send(message.clone());
    inner.update(|t, now| t.on_message(&message, now));
}
