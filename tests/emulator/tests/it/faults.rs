//! Fault injection, the control endpoints and the binary.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn config_endpoint_merges_and_resets() {
    let emu = emulator();
    let url = format!("{}/_emulator/config", emu.url());
    let before = get(&url).await.json();
    assert_eq!(before["node_ms"], 2);
    let r = post_json(
        &url,
        &json!({"slow_history_ms": 150, "node_durations": {"KSampler": 9}}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["slow_history_ms"], 150);
    assert_eq!(r.json()["node_durations"], json!({"KSampler": 9}));
    assert_eq!(r.json()["node_ms"], 2, "fields not given are kept");
    let bad = post_json(&url, &json!({"no_such_knob": 1})).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"]
            .as_str()
            .unwrap()
            .contains("no_such_knob")
    );
    assert_eq!(
        post_json(&url, &json!({"node_ms": "fast"})).await.status,
        400
    );

    let t = Instant::now();
    get(&format!("{}/history", emu.url())).await;
    assert!(t.elapsed() >= Duration::from_millis(150), "slow history");

    let reset = send(http().post(format!("{}/_emulator/reset", emu.url()))).await;
    assert_eq!(reset.json(), before);
}

#[tokio::test]
async fn instant_finish_answers_after_the_job() {
    let emu = emulator();
    emu.update_faults(|f| f.instant_finish = true);
    let mut ws = connect(&emu.ws_url("fast")).await;
    let id = submit(emu.url(), &body_with_client("run_invert_save_post", "fast")).await;
    // History is complete the moment the answer arrives, and every message is already sent.
    assert!(
        get(&format!("{}/history/{id}", emu.url()))
            .await
            .json()
            .get(&id)
            .is_some()
    );
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(events(&frames), capture_events("run_invert_save_ws"));
}

#[tokio::test]
async fn sockets_drop_mid_job_and_the_job_still_finishes() {
    let emu = emulator();
    emu.update_faults(|f| f.ws_drop_mid_job = true);
    let mut ws = connect(&emu.ws_url("drop")).await;
    let id = submit(emu.url(), &body_with_client("run_invert_save_post", "drop")).await;
    let mut seen = Vec::new();
    while let Some(f) = next_frame(&mut ws, Duration::from_secs(5)).await {
        seen.push(f.event());
    }
    assert_eq!(seen.last().map(String::as_str), Some("progress_state"));
    assert!(!seen.contains(&"execution_success".to_string()));
    let entry = wait_history(emu.url(), &id).await;
    assert_eq!(entry["status"]["status_str"], "success");
}

#[tokio::test]
async fn execution_errors_injected_and_natural_look_like_the_capture() {
    let emu = emulator();
    let mut ws = connect(&emu.ws_url("err")).await;
    // A non-image upload fails in LoadImage exactly as on the server.
    upload(
        emu.url(),
        "/upload/image",
        &[("image", Some("broken_image.png"), b"not an image")],
    )
    .await;
    let id = submit(
        emu.url(),
        &body_with_client("run_execution_error_post", "err"),
    )
    .await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(events(&frames), capture_events("run_execution_error_ws"));
    let error = frames
        .iter()
        .find(|f| f.event() == "execution_error")
        .unwrap()
        .data()
        .clone();
    let want = capture("run_execution_error_ws")["frames"][7]["text"]["data"].clone();
    same_shape(&error, &want, "execution_error").unwrap();
    assert_eq!(error["exception_type"], "PIL.UnidentifiedImageError");
    assert_eq!(
        error["current_inputs"],
        json!({"image": ["broken_image.png"]})
    );
    assert!(
        error["exception_message"]
            .as_str()
            .unwrap()
            .starts_with("cannot identify image file '")
    );
    // The traceback has the server's frames, with absolute paths, through execution.py.
    let frame_of = |line: &serde_json::Value| -> (String, String) {
        let line = line.as_str().unwrap();
        let rest = line
            .strip_prefix("  File \"")
            .unwrap_or_else(|| panic!("{line:?}"));
        let (path, rest) = rest.split_once("\", line ").unwrap();
        let function = rest
            .split_once(", in ")
            .unwrap()
            .1
            .split('\n')
            .next()
            .unwrap();
        assert!(std::path::Path::new(path).is_absolute(), "{line:?}");
        let file = path.rsplit(['/', '\\']).next().unwrap().to_string();
        (file, function.to_string())
    };
    let frames_of = |tb: &serde_json::Value| -> Vec<(String, String)> {
        tb.as_array().unwrap().iter().map(frame_of).collect()
    };
    let (got, want) = (
        frames_of(&error["traceback"]),
        frames_of(&want["traceback"]),
    );
    assert_eq!(got[..4], want[..4]);
    assert_eq!(got[4].0, "nodes.py");
    let entry = wait_history(emu.url(), &id).await;
    let want = capture("run_execution_error_history")["response"]["body_json"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    same_shape(&entry, &want, "history").unwrap();
    assert_eq!(
        (entry["outputs"].clone(), entry["meta"].clone()),
        (json!({}), json!({}))
    );
    assert_eq!(entry["status"]["status_str"], "error");

    // Injected: a given class raises.
    emu.update_faults(|f| f.execution_error = Some("ImageInvert".into()));
    let id = submit(emu.url(), &body_with_client("run_invert_save_post", "err")).await;
    let frames = until_done(&mut ws, &id).await;
    let error = frames
        .iter()
        .find(|f| f.event() == "execution_error")
        .unwrap()
        .data()
        .clone();
    assert_eq!(
        (error["node_id"].clone(), error["node_type"].clone()),
        (json!("2"), json!("ImageInvert"))
    );
    assert_eq!(error["executed"], json!(["1"]));
    assert!(!events(&frames).contains(&"execution_success".to_string()));
}

#[tokio::test]
async fn prompt_500_garbage_frames_and_forbidden_mode() {
    let emu = emulator();
    emu.update_faults(|f| f.prompt_500 = true);
    let r = post_json(
        &format!("{}/prompt", emu.url()),
        &body_with_client("run_invert_save_post", "g"),
    )
    .await;
    assert_eq!(
        (r.status, r.text.as_str()),
        (
            500,
            "500 Internal Server Error\n\nServer got itself in trouble"
        )
    );
    assert_eq!(r.content_type.as_deref(), Some("text/plain; charset=utf-8"));
    assert_eq!(
        get(&format!("{}/queue", emu.url())).await.json()["queue_pending"],
        json!([])
    );

    emu.update_faults(|f| {
        f.prompt_500 = false;
        f.garbage_ws_frames = true;
    });
    let mut ws = connect(&emu.ws_url("g")).await;
    let id = submit(emu.url(), &body_with_client("run_invert_save_post", "g")).await;
    let frames = until_done(&mut ws, &id).await;
    let seen = events(&frames);
    let start = seen.iter().position(|e| e == "execution_start").unwrap();
    assert_eq!(seen[start - 2..start], ["RAW", "BIN99"]);
    assert!(
        matches!(&frames[start - 2], Frame::Raw(t) if serde_json::from_str::<serde_json::Value>(t).is_err())
    );

    emu.update_faults(|f| f.forbidden = true);
    let r = get(&format!("{}/queue", emu.url())).await;
    assert_eq!((r.status, r.text.as_str()), (403, ""));
    assert_eq!(
        get(&format!("{}/_emulator/config", emu.url())).await.status,
        200
    );
    assert!(
        tokio_tungstenite::connect_async(emu.ws_url("g"))
            .await
            .is_err()
    );
    post_json(
        &format!("{}/_emulator/config", emu.url()),
        &json!({"forbidden": false}),
    )
    .await;
    assert_eq!(get(&format!("{}/queue", emu.url())).await.status, 200);
}

#[tokio::test]
async fn restart_forgets_everything_but_files() {
    let emu = emulator();
    emu.update_faults(|f| {
        f.node_durations.insert("ImageBlur".into(), 2000);
    });
    let base = emu.url();
    let done = submit(
        base,
        &json!({"prompt": capture("run_invert_save_post")["request"]["body"]["prompt"]}),
    )
    .await;
    wait_history(base, &done).await;
    let mut ws = connect(&emu.ws_url("x")).await;
    let slow = submit(base, &body_with_client("interrupt_targeted_post", "x")).await;
    submit(base, &body_with_client("run_invert_save_post", "x")).await;
    loop {
        let f = next_frame(&mut ws, Duration::from_secs(5)).await.unwrap();
        if f.event() == "executing" && f.data()["node"] == "2" {
            break;
        }
    }
    let r = send(http().post(format!("{base}/_emulator/restart"))).await;
    assert_eq!(r.status, 200);
    // The socket is dropped; history, queue and counter start over.
    let t = Instant::now();
    while next_frame(&mut ws, Duration::from_secs(2)).await.is_some() {
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "the socket stays open"
        );
    }
    assert_eq!(get(&format!("{base}/history")).await.text, "{}");
    assert_eq!(get(&format!("{base}/history/{slow}")).await.text, "{}");
    assert_eq!(
        get(&format!("{base}/queue")).await.json(),
        json!({"queue_running": [], "queue_pending": []})
    );
    emu.update_faults(|f| f.node_durations.clear());
    let r = post_json(
        &format!("{base}/prompt"),
        &json!({"prompt": capture("run_invert_save_post")["request"]["body"]["prompt"]}),
    )
    .await;
    assert_eq!(r.json()["number"], 0);
    let id = r.json()["prompt_id"].as_str().unwrap().to_string();
    let entry = wait_history(base, &id).await;
    // Output files survived: the counter continues, and the cache is gone.
    assert_eq!(
        entry["outputs"]["3"]["images"][0]["filename"],
        "invert_00002_.png"
    );
    assert_eq!(entry["status"]["messages"][1][1]["nodes"], json!([]));
    // The ghost of the interrupted job never writes into the new history.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        get(&format!("{base}/history"))
            .await
            .json()
            .as_object()
            .unwrap()
            .len(),
        1
    );
}

/// The binary: URL on the first stdout line, exits when stdin closes, cleans its folder.
#[test]
fn binary_prints_its_url_and_exits_when_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comfywire-emulator"))
        .args(["--port", "0", "--exit-on-stdin-close", "--node-ms", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut stderr = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut stderr)
        .unwrap();
    let dir = stderr
        .split("(data in ")
        .nth(1)
        .unwrap()
        .trim_end()
        .trim_end_matches(')')
        .to_string();
    assert!(
        std::path::Path::new(&dir)
            .join("input/example.png")
            .exists()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let queue = rt.block_on(get(&format!("{url}/queue")));
    assert_eq!(queue.text, r#"{"queue_running": [], "queue_pending": []}"#);
    drop(child.stdin.take());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still running after stdin closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !std::path::Path::new(&dir).exists(),
        "temporary folder removed"
    );
}
