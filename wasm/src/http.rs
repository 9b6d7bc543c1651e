//! Sends the core's requests with `fetch` (gloo-net), with a timeout and a size cap.

use comfywire::Error;
use comfywire::protocol::{HttpRequest, HttpResponse, Method};
use futures_util::future::{Either, select};
use gloo_net::http::RequestBuilder;

/// How large a response body may be before the client refuses it.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

fn transport(route: &str, err: impl std::fmt::Display) -> Error {
    Error::Network {
        route: route.to_string(),
        message: err.to_string(),
    }
}

fn boundary() -> String {
    let a = (js_sys::Math::random() * 9.0e15) as u64;
    let b = (js_sys::Math::random() * 9.0e15) as u64;
    format!("comfywire{a:x}{b:x}")
}

pub(crate) async fn send(request: &HttpRequest, timeout_ms: u32) -> Result<HttpResponse, Error> {
    let route = request.route;
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Patch => gloo_net::http::Method::PATCH,
    };
    let controller = web_abort();
    let mut builder = RequestBuilder::new(&request.url).method(method);
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
    let timer = Box::pin(gloo_timers::future::TimeoutFuture::new(timeout_ms));
    let response = match select(fetch, timer).await {
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
        Either::Right(_) => {
            if let Some(c) = controller {
                c.abort();
            }
            return Err(transport(
                route,
                format!("no answer within {timeout_ms} ms"),
            ));
        }
    };
    let status = response.status();
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(size) = declared.filter(|s| *s > MAX_BODY_BYTES) {
        return Err(Error::TooLarge {
            what: format!("response of {route}"),
            size,
            limit: MAX_BODY_BYTES,
        });
    }
    let body = response.binary().await.map_err(|e| transport(route, e))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(Error::TooLarge {
            what: format!("response of {route}"),
            size: body.len(),
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(HttpResponse { status, body })
}

fn web_abort() -> Option<web_sys::AbortController> {
    web_sys::AbortController::new().ok()
}
