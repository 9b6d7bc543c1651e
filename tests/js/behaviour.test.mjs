// The one behaviour suite of the JavaScript API, run unchanged against every target:
//   TARGET=napi       node --test tests/js/behaviour.test.mjs        (the Node addon)
//   TARGET=wasm-node  node --test tests/js/behaviour.test.mjs        (WebAssembly in Node)
//   node tests/js/browser/run.mjs tests/js/behaviour.test.mjs        (WebAssembly in Chromium)
// It uses only the public API, fixtures and emulators through the harness (which swaps Node's
// file system and processes for a control server in the browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { target, loadApi, fixtureText, fixtureBytes, listFixtures, startEmulator, sleep } from './harness/index.mjs';

const DEFAULT = 'goldens/templates-old-0.1.0__default.workflow.json';
const U64_MAX = 18446744073709551615n;

let cw;
let catalog;
let defaultText;
const emulators = [];

before(async () => {
  cw = await loadApi();
  catalog = cw.loadCatalog(await fixtureText('object_info.json'));
  defaultText = await fixtureText(DEFAULT);
});

after(async () => {
  for (const e of emulators) await e.stop();
});

async function emulator(args = [], options = {}) {
  const e = await startEmulator({ ...options, args: ['--models-for', `tests/fixtures/${DEFAULT}`, '--node-ms', '2', '--steps', '3', ...args] });
  emulators.push(e);
  return e;
}

/** A small prompt every emulator accepts; `tag` makes it unique so the server does not cache it. */
function tinyPrompt(tag, extra = {}) {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: tag } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: `t${tag}` } },
    ...extra,
  };
}

/** Jobs still running or waiting on the client's server, once it has settled (up to 2 s). */
async function jobsLeft(client) {
  let left;
  for (let i = 0; i < 40; i++) {
    const queue = await client.getQueue();
    left = queue.running.length + queue.pending.length;
    if (left === 0) break;
    await sleep(50);
  }
  return left;
}

function defaultWorkflow() {
  return JSON.parse(defaultText);
}

// ---- pure functions --------------------------------------------------------------------------

test('the golden corpus converts exactly as the editor did', async () => {
  const names = (await listFixtures('goldens', '.workflow.json')).map((f) => f.slice(0, -'.workflow.json'.length));
  assert.ok(names.length >= 452, `${names.length} goldens`);
  const differ = [];
  for (const name of names) {
    const [ui, want] = await Promise.all([fixtureText(`goldens/${name}.workflow.json`), fixtureText(`goldens/${name}.prompt.json`)]);
    const got = cw.parseJsonExact(cw.convertJson(ui, { catalog }));
    const expected = cw.parseJsonExact(want);
    // The one value the editor does not derive from the workflow (as in tests/goldens.rs): a
    // LoadImageOutput combo it showed as "Loading..." while it fetched the server's outputs.
    for (const [id, node] of Object.entries(expected)) {
      if (node.class_type === 'LoadImageOutput' && node.inputs.image === 'Loading...' && got[id]) node.inputs.image = got[id].inputs.image;
    }
    try {
      assert.deepEqual(got, expected);
    } catch {
      differ.push(name);
    }
  }
  assert.deepEqual(differ, [], 'every golden converts as the editor did');
  console.log(`${target}: ${names.length - differ.length}/${names.length} goldens identical`);
});

test('objects, JSON text and file bytes convert alike; warnings are values', async () => {
  const fromText = cw.convert(defaultText, { catalog });
  const fromObject = cw.convert(defaultWorkflow(), { catalog });
  const fromBytes = cw.convert(new TextEncoder().encode(defaultText), { catalog });
  assert.deepEqual(fromObject.prompt, fromText.prompt);
  assert.deepEqual(fromBytes.prompt, fromText.prompt);
  assert.equal(fromText.prompt['3'].class_type, 'KSampler');
  assert.deepEqual(fromText.warnings, []);
  const info = cw.parseWorkflow(defaultText);
  assert.equal(info.format, 'ui');
  assert.equal(info.nodes, 7);
  const broken = defaultWorkflow();
  broken.nodes.push({ id: 99, type: 'NoSuchNode', inputs: [], outputs: [], widgets_values: [1] });
  const warned = cw.convert(broken, { catalog });
  assert.ok(warned.warnings.length >= 1, 'an unknown node is a warning');
  assert.equal(typeof warned.warnings[0].code, 'string');
  // Array links under another version than 0.4: dropped as the editor does, kept under repair.
  const noVersion = await fixtureText('goldens/array-links__no-version.workflow.json');
  const asEditor = cw.convert(noVersion, { catalog });
  assert.equal(asEditor.warnings[0].code, 'ARRAY_LINKS_IGNORED');
  assert.equal(asEditor.prompt['3'].inputs.model, undefined);
  const repaired = cw.convert(noVersion, { catalog, repair: true });
  assert.equal(repaired.warnings[0].code, 'ARRAY_LINKS_REPAIRED');
  assert.deepEqual(repaired.prompt['3'].inputs.model, ['4', 0]);
});

test('parameters with specs and roles', () => {
  const params = cw.listParams(defaultText, { catalog });
  const seed = params.find((p) => p.roles.includes('seed'));
  assert.equal(seed.selector, '#3.seed');
  assert.equal(seed.type, 'INT');
  assert.equal(seed.spec.max, U64_MAX, 'max seed is exact');
  const positive = params.find((p) => p.roles.includes('positive'));
  assert.equal(positive.classType, 'CLIPTextEncode');
  const sampler = params.find((p) => p.input === 'sampler_name');
  assert.ok(sampler.spec.choices.includes('euler'));
  assert.deepEqual(cw.findNodes(defaultText, 'positive', { catalog }).map((n) => n.selector), ['#6.text']);
});

test('overrides: all or nothing, refusals as values, BigInt and decimal strings', () => {
  const applied = cw.applyOverrides(defaultWorkflow(), { seed: U64_MAX, positive: 'a red fox', steps: '12' }, { catalog });
  assert.equal(applied.ok, true, JSON.stringify(applied.issues));
  assert.equal(applied.prompt['3'].inputs.seed, U64_MAX);
  assert.equal(applied.prompt['3'].inputs.steps, 12);
  assert.equal(applied.prompt['6'].inputs.text, 'a red fox');
  const fromString = cw.applyOverrides(defaultText, { seed: '18446744073709551615' }, { catalog });
  assert.equal(fromString.prompt['3'].inputs.seed, U64_MAX);
  const refused = cw.applyOverrides(defaultText, { steps: -4, positive: 'never applied' }, { catalog });
  assert.equal(refused.ok, false);
  assert.equal(refused.issues[0].code, 'OUT_OF_RANGE');
  assert.notEqual(refused.prompt['6'].inputs.text, 'never applied');
  assert.throws(() => cw.set(defaultText, { steps: -4 }, { catalog }), (e) => e instanceof cw.ComfyError && e.code === 'OVERRIDES_REFUSED' && e.issues.length === 1);
  const prompt = cw.set(defaultText, { cfg: 4.5 }, { catalog });
  assert.equal(prompt['3'].inputs.cfg, 4.5);
});

test('validation returns what the server would answer, as a value', async () => {
  const capture = JSON.parse(await fixtureText('captures/err_int_above_max.json'));
  const v = cw.validate(capture.request.body, { catalog });
  assert.equal(v.accepted, false);
  assert.equal(v.status, 400);
  assert.deepEqual(JSON.parse(cw.stringifyJsonExact(v.body)), capture.response.body_json);
  const ok = cw.validate({ prompt: cw.convert(defaultText, { catalog }).prompt }, { catalog });
  assert.equal(typeof ok.accepted, 'boolean');
  const unknown = cw.validate({ prompt: { 1: { class_type: 'Nope', inputs: {} } } }, { catalog });
  assert.equal(unknown.body.error.type, 'invalid_prompt');
});

test('errors are ComfyError with stable codes and data', () => {
  assert.throws(() => cw.convert('{"nodes": 3', { catalog }), (e) => e instanceof cw.ComfyError && e.code === 'JSON_SYNTAX' && e.line === 1);
  const twoSamplers = { 1: { class_type: 'KSampler', inputs: {} }, 2: { class_type: 'KSampler', inputs: {} } };
  assert.throws(() => cw.findNodes(twoSamplers, 'KSampler', { catalog }), (e) => e.code === 'AMBIGUOUS_SELECTOR' && e.candidates.length === 2);
  assert.throws(() => cw.convert(defaultText, { catalog, date: 'yesterday' }), (e) => e.code === 'INVALID_ARGUMENT' && e.path === 'options.date');
  assert.throws(() => cw.convert(42), (e) => e.code === 'INVALID_ARGUMENT');
  assert.throws(() => cw.loadCatalog('[1, 2]'), (e) => e.code === 'INVALID_CATALOG');
  assert.throws(() => cw.extractFromImage(new Uint8Array([1, 2, 3, 4])), (e) => e.code === 'UNSUPPORTED_MEDIA');
  // Exact JSON and values too deep for any stack: typed errors, not SyntaxError or INTERNAL.
  assert.throws(() => cw.parseJsonExact('{"a": 1'), (e) => e instanceof cw.ComfyError && e.code === 'JSON_SYNTAX');
  const deepText = `${'['.repeat(20000)}18446744073709551615${']'.repeat(20000)}`;
  assert.throws(() => cw.parseJsonExact(deepText), (e) => e.code === 'JSON_SYNTAX' && /nested deeper/.test(e.message));
  let deep = {};
  for (let i = 0; i < 20000; i++) deep = { x: deep };
  // Where the engine's JSON.stringify copes (Chromium's larger stack), the core's parser refuses it.
  assert.throws(() => cw.convert(deep, { catalog }), (e) => (e.code === 'INVALID_ARGUMENT' && /nested deeper/.test(e.message)) || (e.code === 'JSON_SYNTAX' && /recursion limit/.test(e.message)));
  const cyclic = { seed: 1n };
  cyclic.self = cyclic;
  assert.throws(() => cw.stringifyJsonExact(cyclic), (e) => e.code === 'INVALID_ARGUMENT');
  assert.equal(cw.stringifyJsonExact({ seed: U64_MAX }), '{"seed":18446744073709551615}');
});

test('every code thrown is one of ERROR_CODES, the list generated from the core', () => {
  assert.ok(Object.isFrozen(cw.ERROR_CODES));
  assert.ok(cw.ERROR_CODES.includes('OVERRIDES_REFUSED') && cw.ERROR_CODES.includes('JOB_LOST'));
  assert.ok(!cw.ERROR_CODES.includes('JOB_FAILED'));
  const thrown = [];
  for (const f of [
    () => cw.convert('{"nodes": 3', { catalog }),
    () => cw.convert(42),
    () => cw.loadCatalog('[1, 2]'),
    () => cw.extractFromImage(new Uint8Array([1, 2, 3, 4])),
    () => cw.set(defaultText, { steps: -4 }, { catalog }),
    () => cw.findNodes(defaultText, 'NoSuchNode', { catalog }),
  ]) {
    try { f(); } catch (e) { thrown.push(e.code); }
  }
  assert.equal(thrown.length, 6);
  for (const code of thrown) assert.ok(cw.ERROR_CODES.includes(code), `${code} is not listed`);
});

test('workflows embedded in files ComfyUI wrote', async () => {
  // A PNG saved by SaveImage after a run queued with a prompt only: the prompt is embedded.
  const bytes = await fixtureBytes('media/view_output_of_run.png');
  const found = cw.extractFromImage(bytes);
  assert.equal(found.workflow, null);
  assert.equal(Object.keys(found.prompt).length, 3);
  const converted = cw.convert(bytes, { catalog });
  assert.deepEqual(converted.prompt, found.prompt);
  // One queued with extra_data.extra_pnginfo.workflow: the workflow wins, as in the editor.
  const withWorkflow = cw.extractFromImage(await fixtureBytes('media/view_output_extra_data.png'));
  assert.ok(Array.isArray(withWorkflow.workflow.nodes));
});

test('ComfyUI 0.3.64\'s catalog is the default in Node (the addon embeds it, the wasm fallback reads the package\'s copy); a browser passes one', () => {
  if (target !== 'wasm-browser') {
    assert.equal(cw.embeddedCatalog().classCount(), catalog.classCount());
    if (target === 'wasm-node') assert.equal(cw.embeddedCatalog(), cw.embeddedCatalog(), 'read once');
    assert.equal(cw.convert(defaultText).prompt['3'].class_type, 'KSampler');
    assert.equal(cw.listParams(defaultText)[0].selector, '#6.text');
  } else {
    assert.throws(() => cw.embeddedCatalog(), (e) => e.code === 'INVALID_ARGUMENT');
    assert.throws(() => cw.convert(defaultText), (e) => e.code === 'INVALID_ARGUMENT' && /catalog/.test(e.message));
  }
});

// ---- the client against the emulator ---------------------------------------------------------

test('run a workflow: conversion with the server catalog, params, progress, outputs, exact seed', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const seen = [];
    const progress = [];
    const result = await client.run(defaultWorkflow(), {
      params: { seed: U64_MAX, positive: 'a red fox' },
      onEvent: (ev) => seen.push(ev.type),
      onProgress: (ev) => progress.push(ev.overall),
    });
    assert.equal(result.status, 'SUCCESS');
    assert.equal(result.ok, true);
    assert.equal(seen.at(-1), 'finished');
    assert.ok(seen.includes('executing') && seen.includes('output'), seen.join());
    assert.ok(progress.length >= 3, `progress events: ${progress.length}`);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b), 'overall progress never goes back');
    assert.equal(result.files.length, 1);
    const png = await client.view(result.files[0]);
    assert.ok(png instanceof Uint8Array);
    assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const history = await client.getHistory(result.promptId);
    assert.equal(history[result.promptId].prompt[2]['3'].inputs.seed, U64_MAX, 'the server got the exact seed');
  } finally {
    client.close();
  }
});

test('job events by callback and by async iterator (replayed from the start)', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const job = await client.queuePrompt(tinyPrompt(1));
    const byCallback = [];
    job.on('*', (ev) => byCallback.push(ev.type));
    const finished = await job.wait();
    const byIterator = [];
    for await (const ev of job) byIterator.push(ev.type);
    assert.equal(finished.status, 'SUCCESS');
    assert.equal(byIterator.at(-1), 'finished');
    assert.ok(byIterator.includes('output'), byIterator.join());
    assert.ok(byCallback.length <= byIterator.length);
    const previews = [];
    const withPreviews = await client.run(defaultWorkflow(), { params: { seed: 7 }, onPreview: (ev) => previews.push(ev) });
    assert.equal(withPreviews.status, 'SUCCESS');
    assert.ok(previews.length > 0 && previews[0].image instanceof Uint8Array && previews[0].image.length > 0);
  } finally {
    client.close();
  }
});

test('a listener attached late, even after the end, sees every event (of previews, the latest)', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const job = await client.queuePrompt(defaultWorkflow(), { params: { seed: 3 } });
    await job.wait();
    const seen = [];
    job.on('executing', (ev) => seen.push(`executing ${ev.node}`));
    job.on('preview', (ev) => seen.push(`preview ${ev.image.length > 0}`));
    job.on('finished', (ev) => seen.push(`finished ${ev.result.status}`));
    assert.ok(seen.filter((s) => s.startsWith('executing')).length >= 3, seen.join());
    assert.deepEqual(seen.filter((s) => s.startsWith('preview')), ['preview true']);
    assert.equal(seen.at(-1), 'finished SUCCESS');
    const iterated = [];
    for await (const ev of job) iterated.push(ev.type);
    assert.equal(iterated.filter((t) => t === 'preview').length, 1, 'one preview kept for late readers');
    assert.equal(iterated.at(-1), 'finished');
  } finally {
    client.close();
  }
});

test('two concurrent jobs on one client, one failing, do not mix', async () => {
  const e = await emulator();
  await e.config({ execution_error: 'ImageInvert' });
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const failing = tinyPrompt(2, { 3: { class_type: 'ImageInvert', inputs: { image: ['1', 0] } }, 4: { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'bad' } } });
    const [good, bad] = await Promise.all([
      client.run(tinyPrompt(3)),
      client.run(failing, { throwOnFailure: false }),
    ]);
    assert.equal(good.status, 'SUCCESS');
    assert.equal(bad.status, 'EXECUTION_ERROR');
    assert.notEqual(good.promptId, bad.promptId);
    assert.ok(good.files.every((f) => f.filename.startsWith('t3')));
    await assert.rejects(client.run(failing), (err) => err.code === 'EXECUTION_ERROR' && err.result.status === 'EXECUTION_ERROR');
  } finally {
    client.close();
  }
});

test('cancel: own running and waiting jobs only; a bystander finishes', async () => {
  const e = await emulator();
  // ComfyUI checks for an interrupt when a node starts (and at sampler steps), so the first node
  // is slow and the interrupt lands while it runs.
  await e.config({ node_ms: 20, node_durations: { EmptyImage: 800 } });
  const mine = await cw.ComfyClient.connect(e.url);
  const other = await cw.ComfyClient.connect(e.url);
  try {
    const running = await mine.queuePrompt(tinyPrompt(4));
    const bystander = await other.queuePrompt(tinyPrompt(5));
    const waiting = await mine.queuePrompt(tinyPrompt(6));
    // The iterator replays from the start (a callback added now could miss the event).
    for await (const ev of running) if (ev.type === 'executing') break;
    await waiting.cancel();
    await running.cancel();
    const [r, b, w] = await Promise.all([running.wait(), bystander.wait(), waiting.wait()]);
    assert.ok(['CANCELLED', 'INTERRUPTED'].includes(r.status), r.status);
    assert.equal(w.status, 'CANCELLED');
    assert.equal(b.status, 'SUCCESS');
  } finally {
    mine.close();
    other.close();
  }
});

test('AbortSignal and timeoutMs cancel the job on the server', async () => {
  const e = await emulator();
  await e.config({ node_ms: 400 });
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const controller = new AbortController();
    const pending = client.run(tinyPrompt(7), { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(pending, (err) => err.code === 'ABORTED' && ['CANCELLED', 'INTERRUPTED'].includes(err.result.status));
    await assert.rejects(client.run(tinyPrompt(8), { timeoutMs: 200 }), (err) => err.code === 'TIMEOUT');
    await assert.rejects(client.getQueue({ signal: AbortSignal.abort() }), (err) => err.code === 'ABORTED');
    // The interrupt takes effect when the next node starts; allow for it.
    assert.equal(await jobsLeft(client), 0, 'nothing left running');
  } finally {
    client.close();
  }
});

test('fault matrix: every fault ends in the right outcome, none hangs', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect({ server: e.url, silenceMs: 500 });
  const outcome = async (faults, prompt) => {
    await e.reset();
    await e.config({ node_ms: 2, steps: 3, ...faults });
    try {
      return (await client.run(prompt, { timeoutMs: 10000, throwOnFailure: false })).status;
    } catch (err) {
      return err.code;
    }
  };
  try {
    assert.equal(await outcome({ instant_finish: true }, tinyPrompt(10)), 'SUCCESS', 'job finished before POST /prompt answered');
    assert.equal(await outcome({ ws_drop_mid_job: true, slow_history_ms: 300 }, defaultWorkflow()), 'SUCCESS', 'socket dropped mid-job');
    assert.equal(await outcome({ garbage_ws_frames: true }, tinyPrompt(11)), 'SUCCESS', 'garbage frames');
    assert.equal(await outcome({ reassign_prompt_id: true }, tinyPrompt(15)), 'SUCCESS', 'the server ran it under its own id');
    assert.equal(await outcome({ execution_error: '*' }, tinyPrompt(12)), 'EXECUTION_ERROR');
    // A browser cannot read a 500 the server sends without CORS headers (ComfyUI never adds them to one).
    assert.equal(await outcome({ prompt_500: true }, tinyPrompt(13)), target === 'wasm-browser' ? 'NETWORK' : 'HTTP_STATUS');
    assert.equal(await outcome({}, { 1: { class_type: 'Nope', inputs: {} } }), 'PROMPT_REJECTED');
    await e.reset();
    await e.config({ node_ms: 500 });
    const job = await client.queuePrompt(tinyPrompt(14));
    await sleep(100);
    await e.restart();
    const lost = await job.wait();
    assert.equal(lost.status, 'JOB_LOST', 'a restart loses the job and says so');
  } finally {
    client.close();
  }
});

test('the server refuses a prompt: PROMPT_REJECTED with node errors', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const bad = cw.set(defaultText, {}, { catalog });
    bad['3'].inputs.steps = 100000;
    await assert.rejects(client.queuePrompt(bad), (err) => err.code === 'PROMPT_REJECTED' && err.nodeErrors['3'] !== undefined);
  } finally {
    client.close();
  }
});

test('partial acceptance: the result names the dropped outputs and why; strict refuses it', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const partial = tinyPrompt(4, { 3: { class_type: 'SaveImage', inputs: { filename_prefix: 'broken' } } });
    const result = await client.run(partial);
    assert.equal(result.status, 'SUCCESS');
    assert.deepEqual(result.droppedOutputs, ['3']);
    assert.equal(result.nodeErrors['3'].errors[0].type, 'required_input_missing');
    assert.equal(result.files.length, 1, 'the valid output ran');
    const before = Object.keys(await client.getHistory()).length;
    await assert.rejects(client.run(partial, { strict: true }), (err) => err.code === 'PROMPT_REJECTED' && err.nodeErrors['3'] !== undefined);
    const after = Object.keys(await client.getHistory()).length;
    assert.equal(after, before, 'nothing was submitted');
    const whole = await client.run(tinyPrompt(5), { strict: true });
    assert.equal(whole.status, 'SUCCESS');
    assert.equal(whole.droppedOutputs, undefined);
  } finally {
    client.close();
  }
});

test('server messages as an async iterator and as callbacks', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const types = new Set();
    const statuses = [];
    const off = client.on('status', (m) => statuses.push(m));
    // Messages count from the moment events() returns: nothing of the run below is missed.
    const reading = (async () => {
      for await (const m of client.events()) {
        types.add(m.type);
        if (m.type === 'execution_success') break;
      }
    })();
    await client.run(tinyPrompt(20));
    await reading;
    off();
    for (const type of ['execution_start', 'executing', 'executed', 'execution_success']) assert.ok(types.has(type), `${type} in ${[...types]}`);
    assert.ok(statuses.length > 0 && typeof statuses[0].queueRemaining === 'number');
    // A reader that does not keep up holds a bounded queue, and is told how much it lost.
    const slow = client.events({ maxQueued: 3 });
    await client.run(tinyPrompt(21));
    const kept = [];
    for (let i = 0; i < 3; i++) kept.push((await slow.next()).value.type);
    assert.ok(slow.dropped > 0, `dropped ${slow.dropped}`);
    assert.ok(kept.includes('execution_success') || kept.includes('executing') || kept.includes('status'), kept.join());
    await slow.return();
    // An AbortSignal ends an iterator that is waiting; so does close().
    const controller = new AbortController();
    const idle = (async () => { for await (const m of client.events({ signal: controller.signal })) void m; })();
    setTimeout(() => controller.abort(), 20);
    await idle;
    const waiting = (async () => { for await (const m of client.events()) void m; return 'ended'; })();
    client.close();
    assert.equal(await waiting, 'ended');
  } finally {
    client.close();
  }
});

test('uploads, queue, history, system stats, catalog', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const png = await fixtureBytes(`media/${(await listFixtures('media', '.png'))[0]}`);
    const stored = await client.upload(png, 'input.png', { subfolder: 'cw' });
    assert.equal(stored.type, 'input');
    assert.equal(stored.inputName, `cw/${stored.filename}`);
    assert.deepEqual([...(await client.view(stored)).slice(0, 8)], [...png.slice(0, 8)]);
    // Same name, same bytes: ComfyUI keeps one file; different bytes: it picks a new name.
    const same = await client.upload(png, 'input.png', { subfolder: 'cw' });
    assert.equal(same.filename, stored.filename);
    const other = await client.upload(png.slice(0, png.length - 1), 'input.png', { subfolder: 'cw' });
    assert.notEqual(other.filename, stored.filename, 'the server renamed the second upload');
    const queue = await client.getQueue();
    assert.deepEqual(Object.keys(queue).sort(), ['pending', 'running']);
    await client.free({ unloadModels: true, freeMemory: true });
    const stats = await client.systemStats();
    assert.ok(stats.system);
    const serverCatalog = await client.objectInfo();
    assert.ok(serverCatalog.has('KSampler'));
    assert.equal(await client.objectInfo(), serverCatalog, 'read once, kept');
    const r = await client.run(tinyPrompt(30));
    const history = await client.getHistory(undefined, { maxItems: 1 });
    assert.deepEqual(Object.keys(history), [r.promptId]);
    await client.deleteHistory([r.promptId]);
    assert.deepEqual(await client.getHistory(r.promptId), {});
  } finally {
    client.close();
  }
});

test('connection errors have codes', async () => {
  await assert.rejects(cw.ComfyClient.connect('not a url'), (err) => err.code === 'INVALID_URL');
  await assert.rejects(cw.ComfyClient.connect('http://127.0.0.1:9'), (err) => err.code === 'NETWORK');
  await assert.rejects(cw.ComfyClient.connect({}), (err) => err.code === 'INVALID_ARGUMENT');
  // A header value no transport can send is refused before anything is sent, without quoting it.
  await assert.rejects(cw.ComfyClient.connect({ server: 'http://127.0.0.1:9', bearer: 'a\nSECRET' }), (err) => err.code === 'INVALID_ARGUMENT' && !err.message.includes('SECRET'));
  const e = await emulator();
  await e.config({ forbidden: true });
  // Node (either build) sees the 403; a browser sees it only when the refusal carries CORS headers.
  const refused = target === 'wasm-browser' ? ['HTTP_STATUS', 'NETWORK'] : ['HTTP_STATUS'];
  await assert.rejects(cw.ComfyClient.connect(e.url), (err) => refused.includes(err.code) && (err.code !== 'HTTP_STATUS' || err.status === 403));
});

test('a redirect to another origin carries no credentials; a browser does not follow one', async () => {
  const e = await emulator();
  // ComfyUI's CORS answer allows no custom header, so a page can send only the bearer.
  const headers = target === 'wasm-browser' ? {} : { 'X-Api-Key': 'KEY-SECRET' };
  const client = await cw.ComfyClient.connect({ server: e.url, bearer: 'BEARER-SECRET', headers });
  try {
    if (target === 'wasm-browser') {
      await e.config({ redirect_object_info: `${e.url}/object_info?again` });
      await assert.rejects(client.objectInfo({ refresh: true }), (err) => err.code === 'NETWORK' && /redirect/.test(err.message));
      return;
    }
    // Another origin that records what reaches it and answers an empty catalog.
    const { createServer } = await import('node:http');
    const seen = [];
    const other = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    await new Promise((ready) => other.listen(0, '127.0.0.1', ready));
    try {
      await e.config({ redirect_object_info: `http://127.0.0.1:${other.address().port}/object_info` });
      const catalog = await client.objectInfo({ refresh: true });
      assert.equal(catalog.classCount(), 0, 'the redirect was followed');
      assert.equal(seen.length, 1);
      assert.equal(seen[0].authorization, undefined);
      assert.equal(seen[0]['x-api-key'], undefined);
    } finally {
      other.close();
    }
  } finally {
    client.close();
  }
});

test('a request that outlives requestTimeoutMs is TIMEOUT, with its route', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect({ server: e.url, requestTimeoutMs: 300 });
  try {
    await e.config({ slow_history_ms: 3000 });
    const started = Date.now();
    await assert.rejects(client.getHistory('some-id'), (err) => err.code === 'TIMEOUT' && err.route === '/history/{id}' && err.timeoutMs === 300);
    assert.ok(Date.now() - started < 2500, 'it gave up at its deadline, not at the answer');
  } finally {
    client.close();
  }
});

test('the browser is refused without CORS mode (403), as by ComfyUI', { skip: target !== 'wasm-browser' }, async () => {
  const e = await emulator([], { cors: false });
  await assert.rejects(cw.ComfyClient.connect(e.url), (err) => err.code === 'NETWORK');
});

test('in a browser, a server error without CORS headers is a typed network error, not a hang', { skip: target !== 'wasm-browser' }, async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    await e.config({ prompt_500: true });
    await assert.rejects(client.queuePrompt(tinyPrompt(31)), (err) => err.code === 'NETWORK' && /CORS/.test(err.message) && /POST \/prompt|prompt/.test(err.message));
    // A wrong method (405) carries no CORS headers either; a 404 the server returns does.
    assert.equal((await fetch(`${e.url}/queue`)).status, 200, 'what a handler returns is readable');
    assert.equal((await fetch(`${e.url}/no/such/route`)).status, 404);
    await assert.rejects(fetch(`${e.url}/queue`, { method: 'PUT' }), TypeError);
  } finally {
    client.close();
  }
});

test('the browser build works in a module Web Worker', { skip: target !== 'wasm-browser' }, async () => {
  const e = await emulator();
  const worker = new Worker(new URL('./browser/worker-job.mjs', import.meta.url), { type: 'module' });
  try {
    const report = await new Promise((resolve, reject) => {
      worker.onmessage = (m) => resolve(m.data);
      worker.onerror = (ev) => reject(new Error(`worker: ${ev.message}`));
      // Node 3 is not an output's input, so it does not run, but the server keeps it in the prompt.
      worker.postMessage({ server: e.url, prompt: tinyPrompt(30, { 3: { class_type: 'RandomNoise', inputs: { noise_seed: 0 } } }) });
    });
    assert.equal(report.error, undefined);
    assert.equal(report.beforeInit, 'NOT_INITIALIZED');
    assert.equal(report.status, 'SUCCESS');
    assert.equal(report.files, 1);
    assert.ok(report.events.includes('progress') || report.events.includes('executing'), report.events.join());
    assert.equal(report.seed, '18446744073709551615', 'the exact seed reached the server');
  } finally {
    worker.terminate();
  }
});

test('a pool routes each job to a capable server with the shortest queue', async () => {
  const capable = await emulator();
  const lacking = await startEmulator({ args: ['--node-ms', '2', '--steps', '2'] });
  emulators.push(lacking);
  const pool = await cw.ComfyPool.connect([lacking.url, capable.url]);
  try {
    const results = await Promise.all([1, 2, 3].map((k) => pool.run(defaultWorkflow(), { params: { seed: k } })));
    for (const r of results) {
      assert.equal(r.status, 'SUCCESS');
      assert.equal(r.server, capable.url, 'the server without the checkpoint is never chosen');
    }
    const tiny = await Promise.all([40, 41, 42, 43].map((k) => pool.run(tinyPrompt(k))));
    assert.ok(tiny.every((r) => r.ok));
    assert.equal(new Set(tiny.map((r) => r.server)).size, 2, 'jobs any server can run are spread');
  } finally {
    pool.close();
  }
});

// ---- the session decides, the same in every build (one test per former divergence) ----------

test('session: close() ends every open job JOB_LOST and refuses new ones (CLIENT_CLOSED)', async () => {
  const e = await emulator();
  await e.config({ node_ms: 400 });
  const client = await cw.ComfyClient.connect(e.url);
  const jobs = [await client.queuePrompt(tinyPrompt(60)), await client.queuePrompt(tinyPrompt(61))];
  client.close();
  const results = await Promise.all(jobs.map((j) => j.wait()));
  assert.deepEqual(results.map((r) => r.status), ['JOB_LOST', 'JOB_LOST']);
  await assert.rejects(client.queuePrompt(tinyPrompt(62)), (err) => err.code === 'CLIENT_CLOSED');
});

test('session: a server that never comes back ends the job JOB_LOST after the reconnect window', async () => {
  const e = await emulator();
  await e.config({ node_ms: 3000 });
  const client = await cw.ComfyClient.connect({ server: e.url, reconnectWindowMs: 1500, silenceMs: 500 });
  try {
    const job = await client.queuePrompt(tinyPrompt(63));
    await sleep(100);
    const killedAt = Date.now();
    await e.stop();
    const result = await job.wait();
    const took = Date.now() - killedAt;
    assert.equal(result.status, 'JOB_LOST');
    assert.ok(took >= 1400 && took < 8000, `ended ${took} ms after the server died`);
  } finally {
    client.close();
  }
});

test('session: a deadline ends the job TIMEOUT and stops it on the server', async () => {
  const e = await emulator();
  await e.config({ node_ms: 300 });
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const job = await client.queuePrompt(tinyPrompt(64), { timeoutMs: 150 });
    const result = await job.wait();
    assert.equal(result.status, 'TIMEOUT');
    // The end waits for the server's answers to the stop, so it can say the job is stopped.
    assert.equal(result.serverStop, 'confirmed');
    assert.equal(await jobsLeft(client), 0, 'the job was stopped on the server');
    const done = await client.run(tinyPrompt(65), { timeoutMs: 10000 });
    assert.equal(done.serverStop, undefined, 'no stop was asked for a job that ended in time');
  } finally {
    client.close();
  }
});

test('session: a full event buffer never drops `finished` or its outputs', async () => {
  const e = await emulator();
  await e.config({ instant_finish: true, steps: 20 });
  const client = await cw.ComfyClient.connect({ server: e.url, jobEventCapacity: 2 });
  try {
    const job = await client.queuePrompt(defaultWorkflow());
    const seen = [];
    for await (const event of job) seen.push(event.type);
    const result = await job.wait();
    assert.equal(seen.at(-1), 'finished');
    assert.equal(result.status, 'SUCCESS');
    assert.equal(result.files.length, 1, 'the output survived');
  } finally {
    client.close();
  }
});

test('session: an idle connected client never wakes up for a timer', async () => {
  const e = await emulator();
  const client = await cw.ComfyClient.connect(e.url);
  try {
    await sleep(1200);
    assert.equal(client.timerWakeups, 0, 'no job open: no wake-ups');
    assert.equal((await client.run(tinyPrompt(65))).status, 'SUCCESS');
    const after = client.timerWakeups;
    await sleep(1200);
    assert.equal(client.timerWakeups, after, 'after the job ended it sleeps again');
  } finally {
    client.close();
  }
});

test('session: a pool skips an unreachable and an incapable server alike; none left is NO_SERVER', async () => {
  const capable = await emulator();
  const lacking = await startEmulator({ args: ['--node-ms', '2', '--steps', '2'] });
  emulators.push(lacking);
  const dead = await startEmulator();
  const deadUrl = dead.url;
  const pool = await cw.ComfyPool.connect([dead.url, lacking.url, capable.url]);
  try {
    await dead.stop();
    const r = await pool.run(defaultWorkflow());
    assert.equal(r.server, capable.url);
    await assert.rejects(pool.run({ 1: { class_type: 'NoSuchNode', inputs: {} } }), (err) => {
      assert.equal(err.code, 'NO_SERVER');
      assert.equal(err.reasons.length, 3, JSON.stringify(err.reasons));
      assert.ok(err.reasons.some((why) => why.startsWith(deadUrl)), 'the unreachable one is named');
      return true;
    });
  } finally {
    pool.close();
  }
  await assert.rejects(cw.ComfyPool.connect([deadUrl]), (err) => err.code === 'NO_SERVER');
});
