//! Credentials stay with the server they were given for: a redirect to another origin arrives
//! without them, `Debug` never prints them, and error messages hide a URL's password.

use std::sync::{Arc, Mutex};

use comfywire_client::{Client, ClientConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A one-route HTTP server on 127.0.0.1 that answers every request with `answer(url)` and keeps
/// each request's head (request line and headers).
async fn server(
    answer: impl Fn(&str) -> String + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let base = url.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await.unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).into_owned());
            let reply = answer(&base);
            let _ = stream.write_all(reply.as_bytes()).await;
        }
    });
    (url, seen)
}

#[tokio::test]
async fn a_redirect_to_another_origin_drops_every_credential() {
    // The other origin answers a catalog; the server redirects /object_info there.
    let (elsewhere, seen_elsewhere) = server(|_| {
        let body = "{}";
        format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
    })
    .await;
    let target = format!("{elsewhere}/object_info");
    let (origin, seen_origin) = server(move |_| {
        format!("HTTP/1.1 302 Found\r\nlocation: {target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
    })
    .await;
    let mut config = ClientConfig::new(&origin);
    config.bearer = Some("BEARER-SECRET".into());
    config.headers = vec![("X-Api-Key".into(), "KEY-SECRET".into())];
    let catalog = Client::fetch_catalog(&config)
        .await
        .expect("the redirect is followed");
    assert_eq!(catalog.len(), 0);
    let at_origin = seen_origin.lock().unwrap().join("\n").to_ascii_lowercase();
    assert!(at_origin.contains("x-api-key: key-secret"), "{at_origin}");
    assert!(
        at_origin.contains("authorization: bearer bearer-secret"),
        "{at_origin}"
    );
    let at_other = seen_elsewhere.lock().unwrap().join("\n");
    assert!(at_other.starts_with("GET /object_info"), "{at_other}");
    assert!(
        !at_other.contains("SECRET"),
        "credentials crossed origins: {at_other}"
    );
}

#[test]
fn debug_output_never_shows_a_secret() {
    let mut config = ClientConfig::new("http://user:URL-SECRET@127.0.0.1:8188");
    config.bearer = Some("BEARER-SECRET".into());
    config.basic = Some(("me".into(), "BASIC-SECRET".into()));
    config.ws_token = Some("WS-SECRET".into());
    config.headers = vec![("X-Api-Key".into(), "KEY-SECRET".into())];
    let endpoint = comfywire::protocol::Endpoint::new("http://user:URL-SECRET@127.0.0.1:8188", "c")
        .unwrap()
        .with_bearer("BEARER-SECRET")
        .with_header("X-Api-Key", "KEY-SECRET")
        .with_ws_token("WS-SECRET");
    let hosted = comfywire_client::HostedConfig::new("https://host/api/maas/", "API-SECRET");
    let hosted_endpoint =
        comfywire::protocol::HostedEndpoint::new("https://host/api/maas/", "API-SECRET").unwrap();
    let request = endpoint.object_info(None);
    for text in [
        format!("{config:?}"),
        format!("{endpoint:?}"),
        format!("{hosted:?}"),
        format!("{hosted_endpoint:?}"),
        format!("{request:?}"),
    ] {
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.len() > 20, "{text}");
    }
    assert!(
        format!("{config:?}").contains("X-Api-Key"),
        "header names stay visible"
    );
}

#[tokio::test]
async fn an_error_never_shows_the_password_of_a_url() {
    let config = ClientConfig::new("http://user:URL-SECRET@127.0.0.1:9");
    let err = Client::fetch_catalog(&config).await.unwrap_err();
    assert_eq!(err.code(), "NETWORK");
    assert!(!err.to_string().contains("URL-SECRET"), "{err}");
    let err = comfywire::protocol::Endpoint::new("http://user:URL-SECRET@[bad", "c").unwrap_err();
    assert_eq!(err.code(), "INVALID_URL");
    assert!(!err.to_string().contains("URL-SECRET"), "{err}");
}
