//! The hosted task-API profile ([`comfywire::protocol::hosted`]) over reqwest: submit a stored
//! workflow by id with a sparse prompt, poll until the core's session says it ended, download
//! the files. The same [`Session`] as for a ComfyUI server decides everything; this only sends
//! what it asks for and sleeps until its next deadline.

use std::time::{Duration, Instant};

use comfywire::Error;
use comfywire::protocol::hosted::{self, HostedEndpoint};
use comfywire::protocol::{HttpRequest, JobEvent, JobResult, NextEvent, Session, SessionConfig};
use serde_json::Value;

use crate::http::Http;

/// How to reach a hosted service. `Debug` hides the API key.
#[derive(Clone)]
pub struct HostedConfig {
    /// The folder holding `comfy_task_api/` (e.g. `https://cloud.infini-ai.com/api/maas/`).
    pub base_url: String,
    pub api_key: String,
    pub poll_every: Duration,
    pub request_timeout: Duration,
    /// How long download URLs stay valid.
    pub url_expire: Duration,
}

impl std::fmt::Debug for HostedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostedConfig")
            .field(
                "base_url",
                &comfywire::protocol::secrets::redact_url(&self.base_url),
            )
            .field("api_key", &"***")
            .field("poll_every", &self.poll_every)
            .field("request_timeout", &self.request_timeout)
            .field("url_expire", &self.url_expire)
            .finish()
    }
}

impl HostedConfig {
    pub fn new(base_url: &str, api_key: &str) -> Self {
        HostedConfig {
            base_url: base_url.to_string(),
            api_key: api_key.to_string(),
            poll_every: Duration::from_secs(2),
            request_timeout: Duration::from_secs(30),
            url_expire: Duration::from_secs(3600),
        }
    }
}

/// A client of a hosted task API.
#[derive(Debug, Clone)]
pub struct HostedClient {
    endpoint: HostedEndpoint,
    http: Http,
    config: HostedConfig,
}

impl HostedClient {
    pub fn new(config: HostedConfig) -> Result<Self, Error> {
        Ok(HostedClient {
            endpoint: HostedEndpoint::new(&config.base_url, &config.api_key)?,
            http: Http::new(config.request_timeout)?,
            config,
        })
    }

    async fn send(
        &self,
        request: &HttpRequest,
    ) -> Result<comfywire::protocol::HttpResponse, Error> {
        self.http.send(request, None).await
    }

    /// Uploads an input image; returns the `image_id` to put where a `LoadImage` file name goes.
    pub async fn upload_image(
        &self,
        file_name: &str,
        content_type: &str,
        data: Vec<u8>,
    ) -> Result<String, Error> {
        let request = self.endpoint.upload_image(file_name, content_type, data);
        hosted::upload_response(&self.send(&request).await?)
    }

    /// Queues `workflow_id` with `prompt` overriding some inputs; returns the task id.
    pub async fn submit(&self, workflow_id: &str, prompt: Option<&Value>) -> Result<String, Error> {
        let request = self.endpoint.submit(workflow_id, prompt);
        hosted::submit_response(&self.send(&request).await?)
    }

    /// Submits and follows a task to its end, calling `on_event` for each event; `timeout`
    /// ends it as [`comfywire::protocol::Outcome::TimedOut`].
    pub async fn run(
        &self,
        workflow_id: &str,
        prompt: Option<&Value>,
        timeout: Option<Duration>,
        mut on_event: impl FnMut(&JobEvent),
    ) -> Result<JobResult, Error> {
        let started = Instant::now();
        let now = || started.elapsed().as_millis() as u64;
        let poll_ms = self.config.poll_every.as_millis() as u64;
        let mut session = Session::hosted(self.endpoint.clone(), poll_ms, SessionConfig::default());
        let task_id = self.submit(workflow_id, prompt).await?;
        session.track_task(&task_id, timeout.map(|t| t.as_millis() as u64), now())?;
        loop {
            while let Some(transmit) = session.poll_transmit() {
                let answer = self.send(&transmit.request).await;
                session.on_response(transmit.id, answer, now());
            }
            while let NextEvent::Event(event) = session.next_event(&task_id) {
                on_event(&event);
                if let JobEvent::Finished(result) = event {
                    return Ok(result);
                }
            }
            let wake = session.poll_timeout().unwrap_or(now() + poll_ms);
            tokio::time::sleep(Duration::from_millis(wake.saturating_sub(now()))).await;
            session.handle_timeout(now());
        }
    }

    /// Downloads one output URL (signed; no key is sent to the storage host).
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, Error> {
        let request = HttpRequest {
            method: comfywire::protocol::Method::Get,
            url: url.to_string(),
            headers: Vec::new(),
            body: comfywire::protocol::Body::Empty,
            route: "file",
        };
        let response = self.send(&request).await?;
        comfywire::protocol::response::expect_ok("file", &response)?;
        Ok(response.body)
    }
}
