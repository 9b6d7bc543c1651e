// The test harness, Node side: what the behaviour suite needs besides the API itself (fixtures,
// emulators), so that one suite file runs unchanged against every target.
//
//   TARGET=napi       node --test tests/js/behaviour.test.mjs   (default target: the addon)
//   TARGET=wasm-node  node --test tests/js/behaviour.test.mjs   (WebAssembly in Node, plain `node`:
//                     the package brings a WebSocket where Node 20 has none)
//   node tests/js/browser/run.mjs tests/js/behaviour.test.mjs   (WebAssembly in headless Chromium,
//                     where an import map swaps this module for ./browser.mjs: same exports)
//
// Environment: TARGET (above); EMULATOR (emulator binary; default this repository's
// target/release/comfywire-emulator when built, else target/debug/comfywire-emulator); EMULATOR_LOG=1
// passes the emulators' stderr through; HARNESS_API=selftest makes loadApi() return the harness's
// own stub (./selftest-api.mjs) instead of comfywire, for testing the harness alone.

import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TARGETS = ['napi', 'wasm-node', 'wasm-browser'];

/** The repository root (three levels above this file). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = join(ROOT, 'tests', 'fixtures');

/** @type {'napi' | 'wasm-node' | 'wasm-browser'} */
export const target = process.env.TARGET || 'napi';
if (!TARGETS.includes(target)) {
  throw new Error(`harness: TARGET=${target} is not one of ${TARGETS.join(', ')}`);
}

export function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

/** The comfywire JavaScript module for this target (the Node entry, with the binding chosen). */
export async function loadApi() {
  if (process.env.HARNESS_API) {
    return import(new URL(`./${process.env.HARNESS_API}-api.mjs`, import.meta.url).href);
  }
  if (target === 'wasm-browser') {
    throw new Error('harness: TARGET=wasm-browser runs through `node tests/js/browser/run.mjs <file>`, not node --test');
  }
  process.env.COMFYWIRE_BINDING = target === 'napi' ? 'napi' : 'wasm';
  return import(pathToFileURL(join(ROOT, 'node', 'lib', 'node.js')).href);
}

function fixturePath(relPath) {
  const path = resolve(FIXTURES, relPath);
  if (path !== FIXTURES && !path.startsWith(FIXTURES + sep)) {
    throw new Error(`harness: ${relPath} is outside tests/fixtures`);
  }
  return path;
}

/** A file under tests/fixtures/ as text (UTF-8). */
export async function fixtureText(relPath) {
  return readFile(fixturePath(relPath), 'utf8');
}

/** A file under tests/fixtures/ as a plain Uint8Array (not a Buffer, so deepEqual works alike everywhere). */
export async function fixtureBytes(relPath) {
  const buf = await readFile(fixturePath(relPath));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Names (not paths) of the files in a fixtures directory that end with `suffix`, sorted. */
export async function listFixtures(relDir, suffix = '') {
  const entries = await readdir(fixturePath(relDir), { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => e.name)
    .sort();
}

// ---- emulators ---------------------------------------------------------------------------------

const running = new Set();
let exitHookInstalled = false;

function emulatorBinary() {
  if (process.env.EMULATOR) return resolve(process.env.EMULATOR);
  // The release build when there is one (benchmarks build it), else the debug build the tests make.
  const release = join(ROOT, 'target', 'release', 'comfywire-emulator');
  return existsSync(release) ? release : join(ROOT, 'target', 'debug', 'comfywire-emulator');
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`harness: POST ${url} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Starts an emulator (`--port 0 --exit-on-stdin-close`, cwd = repository root, so relative paths
 * in `args` name repository files). Resolves once it listens.
 * @param {{ cors?: boolean, args?: string[] }} [options] `cors`: `--enable-cors-header` (default: only in the browser)
 * @returns {Promise<{ url: string, config(obj: object): Promise<object>, reset(): Promise<object>, restart(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startEmulator({ cors = target === 'wasm-browser', args = [] } = {}) {
  const bin = emulatorBinary();
  if (!existsSync(bin)) {
    throw new Error(`harness: no emulator at ${bin}; build it with \`cargo build --release -p comfywire-emulator\` or set EMULATOR`);
  }
  const argv = ['--port', '0', '--exit-on-stdin-close', ...(cors ? ['--enable-cors-header'] : []), ...args];
  const child = spawn(bin, argv, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A suite that forgets stop() must not leave emulators behind (stdin closing also stops them).
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (process.env.EMULATOR_LOG) process.stderr.write(chunk);
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => {
    running.delete(child);
    done({ code, signal });
  }));

  const url = await new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`harness: the emulator did not print its URL within 30 s (${bin} ${argv.join(' ')})\n${stderr}`));
    }, 30000);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(new Error(`harness: cannot start ${bin}: ${err.message}`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        child.stdout.destroy(); // only the first line is ours; nothing else is written there
        done(out.slice(0, nl).trim().replace(/\/$/, ''));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`harness: the emulator exited (${signal ?? code}) before listening: ${bin} ${argv.join(' ')}\n${stderr}`));
    });
  });
  // Neither the process nor its pipes keep the test process alive once the URL is known.
  child.unref();
  child.stderr.unref?.();
  child.stdin.on('error', () => {}); // EPIPE when it has already exited

  let stopped = null;
  return {
    url,
    /** JSON merge of fault knobs (POST /_emulator/config); resolves to the knobs now in force. */
    config: (obj) => post(`${url}/_emulator/config`, obj),
    /** Back to the knobs from the command line (POST /_emulator/reset). */
    reset: () => post(`${url}/_emulator/reset`),
    /** Simulated server restart: queue, history and sockets are lost (POST /_emulator/restart). */
    restart: () => post(`${url}/_emulator/restart`).then(() => undefined),
    /** Kills the emulator and waits for it to exit (idempotent). */
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(kill);
        }
      })();
      return stopped;
    },
    /** The process id (for diagnostics). */
    pid: child.pid,
  };
}
