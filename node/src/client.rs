//! `NativeClient` / `NativeJob`: the native transport (`comfywire-client`: reqwest + rustls and
//! tokio-tungstenite on napi's tokio runtime) behind the same interface as the wasm build's.
//! Requests are built and answers parsed by the core; this file converts arguments.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use comfywire::api;
use comfywire::protocol::{HttpRequest, JobEvent, ServerMessage, response};
use comfywire_client::{Client, ClientConfig, Job, JobOptions};
use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::{Mutex, broadcast};

use crate::catalogs::Catalog;
use crate::{internal, js_error, parse};

/// Awaits `f`, turning core errors into thrown errors and panics into `INTERNAL`.
async fn guarded<T>(f: impl Future<Output = comfywire::Result<T>>) -> napi::Result<T> {
    match AssertUnwindSafe(f).catch_unwind().await {
        Ok(result) => result.map_err(|e| js_error(&e)),
        Err(payload) => Err(internal(payload.as_ref())),
    }
}

fn options(text: Option<String>) -> comfywire::Result<Value> {
    match text {
        Some(t) if !t.is_empty() => parse(&t),
        _ => Ok(Value::Null),
    }
}

/// Connects to a server (options as JSON text, see `comfywire::api::connect_options`) and
/// resolves once its WebSocket is open.
#[napi]
pub async fn connect(options_json: String) -> Result<NativeClient> {
    guarded(async move {
        let o = api::connect_options(&parse(&options_json)?)?;
        let mut config = ClientConfig::new(&o.server);
        config.client_id = o.client_id;
        config.api_prefix = o.api_prefix;
        config.bearer = o.bearer;
        config.basic = o.basic;
        config.headers = o.headers;
        config.ws_token = o.ws_token;
        config.request_timeout = std::time::Duration::from_millis(o.request_timeout_ms);
        config.silence = std::time::Duration::from_millis(o.silence_ms);
        let client = Client::connect(config).await?;
        Ok(NativeClient {
            client,
            messages: Arc::new(Mutex::new(None)),
        })
    })
    .await
}

/// An event or server message: JSON text, and the image bytes of a preview.
#[napi(object)]
pub struct Item {
    pub json: String,
    pub bytes: Option<Buffer>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item")
            .field("json", &self.json)
            .field("bytes", &self.bytes.as_ref().map(|b| b.len()))
            .finish()
    }
}

/// One server, one WebSocket, every job this client submits.
#[napi]
pub struct NativeClient {
    client: Client,
    messages: Arc<Mutex<Option<broadcast::Receiver<ServerMessage>>>>,
}

impl std::fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClient")
            .field("client", &self.client)
            .finish()
    }
}

impl NativeClient {
    async fn simple(&self, request: HttpRequest) -> napi::Result<()> {
        guarded(async {
            let answer = self.client.send(&request).await?;
            response::expect_ok(request.route, &answer)
        })
        .await
    }

    async fn json(&self, request: HttpRequest) -> napi::Result<String> {
        guarded(async {
            let answer = self.client.send(&request).await?;
            Ok(response::json_body(request.route, &answer)?.to_string())
        })
        .await
    }
}

#[napi]
impl NativeClient {
    #[napi(getter, js_name = "clientId")]
    pub fn client_id(&self) -> String {
        self.client.client_id().to_string()
    }

    /// Queues an API prompt (JSON text) and follows it; a refused prompt throws
    /// `PROMPT_REJECTED` with the server's `nodeErrors`.
    #[napi]
    pub async fn submit(&self, prompt: String, options_json: Option<String>) -> Result<NativeJob> {
        guarded(async {
            let prompt = comfywire::Prompt::from_value(&parse(&prompt)?)?;
            let (queue, timeout_ms) = api::submit_options(&options(options_json)?)?;
            let job = self
                .client
                .submit(
                    &prompt,
                    JobOptions {
                        queue,
                        timeout: timeout_ms.map(std::time::Duration::from_millis),
                    },
                )
                .await?;
            Ok(NativeJob {
                prompt_id: job.prompt_id.clone(),
                job: Arc::new(Mutex::new(job)),
                client: self.client.clone(),
            })
        })
        .await
    }

    /// Cancels one of this client's jobs and nothing else.
    #[napi]
    pub async fn cancel(&self, prompt_id: String) -> Result<()> {
        guarded(self.client.cancel(&prompt_id)).await
    }

    /// `POST /interrupt` as given (no id interrupts whatever runs: prefer `cancel`).
    #[napi]
    pub async fn interrupt(&self, prompt_id: Option<String>) -> Result<()> {
        guarded(self.client.interrupt(prompt_id.as_deref())).await
    }

    /// `{running, pending}` as JSON text.
    #[napi]
    pub async fn queue(&self) -> Result<String> {
        guarded(async { Ok(api::queue_json(&self.client.queue().await?).to_string()) }).await
    }

    /// History entries (one, or the last `maxItems`), as the server stores them.
    #[napi]
    pub async fn history(
        &self,
        prompt_id: Option<String>,
        options_json: Option<String>,
    ) -> Result<String> {
        let (max, offset) = crate::guard(|| api::history_options(&options(options_json)?))?;
        let request = self
            .client
            .endpoint()
            .history(prompt_id.as_deref(), max, offset);
        self.json(request).await
    }

    #[napi(js_name = "deleteHistory")]
    pub async fn delete_history(&self, ids_json: String) -> Result<()> {
        let ids = crate::guard(|| api::id_list(&parse(&ids_json)?))?;
        self.simple(self.client.endpoint().delete_history(&ids))
            .await
    }

    #[napi(js_name = "clearHistory")]
    pub async fn clear_history(&self) -> Result<()> {
        self.simple(self.client.endpoint().clear_history()).await
    }

    #[napi(js_name = "deleteQueued")]
    pub async fn delete_queued(&self, ids_json: String) -> Result<()> {
        let ids = crate::guard(|| api::id_list(&parse(&ids_json)?))?;
        self.simple(self.client.endpoint().delete_queued(&ids))
            .await
    }

    #[napi(js_name = "clearQueue")]
    pub async fn clear_queue(&self) -> Result<()> {
        self.simple(self.client.endpoint().clear_queue()).await
    }

    /// Uploads an input file → `{filename, subfolder, type, inputName}` (the server may rename it).
    #[napi]
    pub async fn upload(
        &self,
        bytes: Buffer,
        filename: String,
        options_json: Option<String>,
    ) -> Result<String> {
        let o = crate::guard(|| api::upload_options(&options(options_json)?))?;
        let data = bytes.to_vec();
        guarded(async {
            let file = self
                .client
                .upload(&o.kind, &filename, data, &o.subfolder, o.overwrite)
                .await?;
            Ok(api::uploaded_json(&file).to_string())
        })
        .await
    }

    /// Downloads a file named by `{filename, subfolder, type}` (JSON text).
    #[napi]
    pub async fn view(&self, file_json: String) -> Result<Buffer> {
        let file = crate::guard(|| api::file_ref(&parse(&file_json)?))?;
        guarded(async { Ok(Buffer::from(self.client.view(&file).await?)) }).await
    }

    /// The server's `/object_info` text.
    #[napi(js_name = "objectInfoText")]
    pub async fn object_info_text(&self) -> Result<String> {
        guarded(async {
            let answer = self
                .client
                .send(&self.client.endpoint().object_info(None))
                .await?;
            response::expect_ok("/object_info", &answer)?;
            String::from_utf8(answer.body).map_err(|e| comfywire::Error::BadResponse {
                route: "/object_info".into(),
                message: e.to_string(),
            })
        })
        .await
    }

    /// The server's catalog, parsed in Rust (the text never becomes a JavaScript object).
    #[napi(js_name = "objectInfo")]
    pub async fn object_info(&self) -> Result<Catalog> {
        let catalog = guarded(self.client.object_info(None)).await?;
        Ok(Catalog::register(Arc::new(catalog)))
    }

    #[napi(js_name = "systemStats")]
    pub async fn system_stats(&self) -> Result<String> {
        self.json(self.client.endpoint().system_stats()).await
    }

    /// `POST /free` with `{unloadModels, freeMemory}` (JSON text); named as in the wasm build,
    /// where `free` releases the object.
    #[napi(js_name = "freeServer")]
    pub async fn free_server(&self, options_json: Option<String>) -> Result<()> {
        let (unload, free) = crate::guard(|| api::free_options(&options(options_json)?))?;
        guarded(self.client.free(unload, free)).await
    }

    /// Starts keeping server messages for `nextMessage` (from now on; the most recent 1024
    /// when they are not read fast enough).
    #[napi(js_name = "watchMessages")]
    pub fn watch_messages(&self) {
        // Synchronous, so messages count from the moment the caller returns. A slot that is
        // locked is being read by `nextMessage`, so it is already watching.
        if let Ok(mut slot) = self.messages.try_lock()
            && slot.is_none()
        {
            *slot = Some(self.client.messages());
        }
    }

    /// The next server message as `{type, ...}` JSON (a preview's bytes beside it), or `null`
    /// once the client is closed or when `watchMessages` was not called.
    #[napi(js_name = "nextMessage")]
    pub async fn next_message(&self) -> Result<Option<Item>> {
        let mut slot = self.messages.lock().await;
        let Some(rx) = slot.as_mut() else {
            return Ok(None);
        };
        loop {
            // The channel outlives the socket: stop on close, or the pending promise would
            // keep Node's event loop alive forever.
            let received = tokio::select! {
                received = rx.recv() => received,
                () = self.client.closed() => return Ok(None),
            };
            match received {
                Ok(message) => {
                    let bytes = match &message {
                        ServerMessage::Preview { image, .. } => Some(Buffer::from(image.clone())),
                        _ => None,
                    };
                    return Ok(Some(Item {
                        json: api::message_json(&message).to_string(),
                        bytes,
                    }));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return Ok(None),
            }
        }
    }

    /// Closes the socket and stops the timers; unfinished jobs end as lost.
    #[napi]
    pub fn close(&self) {
        self.client.close();
    }
}

/// One submitted job: its events in order, ending with `finished`.
#[napi]
pub struct NativeJob {
    prompt_id: String,
    job: Arc<Mutex<Job>>,
    client: Client,
}

impl std::fmt::Debug for NativeJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeJob")
            .field("prompt_id", &self.prompt_id)
            .finish()
    }
}

#[napi]
impl NativeJob {
    #[napi(getter, js_name = "promptId")]
    pub fn prompt_id(&self) -> String {
        self.prompt_id.clone()
    }

    /// The next event as JSON text (a preview's bytes beside it), or `null` after `finished`.
    #[napi]
    pub async fn next(&self) -> Result<Option<Item>> {
        let mut job = self.job.lock().await;
        let Some(event) = job.next().await else {
            return Ok(None);
        };
        let json = api::event_json(&self.prompt_id, &event, Some(self.client.endpoint()));
        let bytes = match &event {
            JobEvent::Preview { image, .. } => Some(Buffer::from(image.clone())),
            _ => None,
        };
        Ok(Some(Item {
            json: json.to_string(),
            bytes,
        }))
    }

    /// Cancels this job (interrupt if it runs, dequeue if it waits) and no other.
    #[napi]
    pub async fn cancel(&self) -> Result<()> {
        guarded(self.client.cancel(&self.prompt_id)).await
    }
}
