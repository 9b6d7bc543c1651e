//! Runs: WebSocket sequences, cache, interrupts, previews, queue and history, compared with the
//! captured runs.

use std::time::Duration;

use comfywire_emulator::{EmulatorConfig, Faults};
use serde_json::{Value, json};

use crate::common::*;

const SECOND: Duration = Duration::from_secs(1);

/// Drops the volatile parts of a history entry (ids, numbers, timestamps, temp names).
fn normalized_history(entry: &Value) -> Value {
    let mut e = entry.clone();
    e["prompt"][0] = json!(0);
    e["prompt"][1] = json!("ID");
    e["prompt"][3] = json!({});
    for m in e["status"]["messages"].as_array_mut().unwrap() {
        m[1]["prompt_id"] = json!("ID");
        m[1]["timestamp"] = json!(0);
    }
    e
}

#[tokio::test]
async fn a_run_sends_the_captured_sequence_and_lands_in_history() {
    let emu = emulator();
    let mut ws = connect(&emu.ws_url("client-a")).await;
    let body = body_with_client("run_invert_save_post", "client-a");
    let id = submit(emu.url(), &body).await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(events(&frames), capture_events("run_invert_save_ws"));

    // Message by message: same keys, same node ids and states as the real server sent.
    let captured = capture("run_invert_save_ws");
    let captured = captured["frames"].as_array().unwrap();
    for (got, want) in frames.iter().zip(captured) {
        let want = &want["text"]["data"];
        let got = got.data();
        same_shape(got, want, &got.to_string()).unwrap();
        for key in ["node", "display_node", "nodes", "output"] {
            if key == "nodes" {
                let states = |v: &Value| -> Vec<(String, Value, Value, Value)> {
                    v.as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, n)| {
                            (
                                k.clone(),
                                n["state"].clone(),
                                n["value"].clone(),
                                n["max"].clone(),
                            )
                        })
                        .collect()
                };
                assert_eq!(states(&got[key]), states(&want[key]));
            } else {
                assert_eq!(got.get(key), want.get(key), "{key}");
            }
        }
    }
    assert_eq!(frames[0].data()["sid"], "client-a");

    let entry = wait_history(emu.url(), &id).await;
    let want = capture("run_invert_save_history")["response"]["body_json"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(normalized_history(&entry), normalized_history(&want));
    assert_eq!(entry["prompt"][3], json!({"client_id": "client-a"}));

    // The output file exists, is a PNG and carries the prompt like the server's.
    let png = http()
        .get(format!(
            "{}/view?filename=invert_00001_.png&subfolder=clienttest&type=output",
            emu.url()
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let meta = comfywire::media::extract(&png).unwrap();
    assert_eq!(meta.prompt.unwrap(), body["prompt"]);
}

#[tokio::test]
async fn identical_nodes_are_cached_until_free() {
    let emu = emulator();
    let mut ws = connect(&emu.ws_url("c")).await;
    let body = body_with_client("run_invert_save_post", "c");
    let first = submit(emu.url(), &body).await;
    until_done(&mut ws, &first).await;

    let again = submit(emu.url(), &body).await;
    let frames = until_done(&mut ws, &again).await;
    assert_eq!(
        events(&frames),
        capture_events("run_invert_save_cached_ws")[1..]
    );
    let cached = frames
        .iter()
        .find(|f| f.event() == "execution_cached")
        .unwrap();
    assert_eq!(cached.data()["nodes"], json!(["1", "2", "3"]));
    let executed = frames.iter().find(|f| f.event() == "executed").unwrap();
    assert_eq!(
        executed.data()["output"]["images"][0]["filename"],
        "invert_00001_.png"
    );
    let finished = frames
        .iter()
        .find(|f| f.event() == "progress_state")
        .unwrap();
    assert_eq!(
        finished.data()["nodes"]["3"]["value"].to_string(),
        "1",
        "cached replays are ints"
    );

    let mut partial = body.clone();
    partial["prompt"]["3"]["inputs"]["filename_prefix"] = json!("clienttest/invert2");
    let id = submit(emu.url(), &partial).await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(
        events(&frames),
        capture_events("run_invert_save_partially_cached_ws")[1..]
    );
    assert_eq!(frames[3].data()["nodes"], json!(["1", "2"]));

    // /free with free_memory drops the cache.
    assert_eq!(
        post_json(
            &format!("{}/free", emu.url()),
            &json!({"free_memory": true})
        )
        .await
        .status,
        200
    );
    let id = submit(emu.url(), &body).await;
    let frames = until_done(&mut ws, &id).await;
    let cached = frames
        .iter()
        .find(|f| f.event() == "execution_cached")
        .unwrap();
    assert_eq!(cached.data()["nodes"], json!([]));
    let executed = frames.iter().find(|f| f.event() == "executed").unwrap();
    assert_eq!(
        executed.data()["output"]["images"][0]["filename"],
        "invert_00002_.png"
    );
}

#[tokio::test]
async fn interrupt_stops_only_the_running_prompt_it_names() {
    let emu = emulator();
    emu.update_faults(|f| {
        f.node_durations.insert("ImageBlur".into(), 600);
    });
    let mut ws = connect(&emu.ws_url("i")).await;
    let body = body_with_client("interrupt_targeted_post", "i");
    let id = submit(emu.url(), &body).await;
    // Wait until the slow node runs.
    loop {
        let f = next_frame(&mut ws, 5 * SECOND).await.unwrap();
        if f.event() == "executing" && f.data()["node"] == "2" {
            break;
        }
    }
    let other = post_json(
        &format!("{}/interrupt", emu.url()),
        &json!({"prompt_id": "not-running-id"}),
    )
    .await;
    assert_eq!((other.status, other.text.as_str()), (200, ""));
    let hit = post_json(
        &format!("{}/interrupt", emu.url()),
        &json!({"prompt_id": id}),
    )
    .await;
    assert_eq!(hit.status, 200);
    let rest = until_done(&mut ws, &id).await;
    // The running node finishes, the next one is announced, then the run stops there.
    let want: Vec<String> = capture_events("interrupt_targeted_ws")[10..].to_vec();
    assert_eq!(events(&rest), want);
    let stop = rest
        .iter()
        .find(|f| f.event() == "execution_interrupted")
        .unwrap();
    assert_eq!(stop.data()["node_id"], "3");
    assert_eq!(stop.data()["node_type"], "ImageInvert");
    let entry = wait_history(emu.url(), &id).await;
    assert_eq!(entry["status"]["status_str"], "error");
    assert_eq!(entry["status"]["completed"], false);
    assert_eq!(entry["outputs"], json!({}));
    let last = entry["status"]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last[0], "execution_interrupted");
    let want_last = capture("interrupt_targeted_history")["response"]["body_json"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["status"]["messages"][2]
        .clone();
    same_shape(&last, &want_last, "interrupted").unwrap();

    // An interrupt sent while idle does not hit the next prompt.
    post_json(&format!("{}/interrupt", emu.url()), &json!({})).await;
    emu.update_faults(|f| f.node_durations.clear());
    let id = submit(emu.url(), &body).await;
    let frames = until_done(&mut ws, &id).await;
    assert!(events(&frames).contains(&"execution_success".to_string()));
}

#[tokio::test]
async fn without_client_id_others_see_only_broadcast_messages() {
    let emu = emulator();
    let mut observer = connect(&emu.ws_url("observer")).await;
    next_frame(&mut observer, SECOND).await.unwrap(); // status with sid
    let body = capture("run_no_client_id_post")["request"]["body"].clone();
    let id = submit(emu.url(), &body).await;
    wait_history(emu.url(), &id).await;
    let mut got = Vec::new();
    while let Some(f) = next_frame(&mut observer, Duration::from_millis(300)).await {
        got.push(f);
    }
    assert_eq!(events(&got), capture_events("run_no_client_id_ws")[1..]);
}

#[tokio::test]
async fn previews_are_type_1_unless_the_client_negotiated_metadata() {
    let emu = emulator();
    // Legacy client: progress, then a type-1 PNG frame.
    let mut ws = connect(&emu.ws_url("legacy")).await;
    let id = submit(
        emu.url(),
        &body_with_client("ws_binary_legacy_post", "legacy"),
    )
    .await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(events(&frames), capture_events("ws_binary_legacy"));
    let Frame::Binary(bin) = frames
        .iter()
        .find(|f| matches!(f, Frame::Binary(_)))
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(&bin[..8], &[0, 0, 0, 1, 0, 0, 0, 2]);
    assert_eq!(&bin[8..12], b"\x89PNG");

    // Feature flags as the first message: the reply follows the status, previews are type 4
    // and come before their progress message.
    let mut ws = connect(&emu.ws_url("meta")).await;
    send_text(
        &mut ws,
        &json!({"type": "feature_flags", "data": {"supports_preview_metadata": true}}),
    )
    .await;
    let id = submit(
        emu.url(),
        &body_with_client("ws_binary_with_metadata_post", "meta"),
    )
    .await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(events(&frames), capture_events("ws_binary_with_metadata"));
    assert_eq!(
        frames[1].data(),
        &capture("ws_feature_flags_handshake")["frames"][2]["text"]["data"]
    );
    let Frame::Binary(bin) = frames
        .iter()
        .find(|f| matches!(f, Frame::Binary(_)))
        .unwrap()
    else {
        unreachable!()
    };
    let len = u32::from_be_bytes(bin[4..8].try_into().unwrap()) as usize;
    let meta: Value = serde_json::from_slice(&bin[8..8 + len]).unwrap();
    assert_eq!(
        meta,
        json!({"node_id": "2", "prompt_id": id, "display_node_id": "2",
        "parent_node_id": null, "real_node_id": "2", "image_type": "image/png"})
    );
    assert!(
        std::str::from_utf8(&bin[8..8 + len])
            .unwrap()
            .contains("\"node_id\": \"2\", ")
    );

    // Flags sent later are ignored: no reply, legacy previews.
    let mut late = connect(&emu.ws_url("late")).await;
    next_frame(&mut late, SECOND).await.unwrap();
    send_text(&mut late, &json!({"type": "hello"})).await;
    send_text(
        &mut late,
        &json!({"type": "feature_flags", "data": {"supports_preview_metadata": true}}),
    )
    .await;
    assert!(
        next_frame(&mut late, Duration::from_millis(200))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn only_a_json_object_counts_as_the_first_message() {
    // Measured on 0.3.64: invalid JSON, a JSON non-object and binary frames raise or are ignored
    // before the server marks its first message seen, so flags sent after them still count.
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let emu = emulator();
    let flags = json!({"type": "feature_flags", "data": {"supports_preview_metadata": true}});
    let cases: [(&str, Option<Message>, bool); 5] = [
        ("invalid", Some(Message::Text("not json".into())), true),
        ("list", Some(Message::Text("[1,2]".into())), true),
        ("string", Some(Message::Text("\"str\"".into())), true),
        ("binary", Some(Message::Binary(vec![0u8, 1].into())), true),
        (
            "object",
            Some(Message::Text(r#"{"type":"hello"}"#.into())),
            false,
        ),
    ];
    for (name, first, answered) in cases {
        let mut ws = connect(&emu.ws_url(name)).await;
        next_frame(&mut ws, SECOND).await.unwrap();
        if let Some(first) = first {
            ws.send(first).await.unwrap();
        }
        send_text(&mut ws, &flags).await;
        let reply = next_frame(&mut ws, Duration::from_millis(300)).await;
        assert_eq!(
            reply.as_ref().map(|f| f.data().clone()).is_some(),
            answered,
            "{name}: {reply:?}"
        );
        if answered {
            assert_eq!(
                reply.unwrap().data(),
                &capture("ws_feature_flags_handshake")["frames"][2]["text"]["data"],
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn samplers_report_their_steps_with_jpeg_previews() {
    // A catalog with one checkpoint, so a KSampler graph validates.
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(captures_dir().join("../object_info.json")).unwrap(),
    )
    .unwrap();
    doc["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] =
        json!(["model.safetensors"]);
    let dir =
        std::env::temp_dir().join(format!("comfywire-emulator-test-oi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("object_info.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let emu = emulator_with(EmulatorConfig {
        object_info: Some(file),
        faults: Faults {
            node_ms: 1,
            ..Faults::default()
        },
        ..EmulatorConfig::default()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let prompt = json!({
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "model.safetensors"}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a fox", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 256, "batch_size": 2}},
        "3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551615u64, "steps": 4, "cfg": 8,
            "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
            "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
    });
    let mut ws = connect(&emu.ws_url("s")).await;
    let id = submit(emu.url(), &json!({"prompt": prompt, "client_id": "s"})).await;
    let frames = until_done(&mut ws, &id).await;
    let progress: Vec<(Value, Value)> = frames
        .iter()
        .filter(|f| f.event() == "progress")
        .map(|f| (f.data()["value"].clone(), f.data()["max"].clone()))
        .collect();
    assert_eq!(
        progress,
        (1..=4).map(|i| (json!(i), json!(4))).collect::<Vec<_>>()
    );
    let jpegs = frames
        .iter()
        .filter(|f| matches!(f, Frame::Binary(b) if b[..8] == [0, 0, 0, 1, 0, 0, 0, 1] && b[8..11] == [0xff, 0xd8, 0xff]))
        .count();
    assert_eq!(jpegs, 4);
    let executed = frames.iter().find(|f| f.event() == "executed").unwrap();
    let images = executed.data()["output"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "one file per batch item");
    assert_eq!(images[1]["filename"], "ComfyUI_00002_.png");
    // Execution order: loaders first, then the chain to the output.
    let order: Vec<&str> = frames
        .iter()
        .filter(|f| f.event() == "executing" && !f.data()["node"].is_null())
        .map(|f| f.data()["node"].as_str().unwrap())
        .collect();
    assert_eq!(order.last(), Some(&"9"));
    assert_eq!(order.len(), 7);

    // The knob overrides the steps; previews can be turned off.
    emu.update_faults(|f| {
        f.steps = Some(2);
        f.previews = false;
    });
    let mut again = prompt.clone();
    again["3"]["inputs"]["seed"] = json!(1);
    let id = submit(emu.url(), &json!({"prompt": again, "client_id": "s"})).await;
    let frames = until_done(&mut ws, &id).await;
    assert_eq!(frames.iter().filter(|f| f.event() == "progress").count(), 2);
    assert!(!frames.iter().any(|f| matches!(f, Frame::Binary(_))));
}

#[tokio::test]
async fn text_frames_and_previewany_outputs() {
    let emu = emulator();
    let mut a = connect(&emu.ws_url("A")).await;
    let mut b = connect(&emu.ws_url("B")).await;
    next_frame(&mut b, SECOND).await.unwrap();
    let id = submit(emu.url(), &body_with_client("ws_text_frame_post", "A")).await;
    let frames = until_done(&mut a, &id).await;
    assert_eq!(events(&frames), capture_events("ws_text_frame_clientA"));
    let want = std::fs::read(captures_dir().join("ws_text_frame_clientA.bin1")).unwrap();
    assert!(
        frames
            .iter()
            .any(|f| matches!(f, Frame::Binary(bin) if *bin == want))
    );
    let mut observed = Vec::new();
    while let Some(f) = next_frame(&mut b, Duration::from_millis(200)).await {
        observed.push(f);
    }
    assert_eq!(
        events(&observed),
        capture_events("ws_text_frame_observerB")[1..]
    );

    let id = submit(
        emu.url(),
        &body_with_client("run_previewany_text_outputs_post", "A"),
    )
    .await;
    let frames = until_done(&mut a, &id).await;
    assert_eq!(
        events(&frames),
        capture_events("run_previewany_text_outputs_ws")[1..]
    );
    let entry = wait_history(emu.url(), &id).await;
    let want = capture("run_previewany_text_outputs_history")["response"]["body_json"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["outputs"]
        .clone();
    let mut got = entry["outputs"].as_object().unwrap().clone();
    got.sort_keys();
    let mut want = want.as_object().unwrap().clone();
    want.sort_keys();
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_u64_max_seed_comes_back_exactly() {
    let emu = emulator();
    let raw = capture("bigint_raw_post")["request"]["raw_body"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post_raw(&format!("{}/prompt", emu.url()), &raw).await;
    assert_eq!(r.status, 200);
    let id = r.json()["prompt_id"].as_str().unwrap().to_string();
    wait_history(emu.url(), &id).await;
    let text = get(&format!("{}/history/{id}", emu.url())).await.text;
    assert!(
        text.contains("\"seed\": 18446744073709551615, \"strength\": 0.5"),
        "{text}"
    );
    // The whole body is the server's text once ids, numbers, times and temp names match.
    let want =
        std::fs::read_to_string(captures_dir().join("bigint_raw_history_body.json")).unwrap();
    let normalize = |s: &str, id: &str| {
        let v: Value = serde_json::from_str(s).unwrap();
        let entry = &v[id];
        let temp = entry["outputs"]["3"]["images"][0]["filename"]
            .as_str()
            .unwrap()
            .to_string();
        let number = entry["prompt"][0].to_string();
        let mut out = s.replace(id, "ID").replace(&temp, "TEMP");
        out = out.replacen(&format!("[{number}, "), "[N, ", 1);
        for m in entry["status"]["messages"].as_array().unwrap() {
            out = out.replace(&m[1]["timestamp"].to_string(), "T");
        }
        out
    };
    assert_eq!(
        normalize(&text, &id),
        normalize(&want, "9dc20b1a-764e-4235-aff1-65da26013fb0")
    );

    // A seed given as a string is stored as the integer, as validation leaves it.
    let mut body = capture("run_bigint_seed_as_string_post")["request"]["body"].clone();
    body.as_object_mut().unwrap().shift_remove("client_id");
    let id = submit(emu.url(), &body).await;
    wait_history(emu.url(), &id).await;
    let text = get(&format!("{}/history/{id}", emu.url())).await.text;
    assert!(text.contains("\"seed\": 18446744073709551614,"), "{text}");
    assert!(text.contains("\"noise_seed\": 9007199254740993}"), "{text}");
}

#[tokio::test]
async fn queue_is_the_servers_heap_and_numbers_follow_its_counter() {
    let emu = emulator();
    emu.update_faults(|f| {
        f.node_durations.insert("ImageBlur".into(), 5000);
    });
    let base = emu.url();
    let mut ws = connect(&emu.ws_url("q")).await;
    let slow = body_with_client("interrupt_targeted_post", "q");
    let slow_id = submit(base, &slow).await;
    loop {
        let f = next_frame(&mut ws, 5 * SECOND).await.unwrap();
        if f.event() == "executing" && f.data()["node"] == "2" {
            break;
        }
    }
    let small = |color: u64| {
        json!({"prompt": {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": color}},
        "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}, "client_id": "q"})
    };
    let mut ids = Vec::new();
    for c in 1..=3 {
        let r = post_json(&format!("{base}/prompt"), &small(c)).await.json();
        assert_eq!(r["number"], json!(c));
        ids.push(r["prompt_id"].as_str().unwrap().to_string());
    }
    let mut front = small(4);
    front["front"] = json!(true);
    let r = post_json(&format!("{base}/prompt"), &front).await;
    assert!(r.text.contains("\"number\": -4,"), "{}", r.text);
    let mut numbered = small(5);
    numbered["number"] = json!(1.5);
    let r = post_json(&format!("{base}/prompt"), &numbered).await;
    assert!(r.text.contains("\"number\": 1.5,"));
    let mut five = small(6);
    five["number"] = json!(5);
    let r = post_json(&format!("{base}/prompt"), &five).await;
    assert!(r.text.contains("\"number\": 5.0,"), "{}", r.text);

    let queue = get(&format!("{base}/queue")).await.json();
    assert_eq!(queue["queue_running"][0][1], slow_id.as_str());
    let numbers: Vec<String> = queue["queue_pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[0].to_string())
        .collect();
    assert_eq!(
        numbers,
        ["-4", "1", "3", "2", "1.5", "5.0"],
        "the raw heap, unsorted"
    );
    let busy = get(&format!("{base}/prompt")).await.json();
    assert_eq!(busy["exec_info"]["queue_remaining"], 7);
    let item = &queue["queue_pending"][0];
    assert_eq!(item.as_array().unwrap().len(), 5);
    assert_eq!(item[3], json!({"client_id": "q"}));
    assert_eq!(item[4], json!(["2"]));

    // Deleting the running prompt does nothing; deleting a pending one and clearing do.
    post_json(&format!("{base}/queue"), &json!({"delete": [slow_id]})).await;
    post_json(&format!("{base}/queue"), &json!({"delete": [ids[1]]})).await;
    assert_eq!(
        get(&format!("{base}/queue")).await.json()["queue_pending"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    post_json(&format!("{base}/queue"), &json!({"clear": true})).await;
    let queue = get(&format!("{base}/queue")).await.json();
    assert_eq!(queue["queue_pending"], json!([]));
    assert_eq!(queue["queue_running"][0][1], slow_id.as_str());
    // Done looking: stop the slow job.
    post_json(&format!("{base}/interrupt"), &json!({})).await;
    let frames = until_done(&mut ws, &slow_id).await;
    let statuses: Vec<u64> = frames
        .iter()
        .filter(|f| f.event() == "status")
        .map(|f| {
            f.data()["status"]["exec_info"]["queue_remaining"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(statuses, [2, 3, 4, 5, 6, 7, 6, 1, 0]);
    // The counter is not advanced by explicit numbers.
    let r = post_json(&format!("{base}/prompt"), &small(7)).await.json();
    assert_eq!(r["number"], 5);
}

#[tokio::test]
async fn history_pages_deletes_and_clears_like_the_server() {
    let emu = emulator();
    emu.update_faults(|f| f.instant_finish = true);
    let base = emu.url();
    let mut ids = Vec::new();
    for c in 0..4 {
        let body = json!({"prompt": {
            "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": c}},
            "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}});
        ids.push(submit(base, &body).await);
    }
    let keys = |v: Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(get(&format!("{base}/history")).await.json()), ids);
    assert_eq!(
        keys(get(&format!("{base}/history?max_items=1")).await.json()),
        ids[3..]
    );
    assert_eq!(
        keys(
            get(&format!("{base}/history?max_items=2&offset=1"))
                .await
                .json()
        ),
        ids[1..3]
    );
    assert_eq!(
        keys(get(&format!("{base}/history?offset=2")).await.json()),
        ids[2..]
    );
    assert_eq!(
        get(&format!("{base}/history?max_items=abc")).await.status,
        500
    );
    post_json(&format!("{base}/history"), &json!({"delete": [ids[0]]})).await;
    assert_eq!(get(&format!("{base}/history/{}", ids[0])).await.text, "{}");
    assert_eq!(keys(get(&format!("{base}/history")).await.json()), ids[1..]);
    post_json(&format!("{base}/history"), &json!({"clear": true})).await;
    assert_eq!(get(&format!("{base}/history")).await.text, "{}");

    // A reused prompt id overwrites its entry.
    let mut body = capture("run_custom_prompt_id_post")["request"]["body"].clone();
    body.as_object_mut().unwrap().shift_remove("client_id");
    assert_eq!(submit(base, &body).await, "my-client-chosen-id-1");
    body["prompt"]["1"]["inputs"]["color"] = json!(7);
    assert_eq!(submit(base, &body).await, "my-client-chosen-id-1");
    let all = get(&format!("{base}/history")).await.json();
    assert_eq!(all.as_object().unwrap().len(), 1);
    assert_eq!(
        all["my-client-chosen-id-1"]["prompt"][2]["1"]["inputs"]["color"],
        7
    );

    // Sensitive extra_data shows in the queue but not in history; extra_pnginfo goes in PNGs.
    let body = json!({"prompt": capture("run_extra_data_post")["request"]["body"]["prompt"],
        "extra_data": {"api_key_comfy_org": "SECRET", "extra_pnginfo": {"workflow": {"nodes": []}}, "keep": 1}});
    let id = submit(base, &body).await;
    let entry = &get(&format!("{base}/history/{id}")).await.json()[&id];
    assert_eq!(
        entry["prompt"][3],
        json!({"extra_pnginfo": {"workflow": {"nodes": []}}, "keep": 1})
    );
    let file = &entry["outputs"]["3"]["images"][0];
    let png = std::fs::read(
        emu.data_dir()
            .join("output")
            .join(file["subfolder"].as_str().unwrap())
            .join(file["filename"].as_str().unwrap()),
    )
    .unwrap();
    let meta = comfywire::media::extract(&png).unwrap();
    assert_eq!(meta.workflow, Some(json!({"nodes": []})));
}

#[tokio::test]
async fn reconnecting_client_is_told_the_running_node() {
    let emu = emulator();
    emu.update_faults(|f| {
        f.node_durations.insert("2".into(), 300);
    });
    let mut first = connect(&emu.ws_url("r")).await;
    let id = submit(emu.url(), &body_with_client("interrupt_targeted_post", "r")).await;
    loop {
        let f = next_frame(&mut first, 5 * SECOND).await.unwrap();
        if f.event() == "executing" && f.data()["node"] == "2" {
            break;
        }
    }
    drop(first);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut second = connect(&emu.ws_url("r")).await;
    let frames = until_done(&mut second, &id).await;
    assert_eq!(events(&frames)[..2], ["status", "executing"]);
    assert_eq!(frames[1].data(), &json!({"node": "2"}));
    assert_eq!(
        frames[0].data()["status"]["exec_info"]["queue_remaining"],
        1
    );
}

#[tokio::test]
async fn partially_valid_prompts_run_only_their_good_outputs() {
    let emu = emulator();
    let base = emu.url();
    let mut body = capture("run_mixed_valid_invalid_outputs_post")["request"]["body"].clone();
    body.as_object_mut().unwrap().shift_remove("client_id");
    let r = post_json(&format!("{base}/prompt"), &body).await;
    assert_eq!(r.status, 200);
    let want =
        capture("run_mixed_valid_invalid_outputs_post")["response"]["body_json"]["node_errors"]
            .clone();
    assert_eq!(r.json()["node_errors"], want);
    let id = r.json()["prompt_id"].as_str().unwrap().to_string();
    let entry = wait_history(base, &id).await;
    assert_eq!(entry["prompt"][4], json!(["2"]));
    assert_eq!(
        entry["outputs"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["2"]
    );

    let mut body = capture("run_partial_execution_targets_post")["request"]["body"].clone();
    body.as_object_mut().unwrap().shift_remove("client_id");
    let id = submit(base, &body).await;
    let entry = wait_history(base, &id).await;
    assert_eq!(entry["prompt"][4], json!(["2"]));
    // The same EmptyImage ran in the previous prompt under the same inputs: cached.
    assert_eq!(
        entry["status"]["messages"][1][1]["nodes"],
        json!(["1", "2"])
    );
}

/// A second socket with the same client id, then closing the first: the second hears nothing
/// more (the server forgets the id), as captured.
#[tokio::test]
async fn closing_an_old_socket_deafens_its_replacement() {
    let emu = emulator();
    let mut old = connect(&emu.ws_url("same")).await;
    next_frame(&mut old, SECOND).await.unwrap();
    let mut new = connect(&emu.ws_url("same")).await;
    next_frame(&mut new, SECOND).await.unwrap();
    old.close(None).await.unwrap();
    while next_frame(&mut old, SECOND).await.is_some() {}
    tokio::time::sleep(Duration::from_millis(50)).await;
    let id = submit(
        emu.url(),
        &body_with_client("ws_same_clientid_post", "same"),
    )
    .await;
    wait_history(emu.url(), &id).await;
    assert!(
        next_frame(&mut new, Duration::from_millis(300))
            .await
            .is_none()
    );
}
