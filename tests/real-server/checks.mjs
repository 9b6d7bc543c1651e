// Conformance checks against a running ComfyUI (or anything that claims to be one): model-free
// jobs through one front end of comfywire, each check printing OK or FAIL with what differed.
//
//   COMFYUI_URL=http://127.0.0.1:8188 node tests/real-server/checks.mjs cli|napi|wasm
//
// `scripts/test-real-server.sh` runs all three. The jobs need no model files: EmptyImage,
// ImageBlur, ImageInvert, ImageBatch, LoadImage, SaveImage and PreviewImage are core nodes.
// Exit status: 0 when every check passed, 1 otherwise.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = (process.env.COMFYUI_URL || '').replace(/\/+$/, '');
const MODE = process.argv[2];
const U64_MAX = '18446744073709551615';
const PNG = readFileSync(join(ROOT, 'tests/fixtures/media/view_output_of_run.png'));

if (!SERVER || !['cli', 'napi', 'wasm'].includes(MODE)) {
  console.error('usage: COMFYUI_URL=http://host:port node tests/real-server/checks.mjs cli|napi|wasm');
  process.exit(2);
}

// ---- prompts (a random colour makes each run new to the server's cache) ----------------------

const colour = () => Math.floor(Math.random() * 0xffffff);

function tiny(prefix, color = colour()) {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  };
}

/** Concatenating an RGB and an RGBA image raises in ImageBatch (node 4) on a real server. */
function failing() {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: colour() } },
    2: { class_type: 'SolidMask', inputs: { value: 1.0, width: 16, height: 16 } },
    3: { class_type: 'JoinImageWithAlpha', inputs: { image: ['1', 0], alpha: ['2', 0] } },
    4: { class_type: 'ImageBatch', inputs: { image1: ['1', 0], image2: ['3', 0] } },
    5: { class_type: 'SaveImage', inputs: { images: ['4', 0], filename_prefix: 'cw-conformance/error' } },
  };
}

/** Six blurs of a 1024² batch: about a second per node on a CPU, long enough to interrupt. */
function slow() {
  const prompt = { 1: { class_type: 'EmptyImage', inputs: { width: 1024, height: 1024, batch_size: 2, color: colour() } } };
  for (let i = 2; i <= 7; i++) {
    prompt[i] = { class_type: 'ImageBlur', inputs: { image: [String(i - 1), 0], blur_radius: 31, sigma: 10.0 } };
  }
  prompt[8] = { class_type: 'PreviewImage', inputs: { images: ['7', 0] } };
  return prompt;
}

function usingUpload(name) {
  return {
    1: { class_type: 'LoadImage', inputs: { image: name } },
    2: { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    3: { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'cw-conformance/upload' } },
  };
}

/** Node 3 is no output's input, so it does not run, but the server stores it in the prompt. */
const SEED_PROMPT_TEXT = () =>
  JSON.stringify(tiny('cw-conformance/seed')).replace(/}$/, `,"3":{"class_type":"RandomNoise","inputs":{"noise_seed":${U64_MAX}}}}`);

/** Output 3 has no images: the server drops it and runs output 2 (partial acceptance). */
function partial() {
  return { ...tiny('cw-conformance/partial'), 3: { class_type: 'SaveImage', inputs: { filename_prefix: 'cw-conformance/broken' } } };
}

function twoSameNames() {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: colour() } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'cwA/same' } },
    3: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'cwB/same' } },
  };
}

// ---- reporting --------------------------------------------------------------------------------

let passed = 0;
let failed = 0;

class Differs extends Error {}

function expect(condition, what) {
  if (!condition) throw new Differs(what);
}

const CHECK_TIMEOUT_MS = 120_000;

async function check(name, body) {
  const started = Date.now();
  let timer;
  try {
    const late = new Promise((_, fail) => {
      timer = setTimeout(() => fail(new Differs(`no end within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
    });
    await Promise.race([body(), late]);
    passed++;
    console.log(`OK   ${MODE.padEnd(4)} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    failed++;
    const why = err instanceof Differs ? err.message : `${err.code ?? err.name}: ${err.message}`;
    console.log(`FAIL ${MODE.padEnd(4)} ${name}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

async function rawHistory(promptId) {
  const response = await fetch(`${SERVER}/history/${encodeURIComponent(promptId)}`);
  return response.text();
}

async function queueIsEmpty() {
  for (let i = 0; i < 50; i++) {
    const queue = await (await fetch(`${SERVER}/queue`)).json();
    if (queue.queue_running.length + queue.queue_pending.length === 0) return true;
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}

/** The server stopped the job: its history entry ends with `execution_interrupted`. */
async function interruptedOnServer(promptId) {
  for (let i = 0; i < 25; i++) {
    const entry = JSON.parse(await rawHistory(promptId))[promptId];
    if (entry) return entry.status.messages.some(([type]) => type === 'execution_interrupted');
    await sleep(200);
  }
  return false;
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---- the CLI ----------------------------------------------------------------------------------

function cliChecks() {
  const exe = process.env.COMFYWIRE_CLI || join(ROOT, 'target', 'debug', 'comfywire');
  if (!existsSync(exe)) {
    console.error(`no CLI at ${exe}: cargo build -p comfywire-cli (or set COMFYWIRE_CLI)`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'comfywire-conformance-'));
  let n = 0;
  const file = (prompt) => {
    const path = join(dir, `prompt-${++n}.json`);
    writeFileSync(path, typeof prompt === 'string' ? prompt : JSON.stringify(prompt));
    return path;
  };
  const cli = (args) => {
    const out = spawnSync(exe, [...args, '--server', SERVER], { encoding: 'utf8', timeout: 120_000 });
    let json;
    try {
      json = JSON.parse(out.stdout);
    } catch {
      json = undefined;
    }
    return { status: out.status, stdout: out.stdout, stderr: out.stderr, json };
  };
  const run = (prompt, ...extra) => cli(['run', file(prompt), '--json', '--out', join(dir, `out-${n + 1}`), ...extra]);
  const saved = (out) => out.json?.saved ?? [];

  return [
    ['run', async () => {
      const out = run(tiny('cw-conformance/run'));
      expect(out.status === 0, `exit ${out.status}: ${out.stderr}`);
      expect(out.json?.status === 'SUCCESS', `status ${out.json?.status}`);
      expect(saved(out).length === 1 && readFileSync(saved(out)[0]).subarray(1, 4).toString() === 'PNG', `saved ${JSON.stringify(saved(out))}`);
    }],
    ['cached rerun', async () => {
      const prompt = tiny('cw-conformance/cached');
      const first = run(prompt);
      const again = run(prompt);
      expect(first.status === 0 && again.status === 0, `exits ${first.status}, ${again.status}: ${again.stderr}`);
      const names = (out) => JSON.stringify(out.json?.outputs?.['2']);
      expect(names(first) === names(again), `the rerun's outputs differ: ${names(first)} vs ${names(again)}`);
    }],
    ['execution error', async () => {
      const out = run(failing());
      expect(out.status === 1, `exit ${out.status}`);
      expect(out.json?.status === 'EXECUTION_ERROR', `status ${out.json?.status}`);
      const error = out.json?.error ?? {};
      expect(error.node_id === '4' && error.node_type === 'ImageBatch', `error ${JSON.stringify(error).slice(0, 200)}`);
      expect(out.stderr.includes('ImageBatch') && out.stderr.includes(error.exception_type), `stderr does not name the node and exception: ${out.stderr}`);
    }],
    ['interrupt on timeout', async () => {
      const out = run(slow(), '--timeout', '2');
      expect(out.status === 1, `exit ${out.status}`);
      expect(out.json?.status === 'TIMEOUT', `status ${out.json?.status}`);
      expect(out.json?.serverStop === 'confirmed', `serverStop ${out.json?.serverStop}`);
      expect(await queueIsEmpty(), 'the job still runs on the server');
      expect(await interruptedOnServer(out.json.promptId), 'the server\'s history does not say it was interrupted');
    }],
    ['upload and use', async () => {
      const image = join(dir, 'conformance-input.png');
      writeFileSync(image, PNG);
      const up = cli(['upload', image]);
      expect(up.status === 0, `upload exit ${up.status}: ${up.stderr}`);
      const out = run(usingUpload(up.stdout.trim()));
      expect(out.status === 0 && saved(out).length === 1, `exit ${out.status}: ${out.stderr}`);
    }],
    ['2^64-1 seed round trip', async () => {
      const out = run(SEED_PROMPT_TEXT());
      expect(out.status === 0, `exit ${out.status}: ${out.stderr}`);
      const history = await rawHistory(out.json.promptId);
      expect(history.includes(`"noise_seed": ${U64_MAX}`), `history holds ${history.match(/"noise_seed": [^,}]*/)?.[0]}`);
    }],
    ['partial acceptance', async () => {
      const out = run(partial());
      expect(out.status === 0, `exit ${out.status}: ${out.stderr}`);
      expect(JSON.stringify(out.json?.droppedOutputs) === '["3"]', `droppedOutputs ${JSON.stringify(out.json?.droppedOutputs)}`);
      expect(/dropped|without/i.test(out.stderr) && out.stderr.includes('3'), `no warning: ${out.stderr}`);
      const strict = run(partial(), '--strict');
      expect(strict.status === 1, `--strict exit ${strict.status}`);
    }],
    ['two same-name outputs', async () => {
      const out = run(twoSameNames());
      expect(out.status === 0, `exit ${out.status}: ${out.stderr}`);
      const files = saved(out);
      const dirs = files.map((f) => f.split(/[\\/]/).at(-2)).sort();
      expect(files.length === 2 && dirs.join() === 'cwA,cwB', `saved ${JSON.stringify(files)}`);
      expect(files.every((f) => existsSync(f)), 'a saved file is missing');
    }],
  ].map(([name, body]) => [name, body, () => rmSync(dir, { recursive: true, force: true })]);
}

// ---- the JavaScript API (either build) --------------------------------------------------------

async function jsChecks() {
  process.env.COMFYWIRE_BINDING = MODE === 'napi' ? 'napi' : 'wasm';
  const cw = await import(pathToFileURL(join(ROOT, 'node', 'lib', 'node.js')).href);
  const client = await cw.ComfyClient.connect(SERVER);
  const isPng = (bytes) => Buffer.from(bytes.subarray(1, 4)).toString() === 'PNG';

  return [
    ['run', async () => {
      const result = await client.run(tiny('cw-conformance/run'));
      expect(result.status === 'SUCCESS' && result.files.length === 1, `${result.status}, ${result.files.length} file(s)`);
      expect(isPng(await client.view(result.files[0])), 'the output is not a PNG');
    }],
    ['cached rerun', async () => {
      const prompt = tiny('cw-conformance/cached');
      const first = await client.run(prompt);
      const job = await client.queuePrompt(prompt);
      const cached = [];
      job.on('cached', (e) => cached.push(...e.nodes));
      const again = await job.wait();
      expect(again.status === 'SUCCESS', again.status);
      expect(cached.includes('1'), `cached nodes: ${JSON.stringify(cached)}`);
      expect(JSON.stringify(again.outputs) === JSON.stringify(first.outputs), 'the rerun has other outputs');
    }],
    ['execution error', async () => {
      const result = await client.run(failing(), { throwOnFailure: false });
      expect(result.status === 'EXECUTION_ERROR', result.status);
      expect(result.error?.node_id === '4' && result.error?.node_type === 'ImageBatch' && result.error?.exception_type,
        `error ${JSON.stringify(result.error).slice(0, 200)}`);
      await client.run(failing()).then(
        () => expect(false, 'run() resolved'),
        (err) => expect(err.code === 'EXECUTION_ERROR' && err.result?.error?.node_id === '4', `run() threw ${err.code}`),
      );
    }],
    ['interrupt', async () => {
      const job = await client.queuePrompt(slow());
      // The second blur started, or the job ended without getting there.
      await Promise.race([new Promise((started) => job.on('executing', (e) => e.node === '3' && started())), job.wait()]);
      const early = await Promise.race([job.wait(), sleep(0).then(() => undefined)]);
      expect(early === undefined, `the job ended before it could be interrupted: ${early?.status}`);
      await job.cancel();
      const result = await job.wait();
      // CANCELLED: this client's own stop (INTERRUPTED is someone else's).
      expect(result.status === 'CANCELLED', result.status);
      expect(await queueIsEmpty(), 'the job still runs on the server');
      expect(await interruptedOnServer(job.promptId), 'the server\'s history does not say it was interrupted');
    }],
    ['upload and use', async () => {
      const stored = await client.upload(new Uint8Array(PNG), 'conformance-input.png');
      const result = await client.run(usingUpload(stored.inputName));
      expect(result.status === 'SUCCESS' && result.files.length === 1, `${result.status}, ${result.files.length} file(s)`);
    }],
    ['2^64-1 seed round trip', async () => {
      const result = await client.run(SEED_PROMPT_TEXT());
      expect(result.status === 'SUCCESS', result.status);
      const history = await rawHistory(result.promptId);
      expect(history.includes(`"noise_seed": ${U64_MAX}`), `history holds ${history.match(/"noise_seed": [^,}]*/)?.[0]}`);
      const entry = await client.getHistory(result.promptId);
      const seed = entry[result.promptId]?.prompt?.[2]?.['3']?.inputs?.noise_seed;
      expect(String(seed) === U64_MAX, `getHistory gives ${seed}`);
    }],
    ['partial acceptance', async () => {
      const result = await client.run(partial());
      expect(result.status === 'SUCCESS' && JSON.stringify(result.droppedOutputs) === '["3"]', `${result.status}, dropped ${JSON.stringify(result.droppedOutputs)}`);
      expect(result.nodeErrors?.['3']?.errors?.[0]?.type === 'required_input_missing', JSON.stringify(result.nodeErrors));
      await client.run(partial(), { strict: true }).then(
        () => expect(false, 'strict run() resolved'),
        (err) => expect(err.code === 'PROMPT_REJECTED', `strict run() threw ${err.code}`),
      );
    }],
    ['two same-name outputs', async () => {
      const result = await client.run(twoSameNames());
      const where = result.files.map((f) => f.subfolder).sort();
      expect(result.status === 'SUCCESS' && where.join() === 'cwA,cwB', `${result.status}, subfolders ${where}`);
    }],
  ].map(([name, body]) => [name, body, () => client.close()]);
}

const checks = MODE === 'cli' ? cliChecks() : await jsChecks();
for (const [name, body] of checks) {
  await check(name, body);
  await sleep(0);
}
checks[0][2]();
console.log(`${MODE}: ${passed}/${passed + failed} checks passed against ${SERVER}`);
process.exit(failed === 0 ? 0 : 1);
