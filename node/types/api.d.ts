/**
 * Sets the binding this module serves (the entry point does it once, before anything runs).
 * @param {any} theBinding The low-level binding (napi addon or wasm module).
 * @param {{runtime: string, reason?: string, ready?: () => void}} info
 * @internal
 */
export function useBinding(theBinding: any, info: {
    runtime: string;
    reason?: string;
    ready?: () => void;
}): void;
/** @returns {string} */
export function version(): string;
/**
 * Parses the text (or object) of a `GET /object_info` answer, keeping integers exact.
 * @param {string | object} objectInfo
 * @returns {Catalog}
 */
export function loadCatalog(objectInfo: string | object): Catalog;
/**
 * ComfyUI 0.3.64's catalog, what conversion uses in Node when no catalog is given: the addon
 * embeds it, the wasm fallback reads the package's copy (`comfywire/catalog-0.3.64.json`) once.
 * Browsers have none (`INVALID_ARGUMENT`): pass the server's (`client.objectInfo()`).
 * @returns {Catalog}
 */
export function embeddedCatalog(): Catalog;
/**
 * What a document is: `{format: 'ui' | 'api', version, nodes, links, subgraphs…}`.
 * @param {WorkflowInput} input
 * @returns {WorkflowInfo}
 */
export function parseWorkflow(input: WorkflowInput): WorkflowInfo;
/**
 * Converts a UI workflow to the API prompt exactly as the editor's "Save (API)" does.
 * Problems that leave a usable prompt are `warnings`, not errors.
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {ConvertResult}
 */
export function convert(input: WorkflowInput, options?: ConvertOptions): ConvertResult;
/**
 * JSON text in, the prompt's JSON text out (exact, no JavaScript numbers involved).
 * @param {string} text
 * @param {ConvertOptions} [options]
 * @returns {string}
 */
export function convertJson(text: string, options?: ConvertOptions): string;
/**
 * Every parameter of the prompt with its spec (type, current value, default/min/max/step/
 * round/choices) and its role (`positive`, `seed`, `steps`, `checkpoint`…).
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {ParamSpec[]}
 */
export function listParams(input: WorkflowInput, options?: ConvertOptions): ParamSpec[];
/**
 * Nodes (and inputs) a selector names: `positive`, `#12:5.text`, `title:Upscale`, `KSampler[1].seed`, `KSampler[*]`.
 * @param {WorkflowInput} input
 * @param {string} selector
 * @param {ConvertOptions} [options]
 * @returns {FoundNode[]}
 */
export function findNodes(input: WorkflowInput, selector: string, options?: ConvertOptions): FoundNode[];
/**
 * Applies overrides all-or-nothing; refusals (out of range, not a choice, unknown selector)
 * are returned in `issues` with `ok: false`, never thrown.
 * @param {WorkflowInput} input
 * @param {Record<string, any>} overrides `{seed: 42n, positive: 'a fox', '#3.steps': 20}`, or a sparse API body `{3: {inputs: {seed: 1}}}`.
 * @param {ConvertOptions & OverrideOptions} [options]
 * @returns {OverrideResult}
 */
export function applyOverrides(input: WorkflowInput, overrides: Record<string, any>, options?: ConvertOptions & OverrideOptions): OverrideResult;
/**
 * `applyOverrides` that returns the prompt, or throws `OVERRIDES_REFUSED` with the `issues`.
 * @param {WorkflowInput} input
 * @param {Record<string, any>} overrides
 * @param {ConvertOptions} [options]
 * @returns {Record<string, any>}
 */
export function set(input: WorkflowInput, overrides: Record<string, any>, options?: ConvertOptions): Record<string, any>;
/**
 * What the server would answer to this prompt: `{accepted, status, body}` with the very
 * `node_errors` ComfyUI would send. A UI workflow is converted first.
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {Validation}
 */
export function validate(input: WorkflowInput, options?: ConvertOptions): Validation;
/**
 * The `prompt` and `workflow` ComfyUI embedded in a file it wrote (`null` where absent).
 * @param {Uint8Array} bytes
 * @returns {Embedded}
 */
export function extractFromImage(bytes: Uint8Array): Embedded;
/**
 * Parses JSON text, integers beyond 2^53 as BigInt (`JSON_SYNTAX` on bad text).
 * @param {string} text
 * @returns {any}
 */
export function parseJsonExact(text: string): any;
/**
 * Writes a value as JSON text, BigInt digit for digit (`INVALID_ARGUMENT` for a cycle or a
 * value nested deeper than 512 levels).
 * @param {any} value
 * @returns {string}
 */
export function stringifyJsonExact(value: any): string;
export { ERROR_CODES };
/**
 * An error with a stable `code` (one of `ERROR_CODES`) and the data that explains it. Which
 * properties are set depends on the code: `status`/`error`/`nodeErrors` for `PROMPT_REJECTED`,
 * `status`/`route`/`body` for `HTTP_STATUS`, `issues` for `OVERRIDES_REFUSED`, `result` and
 * `promptId` for a job that ended without success, `reasons` for `NO_SERVER`…
 */
export class ComfyError extends Error {
    /**
     * @param {ErrorCode} code
     * @param {string} message
     * @param {Record<string, any>} [data]
     */
    constructor(code: ErrorCode, message: string, data?: Record<string, any>);
    /** @type {ErrorCode} */
    code: ErrorCode;
    /** @type {number | undefined} HTTP status (`HTTP_STATUS`, `PROMPT_REJECTED`). */
    status: number | undefined;
    /** @type {any} The server's `error` object (`PROMPT_REJECTED`). */
    error: any;
    /** @type {Record<string, any> | undefined} The server's `node_errors` (`PROMPT_REJECTED`). */
    nodeErrors: Record<string, any> | undefined;
    /** @type {any[] | undefined} The refusals (`OVERRIDES_REFUSED`). */
    issues: any[] | undefined;
    /** @type {JobResult | undefined} The job's end, when a job ended without success. */
    result: JobResult | undefined;
    /** @type {string | undefined} The job's prompt id, when a job is concerned. */
    promptId: string | undefined;
}
/** A submitted job: events as they happen (callbacks or `for await`), and its result. */
export class Job {
    /** @param {any} native @param {ComfyClient} client */
    constructor(native: any, client: ComfyClient);
    /** The server's prompt id. @type {string} */
    promptId: string;
    /** The client that submitted it. */
    client: ComfyClient;
    /**
     * Calls `callback` for each event of this type (`queued`, `started`, `cached`,
     * `executing`, `progress`, `preview`, `output`, `text`, `finished`, or `*` for all): first,
     * before `on` returns, for those that already happened (of previews, the latest), then as
     * they come — so a listener attached after `await client.queuePrompt(…)`, or after the job
     * finished, misses nothing. The callback's `event` has the fields of that type.
     * @template {JobEvent['type'] | '*'} T
     * @param {T} type
     * @param {(event: T extends JobEvent['type'] ? JobEventOf<T> : JobEvent) => void} callback
     * @returns {this}
     */
    on<T extends JobEvent["type"] | "*">(type: T, callback: (event: T extends JobEvent["type"] ? JobEventOf<T> : JobEvent) => void): this;
    /**
     * @template {JobEvent['type'] | '*'} T
     * @param {T} type
     * @param {(event: T extends JobEvent['type'] ? JobEventOf<T> : JobEvent) => void} callback
     * @returns {this}
     */
    off<T extends JobEvent["type"] | "*">(type: T, callback: (event: T extends JobEvent["type"] ? JobEventOf<T> : JobEvent) => void): this;
    /**
     * The result, whatever the outcome (`status` says which); never rejects.
     * @returns {Promise<JobResult>}
     */
    wait(): Promise<JobResult>;
    /**
     * Cancels this job and no other: removed from the queue if it waits, interrupted if it runs.
     * @returns {Promise<void>}
     */
    cancel(): Promise<void>;
    /**
     * Every event from the job's start (of previews, the latest), then those to come, ending with `finished`.
     * @returns {AsyncIterator<JobEvent>}
     */
    [Symbol.asyncIterator](): AsyncIterator<JobEvent>;
    #private;
}
/** One ComfyUI server: one WebSocket opened before any job, every job followed to its end. */
export class ComfyClient {
    /**
     * Connects (resolves once the WebSocket is open).
     * @param {string | ConnectOptions} server
     * @param {Partial<ConnectOptions>} [options]
     * @returns {Promise<ComfyClient>}
     */
    static connect(server: string | ConnectOptions, options?: Partial<ConnectOptions>): Promise<ComfyClient>;
    /** @param {any} native @param {string} server */
    constructor(native: any, server: string);
    /** The server's base URL. @type {string} */
    server: string;
    /** This client's id (the WebSocket's `clientId`). @type {string} */
    get clientId(): string;
    /**
     * The server's catalog, read once and kept (`refresh: true` reads it again).
     * @param {CallOptions & {refresh?: boolean}} [options]
     * @returns {Promise<Catalog>}
     */
    objectInfo(options?: CallOptions & {
        refresh?: boolean;
    }): Promise<Catalog>;
    /**
     * The `/object_info` answer as a plain object (integers beyond 2^53 as BigInt).
     * @param {CallOptions} [options]
     * @returns {Promise<Record<string, any>>}
     */
    objectInfoRaw(options?: CallOptions): Promise<Record<string, any>>;
    /**
     * Queues a workflow or prompt and returns the Job (following it from before it is
     * queued, so a job that ends at once is not missed). A refused prompt rejects with
     * `PROMPT_REJECTED` (`err.nodeErrors` as the server sent them).
     * @param {WorkflowInput} input
     * @param {SubmitOptions} [options]
     * @returns {Promise<Job>}
     */
    queuePrompt(input: WorkflowInput, options?: SubmitOptions): Promise<Job>;
    /**
     * Queues, follows to the end and returns what the job produced. Rejects with the outcome's
     * code (`EXECUTION_ERROR`, `INTERRUPTED`, `CANCELLED`, `TIMEOUT`, `JOB_LOST`,
     * `PROMPT_REJECTED`, `ABORTED`) and `err.result`, unless `throwOnFailure: false`.
     * @param {WorkflowInput} input
     * @param {SubmitOptions} [options]
     * @returns {Promise<JobResult>}
     */
    run(input: WorkflowInput, options?: SubmitOptions): Promise<JobResult>;
    /**
     * Cancels one of this client's jobs and nothing else.
     * @param {string} promptId
     * @param {CallOptions} [options]
     * @returns {Promise<void>}
     */
    cancel(promptId: string, options?: CallOptions): Promise<void>;
    /**
     * `POST /interrupt` for this prompt id, or whatever runs when none is given (prefer `cancel`).
     * @param {string} [promptId]
     * @param {CallOptions} [options]
     * @returns {Promise<void>}
     */
    interrupt(promptId?: string, options?: CallOptions): Promise<void>;
    /**
     * History: one prompt's entry, or the last `maxItems` (as the server stores them).
     * @param {string} [promptId]
     * @param {CallOptions & import('../shapes.js').HistoryOptions} [options]
     * @returns {Promise<Record<string, any>>}
     */
    getHistory(promptId?: string, options?: CallOptions & import("../shapes.js").HistoryOptions): Promise<Record<string, any>>;
    /**
     * The queue in execution order.
     * @param {CallOptions} [options]
     * @returns {Promise<QueueState>}
     */
    getQueue(options?: CallOptions): Promise<QueueState>;
    /**
     * Uploads an input image (or a mask); the server may rename it — use `inputName`.
     * @param {Uint8Array | ArrayBuffer | Blob} data
     * @param {string} filename
     * @param {CallOptions & import('../shapes.js').UploadOptions} [options]
     * @returns {Promise<UploadedFile>}
     */
    upload(data: Uint8Array | ArrayBuffer | Blob, filename: string, options?: CallOptions & import("../shapes.js").UploadOptions): Promise<UploadedFile>;
    /**
     * Downloads a file (an output of a result's `files`, or `{filename, subfolder, type}`).
     * @param {{filename: string, subfolder?: string, type?: string}} file
     * @param {CallOptions} [options]
     * @returns {Promise<Uint8Array>}
     */
    view(file: {
        filename: string;
        subfolder?: string;
        type?: string;
    }, options?: CallOptions): Promise<Uint8Array>;
    /** @param {CallOptions} [options] @returns {Promise<Record<string, any>>} */
    systemStats(options?: CallOptions): Promise<Record<string, any>>;
    /**
     * Unloads models and/or frees memory on the server.
     * @param {CallOptions & import('../shapes.js').FreeOptions} [options]
     * @returns {Promise<void>}
     */
    free(options?: CallOptions & import("../shapes.js").FreeOptions): Promise<void>;
    /** @param {string[]} promptIds @param {CallOptions} [options] @returns {Promise<void>} */
    deleteHistory(promptIds: string[], options?: CallOptions): Promise<void>;
    /** @param {CallOptions} [options] @returns {Promise<void>} */
    clearHistory(options?: CallOptions): Promise<void>;
    /** Removes waiting prompts (any client's: prefer `cancel` for your own). @param {string[]} promptIds @param {CallOptions} [options] @returns {Promise<void>} */
    deleteQueued(promptIds: string[], options?: CallOptions): Promise<void>;
    /** @param {CallOptions} [options] @returns {Promise<void>} */
    clearQueue(options?: CallOptions): Promise<void>;
    /**
     * Calls `callback` for each server message of this type (`status`, `progress`,
     * `executing`, `executed`, `preview`, `execution_error`…, `*` for all, `close` when the
     * socket closes for good) from now on.
     * @template {string} T
     * @param {T} type
     * @param {(message: T extends '*' ? ServerMessage : T extends 'close' ? {type: 'close'} : ServerMessageOf<T>) => void} callback
     * @returns {() => void} Unsubscribes.
     */
    on<T extends string>(type: T, callback: (message: T extends "*" ? ServerMessage : T extends "close" ? {
        type: "close";
    } : ServerMessageOf<T>) => void): () => void;
    /**
     * Server messages from now on, as an async iterator; ends when the client closes or
     * `signal` aborts. A reader slower than the server holds at most `maxQueued` messages
     * (default 1024): past that the oldest preview goes first, then the oldest message, and the
     * iterator's `dropped` counts them.
     * @param {{signal?: AbortSignal, types?: string[], maxQueued?: number}} [options]
     * @returns {AsyncIterable<ServerMessage> & {readonly dropped: number}}
     */
    events({ signal, types, maxQueued }?: {
        signal?: AbortSignal;
        types?: string[];
        maxQueued?: number;
    }): AsyncIterable<ServerMessage> & {
        readonly dropped: number;
    };
    /**
     * How often this client woke up for a deadline (diagnostics: an idle client does not).
     * @type {number}
     */
    get timerWakeups(): number;
    /** Closes the socket; jobs still followed end as `JOB_LOST`. */
    close(): void;
    #private;
}
/** Several servers as one: each job goes to a capable server with the shortest queue. */
export class ComfyPool {
    /**
     * Connects to every server (those that cannot be reached are left out; none → error).
     * @param {Array<string | ConnectOptions>} servers
     * @param {Partial<ConnectOptions>} [options]
     * @returns {Promise<ComfyPool>}
     */
    static connect(servers: Array<string | ConnectOptions>, options?: Partial<ConnectOptions>): Promise<ComfyPool>;
    /** @param {ComfyClient[]} clients */
    constructor(clients: ComfyClient[]);
    /** @type {ComfyClient[]} */
    clients: ComfyClient[];
    /**
     * The client to run this prompt on: one whose catalog has every class and model it needs,
     * with the fewest jobs (its queue plus this pool's jobs in flight there).
     * @param {WorkflowInput} input
     * @param {CallOptions} [options]
     * @returns {Promise<ComfyClient>}
     */
    pick(input: WorkflowInput, options?: CallOptions): Promise<ComfyClient>;
    /**
     * Runs a job on the chosen server, uploading its files there first: `uploads: [{data,
     * filename, param}]` sets each `param` (a selector such as `#10.image`) to the stored name.
     * @param {WorkflowInput} input
     * @param {SubmitOptions & {uploads?: Array<{data: Uint8Array | ArrayBuffer | Blob, filename: string, param: string}>}} [options]
     * @returns {Promise<JobResult & {server: string}>}
     */
    run(input: WorkflowInput, options?: SubmitOptions & {
        uploads?: Array<{
            data: Uint8Array | ArrayBuffer | Blob;
            filename: string;
            param: string;
        }>;
    }): Promise<JobResult & {
        server: string;
    }>;
    /** Closes every client. */
    close(): void;
    #private;
}
/** Which binding serves the API: `napi` (the Node addon) or `wasm`. @type {string} */
export let runtime: string;
/**
 * Why that binding: which addon loaded, or why the WebAssembly build serves instead
 * (`COMFYWIRE_DEBUG=1` prints it on stderr when the package loads). @type {string}
 */
export let runtimeReason: string;
export type ErrorCode = import("./codes.js").ErrorCode;
export type ParamSpec = import("../shapes.js").ParamSpec;
export type ApiNode = import("../shapes.js").ApiNode;
export type ConvertResult = import("../shapes.js").ConvertResult;
export type OverrideResult = import("../shapes.js").OverrideResult;
export type Validation = import("../shapes.js").Validation;
export type JobResult = import("../shapes.js").JobResult;
export type OutputFile = import("../shapes.js").OutputFile;
export type UploadedFile = import("../shapes.js").UploadedFile;
export type JobEvent = import("../shapes.js").JobEvent;
export type ServerMessage = import("../shapes.js").ServerMessage;
export type QueueState = import("../shapes.js").QueueState;
export type WorkflowInfo = import("../shapes.js").WorkflowInfo;
export type Embedded = import("../shapes.js").Embedded;
export type FoundNode = import("../shapes.js").FoundNode;
export type OtherMessage = import("../shapes.js").OtherMessage;
/**
 * The job event of one `type` (`JobEventOf<'progress'>` has `value`, `max`, `overall`).
 */
export type JobEventOf<T extends JobEvent["type"]> = Extract<JobEvent, {
    type: T;
}>;
/**
 * The server message of one `type`; a type comfywire does not interpret is an `OtherMessage`.
 */
export type ServerMessageOf<T extends string> = [Extract<ServerMessage, {
    type: T;
}>] extends [never] ? OtherMessage : Extract<ServerMessage, {
    type: T;
}>;
export type Catalog = import("../binding.cjs").Catalog;
/**
 * A workflow (UI format), an API prompt, as an object, JSON text, or the bytes of a file
 * ComfyUI wrote (PNG, WebP, FLAC, Ogg, MP3) or of a JSON file.
 */
export type WorkflowInput = object | string | Uint8Array;
/**
 * Conversion options (the core's, from node/shapes.d.ts) and `catalog`: the server's catalog
 * (`loadCatalog`, `client.objectInfo()`); default in Node: ComfyUI 0.3.64's (`embeddedCatalog()`).
 * In browsers and workers there is no default: pass the server's.
 */
export type ConvertOptions = import("../shapes.js").ConvertOptions & {
    catalog?: Catalog;
};
/**
 * Cancellation for any asynchronous call.
 */
export type CallOptions = {
    /**
     * Abort the call; a job is cancelled on the server (this client's only).
     */
    signal?: AbortSignal | undefined;
    /**
     * Give up after this long (`TIMEOUT`); a job is also cancelled on the server.
     */
    timeoutMs?: number | undefined;
};
export type ConnectOptions = import("../shapes.js").ConnectOptions & CallOptions;
export type SeedMode = import("../shapes.js").SeedMode;
export type OverrideOptions = import("../shapes.js").OverrideOptions;
/**
 * What `submit` and `run` do before and around queueing (the queue options are the core's).
 */
export type SubmitExtras = {
    /**
     * Overrides applied first (`{seed: 1n, positive: 'a fox', '#3.steps': 20}`); all or nothing.
     */
    params?: Record<string, any> | undefined;
    /**
     * Change `control_after_generate` widgets before submitting: `fixed` (default), `asSaved` (as the editor does on queue), `increment`, `decrement`, `randomize`.
     */
    seedMode?: import("../shapes.js").SeedMode | undefined;
    /**
     * Makes `randomize` reproducible (default 0).
     */
    rngSeed?: string | number | bigint | undefined;
    /**
     * Cancels the job on the server when aborted.
     */
    signal?: AbortSignal | undefined;
    /**
     * Every event of the job.
     */
    onEvent?: ((event: JobEvent) => void) | undefined;
    /**
     * `progress` events.
     */
    onProgress?: ((event: JobEventOf<"progress">) => void) | undefined;
    /**
     * `preview` events (`event.image` is a Uint8Array).
     */
    onPreview?: ((event: JobEventOf<"preview">) => void) | undefined;
    /**
     * Refuse (`PROMPT_REJECTED`, nothing submitted) a prompt the server would run only in part: some outputs failing validation, which ComfyUI drops while running the rest (checked against the server's catalog). Without it such a job succeeds with `result.droppedOutputs` and `result.nodeErrors`.
     */
    strict?: boolean | undefined;
    /**
     * `run` only: reject unless the job succeeded (default true).
     */
    throwOnFailure?: boolean | undefined;
};
export type SubmitOptions = import("../shapes.js").QueueOptions & SubmitExtras;
import { ERROR_CODES } from './codes.js';
