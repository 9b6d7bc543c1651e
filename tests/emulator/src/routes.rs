//! The HTTP routes, served at `/x` and `/api/x` (`/internal/*` and the emulator's own
//! `/_emulator/*` only at the root), with the server's status codes and bodies.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use comfywire::validate::INTERNAL_ERROR_TEXT;
use serde_json::{Value, json};

use crate::files::{MODEL_FOLDERS, annotation, content_type, http_date, inside, splitext};
use crate::models::model_files;
use crate::pyjson::{self, truthy};
use crate::state::{MAX_UPLOAD_SIZE, Shared};
use crate::submit::{Answer, submit};
use crate::ws;

type App = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    let api: Router<Arc<Shared>> = Router::new()
        .route("/", get(index))
        .route("/ws", get(ws::upgrade))
        .route("/object_info", get(object_info))
        .route("/object_info/{class}", get(object_info_class))
        .route("/system_stats", get(system_stats))
        .route("/features", get(features))
        .route("/prompt", get(get_prompt).post(post_prompt))
        .route("/queue", get(get_queue).post(post_queue))
        .route("/interrupt", post(interrupt))
        .route("/free", post(free))
        .route("/history", get(get_history).post(post_history))
        .route("/history/{prompt_id}", get(get_history_entry))
        .route("/embeddings", get(embeddings))
        .route("/models", get(models))
        .route("/models/{folder}", get(models_in_folder))
        .route("/extensions", get(extensions))
        .route("/upload/image", post(upload_image))
        .route("/upload/mask", post(upload_mask))
        .route("/view", get(view))
        .route("/view_metadata/{folder}", get(not_found_empty))
        .route("/users", get(users))
        .route("/settings", get(settings))
        .route("/userdata", get(userdata))
        .route("/experiment/models", get(experiment_models));
    Router::new()
        .merge(api.clone())
        .nest("/api", api)
        .route("/internal/files/{kind}", get(internal_files))
        .route("/internal/folder_paths", get(folder_paths))
        .route("/_emulator/config", get(get_config).post(post_config))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/restart", post(restart))
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

// ---- responses ------------------------------------------------------------------------------

/// JSON as the server writes it (`json.dumps` text, `application/json; charset=utf-8`).
pub fn json_response(status: u16, body: &Value) -> Response {
    let mut resp = (status_code(status), pyjson::dumps(body)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn text_response(status: u16, text: &str) -> Response {
    let mut resp = (status_code(status), text.to_string()).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A status with an empty body and no content type.
fn empty(status: u16) -> Response {
    status_code(status).into_response()
}

/// Marks an answer the server makes from a raised aiohttp exception (wrong method, a handler
/// that crashed, a plain GET of `/ws`, a body over the limit, an unknown `/internal` path). Such answers
/// bypass the server's CORS middleware, which only decorates what a handler returns, so they
/// carry no CORS headers and a browser sees them as network errors.
#[derive(Clone, Copy)]
pub struct Raised;

pub fn raised(mut resp: Response) -> Response {
    resp.extensions_mut().insert(Raised);
    resp
}

/// What the server answers when a handler raises (malformed JSON and the like).
fn internal_error() -> Response {
    let mut resp = text_response(500, INTERNAL_ERROR_TEXT);
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    raised(resp)
}

async fn read_body(body: Body) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, MAX_UPLOAD_SIZE)
        .await
        .map_err(|_| {
            raised(text_response(
                413,
                &format!("Maximum request body size {MAX_UPLOAD_SIZE} exceeded."),
            ))
        })
}

/// `await request.json()`: anything unparsable is the server's 500.
async fn read_json(body: Body) -> Result<Value, Response> {
    let bytes = read_body(body).await?;
    serde_json::from_slice(&bytes).map_err(|_| internal_error())
}

// ---- origin check, CORS, forbidden mode, method errors ---------------------------------------

async fn guard(State(shared): App, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/_emulator" || path.starts_with("/_emulator/") {
        return next.run(req).await;
    }
    if shared.faults().forbidden {
        return empty(403);
    }
    let Some(origin) = shared.cors.clone() else {
        if origin_mismatch(req.headers()) {
            return empty(403);
        }
        return method_errors(next.run(req).await);
    };
    // --enable-cors-header: no origin check, every answer carries the CORS headers, and a
    // preflight is answered for any path.
    let mut resp = if req.method() == Method::OPTIONS {
        empty(200)
    } else {
        method_errors(next.run(req).await)
    };
    if resp.extensions().get::<Raised>().is_some() {
        return resp;
    }
    let h = resp.headers_mut();
    let origin = HeaderValue::from_str(&origin).unwrap_or(HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, DELETE, PUT, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Authorization"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    resp
}

/// The server's text for a known path with the wrong method (`Allow` kept).
fn method_errors(mut resp: Response) -> Response {
    if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        let allow = resp.headers().get(header::ALLOW).cloned();
        resp = text_response(405, "405: Method Not Allowed");
        if let Some(allow) = allow {
            resp.headers_mut().insert(header::ALLOW, allow);
        }
        resp = raised(resp);
    }
    resp
}

/// A loopback server refuses a request whose `Origin` names another host:port than `Host`
/// (ports compared only when both carry one; an empty origin such as `null` passes).
fn origin_mismatch(headers: &HeaderMap) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let (Some(host), Some(origin)) = (get(header::HOST), get(header::ORIGIN)) else {
        return false;
    };
    let netloc = origin
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(""))
        .unwrap_or("");
    let netloc = netloc.rsplit('@').next().unwrap_or("");
    let (host_name, host_port) = split_host_port(&host);
    let (origin_name, origin_port) = split_host_port(netloc);
    if !is_loopback(host_name) {
        return false;
    }
    let (h, o) = if host_port.is_none() || origin_port.is_none() {
        (host_name.to_string(), origin_name.to_string())
    } else {
        (host.clone(), netloc.to_string())
    };
    !h.is_empty() && !o.is_empty() && h != o
}

fn split_host_port(s: &str) -> (&str, Option<&str>) {
    if let Some(rest) = s.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((name, tail)) => (name, tail.strip_prefix(':')),
            None => (s, None),
        };
    }
    match s.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            (name, Some(port))
        }
        _ => (s, None),
    }
}

fn is_loopback(name: &str) -> bool {
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => name == "localhost" || name.ends_with(".localhost"),
    }
}

/// A path no route serves. Outside `/internal` the server's static file route takes it: a GET or
/// HEAD is its empty 404 (which the CORS middleware does decorate), any other method a raised 405
/// allowing `GET,HEAD`. Under `/internal` the sub-application raises aiohttp's text 404.
async fn unknown_route(method: Method, uri: axum::http::Uri) -> Response {
    if uri.path() == "/internal" || uri.path().starts_with("/internal/") {
        return raised(text_response(404, "404: Not Found"));
    }
    if method != Method::GET && method != Method::HEAD {
        let mut resp = text_response(405, "405: Method Not Allowed");
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET,HEAD"));
        return raised(resp);
    }
    let mut resp = empty(404);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    resp
}

async fn not_found_empty() -> Response {
    empty(404)
}

// ---- server information -----------------------------------------------------------------------

async fn index() -> Response {
    let mut resp = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><html><head><title>ComfyUI</title></head><body>\
         <p>comfywire-emulator: a ComfyUI 0.3.64 server emulator for tests (no frontend).</p>\
         </body></html>",
    )
        .into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// The catalog with the choices that list folders as they are now (uploads and model files
/// appear, as on the server).
fn object_info_doc(shared: &Shared, class: Option<&str>) -> Value {
    let mut doc = match class {
        None => shared.object_info.clone(),
        Some(c) => match shared.object_info.get(c) {
            Some(info) => json!({ c: info }),
            None => return json!({}),
        },
    };
    crate::models::patch(&mut doc, &shared.dirs);
    doc
}

async fn object_info(State(shared): App) -> Response {
    if let Some(target) = shared.faults().redirect_object_info.clone() {
        let mut resp = empty(302);
        if let Ok(v) = HeaderValue::from_str(&target) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        return resp;
    }
    json_response(200, &object_info_doc(&shared, None))
}

async fn object_info_class(State(shared): App, Path(class): Path<String>) -> Response {
    json_response(200, &object_info_doc(&shared, Some(&class)))
}

async fn system_stats() -> Response {
    const RAM: u64 = 25_276_502_016;
    let os = if cfg!(windows) { "nt" } else { "posix" };
    json_response(
        200,
        &json!({
            "system": {
                "os": os, "ram_total": RAM, "ram_free": RAM / 2,
                "comfyui_version": "0.3.64", "required_frontend_version": "1.27.10",
                "installed_templates_version": "0.1.95", "required_templates_version": "0.1.95",
                "python_version": "3.11.7 (comfywire-emulator)", "pytorch_version": "2.8.0+cpu",
                "embedded_python": false, "argv": ["comfywire-emulator"],
            },
            "devices": [{
                "name": "cpu", "type": "cpu", "index": null, "vram_total": RAM, "vram_free": RAM / 2,
                "torch_vram_total": RAM, "torch_vram_free": RAM / 2,
            }],
        }),
    )
}

async fn features() -> Response {
    json_response(200, &ws::server_feature_flags())
}

async fn embeddings(State(shared): App) -> Response {
    let names: Vec<String> = model_files(&shared.dirs, "embeddings")
        .iter()
        .map(|n| splitext(n).0.to_string())
        .collect();
    json_response(200, &json!(names))
}

async fn models() -> Response {
    json_response(200, &json!(MODEL_FOLDERS))
}

async fn models_in_folder(State(shared): App, Path(folder): Path<String>) -> Response {
    if !MODEL_FOLDERS.contains(&folder.as_str()) {
        return empty(404);
    }
    json_response(200, &json!(model_files(&shared.dirs, &folder)))
}

async fn extensions() -> Response {
    // The emulator serves no frontend, so no frontend extension either.
    json_response(200, &json!([]))
}

async fn users() -> Response {
    json_response(200, &json!({"storage": "server", "migrated": false}))
}

async fn settings() -> Response {
    json_response(200, &json!({}))
}

async fn userdata(Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("dir") {
        None => text_response(400, "Directory not provided"),
        Some(_) => text_response(404, "Directory not found"),
    }
}

async fn experiment_models(State(shared): App) -> Response {
    let list: Vec<Value> = MODEL_FOLDERS
        .iter()
        .filter(|f| !matches!(**f, "configs" | "custom_nodes"))
        .map(|f| json!({"name": f, "folders": [shared.dirs.models().join(f).to_string_lossy()]}))
        .collect();
    json_response(200, &Value::Array(list))
}

async fn internal_files(State(shared): App, Path(kind): Path<String>) -> Response {
    match shared.dirs.newest_first(&kind) {
        Some(names) => json_response(200, &json!(names)),
        None => json_response(400, &json!({"error": "Invalid directory type"})),
    }
}

async fn folder_paths(State(shared): App) -> Response {
    let mut map = serde_json::Map::new();
    for f in MODEL_FOLDERS {
        map.insert(
            f.into(),
            json!([shared.dirs.models().join(f).to_string_lossy()]),
        );
    }
    json_response(200, &Value::Object(map))
}

// ---- prompts, queue, history ------------------------------------------------------------------

async fn get_prompt(State(shared): App) -> Response {
    let remaining = shared.lock().queue_remaining();
    json_response(200, &json!({"exec_info": {"queue_remaining": remaining}}))
}

async fn post_prompt(State(shared): App, body: Body) -> Response {
    if shared.faults().prompt_500 {
        return internal_error();
    }
    let body = match read_json(body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    match submit(&shared, &body) {
        Answer::Json(status, body) => json_response(status, &body),
        Answer::InternalError => internal_error(),
        Answer::AfterJob(body, done) => {
            // Instant finish: the whole run, `executing {node: null}` included, is on the
            // sockets before this answer. A restart drops the waiter; answer anyway.
            let _ = done.await;
            json_response(200, &body)
        }
    }
}

async fn get_queue(State(shared): App) -> Response {
    let st = shared.lock();
    let running: Vec<Value> = st.running.iter().map(|r| r.item.queue_tuple()).collect();
    let pending: Vec<Value> = st.queue.items().iter().map(|i| i.queue_tuple()).collect();
    drop(st);
    json_response(
        200,
        &json!({"queue_running": running, "queue_pending": pending}),
    )
}

async fn post_queue(State(shared): App, body: Body) -> Response {
    let body = match read_json(body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let obj = match &body {
        Value::Object(o) => o,
        Value::Array(_) | Value::String(_) => return empty(200),
        _ => return internal_error(),
    };
    let mut st = shared.lock();
    if obj.get("clear").is_some_and(truthy) {
        st.queue.clear();
        st.broadcast_status();
    }
    match obj.get("delete") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(ids)) => {
            for id in ids {
                // Pending items only: the running one is not in the heap.
                if st
                    .queue
                    .remove_first(|i| id.as_str() == Some(i.prompt_id.as_str()))
                {
                    st.broadcast_status();
                }
            }
        }
        Some(_) => return internal_error(),
    }
    empty(200)
}

async fn interrupt(State(shared): App, body: Body) -> Response {
    // The one handler that tolerates a body that is not JSON (it means "interrupt").
    let body = read_body(body)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .unwrap_or(json!({}));
    let target = body.get("prompt_id");
    let running = shared
        .lock()
        .running
        .as_ref()
        .map(|r| r.item.prompt_id.clone());
    let hit = match target {
        None => true,
        Some(id) => running.is_some() && id.as_str() == running.as_deref(),
    };
    if hit {
        shared
            .interrupt
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
    empty(200)
}

async fn free(State(shared): App, body: Body) -> Response {
    let body = match read_json(body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let Value::Object(obj) = body else {
        return internal_error();
    };
    if obj.get("free_memory").is_some_and(truthy) {
        let mut st = shared.lock();
        if st.running.is_some() {
            st.free_pending = true;
        } else {
            st.cache.clear();
        }
    }
    empty(200)
}

/// Python's `int(text)`.
fn py_int(text: &str) -> Option<i64> {
    let t = text.trim().replace('_', "");
    t.strip_prefix('+').unwrap_or(&t).parse().ok()
}

async fn get_history(State(shared): App, Query(q): Query<HashMap<String, String>>) -> Response {
    let max_items = match q.get("max_items").map(|s| py_int(s)) {
        None => None,
        Some(Some(n)) => Some(n),
        Some(None) => return internal_error(),
    };
    let offset = match q.get("offset").map(|s| py_int(s)) {
        None => -1,
        Some(Some(n)) => n,
        Some(None) => return internal_error(),
    };
    slow_history(&shared).await;
    let st = shared.lock();
    // Without an offset, `max_items` means the last N; an offset counts from the oldest.
    let mut offset = offset;
    if offset < 0
        && let Some(n) = max_items
    {
        offset = st.history.len() as i64 - n;
    }
    let mut out = serde_json::Map::new();
    for (i, (k, v)) in st.history.iter().enumerate() {
        if (i as i64) < offset {
            continue;
        }
        out.insert(k.clone(), v.clone());
        if max_items.is_some_and(|n| out.len() as i64 >= n) {
            break;
        }
    }
    drop(st);
    json_response(200, &Value::Object(out))
}

async fn get_history_entry(State(shared): App, Path(prompt_id): Path<String>) -> Response {
    slow_history(&shared).await;
    let entry = shared.lock().history.get(&prompt_id).cloned();
    match entry {
        Some(e) => json_response(200, &json!({ prompt_id: e })),
        None => json_response(200, &json!({})),
    }
}

async fn slow_history(shared: &Shared) {
    let ms = shared.faults().slow_history_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

async fn post_history(State(shared): App, body: Body) -> Response {
    let body = match read_json(body).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    let obj = match &body {
        Value::Object(o) => o,
        Value::Array(_) | Value::String(_) => return empty(200),
        _ => return internal_error(),
    };
    let mut st = shared.lock();
    if obj.get("clear").is_some_and(truthy) {
        st.history.clear();
    }
    match obj.get("delete") {
        None | Some(Value::String(_)) => {}
        Some(Value::Array(ids)) => {
            for id in ids.iter().filter_map(Value::as_str) {
                st.history.shift_remove(id);
            }
        }
        Some(_) => return internal_error(),
    }
    empty(200)
}

// ---- files --------------------------------------------------------------------------------------

/// The parts of a multipart form the upload routes read.
struct Form {
    image: Option<(String, Bytes)>,
    fields: HashMap<String, String>,
}

async fn read_form(req: Request) -> Result<Form, Response> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    let boundary = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| empty(400))?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = Form {
        image: None,
        fields: HashMap::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(|_| empty(400))? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field.bytes().await.map_err(|_| empty(400))?;
        match file_name {
            Some(f) if name == "image" && form.image.is_none() => form.image = Some((f, data)),
            _ => {
                form.fields
                    .entry(name)
                    .or_insert_with(|| String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    Ok(form)
}

async fn upload_image(State(shared): App, req: Request) -> Response {
    match read_form(req).await {
        Ok(form) => upload(&shared, form, false),
        Err(resp) => resp,
    }
}

async fn upload_mask(State(shared): App, req: Request) -> Response {
    match read_form(req).await {
        Ok(form) => upload(&shared, form, true),
        Err(resp) => resp,
    }
}

/// Saves an upload under its name, or `name (1).ext`, `name (2).ext`… when a different file has
/// it; a file with identical bytes is reused; `overwrite=true|1` replaces.
fn upload(shared: &Shared, form: Form, mask: bool) -> Response {
    let Some((filename, data)) = form.image else {
        return empty(400);
    };
    let kind = form.fields.get("type").map_or("input", String::as_str);
    let Some(base) = shared.dirs.of_type(kind) else {
        return internal_error(); // the server raises on an unknown type
    };
    let overwrite = matches!(
        form.fields.get("overwrite").map(String::as_str),
        Some("true" | "1")
    );
    let subfolder = form.fields.get("subfolder").cloned().unwrap_or_default();
    if filename.is_empty() || filename.starts_with('/') || filename.contains("..") {
        return empty(400);
    }
    let Some(folder) = inside(&base, &subfolder) else {
        return empty(400);
    };
    // A mask is saved only when its original image exists (the server composes the two; the
    // emulator keeps the uploaded bytes). A bad reference still answers 200 with the name.
    let write = if mask {
        let Some(reference) = form
            .fields
            .get("original_ref")
            .and_then(|r| serde_json::from_str::<Value>(r).ok())
        else {
            return internal_error();
        };
        original_exists(shared, &reference)
    } else {
        true
    };
    if std::fs::create_dir_all(&folder).is_err() {
        return internal_error();
    }
    let (stem, ext) = splitext(&filename);
    let mut name = filename.clone();
    let mut same_content = false;
    if !overwrite {
        let mut i = 1;
        while folder.join(&name).exists() {
            if std::fs::read(folder.join(&name)).is_ok_and(|existing| existing == data) {
                same_content = true;
                break;
            }
            name = format!("{stem} ({i}){ext}");
            i += 1;
        }
    }
    if write && !same_content && std::fs::write(folder.join(&name), &data).is_err() {
        return internal_error();
    }
    json_response(
        200,
        &json!({"name": name, "subfolder": subfolder, "type": kind}),
    )
}

fn original_exists(shared: &Shared, reference: &Value) -> bool {
    let Some(filename) = reference.get("filename").and_then(Value::as_str) else {
        return false;
    };
    let kind = reference
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("input");
    let sub = reference
        .get("subfolder")
        .and_then(Value::as_str)
        .unwrap_or("");
    let path = if sub.is_empty() {
        filename.to_string()
    } else {
        format!("{sub}/{filename}")
    };
    shared.dirs.file_exists(kind, &path)
}

/// `GET /view`: a file from `input/`, `output/` or `temp/`.
async fn view(State(shared): App, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(raw) = q.get("filename") else {
        return empty(404);
    };
    let (filename, annotated) = annotation(raw);
    if filename.is_empty() || filename.starts_with('/') || filename.contains("..") {
        return empty(400);
    }
    let kind = annotated.unwrap_or_else(|| q.get("type").map_or("output", String::as_str));
    let Some(base) = shared.dirs.of_type(kind) else {
        return empty(400);
    };
    let folder = match q.get("subfolder") {
        Some(sub) => match inside(&base, sub) {
            Some(f) => f,
            None => return empty(403),
        },
        None => base,
    };
    let name = filename.rsplit('/').next().unwrap_or(filename);
    let path = folder.join(name);
    let (Ok(meta), Ok(bytes)) = (std::fs::metadata(&path), std::fs::read(&path)) else {
        return empty(404);
    };
    if !meta.is_file() {
        return empty(404);
    }
    if let Some(conversion) = crate::view::Conversion::from_query(&q)
        && let Some((bytes, content_type)) = crate::view::convert(&bytes, conversion)
    {
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Ok(v) = HeaderValue::from_str(&format!("filename=\"{name}\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return resp;
    }
    let modified = meta.modified().unwrap_or(std::time::SystemTime::UNIX_EPOCH);
    let mtime_ns = modified
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, k, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    set(h, header::CONTENT_TYPE, content_type(name).to_string());
    set(
        h,
        header::CONTENT_DISPOSITION,
        format!("filename=\"{name}\""),
    );
    set(
        h,
        header::ETAG,
        format!("\"{mtime_ns:x}-{:x}\"", meta.len()),
    );
    set(h, header::LAST_MODIFIED, http_date(modified));
    set(h, header::ACCEPT_RANGES, "bytes".to_string());
    resp
}

// ---- the emulator's own controls -------------------------------------------------------------

async fn get_config(State(shared): App) -> Response {
    json_response(200, &shared.faults().to_json())
}

async fn post_config(State(shared): App, body: Body) -> Response {
    let patch = match read_body(body)
        .await
        .map(|b| serde_json::from_slice::<Value>(&b))
    {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return json_response(400, &json!({"error": format!("invalid JSON: {e}")})),
        Err(resp) => return resp,
    };
    let mut st = shared.lock();
    match st.faults.merge(&patch) {
        Ok(()) => json_response(200, &st.faults.to_json()),
        Err(e) => json_response(400, &json!({"error": e})),
    }
}

async fn reset(State(shared): App) -> Response {
    let mut st = shared.lock();
    st.faults = shared.initial_faults.clone();
    json_response(200, &st.faults.to_json())
}

async fn restart(State(shared): App) -> Response {
    crate::restart(&shared, &tokio::runtime::Handle::current());
    empty(200)
}
