//! Sends the core's requests with `fetch` (gloo-net), with a timeout and a size cap.

use comfywire::Error;
use comfywire::protocol::{
    HttpRequest, HttpResponse, MAX_BODY_BYTES, Method, body_too_large, secrets,
};
use futures_util::future::{Either, select};
use gloo_net::http::RequestBuilder;

fn transport(route: &str, err: impl std::fmt::Display) -> Error {
    Error::Network {
        route: route.to_string(),
        message: secrets::redact_text(&err.to_string()),
    }
}

fn boundary() -> String {
    let a = (js_sys::Math::random() * 9.0e15) as u64;
    let b = (js_sys::Math::random() * 9.0e15) as u64;
    format!("comfywire{a:x}{b:x}")
}

/// Sends `request`, following the redirects the core allows (no body redirected, no header
/// sent to another origin). `fetch` is asked not to follow them itself: it would keep custom
/// headers across origins.
pub(crate) async fn send(request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, Error> {
    let mut redirects = secrets::Redirects::new(request);
    loop {
        let (response, location) = send_once(redirects.request(), timeout_ms).await?;
        if !redirects.follow(response.status, location.as_deref())? {
            return Ok(response);
        }
    }
}

async fn send_once(
    request: &HttpRequest,
    timeout_ms: u32,
) -> Result<(HttpResponse, Option<String>), Error> {
    let route = request.route;
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Patch => gloo_net::http::Method::PATCH,
    };
    let controller = web_abort();
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .redirect(web_sys::RequestRedirect::Manual);
    if let Some(c) = &controller {
        builder = builder.abort_signal(Some(&c.signal()));
    }
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let (content_type, body) = request.body.encode(&boundary());
    let ready = match content_type {
        Some(ct) => builder
            .header("Content-Type", &ct)
            .body(js_sys::Uint8Array::from(body.as_slice())),
        None => builder.build(),
    }
    .map_err(|e| transport(route, e))?;
    let fetch = Box::pin(ready.send());
    // One timer for the whole exchange, body included: a server that trickles its body, or
    // never ends it, runs into the same deadline as one that never answers.
    let mut timer = Box::pin(gloo_timers::future::TimeoutFuture::new(timeout_ms));
    let timed_out = |controller: Option<web_sys::AbortController>| {
        if let Some(c) = controller {
            c.abort();
        }
        Error::Timeout {
            route: route.to_string(),
            after_ms: u64::from(timeout_ms),
        }
    };
    let response = match select(fetch, &mut timer).await {
        Either::Left((result, _)) => result.map_err(|e| {
            transport(
                route,
                format!(
                    "{e} (the server is unreachable, or, in a browser, it answered without CORS \
                     headers: ComfyUI sends them only when started with --enable-cors-header, \
                     and never on its 404, 405 and 500 errors)"
                ),
            )
        })?,
        Either::Right(_) => return Err(timed_out(controller)),
    };
    // A browser hides a manual redirect (an "opaqueredirect" of status 0); Node shows it.
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Err(Error::Network {
            route: route.to_string(),
            message: "the server answered with a redirect, which the browser does not let \
                      comfywire read; not followed (credentials never go to another origin)"
                .into(),
        });
    }
    let status = response.status();
    let location = response.headers().get("location");
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(size) = declared.filter(|s| *s > MAX_BODY_BYTES) {
        return Err(body_too_large(route, size));
    }
    let body = match select(Box::pin(read_capped(&response, route)), &mut timer).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => return Err(timed_out(controller)),
    };
    if body.is_err()
        && let Some(c) = &controller
    {
        c.abort(); // stop the download the cap refused
    }
    Ok((
        HttpResponse {
            status,
            body: body?,
        },
        location,
    ))
}

/// The body, read chunk by chunk and refused as soon as it passes [`MAX_BODY_BYTES`]: `fetch`
/// decodes `Content-Encoding` itself, so a small gzip body can inflate far past any declared
/// length, and buffering it whole first could exhaust the page.
async fn read_capped(response: &gloo_net::http::Response, route: &str) -> Result<Vec<u8>, Error> {
    use wasm_bindgen::JsCast;
    let Some(stream) = response.body() else {
        return Ok(Vec::new()); // no body (204, HEAD…)
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|_| transport(route, "the response body has no default reader"))?;
    let mut body = Vec::new();
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read())
            .await
            .map_err(|e| transport(route, format!("{e:?}")))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            return Ok(body);
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(|e| transport(route, format!("{e:?}")))?;
        let bytes = js_sys::Uint8Array::new(&value);
        let size = body.len() + bytes.length() as usize;
        if size > MAX_BODY_BYTES {
            let _ = reader.cancel();
            return Err(body_too_large(route, size));
        }
        let start = body.len();
        body.resize(size, 0);
        bytes.copy_to(&mut body[start..]);
    }
}

fn web_abort() -> Option<web_sys::AbortController> {
    web_sys::AbortController::new().ok()
}
