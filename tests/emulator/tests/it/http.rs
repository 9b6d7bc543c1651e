//! HTTP answers compared with the captures of the real server.

use serde_json::{Value, json};

use crate::common::*;

/// Replays a captured request and compares status, content type and (where deterministic)
/// the body; `shape_only` compares JSON types and keys.
async fn replay(base: &str, name: &str, shape_only: bool) {
    let cap = capture(name);
    let req = &cap["request"];
    let expected = &cap["response"];
    let url = format!("{base}{}", req["path"].as_str().unwrap());
    let method = reqwest::Method::from_bytes(req["method"].as_str().unwrap().as_bytes()).unwrap();
    let mut builder = http().request(method, &url);
    for (k, v) in req
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        builder = builder.header(k.as_str(), v.as_str().unwrap());
    }
    if let Some(body) = req.get("body") {
        builder = builder
            .header("content-type", "application/json")
            .body(body.to_string());
    } else if let Some(raw) = req.get("raw_body") {
        builder = builder.body(raw.as_str().unwrap().to_string());
    }
    let got = send(builder).await;
    assert_eq!(
        got.status as u64,
        expected["status"].as_u64().unwrap(),
        "{name}: {}",
        got.text
    );
    let want_ct = expected["headers"]
        .get("Content-Type")
        .and_then(Value::as_str);
    assert_eq!(got.content_type.as_deref(), want_ct, "{name}: content type");
    if let Some(text) = expected.get("body_text") {
        assert_eq!(got.text, text.as_str().unwrap(), "{name}: body");
    }
    if let Some(body) = expected.get("body_json") {
        if shape_only {
            same_shape(&got.json(), body, name).unwrap();
        } else {
            assert_eq!(got.json(), *body, "{name}: body");
        }
    }
    if let Some(allow) = expected["headers"].get("Allow") {
        assert_eq!(got.headers["allow"], allow.as_str().unwrap(), "{name}");
    }
}

#[tokio::test]
async fn get_routes_answer_as_captured_at_both_prefixes() {
    let emu = emulator();
    let exact = [
        "get_features",
        "get_prompt",
        "get_queue_empty",
        "get_embeddings",
        "get_models",
        "get_models_checkpoints",
        "get_models_unknown_folder",
        "get_object_info_EmptyImage",
        "get_object_info_ImageAddNoise",
        "get_object_info_KSampler",
        "get_object_info_LoadImage",
        "get_object_info_SaveImage",
        "get_object_info_SaveImageWebsocket",
        "get_object_info_unknown",
        "get_history_empty",
        "get_history_max_items_1_empty",
        "get_history_unknown_id",
        "get_history_bad_max_items",
        "get_users",
        "get_settings",
        "get_userdata_noarg",
        "get_userdata_dir_workflows",
        "get_unknown_route_404",
        "get_view_metadata_noarg",
        "delete_prompt_405",
        "put_queue_405",
    ];
    for prefix in ["", "/api"] {
        let base = format!("{}{prefix}", emu.url());
        for name in exact {
            if prefix == "/api" && name == "get_unknown_route_404" {
                continue;
            }
            replay(&base, name, false).await;
        }
        replay(&base, "get_system_stats", true).await;
        replay(&base, "get_experiment_models", true).await;
    }
    // `/internal/*` exists only without the prefix.
    replay(emu.url(), "get_internal_files_input", false).await;
    replay(emu.url(), "get_internal_folder_paths", true).await;
    assert_eq!(
        get(&format!("{}/api/internal/files/input", emu.url()))
            .await
            .status,
        404
    );
    // The whole catalog, byte for byte as the server sent it (the embedded one is its capture).
    let oi = get(&format!("{}/object_info", emu.url())).await;
    let raw = std::fs::read_to_string(captures_dir().join("../object_info.json")).unwrap();
    assert!(
        oi.text == raw,
        "GET /object_info differs from the captured bytes"
    );
}

#[tokio::test]
async fn post_routes_answer_as_captured() {
    let emu = emulator();
    for name in [
        "post_queue_clear",
        "post_queue_delete_p2",
        "post_queue_empty_object",
        "post_queue_invalid_json",
        "post_history_clear",
        "post_history_delete_unknown_id",
        "post_history_empty_object",
        "interrupt_when_idle",
        "interrupt_global_no_body",
        "interrupt_other_prompt_id_ignored",
        "post_interrupt_invalid_json",
        "post_free",
        "post_free_empty_object",
        "post_free_no_body",
    ] {
        replay(emu.url(), name, false).await;
    }
}

/// Every captured validation answer, replayed: same status, same body (a 200 also carries the
/// emulator's own `prompt_id` and `number`).
#[tokio::test]
async fn validation_answers_equal_the_captured_ones() {
    let emu = emulator();
    // The captures were taken with these uploads in input/.
    for name in ["client_test.png", "rgba_test.png"] {
        let r = upload(
            emu.url(),
            "/upload/image",
            &[("image", Some(name), &png([1, 2, 3]))],
        )
        .await;
        assert_eq!(r.status, 200);
    }
    let mut names: Vec<String> = std::fs::read_dir(captures_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("err_") && n.ends_with(".json"))
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 36);
    for name in &names {
        let cap = capture(name);
        let req = &cap["request"];
        let want = &cap["response"];
        let got = match req.get("body") {
            Some(body) => post_json(&format!("{}/prompt", emu.url()), body).await,
            None => {
                post_raw(
                    &format!("{}/prompt", emu.url()),
                    req["raw_body"].as_str().unwrap(),
                )
                .await
            }
        };
        assert_eq!(
            got.status as u64,
            want["status"].as_u64().unwrap(),
            "{name}: {}",
            got.text
        );
        assert_eq!(
            got.content_type.as_deref(),
            want["headers"]["Content-Type"].as_str(),
            "{name}"
        );
        match want.get("body_json") {
            Some(body) if got.status == 200 => {
                let mut got = got.json();
                let obj = got.as_object_mut().unwrap();
                assert!(obj.shift_remove("prompt_id").unwrap().is_string(), "{name}");
                assert!(obj.shift_remove("number").unwrap().is_number(), "{name}");
                let mut want = body.clone();
                want.as_object_mut().unwrap().shift_remove("prompt_id");
                want.as_object_mut().unwrap().shift_remove("number");
                assert_eq!(got, want, "{name}");
            }
            Some(body) => assert_eq!(got.json(), *body, "{name}"),
            None => assert_eq!(got.text, want["body_text"].as_str().unwrap(), "{name}"),
        }
    }
}

#[tokio::test]
async fn origin_check_refuses_foreign_origins_with_an_empty_403() {
    let emu = emulator();
    let port = emu.url().rsplit(':').next().unwrap().to_string();
    for (origin, status) in [
        (format!("http://127.0.0.1:{port}"), 200),
        (format!("http://localhost:{port}"), 403),
        ("http://127.0.0.1:3000".to_string(), 403),
        ("http://localhost:3000".to_string(), 403),
        ("null".to_string(), 200),
    ] {
        let r = send(
            http()
                .get(format!("{}/queue", emu.url()))
                .header("origin", &origin),
        )
        .await;
        assert_eq!(r.status, status, "{origin}");
        if status == 403 {
            assert_eq!(r.text, "");
            assert_eq!(r.content_type, None);
        }
    }
    let r = send(
        http()
            .request(reqwest::Method::OPTIONS, format!("{}/prompt", emu.url()))
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST"),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = send(
        http()
            .post(format!("{}/prompt", emu.url()))
            .header("origin", "http://localhost:3000")
            .body(capture("origin_mismatch_post_prompt")["request"]["body"].to_string()),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        get(&format!("{}/queue", emu.url())).await.json()["queue_pending"],
        json!([])
    );
    // The WebSocket upgrade too.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = emu.ws_url("x").into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", "http://localhost:3000".parse().unwrap());
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn cors_mode_answers_like_enable_cors_header() {
    let emu = emulator_with(comfywire_emulator::EmulatorConfig {
        cors: Some("*".into()),
        ..Default::default()
    });
    for name in [
        "cors_enabled_get_queue_with_foreign_origin",
        "cors_enabled_options_preflight",
    ] {
        let cap = capture(name);
        let mut builder = http().request(
            reqwest::Method::from_bytes(cap["request"]["method"].as_str().unwrap().as_bytes())
                .unwrap(),
            format!("{}{}", emu.url(), cap["request"]["path"].as_str().unwrap()),
        );
        for (k, v) in cap["request"]["headers"].as_object().unwrap() {
            builder = builder.header(k.as_str(), v.as_str().unwrap());
        }
        let got = send(builder).await;
        assert_eq!(
            got.status as u64,
            cap["response"]["status"].as_u64().unwrap(),
            "{name}"
        );
        for (k, v) in cap["response"]["headers"].as_object().unwrap() {
            if k.starts_with("Access-Control") {
                assert_eq!(got.headers[k.as_str()], v.as_str().unwrap(), "{name}: {k}");
            }
        }
        assert_eq!(
            got.content_type.as_deref(),
            cap["response"]["headers"]["Content-Type"].as_str()
        );
    }
    // A foreign-origin socket is accepted and greeted.
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = emu.ws_url("abc").into_client_request().unwrap();
    req.headers_mut()
        .insert("origin", "http://localhost:3000".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let first = next_frame(&mut ws, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(first.data()["sid"], "abc");
}

#[tokio::test]
async fn cors_mode_leaves_raised_errors_without_cors_headers() {
    // ComfyUI's CORS middleware decorates only what a handler returns; an aiohttp exception
    // (wrong method, a crashed handler, a plain GET of /ws) skips it. Measured on 0.3.64.
    let emu = emulator_with(comfywire_emulator::EmulatorConfig {
        cors: Some("*".into()),
        ..Default::default()
    });
    let base = emu.url();
    let cases = [
        (http().get(format!("{base}/internal/no/such/route")), 404),
        (http().post(format!("{base}/no/such/route")), 405),
        (http().put(format!("{base}/queue")), 405),
        (http().delete(format!("{base}/prompt")), 405),
        (http().post(format!("{base}/prompt")).body("{not json"), 500),
        (http().get(format!("{base}/ws")), 400),
    ];
    for (request, status) in cases {
        let got = send(request).await;
        assert_eq!(got.status, status, "{}", got.text);
        assert!(
            got.headers.get("access-control-allow-origin").is_none(),
            "{status}: {:?}",
            got.headers
        );
    }
    // What a handler returns keeps them, errors included (an unknown GET is the static route's
    // 404).
    for (request, status) in [
        (http().get(format!("{base}/queue")), 200),
        (http().get(format!("{base}/no/such/route")), 404),
        (http().get(format!("{base}/view?filename=nope.png")), 404),
        (
            http()
                .post(format!("{base}/prompt"))
                .body(r#"{"prompt": {}}"#),
            400,
        ),
    ] {
        let got = send(request).await;
        assert_eq!(got.status, status, "{}", got.text);
        assert_eq!(got.headers["access-control-allow-origin"], "*", "{status}");
    }
}

#[tokio::test]
async fn a_plain_get_of_the_socket_is_aiohttps_text_400() {
    let emu = emulator();
    let got = send(http().get(format!("{}/ws", emu.url()))).await;
    assert_eq!(got.status, 400);
    assert_eq!(
        got.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        got.text,
        "No WebSocket UPGRADE hdr: None\n Can \"Upgrade\" only to \"WebSocket\"."
    );
}

#[tokio::test]
async fn api_prefix_serves_the_same_routes_and_socket() {
    let emu = emulator();
    for path in [
        "/queue",
        "/history",
        "/prompt",
        "/features",
        "/object_info/KSampler",
        "/models/nosuchfolder",
    ] {
        let plain = get(&format!("{}{path}", emu.url())).await;
        let api = get(&format!("{}/api{path}", emu.url())).await;
        assert_eq!((plain.status, plain.text), (api.status, api.text), "{path}");
    }
    let id = submit(
        &format!("{}/api", emu.url()),
        &capture("api_prefixed_post_prompt")["request"]["body"],
    )
    .await;
    wait_history(emu.url(), &id).await;
    let mut ws = connect(&emu.ws_url("p").replace("/ws?", "/api/ws?")).await;
    let first = next_frame(&mut ws, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(first.event(), "status");
    assert_eq!(first.data()["sid"], "p");
    // A plain GET of the socket route is a 400.
    assert_eq!(get(&format!("{}/ws", emu.url())).await.status, 400);
}

#[tokio::test]
async fn uploads_rename_on_conflict_and_show_up_in_the_catalog() {
    let emu = emulator();
    let base = emu.url();
    let a = png([1, 1, 1]);
    let b = png([2, 2, 2]);
    let c = png([3, 3, 3]);
    let name = |r: Reply| r.json()["name"].as_str().unwrap().to_string();
    let up = |data: Vec<u8>, extra: Vec<(&'static str, &'static str)>| async move {
        let mut parts: Vec<(&str, Option<&str>, &[u8])> =
            vec![("image", Some("client_test.png"), &data)];
        for (k, v) in &extra {
            parts.push((k, None, v.as_bytes()));
        }
        upload(base, "/upload/image", &parts).await
    };
    let first = up(a.clone(), vec![]).await;
    assert_eq!(
        first.json(),
        capture("upload_image_first")["response"]["body_json"]
    );
    assert_eq!(
        name(up(a.clone(), vec![]).await),
        "client_test.png",
        "identical content keeps its name"
    );
    assert_eq!(name(up(b.clone(), vec![]).await), "client_test (1).png");
    assert_eq!(name(up(c.clone(), vec![]).await), "client_test (2).png");
    assert_eq!(
        name(up(b.clone(), vec![]).await),
        "client_test (1).png",
        "matches the renamed copy"
    );
    assert_eq!(
        name(up(c.clone(), vec![("overwrite", "true")]).await),
        "client_test.png"
    );
    let sub = up(a.clone(), vec![("subfolder", "clienttests/sub")])
        .await
        .json();
    assert_eq!(
        sub,
        json!({"name": "client_test.png", "subfolder": "clienttests/sub", "type": "input"})
    );
    // The training loaders list every folder under input/, recursively and sorted; listing
    // Load3D (in the whole catalog, after them) makes input/3d, as on 0.3.64.
    let folders = || async {
        get(&format!("{base}/object_info/LoadImageSetFromFolderNode"))
            .await
            .json()["LoadImageSetFromFolderNode"]["input"]["required"]["folder"][0]
            .clone()
    };
    assert_eq!(folders().await, json!(["clienttests", "clienttests/sub"]));
    get(&format!("{base}/object_info/Load3D")).await;
    assert_eq!(
        folders().await,
        json!(["3d", "clienttests", "clienttests/sub"])
    );
    let temp = up(a.clone(), vec![("type", "temp")]).await.json();
    assert_eq!(temp["type"], "temp");
    let bogus = up(a.clone(), vec![("type", "bogus")]).await;
    assert_eq!(
        (bogus.status, bogus.content_type.as_deref()),
        (500, Some("text/plain; charset=utf-8"))
    );
    assert_eq!(
        up(a.clone(), vec![("subfolder", "../../etc")]).await.status,
        400
    );
    let raw_traversal = upload(
        base,
        "/upload/image",
        &[("image", Some("../evil3.png"), &a)],
    )
    .await;
    assert_eq!(
        (raw_traversal.status, raw_traversal.text.as_str()),
        (400, "")
    );
    assert_eq!(
        upload(base, "/upload/image", &[("type", None, b"input")])
            .await
            .status,
        400
    );
    assert_eq!(
        post_json(&format!("{base}/upload/image"), &json!({"image": "x"}))
            .await
            .status,
        400
    );
    let not_image = upload(
        base,
        "/upload/image",
        &[("image", Some("broken_image.png"), b"hello")],
    )
    .await;
    assert_eq!(not_image.status, 200);

    // LoadImage's choices list input/ now, sorted, as /object_info/LoadImage did after uploads.
    let info = get(&format!("{base}/object_info/LoadImage")).await.json();
    assert_eq!(
        info["LoadImage"]["input"]["required"]["image"][0],
        json!([
            "broken_image.png",
            "client_test (1).png",
            "client_test (2).png",
            "client_test.png",
            "example.png"
        ])
    );
    let files = get(&format!("{base}/internal/files/input")).await.json();
    assert_eq!(files.as_array().unwrap().len(), 5);

    // An uploaded file validates in LoadImage (also in a subfolder); a missing one does not.
    let prompt = |image: &str| {
        json!({"prompt": {
            "1": {"class_type": "LoadImage", "inputs": {"image": image}},
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}})
    };
    assert_eq!(
        post_json(&format!("{base}/prompt"), &prompt("client_test (2).png"))
            .await
            .status,
        200
    );
    assert_eq!(
        post_json(
            &format!("{base}/prompt"),
            &prompt("clienttests/sub/client_test.png")
        )
        .await
        .status,
        200
    );
    let missing = post_json(&format!("{base}/prompt"), &prompt("no_such_file.png")).await;
    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.json()["node_errors"]["1"]["errors"][0]["type"],
        "custom_validation_failed"
    );

    // Masks are saved only next to an existing original.
    let ok = upload(
        base,
        "/upload/mask",
        &[
            ("image", Some("clipspace-mask-1.png"), &a),
            ("subfolder", None, b"clipspace"),
            (
                "original_ref",
                None,
                br#"{"filename": "client_test.png", "subfolder": "", "type": "input"}"#,
            ),
        ],
    )
    .await;
    assert_eq!(ok.json(), capture("upload_mask")["response"]["body_json"]);
    assert!(
        emu.data_dir()
            .join("input/clipspace/clipspace-mask-1.png")
            .exists()
    );
    let bad = upload(
        base,
        "/upload/mask",
        &[
            ("image", Some("clipspace-mask-2.png"), &a),
            (
                "original_ref",
                None,
                br#"{"filename": "../../etc/passwd", "type": "input"}"#,
            ),
        ],
    )
    .await;
    assert_eq!(
        bad.json(),
        capture("upload_mask_traversal_ref")["response"]["body_json"]
    );
    assert!(!emu.data_dir().join("input/clipspace-mask-2.png").exists());
}

#[tokio::test]
async fn view_serves_files_with_the_servers_status_codes() {
    let emu = emulator();
    let base = emu.url();
    let data = png([9, 9, 9]);
    upload(
        base,
        "/upload/image",
        &[("image", Some("client_test.png"), &data)],
    )
    .await;
    upload(
        base,
        "/upload/image",
        &[
            ("image", Some("sub_test.png"), &data),
            ("subfolder", None, b"clienttests/sub"),
        ],
    )
    .await;
    for (query, status) in [
        ("filename=client_test.png&type=input&subfolder=", 200),
        ("filename=client_test.png%20%5Binput%5D", 200),
        (
            "filename=sub_test.png&type=input&subfolder=clienttests/sub",
            200,
        ),
        ("filename=client_test.png", 404),
        ("filename=does_not_exist.png&type=output", 404),
        ("", 404),
        ("filename=", 400),
        ("filename=/etc/passwd&type=output", 400),
        ("filename=../../etc/passwd&type=output", 400),
        ("filename=..%2F..%2Fetc%2Fpasswd&type=output", 400),
        ("filename=client_test.png&type=bogus", 400),
        ("filename=passwd&type=output&subfolder=../../../../etc", 403),
    ] {
        let r = get(&format!("{base}/view?{query}")).await;
        assert_eq!(r.status, status, "{query}");
        if status == 200 {
            assert_eq!(r.content_type.as_deref(), Some("image/png"));
            let disposition = r.headers["content-disposition"].to_str().unwrap();
            assert!(disposition.starts_with("filename=\""), "{disposition}");
            for h in ["etag", "last-modified", "accept-ranges"] {
                assert!(r.headers.contains_key(h), "{h}");
            }
        } else {
            assert_eq!(r.text, "", "{query}");
        }
    }
    let bytes = http()
        .get(format!(
            "{base}/api/view?filename=client_test.png&type=input"
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), data.as_slice());
}

#[tokio::test]
async fn model_files_fill_the_loader_choices_and_validation() {
    let emu = emulator_with(comfywire_emulator::EmulatorConfig {
        models: vec!["checkpoints/sd15.safetensors".into()],
        ..Default::default()
    });
    let base = emu.url();
    std::fs::create_dir_all(emu.data_dir().join("models/vae/sub")).unwrap();
    std::fs::write(emu.data_dir().join("models/vae/sub/kl.safetensors"), b"").unwrap();
    std::fs::write(emu.data_dir().join("models/vae/readme.txt"), b"").unwrap();
    assert_eq!(
        get(&format!("{base}/models/checkpoints")).await.json(),
        json!(["sd15.safetensors"])
    );
    let info = get(&format!("{base}/object_info/CheckpointLoaderSimple"))
        .await
        .json();
    assert_eq!(
        info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0],
        json!(["sd15.safetensors"])
    );
    let vae = get(&format!("{base}/object_info/VAELoader")).await.json();
    assert_eq!(
        vae["VAELoader"]["input"]["required"]["vae_name"][0],
        json!(["sub/kl.safetensors", "pixel_space"])
    );
    let body = |ckpt: &str| {
        json!({"prompt": {
            "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
            "2": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
            "3": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["1", 2]}},
            "4": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}}}})
    };
    assert_eq!(
        post_json(&format!("{base}/prompt"), &body("sd15.safetensors"))
            .await
            .status,
        200
    );
    let refused = post_json(&format!("{base}/prompt"), &body("other.safetensors")).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["node_errors"]["1"]["errors"][0]["type"],
        "value_not_in_list"
    );
    assert!(
        comfywire_emulator::EmulatorConfig::default()
            .models
            .is_empty()
    );
}

#[tokio::test]
async fn view_converts_previews_and_channels_like_the_server() {
    let emu = emulator();
    let base = emu.url();
    let up = upload(
        base,
        "/upload/image",
        &[("image", Some("client_test.png"), &png([9, 8, 7]))],
    )
    .await;
    assert_eq!(up.status, 200);
    for (query, capture_name, magic) in [
        ("preview=webp;50", "view_preview_webp", &b"RIFF"[..]),
        ("preview=jpeg;80", "view_preview_jpeg", &[0xff, 0xd8][..]),
        ("channel=rgb", "view_channel_rgb", &b"\x89PNG"[..]),
        ("channel=a", "view_channel_a", &b"\x89PNG"[..]),
    ] {
        let resp = http()
            .get(format!(
                "{base}/view?filename=client_test.png&type=input&{query}"
            ))
            .send()
            .await
            .unwrap();
        let want = capture(capture_name)["response"].clone();
        assert_eq!(resp.status().as_u16(), 200, "{query}");
        assert_eq!(
            resp.headers()["content-type"],
            want["headers"]["Content-Type"].as_str().unwrap(),
            "{query}"
        );
        assert_eq!(
            resp.headers()["content-disposition"],
            "filename=\"client_test.png\"",
            "{query}"
        );
        let body = resp.bytes().await.unwrap();
        assert!(body.starts_with(magic), "{query}");
        if magic == b"\x89PNG" {
            // IHDR colour type: RGB for channel=rgb, RGBA (black, alpha only) for channel=a.
            assert_eq!(
                body[25],
                if query == "channel=a" { 6 } else { 2 },
                "{query}"
            );
        }
    }
}
