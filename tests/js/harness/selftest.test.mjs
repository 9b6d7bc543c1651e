// Self-test of the test harness itself (tests/js/harness + tests/js/browser), in every target:
//   node --test tests/js/harness/selftest.test.mjs                        (Node; TARGET=wasm-node alike)
//   node tests/js/browser/run.mjs tests/js/harness/selftest.test.mjs      (headless Chromium)
// With HARNESS_API=selftest, loadApi() returns the harness's stub instead of the real comfywire
// module, so the harness can be checked while the bindings are not built.
import { test, describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { target, loadApi, fixtureText, fixtureBytes, listFixtures, startEmulator, sleep } from './index.mjs';

const inBrowser = typeof window !== 'undefined';
const emulators = [];

after(async () => {
  for (const e of emulators) await e.stop();
});

async function emulator(options) {
  const e = await startEmulator(options);
  emulators.push(e);
  return e;
}

const tinyPrompt = (tag) => ({
  1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: tag } },
  2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: `t${tag}` } },
});

async function json(url, init) {
  const res = await fetch(url, init);
  assert.equal(res.status, 200, `${init?.method ?? 'GET'} ${url}`);
  return res.json();
}

test('target names the environment', () => {
  assert.ok(['napi', 'wasm-node', 'wasm-browser'].includes(target), target);
  assert.equal(target === 'wasm-browser', inBrowser);
});

test('loadApi gives the module for this target', async () => {
  const api = await loadApi();
  if (api.isHarnessSelftestStub) {
    assert.equal(api.echo(5n), 5n);
  } else {
    assert.equal(api.runtime, target === 'napi' ? 'napi' : 'wasm');
    assert.equal(typeof api.ComfyClient, 'function');
  }
  assert.equal(await loadApi(), api, 'the same module every time');
});

test('fixtures: text, bytes, listings', async () => {
  const info = JSON.parse(await fixtureText('object_info.json'));
  assert.ok(info.KSampler, 'object_info.json has KSampler');
  const goldens = await listFixtures('goldens', '.workflow.json');
  assert.ok(goldens.length >= 452, `${goldens.length} goldens`);
  assert.deepEqual(goldens, [...goldens].sort());
  assert.ok(goldens.every((g) => g.endsWith('.workflow.json') && !g.includes('/')));
  const pngs = await listFixtures('media', '.png');
  assert.ok(pngs.length > 0);
  const png = await fixtureBytes(`media/${pngs[0]}`);
  assert.equal(Object.getPrototypeOf(png), Uint8Array.prototype, 'a plain Uint8Array');
  assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.deepEqual(png.slice(1, 4), new TextEncoder().encode('PNG'));
  await assert.rejects(fixtureText('no/such/file.json'));
});

test('a CORS emulator: fetch, config, reset, restart, stop', async () => {
  const e = await emulator({ cors: true, args: ['--node-ms', '5'] });
  assert.match(e.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const stats = await json(`${e.url}/system_stats`);
  assert.ok(stats.system, 'system_stats has system');
  const knobs = await e.config({ node_ms: 2000 });
  assert.equal(knobs.node_ms, 2000);
  // A cross-origin POST with a JSON body needs the preflight that CORS mode answers.
  const queued = await json(`${e.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: tinyPrompt(1) }) });
  assert.equal(typeof queued.prompt_id, 'string');
  const queue = await json(`${e.url}/queue`);
  assert.equal(queue.queue_running.length + queue.queue_pending.length, 1);
  await e.restart();
  const after = await json(`${e.url}/queue`);
  assert.equal(after.queue_running.length + after.queue_pending.length, 0, 'a restart empties the queue');
  assert.deepEqual(await json(`${e.url}/history`), {}, 'and the history');
  assert.equal((await e.reset()).node_ms, 5, 'reset goes back to the command line');
  await e.stop();
  await e.stop(); // idempotent
  await assert.rejects(fetch(`${e.url}/system_stats`), TypeError);
});

test('without CORS mode a cross-origin request is refused (403)', async () => {
  const e = await emulator({ cors: false });
  if (inBrowser) {
    // The 403 carries no Access-Control-Allow-Origin, so the page only sees a network error.
    await assert.rejects(fetch(`${e.url}/system_stats`), TypeError);
    const opaque = await fetch(`${e.url}/system_stats`, { mode: 'no-cors' });
    assert.equal(opaque.type, 'opaque');
  } else {
    const refused = await fetch(`${e.url}/system_stats`, { headers: { origin: 'http://127.0.0.1:1' } });
    assert.equal(refused.status, 403);
    assert.equal((await fetch(`${e.url}/system_stats`)).status, 200, 'no Origin header: allowed');
  }
  assert.equal((await e.config({})).forbidden, false, 'the control routes still work');
});

test('the default CORS mode follows the target', async () => {
  const e = await emulator();
  const res = await fetch(`${e.url}/system_stats`, inBrowser ? {} : { headers: { origin: 'http://127.0.0.1:1' } });
  if (inBrowser) assert.equal(res.status, 200);
  else assert.equal(res.status, 403, 'Node targets default to no CORS');
});

test('sleep waits', async () => {
  const t0 = performance.now();
  await sleep(60);
  assert.ok(performance.now() - t0 >= 55);
});

// ---- the runner and assert: checked against Node's own in Node, the shims in the browser -------

describe('runner', () => {
  const log = [];
  before(() => log.push('before'));
  beforeEach((t) => log.push(`beforeEach ${t.name}`));
  afterEach((t) => log.push(`afterEach ${t.name}`));
  after(() => {
    assert.deepEqual(log, [
      'before',
      'beforeEach one', 'one', 'afterEach one',
      'beforeEach two', 'two', 'afterEach two',
      'beforeEach subtests', 'beforeEach first', 'afterEach first', 'beforeEach second', 'afterEach second', 'afterEach subtests',
    ]);
  });
  it('one', () => log.push('one'));
  it('two', async () => {
    await sleep(1);
    log.push('two');
  });
  it('skipped by option', { skip: 'reason' }, () => log.push('never'));
  it('subtests', { timeout: 5000 }, async (t) => {
    const order = [];
    await t.test('first', () => order.push(1));
    await t.test('second', async () => {
      await sleep(1);
      order.push(2);
    });
    assert.deepEqual(order, [1, 2]);
  });
});

test('skipped at runtime', (t) => {
  t.skip('not today');
});

test('a done callback', (t, done) => {
  setTimeout(done, 1);
});

test('assert: strict deep equality', () => {
  assert.deepEqual({ a: 1n, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1n }, 'key order is ignored');
  assert.deepEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]));
  assert.deepEqual(new Map([[1, { a: 1 }], [{ k: 1 }, 2]]), new Map([[{ k: 1 }, 2], [1, { a: 1 }]]));
  assert.deepEqual(new Set([1, { a: 1 }]), new Set([{ a: 1 }, 1]));
  assert.deepEqual(NaN, NaN);
  assert.notDeepEqual({ a: 1n }, { a: 1 });
  assert.notDeepEqual({ a: undefined }, {});
  assert.notDeepEqual(new Uint8Array([1]), [1]);
  assert.notDeepEqual(new Uint8Array([1]), new Uint16Array([1]));
  assert.notDeepEqual(0, -0);
  assert.notDeepEqual([1, 2], [2, 1]);
  assert.notDeepEqual(new Set([{ a: 1 }]), new Set([{ a: 2 }]));
  const cyclic = { name: 'x' };
  cyclic.self = cyclic;
  const cyclic2 = { name: 'x' };
  cyclic2.self = cyclic2;
  assert.deepEqual(cyclic, cyclic2);
  assert.throws(() => assert.deepEqual({ p: { seed: 1n } }, { p: { seed: 2n } }), (e) => e instanceof assert.AssertionError && e.code === 'ERR_ASSERTION');
  assert.throws(() => assert.equal({}, {}), assert.AssertionError);
  assert.equal(1n, 1n);
  assert.notEqual(1, '1');
  assert.strictEqual('a', 'a');
});

test('assert: throws, rejects, match and friends', async () => {
  const boom = () => {
    throw Object.assign(new TypeError('bad thing'), { code: 'BAD' });
  };
  assert.throws(boom);
  assert.throws(boom, TypeError);
  assert.throws(boom, /bad thing/);
  assert.throws(boom, { name: 'TypeError', code: 'BAD', message: /bad/ });
  assert.throws(boom, (e) => e.code === 'BAD');
  assert.throws(() => assert.throws(boom, (e) => e.code === 'OTHER'), assert.AssertionError);
  assert.throws(() => assert.throws(boom, RangeError), assert.AssertionError);
  assert.throws(() => assert.throws(() => {}), /Missing expected exception/);
  await assert.rejects(Promise.reject(new RangeError('late')), RangeError);
  await assert.rejects(async () => boom(), { code: 'BAD' });
  await assert.rejects(assert.rejects(Promise.resolve(1)), /Missing expected rejection/);
  await assert.doesNotReject(Promise.resolve(2));
  await assert.rejects(assert.doesNotReject(Promise.reject(new Error('no'))), assert.AssertionError);
  assert.doesNotThrow(() => 1);
  assert.throws(() => assert.doesNotThrow(boom), assert.AssertionError);
  assert.match('comfywire', /wire$/);
  assert.doesNotMatch('comfywire', /^wire/);
  assert.throws(() => assert.match('abc', /z/), assert.AssertionError);
  assert.throws(() => assert.fail('stop'), { message: 'stop', code: 'ERR_ASSERTION' });
  assert.throws(() => assert.ok(0), assert.AssertionError);
  assert.throws(() => assert.equal(1, 2, 'custom'), { message: /^custom/ });
  assert.throws(() => assert.ok(false, 'custom'), { message: 'custom' });
  assert.ok(true);
  assert(1);
});
