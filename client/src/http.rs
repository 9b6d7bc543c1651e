//! Sends the core's [`HttpRequest`]s with reqwest (rustls), with a timeout and a size cap.

use std::time::Duration;

use comfywire::Error;
use comfywire::protocol::{HttpRequest, HttpResponse, Method, secrets};

/// How large a response body may grow before the client stops reading it.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

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
        let mut last = None;
        while let Some(current) = redirects.next() {
            let (response, location) = self.send_once(current, timeout).await?;
            redirects.answered(response.status, location.as_deref())?;
            last = Some(response);
        }
        last.ok_or_else(|| transport(request.route, "no request was sent"))
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
        if response
            .content_length()
            .is_some_and(|len| len as usize > MAX_BODY_BYTES)
        {
            let size = response.content_length().unwrap_or(0) as usize;
            return Err(Error::TooLarge {
                what: format!("response of {}", request.route),
                size,
                limit: MAX_BODY_BYTES,
            });
        }
        // Read in chunks so a hostile server cannot make the client buffer without bound.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Error::TooLarge {
                    what: format!("response of {}", request.route),
                    size: body.len() + chunk.len(),
                    limit: MAX_BODY_BYTES,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok((HttpResponse { status, body }, location))
    }
}
