//! Sends the core's [`HttpRequest`]s with reqwest (rustls), with a timeout and a size cap.

use std::time::Duration;

use comfywire::Error;
pub use comfywire::protocol::MAX_BODY_BYTES;
use comfywire::protocol::{HttpRequest, HttpResponse, Method, body_too_large, secrets};

#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

/// A transport failure, its message without any `user:password@` reqwest put in it.
fn transport(route: &str, err: impl std::fmt::Display) -> Error {
    Error::Network {
        route: route.to_string(),
        message: secrets::redact_text(&err.to_string()),
    }
}

impl Http {
    pub(crate) fn new(timeout: Duration) -> Result<Self, Error> {
        // Redirects are followed by `send`, as the core decides (no body redirected, no header
        // sent to another origin), not by reqwest, which keeps custom headers across hosts.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| transport("client", e))?;
        Ok(Http { client, timeout })
    }

    /// Sends `request`, following redirects the core allows; a status error is the caller's to
    /// interpret (the core's parsers do).
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        timeout: Option<Duration>,
    ) -> Result<HttpResponse, Error> {
        let mut redirects = secrets::Redirects::new(request);
        loop {
            let (response, location) = self.send_once(redirects.request(), timeout).await?;
            if !redirects.follow(response.status, location.as_deref())? {
                return Ok(response);
            }
        }
    }

    /// One exchange: the response and its `Location`, if any.
    async fn send_once(
        &self,
        request: &HttpRequest,
        timeout: Option<Duration>,
    ) -> Result<(HttpResponse, Option<String>), Error> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
        };
        let boundary = format!("comfywire{:016x}", rand::random::<u64>());
        let (content_type, body) = request.body.encode(&boundary);
        let mut builder = self
            .client
            .request(method, &request.url)
            .timeout(timeout.unwrap_or(self.timeout));
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(ct) = content_type {
            builder = builder.header("Content-Type", ct).body(body);
        }
        let limit = timeout.unwrap_or(self.timeout);
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                Error::Timeout {
                    route: request.route.to_string(),
                    after_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
                }
            } else {
                transport(request.route, e)
            }
        };
        let mut response = builder.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let Some(size) = response
            .content_length()
            .map(|len| usize::try_from(len).unwrap_or(usize::MAX))
            .filter(|len| *len > MAX_BODY_BYTES)
        {
            return Err(body_too_large(request.route, size));
        }
        // Read in chunks so a hostile server cannot make the client buffer without bound.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(body_too_large(request.route, body.len() + chunk.len()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((HttpResponse { status, body }, location))
    }
}
