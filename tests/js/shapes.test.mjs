// The declared shapes (node/src/shapes.rs → node/binding.d.cts → the package's .d.ts) against the
// values the API really returns: every field a value has is declared, every required field is
// there. The values are built by the Rust core (comfywire::api), so this is what keeps the
// generated types honest when either side changes.
//   node --test tests/js/shapes.test.mjs        (the addon; the wasm build returns the same JSON)

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadApi, fixtureText, fixtureBytes, startEmulator } from './harness/index.mjs';

const cw = await loadApi();
const declarations = await readFile(new URL('../../node/binding.d.cts', import.meta.url), 'utf8');

/** interface name → Map(field → {optional}) from the generated declarations. */
function parseInterfaces(text) {
  const shapes = new Map();
  for (const match of text.matchAll(/export interface (\w+) \{\n([\s\S]*?)\n\}/g)) {
    const fields = new Map();
    for (const line of match[2].split('\n')) {
      const field = /^ {2}(\w+)(\?)?: (.*)$/.exec(line);
      if (field) fields.set(field[1], { optional: field[2] === '?', type: field[3].trim() });
    }
    shapes.set(match[1], fields);
  }
  return shapes;
}
const shapes = parseInterfaces(declarations);

function conforms(name, value, where = name) {
  const fields = shapes.get(name);
  assert.ok(fields, `${name} is declared in binding.d.cts`);
  assert.equal(typeof value, 'object', `${where} is an object`);
  for (const key of Object.keys(value)) {
    assert.ok(fields.has(key), `${where}.${key} is returned but ${name} does not declare it`);
  }
  for (const [key, { optional }] of fields) {
    if (!optional) assert.ok(key in value, `${where}.${key} is declared required but missing`);
  }
}

/** Whether a value fits a simple declared type: a union of number, bigint, string, boolean,
 * false, null, any and arrays (`any[]`, `Array<…>`). */
function hasType(value, type) {
  return type.split('|').map((t) => t.trim()).some((t) => {
    if (t === 'any') return true;
    if (t === 'false') return value === false;
    if (t === 'null') return value === null;
    if (t.endsWith('[]') || t.startsWith('Array<')) return Array.isArray(value);
    return typeof value === t;
  });
}

const DEFAULT = 'goldens/templates-old-0.1.0__default.workflow.json';

test('the declarations parse', () => {
  assert.ok(shapes.size >= 20, `${shapes.size} interfaces`);
  assert.ok(shapes.get('ParamSpec').has('selector'));
});

test('pure functions return the declared shapes', async () => {
  const text = await fixtureText(DEFAULT);
  const catalog = cw.loadCatalog(await fixtureText('object_info.json'));
  const converted = cw.convert(text, { catalog });
  conforms('ConvertResult', converted);
  for (const control of converted.controls) conforms('Control', control, 'control');
  const broken = JSON.parse(text);
  broken.nodes.push({ id: 99, type: 'NoSuchNode', inputs: [], outputs: [], widgets_values: [1] });
  for (const warning of cw.convert(broken, { catalog }).warnings) conforms('Warning', warning, 'warning');

  conforms('WorkflowInfo', cw.parseWorkflow(text));
  const limitsSeen = new Set();
  for (const param of cw.listParams(text, { catalog })) {
    conforms('ParamSpec', param, param.selector);
    // `spec` is ParamLimits plus whatever else the server declared: the declared limits must
    // have their declared types.
    for (const [key, { type }] of shapes.get('ParamLimits')) {
      if (key in param.spec) {
        limitsSeen.add(key);
        assert.ok(hasType(param.spec[key], type), `${param.selector}.spec.${key} = ${String(param.spec[key])} is not ${type}`);
      }
    }
  }
  for (const key of ['default', 'min', 'max', 'step', 'choices']) assert.ok(limitsSeen.has(key), `some parameter has spec.${key}`);
  for (const found of cw.findNodes(text, 'positive', { catalog })) conforms('FoundNode', found);

  const applied = cw.applyOverrides(text, { seed: 7, steps: 'many' }, { catalog });
  conforms('OverrideResult', applied);
  for (const issue of applied.issues) conforms('OverrideIssue', issue);
  const changed = cw.applyOverrides(text, { seed: 7 }, { catalog });
  for (const change of changed.changes) conforms('Change', change);

  const validation = cw.validate(changed.prompt, { catalog });
  conforms('Validation', validation);
  const bad = structuredClone(changed.prompt);
  bad['3'].inputs.steps = 100000;
  conforms('Validation', cw.validate(bad, { catalog }));

  conforms('Embedded', cw.extractFromImage(await fixtureBytes('media/view_output_of_run.png')));
});

test('the client returns the declared shapes', async () => {
  const e = await startEmulator({ args: ['--models-for', `tests/fixtures/${DEFAULT}`, '--node-ms', '2', '--steps', '2'] });
  const client = await cw.ComfyClient.connect(e.url);
  try {
    const messages = [];
    const off = client.on('*', (m) => messages.push(m));
    const job = await client.queuePrompt(await fixtureText(DEFAULT), { params: { seed: 1 } });
    const result = await job.wait();
    off();
    const seen = new Set();
    for await (const event of job) {
      seen.add(event.type);
      conforms('JobEvent', event, `${event.type} event`);
    }
    for (const type of ['started', 'executing', 'progress', 'output', 'finished']) assert.ok(seen.has(type), `a ${type} event`);
    conforms('JobResult', result);
    for (const file of result.files) conforms('OutputFile', file);
    assert.ok(messages.length > 0);
    for (const message of messages) conforms('ServerMessage', message, `${message.type} message`);

    const queue = await client.getQueue();
    conforms('QueueState', queue);
    const png = await fixtureBytes('media/view_output_of_run.png');
    conforms('UploadedFile', await client.upload(png, 'shape.png'));
    const slow = await e.config({ node_ms: 300 });
    assert.equal(slow.node_ms, 300);
    const running = await client.queuePrompt({ 1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 3 } }, 2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 's' } } });
    const busy = await client.getQueue();
    for (const item of [...busy.running, ...busy.pending]) conforms('QueueItem', item);
    assert.ok(busy.running.length + busy.pending.length > 0);
    await running.wait();
  } finally {
    client.close();
    e.stop();
  }
});

test('the addon and the wasm build export the same low-level interface', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const napi = require('../../node/binding.cjs');
  const wasm = await import('../../node/wasm/web/comfywire_wasm.js');
  // wasm-bindgen adds `free` (release the object) and the Item class the addon declares as an object.
  // …and its web glue exports its loaders (default, initSync) and a start function.
  const names = (m) => Object.keys(m).filter((k) => !k.startsWith('__') && !['Item', 'default', 'initSync', 'start'].includes(k)).sort();
  const methods = (c) => Object.getOwnPropertyNames(c.prototype).filter((k) => k !== 'constructor' && k !== 'free' && !k.startsWith('__')).sort();
  assert.deepEqual(names(napi), names(wasm));
  for (const cls of ['Catalog', 'NativeClient', 'NativeJob']) {
    assert.deepEqual(methods(napi[cls]), methods(wasm[cls]), cls);
    assert.equal(napi[cls].prototype.free, undefined, `${cls}.free in the addon would clash with wasm-bindgen's`);
  }
});

test('a panic in the addon is an INTERNAL error, and the process goes on', async () => {
  const { createRequire } = await import('node:module');
  const napi = createRequire(import.meta.url)('../../node/binding.cjs');
  assert.throws(() => napi.__panicForTests(), (err) => {
    const data = JSON.parse(err.message);
    return data.code === 'INTERNAL' && data.message.includes('deliberate panic');
  });
  assert.equal(typeof napi.version(), 'string', 'the addon still answers');
});
