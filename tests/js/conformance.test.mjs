// The real-server conformance checks (tests/real-server/checks.mjs) run against the bundled
// emulator, so they are known to pass where the server behaves and to fail where it does not.
// Against a real ComfyUI: COMFYUI_URL=http://host:port bash scripts/test-real-server.sh
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startEmulator } from './harness/index.mjs';

const emulators = [];
after(async () => {
  for (const e of emulators) await e.stop();
});

// What makes the emulator fail like a real server on these jobs: ImageBatch of an RGB and an
// RGBA image raises, and a blur takes long enough to interrupt.
const LIKE_A_REAL_SERVER = ['--execution-error', 'ImageBatch', '--node-duration', 'ImageBlur=700', '--node-ms', '5'];

function checks(mode, url) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(ROOT, 'tests/real-server/checks.mjs'), mode], {
      env: { ...process.env, COMFYUI_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => done({ code, out }));
  });
}

for (const mode of ['cli', 'napi', 'wasm']) {
  test(`conformance checks pass through ${mode} on a server that behaves`, async () => {
    const e = await startEmulator({ args: LIKE_A_REAL_SERVER });
    emulators.push(e);
    const { code, out } = await checks(mode, e.url);
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`${mode}: 8/8 checks passed`));
  });
}

test('conformance checks fail, saying what differed, on a server that does not', async () => {
  // Every node raises: nothing runs, so every check but the execution error one must fail.
  const e = await startEmulator({ args: ['--execution-error', '*', '--node-ms', '5'] });
  emulators.push(e);
  const { code, out } = await checks('napi', e.url);
  assert.equal(code, 1, out);
  assert.match(out, /^FAIL napi run: EXECUTION_ERROR/m);
  assert.match(out, /^FAIL napi two same-name outputs/m);
  assert.match(out, /napi: [0-7]\/8 checks passed/);
});
