//! The protocol against the real server's captures (`tests/fixtures/captures`, ComfyUI 0.3.64):
//! every capture parses, and every recorded run replayed through the tracker ends as the
//! server's history says, with the same outputs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;
use crate::json::json_eq;

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/captures")
}

fn read(name: &str) -> Value {
    let path = captures().join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// The response of an HTTP capture, as a transport would hand it over.
fn response_of(capture: &Value) -> Option<HttpResponse> {
    let r = capture.get("response")?;
    let status = r.get("status")?.as_u64()? as u16;
    let body = match (
        r.get("body_json"),
        r.get("body_text"),
        r.get("body_saved_to").and_then(Value::as_str),
    ) {
        (Some(j), _, _) => serde_json::to_vec(j).unwrap(),
        (None, Some(Value::String(t)), _) => t.as_bytes().to_vec(),
        // Raw bytes kept verbatim (the u64-max history body).
        (None, None, Some(saved)) => {
            let name = Path::new(saved).file_name().unwrap();
            // object_info.json sits one level up, shared with the catalog tests.
            std::fs::read(captures().join(name))
                .or_else(|_| std::fs::read(captures().join("..").join(name)))
                .unwrap()
        }
        _ => Vec::new(),
    };
    Some(HttpResponse { status, body })
}

/// Decodes every frame of a WS capture.
fn frames(capture: &Value) -> Vec<(u64, ServerMessage)> {
    let mut out = Vec::new();
    for f in capture["frames"].as_array().unwrap() {
        if f.get("dir").and_then(Value::as_str) != Some("server->client") {
            continue;
        }
        let t = (f["t"].as_f64().unwrap_or(0.0) * 1000.0) as u64;
        let message = if let Some(text) = f.get("text") {
            let raw = match text {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            ServerMessage::from_text(&raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
        } else if let Some(saved) = f.get("saved_to").and_then(Value::as_str) {
            let name = Path::new(saved).file_name().unwrap();
            let bytes = std::fs::read(captures().join(name)).unwrap();
            ServerMessage::from_binary(&bytes).unwrap()
        } else {
            continue;
        };
        out.push((t, message));
    }
    out
}

#[test]
fn every_capture_parses() {
    let mut checked = 0;
    for entry in std::fs::read_dir(captures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let capture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if capture.get("frames").is_some() {
            frames(&capture);
            checked += 1;
            continue;
        }
        let (Some(request), Some(resp)) = (capture.get("request"), response_of(&capture)) else {
            continue;
        };
        let method = request["method"].as_str().unwrap_or("");
        let route = request["path"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches("/api");
        let route = route.split('?').next().unwrap();
        let ok = (200..300).contains(&resp.status);
        match (method, route) {
            ("POST", "/prompt") => match response::prompt_response(&resp) {
                Ok(a) => assert!(ok && !a.prompt_id.is_empty()),
                Err(crate::Error::PromptRejected { status, error, .. }) => {
                    assert!(status == 400 && error.get("type").is_some())
                }
                Err(e) => assert!(!ok && e.code() == "HTTP_STATUS", "{}: {e}", path.display()),
            },
            ("GET", "/queue") if ok => {
                let q = response::queue_response(&resp).unwrap();
                let numbers: Vec<f64> = q
                    .pending
                    .iter()
                    .map(|i| i.number.as_f64().unwrap())
                    .collect();
                assert!(numbers.windows(2).all(|w| w[0] <= w[1]), "{numbers:?}");
            }
            ("GET", r) if ok && r.starts_with("/history") => {
                response::history_response(&resp).unwrap();
            }
            ("POST", r) if ok && r.starts_with("/upload") => {
                assert!(
                    !response::upload_response(&resp)
                        .unwrap()
                        .filename
                        .is_empty()
                );
            }
            ("GET", r) if ok && r.starts_with("/object_info") => {
                response::object_info_response(&resp).unwrap();
            }
            _ => continue,
        }
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn pending_queue_is_sorted_like_the_server_runs_it() {
    let busy =
        response::queue_response(&response_of(&read("get_queue_busy.json")).unwrap()).unwrap();
    assert!(busy.running.len() <= 1);
    let numbers: Vec<f64> = busy
        .pending
        .iter()
        .map(|i| i.number.as_f64().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] <= w[1]), "{numbers:?}");
}

/// Replays one recorded run: watch → submit → frames → (history when the socket says nothing).
fn replay(run: &str) -> (JobResult, Vec<JobEvent>, HistoryEntry) {
    let post = read(&format!("{run}_post.json"));
    let accepted =
        response::prompt_response(&response_of(&post).unwrap()).expect("the run was accepted");
    let id = accepted.prompt_id.clone();
    let nodes = post["request"]["body"]["prompt"]
        .as_object()
        .map_or(1, |p| p.len());
    let history =
        response::history_response(&response_of(&read(&format!("{run}_history.json"))).unwrap())
            .unwrap();
    let entry = history
        .iter()
        .find(|e| e.prompt_id == id)
        .expect("history has the run")
        .clone();

    let mut tracker = JobTracker::new(TrackerConfig::default());
    tracker.connected(0);
    tracker.watch(&id, nodes, 0, None);
    tracker.submitted(&id, 0);
    let mut events = Vec::new();
    let mut last = 0;
    for (t, message) in frames(&read(&format!("{run}_ws.json"))) {
        last = t;
        events.extend(tracker.on_message(&message, t));
    }
    // No client id, or a socket that heard nothing: silence makes the tracker ask the history.
    if !events
        .iter()
        .any(|(_, e)| matches!(e, JobEvent::Finished(_)))
    {
        events.extend(tracker.poll(last + TrackerConfig::default().silence_ms));
        let actions = tracker.take_actions();
        assert!(
            actions.contains(&Action::FetchHistory {
                prompt_id: id.clone()
            }),
            "{run}: {actions:?}"
        );
        events.extend(tracker.on_history(&id, &history, last + 20_000));
    }
    let mut result = None;
    let mut mine = Vec::new();
    for (job, e) in events {
        assert_eq!(job, id, "{run}: an event for another job");
        if let JobEvent::Finished(r) = &e {
            result = Some(r.clone());
        }
        mine.push(e);
    }
    (
        result.unwrap_or_else(|| panic!("{run}: never finished")),
        mine,
        entry,
    )
}

/// Every recorded run with its socket transcript, submission and history.
fn recorded_runs() -> Vec<String> {
    let mut runs: Vec<String> = std::fs::read_dir(captures())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix("_ws.json").map(str::to_string))
        .filter(|b| {
            b.starts_with("run_")
                && captures().join(format!("{b}_post.json")).exists()
                && captures().join(format!("{b}_history.json")).exists()
        })
        .collect();
    runs.sort();
    runs
}

/// The outcome code the server's history gives a run.
fn expected_outcome(entry: &HistoryEntry) -> &'static str {
    if entry.error().is_some() {
        "EXECUTION_ERROR"
    } else if entry.was_interrupted() {
        "INTERRUPTED"
    } else {
        "SUCCESS"
    }
}

#[test]
fn every_recorded_run_ends_as_the_history_says() {
    let runs = recorded_runs();
    assert!(runs.len() >= 20, "{runs:?}");
    for run in &runs {
        let (result, events, entry) = replay(run);
        let expected = expected_outcome(&entry);
        assert_eq!(result.outcome.code(), expected, "{run}");
        assert!(
            json_eq(
                &Value::Object(result.outputs.clone()),
                &Value::Object(entry.outputs.clone())
            ),
            "{run}: {:?} vs {:?}",
            result.outputs,
            entry.outputs
        );
        // Previews are events, never outputs.
        let previews = events
            .iter()
            .filter(|e| matches!(e, JobEvent::Preview { .. }))
            .count();
        assert!(
            previews == 0
                || !result.outputs.is_empty()
                || run.contains("preview")
                || run.contains("websocket"),
            "{run}"
        );
    }
}

#[test]
fn a_u64_max_seed_survives_submit_and_history() {
    let post = read("run_bigint_seed_u64max_post.json");
    let body = serde_json::to_string(&post["request"]["body"]).unwrap();
    assert!(body.contains("18446744073709551615"), "{body}");
    let prompt = crate::Prompt::from_value(&post["request"]["body"]["prompt"]).unwrap();
    let request = Endpoint::new("http://127.0.0.1:8188", "c")
        .unwrap()
        .queue_prompt(&prompt, &QueueOptions::default());
    let (_, sent) = request.body.encode("b");
    assert!(
        String::from_utf8(sent)
            .unwrap()
            .contains("18446744073709551615")
    );
    // The server's raw history bytes, parsed, still hold the exact seed in the stored prompt.
    let history =
        response::history_response(&response_of(&read("bigint_raw_history.json")).unwrap())
            .unwrap();
    let stored = history[0].prompt.to_string();
    assert!(stored.contains("18446744073709551615"), "{stored}");
}

#[test]
fn two_jobs_on_one_socket_do_not_mix_and_cancel_targets_only_its_own() {
    let mut t = JobTracker::new(TrackerConfig::default());
    t.watch("a", 2, 0, None);
    t.watch("b", 2, 0, Some(10_000));
    t.submitted("a", 0);
    t.submitted("b", 0);
    let msg = |s: &str| ServerMessage::from_text(s).unwrap();
    let ev = t.on_message(
        &msg(r#"{"type": "execution_start", "data": {"prompt_id": "a"}}"#),
        1,
    );
    assert_eq!(ev, vec![("a".to_string(), JobEvent::Started)]);
    let ev = t.on_message(&msg(r#"{"type": "executed", "data": {"node": "3", "output": {"images": []}, "prompt_id": "a"}}"#), 2);
    assert_eq!(ev[0].0, "a");
    assert_eq!(t.cancel("b"), CancelPlan::Dequeue);
    assert_eq!(t.cancel("a"), CancelPlan::Interrupt);
    let ev = t.on_message(
        &msg(r#"{"type": "execution_interrupted", "data": {"prompt_id": "a", "node_id": "3"}}"#),
        3,
    );
    assert!(matches!(
        &ev[0].1,
        JobEvent::Finished(JobResult {
            outcome: Outcome::Cancelled,
            ..
        })
    ));
    // Someone else's job is not ours to report.
    assert!(
        t.on_message(
            &msg(r#"{"type": "execution_start", "data": {"prompt_id": "zzz"}}"#),
            4
        )
        .is_empty()
    );
    let ev = t.dequeued("b");
    assert!(matches!(
        &ev[0].1,
        JobEvent::Finished(JobResult {
            outcome: Outcome::Cancelled,
            ..
        })
    ));
}

#[test]
fn deadlines_restarts_and_empty_history() {
    let mut t = JobTracker::new(TrackerConfig {
        silence_ms: 1_000,
        ..TrackerConfig::default()
    });
    t.watch("a", 1, 0, Some(5_000));
    t.watch("b", 1, 0, None);
    t.submitted("a", 0);
    t.submitted("b", 0);
    t.take_actions();
    // Silence → ask the history; `{}` means unknown → ask the queue; not queued → lost.
    assert!(t.poll(1_500).is_empty());
    let actions = t.take_actions();
    assert!(actions.contains(&Action::FetchHistory {
        prompt_id: "b".into()
    }));
    assert!(t.on_history("b", &[], 1_600).is_empty());
    assert_eq!(t.take_actions(), vec![Action::FetchQueue]);
    // Not queued either: finished meanwhile, or lost. The history, asked again after a
    // margin, decides.
    assert!(t.on_queue(&QueueState::default(), 1_700).is_empty());
    assert!(
        t.next_wakeup()
            .is_some_and(|at| at <= 1_700 + LOST_RECHECK_MS)
    );
    assert!(t.poll(1_700 + LOST_RECHECK_MS).is_empty());
    assert!(t.take_actions().contains(&Action::FetchHistory {
        prompt_id: "b".into()
    }));
    let ev = t.on_history("b", &[], 1_800 + LOST_RECHECK_MS);
    assert!(
        ev.iter().any(|(id, e)| id == "b"
            && matches!(
                e,
                JobEvent::Finished(JobResult {
                    outcome: Outcome::Lost,
                    ..
                })
            )),
        "{ev:?}"
    );
    // A deadline ends a job that never finishes.
    let ev = t.poll(5_000);
    assert!(matches!(
        &ev[0].1,
        JobEvent::Finished(JobResult {
            outcome: Outcome::TimedOut,
            ..
        })
    ));
    assert_eq!(t.unfinished().count(), 0);
}

/// The captured run of an invert workflow: its prompt id and its `GET /history` answer.
fn invert_run() -> (String, Vec<response::HistoryEntry>) {
    let run = "run_invert_save";
    let post = read(&format!("{run}_post.json"));
    let id = response::prompt_response(&response_of(&post).unwrap())
        .unwrap()
        .prompt_id;
    let history =
        response::history_response(&response_of(&read(&format!("{run}_history.json"))).unwrap())
            .unwrap();
    (id, history)
}

#[test]
fn a_reconnect_defers_the_end_to_the_history() {
    let (id, history) = invert_run();
    let mut t = JobTracker::new(TrackerConfig::default());
    t.connected(0);
    t.watch(&id, 3, 0, None);
    t.submitted(&id, 0);
    t.connected(5); // the socket dropped and came back: `executed` may have been missed
    let end = ServerMessage::from_text(&format!(
        r#"{{"type": "executing", "data": {{"node": null, "prompt_id": "{id}"}}}}"#
    ))
    .unwrap();
    assert!(t.on_message(&end, 6).is_empty());
    assert!(t.take_actions().contains(&Action::FetchHistory {
        prompt_id: id.clone()
    }));
    let ev = t.on_history(&id, &history, 7);
    // The missed `executed` comes back as an output event, before the end.
    let JobEvent::Output { node, .. } = &ev[0].1 else {
        panic!("{ev:?}")
    };
    assert_eq!(node, "3");
    let JobEvent::Finished(result) = &ev[1].1 else {
        panic!("{ev:?}")
    };
    assert_eq!(result.outcome, Outcome::Success);
    assert_eq!(
        response::output_files(&result.outputs)[0].file.filename,
        "invert_00001_.png"
    );
}

#[test]
fn hosted_profile_polls_task_info_to_the_end() {
    use super::hosted::{HostedEndpoint, task_info_response};
    let ep = HostedEndpoint::new("https://cloud.example/api/maas/", "key").unwrap();
    let answer = |status: u8, position: u64, files: &str| {
        let body = format!(
            r#"{{"code":0,"msg":"Success","data":{{"comfy_task_info":[{{"comfy_task_id":"cft-1","status":{status},"queue_size":2,"current_position":{position},"errMsg":"","files":{files}}}]}}}}"#
        );
        task_info_response(&HttpResponse {
            status: 200,
            body: body.into_bytes(),
        })
        .unwrap()
    };
    let mut t = JobTracker::new(TrackerConfig::hosted(1_000));
    t.watch("cft-1", 3, 0, Some(60_000));
    t.submitted("cft-1", 0);
    let actions = t.take_actions();
    assert_eq!(
        actions,
        vec![Action::FetchTaskInfo {
            prompt_ids: vec!["cft-1".into()]
        }]
    );
    // The request the driver makes for that action.
    let req = ep.task_info(&["cft-1".into()], 3600);
    assert!(req.url.ends_with("comfy_task_api/get_task_info"));

    let ev = t.on_task_info(&answer(1, 2, "\"None\""), 10);
    assert_eq!(ev, vec![("cft-1".into(), JobEvent::Queued { position: 2 })]);
    // Not due yet; then due once per interval.
    assert!(t.poll(500).is_empty() && t.take_actions().is_empty());
    assert_eq!(t.next_wakeup(), Some(1_010));
    t.poll(1_010);
    assert_eq!(t.take_actions().len(), 1);
    let ev = t.on_task_info(&answer(2, 0, "\"None\""), 1_020);
    assert_eq!(ev, vec![("cft-1".into(), JobEvent::Started)]);
    assert!(t.on_task_info(&answer(2, 0, "\"None\""), 2_030).is_empty());
    let ev = t.on_task_info(&answer(3, 0, r#"{"9":"https://x/a.png"}"#), 3_040);
    let [(_, JobEvent::Finished(result))] = ev.as_slice() else {
        panic!("{ev:?}")
    };
    assert_eq!(result.outcome, Outcome::Success);
    assert_eq!(
        result.outputs["9"],
        serde_json::json!({"urls": ["https://x/a.png"]})
    );
    assert!(!t.is_watching("cft-1"));
}

#[test]
fn hosted_failures_permission_and_deadline() {
    use super::hosted::{TaskInfo, TaskStatus};
    let task = |id: &str, status| TaskInfo {
        task_id: id.into(),
        status,
        queue_size: 0,
        current_position: 0,
        error_message: "boom".into(),
        files: Default::default(),
    };
    let mut t = JobTracker::new(TrackerConfig::hosted(500));
    for id in ["a", "b", "c"] {
        t.watch(id, 1, 0, Some(10_000));
        t.submitted(id, 0);
    }
    let ev = t.on_task_info(
        &[
            task("a", TaskStatus::Failed),
            task("b", TaskStatus::Forbidden),
            task("someone-else", TaskStatus::Done),
        ],
        100,
    );
    let outcomes: Vec<&str> = ev
        .iter()
        .map(|(_, e)| match e {
            JobEvent::Finished(r) => r.outcome.code(),
            _ => "other",
        })
        .collect();
    assert_eq!(outcomes, ["EXECUTION_ERROR", "PROMPT_REJECTED"]);
    // One request asks about every job that is due.
    t.take_actions();
    t.poll(700);
    assert_eq!(
        t.take_actions(),
        vec![Action::FetchTaskInfo {
            prompt_ids: vec!["c".into()]
        }]
    );
    let ev = t.poll(10_000);
    assert!(matches!(&ev[0].1, JobEvent::Finished(r) if r.outcome == Outcome::TimedOut));
}

/// Fuzz regression (ws_frame): a clock near `u64::MAX` overflowed the silence check's wakeup
/// (a panic in debug builds, a wakeup in the past in release).
#[test]
fn next_wakeup_saturates_at_the_end_of_time() {
    for config in [TrackerConfig::default(), TrackerConfig::hosted(1_000)] {
        let mut t = JobTracker::new(config);
        t.watch("a", 1, u64::MAX - 1, None);
        t.submitted("a", u64::MAX);
        assert_eq!(t.next_wakeup(), Some(u64::MAX));
        assert!(t.poll(u64::MAX).is_empty());
        assert_eq!(t.next_wakeup(), Some(u64::MAX));
    }
}

#[test]
fn a_queue_check_that_overtakes_our_removal_ends_the_job_cancelled_not_lost() {
    let mut t = JobTracker::new(TrackerConfig::default());
    t.connected(0);
    t.watch("w", 2, 0, None);
    t.submitted("w", 0);
    assert_eq!(t.cancel("w"), CancelPlan::Dequeue);
    // Before the answer to our removal: the history does not know it, the queue no longer has it.
    assert!(t.on_history("w", &[], 10).is_empty());
    assert!(t.on_queue(&QueueState::default(), 11).is_empty());
    t.poll(11 + LOST_RECHECK_MS);
    let ev = t.on_history("w", &[], 12 + LOST_RECHECK_MS);
    assert!(
        matches!(
            &ev[..],
            [(
                _,
                JobEvent::Finished(JobResult {
                    outcome: Outcome::Cancelled,
                    ..
                })
            )]
        ),
        "{ev:?}"
    );
    // The removal's answer then finds nothing left to end.
    assert!(t.dequeued("w").is_empty());
}

#[test]
fn a_job_that_finishes_between_the_history_and_the_queue_answers_is_not_lost() {
    // After a reconnect: the history does not know the job yet (it runs), the queue answer
    // comes after it finished. It must end with its result, not as lost.
    let (id, history) = invert_run();
    let mut t = JobTracker::new(TrackerConfig::default());
    t.connected(0);
    t.watch(&id, 3, 0, None);
    t.submitted(&id, 0);
    t.connected(5);
    t.take_actions();
    assert!(t.on_history(&id, &[], 6).is_empty());
    assert_eq!(t.take_actions(), vec![Action::FetchQueue]);
    assert!(
        t.on_queue(&QueueState::default(), 7).is_empty(),
        "not lost yet"
    );
    assert!(t.poll(7 + LOST_RECHECK_MS).is_empty());
    assert!(t.take_actions().contains(&Action::FetchHistory {
        prompt_id: id.clone()
    }));
    let ev = t.on_history(&id, &history, 8 + LOST_RECHECK_MS);
    let Some((_, JobEvent::Finished(result))) = ev.last() else {
        panic!("{ev:?}")
    };
    assert_eq!(result.outcome, Outcome::Success);
}

#[test]
fn queue_positions_are_refreshed_at_most_every_250_ms() {
    let mut t = JobTracker::new(TrackerConfig::default());
    t.connected(0);
    for (i, id) in ["a", "b", "c"].iter().enumerate() {
        t.watch(id, 1, i as u64, None);
        t.submitted(id, i as u64);
    }
    // Three submissions in 2 ms: one GET /queue now, one more when the window ends.
    assert_eq!(t.take_actions(), vec![Action::FetchQueue]);
    let status = ServerMessage::from_text(
        r#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 3}}}}"#,
    )
    .unwrap();
    assert!(t.on_message(&status, 10).is_empty());
    assert!(t.take_actions().is_empty());
    assert_eq!(t.next_wakeup(), Some(QUEUE_REFRESH_MS));
    t.poll(QUEUE_REFRESH_MS);
    assert_eq!(t.take_actions(), vec![Action::FetchQueue]);
    // Nothing waits now; a status after the window asks at once.
    t.poll(2 * QUEUE_REFRESH_MS);
    assert!(t.take_actions().is_empty());
    assert!(t.on_message(&status, 3 * QUEUE_REFRESH_MS).is_empty());
    assert_eq!(t.take_actions(), vec![Action::FetchQueue]);
}

#[test]
fn after_a_reconnect_a_job_the_server_forgot_is_lost_in_seconds_not_after_the_silence() {
    let mut t = JobTracker::new(TrackerConfig::default()); // silence: 15 s
    t.connected(0);
    t.watch("a", 2, 0, None);
    t.submitted("a", 0);
    t.take_actions();
    t.connected(100); // the socket came back: the job may have been missed
    assert!(t.take_actions().contains(&Action::FetchHistory {
        prompt_id: "a".into()
    }));
    assert!(t.on_history("a", &[], 110).is_empty());
    let queued = QueueState {
        running: vec![],
        pending: vec![response::QueueItem {
            number: Value::from(1),
            prompt_id: "a".into(),
            extra_data: Value::Null,
            outputs_to_execute: vec![],
        }],
    };
    t.on_queue(&queued, 120); // still queued... then the restarting server forgets it
    t.take_actions();
    let mut now = 120;
    let mut ended = None;
    while now < 15_000 && ended.is_none() {
        now += 100;
        let mut events = t.poll(now);
        for action in t.take_actions() {
            events.extend(match action {
                Action::FetchHistory { prompt_id } => t.on_history(&prompt_id, &[], now),
                Action::FetchQueue => t.on_queue(&QueueState::default(), now),
                _ => Vec::new(),
            });
        }
        ended = events.into_iter().find_map(|(_, e)| match e {
            JobEvent::Finished(r) => Some(r.outcome),
            _ => None,
        });
    }
    assert_eq!(ended, Some(Outcome::Lost));
    assert!(now <= 120 + 3 * LOST_RECHECK_MS, "lost after {now} ms");
}

/// The raw frames of a WS capture, as a transport hands them over.
fn raw_frames(capture: &Value) -> Vec<(u64, Result<String, Vec<u8>>)> {
    let mut out = Vec::new();
    for f in capture["frames"].as_array().unwrap() {
        if f.get("dir").and_then(Value::as_str) != Some("server->client") {
            continue;
        }
        let t = (f["t"].as_f64().unwrap_or(0.0) * 1000.0) as u64;
        if let Some(text) = f.get("text") {
            let raw = match text {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push((t, Ok(raw)));
        } else if let Some(saved) = f.get("saved_to").and_then(Value::as_str) {
            let name = Path::new(saved).file_name().unwrap();
            out.push((t, Err(std::fs::read(captures().join(name)).unwrap())));
        }
    }
    out
}

/// A driver with a fake clock: answers the session's requests from the capture of a run.
fn session_replay(run: &str) -> (JobResult, HistoryEntry, usize) {
    let post = read(&format!("{run}_post.json"));
    let body = &post["request"]["body"];
    let prompt = crate::Prompt::from_value(&body["prompt"]).unwrap();
    let accepted = response_of(&post).unwrap();
    let id = response::prompt_response(&accepted).unwrap().prompt_id;
    let history_answer = response_of(&read(&format!("{run}_history.json"))).unwrap();
    let history = response::history_response(&history_answer).unwrap();
    let entry = history.iter().find(|e| e.prompt_id == id).unwrap().clone();
    let endpoint = Endpoint::new("http://127.0.0.1:8188", "replay").unwrap();
    let mut s = Session::new(endpoint, SessionConfig::default());
    s.socket_opened(0, None);
    let queue = QueueOptions {
        prompt_id: Some(id.clone()),
        ..QueueOptions::default()
    };
    let (pid, request) = s.begin_submit(&prompt, &queue, None, 0, [0; 16]).unwrap();
    assert_eq!(pid, id);
    assert!(request.url.ends_with("/prompt"));
    s.end_submit(&id, Ok(accepted), 0).unwrap();
    let mut answered = 0;
    let mut answer_all = |s: &mut Session, now: u64| {
        while let Some(t) = s.poll_transmit() {
            let answer = if t.request.route.starts_with("/history") {
                history_answer.clone()
            } else {
                HttpResponse {
                    status: 200,
                    body: br#"{"queue_running": [], "queue_pending": []}"#.to_vec(),
                }
            };
            answered += 1;
            s.on_response(t.id, Ok(answer), now);
        }
    };
    let mut last = 0;
    for (t, frame) in raw_frames(&read(&format!("{run}_ws.json"))) {
        last = t;
        match frame {
            Ok(text) => s.on_frame(Frame::Text(&text), t),
            Err(bytes) => s.on_frame(Frame::Binary(&bytes), t),
        }
    }
    answer_all(&mut s, last);
    // Sleep exactly until the session's next deadline, as a driver does.
    let mut result = None;
    for _ in 0..50 {
        while let NextEvent::Event(e) = s.next_event(&id) {
            if let JobEvent::Finished(r) = e {
                result = Some(r);
            }
        }
        if result.is_some() {
            break;
        }
        let now = s.poll_timeout().expect("an open job has a deadline");
        s.handle_timeout(now);
        answer_all(&mut s, now);
    }
    (result.expect("finished"), entry, answered)
}

#[test]
fn every_recorded_run_replayed_through_the_session_ends_as_the_history_says() {
    let runs = recorded_runs();
    assert!(runs.len() >= 20);
    for run in &runs {
        let (result, entry, _) = session_replay(run);
        let expected = expected_outcome(&entry);
        assert_eq!(result.outcome.code(), expected, "{run}");
        assert!(
            json_eq(
                &Value::Object(result.outputs.clone()),
                &Value::Object(entry.outputs.clone())
            ),
            "{run}"
        );
    }
}

mod session {
    use super::*;
    use crate::protocol::session::reconnect_delay;

    fn session() -> Session {
        session_with(SessionConfig::default())
    }

    /// A session whose socket is open.
    fn session_with(config: SessionConfig) -> Session {
        let endpoint = Endpoint::new("http://127.0.0.1:8188", "me").unwrap();
        let mut s = Session::new(endpoint, config);
        s.socket_opened(0, None);
        s
    }

    fn prompt() -> crate::Prompt {
        crate::Prompt::from_value(&serde_json::json!({
            "1": {"class_type": "EmptyImage", "inputs": {}},
            "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}
        }))
        .unwrap()
    }

    fn accepted(id: &str) -> Result<HttpResponse, crate::Error> {
        Ok(HttpResponse {
            status: 200,
            body: format!(r#"{{"prompt_id":"{id}","number":1,"node_errors":{{}}}}"#).into_bytes(),
        })
    }

    fn submit(s: &mut Session, timeout: Option<u64>, now: u64, entropy: u8) -> String {
        let (id, _) = s
            .begin_submit(
                &prompt(),
                &QueueOptions::default(),
                timeout,
                now,
                [entropy; 16],
            )
            .unwrap();
        s.end_submit(&id, accepted(&id), now).unwrap();
        id
    }

    #[test]
    fn a_prompt_id_already_followed_is_refused_and_the_first_job_is_untouched() {
        let mut s = session();
        let id = submit(&mut s, None, 0, 7);
        let queue = QueueOptions {
            prompt_id: Some(id.clone()),
            ..QueueOptions::default()
        };
        let err = s
            .begin_submit(&prompt(), &queue, None, 0, [8; 16])
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.to_string().contains(&id), "{err}");
        assert_eq!(s.open_jobs(), 1);
        assert!(matches!(s.next_event(&id), NextEvent::Pending));
    }

    fn text_frame(s: &mut Session, text: &str, now: u64) {
        s.on_frame(Frame::Text(text), now);
    }

    fn drain(s: &mut Session, id: &str) -> Vec<JobEvent> {
        let mut out = Vec::new();
        while let NextEvent::Event(e) = s.next_event(id) {
            out.push(e);
        }
        out
    }

    fn outcome_of(events: &[JobEvent]) -> Option<&'static str> {
        events.iter().find_map(|e| match e {
            JobEvent::Finished(r) => Some(r.outcome.code()),
            _ => None,
        })
    }

    #[test]
    fn prompt_ids_come_from_the_entropy_given() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let mut s = session();
        s.socket_opened(0, None);
        let a = submit(&mut s, None, 0, 1);
        let b = submit(&mut s, None, 0, 2);
        assert_ne!(a, b);
        assert_eq!(a, uuid_v4([1; 16]));
    }

    #[test]
    fn close_ends_every_open_job_as_lost_and_refuses_new_ones() {
        let mut s = session();
        s.socket_opened(0, None);
        let a = submit(&mut s, None, 0, 1);
        let b = submit(&mut s, None, 0, 2);
        s.close();
        assert_eq!(outcome_of(&drain(&mut s, &a)), Some("JOB_LOST"));
        assert_eq!(outcome_of(&drain(&mut s, &b)), Some("JOB_LOST"));
        assert_eq!(s.next_event(&a), NextEvent::End);
        assert_eq!(s.poll_timeout(), None);
        let err = s
            .begin_submit(&prompt(), &QueueOptions::default(), None, 1, [3; 16])
            .unwrap_err();
        assert_eq!(err.code(), "CLIENT_CLOSED");
    }

    #[test]
    fn overflow_drops_previews_then_progress_never_finished() {
        let mut s = session_with(SessionConfig {
            job_event_capacity: 4,
            ..SessionConfig::default()
        });
        let id = submit(&mut s, None, 0, 1);
        s.on_frame(
            Frame::Text(&format!(
                r#"{{"type":"execution_start","data":{{"prompt_id":"{id}"}}}}"#
            )),
            1,
        );
        let mut preview = vec![0, 0, 0, 1, 0, 0, 0, 2];
        preview.extend_from_slice(b"\x89PNG");
        for k in 0..5 {
            s.on_frame(Frame::Binary(&preview), 2);
            text_frame(
                &mut s,
                &format!(
                    r#"{{"type":"progress","data":{{"value":{k},"max":5,"prompt_id":"{id}","node":"1"}}}}"#
                ),
                2,
            );
        }
        text_frame(
            &mut s,
            &format!(r#"{{"type":"executing","data":{{"node":null,"prompt_id":"{id}"}}}}"#),
            3,
        );
        assert!(s.dropped_events(&id) > 0);
        let events = drain(&mut s, &id);
        assert_eq!(events.len(), 4);
        assert!(matches!(events[0], JobEvent::Started), "{events:?}");
        assert!(!events.iter().any(|e| matches!(e, JobEvent::Preview { .. })));
        assert!(matches!(
            events[2],
            JobEvent::Progress { value, .. } if value == 4.0
        ));
        assert_eq!(outcome_of(&events), Some("SUCCESS"));
    }

    fn finished_of(events: &[JobEvent]) -> Option<&JobResult> {
        events.iter().find_map(|e| match e {
            JobEvent::Finished(r) => Some(r),
            _ => None,
        })
    }

    #[test]
    fn a_deadline_stops_the_job_on_the_server_and_ends_it_once_the_server_answered() {
        let mut s = session();
        s.socket_opened(0, None);
        let id = submit(&mut s, Some(1_000), 0, 1);
        while s.poll_transmit().is_some() {}
        assert_eq!(s.poll_timeout(), Some(1_000));
        s.handle_timeout(1_000);
        // Held until the stop is answered: the result says whether the job still runs.
        assert!(finished_of(&drain(&mut s, &id)).is_none());
        let sent: Vec<_> = std::iter::from_fn(|| s.poll_transmit()).collect();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert_eq!(
            sent[0].request.body,
            Body::Json(serde_json::json!({"delete": [id.clone()]}))
        );
        assert_eq!(
            sent[1].request.body,
            Body::Json(serde_json::json!({"prompt_id": id}))
        );
        assert_eq!(s.abandons_pending(), 2);
        assert_eq!(s.server_stop(&id), ServerStop::Pending);
        assert_eq!(s.poll_timeout(), Some(1_000 + 2_000));
        s.on_response(sent[0].id, accepted("x"), 1_001);
        assert_eq!(s.abandons_pending(), 1);
        assert!(finished_of(&drain(&mut s, &id)).is_none());
        s.on_response(sent[1].id, accepted("x"), 1_002);
        let events = drain(&mut s, &id);
        let result = finished_of(&events).expect("ends once both are answered");
        assert_eq!(result.outcome.code(), "TIMEOUT");
        assert_eq!(result.server_stop, ServerStop::Confirmed);
        assert_eq!(result.server_stop.code(), Some("confirmed"));
        assert_eq!(s.server_stop(&id), ServerStop::Confirmed);
        assert_eq!(s.server_stop("another"), ServerStop::NotRequested);
        assert_eq!(s.poll_timeout(), None);
    }

    #[test]
    fn a_stop_the_server_refuses_ends_the_job_as_refused() {
        let mut s = session();
        let id = submit(&mut s, Some(10), 0, 2);
        while s.poll_transmit().is_some() {}
        s.handle_timeout(10);
        let sent: Vec<_> = std::iter::from_fn(|| s.poll_transmit()).collect();
        s.on_response(sent[0].id, accepted("x"), 11);
        let refused = Ok(HttpResponse {
            status: 500,
            body: Vec::new(),
        });
        s.on_response(sent[1].id, refused, 11);
        assert_eq!(s.server_stop(&id), ServerStop::Unconfirmed);
        let events = drain(&mut s, &id);
        assert_eq!(
            finished_of(&events).map(|r| r.server_stop.code()),
            Some(Some("refused"))
        );
    }

    #[test]
    fn a_stop_left_unanswered_ends_the_job_after_the_wait_and_closing_ends_it_at_once() {
        let mut s = session();
        let slow = submit(&mut s, Some(10), 0, 3);
        while s.poll_transmit().is_some() {}
        s.handle_timeout(10);
        assert_eq!(s.poll_timeout(), Some(2_010));
        s.handle_timeout(2_009);
        assert!(finished_of(&drain(&mut s, &slow)).is_none());
        s.handle_timeout(2_010);
        let events = drain(&mut s, &slow);
        assert_eq!(
            finished_of(&events).map(|r| r.server_stop),
            Some(ServerStop::Pending)
        );

        let closing = submit(&mut s, Some(10), 3_000, 4);
        s.handle_timeout(3_010);
        assert!(finished_of(&drain(&mut s, &closing)).is_none());
        s.close();
        let events = drain(&mut s, &closing);
        let result = finished_of(&events).expect("close ends a held job");
        assert_eq!(result.outcome.code(), "TIMEOUT");
        assert_eq!(result.server_stop.code(), Some("unanswered"));
        // The stop requests stay for the driver to flush.
        assert!(s.abandons_pending() > 0);
    }

    #[test]
    fn reconnects_back_off_with_the_jitter_given_and_give_up_after_the_window() {
        let config = SessionConfig::default();
        assert_eq!(reconnect_delay(&config, 0, 0.0), 200);
        assert_eq!(reconnect_delay(&config, 1, 0.999_999), 399);
        assert_eq!(reconnect_delay(&config, 3, 1.0), 1_600);
        assert_eq!(reconnect_delay(&config, 30, 1.0), 10_000);
        assert_eq!(reconnect_delay(&config, 30, f64::NAN), 200);

        let mut s = session();
        s.socket_opened(0, None);
        let id = submit(&mut s, None, 0, 1);
        while s.poll_transmit().is_some() {}
        s.socket_lost(100, 0.5);
        assert!(!s.poll_connect(200));
        assert_eq!(s.poll_timeout(), Some(300));
        let mut now = 300;
        let mut attempts = 0;
        while outcome_of(&drain(&mut s, &id)).is_none() {
            if s.poll_connect(now) {
                attempts += 1;
                s.socket_lost(now, 1.0); // refused again
            }
            while s.poll_transmit().is_some() {}
            now = s.poll_timeout().unwrap();
            s.handle_timeout(now);
            assert!(now <= 100 + 60_000, "{now}");
        }
        assert_eq!(now, 100 + 60_000);
        assert!((6..=16).contains(&attempts), "{attempts}");
        // It keeps trying for the jobs to come, at the longest interval.
        assert_eq!(s.poll_timeout().map(|t| t - now <= 10_000), Some(true));
        assert!(s.poll_timeout().is_some());
        // And a socket that comes back in time saves the job: the history decides.
        let mut s = session();
        s.socket_opened(0, None);
        let id = submit(&mut s, None, 0, 1);
        s.socket_lost(10, 0.0);
        assert!(s.poll_connect(210));
        s.socket_opened(220, None);
        let asked: Vec<_> = std::iter::from_fn(|| s.poll_transmit()).collect();
        assert!(
            asked
                .iter()
                .any(|t| t.request.url.ends_with(&format!("/history/{id}")))
        );
        s.handle_timeout(70_000);
        assert_ne!(outcome_of(&drain(&mut s, &id)), Some("JOB_LOST"));
    }

    #[test]
    fn an_idle_connected_session_has_no_deadline() {
        let mut s = session();
        s.socket_opened(0, None);
        assert_eq!(s.poll_timeout(), None);
        let id = submit(&mut s, None, 0, 1);
        assert!(s.poll_timeout().is_some());
        text_frame(
            &mut s,
            &format!(r#"{{"type":"executing","data":{{"node":null,"prompt_id":"{id}"}}}}"#),
            5,
        );
        while s.poll_transmit().is_some() {}
        assert_eq!(outcome_of(&drain(&mut s, &id)), Some("SUCCESS"));
        assert_eq!(s.poll_timeout(), None);
    }

    #[test]
    fn a_refusal_is_an_error_and_the_job_is_not_followed() {
        let mut s = session();
        s.socket_opened(0, None);
        let (id, _) = s
            .begin_submit(&prompt(), &QueueOptions::default(), None, 0, [1; 16])
            .unwrap();
        let refusal = HttpResponse {
            status: 400,
            body:
                br#"{"error":{"type":"prompt_no_outputs","message":"no outputs"},"node_errors":{}}"#
                    .to_vec(),
        };
        let err = s.end_submit(&id, Ok(refusal), 1).unwrap_err();
        assert_eq!(err.code(), "PROMPT_REJECTED");
        assert_eq!(s.next_event(&id), NextEvent::End);
        assert_eq!(s.open_jobs(), 0);
    }

    #[test]
    fn messages_are_kept_only_when_watched_and_the_oldest_go_first() {
        let mut s = session_with(SessionConfig {
            message_capacity: 2,
            ..SessionConfig::default()
        });
        let status = |n: u32| {
            format!(
                r#"{{"type":"status","data":{{"status":{{"exec_info":{{"queue_remaining":{n}}}}}}}}}"#
            )
        };
        text_frame(&mut s, &status(0), 1);
        assert_eq!(s.next_message(), None);
        s.watch_messages();
        for n in 1..=3 {
            text_frame(&mut s, &status(n), 2);
        }
        let remaining = |m: Option<ServerMessage>| match m {
            Some(ServerMessage::Status {
                queue_remaining, ..
            }) => queue_remaining,
            other => panic!("{other:?}"),
        };
        assert_eq!(remaining(s.next_message()), Some(2));
        assert_eq!(remaining(s.next_message()), Some(3));
        assert_eq!(s.next_message(), None);
    }

    #[test]
    fn a_hosted_session_polls_and_ends_through_the_same_machine() {
        let endpoint = HostedEndpoint::new("https://hosted.example/api/", "key").unwrap();
        let mut s = Session::hosted(endpoint, 1_000, SessionConfig::default());
        s.track_task("t1", None, 0).unwrap();
        let first = s.poll_transmit().unwrap();
        assert!(
            first.request.url.contains("get_task_info"),
            "{}",
            first.request.url
        );
        assert_eq!(s.socket_target(), None);
        let done = HttpResponse {
            status: 200,
            body: br#"{"code":0,"data":{"comfy_task_info":[{"comfy_task_id":"t1","status":3}]}}"#
                .to_vec(),
        };
        s.on_response(first.id, Ok(done), 10);
        assert_eq!(outcome_of(&drain(&mut s, "t1")), Some("SUCCESS"));
    }
}
