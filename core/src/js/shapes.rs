//! The objects JavaScript receives, as Rust structs: what the functions of [`crate::js`] serialise
//! is what `node/shapes.d.ts` declares, because both come from these definitions (the
//! `typescript` feature derives the declarations; `tests/typescript.rs` writes the file and fails
//! when the committed one differs). Doc comments here become the JSDoc users read.
//!
//! Conventions: names are camelCase; `T | null` means the key is always there, `key?:` that it is
//! left out when it does not apply; integers that may exceed 2^53 are `number | bigint` (the
//! JavaScript layer turns the exact JSON integers into `bigint` only beyond ±(2^53−1)).

use serde::Serialize;
use serde_json::{Map, Value};

#[cfg(feature = "typescript")]
use ts_rs::TS;

/// Serialises a shape. Every shape here has string keys and JSON values, so this cannot fail.
pub fn to_value(shape: impl Serialize) -> Value {
    serde_json::to_value(shape).expect("shapes serialise to JSON")
}

impl<'a> From<&'a crate::params::Param> for ParamSpec<'a> {
    fn from(p: &'a crate::params::Param) -> Self {
        ParamSpec {
            selector: &p.selector,
            node_id: &p.node_id,
            input: &p.input,
            class_type: &p.class_type,
            title: p.title.as_deref(),
            roles: p.roles.iter().map(|r| r.as_str()).collect(),
            param_type: p.param_type.as_str(),
            current: &p.current,
            spec: &p.spec,
        }
    }
}

impl<'a> From<&'a crate::convert::Warning> for Warning<'a> {
    fn from(w: &'a crate::convert::Warning) -> Self {
        Warning {
            code: w.code.as_str(),
            node_id: w.node_id.as_deref(),
            path: &w.path,
            message: &w.message,
        }
    }
}

impl<'a> From<&'a crate::params::OverrideIssue> for OverrideIssue<'a> {
    fn from(i: &'a crate::params::OverrideIssue) -> Self {
        OverrideIssue {
            selector: &i.selector,
            code: i.code.as_str(),
            message: &i.message,
        }
    }
}

/// One parameter of a prompt: a widget value a user may set.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct ParamSpec<'a> {
    /// Where it is: `#3.seed`, `#12:5.text` (inside a subgraph).
    pub selector: &'a str,
    pub node_id: &'a str,
    pub input: &'a str,
    pub class_type: &'a str,
    /// The node's title in the editor, if it has one.
    pub title: Option<&'a str>,
    /// What it means: `positive`, `negative`, `seed`, `steps`, `cfg`, `width`, `height`,
    /// `checkpoint`, `sampler`, `scheduler`, `denoise`, `batch_size`, `image`…
    pub roles: Vec<&'static str>,
    /// The widget's kind (the core's `ParamType`): `LIST` is a combo of choices, `MODEL` a
    /// combo of model files, `IMAGE`/`VIDEO`/`AUDIO` a combo of input files.
    #[serde(rename = "type")]
    #[cfg_attr(
        feature = "typescript",
        ts(
            type = "'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'LIST' | 'MODEL' | 'IMAGE' | 'VIDEO' | 'AUDIO'"
        )
    )]
    pub param_type: &'static str,
    /// The value in the prompt.
    #[cfg_attr(feature = "typescript", ts(type = "any"))]
    pub current: &'a Value,
    /// The catalog's spec: `default`, `min`, `max`, `step`, `round`, `choices`, `multiline`, and
    /// whatever else the server declares for the input.
    #[cfg_attr(feature = "typescript", ts(type = "ParamLimits & Record<string, any>"))]
    pub spec: &'a Map<String, Value>,
}

/// The limits a catalog gives an input, each present only when the server declares it: the keys
/// of `ParamSpec.spec` clients read most (the spec is the catalog's object as the server sent it;
/// a test reads every spec of the golden corpus through this declaration).
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct ParamLimits {
    #[cfg_attr(feature = "typescript", ts(optional, type = "any"))]
    pub default: Option<Value>,
    #[cfg_attr(feature = "typescript", ts(optional, type = "number | bigint"))]
    pub min: Option<serde_json::Number>,
    #[cfg_attr(feature = "typescript", ts(optional, type = "number | bigint"))]
    pub max: Option<serde_json::Number>,
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub step: Option<serde_json::Number>,
    /// `false` turns the editor's rounding off.
    #[cfg_attr(feature = "typescript", ts(optional, type = "number | false"))]
    pub round: Option<NumberOrFalse>,
    /// A combo's allowed values.
    #[cfg_attr(feature = "typescript", ts(optional, type = "any[]"))]
    pub choices: Option<Vec<Value>>,
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub multiline: Option<bool>,
}

/// `round` is a number, or `false` for none.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
pub enum NumberOrFalse {
    Number(serde_json::Number),
    False(monostate_false::False),
}

mod monostate_false {
    /// Deserialises only from `false`.
    #[derive(Debug)]
    pub struct False;

    impl<'de> serde::Deserialize<'de> for False {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            match <bool as serde::Deserialize>::deserialize(d)? {
                false => Ok(False),
                true => Err(serde::de::Error::custom("round is a number or false")),
            }
        }
    }
}

/// A problem that still left a usable prompt (an unknown node type, a dangling link…).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Warning<'a> {
    /// Stable: `UNKNOWN_NODE_TYPE`, `DANGLING_LINK`, `CUSTOM_VIRTUAL_NODE`, …
    pub code: &'static str,
    pub node_id: Option<&'a str>,
    /// Where in the workflow (`nodes[3].widgets_values[1]`).
    pub path: &'a str,
    pub message: &'a str,
}

/// A widget with `control_after_generate` (the editor changes it after each queue).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Control<'a> {
    pub node_id: &'a str,
    pub input: &'a str,
    /// As saved: `fixed`, `increment`, `decrement`, `randomize` (`increment-wrap` for combos).
    pub mode: &'a str,
}

/// What `convert` returns.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct ConvertResult<'a> {
    /// The API prompt, as `POST /prompt` takes it: `{[id]: {class_type, inputs, _meta}}`.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, ApiNode>"))]
    pub prompt: Value,
    pub warnings: Vec<Warning<'a>>,
    pub controls: Vec<Control<'a>>,
}

/// One node of an API prompt, in the server's own spelling (`class_type`, `_meta`). A test reads
/// every node of the golden corpus back through this declaration, refusing unknown keys.
#[derive(Debug, serde::Deserialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(deny_unknown_fields)]
pub struct ApiNode {
    /// The node's class (`KSampler`).
    pub class_type: String,
    /// Widget values, and links as `[nodeId, outputIndex]`.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
    pub inputs: Map<String, Value>,
    #[serde(rename = "_meta", default)]
    #[cfg_attr(
        feature = "typescript",
        ts(optional, type = "{ title?: string } & Record<string, any>")
    )]
    pub meta: Option<Map<String, Value>>,
}

/// An override that was refused (nothing is applied when there is one).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct OverrideIssue<'a> {
    pub selector: &'a str,
    /// Why (the core's `IssueCode`).
    #[cfg_attr(
        feature = "typescript",
        ts(
            type = "'INVALID_SELECTOR' | 'NOT_FOUND' | 'AMBIGUOUS_SELECTOR' | 'NOT_A_PARAMETER' | 'TYPE_MISMATCH' | 'OUT_OF_RANGE' | 'NOT_A_CHOICE'"
        )
    )]
    pub code: &'static str,
    pub message: &'a str,
}

/// A value the seed control changed (`seedMode`).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct Change<'a> {
    pub node_id: &'a str,
    pub input: &'a str,
    #[cfg_attr(feature = "typescript", ts(type = "any"))]
    pub from: &'a Value,
    #[cfg_attr(feature = "typescript", ts(type = "any"))]
    pub to: &'a Value,
}

/// What `applyOverrides` returns: `ok` with the new prompt, or the refusals and the prompt unchanged.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct OverrideResult<'a> {
    pub ok: bool,
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, ApiNode>"))]
    pub prompt: Value,
    pub issues: Vec<OverrideIssue<'a>>,
    pub changes: Vec<Change<'a>>,
    pub warnings: Vec<Warning<'a>>,
}

/// What the server would answer to `POST /prompt`.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct Validation<'a> {
    pub accepted: bool,
    /// 200 or 400, as the server.
    pub status: u16,
    /// The server's JSON body: `{prompt_id, number, node_errors}` or `{error, node_errors}`.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
    pub body: &'a Value,
}

/// What `parseWorkflow` says of a document.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct WorkflowInfo<'a> {
    /// `ui` (the editor's format) or `api` (a prompt).
    #[cfg_attr(feature = "typescript", ts(type = "'ui' | 'api'"))]
    pub format: &'static str,
    /// The UI format's `version` (`0.4`, `1`), `null` when the file has none; absent for prompts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "number | string | null"))]
    pub version: Option<&'a Value>,
    /// The editor that saved it (`extra.frontendVersion`), `null` when unrecorded; absent for prompts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "string | null"))]
    pub frontend_version: Option<Option<&'a str>>,
    pub nodes: usize,
    /// UI workflows only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub links: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub subgraphs: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "number"))]
    pub group_nodes: Option<usize>,
}

/// The workflow and prompt embedded in a file ComfyUI wrote.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct Embedded<'a> {
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, ApiNode> | null"))]
    pub prompt: Option<&'a Value>,
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, any> | null"))]
    pub workflow: Option<&'a Value>,
}

/// A node (or input) a selector named.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct FoundNode<'a> {
    pub selector: String,
    pub node_id: &'a str,
    /// The input, when the selector names one (`#3.seed`, `seed`).
    pub input: Option<&'a str>,
    pub class_type: Option<&'a str>,
    #[cfg_attr(feature = "typescript", ts(type = "string | null"))]
    pub title: Option<&'a Value>,
    /// The input's value (`null` for a node).
    #[cfg_attr(feature = "typescript", ts(type = "any"))]
    pub value: Option<&'a Value>,
}

/// A file a job wrote.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct OutputFile {
    pub node_id: String,
    /// The output's key: `images`, `gifs`, `audio`…
    pub key: String,
    pub filename: String,
    pub subfolder: String,
    /// `output` or `temp`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where to download it (`GET /view`); `null` where no server is known.
    pub url: Option<String>,
}

/// How a job ended.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct JobResult<'a> {
    pub prompt_id: &'a str,
    #[cfg_attr(
        feature = "typescript",
        ts(
            type = "'SUCCESS' | 'EXECUTION_ERROR' | 'INTERRUPTED' | 'CANCELLED' | 'PROMPT_REJECTED' | 'JOB_LOST' | 'TIMEOUT'"
        )
    )]
    pub status: &'static str,
    /// `status === 'SUCCESS'`.
    pub ok: bool,
    /// The server's outputs by node id.
    #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
    pub outputs: &'a Map<String, Value>,
    pub files: Vec<OutputFile>,
    /// The server's error data (`exception_message`, `node_id`…), when it failed or was interrupted.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "Record<string, any>"))]
    pub error: Option<&'a Value>,
    /// Validation errors by node id: why the server refused the prompt, or, with `droppedOutputs`,
    /// why it dropped some outputs while running the others (ComfyUI's partial acceptance).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional, type = "Record<string, any>"))]
    pub node_errors: Option<Value>,
    /// The output nodes the server accepted the prompt without (they failed validation); absent
    /// when it kept them all. `{strict: true}` refuses such a prompt instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub dropped_outputs: Option<Vec<String>>,
    /// For a `TIMEOUT`: whether the server confirmed stopping the job (`'confirmed'`: it no
    /// longer runs once its current node ends), refused a stop request (`'refused'`: it may still
    /// run), or did not answer in time (`'unanswered'`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(optional, type = "'confirmed' | 'refused' | 'unanswered'")
    )]
    pub server_stop: Option<&'static str>,
}

/// Where a preview's bytes go: JSON cannot carry them, so the binding sets `image` to a
/// `Uint8Array` after parsing (the JSON holds `null` in its place).
#[derive(Debug, Clone, Copy)]
pub struct ImageBytes;

impl Serialize for ImageBytes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_none()
    }
}

/// An event of one job; `type` tells which (`job.on(type, …)` takes the same names).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct JobEvent<'a> {
    pub prompt_id: &'a str,
    #[serde(flatten)]
    pub kind: JobEventKind<'a>,
}

/// The events of a job, in the order the server produces them (`output` and `text` may come
/// many times, `finished` once, last).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum JobEventKind<'a> {
    /// In the server's queue: `position` 0 is running, 1 next…
    Queued { position: usize },
    /// The server began the job.
    Started,
    /// Nodes the server did not run again (their outputs were cached).
    Cached { nodes: &'a [String] },
    /// A node started.
    #[serde(rename = "executing")]
    NodeStarted { node: &'a str },
    /// A node's step `value` of `max`; `overall` runs from 0 to 1 over the whole job.
    Progress {
        node: Option<&'a str>,
        value: f64,
        max: f64,
        overall: f64,
    },
    /// A preview image (`image` holds its bytes).
    Preview {
        node: Option<&'a str>,
        mime: &'a str,
        size: usize,
        #[cfg_attr(feature = "typescript", ts(type = "Uint8Array"))]
        image: ImageBytes,
    },
    /// What a node produced, and its files.
    Output {
        node: &'a str,
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        output: &'a Value,
        files: Vec<OutputFile>,
    },
    /// Progress text a node sent.
    Text { node: &'a str, text: &'a str },
    /// The job ended (always the last event).
    Finished { result: JobResult<'a> },
}

/// A server message as the WebSocket sent it (the wire's `type` names, camelCase fields).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(
    tag = "type",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum ServerMessage<'a> {
    /// Jobs waiting on the server, and the socket's client id when the server sent it.
    Status {
        #[cfg_attr(feature = "typescript", ts(type = "number | null"))]
        queue_remaining: Option<u64>,
        sid: Option<&'a str>,
    },
    FeatureFlags {
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        data: &'a Value,
    },
    ExecutionStart {
        prompt_id: &'a str,
    },
    /// The nodes that were not run again.
    ExecutionCached {
        prompt_id: &'a str,
        nodes: &'a [String],
    },
    /// A node started (`node: null` ends the prompt); `displayNode` is the node shown in the
    /// editor (it differs inside subgraphs).
    Executing {
        prompt_id: Option<&'a str>,
        node: Option<&'a str>,
        display_node: Option<&'a str>,
    },
    /// A node's step `value` of `max`.
    Progress {
        prompt_id: Option<&'a str>,
        node: Option<&'a str>,
        value: f64,
        max: f64,
    },
    /// Per-node state, as the server sent it.
    ProgressState {
        prompt_id: Option<&'a str>,
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        nodes: &'a Value,
    },
    /// A node's UI output (`{images: [...]}`…).
    Executed {
        prompt_id: Option<&'a str>,
        node: &'a str,
        display_node: Option<&'a str>,
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        output: &'a Value,
    },
    ExecutionSuccess {
        prompt_id: &'a str,
    },
    ExecutionError {
        prompt_id: &'a str,
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        data: &'a Value,
    },
    ExecutionInterrupted {
        prompt_id: &'a str,
        #[cfg_attr(feature = "typescript", ts(type = "Record<string, any>"))]
        data: &'a Value,
    },
    /// A preview image (`image` holds its bytes); node and prompt when the server said.
    Preview {
        mime: &'a str,
        size: usize,
        node: Option<&'a str>,
        prompt_id: Option<&'a str>,
        #[cfg_attr(feature = "typescript", ts(type = "Uint8Array"))]
        image: ImageBytes,
    },
    /// A node's progress text.
    Text {
        node: &'a str,
        text: &'a str,
    },
    /// Any other message the server sends, with its payload as sent.
    #[serde(untagged)]
    Other(OtherMessage<'a>),
}

/// A message of a type comfywire does not interpret (custom nodes send their own).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct OtherMessage<'a> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[cfg_attr(feature = "typescript", ts(type = "any"))]
    pub data: &'a Value,
}

/// An item of the server's queue.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct QueueItem<'a> {
    #[cfg_attr(feature = "typescript", ts(type = "number | bigint"))]
    pub number: &'a Value,
    pub prompt_id: &'a str,
    /// The client that submitted it, when it said.
    pub client_id: Option<&'a str>,
    /// The output nodes it runs.
    pub outputs: &'a [String],
}

/// The server's queue, in execution order.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
pub struct QueueState<'a> {
    pub running: Vec<QueueItem<'a>>,
    pub pending: Vec<QueueItem<'a>>,
}

/// A stored upload.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "typescript", derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct UploadedFile<'a> {
    pub filename: &'a str,
    pub subfolder: &'a str,
    /// `input` (or `temp`, as the server stored it).
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// The value a `LoadImage` input takes (`subfolder/filename`).
    pub input_name: String,
}
