//! `NativeClient` / `NativeJob`: the native transport (`comfywire-client`: reqwest + rustls and
//! tokio-tungstenite on napi's tokio runtime) behind the same interface as the wasm build's.
//! Requests are built and answers parsed by the core; this file converts arguments.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use comfywire::js;
use comfywire::protocol::{JobEvent, ServerMessage};
use comfywire_client::{Client, ClientConfig, Job, JobOptions, Messages};
use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;
use tokio::sync::Mutex;

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

/// Connects to a server (options as JSON text, see `comfywire::js::connect_options`) and
/// resolves once its WebSocket is open.
#[napi]
pub async fn connect(options_json: String) -> Result<NativeClient> {
    guarded(async move {
        let config = ClientConfig::from_options(js::connect_options(&parse(&options_json)?)?);
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
    pub bytes: Option<Uint8Array>,
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
    messages: Arc<Mutex<Option<Messages>>>,
}

impl std::fmt::Debug for NativeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeClient")
            .field("client", &self.client)
            .finish()
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
            let (queue, timeout_ms) = js::submit_options(&options(options_json)?)?;
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

    /// One request and its answer (`comfywire::js::server_call` names them: `queue`,
    /// `history`, `upload`, `view`, `free`…): JSON text, bytes, or `null`.
    #[napi]
    pub async fn call(
        &self,
        name: String,
        options_json: Option<String>,
        bytes: Option<Uint8Array>,
    ) -> Result<Option<Either<String, Uint8Array>>> {
        let data = bytes.map(|b| b.to_vec());
        guarded(async {
            let call =
                js::server_call(self.client.endpoint(), &name, &options(options_json)?, data)?;
            let answer = self.client.send(&call.request).await?;
            Ok(match call.answer(answer)? {
                js::CallAnswer::Nothing => None,
                js::CallAnswer::Text(text) => Some(Either::A(text)),
                js::CallAnswer::Bytes(bytes) => Some(Either::B(Uint8Array::from(bytes))),
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

    /// Starts keeping server messages for `nextMessage` (from now on; the newest 1024 unread
    /// are kept, the session's rule).
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
        let Some(messages) = slot.as_mut() else {
            return Ok(None);
        };
        Ok(messages.next().await.map(|message| {
            let bytes = match &message {
                ServerMessage::Preview { image, .. } => Some(Uint8Array::from(image.clone())),
                _ => None,
            };
            Item {
                json: js::message_json(&message).to_string(),
                bytes,
            }
        }))
    }

    /// How often the client woke for a deadline (an idle client sleeps: tests count this).
    #[napi(js_name = "timerWakeups")]
    pub fn timer_wakeups(&self) -> f64 {
        self.client.timer_wakeups() as f64
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
        let json = js::event_json(&self.prompt_id, &event, Some(self.client.endpoint()));
        let bytes = match &event {
            JobEvent::Preview { image, .. } => Some(Uint8Array::from(image.clone())),
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
