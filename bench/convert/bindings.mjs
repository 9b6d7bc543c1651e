// The napi and wasm-node rows of the conversion benchmark (bench/convert.sh): the golden corpus
// (JSON text of every editor workflow) through comfywire's JavaScript API, `convertJson(text,
// {catalog})` (text in, the prompt's JSON text out), with the catalog loaded once from the same
// object_info.json the native and comfy-cli rows use. One child process per build.
//
//   node bench/convert/bindings.mjs <fixtures dir> [rounds] [--targets napi,wasm]
//     → one JSON array on stdout: [{name, target, build, converted, exact, median_ms, p95_ms, items_per_s, per_item_median_us}]
//
// `exact`: the output equals the editor's golden prompt, compared as parsed JSON (key order
// ignored, integers exact, 1 and 1.0 equal: the same rule as the native row's `json_eq` and
// comfy-cli's Python `==`).

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byId } from '../adapters/index.mjs';
import { childPayload, emit, flag, runChild } from '../lib/child.mjs';
import { median, percentile } from '../lib/report.mjs';

const SCRIPT = fileURLToPath(import.meta.url);

const payload = childPayload();
if (payload) await child(payload);
else await parent();

function deepEqual(a, b) {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    // eslint-disable-next-line eqeqeq
    return (typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && a == b;
  }
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, k) => deepEqual(x, b[k]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

async function child({ lib, fixtures, rounds, warmup }) {
  let adapter;
  try {
    adapter = await byId(lib).load();
  } catch (err) {
    return emit({ lib, unavailable: err.message });
  }
  const { api } = adapter;
  const dir = join(fixtures, 'goldens');
  const stems = readdirSync(dir).filter((f) => f.endsWith('.workflow.json')).map((f) => f.slice(0, -'.workflow.json'.length)).sort();
  const texts = stems.map((s) => readFileSync(join(dir, `${s}.workflow.json`), 'utf8'));
  const goldens = stems.map((s) => api.parseJsonExact(readFileSync(join(dir, `${s}.prompt.json`), 'utf8')));
  const catalog = api.loadCatalog(readFileSync(join(fixtures, 'object_info.json'), 'utf8'));
  const options = { catalog };

  const one = (text) => {
    try {
      return api.convertJson(text, options);
    } catch {
      return null; // a refusal counts as not converted
    }
  };
  const outputs = texts.map(one);
  const converted = outputs.filter((o) => o !== null).length;
  const exact = outputs.filter((o, k) => o !== null && deepEqual(api.parseJsonExact(o), goldens[k])).length;

  const round = () => {
    let done = 0;
    for (const t of texts) if (one(t) !== null) done++;
    return done;
  };
  for (let k = 0; k < warmup; k++) round();
  const times = [];
  for (let k = 0; k < rounds; k++) {
    const t = performance.now();
    round();
    times.push(performance.now() - t);
  }
  const perItem = texts.map((t) => {
    const s = performance.now();
    one(t);
    return (performance.now() - s) * 1000;
  });
  const med = median(times);
  emit({
    lib,
    name: `comfywire ${adapter.api.runtime === 'wasm' ? 'wasm-node' : 'napi'} (JS API, convertJson)${adapter.build === 'debug' ? ' (debug build)' : ''}`,
    target: adapter.api.runtime,
    build: adapter.build,
    binary: adapter.binary,
    workflows: texts.length,
    converted,
    exact,
    rounds,
    median_ms: med,
    p95_ms: percentile(times, 95),
    items_per_s: texts.length / (med / 1000),
    per_item_median_us: median(perItem),
  });
}

async function parent() {
  const fixtures = resolve(process.argv[2] ?? 'tests/fixtures');
  const rounds = Number(process.argv[3] ?? 10);
  const warmup = Number(flag('warmup', 'BENCH_WARMUP_ROUNDS', 2));
  const targets = flag('targets', 'BENCH_TARGETS', 'napi,wasm').split(',');
  const rows = [];
  for (const target of targets) {
    const lib = byId(`comfywire-${target}`);
    process.stderr.write(`convert: ${lib.id} …\n`);
    const r = await runChild(SCRIPT, { lib: lib.id, fixtures, rounds, warmup }, { nodeArgs: lib.nodeArgs, hardTimeoutMs: 900000 });
    if (r.unavailable || r.childError) {
      process.stderr.write(`convert: ${lib.id} unavailable: ${r.unavailable ?? `${r.childError} ${r.stderr}`}\n`);
      rows.push({ lib: lib.id, name: `comfywire ${target}`, unavailable: r.unavailable ?? r.childError });
      continue;
    }
    rows.push(r);
  }
  console.log(JSON.stringify(rows));
}
