// The comfywire JavaScript API, written once for every runtime. `useBinding(binding)` sets
// the low-level binding it runs on: the Node addon (napi) or the WebAssembly module. Both bindings speak
// JSON text and have the same names (node/BINDING.md); all protocol and conversion logic is in
// the Rust core behind them. This file only shapes values, promises, events and cancellation.

import { decode, encode } from './json.js';
import { ERROR_CODES } from './codes.js';

export { ERROR_CODES };
/** @typedef {import('./codes.js').ErrorCode} ErrorCode */

// The shapes below are generated from the Rust structs the core serialises (node/shapes.d.ts).
/** @typedef {import('../shapes.js').ParamSpec} ParamSpec */
/** @typedef {import('../shapes.js').ApiNode} ApiNode */
/** @typedef {import('../shapes.js').ConvertResult} ConvertResult */
/** @typedef {import('../shapes.js').OverrideResult} OverrideResult */
/** @typedef {import('../shapes.js').Validation} Validation */
/** @typedef {import('../shapes.js').JobResult} JobResult */
/** @typedef {import('../shapes.js').OutputFile} OutputFile */
/** @typedef {import('../shapes.js').UploadedFile} UploadedFile */
/** @typedef {import('../shapes.js').JobEvent} JobEvent */
/** @typedef {import('../shapes.js').ServerMessage} ServerMessage */
/** @typedef {import('../shapes.js').QueueState} QueueState */
/** @typedef {import('../shapes.js').WorkflowInfo} WorkflowInfo */
/** @typedef {import('../shapes.js').Embedded} Embedded */
/** @typedef {import('../shapes.js').FoundNode} FoundNode */
/** @typedef {import('../shapes.js').OtherMessage} OtherMessage */
/**
 * The job event of one `type` (`JobEventOf<'progress'>` has `value`, `max`, `overall`).
 * @template {JobEvent['type']} T
 * @typedef {Extract<JobEvent, {type: T}>} JobEventOf
 */
/**
 * The server message of one `type`; a type comfywire does not interpret is an `OtherMessage`.
 * @template {string} T
 * @typedef {[Extract<ServerMessage, {type: T}>] extends [never] ? OtherMessage : Extract<ServerMessage, {type: T}>} ServerMessageOf
 */
/** @typedef {import('../binding.cjs').Catalog} Catalog */

/**
 * A workflow (UI format), an API prompt, as an object, JSON text, or the bytes of a file
 * ComfyUI wrote (PNG, WebP, FLAC, Ogg, MP3) or of a JSON file.
 * @typedef {object | string | Uint8Array} WorkflowInput
 */

/**
 * Conversion options (the core's, from node/shapes.d.ts) and `catalog`: the server's catalog
 * (`loadCatalog`, `client.objectInfo()`); default in Node: ComfyUI 0.3.64's (`embeddedCatalog()`).
 * In browsers and workers there is no default: pass the server's.
 * @typedef {import('../shapes.js').ConvertOptions & {catalog?: Catalog}} ConvertOptions
 */

/**
 * Cancellation for any asynchronous call.
 * @typedef {object} CallOptions
 * @property {AbortSignal} [signal] Abort the call; a job is cancelled on the server (this client's only).
 * @property {number} [timeoutMs] Give up after this long (`TIMEOUT`); a job is also cancelled on the server.
 */

/** @typedef {import('../shapes.js').ConnectOptions & CallOptions} ConnectOptions */
/** @typedef {import('../shapes.js').SeedMode} SeedMode */
/** @typedef {import('../shapes.js').OverrideOptions} OverrideOptions */

/**
 * What `submit` and `run` do before and around queueing (the queue options are the core's).
 * @typedef {object} SubmitExtras
 * @property {Record<string, any>} [params] Overrides applied first (`{seed: 1n, positive: 'a fox', '#3.steps': 20}`); all or nothing.
 * @property {SeedMode} [seedMode] Change `control_after_generate` widgets before submitting: `fixed` (default), `asSaved` (as the editor does on queue), `increment`, `decrement`, `randomize`.
 * @property {number | bigint | string} [rngSeed] Makes `randomize` reproducible (default 0).
 * @property {AbortSignal} [signal] Cancels the job on the server when aborted.
 * @property {(event: JobEvent) => void} [onEvent] Every event of the job.
 * @property {(event: JobEventOf<'progress'>) => void} [onProgress] `progress` events.
 * @property {(event: JobEventOf<'preview'>) => void} [onPreview] `preview` events (`event.image` is a Uint8Array).
 * @property {boolean} [strict] Refuse (`PROMPT_REJECTED`, nothing submitted) a prompt the server would run only in part: some outputs failing validation, which ComfyUI drops while running the rest (checked against the server's catalog). Without it such a job succeeds with `result.droppedOutputs` and `result.nodeErrors`.
 * @property {boolean} [throwOnFailure] `run` only: reject unless the job succeeded (default true).
 */

/** @typedef {import('../shapes.js').QueueOptions & SubmitExtras} SubmitOptions */

const KNOWN_CODES = new Set(ERROR_CODES);

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
  constructor(code, message, data = {}) {
    super(message);
    this.name = 'ComfyError';
    /** @type {ErrorCode} */
    this.code = code;
    // Declarations for TypeScript only: each is set (below) when the error's data has it.
    /** @type {number | undefined} HTTP status (`HTTP_STATUS`, `PROMPT_REJECTED`). */
    this.status;
    /** @type {any} The server's `error` object (`PROMPT_REJECTED`). */
    this.error;
    /** @type {Record<string, any> | undefined} The server's `node_errors` (`PROMPT_REJECTED`). */
    this.nodeErrors;
    /** @type {any[] | undefined} The refusals (`OVERRIDES_REFUSED`). */
    this.issues;
    /** @type {JobResult | undefined} The job's end, when a job ended without success. */
    this.result;
    /** @type {string | undefined} The job's prompt id, when a job is concerned. */
    this.promptId;
    for (const [k, v] of Object.entries(data)) if (k !== 'code' && k !== 'message') this[k] = v;
  }
}

/** Turns whatever a binding threw into a ComfyError. */
function toComfyError(err) {
  if (err instanceof ComfyError) return err;
  const message = typeof err?.message === 'string' ? err.message : String(err);
  if (message.startsWith('{"code"')) {
    try {
      const data = decode(message);
      return new ComfyError(data.code, data.message, data);
    } catch { /* not ours: fall through */ }
  }
  if (err && typeof err.code === 'string' && KNOWN_CODES.has(err.code)) {
    const data = { ...err };
    return new ComfyError(err.code, message, data);
  }
  return new ComfyError('INTERNAL', message, { cause: err });
}

function call(f) {
  try {
    return f();
  } catch (err) {
    throw toComfyError(err);
  }
}

async function callAsync(promise) {
  try {
    return await promise;
  } catch (err) {
    throw toComfyError(err);
  }
}

function abortError(signal) {
  const reason = signal?.reason;
  if (reason instanceof ComfyError) return reason;
  return new ComfyError('ABORTED', reason?.message ?? 'the operation was aborted', { reason });
}

/**
 * Races `promise` against `signal` and `timeoutMs`. `onGiveUp` runs when the caller gives up
 * (to cancel what can be cancelled); the promise itself is left to settle unobserved.
 */
function bounded(promise, { signal, timeoutMs } = {}, onGiveUp) {
  if (!signal && timeoutMs == null) return callAsync(promise);
  return new Promise((resolve, reject) => {
    let timer;
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (err) => {
      finish();
      onGiveUp?.(err);
      reject(err);
    };
    const onAbort = () => giveUp(abortError(signal));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs != null) {
      timer = setTimeout(() => giveUp(new ComfyError('TIMEOUT', `no answer within ${timeoutMs} ms`, { timeoutMs })), timeoutMs);
    }
    callAsync(promise).then((v) => { finish(); resolve(v); }, (e) => { finish(); reject(e); });
  });
}

function isBytes(x) {
  return x instanceof Uint8Array;
}

const utf8 = new TextDecoder();

/** Splits `{catalog, signal, timeoutMs, ...rest}` into the handle and the options' JSON text. */
function split(options = {}) {
  const { catalog, signal, timeoutMs, ...rest } = options ?? {};
  return { handle: (catalog ?? defaultCatalog?.())?.handle, optionsText: encode(rest), signal, timeoutMs };
}

// The binding this module instance serves (one per process: the entry that imports it sets it).
let binding;
/** @type {() => void} */
let ready = () => {
  throw new ComfyError('NOT_INITIALIZED', 'comfywire: no binding loaded');
};

function isUiWorkflow(input) {
  return input !== null && typeof input === 'object' && !isBytes(input) && Array.isArray(input.nodes);
}

async function toBytes(data) {
  if (isBytes(data)) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new ComfyError('INVALID_ARGUMENT', 'expected file data as Uint8Array, ArrayBuffer or Blob', { path: 'data' });
}

function item(raw) {
  const event = decode(raw.json);
  if (raw.bytes) event.image = raw.bytes;
  return event;
}


/** A submitted job: events as they happen (callbacks or `for await`), and its result. */
export class Job {
  /** @param {any} native @param {ComfyClient} client */
  constructor(native, client) {
    this.#native = native;
    /** The server's prompt id. @type {string} */
    this.promptId = native.promptId;
    /** The client that submitted it. */
    this.client = client;
    this.#done = new Promise((resolve) => { this.#resolve = resolve; });
    this.#pump();
  }

  #native;
  /** Every event so far, for listeners and iterators that come late; of previews only the
   * latest is kept (their images are the one part that can grow without bound). */
  #events = [];
  /** Positions of the running async iterators in #events. @type {Set<{k: number}>} */
  #cursors = new Set();
  #listeners = new Map();
  #waiters = [];
  #done;
  #resolve;
  #finished = false;

  async #pump() {
    for (;;) {
      let event;
      try {
        const raw = await this.#native.next();
        if (raw == null) break; // null (napi) or undefined (wasm): the stream ended
        event = item(raw);
      } catch (err) {
        const e = toComfyError(err);
        event = this.#lost({ message: e.message, code: e.code });
      }
      this.#emit(event);
      if (event.type === 'finished') {
        this.#finished = true;
        this.#resolve(event.result);
        break;
      }
    }
    if (!this.#finished) {
      // The stream ended without a result (the binding failed): end the job as lost.
      const event = this.#lost();
      this.#finished = true;
      this.#emit(event);
      this.#resolve(event.result);
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  /** A `finished` event for a job whose end cannot be known. */
  #lost(error) {
    const result = { promptId: this.promptId, status: 'JOB_LOST', ok: false, outputs: {}, files: [], ...(error && { error }) };
    return { type: 'finished', promptId: this.promptId, result };
  }

  #emit(event) {
    if (event.type === 'preview') {
      const older = this.#events.findLastIndex((e) => e.type === 'preview');
      if (older >= 0) {
        this.#events.splice(older, 1);
        for (const c of this.#cursors) if (c.k > older) c.k -= 1;
      }
    }
    this.#events.push(event);
    for (const type of [event.type, '*']) {
      for (const cb of this.#listeners.get(type) ?? []) {
        try { cb(event); } catch (err) { queueMicrotask(() => { throw err; }); }
      }
    }
    for (const w of this.#waiters.splice(0)) w();
  }

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
  on(type, callback) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(callback);
    for (const event of this.#events.slice()) {
      if (type !== '*' && event.type !== type) continue;
      try { callback(event); } catch (err) { queueMicrotask(() => { throw err; }); }
    }
    return this;
  }

  /**
   * @template {JobEvent['type'] | '*'} T
   * @param {T} type
   * @param {(event: T extends JobEvent['type'] ? JobEventOf<T> : JobEvent) => void} callback
   * @returns {this}
   */
  off(type, callback) {
    this.#listeners.get(type)?.delete(callback);
    return this;
  }

  /**
   * The result, whatever the outcome (`status` says which); never rejects.
   * @returns {Promise<JobResult>}
   */
  wait() {
    return this.#done;
  }

  /**
   * Cancels this job and no other: removed from the queue if it waits, interrupted if it runs.
   * @returns {Promise<void>}
   */
  cancel() {
    return callAsync(this.#native.cancel());
  }

  /**
   * Every event from the job's start (of previews, the latest), then those to come, ending with `finished`.
   * @returns {AsyncIterator<JobEvent>}
   */
  async *[Symbol.asyncIterator]() {
    const cursor = { k: 0 };
    this.#cursors.add(cursor);
    try {
      for (;;) {
        while (cursor.k < this.#events.length) {
          const event = this.#events[cursor.k++];
          yield event;
          if (event.type === 'finished') return;
        }
        if (this.#finished && cursor.k >= this.#events.length) return;
        await new Promise((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      this.#cursors.delete(cursor);
    }
  }
}

/** One ComfyUI server: one WebSocket opened before any job, every job followed to its end. */
export class ComfyClient {
  /**
   * Connects (resolves once the WebSocket is open).
   * @param {string | ConnectOptions} server
   * @param {Partial<ConnectOptions>} [options]
   * @returns {Promise<ComfyClient>}
   */
  static async connect(server, options = {}) {
    ready();
    const all = typeof server === 'string' ? { ...options, server } : { ...server, ...options };
    const { signal, timeoutMs, ...config } = all;
    const pending = callAsync(binding.connect(encode(config)));
    const native = await bounded(pending, { signal, timeoutMs }, () => {
      pending.then((n) => n.close(), () => {});
    });
    return new ComfyClient(native, config.server);
  }

  /** @param {any} native @param {string} server */
  constructor(native, server) {
    this.#native = native;
    /** The server's base URL. @type {string} */
    this.server = server;
  }

  #native;
  #catalog = null;
  #messageListeners = new Map();
  #pumping = false;
  #closed = false;

  /** This client's id (the WebSocket's `clientId`). @type {string} */
  get clientId() {
    return this.#native.clientId;
  }

  /**
   * The server's catalog, read once and kept (`refresh: true` reads it again).
   * @param {CallOptions & {refresh?: boolean}} [options]
   * @returns {Promise<Catalog>}
   */
  async objectInfo(options = {}) {
    if (!this.#catalog || options.refresh) {
      this.#catalog = await bounded(this.#native.objectInfo(), options);
    }
    return this.#catalog;
  }

  /**
   * The `/object_info` answer as a plain object (integers beyond 2^53 as BigInt).
   * @param {CallOptions} [options]
   * @returns {Promise<Record<string, any>>}
   */
  async objectInfoRaw(options) {
    return decode(await bounded(this.#native.call('objectInfoText', null, null), options));
  }

  /**
   * The API prompt to submit, as JSON text: a UI workflow is converted with the server's
   * catalog, `params` are applied (all or nothing: `OVERRIDES_REFUSED`), `seedMode` too.
   */
  async #promptText(input, options) {
    const { params, seedMode, rngSeed } = options;
    if (!params && !seedMode && !isUiWorkflow(input) && !isBytes(input) && typeof input === 'object' && input !== null) {
      return call(() => encode(input));
    }
    const catalog = await this.objectInfo(options);
    const text = textOf(input);
    if (params || seedMode) {
      const result = call(() => decode(binding.applyOverrides(text, encode(params ?? {}), catalog.handle, encode({ seedMode, rngSeed }))));
      if (!result.ok) {
        throw new ComfyError('OVERRIDES_REFUSED', `overrides refused: ${result.issues[0]?.message ?? 'invalid'}`, { issues: result.issues });
      }
      return encode(result.prompt);
    }
    const parsed = parseWorkflow(text);
    return parsed.format === 'api' ? text : call(() => binding.convertJson(text, catalog.handle, undefined));
  }

  /**
   * Queues a workflow or prompt and returns the Job (following it from before it is
   * queued, so a job that ends at once is not missed). A refused prompt rejects with
   * `PROMPT_REJECTED` (`err.nodeErrors` as the server sent them).
   * @param {WorkflowInput} input
   * @param {SubmitOptions} [options]
   * @returns {Promise<Job>}
   */
  async queuePrompt(input, options = {}) {
    const { signal, timeoutMs, promptId, front, number, extraData, partialExecutionTargets, strict } = options;
    if (signal?.aborted) throw abortError(signal);
    const text = await this.#promptText(input, options);
    if (strict) {
      const catalog = await this.objectInfo(options);
      call(() => binding.refusePartial(text, catalog.handle));
    }
    const submitOptions = encode({ promptId, front, number, extraData, partialExecutionTargets, timeoutMs });
    const native = await callAsync(this.#native.submit(text, submitOptions));
    const job = new Job(native, this);
    if (options.onEvent) job.on('*', options.onEvent);
    if (options.onProgress) job.on('progress', options.onProgress);
    if (options.onPreview) job.on('preview', options.onPreview);
    if (signal) {
      const onAbort = () => job.cancel().catch(() => {});
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        job.wait().then(() => signal.removeEventListener('abort', onAbort));
      }
    }
    return job;
  }

  /**
   * Queues, follows to the end and returns what the job produced. Rejects with the outcome's
   * code (`EXECUTION_ERROR`, `INTERRUPTED`, `CANCELLED`, `TIMEOUT`, `JOB_LOST`,
   * `PROMPT_REJECTED`, `ABORTED`) and `err.result`, unless `throwOnFailure: false`.
   * @param {WorkflowInput} input
   * @param {SubmitOptions} [options]
   * @returns {Promise<JobResult>}
   */
  async run(input, options = {}) {
    const job = await this.queuePrompt(input, options);
    const result = await job.wait();
    if (result.ok || options.throwOnFailure === false) return result;
    if (options.signal?.aborted) throw Object.assign(abortError(options.signal), { result });
    const message = result.error?.exception_message ?? result.error?.message ?? `job ended with ${result.status}`;
    // A job that did not succeed ends with an outcome code, which is an error code too.
    const code = /** @type {ErrorCode} */ (result.status);
    throw new ComfyError(code, String(message).trim(), { result, promptId: result.promptId });
  }

  /**
   * Cancels one of this client's jobs and nothing else.
   * @param {string} promptId
   * @param {CallOptions} [options]
   * @returns {Promise<void>}
   */
  cancel(promptId, options) {
    return bounded(this.#native.cancel(promptId), options);
  }

  /**
   * `POST /interrupt` for this prompt id, or whatever runs when none is given (prefer `cancel`).
   * @param {string} [promptId]
   * @param {CallOptions} [options]
   * @returns {Promise<void>}
   */
  interrupt(promptId, options) {
    return bounded(this.#native.call('interrupt', encode({ promptId: promptId ?? null }), null), options).then(() => {});
  }

  /**
   * History: one prompt's entry, or the last `maxItems` (as the server stores them).
   * @param {string} [promptId]
   * @param {CallOptions & import('../shapes.js').HistoryOptions} [options]
   * @returns {Promise<Record<string, any>>}
   */
  async getHistory(promptId, options = {}) {
    const { signal, timeoutMs, ...rest } = options;
    return decode(await bounded(this.#native.call('history', encode({ ...rest, promptId: promptId ?? null }), null), { signal, timeoutMs }));
  }

  /**
   * The queue in execution order.
   * @param {CallOptions} [options]
   * @returns {Promise<QueueState>}
   */
  async getQueue(options) {
    return decode(await bounded(this.#native.call('queue', null, null), options));
  }

  /**
   * Uploads an input image (or a mask); the server may rename it — use `inputName`.
   * @param {Uint8Array | ArrayBuffer | Blob} data
   * @param {string} filename
   * @param {CallOptions & import('../shapes.js').UploadOptions} [options]
   * @returns {Promise<UploadedFile>}
   */
  async upload(data, filename, options = {}) {
    const { signal, timeoutMs, ...rest } = options;
    const bytes = await toBytes(data);
    return decode(await bounded(this.#native.call('upload', encode({ ...rest, filename: String(filename) }), bytes), { signal, timeoutMs }));
  }

  /**
   * Downloads a file (an output of a result's `files`, or `{filename, subfolder, type}`).
   * @param {{filename: string, subfolder?: string, type?: string}} file
   * @param {CallOptions} [options]
   * @returns {Promise<Uint8Array>}
   */
  async view(file, options) {
    const { filename, subfolder = '', type = 'output' } = file ?? {};
    return bounded(this.#native.call('view', encode({ filename, subfolder, type }), null), options);
  }

  /** @param {CallOptions} [options] @returns {Promise<Record<string, any>>} */
  async systemStats(options) {
    return decode(await bounded(this.#native.call('systemStats', null, null), options));
  }

  /**
   * Unloads models and/or frees memory on the server.
   * @param {CallOptions & import('../shapes.js').FreeOptions} [options]
   * @returns {Promise<void>}
   */
  free(options = {}) {
    const { signal, timeoutMs, ...rest } = options;
    return bounded(this.#native.call('free', encode(rest), null), { signal, timeoutMs }).then(() => {});
  }

  /** @param {string[]} promptIds @param {CallOptions} [options] @returns {Promise<void>} */
  deleteHistory(promptIds, options) {
    return bounded(this.#native.call('deleteHistory', encode({ ids: promptIds }), null), options).then(() => {});
  }

  /** @param {CallOptions} [options] @returns {Promise<void>} */
  clearHistory(options) {
    return bounded(this.#native.call('clearHistory', null, null), options).then(() => {});
  }

  /** Removes waiting prompts (any client's: prefer `cancel` for your own). @param {string[]} promptIds @param {CallOptions} [options] @returns {Promise<void>} */
  deleteQueued(promptIds, options) {
    return bounded(this.#native.call('deleteQueued', encode({ ids: promptIds }), null), options).then(() => {});
  }

  /** @param {CallOptions} [options] @returns {Promise<void>} */
  clearQueue(options) {
    return bounded(this.#native.call('clearQueue', null, null), options).then(() => {});
  }

  async #pumpMessages() {
    if (this.#pumping) return;
    this.#pumping = true;
    // Synchronous: messages count from the moment on()/events() return.
    this.#native.watchMessages();
    await null;
    for (;;) {
      let raw;
      try {
        raw = await this.#native.nextMessage();
      } catch {
        raw = null;
      }
      if (raw == null) break; // null (napi) or undefined (wasm): the stream ended
      const message = item(raw);
      for (const type of [message.type, '*']) {
        for (const cb of this.#messageListeners.get(type) ?? []) {
          try { cb(message); } catch (err) { queueMicrotask(() => { throw err; }); }
        }
      }
    }
    for (const cb of this.#messageListeners.get('close') ?? []) cb({ type: 'close' });
  }

  /**
   * Calls `callback` for each server message of this type (`status`, `progress`,
   * `executing`, `executed`, `preview`, `execution_error`…, `*` for all, `close` when the
   * socket closes for good) from now on.
   * @template {string} T
   * @param {T} type
   * @param {(message: T extends '*' ? ServerMessage : T extends 'close' ? {type: 'close'} : ServerMessageOf<T>) => void} callback
   * @returns {() => void} Unsubscribes.
   */
  on(type, callback) {
    if (!this.#messageListeners.has(type)) this.#messageListeners.set(type, new Set());
    this.#messageListeners.get(type).add(callback);
    this.#pumpMessages();
    return () => this.#messageListeners.get(type)?.delete(callback);
  }

  /**
   * Server messages from now on, as an async iterator; ends when the client closes or
   * `signal` aborts. A reader slower than the server holds at most `maxQueued` messages
   * (default 1024): past that the oldest preview goes first, then the oldest message, and the
   * iterator's `dropped` counts them.
   * @param {{signal?: AbortSignal, types?: string[], maxQueued?: number}} [options]
   * @returns {AsyncIterable<ServerMessage> & {readonly dropped: number}}
   */
  events({ signal, types, maxQueued = 1024 } = {}) {
    const queue = [];
    let wake = null;
    let ended = false;
    let dropped = 0;
    const limit = Math.max(1, Math.floor(maxQueued));
    const push = (m) => {
      if (m.type === 'close') ended = true;
      else if (!types || types.includes(m.type)) {
        if (queue.length >= limit) {
          const preview = queue.findIndex((q) => q.type === 'preview');
          queue.splice(preview >= 0 ? preview : 0, 1);
          dropped++;
        }
        queue.push(m);
      }
      wake?.();
    };
    const offAll = this.on('*', push);
    const offClose = this.on('close', push);
    const stop = () => { ended = true; offAll(); offClose(); wake?.(); };
    signal?.addEventListener('abort', stop, { once: true });
    return {
      [Symbol.asyncIterator]() { return this; },
      get dropped() { return dropped; },
      async next() {
        for (;;) {
          if (queue.length) return { value: queue.shift(), done: false };
          if (ended || signal?.aborted) { stop(); return { value: undefined, done: true }; }
          await new Promise((resolve) => { wake = resolve; });
          wake = null;
        }
      },
      async return() { stop(); return { value: undefined, done: true }; },
    };
  }

  /**
   * How often this client woke up for a deadline (diagnostics: an idle client does not).
   * @type {number}
   */
  get timerWakeups() {
    return this.#native.timerWakeups();
  }

  /** Closes the socket; jobs still followed end as `JOB_LOST`. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }
}

/** Several servers as one: each job goes to a capable server with the shortest queue. */
export class ComfyPool {
  /**
   * Connects to every server (those that cannot be reached are left out; none → error).
   * @param {Array<string | ConnectOptions>} servers
   * @param {Partial<ConnectOptions>} [options]
   * @returns {Promise<ComfyPool>}
   */
  static async connect(servers, options = {}) {
    const settled = await Promise.allSettled(servers.map((s) => ComfyClient.connect(s, options)));
    const clients = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    if (clients.length === 0) {
      const standings = settled.map((s, k) => ({ name: String(servers[k]?.server ?? servers[k]), unreachable: s.reason?.message ?? 'unreachable' }));
      call(() => binding.pickServer(encode(standings))); // throws NO_SERVER with every reason
    }
    return new ComfyPool(clients);
  }

  /** @param {ComfyClient[]} clients */
  constructor(clients) {
    /** @type {ComfyClient[]} */
    this.clients = clients;
    this.#inFlight = new Map(clients.map((c) => [c, 0]));
  }

  #inFlight;

  /**
   * The client to run this prompt on: one whose catalog has every class and model it needs,
   * with the fewest jobs (its queue plus this pool's jobs in flight there).
   * @param {WorkflowInput} input
   * @param {CallOptions} [options]
   * @returns {Promise<ComfyClient>}
   */
  async pick(input, options = {}) {
    const standings = await Promise.all(this.clients.map(async (client) => {
      const name = client.server;
      try {
        const catalog = await client.objectInfo(options);
        const text = isUiWorkflow(input) || isBytes(input) || typeof input === 'string'
          ? call(() => binding.convertJson(textOf(input), catalog.handle, undefined))
          : call(() => encode(input));
        const why = call(() => binding.incapable(text, catalog.handle));
        if (why) return { name, incapable: why };
        const queue = await client.getQueue(options);
        return { name, load: queue.running.length + queue.pending.length };
      } catch (err) {
        return { name, unreachable: err.message };
      }
    }));
    // The core's rule (the Rust pool's too); decided synchronously with this pool's jobs in
    // flight, so concurrent picks spread. In-flight counts are read again after the awaits.
    standings.forEach((s, k) => { s.inFlight = this.#inFlight.get(this.clients[k]); });
    return this.clients[call(() => binding.pickServer(encode(standings)))];
  }

  /**
   * Runs a job on the chosen server, uploading its files there first: `uploads: [{data,
   * filename, param}]` sets each `param` (a selector such as `#10.image`) to the stored name.
   * @param {WorkflowInput} input
   * @param {SubmitOptions & {uploads?: Array<{data: Uint8Array | ArrayBuffer | Blob, filename: string, param: string}>}} [options]
   * @returns {Promise<JobResult & {server: string}>}
   */
  async run(input, options = {}) {
    const client = await this.pick(input, options);
    this.#inFlight.set(client, this.#inFlight.get(client) + 1); // before any await: see pick
    try {
      const params = { ...(options.params ?? {}) };
      for (const upload of options.uploads ?? []) {
        const stored = await client.upload(upload.data, upload.filename, { signal: options.signal });
        params[upload.param] = stored.inputName;
      }
      const hasParams = Object.keys(params).length > 0;
      const result = await client.run(input, { ...options, params: hasParams ? params : undefined });
      return { ...result, server: client.server };
    } finally {
      this.#inFlight.set(client, this.#inFlight.get(client) - 1);
    }
  }

  /** Closes every client. */
  close() {
    for (const c of this.clients) c.close();
  }
}


/**
 * Sets the binding this module serves (the entry point does it once, before anything runs).
 * @param {any} theBinding The low-level binding (napi addon or wasm module).
 * @param {{runtime: string, reason?: string, ready?: () => void}} info
 * @internal
 */
export function useBinding(theBinding, info) {
  binding = theBinding;
  ready = info.ready ?? (() => {});
  runtime = info.runtime;
  runtimeReason = info.reason ?? info.runtime;
  defaultCatalog = info.defaultCatalog;
}

/**
 * ComfyUI 0.3.64's catalog where the binding does not embed it (Node's wasm fallback reads the
 * package's copy on first use); undefined where the binding embeds it or where none is at hand.
 * @type {(() => Catalog) | undefined}
 */
let defaultCatalog;

/** Which binding serves the API: `napi` (the Node addon) or `wasm`. @type {string} */
export let runtime = 'none';

/**
 * Why that binding: which addon loaded, or why the WebAssembly build serves instead
 * (`COMFYWIRE_DEBUG=1` prints it on stderr when the package loads). @type {string}
 */
export let runtimeReason = 'none';

/** The workflow as JSON text; bytes of a media file give their embedded workflow (or prompt). */
function textOf(input) {
  ready();
  if (typeof input === 'string') return input;
  if (isBytes(input)) {
    let k = 0;
    while (k < input.length && (input[k] === 0x20 || input[k] === 0x0a || input[k] === 0x0d || input[k] === 0x09 || input[k] === 0xef || input[k] === 0xbb || input[k] === 0xbf)) k++;
    if (input[k] === 0x7b) return utf8.decode(input);
    const found = call(() => decode(binding.extract(input)));
    return encode(found.workflow ?? found.prompt);
  }
  if (input === null || typeof input !== 'object') {
    throw new ComfyError('INVALID_ARGUMENT', 'expected a workflow or prompt: an object, JSON text or file bytes', { path: 'input' });
  }
  return call(() => encode(input));
};

/** @returns {string} */
export function version() {
  ready();
  return binding.version();
}

/**
 * Parses the text (or object) of a `GET /object_info` answer, keeping integers exact.
 * @param {string | object} objectInfo
 * @returns {Catalog}
 */
export function loadCatalog(objectInfo) {
  ready();
  const text = typeof objectInfo === 'string' ? objectInfo : encode(objectInfo);
  return call(() => binding.Catalog.fromJson(text));
}

/**
 * ComfyUI 0.3.64's catalog, what conversion uses in Node when no catalog is given: the addon
 * embeds it, the wasm fallback reads the package's copy (`comfywire/catalog-0.3.64.json`) once.
 * Browsers have none (`INVALID_ARGUMENT`): pass the server's (`client.objectInfo()`).
 * @returns {Catalog}
 */
export function embeddedCatalog() {
  ready();
  return defaultCatalog ? defaultCatalog() : call(() => binding.Catalog.embedded());
}

/**
 * What a document is: `{format: 'ui' | 'api', version, nodes, links, subgraphs…}`.
 * @param {WorkflowInput} input
 * @returns {WorkflowInfo}
 */
export function parseWorkflow(input) {
  const text = textOf(input);
  return call(() => decode(binding.describe(text)));
}

/**
 * Converts a UI workflow to the API prompt exactly as the editor's "Save (API)" does.
 * Problems that leave a usable prompt are `warnings`, not errors.
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {ConvertResult}
 */
export function convert(input, options) {
  const text = textOf(input);
  const { handle, optionsText } = split(options);
  return call(() => decode(binding.convert(text, handle, optionsText)));
}

/**
 * JSON text in, the prompt's JSON text out (exact, no JavaScript numbers involved).
 * @param {string} text
 * @param {ConvertOptions} [options]
 * @returns {string}
 */
export function convertJson(text, options) {
  ready();
  const { handle, optionsText } = split(options);
  return call(() => binding.convertJson(text, handle, optionsText));
}

/**
 * Every parameter of the prompt with its spec (type, current value, default/min/max/step/
 * round/choices) and its role (`positive`, `seed`, `steps`, `checkpoint`…).
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {ParamSpec[]}
 */
export function listParams(input, options) {
  const text = textOf(input);
  const { handle, optionsText } = split(options);
  return call(() => decode(binding.listParams(text, handle, optionsText)));
}

/**
 * Nodes (and inputs) a selector names: `positive`, `#12:5.text`, `title:Upscale`, `KSampler[1].seed`, `KSampler[*]`.
 * @param {WorkflowInput} input
 * @param {string} selector
 * @param {ConvertOptions} [options]
 * @returns {FoundNode[]}
 */
export function findNodes(input, selector, options) {
  const text = textOf(input);
  const { handle, optionsText } = split(options);
  return call(() => decode(binding.findNodes(text, String(selector), handle, optionsText)));
}

/**
 * Applies overrides all-or-nothing; refusals (out of range, not a choice, unknown selector)
 * are returned in `issues` with `ok: false`, never thrown.
 * @param {WorkflowInput} input
 * @param {Record<string, any>} overrides `{seed: 42n, positive: 'a fox', '#3.steps': 20}`, or a sparse API body `{3: {inputs: {seed: 1}}}`.
 * @param {ConvertOptions & OverrideOptions} [options]
 * @returns {OverrideResult}
 */
export function applyOverrides(input, overrides, options) {
  const text = textOf(input);
  const { handle, optionsText } = split(options);
  const overridesText = call(() => encode(overrides ?? {}));
  return call(() => decode(binding.applyOverrides(text, overridesText, handle, optionsText)));
}

/**
 * `applyOverrides` that returns the prompt, or throws `OVERRIDES_REFUSED` with the `issues`.
 * @param {WorkflowInput} input
 * @param {Record<string, any>} overrides
 * @param {ConvertOptions} [options]
 * @returns {Record<string, any>}
 */
export function set(input, overrides, options) {
  const result = applyOverrides(input, overrides, options);
  if (!result.ok) {
    const first = result.issues[0];
    throw new ComfyError('OVERRIDES_REFUSED', `overrides refused: ${first?.message ?? 'invalid'}`, { issues: result.issues });
  }
  return result.prompt;
}

/**
 * What the server would answer to this prompt: `{accepted, status, body}` with the very
 * `node_errors` ComfyUI would send. A UI workflow is converted first.
 * @param {WorkflowInput} input
 * @param {ConvertOptions} [options]
 * @returns {Validation}
 */
export function validate(input, options) {
  const text = textOf(input);
  const { handle, optionsText } = split(options);
  return call(() => decode(binding.validate(text, handle, optionsText)));
}

/**
 * The `prompt` and `workflow` ComfyUI embedded in a file it wrote (`null` where absent).
 * @param {Uint8Array} bytes
 * @returns {Embedded}
 */
export function extractFromImage(bytes) {
  ready();
  if (!isBytes(bytes)) throw new ComfyError('INVALID_ARGUMENT', 'expected the file as a Uint8Array', { path: 'bytes' });
  return call(() => decode(binding.extract(bytes)));
}

/**
 * Parses JSON text, integers beyond 2^53 as BigInt (`JSON_SYNTAX` on bad text).
 * @param {string} text
 * @returns {any}
 */
export function parseJsonExact(text) {
  return call(() => decode(text));
}

/**
 * Writes a value as JSON text, BigInt digit for digit (`INVALID_ARGUMENT` for a cycle or a
 * value nested deeper than 512 levels).
 * @param {any} value
 * @returns {string}
 */
export function stringifyJsonExact(value) {
  return call(() => encode(value));
}
