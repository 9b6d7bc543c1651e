// comfywire through its JavaScript API (node/lib/node.js), on the napi addon or the wasm build.
//
//   const adapter = await create({ target: 'napi' | 'wasm' });
//
// The binding is chosen when node/lib/node.js is first imported (COMFYWIRE_BINDING), so one
// process serves one target: the benchmarks run each library in its own child process.
// Throws an Error with `.unavailable = true` when the module or the binding cannot load.

import { copyFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hasDebugInfo } from '../lib/elf.mjs';
import { ROOT } from '../lib/emulator.mjs';
import { failure, unavailable } from './shared.mjs';

// $COMFYWIRE_NODE_DIR: a copy of node/ to load instead (bench/prepare.sh makes one in
// bench/.build/node with the release addon and a fresh wasm build, so a concurrent debug
// `scripts/build-js.sh` cannot change what is measured mid-run).
const NODE_DIR = resolve(process.env.COMFYWIRE_NODE_DIR ?? join(ROOT, 'node'));
const ENTRY = join(NODE_DIR, 'lib', 'node.js');
const DEFAULT_ADDON = join(NODE_DIR, 'comfywire.linux-x64-gnu.node');

/** The comfywire native library this process really mapped (from /proc/self/maps), or undefined. */
function mappedAddon() {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const hit = maps.split('\n').map((l) => l.slice(l.indexOf('/'))).find((p) => /comfywire[^/]*\.node$/.test(p));
    return hit || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The napi addon to load: $COMFYWIRE_NAPI_ADDON (e.g. target/release/libcomfywire_node.so from
 * `cargo build --release -p comfywire-node`), else the one node/binding.cjs finds in node/.
 * Node loads native code only from a `.node` file, so a `.so` is copied to one first.
 */
let chosenAddon;
function chooseAddon() {
  chosenAddon ??= findAddon();
  return chosenAddon;
}

function findAddon() {
  const wanted = process.env.COMFYWIRE_NAPI_ADDON;
  if (!wanted) return existsSync(DEFAULT_ADDON) ? DEFAULT_ADDON : undefined;
  const file = resolve(wanted);
  if (!existsSync(file)) throw unavailable(`COMFYWIRE_NAPI_ADDON=${wanted} does not exist`);
  let loadable = file;
  if (!file.endsWith('.node')) {
    // Never rewrite a copy that may already be loaded (rewriting a mapped library crashes).
    loadable = join(tmpdir(), `comfywire-bench-${statSync(file).mtimeMs.toFixed(0)}-${process.pid}.node`);
    if (!existsSync(loadable)) copyFileSync(file, loadable);
    process.once('exit', () => rmSync(loadable, { force: true }));
  }
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = loadable;
  return file;
}

const KINDS = {
  EXECUTION_ERROR: 'execution_error',
  PROMPT_REJECTED: 'rejected',
  JOB_LOST: 'job_lost',
  CANCELLED: 'cancelled',
  INTERRUPTED: 'interrupted',
  TIMEOUT: 'timeout',
  HTTP_STATUS: 'http_status',
  NETWORK: 'network',
  ABORTED: 'cancelled',
};

/** The status code an HTTP_STATUS error carries (a field, or the number in its message). */
function statusOf(err) {
  const s = err?.status ?? err?.statusCode;
  if (typeof s === 'number') return s;
  const m = /\b([1-5]\d\d)\b/.exec(String(err?.message ?? ''));
  return m ? Number(m[1]) : undefined;
}

function fromError(err) {
  if (err?.result) return fromResult(err.result, err);
  return failure(KINDS[err?.code] ?? 'other', err, { status: err?.code === 'HTTP_STATUS' ? statusOf(err) : undefined });
}

function fromResult(result, err) {
  const files = (result.files ?? []).map((f) => ({ filename: f.filename, subfolder: f.subfolder, type: f.type }));
  if (result.ok) return { ok: true, files, promptId: result.promptId, status: result.status };
  const message = result.error?.exception_message ?? result.error?.message ?? err?.message ?? result.status;
  return {
    ...failure(KINDS[result.status] ?? 'other', { name: result.status, message: String(message).trim() }),
    files,
    promptId: result.promptId,
    status: result.status,
    resultError: result.error,
  };
}

/** @param {{target?: 'napi' | 'wasm'}} [options] */
export async function create({ target = 'napi' } = {}) {
  if (!existsSync(ENTRY)) throw unavailable(`${ENTRY} does not exist yet`);
  if (process.env.COMFYWIRE_BINDING && process.env.COMFYWIRE_BINDING !== target) {
    throw unavailable(`this process already uses COMFYWIRE_BINDING=${process.env.COMFYWIRE_BINDING}`);
  }
  process.env.COMFYWIRE_BINDING = target;
  let binary;
  let build;
  if (target === 'napi') {
    binary = chooseAddon();
    const debug = binary ? hasDebugInfo(binary) : undefined;
    build = debug === undefined ? 'unknown' : debug ? 'debug' : 'release';
  } else {
    // One .wasm serves browsers and Node (node/lib/node.js compiles wasm/web's with initSync);
    // older layouts had a separate wasm/nodejs build.
    binary = [join(NODE_DIR, 'wasm', 'web', 'comfywire_wasm_bg.wasm'), join(NODE_DIR, 'wasm', 'nodejs', 'comfywire_wasm_bg.wasm')].find((f) => existsSync(f));
  }
  if (target === 'wasm') {
    // The wasm transport uses the global WebSocket: Node 22+, or Node 20 with --experimental-websocket.
    if (typeof globalThis.WebSocket !== 'function') {
      throw unavailable('the wasm build needs a global WebSocket (run node with --experimental-websocket on Node 20)');
    }
    // (The package supplies the CloseEvent class Node 20 lacks.)
  }
  let api;
  try {
    api = await import(pathToFileURL(ENTRY).href);
  } catch (err) {
    throw unavailable(`cannot load ${ENTRY}: ${err.message}`);
  }
  if (api.runtime && api.runtime !== target) throw unavailable(`asked for ${target}, got ${api.runtime}`);
  let loaded;
  if (target === 'napi') {
    // Check that the addon measured is the one asked for (binding.cjs honours
    // NAPI_RS_NATIVE_LIBRARY_PATH, and fails rather than falling back when it cannot load it).
    api.version();
    loaded = mappedAddon();
    const expected = process.env.NAPI_RS_NATIVE_LIBRARY_PATH ?? binary;
    if (loaded && expected && resolve(loaded) !== resolve(expected)) {
      throw unavailable(`asked for the addon ${expected}, but ${loaded} is loaded`);
    }
  }
  if (typeof api.ComfyClient?.connect !== 'function') throw unavailable('node/lib/node.js has no ComfyClient yet');

  let client = null;
  const version = typeof api.version === 'function' ? safe(() => api.version()) : undefined;

  return {
    name: `comfywire (${target})`,
    version,
    /** napi: `debug` or `release` (from the addon's debug info); the numbers of a debug build mean little. */
    build,
    binary: binary ? binary.replace(`${ROOT}/`, '') : binary,
    /** The file the process mapped (napi; a copy when COMFYWIRE_NAPI_ADDON is a .so). */
    loaded,
    /** BigInt in, BigInt out: integers beyond 2^53 keep every digit. */
    exactIntegers: true,
    api,

    async connect(url) {
      client = await api.ComfyClient.connect(url);
    },

    /** The library's normal "run a prompt and get its results" path. */
    async runJob(prompt, { timeoutMs } = {}) {
      try {
        return fromResult(await client.run(prompt, { timeoutMs }));
      } catch (err) {
        return fromError(err);
      }
    },

    /** Queue and follow one job; `cancel()` cancels this job only. */
    async submit(prompt, { timeoutMs } = {}) {
      let job;
      try {
        job = await client.queuePrompt(prompt, { timeoutMs });
      } catch (err) {
        const outcome = fromError(err);
        return { promptId: undefined, done: Promise.resolve(outcome), cancel: async () => {} };
      }
      // Job.wait() never rejects: the result's status says how the job ended.
      return {
        promptId: job.promptId,
        done: job.wait().then(fromResult, fromError),
        cancel: () => job.cancel(),
      };
    },

    close() {
      client?.close();
      client = null;
    },
  };
}

function safe(f) {
  try { return f(); } catch { return undefined; }
}
