//! Shared test helpers: captures, an HTTP client, WebSocket frame collection.

use std::path::PathBuf;
use std::time::Duration;

use comfywire_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Faults};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub fn captures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/captures")
}

pub fn capture(name: &str) -> Value {
    let path = captures_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// An emulator with fast nodes.
pub fn emulator() -> EmulatorHandle {
    emulator_with(EmulatorConfig {
        faults: Faults {
            node_ms: 2,
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    })
}

pub fn emulator_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).expect("emulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Status, content type and body text of a request.
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let text = resp.text().await.unwrap();
    Reply {
        status,
        content_type,
        headers,
        text,
    }
}

pub async fn get(url: &str) -> Reply {
    send(http().get(url)).await
}

pub async fn post_json(url: &str, body: &Value) -> Reply {
    send(
        http()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

pub async fn post_raw(url: &str, body: &str) -> Reply {
    send(
        http()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_string()),
    )
    .await
}

/// A multipart body built by hand (raw file names reach the server unchanged).
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----comfywire-test-boundary";
    let mut body = Vec::new();
    for (name, file_name, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(base: &str, route: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Reply {
    let (ct, body) = multipart(parts);
    send(
        http()
            .post(format!("{base}{route}"))
            .header("content-type", ct)
            .body(body),
    )
    .await
}

/// A small valid PNG of one colour.
pub fn png(rgb: [u8; 3]) -> Vec<u8> {
    // Built through the emulator's own path: a LoadImage of it must see a PNG.
    let row: Vec<u8> = std::iter::once(0).chain((0..4).flat_map(|_| rgb)).collect();
    let raw: Vec<u8> = (0..4).flat_map(|_| row.clone()).collect();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = crc32(kind);
        crc = crc32_update(crc, data);
        out.extend_from_slice(&(!crc).to_be_bytes());
    };
    chunk(b"IHDR", &[0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0, 0, 0]);
    chunk(b"IDAT", &zlib_stored(&raw));
    chunk(b"IEND", &[]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    crc32_update(0xffff_ffff, data)
}

fn crc32_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// zlib with one stored (uncompressed) block.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01, 0x01];
    let len = data.len() as u16;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

// ---- WebSocket -----------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub enum Frame {
    Text(Value),
    /// Text that is not JSON.
    Raw(String),
    Binary(Vec<u8>),
}

impl Frame {
    pub fn event(&self) -> String {
        match self {
            Frame::Text(v) => v["type"].as_str().unwrap_or("?").to_string(),
            Frame::Raw(_) => "RAW".into(),
            Frame::Binary(b) => format!("BIN{}", u32::from_be_bytes(b[..4].try_into().unwrap())),
        }
    }

    pub fn data(&self) -> &Value {
        match self {
            Frame::Text(v) => &v["data"],
            _ => &Value::Null,
        }
    }
}

pub async fn connect(url: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connects");
    ws
}

/// The next frame, or `None` on close / timeout.
pub async fn next_frame(ws: &mut Ws, timeout: Duration) -> Option<Frame> {
    loop {
        let msg = tokio::time::timeout(timeout, ws.next()).await.ok()??.ok()?;
        return Some(match msg {
            Message::Text(t) => match serde_json::from_str(t.as_str()) {
                Ok(v) => Frame::Text(v),
                Err(_) => Frame::Raw(t.to_string()),
            },
            Message::Binary(b) => Frame::Binary(b.to_vec()),
            Message::Close(_) => return None,
            _ => continue,
        });
    }
}

/// Frames until `executing {node: null}` for `prompt_id` (included).
pub async fn until_done(ws: &mut Ws, prompt_id: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    while let Some(f) = next_frame(ws, Duration::from_secs(10)).await {
        let done = f.event() == "executing"
            && f.data()["node"].is_null()
            && f.data()["prompt_id"] == prompt_id;
        frames.push(f);
        if done {
            return frames;
        }
    }
    panic!("socket ended before the job did: {frames:#?}");
}

pub async fn send_text(ws: &mut Ws, v: &Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// Event types of a WS capture, binary frames as `BINn`.
pub fn capture_events(name: &str) -> Vec<String> {
    capture(name)["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["dir"] == "server->client")
        .map(|f| match f.get("text") {
            Some(t) => t["type"].as_str().unwrap().to_string(),
            None => format!("BIN{}", f["event_type_u32be"]),
        })
        .collect()
}

pub fn events(frames: &[Frame]) -> Vec<String> {
    frames.iter().map(Frame::event).collect()
}

/// A capture's request body with our client id.
pub fn body_with_client(capture_name: &str, client_id: &str) -> Value {
    let mut body = capture(capture_name)["request"]["body"].clone();
    body["client_id"] = json!(client_id);
    body
}

/// Submits and returns the prompt id.
pub async fn submit(base: &str, body: &Value) -> String {
    let r = post_json(&format!("{base}/prompt"), body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["prompt_id"].as_str().unwrap().to_string()
}

/// Polls history until the prompt is there.
pub async fn wait_history(base: &str, prompt_id: &str) -> Value {
    for _ in 0..500 {
        let h = get(&format!("{base}/history/{prompt_id}")).await.json();
        if let Some(entry) = h.get(prompt_id) {
            return entry.clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{prompt_id} never reached history");
}

/// Same JSON types and object keys, recursively (arrays: first elements).
pub fn same_shape(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            if kx != ky {
                return Err(format!("{path}: keys {kx:?} != {ky:?}"));
            }
            for (k, v) in x {
                same_shape(v, &y[k], &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => match (x.first(), y.first()) {
            (Some(p), Some(q)) => same_shape(p, q, &format!("{path}[0]")),
            _ => Ok(()),
        },
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Null, Value::Null) => Ok(()),
        _ => Err(format!("{path}: {a} vs {b}")),
    }
}
