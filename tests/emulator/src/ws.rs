//! `GET /ws`: the server's WebSocket. On connect: `status` with `sid`, then `executing {node}`
//! if this client's prompt is running. The client's first message may negotiate feature flags;
//! anything else it sends is ignored.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use crate::queue::Client;
use crate::state::{MAX_UPLOAD_SIZE, Out, SOCKET_CHANNEL, Shared, SocketEntry, frame};

/// Largest message a client may send: the server only reads small JSON control messages.
const MAX_CLIENT_MESSAGE: usize = 1 << 20;

/// The server's answer to a client's feature flags.
pub fn server_feature_flags() -> Value {
    json!({"supports_preview_metadata": true, "max_upload_size": MAX_UPLOAD_SIZE})
}

pub async fn upgrade(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(ws) = ws else {
        return crate::routes::raised(not_an_upgrade(&headers));
    };
    // Any string is accepted; without one the server makes a dashless uuid4.
    let sid = query
        .get("clientId")
        .cloned()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    ws.max_message_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| serve(shared, socket, sid))
}

/// aiohttp's 400 for a request to `/ws` that is not a WebSocket handshake: text naming the header
/// it checked first (as Python prints it, `None` when absent).
fn not_an_upgrade(headers: &axum::http::HeaderMap) -> Response {
    let header = |name: axum::http::HeaderName| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let upgrade = header(axum::http::header::UPGRADE);
    let text =
        if upgrade.as_deref().map(|u| u.trim().to_ascii_lowercase()) != Some("websocket".into()) {
            format!(
                "No WebSocket UPGRADE hdr: {}\n Can \"Upgrade\" only to \"WebSocket\".",
                upgrade.as_deref().unwrap_or("None")
            )
        } else {
            let connection = header(axum::http::header::CONNECTION);
            format!(
                "No CONNECTION upgrade hdr: {}",
                connection.as_deref().unwrap_or("None")
            )
        };
    let mut resp = (axum::http::StatusCode::BAD_REQUEST, text).into_response();
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

async fn serve(shared: Arc<Shared>, socket: WebSocket, sid: String) {
    let (tx, mut rx) = mpsc::channel(SOCKET_CHANNEL);
    let conn = shared.next_conn();
    let kill = Arc::new(Notify::new());
    // Replies go through the same channel so they stay behind the initial status. A weak sender
    // keeps the channel closable by the registry alone.
    let reply = tx.downgrade();
    {
        let mut st = shared.lock();
        let _ = tx.try_send(Out::Text(frame("status", {
            let mut data = st.status_data();
            data["sid"] = Value::String(sid.clone());
            data
        })));
        let reconnect_node = st.running.as_ref().and_then(|r| {
            (r.item.client == Client::Id(sid.clone()))
                .then(|| r.node.clone())
                .flatten()
        });
        if let Some(node) = reconnect_node {
            let _ = tx.try_send(Out::Text(frame("executing", json!({"node": node}))));
        }
        // A second socket with the same id replaces the first in the map, as on the server.
        st.sockets.insert(
            sid.clone(),
            SocketEntry {
                conn,
                tx,
                kill: kill.clone(),
                preview_metadata: false,
            },
        );
    }

    let (mut sink, mut stream) = socket.split();
    let mut first_message = true;
    let mut deaf = false;
    let mut killed = false;
    loop {
        tokio::select! {
            _ = kill.notified() => {
                // What was sent before the drop still reaches the client, then the connection
                // goes without a close frame (like a network failure or a dying process).
                while let Ok(out) = rx.try_recv() {
                    let msg = match out {
                        Out::Text(text) => Message::Text(text.into()),
                        Out::Binary(bytes) => Message::Binary(bytes.into()),
                    };
                    if sink.send(msg).await.is_err() {
                        break;
                    }
                }
                killed = true;
                break;
            }
            out = rx.recv(), if !deaf => match out {
                Some(Out::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Out::Binary(bytes)) => {
                    if sink.send(Message::Binary(bytes.into())).await.is_err() {
                        break;
                    }
                }
                // Removed from the registry without being killed: another socket with this
                // client id closed and took the entry with it. The server leaves such a socket
                // open but sends it nothing more; so does the emulator.
                None => deaf = true,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if first_message {
                        first_message = !negotiate(&shared, &sid, conn, text.as_str(), &reply);
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                // Binary and control frames are ignored; they do not count as the first message.
                Some(Ok(_)) => {}
            },
        }
    }
    // The server forgets the client id when any of its sockets closes, even if a newer socket
    // took the id over (that newer socket goes deaf: a pitfall clients must handle). A socket
    // killed by the emulator was removed already, and must not remove a reconnected successor.
    if !killed {
        shared.lock().sockets.remove(&sid);
    }
}

/// Feature flags count only as the client's first message, and only a JSON object counts as
/// one: the server's handler raises (and logs) on invalid JSON or a non-object before it marks
/// the first message seen, so a `feature_flags` sent after such a message is still honoured.
/// Returns whether this message was the first one.
fn negotiate(
    shared: &Shared,
    sid: &str,
    conn: u64,
    text: &str,
    reply: &mpsc::WeakSender<Out>,
) -> bool {
    let Ok(Value::Object(msg)) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    if msg.get("type").and_then(Value::as_str) != Some("feature_flags") {
        return true;
    }
    // The server stores whatever `data` holds and answers; a flag is on only when it is `true`.
    let wants = msg
        .get("data")
        .and_then(|d| d.get("supports_preview_metadata"))
        == Some(&Value::Bool(true));
    let mut st = shared.lock();
    if let Some(entry) = st.sockets.get_mut(sid).filter(|e| e.conn == conn) {
        entry.preview_metadata = wants;
    }
    if let Some(tx) = reply.upgrade() {
        let _ = tx.try_send(Out::Text(frame("feature_flags", server_feature_flags())));
    }
    true
}
