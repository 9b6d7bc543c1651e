// A hostile server on 127.0.0.1, against the Node addon and the wasm build (TARGET=napi |
// wasm-node) and the CLI: each class must end in a typed error, on time, within a memory bound.
// The JS client reaches the hostile origin through the emulator's redirect knob (it needs the
// emulator's socket to connect); the CLI talks to it directly.
//   TARGET=napi node --test tests/js/hostile.test.mjs
// Prints one summary line: classes tried / handled / failed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { join } from 'node:path';
import { target, loadApi, startEmulator, ROOT } from './harness/index.mjs';

const MIB = 1 << 20;
// Written in 1 MiB chunks, so the test's own peak memory stays small and the client's shows.
const ZEROS_CHUNK = Buffer.alloc(MIB, '0,');
const TINY_VALUES_MIB = 100;
let GZIP_BOMB; // ~300 KB that inflate to 300 MiB

let cw;
let hostile;
let base;
let emulator;
const tally = { tried: 0, handled: 0, failed: [] };

function serve(req, res) {
  // The first path segment picks the class, whatever follows (`/tiny-values/object_info`).
  switch (new URL(req.url, 'http://x').pathname.split('/')[1]) {
    case 'tiny-values': {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 7 + TINY_VALUES_MIB * MIB + 3 });
      res.write('{"a": [');
      let left = TINY_VALUES_MIB;
      const more = () => {
        while (left > 0) {
          left--;
          if (!res.write(ZEROS_CHUNK)) return res.once('drain', more);
        }
        return res.end('0]}');
      };
      return more();
    }
    case 'gzip-bomb':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': GZIP_BOMB.length });
      return res.end(GZIP_BOMB);
    case 'trickle': {
      // A body that never ends: one byte a second.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a": [');
      const timer = setInterval(() => res.write('0,'), 1000);
      res.on('close', () => clearInterval(timer));
      return undefined;
    }
    default:
      // Accept and never answer.
      return undefined;
  }
}

/** Gzip of `mib` MiB of zeros, compressed a chunk at a time. */
async function gzipBomb(mib) {
  const gzip = createGzip({ level: 9 });
  const parts = [];
  gzip.on('data', (d) => parts.push(d));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(MIB);
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

/** A child process's status and output, without blocking this process (it serves the hostile
 * origin the child talks to). */
function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

before(async () => {
  cw = await loadApi();
  GZIP_BOMB = await gzipBomb(300);
  hostile = createServer(serve);
  await new Promise((ready) => hostile.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${hostile.address().port}`;
  emulator = await startEmulator({ args: ['--node-ms', '2'] });
});

after(async () => {
  hostile?.closeAllConnections?.();
  hostile?.close();
  await emulator?.stop();
  console.log(`# hostile (${target}): ${tally.tried} classes tried, ${tally.handled} handled, ${tally.failed.length} failed${tally.failed.length ? `: ${tally.failed.join(', ')}` : ''}`);
});

/** Runs one class, counting it; `peakMiB` bounds the process's peak RSS growth during it. */
async function hostileClass(name, body, { peakMiB } = {}) {
  tally.tried++;
  const before = process.resourceUsage().maxRSS / 1024;
  const started = Date.now();
  try {
    await body();
    const grew = process.resourceUsage().maxRSS / 1024 - before;
    if (peakMiB !== undefined) assert.ok(grew < peakMiB, `${name}: peak RSS grew ${grew.toFixed(0)} MiB (bound ${peakMiB})`);
    console.log(`# ${name}: handled in ${Date.now() - started} ms, peak RSS +${grew.toFixed(0)} MiB`);
    tally.handled++;
  } catch (err) {
    tally.failed.push(name);
    throw err;
  }
}

async function viaRedirect(path, options, check) {
  const client = await cw.ComfyClient.connect({ server: emulator.url, ...options });
  try {
    await emulator.config({ redirect_object_info: `${base}${path}` });
    await assert.rejects(client.objectInfo({ refresh: true }), check);
  } finally {
    await emulator.config({ redirect_object_info: null });
    client.close();
  }
}

test('JSON amplification: 100 MB of tiny values is TOO_LARGE before it is parsed', async () => {
  await hostileClass('json-amplification', () => viaRedirect('/tiny-values', {}, (e) => e.code === 'TOO_LARGE'), { peakMiB: 1024 });
});

test('a compressed body that inflates past the cap is refused while it downloads', async () => {
  // fetch (wasm) inflates and the stream is cut at the cap; reqwest (the addon) does not
  // inflate, and the compressed bytes are not JSON.
  const expected = target === 'napi' ? 'BAD_RESPONSE' : 'TOO_LARGE';
  await hostileClass('gzip-bomb', () => viaRedirect('/gzip-bomb', {}, (e) => e.code === expected), { peakMiB: 1024 });
});

test('a body that never ends is TIMEOUT at the request deadline', async () => {
  await hostileClass('endless-body', async () => {
    const started = Date.now();
    await viaRedirect('/trickle', { requestTimeoutMs: 1500 }, (e) => e.code === 'TIMEOUT');
    assert.ok(Date.now() - started < 10_000, 'it gave up at its deadline');
  });
});

const CLI = join(ROOT, 'target', 'debug', `comfywire${process.platform === 'win32' ? '.exe' : ''}`);

test('the CLI: amplification and a silent server end typed, on time', { skip: !existsSync(CLI) || target !== 'napi' }, async () => {
  const workflow = join(ROOT, 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json');
  await hostileClass('cli-json-amplification', async () => {
    // The catalog read of `validate --server` meets the 100 MB document.
    const out = await run('/usr/bin/time', ['-f', '%M', CLI, 'validate', workflow, '--server', `${base}/tiny-values/`], 60_000);
    assert.equal(out.status, 2, out.stderr);
    assert.match(out.stderr, /holds more than \d+ JSON values/);
    const peakKiB = Number(out.stderr.trim().split('\n').at(-1));
    assert.ok(peakKiB < 1024 * 1024, `peak ${peakKiB} KiB`);
    console.log(`# cli-json-amplification: the CLI's peak RSS ${(peakKiB / 1024).toFixed(0)} MiB`);
  });
  await hostileClass('cli-silent-server', async () => {
    const out = await run(CLI, ['run', workflow, '--server', `${base}/silent/`, '--timeout', '2', '--json'], 30_000);
    assert.notEqual(out.status, 0);
    assert.equal(JSON.parse(out.stdout).code, 'TIMEOUT', out.stdout + out.stderr);
  });
});
