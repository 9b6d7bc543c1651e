//! Keeping credentials in: URLs with userinfo are shown without it, headers are shown by name
//! only, and a redirect decides which headers may follow it (both transports use this, so
//! neither sends a key to a host it was not meant for).

use std::fmt;

use url::Url;

use super::request::{HttpRequest, Method};
use crate::error::{Error, Result};

/// `url` for messages and `Debug`: a password (and a user name) in it become `***`.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("***");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        // Not a URL: cut anything that looks like `user:pass@` before a host.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                format!("{}***@{}", &url[..scheme + 3], &url[at + 1..])
            }
            _ => url.to_string(),
        },
    }
}

/// Every `scheme://user:pass@` in a free text (a transport's error message) with `***` instead.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == ')')
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                out.push_str("***@");
                out.push_str(&authority[at + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Headers for `Debug`: names only, values hidden (custom headers are often API keys).
pub struct HeaderNames<'a>(pub &'a [(String, String)]);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, _)| (name, "***")))
            .finish()
    }
}

/// A secret for `Debug`: whether it is set, never what it is.
pub struct Hidden<'a, T>(pub &'a Option<T>);

impl<T> fmt::Debug for Hidden<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(***)"
        } else {
            "None"
        })
    }
}

/// How many redirects a request follows before it gives up.
pub const MAX_REDIRECTS: usize = 10;

/// The request of one exchange as redirects move it, for a transport's loop:
/// `loop { send redirects.request(); if !redirects.follow(status, location)? { return it } }`.
#[derive(Debug)]
pub struct Redirects<'a> {
    current: std::borrow::Cow<'a, HttpRequest>,
    followed: usize,
}

impl<'a> Redirects<'a> {
    pub fn new(request: &'a HttpRequest) -> Self {
        Redirects {
            current: std::borrow::Cow::Borrowed(request),
            followed: 0,
        }
    }

    /// The request to send now.
    pub fn request(&self) -> &HttpRequest {
        &self.current
    }

    /// The answer to [`Redirects::request`]: `true` when it was a redirect to follow (send
    /// [`Redirects::request`] again), `false` when it is the response.
    pub fn follow(&mut self, status: u16, location: Option<&str>) -> Result<bool> {
        let Some(next) = follow_redirect(&self.current, status, location)? else {
            return Ok(false);
        };
        if self.followed == MAX_REDIRECTS {
            return Err(Error::Http {
                status,
                route: self.current.route.to_string(),
                body: format!("more than {MAX_REDIRECTS} redirects"),
            });
        }
        self.followed += 1;
        self.current = std::borrow::Cow::Owned(next);
        Ok(true)
    }
}

/// The request to send after `status` with `location` answered `request`, or `None` when the
/// answer is not a redirect to follow (the caller then treats it as the response).
///
/// Only GETs follow, to the same method. A request with a body is never redirected: a 301–303
/// would turn an upload or a prompt into a GET somewhere else. Across origins (scheme, host,
/// port) every header is dropped: `Authorization` and the caller's custom headers alike.
pub fn follow_redirect(
    request: &HttpRequest,
    status: u16,
    location: Option<&str>,
) -> Result<Option<HttpRequest>> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = location else {
        return Ok(None);
    };
    let refused = |why: String| Error::Http {
        status,
        route: request.route.to_string(),
        body: why,
    };
    let from = Url::parse(&request.url).map_err(|e| refused(format!("bad request URL: {e}")))?;
    let to = from
        .join(location)
        .map_err(|e| refused(format!("redirect to an invalid location `{location}`: {e}")))?;
    if !matches!(to.scheme(), "http" | "https") {
        return Err(refused(format!(
            "redirect to a non-HTTP location {}",
            redact_url(to.as_str())
        )));
    }
    if request.method != Method::Get {
        return Err(refused(format!(
            "the server redirected this request to {}; a request with a body is not \
             redirected (it would arrive as a GET)",
            redact_url(to.as_str())
        )));
    }
    let same_origin = from.origin() == to.origin();
    Ok(Some(HttpRequest {
        method: Method::Get,
        url: to.to_string(),
        headers: if same_origin {
            request.headers.clone()
        } else {
            Vec::new()
        },
        body: request.body.clone(),
        route: request.route,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::request::Body;

    fn get(url: &str) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url: url.into(),
            headers: vec![
                ("Authorization".into(), "Bearer k".into()),
                ("X-Api-Key".into(), "s3cret".into()),
            ],
            body: Body::Empty,
            route: "/view",
        }
    }

    #[test]
    fn urls_and_texts_lose_their_userinfo() {
        assert_eq!(
            redact_url("http://user:PASS@host:8188/x"),
            "http://***@host:8188/x"
        );
        assert_eq!(redact_url("http://host:8188/"), "http://host:8188/");
        assert_eq!(
            redact_text("error sending request for url (http://u:PASS@h:1/prompt): refused"),
            "error sending request for url (http://***@h:1/prompt): refused"
        );
        assert!(!redact_text("see https://a:b@x and ws://c:d@y/ws").contains('b'));
        assert_eq!(redact_text("no url here"), "no url here");
    }

    #[test]
    fn debug_shows_header_names_and_whether_a_secret_is_set() {
        let headers = vec![("X-Api-Key".to_string(), "s3cret".to_string())];
        let text = format!("{:?} {:?}", HeaderNames(&headers), Hidden(&Some("tok")));
        assert_eq!(text, r#"{"X-Api-Key": "***"} Some(***)"#);
    }

    #[test]
    fn redirects_keep_headers_on_the_same_origin_only() {
        let same = follow_redirect(&get("http://h:8188/view?f=1"), 302, Some("/api/view?f=1"))
            .unwrap()
            .unwrap();
        assert_eq!(same.url, "http://h:8188/api/view?f=1");
        assert_eq!(same.headers.len(), 2);
        let other = follow_redirect(
            &get("http://h:8188/view"),
            307,
            Some("https://cdn.example/f"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(other.url, "https://cdn.example/f");
        assert!(
            other.headers.is_empty(),
            "{:?}",
            HeaderNames(&other.headers)
        );
        assert!(
            follow_redirect(&get("http://h/view"), 200, Some("/x"))
                .unwrap()
                .is_none()
        );
        assert!(
            follow_redirect(&get("http://h/view"), 302, None)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_transport_loop_follows_at_most_ten_redirects() {
        let start = get("http://h:8188/view");
        let mut redirects = Redirects::new(&start);
        for n in 0..MAX_REDIRECTS {
            let next = format!("/hop{n}");
            assert!(redirects.follow(302, Some(&next)).unwrap());
            assert_eq!(redirects.request().url, format!("http://h:8188/hop{n}"));
        }
        let err = redirects.follow(302, Some("/one-more")).unwrap_err();
        assert!(err.to_string().contains("more than 10 redirects"), "{err}");
        let mut once = Redirects::new(&start);
        assert!(
            !once.follow(200, None).unwrap(),
            "an answer that is not a redirect ends it"
        );
        assert_eq!(once.request().url, start.url);
    }

    #[test]
    fn a_request_with_a_body_is_not_redirected() {
        let mut post = get("http://h:8188/upload/image");
        post.method = Method::Post;
        post.route = "/upload/image";
        let err = follow_redirect(&post, 302, Some("http://evil:1/x")).unwrap_err();
        assert_eq!(err.code(), "HTTP_STATUS");
        assert!(err.to_string().contains("not redirected"), "{err}");
        let err =
            follow_redirect(&get("http://h/view"), 302, Some("file:///etc/passwd")).unwrap_err();
        assert!(err.to_string().contains("non-HTTP"), "{err}");
    }
}
