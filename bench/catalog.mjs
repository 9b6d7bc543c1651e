// Catalog parsing: the real GET /object_info of ComfyUI 0.3.64 (tests/fixtures/object_info.json)
// and a generated one of ~100 MB (its entries repeated under renamed class names, byte for byte
// otherwise), parsed by comfywire's `loadCatalog(text)` and by `JSON.parse(text)` in the same
// process. One child process per comfywire build (napi, wasm); median of several runs.
//
//   node catalog.mjs [--size-mb 100] [--runs-small 30] [--runs-big 5] [--targets napi,wasm] [--out results/catalog.json]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARIES } from './adapters/index.mjs';
import { childPayload, emit, flag, runChild } from './lib/child.mjs';
import { ROOT } from './lib/emulator.mjs';
import { fmt, machine, median, ratio, table, writeJson } from './lib/report.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'object_info.json');

const payload = childPayload();
if (payload) await child(payload);
else await parent();

/** The top-level members of a JSON object as [key, raw value text], exactly as written. */
function members(text) {
  const out = [];
  let i = text.indexOf('{') + 1;
  const n = text.length;
  const skipWs = () => { while (i < n && ' \t\r\n,'.includes(text[i])) i++; };
  const endOfString = (k) => { // k at the opening quote
    for (k++; k < n; k++) {
      if (text[k] === '\\') k++;
      else if (text[k] === '"') return k + 1;
    }
    throw new Error('unterminated string');
  };
  for (;;) {
    skipWs();
    if (i >= n || text[i] === '}') break;
    const keyEnd = endOfString(i);
    const key = JSON.parse(text.slice(i, keyEnd));
    i = text.indexOf(':', keyEnd) + 1;
    while (' \t\r\n'.includes(text[i])) i++;
    const start = i;
    let depth = 0;
    for (; i < n; i++) {
      const ch = text[i];
      if (ch === '"') i = endOfString(i) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) break;
        depth--;
        if (depth === 0) { i++; break; }
      } else if (depth === 0 && ch === ',') break;
    }
    out.push([key, text.slice(start, i)]);
  }
  return out;
}

/** ~`mb` MB of object_info: every real entry again and again, renamed `Class__copyN`. */
function generate(text, mb) {
  const entries = members(text);
  const parts = [];
  let size = 2;
  for (let copy = 1; size < mb * 1e6; copy++) {
    for (const [key, raw] of entries) {
      const name = `${key}__copy${copy}`;
      // The entry's own "name" field follows its class name.
      const value = raw.replace(`"name": ${JSON.stringify(key)}`, `"name": ${JSON.stringify(name)}`);
      const part = `${JSON.stringify(name)}: ${value}`;
      parts.push(part);
      size += part.length + 2;
    }
  }
  return `{${parts.join(', ')}}`;
}

function time(f, runs) {
  const ms = [];
  let last;
  f(); // warm-up
  for (let k = 0; k < runs; k++) {
    globalThis.gc?.();
    const t = performance.now();
    last = f();
    ms.push(performance.now() - t);
  }
  return { medianMs: median(ms), runsMs: ms, last };
}

async function child({ lib: id, sizeMb, runsSmall, runsBig }) {
  const real = readFileSync(FIXTURE, 'utf8');
  const big = generate(real, sizeMb);
  const inputs = [
    { name: 'object_info.json (ComfyUI 0.3.64)', text: real, runs: runsSmall },
    { name: `generated (${fmt(big.length / 1e6, 0)} MB)`, text: big, runs: runsBig },
  ];
  let api = null;
  let adapter = null;
  let unavailable = null;
  try {
    adapter = await LIBRARIES.find((l) => l.id === id).load();
    api = adapter.api;
    if (typeof api.loadCatalog !== 'function') throw Object.assign(new Error('no loadCatalog'), { unavailable: true });
  } catch (err) {
    if (!err.unavailable) return emit({ error: String(err?.stack ?? err) });
    unavailable = err.message;
  }
  const classCount = (c) => (typeof c.classCount === 'function' ? c.classCount() : c.classCount);
  const results = [];
  for (const input of inputs) {
    const bytes = Buffer.byteLength(input.text);
    const jp = time(() => Object.keys(JSON.parse(input.text)).length, input.runs);
    const row = { input: input.name, bytes, runs: input.runs, classes: jp.last, jsonParse: { medianMs: jp.medianMs, mbPerSec: bytes / 1e6 / (jp.medianMs / 1000) } };
    if (api) {
      const cw = time(() => {
        const catalog = api.loadCatalog(input.text);
        const n = classCount(catalog);
        catalog.free?.(); // the wasm build's memory is not the JS heap's: free it between runs
        return n;
      }, input.runs);
      row.comfywire = { medianMs: cw.medianMs, mbPerSec: bytes / 1e6 / (cw.medianMs / 1000), classes: cw.last };
    }
    results.push(row);
  }
  emit({ lib: id, runtime: api?.runtime, build: adapter?.build, binary: adapter?.binary, unavailable, results });
}

async function parent() {
  const sizeMb = Number(flag('size-mb', 'BENCH_SIZE_MB', 100));
  const runsSmall = Number(flag('runs-small', 'BENCH_RUNS_SMALL', 30));
  const runsBig = Number(flag('runs-big', 'BENCH_RUNS_BIG', 5));
  const targets = flag('targets', 'BENCH_TARGETS', 'napi,wasm').split(',');
  const out = flag('out', 'BENCH_OUT', fileURLToPath(new URL('results/catalog.json', import.meta.url)));
  const children = [];
  for (const target of targets) {
    const lib = LIBRARIES.find((l) => l.id === `comfywire-${target}`);
    if (!lib) throw new Error(`unknown target ${target}`);
    process.stderr.write(`${lib.id} …\n`);
    const r = await runChild(SCRIPT, { lib: lib.id, sizeMb, runsSmall, runsBig }, {
      nodeArgs: [...lib.nodeArgs, '--expose-gc', '--max-old-space-size=8192'],
      hardTimeoutMs: 1800000,
    });
    children.push({ target, ...r });
  }

  const rows = [];
  for (const c of children) {
    if (c.error || c.childError) {
      rows.push([`comfywire (${c.target})`, 'error', (c.error ?? c.childError).split('\n')[0].slice(0, 80), '', '', '', '']);
      continue;
    }
    for (const r of c.results) {
      const size = fmt(r.bytes / 1e6, 1);
      rows.push([r.input, `JSON.parse (in the ${c.target} process)`, size, r.classes, fmt(r.jsonParse.medianMs, 2), fmt(r.jsonParse.mbPerSec, 0), '1.00×']);
      if (c.unavailable) rows.push([r.input, `comfywire loadCatalog (${c.target})`, size, 'unavailable', '', '', '']);
      else {
        const same = r.comfywire.classes === r.classes ? r.classes : `${r.comfywire.classes} ≠ ${r.classes}`;
        rows.push([r.input, `comfywire loadCatalog (${c.target}${c.build === 'debug' ? ', debug build' : ''})`, size, same, fmt(r.comfywire.medianMs, 2), fmt(r.comfywire.mbPerSec, 0), ratio(r.comfywire.mbPerSec, r.jsonParse.mbPerSec)]);
      }
    }
  }
  const m = machine();
  console.log(`## Catalog parsing\n`);
  console.log(`Text in, class count out; median of ${runsSmall} runs (real) and ${runsBig} runs (generated), after one warm-up, GC between runs. `
    + `JSON.parse gives JavaScript numbers (2^64−1 becomes 18446744073709552000); loadCatalog keeps integers exact. Node ${m.node}, ${m.cpu}.\n`);
  const binaries = children.filter((c) => c.binary).map((c) => `${c.target}: ${c.binary.replace(`${ROOT}/`, '')}${c.build ? ` (${c.build})` : ''}`);
  if (binaries.length) console.log(`comfywire binaries: ${binaries.join('; ')}.\n`);
  console.log(table(['input', 'parser', 'MB', 'classes', 'median ms', 'MB/s', 'speed vs JSON.parse'], rows, 'llrrrrr'));
  writeJson(out, { machine: m, sizeMb, runsSmall, runsBig, children });
  process.stderr.write(`\nwrote ${out}\n`);
}
