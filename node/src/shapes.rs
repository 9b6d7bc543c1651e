//! The shapes of the values the JavaScript API returns, declared once here so the TypeScript
//! types (`binding.d.cts`, then `types/*.d.ts`) are generated from Rust with these comments as
//! JSDoc. The values themselves are built by `comfywire::api` and cross as JSON text;
//! tests/js/shapes.test.mjs checks that what comes back has exactly these fields (no field
//! undeclared, no required field missing). Integers beyond 2^53 arrive as `bigint`.
#![allow(dead_code)]

use napi_derive::napi;

/// An integer: `number` while it is safe, `bigint` beyond ±(2^53−1).
type Int = i64;

/// One parameter of a prompt: a widget value a user may set.
#[napi(object)]
pub struct ParamSpec {
    /// Where it is: `#3.seed`, `#12:5.text` (inside a subgraph).
    pub selector: String,
    pub node_id: String,
    pub input: String,
    pub class_type: String,
    /// The node's title in the editor, if it has one.
    pub title: Option<String>,
    /// What it means: `positive`, `negative`, `seed`, `steps`, `cfg`, `width`, `height`,
    /// `checkpoint`, `sampler`, `scheduler`, `denoise`, `batch_size`, `image`…
    pub roles: Vec<String>,
    /// The widget's kind (the core's `ParamType`): `LIST` is a combo of choices, `MODEL` a
    /// combo of model files, `IMAGE`/`VIDEO`/`AUDIO` a combo of input files.
    #[napi(
        js_name = "type",
        ts_type = "'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'LIST' | 'MODEL' | 'IMAGE' | 'VIDEO' | 'AUDIO'"
    )]
    pub param_type: String,
    /// The value in the prompt.
    #[napi(ts_type = "any")]
    pub current: serde_json::Value,
    /// The catalog's spec: `default`, `min`, `max`, `step`, `round`, `choices`, `multiline`…
    #[napi(ts_type = "ParamLimits & Record<string, any>")]
    pub spec: serde_json::Value,
}

/// The limits a catalog gives an input (each present only when the server declares it).
#[napi(object)]
pub struct ParamLimits {
    #[napi(ts_type = "any")]
    pub default: Option<serde_json::Value>,
    #[napi(ts_type = "number | bigint")]
    pub min: Option<Int>,
    #[napi(ts_type = "number | bigint")]
    pub max: Option<Int>,
    pub step: Option<f64>,
    #[napi(ts_type = "number | false")]
    pub round: Option<f64>,
    /// A combo's allowed values.
    #[napi(ts_type = "any[]")]
    pub choices: Option<Vec<serde_json::Value>>,
    pub multiline: Option<bool>,
}

/// A problem that still left a usable prompt (an unknown node type, a dangling link…).
#[napi(object)]
pub struct Warning {
    /// Stable: `UNKNOWN_NODE_TYPE`, `DANGLING_LINK`, `CUSTOM_VIRTUAL_NODE`, …
    pub code: String,
    pub node_id: Option<String>,
    /// Where in the workflow (`nodes[3].widgets_values[1]`).
    pub path: Option<String>,
    pub message: String,
}

/// A widget with `control_after_generate` (the editor changes it after each queue).
#[napi(object)]
pub struct Control {
    pub node_id: String,
    pub input: String,
    /// `fixed`, `increment`, `decrement`, `randomize`.
    pub mode: String,
}

/// What `convert` returns.
#[napi(object)]
pub struct ConvertResult {
    /// The API prompt, as `POST /prompt` takes it: `{[id]: {class_type, inputs, _meta}}`.
    #[napi(ts_type = "Record<string, ApiNode>")]
    pub prompt: serde_json::Value,
    pub warnings: Vec<Warning>,
    pub controls: Vec<Control>,
}

/// One node of an API prompt.
#[napi(object)]
pub struct ApiNode {
    pub class_type: String,
    /// Widget values, and links as `[nodeId, outputIndex]`.
    #[napi(ts_type = "Record<string, any>")]
    pub inputs: serde_json::Value,
    #[napi(js_name = "_meta", ts_type = "{ title?: string }")]
    pub meta: Option<serde_json::Value>,
}

/// An override that was refused (nothing is applied when there is one).
#[napi(object)]
pub struct OverrideIssue {
    pub selector: String,
    /// Why (the core's `IssueCode`).
    #[napi(
        ts_type = "'INVALID_SELECTOR' | 'NOT_FOUND' | 'AMBIGUOUS_SELECTOR' | 'NOT_A_PARAMETER' | 'TYPE_MISMATCH' | 'OUT_OF_RANGE' | 'NOT_A_CHOICE'"
    )]
    pub code: String,
    pub message: String,
}

/// A value the seed control changed (`seedMode`).
#[napi(object)]
pub struct Change {
    pub node_id: String,
    pub input: String,
    #[napi(ts_type = "any")]
    pub from: serde_json::Value,
    #[napi(ts_type = "any")]
    pub to: serde_json::Value,
}

/// What `applyOverrides` returns: `ok` with the new prompt, or the refusals and the prompt unchanged.
#[napi(object)]
pub struct OverrideResult {
    pub ok: bool,
    #[napi(ts_type = "Record<string, ApiNode>")]
    pub prompt: serde_json::Value,
    pub issues: Vec<OverrideIssue>,
    pub changes: Vec<Change>,
    pub warnings: Vec<Warning>,
}

/// What the server would answer to `POST /prompt`.
#[napi(object)]
pub struct Validation {
    pub accepted: bool,
    /// 200 or 400, as the server.
    pub status: u32,
    /// The server's JSON body: `{prompt_id, number, node_errors}` or `{error, node_errors}`.
    #[napi(ts_type = "Record<string, any>")]
    pub body: serde_json::Value,
}

/// What `parseWorkflow` says of a document.
#[napi(object)]
pub struct WorkflowInfo {
    /// `ui` (the editor's format) or `api` (a prompt).
    pub format: String,
    #[napi(ts_type = "number | null")]
    pub version: Option<serde_json::Value>,
    pub frontend_version: Option<String>,
    pub nodes: u32,
    pub links: Option<u32>,
    pub subgraphs: Option<u32>,
    pub group_nodes: Option<u32>,
}

/// The workflow and prompt embedded in a file ComfyUI wrote.
#[napi(object)]
pub struct Embedded {
    #[napi(ts_type = "Record<string, ApiNode> | null")]
    pub prompt: Option<serde_json::Value>,
    #[napi(ts_type = "Record<string, any> | null")]
    pub workflow: Option<serde_json::Value>,
}

/// A node (or input) a selector named.
#[napi(object)]
pub struct FoundNode {
    pub selector: String,
    pub node_id: String,
    pub input: Option<String>,
    pub class_type: String,
    pub title: Option<String>,
    #[napi(ts_type = "any")]
    pub value: serde_json::Value,
}

/// A file a job wrote.
#[napi(object)]
pub struct OutputFile {
    pub node_id: String,
    /// The output's key: `images`, `gifs`, `audio`…
    pub key: String,
    pub filename: String,
    pub subfolder: String,
    /// `output` or `temp`.
    #[napi(js_name = "type")]
    pub kind: String,
    /// Where to download it (`GET /view`).
    pub url: String,
}

/// How a job ended.
#[napi(object)]
pub struct JobResult {
    pub prompt_id: String,
    /// `SUCCESS`, `EXECUTION_ERROR`, `INTERRUPTED`, `CANCELLED`, `PROMPT_REJECTED`, `JOB_LOST`, `TIMEOUT`.
    pub status: String,
    pub ok: bool,
    /// The server's outputs by node id.
    #[napi(ts_type = "Record<string, any>")]
    pub outputs: serde_json::Value,
    pub files: Vec<OutputFile>,
    /// The server's error data (`exception_message`, `node_id`…), when it failed.
    #[napi(ts_type = "Record<string, any>")]
    pub error: Option<serde_json::Value>,
    /// Validation errors by node id, when the server refused it.
    #[napi(ts_type = "Record<string, any>")]
    pub node_errors: Option<serde_json::Value>,
}

/// An event of one job.
#[napi(object)]
pub struct JobEvent {
    /// `queued`, `started`, `cached`, `executing`, `progress`, `preview`, `output`, `text`, `finished`.
    #[napi(js_name = "type")]
    pub kind: String,
    pub prompt_id: String,
    /// The node concerned (`executing`, `progress`, `preview`, `output`, `text`).
    pub node: Option<String>,
    /// `queued`: 0 running, 1 next…
    pub position: Option<u32>,
    /// `cached`: the nodes the server did not run again.
    pub nodes: Option<Vec<String>>,
    /// `progress`: this node's step and steps.
    pub value: Option<f64>,
    pub max: Option<f64>,
    /// `progress`: 0 to 1 over the whole job.
    pub overall: Option<f64>,
    /// `preview`: the image type and bytes.
    pub mime: Option<String>,
    pub size: Option<u32>,
    pub image: Option<napi::bindgen_prelude::Uint8Array>,
    /// `output`: what the node produced, and its files.
    #[napi(ts_type = "Record<string, any>")]
    pub output: Option<serde_json::Value>,
    pub files: Option<Vec<OutputFile>>,
    /// `text`: progress text a node sent.
    pub text: Option<String>,
    /// `finished`: the result.
    pub result: Option<JobResult>,
}

/// A server message, as the WebSocket sent it (camelCase fields; `data` for the rest).
#[napi(object)]
pub struct ServerMessage {
    /// The wire's type: `status`, `execution_start`, `execution_cached`, `executing`,
    /// `progress`, `progress_state`, `executed`, `execution_success`, `execution_error`,
    /// `execution_interrupted`, `preview`, `text`, `feature_flags`, or any other the server sends.
    #[napi(js_name = "type")]
    pub kind: String,
    pub prompt_id: Option<String>,
    /// The node it is about (`null` in the `executing` that ends a prompt).
    pub node: Option<String>,
    /// `executing`, `executed`: the node shown in the editor (differs inside subgraphs).
    pub display_node: Option<String>,
    /// `execution_cached`: the nodes that were not run again; `progress_state`: per-node state.
    #[napi(ts_type = "any")]
    pub nodes: Option<serde_json::Value>,
    /// `progress`: step `value` of `max`.
    pub value: Option<u32>,
    pub max: Option<u32>,
    /// `executed`: the node's UI output (`{images: [...]}`…).
    #[napi(ts_type = "Record<string, any> | null")]
    pub output: Option<serde_json::Value>,
    /// Other messages' payload as sent (`execution_error`, `feature_flags`, unknown types).
    #[napi(ts_type = "any")]
    pub data: Option<serde_json::Value>,
    /// `status`: jobs waiting on the server, and the socket's client id when the server sent it.
    pub queue_remaining: Option<u32>,
    pub sid: Option<String>,
    /// `preview`: the image's type and size, and its bytes.
    pub mime: Option<String>,
    pub size: Option<u32>,
    pub image: Option<napi::bindgen_prelude::Uint8Array>,
    /// `text`: a node's progress text.
    pub text: Option<String>,
}

/// An item of the server's queue.
#[napi(object)]
pub struct QueueItem {
    #[napi(ts_type = "number | bigint")]
    pub number: Int,
    pub prompt_id: String,
    pub client_id: Option<String>,
    pub outputs: Vec<String>,
}

/// The server's queue, in execution order.
#[napi(object)]
pub struct QueueState {
    pub running: Vec<QueueItem>,
    pub pending: Vec<QueueItem>,
}

/// A stored upload.
#[napi(object)]
pub struct UploadedFile {
    pub filename: String,
    pub subfolder: String,
    #[napi(js_name = "type")]
    pub kind: String,
    /// The value a `LoadImage` input takes (`subfolder/filename`).
    pub input_name: String,
}
