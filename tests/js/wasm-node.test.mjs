// The wasm build in Node: exact conversion of the whole golden corpus, the BigInt rule, errors
// with codes, validation as a value, and a real run over fetch + WebSocket against the emulator.
//   WASM_PKG=<wasm-bindgen --target nodejs dir> EMULATOR=<binary> node --test tests/js/wasm-node.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const wasm = require(join(process.env.WASM_PKG, 'comfywire_wasm.js'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const catalog = wasm.Catalog.fromJson(readFileSync(join(fixtures, 'object_info.json'), 'utf8'));

// JSON with numbers kept as text, so comparisons are exact (JSON.parse would round big ints).
function exact(text) {
  let i = 0;
  const ws = () => { while (/\s/.test(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const o = {}; ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) { ws(); const k = value(); ws(); i++; o[k] = value(); ws(); if (text[i++] === '}') return o; }
    }
    if (c === '[') {
      i++; const a = []; ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) { a.push(value()); ws(); if (text[i++] === ']') return a; }
    }
    if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      return JSON.parse(text.slice(start, ++i));
    }
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i));
    i += m[0].length;
    if (m[0] === 'true' || m[0] === 'false' || m[0] === 'null') return JSON.parse(m[0]);
    return { num: /^-?\d+$/.test(m[0]) ? BigInt(m[0]).toString() : String(Number(m[0])) };
  };
  return value();
}

test('the whole golden corpus converts exactly as the editor did', () => {
  const dir = join(fixtures, 'goldens');
  const stems = readdirSync(dir).filter((f) => f.endsWith('.workflow.json')).map((f) => f.slice(0, -14));
  let same = 0;
  const differ = [];
  for (const stem of stems) {
    const got = wasm.convertJson(readFileSync(join(dir, `${stem}.workflow.json`), 'utf8'), catalog, undefined);
    const want = readFileSync(join(dir, `${stem}.prompt.json`), 'utf8');
    try { assert.deepStrictEqual(exact(got), exact(want)); same++; } catch { differ.push(stem); }
  }
  // The Rust golden test documents the single editor-side non-determinism (LoadImageOutput).
  assert.ok(stems.length >= 452, `${stems.length} goldens`);
  assert.ok(differ.length <= 1, `differ: ${differ.join(', ')}`);
  console.log(`wasm-node: ${same}/${stems.length} identical`);
});

test('integers beyond 2^53 come out as BigInt and go back exactly', () => {
  const prompt = { 3: { class_type: 'KSampler', inputs: { seed: 18446744073709551615n, steps: 20 } } };
  const out = wasm.convert(prompt, catalog, undefined);
  assert.equal(out.prompt['3'].inputs.seed, 18446744073709551615n);
  assert.equal(typeof out.prompt['3'].inputs.steps, 'number');
  const text = wasm.convertJson(JSON.stringify({ 3: { class_type: 'KSampler', inputs: { seed: 1 } } }).replace('1}', '18446744073709551615}'), catalog, undefined);
  assert.match(text, /18446744073709551615/);
});

test('errors carry stable codes and data; validation is a value', () => {
  assert.throws(() => wasm.convert('{"nodes": 3', catalog, undefined), (e) => e.code === 'JSON_SYNTAX' && e.line === 1);
  assert.throws(() => wasm.findNodes({ 1: { class_type: 'KSampler', inputs: {} }, 2: { class_type: 'KSampler', inputs: {} } }, 'KSampler', catalog, undefined),
    (e) => e.code === 'AMBIGUOUS_SELECTOR' && e.candidates.length === 2);
  const capture = JSON.parse(readFileSync(join(fixtures, 'captures/err_int_above_max.json'), 'utf8'));
  const v = wasm.validate(capture.request.body, catalog, undefined);
  assert.equal(v.accepted, false);
  assert.deepEqual(JSON.parse(JSON.stringify(v.body, (k, x) => (typeof x === 'bigint' ? Number(x) : x))), capture.response.body_json);
  assert.throws(() => wasm.convert({}, { handle: 999 }, undefined), (e) => e.code === 'INVALID_CATALOG');
});

let emulator;
after(() => emulator?.kill());

async function startEmulator() {
  emulator = spawn(process.env.EMULATOR, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const line = await new Promise((resolve) => createInterface({ input: emulator.stdout }).once('line', resolve));
  return line.trim();
}

test('a run over fetch + WebSocket, from the wasm transport', { skip: !process.env.EMULATOR || typeof WebSocket !== 'function' }, async () => {
  const url = await startEmulator();
  const client = await wasm.NativeClient.connect({ server: url });
  const prompt = {
    1: { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 255 } },
    2: { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    3: { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'wasm' } },
  };
  const job = await client.submit(prompt, { timeoutMs: 10000 });
  const types = [];
  let result;
  for (let item = await job.next(); item; item = await job.next()) {
    types.push(item.event.type);
    if (item.event.type === 'finished') result = item.event.result;
  }
  assert.equal(result.status, 'SUCCESS', JSON.stringify(result));
  assert.ok(types.includes('executing') && types.includes('output'), types.join());
  const png = await client.view(result.files[0]);
  assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  await assert.rejects(client.submit({ 1: { class_type: 'Nope', inputs: {} } }, {}), (e) => e.code === 'PROMPT_REJECTED' && e.nodeErrors !== undefined);
  client.close();
});
