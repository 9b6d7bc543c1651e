// Generated from core/src/js/shapes.rs and core/src/js/options.rs by tests/typescript.rs: do not edit.

/**
 * One parameter of a prompt: a widget value a user may set.
 */
export type ParamSpec = { 
/**
 * Where it is: `#3.seed`, `#12:5.text` (inside a subgraph).
 */
selector: string, nodeId: string, input: string, classType: string, 
/**
 * The node's title in the editor, if it has one.
 */
title: string | null, 
/**
 * What it means: `positive`, `negative`, `seed`, `steps`, `cfg`, `width`, `height`,
 * `checkpoint`, `sampler`, `scheduler`, `denoise`, `batch_size`, `image`…
 */
roles: Array<string>, 
/**
 * The widget's kind (the core's `ParamType`): `LIST` is a combo of choices, `MODEL` a
 * combo of model files, `IMAGE`/`VIDEO`/`AUDIO` a combo of input files.
 */
type: 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'LIST' | 'MODEL' | 'IMAGE' | 'VIDEO' | 'AUDIO', 
/**
 * The value in the prompt.
 */
current: any, 
/**
 * The catalog's spec: `default`, `min`, `max`, `step`, `round`, `choices`, `multiline`, and
 * whatever else the server declares for the input.
 */
spec: ParamLimits & Record<string, any>, };

/**
 * The limits a catalog gives an input, each present only when the server declares it: the keys
 * of `ParamSpec.spec` clients read most (the spec is the catalog's object as the server sent it;
 * a test reads every spec of the golden corpus through this declaration).
 */
export type ParamLimits = { default?: any, min?: number | bigint, max?: number | bigint, step?: number, 
/**
 * `false` turns the editor's rounding off.
 */
round?: number | false, 
/**
 * A combo's allowed values.
 */
choices?: any[], multiline?: boolean, };

/**
 * A problem that still left a usable prompt (an unknown node type, a dangling link…).
 */
export type Warning = { 
/**
 * Stable: `UNKNOWN_NODE_TYPE`, `DANGLING_LINK`, `CUSTOM_VIRTUAL_NODE`, …
 */
code: string, nodeId: string | null, 
/**
 * Where in the workflow (`nodes[3].widgets_values[1]`).
 */
path: string, message: string, };

/**
 * A widget with `control_after_generate` (the editor changes it after each queue).
 */
export type Control = { nodeId: string, input: string, 
/**
 * As saved: `fixed`, `increment`, `decrement`, `randomize` (`increment-wrap` for combos).
 */
mode: string, };

/**
 * What `convert` returns.
 */
export type ConvertResult = { 
/**
 * The API prompt, as `POST /prompt` takes it: `{[id]: {class_type, inputs, _meta}}`.
 */
prompt: Record<string, ApiNode>, warnings: Array<Warning>, controls: Array<Control>, };

/**
 * One node of an API prompt, in the server's own spelling (`class_type`, `_meta`). A test reads
 * every node of the golden corpus back through this declaration, refusing unknown keys.
 */
export type ApiNode = { 
/**
 * The node's class (`KSampler`).
 */
class_type: string, 
/**
 * Widget values, and links as `[nodeId, outputIndex]`.
 */
inputs: Record<string, any>, _meta?: { title?: string } & Record<string, any>, };

/**
 * An override that was refused (nothing is applied when there is one).
 */
export type OverrideIssue = { selector: string, 
/**
 * Why (the core's `IssueCode`).
 */
code: 'INVALID_SELECTOR' | 'NOT_FOUND' | 'AMBIGUOUS_SELECTOR' | 'NOT_A_PARAMETER' | 'TYPE_MISMATCH' | 'OUT_OF_RANGE' | 'NOT_A_CHOICE', message: string, };

/**
 * A value the seed control changed (`seedMode`).
 */
export type Change = { nodeId: string, input: string, from: any, to: any, };

/**
 * What `applyOverrides` returns: `ok` with the new prompt, or the refusals and the prompt unchanged.
 */
export type OverrideResult = { ok: boolean, prompt: Record<string, ApiNode>, issues: Array<OverrideIssue>, changes: Array<Change>, warnings: Array<Warning>, };

/**
 * What the server would answer to `POST /prompt`.
 */
export type Validation = { accepted: boolean, 
/**
 * 200 or 400, as the server.
 */
status: number, 
/**
 * The server's JSON body: `{prompt_id, number, node_errors}` or `{error, node_errors}`.
 */
body: Record<string, any>, };

/**
 * What `parseWorkflow` says of a document.
 */
export type WorkflowInfo = { 
/**
 * `ui` (the editor's format) or `api` (a prompt).
 */
format: 'ui' | 'api', 
/**
 * The UI format's `version` (`0.4`, `1`), `null` when the file has none; absent for prompts.
 */
version?: number | string | null, 
/**
 * The editor that saved it (`extra.frontendVersion`), `null` when unrecorded; absent for prompts.
 */
frontendVersion?: string | null, nodes: number, 
/**
 * UI workflows only.
 */
links?: number, subgraphs?: number, groupNodes?: number, };

/**
 * The workflow and prompt embedded in a file ComfyUI wrote.
 */
export type Embedded = { prompt: Record<string, ApiNode> | null, workflow: Record<string, any> | null, };

/**
 * A node (or input) a selector named.
 */
export type FoundNode = { selector: string, nodeId: string, 
/**
 * The input, when the selector names one (`#3.seed`, `seed`).
 */
input: string | null, classType: string | null, title: string | null, 
/**
 * The input's value (`null` for a node).
 */
value: any, };

/**
 * A file a job wrote.
 */
export type OutputFile = { nodeId: string, 
/**
 * The output's key: `images`, `gifs`, `audio`…
 */
key: string, filename: string, subfolder: string, 
/**
 * `output` or `temp`.
 */
type: string, 
/**
 * Where to download it (`GET /view`); `null` where no server is known.
 */
url: string | null, };

/**
 * How a job ended.
 */
export type JobResult = { promptId: string, status: 'SUCCESS' | 'EXECUTION_ERROR' | 'INTERRUPTED' | 'CANCELLED' | 'PROMPT_REJECTED' | 'JOB_LOST' | 'TIMEOUT', 
/**
 * `status === 'SUCCESS'`.
 */
ok: boolean, 
/**
 * The server's outputs by node id.
 */
outputs: Record<string, any>, files: Array<OutputFile>, 
/**
 * The server's error data (`exception_message`, `node_id`…), when it failed or was interrupted.
 */
error?: Record<string, any>, 
/**
 * Validation errors by node id: why the server refused the prompt, or, with `droppedOutputs`,
 * why it dropped some outputs while running the others (ComfyUI's partial acceptance).
 */
nodeErrors?: Record<string, any>, 
/**
 * The output nodes the server accepted the prompt without (they failed validation); absent
 * when it kept them all. `{strict: true}` refuses such a prompt instead.
 */
droppedOutputs?: Array<string>, 
/**
 * For a `TIMEOUT`: whether the server confirmed stopping the job (`'confirmed'`: it no
 * longer runs once its current node ends), refused a stop request (`'refused'`: it may still
 * run), or did not answer in time (`'unanswered'`).
 */
serverStop?: 'confirmed' | 'refused' | 'unanswered', };

/**
 * The events of a job, in the order the server produces them (`output` and `text` may come
 * many times, `finished` once, last).
 */
export type JobEventKind = { "type": "queued", position: number, } | { "type": "started" } | { "type": "cached", nodes: Array<string>, } | { "type": "executing", node: string, } | { "type": "progress", node: string | null, value: number, max: number, overall: number, } | { "type": "preview", node: string | null, mime: string, size: number, image: Uint8Array, } | { "type": "output", node: string, output: Record<string, any>, files: Array<OutputFile>, } | { "type": "text", node: string, text: string, } | { "type": "finished", result: JobResult, };

/**
 * An event of one job; `type` tells which (`job.on(type, …)` takes the same names).
 */
export type JobEvent = { promptId: string, } & ({ "type": "queued", position: number, } | { "type": "started" } | { "type": "cached", nodes: Array<string>, } | { "type": "executing", node: string, } | { "type": "progress", node: string | null, value: number, max: number, overall: number, } | { "type": "preview", node: string | null, mime: string, size: number, image: Uint8Array, } | { "type": "output", node: string, output: Record<string, any>, files: Array<OutputFile>, } | { "type": "text", node: string, text: string, } | { "type": "finished", result: JobResult, });

/**
 * A message of a type comfywire does not interpret (custom nodes send their own).
 */
export type OtherMessage = { type: string, data: any, };

/**
 * A server message as the WebSocket sent it (the wire's `type` names, camelCase fields).
 */
export type ServerMessage = { "type": "status", queueRemaining: number | null, sid: string | null, } | { "type": "feature_flags", data: Record<string, any>, } | { "type": "execution_start", promptId: string, } | { "type": "execution_cached", promptId: string, nodes: Array<string>, } | { "type": "executing", promptId: string | null, node: string | null, displayNode: string | null, } | { "type": "progress", promptId: string | null, node: string | null, value: number, max: number, } | { "type": "progress_state", promptId: string | null, nodes: Record<string, any>, } | { "type": "executed", promptId: string | null, node: string, displayNode: string | null, output: Record<string, any>, } | { "type": "execution_success", promptId: string, } | { "type": "execution_error", promptId: string, data: Record<string, any>, } | { "type": "execution_interrupted", promptId: string, data: Record<string, any>, } | { "type": "preview", mime: string, size: number, node: string | null, promptId: string | null, image: Uint8Array, } | { "type": "text", node: string, text: string, } | OtherMessage;

/**
 * An item of the server's queue.
 */
export type QueueItem = { number: number | bigint, promptId: string, 
/**
 * The client that submitted it, when it said.
 */
clientId: string | null, 
/**
 * The output nodes it runs.
 */
outputs: Array<string>, };

/**
 * The server's queue, in execution order.
 */
export type QueueState = { running: Array<QueueItem>, pending: Array<QueueItem>, };

/**
 * A stored upload.
 */
export type UploadedFile = { filename: string, subfolder: string, 
/**
 * `input` (or `temp`, as the server stored it).
 */
type: string, 
/**
 * The value a `LoadImage` input takes (`subfolder/filename`).
 */
inputName: string, };

/**
 * How a UI workflow becomes a prompt.
 */
export type ConvertOptions = { 
/**
 * Resolve `{a|b}` prompts with this seed, or keep them as written (default: `keep`).
 */
dynamicPrompts?: 'keep' | { seed?: number | bigint }, 
/**
 * Local date-time for `%date:…%` in widget text, `YYYY-MM-DDThh:mm:ss` (default: none, the
 * `%date:…%` pattern is kept verbatim).
 */
date?: string, 
/**
 * Read named `widgets_values` objects before positional ones (default false).
 */
preferNamedValues?: boolean, 
/**
 * Keep interior ids of expanded subgraphs as saved instead of renumbering colliding ones
 * as the editor has done since 1.42 (default false: renumber, as the editor does).
 */
keepSubgraphIds?: boolean, 
/**
 * Produce what the file's author meant where the editor demonstrably loses it, each repair
 * reported as a warning (default false: the editor's output). Today: array links of a
 * file whose `version` is not 0.4 (`ARRAY_LINKS_REPAIRED` instead of
 * `ARRAY_LINKS_IGNORED`).
 */
repair?: boolean, };

/**
 * How `control_after_generate` widgets (seeds…) change before a run.
 */
export type SeedMode = "fixed" | "asSaved" | "increment" | "decrement" | "randomize";

/**
 * `applyOverrides` options (conversion options apply too).
 */
export type OverrideOptions = { 
/**
 * Seeds and other controlled widgets: `fixed` (default), `asSaved`, `increment`,
 * `decrement`, `randomize`.
 */
seedMode?: SeedMode, 
/**
 * Makes `randomize` reproducible (default 0).
 */
rngSeed?: number | bigint | string, 
/**
 * A sparse prompt `{"<id>": {"inputs": {…}}}` applied before the named overrides.
 */
body?: Record<string, { inputs: Record<string, any> }>, };

/**
 * `listParams` options (conversion options apply too).
 */
export type ListParamsOptions = { 
/**
 * Return the `{"<id>": {"inputs": {…}}}` shape instead of a list (default false).
 */
byNode?: boolean, };

/**
 * Credentials for HTTP basic authentication.
 */
export type BasicAuth = { user?: string, password?: string, };

/**
 * `ComfyClient.connect` options, or the server URL alone.
 */
export type ConnectOptions = { 
/**
 * Base URL, e.g. `http://127.0.0.1:8188` (a reverse-proxy path is kept). Required.
 */
server: string, 
/**
 * The id the server files this client's jobs and messages under (default: a random id).
 */
clientId?: string, 
/**
 * Use the `/api/...` routes (default false).
 */
apiPrefix?: boolean, 
/**
 * `Authorization: Bearer` token.
 */
bearer?: string, 
/**
 * HTTP basic credentials.
 */
basic?: BasicAuth, 
/**
 * Extra request headers (Node; browsers restrict them).
 */
headers?: Record<string, string>, 
/**
 * Sent as `?token=` on the WebSocket URL.
 */
wsToken?: string, 
/**
 * One HTTP request's limit, in ms (default 30000).
 */
requestTimeoutMs?: number, 
/**
 * Ask the history about a job the socket is silent about this long, in ms (default 15000).
 */
silenceMs?: number, 
/**
 * The first reconnect waits up to this long, in ms (default 200); each further one up to
 * twice as long.
 */
reconnectMinMs?: number, 
/**
 * No reconnect waits longer, in ms (default 10000).
 */
reconnectMaxMs?: number, 
/**
 * A socket down this long ends every open job as `JOB_LOST`: the server is gone (default
 * 60000 ms).
 */
reconnectWindowMs?: number, 
/**
 * Unread events kept per job (default 1024); when full, the oldest preview goes first,
 * then progress; `finished` is never dropped.
 */
jobEventCapacity?: number, };

/**
 * What `POST /prompt` carries besides the prompt.
 */
export type QueueOptions = { 
/**
 * Choose the prompt id (default: a random UUID).
 */
promptId?: string, 
/**
 * Queue before the others (default false).
 */
front?: boolean, 
/**
 * The queue number to file it under (default: the server's next).
 */
number?: number, 
/**
 * Stored with the job (`extra_pnginfo`…).
 */
extraData?: Record<string, any>, 
/**
 * Only run these output nodes.
 */
partialExecutionTargets?: Array<string | number>, 
/**
 * Cancels the job on the server after this long, in ms; the result's status is `TIMEOUT`.
 */
timeoutMs?: number, };

/**
 * `{filename, subfolder, type}` of a stored file.
 */
export type FileName = { filename: string, subfolder?: string, 
/**
 * `input` (default), `output` or `temp`.
 */
type?: string, };

/**
 * Whether an upload is an image or the mask of one.
 */
export type UploadType = "image" | "mask";

/**
 * `upload` options.
 */
export type UploadOptions = { 
/**
 * `image` (default) or `mask`.
 */
type?: UploadType, 
/**
 * Where on the server (default: the input folder itself).
 */
subfolder?: string, 
/**
 * Replace a file of the same name instead of letting the server rename the upload
 * (default false).
 */
overwrite?: boolean, 
/**
 * A mask's image.
 */
original?: FileName, };

/**
 * `history` options.
 */
export type HistoryOptions = { 
/**
 * At most this many entries (default: all).
 */
maxItems?: number, 
/**
 * Skip this many first (default 0).
 */
offset?: number, };

/**
 * `free` options.
 */
export type FreeOptions = { 
/**
 * Unload every model (default false).
 */
unloadModels?: boolean, 
/**
 * Free cached memory (default false).
 */
freeMemory?: boolean, };
