//! The `comfywire` binary as a user runs it: output, exit codes, messages.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn golden(stem: &str, kind: &str) -> PathBuf {
    fixtures()
        .join("goldens")
        .join(format!("{stem}.{kind}.json"))
}

fn comfywire(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comfywire"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn convert_prints_the_editor_prompt() {
    for stem in [
        "templates-old-0.1.0__default",
        "blueprints__image_edit",
        "fe-test-assets__group_ksampler_external_latent",
    ] {
        let out = comfywire(
            &[
                "convert",
                golden(stem, "workflow").to_str().unwrap(),
                "--object-info",
                fixtures().join("object_info.json").to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{stem}: {}", text(&out.stderr));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(golden(stem, "prompt")).unwrap())
                .unwrap();
        assert!(comfywire::json::json_eq(&got, &expected), "{stem}");
    }
}

#[test]
fn output_file_stdin_and_api_passthrough() {
    let dir = std::env::temp_dir().join(format!("comfywire-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("prompt.json");
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let out = comfywire(
        &[
            "convert",
            wf.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success() && out.stdout.is_empty());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written["3"]["class_type"], "KSampler");
    std::fs::remove_dir_all(&dir).unwrap();

    let piped = comfywire(&["convert", "-"], Some(&std::fs::read(&wf).unwrap()));
    assert!(piped.status.success());
    // An API prompt goes through unchanged.
    let again = comfywire(&["convert", "-"], Some(&piped.stdout));
    assert_eq!(
        serde_json::from_slice::<Value>(&again.stdout).unwrap(),
        serde_json::from_slice::<Value>(&piped.stdout).unwrap()
    );
}

#[test]
fn warnings_as_text_or_json() {
    let wf = br#"{"nodes": [{"id": 1, "type": "MyCustomNode", "inputs": [], "outputs": []}], "links": []}"#;
    let out = comfywire(&["convert", "-"], Some(wf));
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("UNKNOWN_NODE_TYPE"),
        "{}",
        text(&out.stderr)
    );
    let out = comfywire(&["convert", "-", "--json-warnings"], Some(wf));
    let warnings: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(warnings[0]["code"], "UNKNOWN_NODE_TYPE");
    assert_eq!(warnings[0]["nodeId"], "1");
}

#[test]
fn unreadable_input_fails_clearly() {
    let out = comfywire(&["convert", "/no/such/workflow.json"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("/no/such/workflow.json"),
        "{}",
        text(&out.stderr)
    );
    let out = comfywire(&["convert", "-"], Some(b"{\"nodes\": [1,"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("line"), "{}", text(&out.stderr));
    let out = comfywire(
        &["convert", "-"],
        Some(br#"{"nodes": [{"id": 1, "inputs": [{"link": {}}]}]}"#),
    );
    assert!(
        text(&out.stderr).contains("$.nodes[0].inputs[0].link"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn params_set_select_and_extract() {
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let wf = wf.to_str().unwrap();
    let params: Value = serde_json::from_slice(&comfywire(&["params", wf], None).stdout).unwrap();
    assert_eq!(params[0]["selector"], "#6.text");
    let by_node: Value =
        serde_json::from_slice(&comfywire(&["params", wf, "--by-node"], None).stdout).unwrap();
    assert_eq!(
        by_node["3"]["inputs"]["seed"]["spec"]["max"].to_string(),
        "18446744073709551615"
    );

    let set = comfywire(
        &["set", wf, "positive=a red fox", "seed=18446744073709551615"],
        None,
    );
    assert!(set.status.success(), "{}", text(&set.stderr));
    let prompt = text(&set.stdout);
    assert!(prompt.contains("\"a red fox\"") && prompt.contains("18446744073709551615"));
    let refused = comfywire(&["set", wf, "steps=0"], None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("OUT_OF_RANGE"));

    let sel = comfywire(&["select", wf, "negative"], None);
    assert_eq!(text(&sel.stdout).trim(), "#7.text\t\"text, watermark\"");

    let png = fixtures().join("media/view_output_extra_data.png");
    let extracted: Value =
        serde_json::from_slice(&comfywire(&["extract", png.to_str().unwrap()], None).stdout)
            .unwrap();
    assert_eq!(extracted["prompt"]["3"]["class_type"], "SaveImage");
    assert!(extracted["workflow"].is_object());
    let not_media = comfywire(&["extract", wf], None);
    assert_eq!(not_media.status.code(), Some(2));
}

#[test]
fn validate_prints_the_server_answer() {
    // Every captured rejection whose request body holds a prompt: same body, exit 1.
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures().join("captures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if !name.starts_with("err_") {
            continue;
        }
        let capture: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let body = &capture["request"]["body"];
        let expected = &capture["response"]["body_json"];
        if !body["prompt"].is_object() || capture["response"]["status"] != 400 {
            continue;
        }
        let out = comfywire(&["validate", "-"], Some(body.to_string().as_bytes()));
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(comfywire::json::json_eq(&got, expected), "{name}: {got}");
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} captured rejections checked");

    // Accepted: `{"node_errors": {}}` (the server adds the prompt_id and number it chose).
    let capture: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("captures/err_extra_unknown_input_ignored.json"))
            .unwrap(),
    )
    .unwrap();
    let out = comfywire(
        &["validate", "-"],
        Some(capture["request"]["body"].to_string().as_bytes()),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["node_errors"],
        capture["response"]["body_json"]["node_errors"]
    );

    // A UI workflow is converted first. The captured server has no checkpoints installed, so it
    // rejects the default workflow's checkpoint just as the real one would.
    let out = comfywire(
        &[
            "validate",
            golden("templates-old-0.1.0__default", "workflow")
                .to_str()
                .unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        got["node_errors"]["4"]["errors"][0]["type"],
        "value_not_in_list"
    );
    assert_eq!(
        got["node_errors"]["4"]["dependent_outputs"],
        serde_json::json!(["9"])
    );
}

#[test]
fn validate_and_set_read_a_live_server_catalog() {
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let wf = wf.to_str().unwrap();
    // A server that has the workflow's checkpoint accepts what the embedded catalog refuses.
    let emu = Emulator::start(&["--models-for", wf]);
    let out = comfywire(&["validate", wf, "--server", &emu.url], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["node_errors"], serde_json::json!({}));
    let params: Value =
        serde_json::from_slice(&comfywire(&["params", wf, "--server", &emu.url], None).stdout)
            .unwrap();
    let ckpt = params
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["selector"] == "#4.ckpt_name")
        .expect("the checkpoint is a parameter");
    assert!(
        ckpt["spec"]["choices"]
            .as_array()
            .unwrap()
            .contains(&ckpt["current"]),
        "{ckpt}"
    );
    drop(emu);

    // A server that is not there: a clear failure naming it, exit 2, nothing on stdout.
    let out = comfywire(&["validate", wf, "--server", "http://127.0.0.1:9"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("cannot read the catalog of http://127.0.0.1:9"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_unknown_selector_lists_what_the_workflow_has() {
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let out = comfywire(&["set", wf.to_str().unwrap(), "denoise_strength=0.5"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    for expected in [
        "denoise_strength",
        "positive (#6.text)",
        "seed (#3.seed)",
        "`#<id>.<input>`",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
}

/// The emulator next to the `comfywire` binary (built by `cargo test --workspace`), started
/// with `flags` on a free loopback port, stopped when dropped.
struct Emulator {
    child: std::process::Child,
    url: String,
}

impl Emulator {
    fn start(flags: &[&str]) -> Emulator {
        use std::io::BufRead;
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_comfywire")).with_file_name(format!(
            "comfywire-emulator{}",
            std::env::consts::EXE_SUFFIX
        ));
        assert!(
            exe.exists(),
            "build the emulator first: cargo build -p comfywire-emulator"
        );
        let node_ms: &[&str] = if flags.contains(&"--node-ms") {
            &[]
        } else {
            &["--node-ms", "1"]
        };
        let mut child = Command::new(exe)
            .args(["--port", "0"])
            .args(node_ms)
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Emulator {
            child,
            url: line.trim().to_string(),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("comfywire-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Two SaveImage nodes writing `same_00001_.png` into two subfolders, and nothing else.
const TWO_SAME_NAMES: &str = r#"{
  "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
  "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "cwA/same"}},
  "3": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "cwB/same"}}
}"#;

fn run_out(server: &str, prompt: &Path, out_dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", prompt.to_str().unwrap(), "--server", server];
    args.extend_from_slice(&["--out", out_dir.to_str().unwrap()]);
    args.extend_from_slice(extra);
    comfywire(&args, None)
}

#[test]
fn run_out_keeps_the_servers_layout_and_never_overwrites_silently() {
    let dir = temp_dir("out");
    let prompt = dir.join("two.json");
    std::fs::write(&prompt, TWO_SAME_NAMES).unwrap();
    let out_dir = dir.join("out");
    let first = run_out(&Emulator::start(&[]).url, &prompt, &out_dir, &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    for sub in ["cwA", "cwB"] {
        assert!(
            out_dir.join(sub).join("same_00001_.png").is_file(),
            "{sub} kept"
        );
    }
    // A fresh emulator numbers its files from 1 again: the same names as the first run.
    let again = run_out(&Emulator::start(&[]).url, &prompt, &out_dir, &[]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "an existing file is not replaced"
    );
    let stderr = text(&again.stderr);
    assert!(stderr.contains("exists (pass --overwrite"), "{stderr}");
    let forced = run_out(
        &Emulator::start(&[]).url,
        &prompt,
        &out_dir,
        &["--overwrite"],
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
}

#[test]
fn an_execution_error_names_the_node_and_exception_on_stderr_and_in_json() {
    // Nodes take 30 ms, so the progress lines have events to print under a loaded machine too.
    let server = Emulator::start(&["--execution-error", "SaveImage", "--node-ms", "30"]);
    let dir = temp_dir("fail");
    let prompt = dir.join("two.json");
    std::fs::write(&prompt, TWO_SAME_NAMES).unwrap();
    let p = prompt.to_str().unwrap();
    let out = comfywire(&["run", p, "--server", &server.url], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("node #2 (SaveImage) raised RuntimeError"),
        "{stderr}"
    );
    assert!(
        stderr.contains("running #1 EmptyImage"),
        "plain progress without a TTY: {stderr}"
    );
    let out = comfywire(&["run", p, "--server", &server.url, "--json"], None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "EXECUTION_ERROR");
    assert_eq!(json["error"]["node_type"], "SaveImage");
    assert_eq!(json["error"]["exception_type"], "RuntimeError");
}

#[test]
fn a_rejected_prompt_lists_each_node_error() {
    let server = Emulator::start(&[]);
    let dir = temp_dir("reject");
    let prompt = dir.join("bad.json");
    std::fs::write(
        &prompt,
        r#"{"1": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}"#,
    )
    .unwrap();
    let p = prompt.to_str().unwrap();
    let out = comfywire(&["run", p, "--server", &server.url], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("node #1 (SaveImage) input `images`: required_input_missing"),
        "{stderr}"
    );
    let out = comfywire(&["run", p, "--server", &server.url, "--json"], None);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "PROMPT_REJECTED");
    assert_eq!(
        json["rejection"]["node_errors"]["1"]["errors"][0]["extra_info"]["input_name"],
        "images"
    );
}

#[test]
fn the_cli_at_its_edges() {
    // `{}` is a body without a prompt: the server's `no_prompt`, exit 1.
    let out = comfywire(&["validate", "-"], Some(b"{}"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["type"], "no_prompt");
    // A host without a scheme is told what to write; under --json the error is JSON too.
    let out = comfywire(
        &["run", "x.json", "--server", "127.0.0.1:8188", "--json"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let error: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["code"], "INVALID_URL");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("http://127.0.0.1:8188")
    );
    // An unknown prompt id is not an empty success.
    let server = Emulator::start(&[]);
    let out = comfywire(&["history", "no-such-id", "--server", &server.url], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no such prompt"));
    // object-info --json is the server's JSON.
    let out = comfywire(
        &[
            "object-info",
            "SaveImage",
            "--server",
            &server.url,
            "--json",
        ],
        None,
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(info["SaveImage"]["input"].is_object());
}

#[test]
fn partial_acceptance_is_reported_and_strict_refuses_it() {
    let server = Emulator::start(&[]);
    let dir = temp_dir("partial");
    let prompt = dir.join("partial.json");
    std::fs::write(
        &prompt,
        r#"{"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
            "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "ok"}},
            "3": {"class_type": "SaveImage", "inputs": {"filename_prefix": "broken"}}}"#,
    )
    .unwrap();
    let p = prompt.to_str().unwrap();
    let out = comfywire(&["run", p, "--server", &server.url, "--json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("dropped output(s) 3"), "{stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["droppedOutputs"], serde_json::json!(["3"]));
    assert_eq!(json["nodeErrors"]["3"]["class_type"], "SaveImage");
    let out = comfywire(&["run", p, "--server", &server.url, "--strict"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not submitted (--strict)"),
        "{}",
        text(&out.stderr)
    );
}

/// Waits for `child` at most `limit`, killing it after: a hung CLI fails the test, not CI.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> Output {
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr so far:\n{}",
                text(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn run_on_a_server_that_dies_mid_job_ends_lost_after_the_reconnect_window() {
    let dir = temp_dir("dies");
    let prompt = dir.join("prompt.json");
    std::fs::write(&prompt, TWO_SAME_NAMES).unwrap();
    let mut emu = Emulator::start(&["--node-ms", "5000"]);
    let child = Command::new(env!("CARGO_BIN_EXE_comfywire"))
        .args(["run", prompt.to_str().unwrap(), "--server", &emu.url])
        .args(["--reconnect-window", "1", "--json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_500));
    // The server goes away for good, mid-job.
    emu.child.kill().unwrap();
    emu.child.wait().unwrap();
    let out = wait_bounded(child, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("was lost"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "JOB_LOST");
}

#[test]
fn run_with_a_timeout_says_the_server_stopped_the_job() {
    let dir = temp_dir("timeout");
    let prompt = dir.join("prompt.json");
    std::fs::write(&prompt, TWO_SAME_NAMES).unwrap();
    let emu = Emulator::start(&["--node-ms", "3000"]);
    let out = run_out(
        &emu.url,
        &prompt,
        &dir.join("out"),
        &["--timeout", "1", "--json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("timed out after 1 s: the server accepted stopping job"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "TIMEOUT");
    assert_eq!(json["serverStop"], "confirmed");
}

#[test]
fn progress_without_a_terminal_names_nodes_and_steps() {
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let wf = wf.to_str().unwrap();
    let server = Emulator::start(&["--models-for", wf, "--node-ms", "5"]);
    let dir = temp_dir("progress");
    let out = run_out(&server.url, Path::new(wf), &dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    // Every node by title, a line per 10 % of the sampler's steps, the ending.
    for line in [
        "running #4 Load Checkpoint",
        "running #3 KSampler",
        "  #3 KSampler step 2/20",
        "  #3 KSampler step 20/20",
        "running #9 Save Image",
        "success",
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line:?} in {stderr}");
    }
    let steps = stderr.lines().filter(|l| l.contains(" step ")).count();
    assert_eq!(steps, 10, "{stderr}");
}

#[test]
fn a_reader_that_goes_away_ends_the_cli_quietly() {
    // `comfywire params WF | head -1`: the pipe closes after the first line.
    let wf = golden("templates-old-0.1.0__default", "workflow");
    let mut child = Command::new(env!("CARGO_BIN_EXE_comfywire"))
        .args(["params", wf.to_str().unwrap(), "--by-node"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "as if killed by SIGPIPE");
}

#[test]
fn run_timeout_bounds_a_server_that_never_answers() {
    // Accepts connections and never answers: the socket's opening must not outlast --timeout.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = temp_dir("blackhole");
    let prompt = dir.join("prompt.json");
    std::fs::write(&prompt, TWO_SAME_NAMES).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_comfywire"))
        .args([
            "run",
            prompt.to_str().unwrap(),
            "--server",
            &url,
            "--timeout",
            "2",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(20));
    assert_ne!(out.status.code(), Some(0));
    let error: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{} / {}", text(&out.stdout), text(&out.stderr)));
    assert_eq!(error["code"], "TIMEOUT", "{error}");
}
