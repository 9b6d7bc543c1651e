// Runs the programs in js-examples/ as a user would (child processes, real emulators) and checks
// what they really do: files written, HTTP answers, where the pool sent each job.
//   node --test tests/js/examples.test.mjs     (needs `bash scripts/build-js.sh` and
//                                               `cargo build --release -p comfywire-emulator`)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startEmulator } from './harness/index.mjs';

const WORKFLOW = join(ROOT, 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json');
const FAST = ['--node-ms', '1', '--steps', '2'];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

const emulators = [];
const children = new Set();
let capable; // has the workflow's checkpoint
let lacking; // has no model files
let tmp;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'comfywire-examples-'));
  [capable, lacking] = await Promise.all([
    startEmulator({ args: ['--models-for', WORKFLOW, ...FAST] }),
    startEmulator({ args: FAST }),
  ]);
  emulators.push(capable, lacking);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(emulators.map((e) => e.stop()));
  await rm(tmp, { recursive: true, force: true });
});

/** Environment for an example: no inherited server, fast emulators when it starts its own. */
function envFor(extra = {}) {
  const env = { ...process.env, COMFYWIRE_EMULATOR_ARGS: FAST.join(' '), ...extra };
  if (!('COMFYUI_URL' in extra)) delete env.COMFYUI_URL;
  return env;
}

function spawnExample(file, args, env) {
  const child = spawn(process.execPath, [join(ROOT, 'js-examples', file), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  return child;
}

/** Runs an example to its end: exit code, stdout, stderr. */
function runExample(file, args, env = envFor(), timeoutMs = 20000) {
  const child = spawnExample(file, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the gateway on a free port; resolves with its URL once it prints it. */
async function startGateway(servers) {
  const child = spawnExample('gateway/server.mjs', ['0'], envFor({ COMFYUI_URL: servers.join(',') }));
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the gateway printed no URL within 10 s\n${stderr}`)), 10000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the gateway exited (${code})\n${stderr}`)); });
  });
  return {
    url,
    log: () => stderr,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

function generate(url, body) {
  return fetch(`${url}/api/v1/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function isPng(bytes) {
  return PNG.every((b, i) => bytes[i] === b);
}

// ---- node-bot --------------------------------------------------------------------------------

test('bot: applies named params, runs, saves PNGs and prints the prompt id', async () => {
  const out = join(tmp, 'bot');
  const { code, stdout, stderr } = await runExample('node-bot/bot.mjs',
    [WORKFLOW, 'positive=a red fox', 'seed=18446744073709551615', 'steps=3', 'width=512', '--server', capable.url, '--out', out]);
  assert.equal(code, 0, stderr);
  const promptId = /^prompt (\S+)$/m.exec(stdout)?.[1];
  assert.match(promptId ?? '', UUID, stdout);
  const paths = stdout.split('\n').filter((l) => l.startsWith(out));
  assert.ok(paths.length >= 1, stdout);
  for (const path of paths) assert.ok(isPng(await readFile(path)), `${path} is not a PNG`);
  // Without a TTY the progress bar is printed as lines, ending at 100 %.
  assert.match(stderr, /\] 100% done\n/);
  assert.doesNotMatch(stderr, /\r/);
  // The server really got the overrides (a 64-bit seed, exactly).
  const history = await (await fetch(`${capable.url}/history/${promptId}`)).text();
  assert.match(history, /"seed":\s*18446744073709551615\b/);
  assert.match(history, /a red fox/);
});

test('bot: refused overrides exit non-zero with OVERRIDES_REFUSED and every issue', async () => {
  const { code, stdout, stderr } = await runExample('node-bot/bot.mjs',
    [WORKFLOW, 'steps=-1', 'cfg=abc', '--server', capable.url, '--out', join(tmp, 'refused')]);
  assert.equal(code, 1);
  assert.match(stderr, /error OVERRIDES_REFUSED/);
  assert.match(stderr, /steps: .*OUT_OF_RANGE/);
  assert.match(stderr, /cfg: .*TYPE_MISMATCH/);
  assert.equal(stdout, '');
});

test('bot: without --server it runs on an emulator it starts (from a PNG it wrote, too)', async () => {
  const out = join(tmp, 'self');
  const first = await runExample('node-bot/bot.mjs', [WORKFLOW, 'seed=7', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /bundled emulator/);
  const png = first.stdout.split('\n').find((l) => l.startsWith(out));
  // The PNG carries its workflow: it can be run again as it is.
  const again = await runExample('node-bot/bot.mjs', [png, 'seed=8', '--out', out]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(isPng(await readFile(again.stdout.split('\n').find((l) => l.startsWith(out)))));
});

// ---- gateway ---------------------------------------------------------------------------------

test('gateway: 200 with images, 400 with the issues, concurrent requests, healthz', async (t) => {
  const gateway = await startGateway([capable.url]);
  t.after(() => gateway.stop());

  const health = await fetch(`${gateway.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, 'ok');

  const res = await generate(gateway.url, { prompt: 'a red fox', negative_prompt: 'blurry', width: 512, height: 512, steps: 3, cfg_scale: 7.5, seed: 42 });
  assert.equal(res.status, 200, gateway.log());
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = await res.json();
  assert.equal(body.status, 'success');
  assert.match(body.prompt_id, UUID);
  assert.equal(body.seed, 42);
  assert.ok(body.images.length >= 1);
  assert.ok(isPng(Buffer.from(body.images[0].base64, 'base64')));
  assert.equal(body.output_url, body.image_url);
  const image = await fetch(body.image_url);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get('content-type'), 'image/png');
  assert.ok(isPng(new Uint8Array(await image.arrayBuffer())));

  const bad = await generate(gateway.url, { prompt: 'a red fox', steps: -1 });
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type'), /^application\/json/);
  const refusal = await bad.json();
  assert.equal(refusal.status, 'error');
  assert.deepEqual(refusal.error.issues.map((i) => [i.field, i.code]), [['steps', 'OUT_OF_RANGE']]);

  const missing = await generate(gateway.url, { steps: 3 });
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).error.issues[0].field, 'prompt');

  const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => generate(gateway.url, { prompt: `fox ${i}`, steps: 2, seed: 100 + i })));
  const bodies = await Promise.all(answers.map((a) => a.json()));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200], JSON.stringify(bodies));
  assert.equal(new Set(bodies.map((b) => b.prompt_id)).size, 6);
  for (const b of bodies) assert.ok(isPng(Buffer.from(b.images[0].base64, 'base64')));

  assert.equal((await fetch(`${gateway.url}/api/v1/generate`)).status, 405);
  assert.equal((await fetch(`${gateway.url}/nowhere`)).status, 404);
});

test('gateway: 422 with node errors when the server lacks the model; a pool routes around it', async (t) => {
  const [alone, pooled] = await Promise.all([startGateway([lacking.url]), startGateway([lacking.url, capable.url])]);
  t.after(() => Promise.all([alone.stop(), pooled.stop()]));

  const res = await generate(alone.url, { prompt: 'a red fox' });
  assert.equal(res.status, 422);
  const body = await res.json();
  assert.equal(body.error.code, 'PROMPT_REJECTED');
  assert.equal(body.error.node_errors['4'].class_type, 'CheckpointLoaderSimple');

  const answers = await Promise.all([1, 2, 3].map((i) => generate(pooled.url, { prompt: `fox ${i}`, steps: 2 })));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200], pooled.log());
  assert.equal(pooled.log().match(new RegExp(`ran on ${capable.url}`, 'g'))?.length, 3, pooled.log());
});

// ---- pool ------------------------------------------------------------------------------------

test('pool: every job runs on a server that has the checkpoint', async () => {
  const second = await startEmulator({ args: ['--models-for', WORKFLOW, ...FAST] });
  emulators.push(second);
  const capableUrls = [capable.url, second.url];
  const { code, stdout, stderr } = await runExample('pool/pool.mjs',
    ['--jobs', '6', '--server', capable.url, '--server', lacking.url, '--server', second.url]);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, new RegExp(`${lacking.url}: cannot run it: CheckpointLoaderSimple #4`));
  const jobs = [...stdout.matchAll(/^job (\d+) seed \d+ → server [A-Z] (\S+) in /gm)];
  assert.equal(jobs.length, 6, stdout);
  for (const [, , server] of jobs) assert.ok(capableUrls.includes(server), `a job ran on ${server}`);
  assert.match(stdout, /total: 6 job\(s\) in .*failed: 0; on an incapable server: 0/);
});

test('pool: with no --server it starts its own emulators and stops them', async () => {
  const { code, stdout, stderr } = await runExample('pool/pool.mjs', ['--jobs', '4']);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /server C \S+: cannot run it/);
  assert.doesNotMatch(stdout, /→ server C /);
  const urls = [...stdout.matchAll(/^server [A-C] (\S+):/gm)].map((m) => m[1]);
  assert.equal(urls.length, 3);
  // Stopped: none of them answers any more.
  await new Promise((r) => setTimeout(r, 300));
  for (const url of urls) await assert.rejects(fetch(`${url}/queue`));
});
