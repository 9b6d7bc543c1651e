//! The native client against the emulator: every fault knob gives the right typed outcome within
//! its deadline, two jobs on one socket never see each other's events, cancel touches only its
//! own job, and a u64::MAX seed comes back from the server's history exactly.

use std::time::Duration;

use comfywire::Prompt;
use comfywire::protocol::{FileRef, JobEvent, JobResult};
use comfywire_client::{Client, ClientConfig, JobOptions};
use comfywire_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::json;

/// No scenario may take longer than this: a hang fails the test instead of stalling CI.
const HANG: Duration = Duration::from_secs(20);

fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig {
        models: vec!["checkpoints/v1-5-pruned-emaonly-fp16.safetensors".into()],
        ..EmulatorConfig::default()
    })
    .unwrap()
}

async fn client(emulator: &EmulatorHandle) -> Client {
    let mut config = ClientConfig::new(emulator.url());
    // Short silence so reconnect and history paths are exercised quickly.
    config.silence = Duration::from_millis(500);
    config.reconnect_min = Duration::from_millis(50);
    config.reconnect_max = Duration::from_millis(400);
    Client::connect(config).await.unwrap()
}

/// EmptyImage → [ImageInvert] → SaveImage: no models needed, one output file.
fn image_prompt(invert: bool, prefix: &str) -> Prompt {
    let mut p = json!({
        "1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 255}},
        "3": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": prefix}},
    });
    if invert {
        p["2"] = json!({"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}});
        p["3"]["inputs"]["images"] = json!(["2", 0]);
    }
    Prompt::from_value(&p).unwrap()
}

fn sampler_prompt(seed: serde_json::Value, steps: u64) -> Prompt {
    let p = json!({
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly-fp16.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
        "3": {"class_type": "KSampler", "inputs": {"seed": seed, "steps": steps, "cfg": 7.0,
              "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
              "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "fox"}},
    });
    Prompt::from_value(&p).unwrap()
}

async fn run(
    client: &Client,
    prompt: &Prompt,
    timeout: Option<Duration>,
) -> (JobResult, Vec<JobEvent>) {
    let mut events = Vec::new();
    let options = JobOptions {
        timeout,
        ..JobOptions::default()
    };
    let job = client.submit(prompt, options).await.unwrap();
    let result = tokio::time::timeout(HANG, job.wait_with(|e| events.push(e.clone())))
        .await
        .expect("the job hung");
    (result, events)
}

fn saved_file(result: &JobResult, node: &str) -> FileRef {
    let image = &result.outputs[node]["images"][0];
    FileRef {
        filename: image["filename"].as_str().unwrap().into(),
        subfolder: image["subfolder"].as_str().unwrap().into(),
        kind: image["type"].as_str().unwrap().into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_normal_run_reports_progress_and_outputs_but_not_previews() {
    let emu = emulator();
    let client = client(&emu).await;
    let (result, events) = run(&client, &sampler_prompt(json!(42), 4), None).await;
    assert_eq!(result.outcome.code(), "SUCCESS");
    let progress: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            JobEvent::Progress { value, max, .. } => Some(value / max),
            _ => None,
        })
        .collect();
    assert_eq!(progress.len(), 4, "{events:?}");
    assert!(events.iter().any(|e| matches!(e, JobEvent::Preview { .. })));
    assert_eq!(result.outputs.len(), 1, "previews never become outputs");
    let png = client.view(&saved_file(&result, "9")).await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // The second identical run is fully cached and still ends.
    let (again, events) = run(&client, &sampler_prompt(json!(42), 4), None).await;
    assert_eq!(again.outcome.code(), "SUCCESS");
    assert!(events.iter().any(|e| matches!(e, JobEvent::Cached { .. })));
    client.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_jobs_on_one_socket_one_failing() {
    let emu = emulator();
    emu.update_faults(|f| f.execution_error = Some("ImageInvert".into()));
    let client = client(&emu).await;
    let (pa, pb) = (image_prompt(true, "a"), image_prompt(false, "b"));
    let (a, b) = tokio::join!(run(&client, &pa, None), run(&client, &pb, None));
    assert_eq!(a.0.outcome.code(), "EXECUTION_ERROR");
    assert_eq!(b.0.outcome.code(), "SUCCESS");
    assert!(saved_file(&b.0, "3").filename.starts_with("b_"));
    // No event of one job reached the other (outputs name their own prefix).
    for event in &b.1 {
        if let JobEvent::Output { output, .. } = event {
            assert!(output.to_string().contains("\"b_"), "{output}");
        }
    }
    assert!(a.0.outputs.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_knob_ends_typed_and_in_time() {
    let emu = emulator();
    let client = client(&emu).await;

    emu.update_faults(|f| f.instant_finish = true);
    let (r, _) = run(&client, &image_prompt(false, "instant"), None).await;
    assert_eq!(
        r.outcome.code(),
        "SUCCESS",
        "finished before the client listened"
    );
    assert_eq!(r.outputs.len(), 1);
    emu.update_faults(|f| f.instant_finish = false);

    emu.update_faults(|f| {
        f.ws_drop_mid_job = true;
        f.slow_history_ms = 300;
    });
    let (r, _) = run(&client, &sampler_prompt(json!(7), 6), None).await;
    assert_eq!(
        r.outcome.code(),
        "SUCCESS",
        "recovered from the history after the drop"
    );
    assert_eq!(r.outputs.len(), 1);
    emu.update_faults(|f| {
        f.ws_drop_mid_job = false;
        f.slow_history_ms = 0;
    });

    emu.update_faults(|f| f.garbage_ws_frames = true);
    let (r, _) = run(&client, &image_prompt(true, "garbage"), None).await;
    assert_eq!(r.outcome.code(), "SUCCESS");
    emu.update_faults(|f| f.garbage_ws_frames = false);

    emu.update_faults(|f| f.execution_error = Some("*".into()));
    let (r, _) = run(&client, &image_prompt(false, "err"), None).await;
    assert_eq!(r.outcome.code(), "EXECUTION_ERROR");
    emu.update_faults(|f| f.execution_error = None);

    emu.update_faults(|f| f.prompt_500 = true);
    let err = client
        .submit(&image_prompt(false, "500"), JobOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "HTTP_STATUS");
    assert!(err.to_string().contains("500"));
    emu.update_faults(|f| f.prompt_500 = false);

    // Refused by validation: the job ends as PROMPT_REJECTED with the server's node_errors.
    let bad = Prompt::from_value(&json!({"1": {"class_type": "Nope", "inputs": {}}})).unwrap();
    let err = client.submit(&bad, JobOptions::default()).await;
    match err {
        Ok(job) => assert_eq!(job.wait().await.outcome.code(), "PROMPT_REJECTED"),
        Err(e) => assert_eq!(e.code(), "PROMPT_REJECTED"),
    }

    // A restart loses the running job: the tracker notices it is neither queued nor in history.
    emu.update_faults(|f| f.node_ms = 400);
    let job = client
        .submit(&sampler_prompt(json!(9), 3), JobOptions::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    emu.restart();
    let r = tokio::time::timeout(HANG, job.wait())
        .await
        .expect("hung after restart");
    assert_eq!(r.outcome.code(), "JOB_LOST");
    emu.update_faults(|f| f.node_ms = 20);

    // The deadline ends a slow job, and the server stops working on it.
    emu.update_faults(|f| f.node_ms = 2_000);
    let (r, _) = run(
        &client,
        &image_prompt(true, "slow"),
        Some(Duration::from_millis(500)),
    )
    .await;
    assert_eq!(r.outcome.code(), "TIMEOUT");
    // The server notices an interrupt between nodes (a node here lasts 2 s), as ComfyUI does.
    let mut queue = client.queue().await.unwrap();
    for _ in 0..50 {
        if queue.running.is_empty() && queue.pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        queue = client.queue().await.unwrap();
    }
    assert!(
        queue.running.is_empty() && queue.pending.is_empty(),
        "{queue:?}"
    );
    let history = client.history(Some(&r.prompt_id), None).await.unwrap();
    assert_eq!(
        history[0].status_str, "error",
        "it was interrupted, not finished"
    );
    client.close();

    // Forbidden: a typed error, not a hang or a storm.
    emu.update_faults(|f| f.forbidden = true);
    let refused = tokio::time::timeout(HANG, Client::connect(ClientConfig::new(emu.url())))
        .await
        .expect("connect hung");
    let err = refused.unwrap_err();
    assert_eq!(err.code(), "HTTP_STATUS");
    assert!(err.to_string().contains("403"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_only_its_own_job() {
    let emu = emulator();
    emu.update_faults(|f| f.node_ms = 300);
    let client = client(&emu).await;
    let other = client.clone();
    let running = client
        .submit(&image_prompt(true, "running"), JobOptions::default())
        .await
        .unwrap();
    let waiting = client
        .submit(&image_prompt(true, "waiting"), JobOptions::default())
        .await
        .unwrap();
    let bystander = other
        .submit(&image_prompt(false, "bystander"), JobOptions::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    waiting.cancel().await.unwrap();
    running.cancel().await.unwrap();
    let (r1, r2, r3) = tokio::join!(running.wait(), waiting.wait(), bystander.wait());
    assert_eq!(r1.outcome.code(), "CANCELLED");
    assert_eq!(r2.outcome.code(), "CANCELLED");
    assert_eq!(
        r3.outcome.code(),
        "SUCCESS",
        "someone else's job is untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_u64_max_seed_survives_submit_and_history() {
    let emu = emulator();
    let client = client(&emu).await;
    let seed: serde_json::Value = serde_json::from_str("18446744073709551615").unwrap();
    let (result, _) = run(&client, &sampler_prompt(seed, 2), None).await;
    assert_eq!(result.outcome.code(), "SUCCESS");
    let history = client.history(Some(&result.prompt_id), None).await.unwrap();
    let stored = &history[0].prompt[2]["3"]["inputs"]["seed"];
    assert_eq!(stored.to_string(), "18446744073709551615");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_routes_by_capability_and_queue_and_uploads_where_the_job_runs() {
    // Server 0 lacks the checkpoint; servers 1 and 2 have it, 1 is busy.
    let bare = Emulator::start(EmulatorConfig::default()).unwrap();
    let (busy, idle) = (emulator(), emulator());
    busy.update_faults(|f| f.node_ms = 1_500);
    let hog = client(&busy).await;
    let hog_job = hog
        .submit(&image_prompt(true, "hog"), JobOptions::default())
        .await
        .unwrap();
    let pool = comfywire_client::Pool::connect(vec![
        ClientConfig::new(bare.url()),
        ClientConfig::new(busy.url()),
        ClientConfig::new(idle.url()),
    ])
    .await
    .unwrap();
    let txt2img = sampler_prompt(json!(1), 2);
    assert!(
        pool.incapable(0, &txt2img)
            .unwrap()
            .contains("is not on this server")
    );
    assert_eq!(pool.pick(&txt2img).await.unwrap(), 2);

    // An upload goes to the chosen server and the job names the stored file.
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/media/view_output_of_run.png"
    ))
    .unwrap();
    let load = Prompt::from_value(&json!({
        "1": {"class_type": "LoadImage", "inputs": {"image": "placeholder.png"}},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "loaded"}},
    }))
    .unwrap();
    let upload = comfywire_client::JobUpload {
        selector: "#1.image".into(),
        file_name: "fox.png".into(),
        data: png,
    };
    let (index, result) = tokio::time::timeout(
        HANG,
        pool.run(&load, vec![upload], JobOptions::default(), |_| {}),
    )
    .await
    .expect("pool run hung")
    .unwrap();
    assert_ne!(index, 1, "the busy server is not chosen");
    assert_eq!(result.outcome.code(), "SUCCESS");
    assert!(
        [&bare, &busy, &idle][index]
            .data_dir()
            .join("input/fox.png")
            .exists()
    );
    hog_job.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_a_deadline_returns_once_the_server_confirmed_the_stop() {
    let emu = emulator();
    let client = client(&emu).await;
    emu.update_faults(|f| f.node_ms = 2_000);
    let options = JobOptions {
        timeout: Some(Duration::from_millis(300)),
        ..JobOptions::default()
    };
    let result = tokio::time::timeout(
        HANG,
        client.run(&image_prompt(true, "stopped"), options, |_| {}),
    )
    .await
    .expect("run hung")
    .unwrap();
    assert_eq!(result.outcome.code(), "TIMEOUT");
    // The job's end waited for the answers to the dequeue and the interrupt.
    assert_eq!(
        result.server_stop,
        comfywire::protocol::ServerStop::Confirmed
    );
    // Interrupted, the running node still ends (as on ComfyUI); nothing runs after it.
    let mut queue = client.queue().await.unwrap();
    for _ in 0..40 {
        if queue.running.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        queue = client.queue().await.unwrap();
    }
    assert!(
        queue.running.is_empty() && queue.pending.is_empty(),
        "the timed-out job still runs: {queue:?}"
    );
    client.close();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_comes_back_ends_the_job_lost_after_the_reconnect_window() {
    let emu = emulator();
    let mut config = ClientConfig::new(emu.url());
    config.reconnect_min = Duration::from_millis(50);
    config.reconnect_max = Duration::from_millis(200);
    config.reconnect_window = Duration::from_secs(1);
    let client = Client::connect(config).await.unwrap();
    emu.update_faults(|f| f.node_ms = 5_000);
    let job = client
        .submit(&image_prompt(true, "gone"), JobOptions::default())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(emu);
    let result = tokio::time::timeout(HANG, job.wait())
        .await
        .expect("hung on a server that is gone");
    assert_eq!(result.outcome.code(), "JOB_LOST");
    client.close();
}
