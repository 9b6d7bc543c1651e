// Fault matrix: each scenario × each library runs one job (or two) through the emulator with
// that fault injected, in a fresh child process with a deadline, and is classified:
//   correct  the library reports what really happened: success with exactly the right files,
//            or a failure of the kind the fault causes
//   wrong    success claimed for a failed job, wrong files, a failure of another kind, a value
//            changed on the way, or an unhandled exception (which ends a Node process by default)
//   hang     no answer by the deadline
//
//   node faults.mjs [--libs …] [--scenarios normal,instant,…] [--deadline-ms 10000] [--out results/faults.json]

import { fileURLToPath } from 'node:url';
import { byId, selectLibraries } from './adapters/index.mjs';
import { childPayload, emit, flag, runChild } from './lib/child.mjs';
import { control, startEmulator } from './lib/emulator.mjs';
import { filesAreRight, imagePrompt, MODEL, samplerPrompt, seedPrompt } from './lib/prompts.mjs';
import { machine, table, writeJson } from './lib/report.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const EMULATOR_FLAGS = ['--model', MODEL];
const U64_MAX = '18446744073709551615';
const TWO_53_PLUS_1 = '9007199254740993';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- what an outcome says ----------------------------------------------------------------------

function describeFiles(files) {
  if (!files?.length) return 'no files';
  return files.map((f) => (f.filename ? `${f.filename} (${f.type})` : `a ${f.type} buffer`)).join(', ');
}

function describe(o) {
  if (!o) return 'nothing';
  const reported = o.reported?.map((r) => r.name).join(', ');
  if (o.ok) return `success: ${describeFiles(o.files)}${reported ? `; onFailed first: ${reported}` : ''}`;
  const e = o.error ?? {};
  const message = (e.message ?? '').replace(/\s+/g, ' ').trim().slice(0, 140);
  return `failure ${e.kind}${e.status ? ` ${e.status}` : ''} (${e.name}: ${message})${o.thrown ? ', thrown by run()' : ''}${reported ? `; onFailed calls: ${reported}` : ''}`;
}

function expectSuccess(o, prefix) {
  if (o.ok && filesAreRight(o.files, prefix)) return { verdict: 'correct', detail: describe(o) };
  if (o.ok) return { verdict: 'wrong', detail: `wrong files: ${describe(o)}` };
  return { verdict: 'wrong', detail: `the job succeeded, the library says ${describe(o)}` };
}

function expectFailure(o, kind, status) {
  if (o.ok) return { verdict: 'wrong', detail: `claims ${describe(o)}` };
  if (o.error?.kind === kind && (status === undefined || o.error.status === status || o.error.message?.includes(String(status)))) {
    return { verdict: 'correct', detail: describe(o) };
  }
  return { verdict: 'wrong', detail: `expected ${kind}${status ? ` ${status}` : ''}, got ${describe(o)}` };
}

// --- the scenarios -----------------------------------------------------------------------------
// `config`: emulator knobs set before the child starts. `run(ctx)` returns {verdict, detail}.

const SCENARIOS = [
  {
    id: 'normal',
    title: 'normal run (KSampler, 4 steps, previews)',
    config: {},
    run: async ({ a }) => expectSuccess(await a.runJob(samplerPrompt('fox', 42, 4)), 'fox'),
  },
  {
    id: 'instant',
    title: 'instant finish (done before POST /prompt answers)',
    config: { instant_finish: true },
    run: async ({ a }) => expectSuccess(await a.runJob(imagePrompt('instant', 11)), 'instant'),
  },
  {
    id: 'ws_drop',
    title: 'WS drop mid job + slow history (300 ms)',
    config: { ws_drop_mid_job: true, slow_history_ms: 300 },
    run: async ({ a }) => expectSuccess(await a.runJob(samplerPrompt('drop', 7, 6)), 'drop'),
  },
  {
    id: 'garbage',
    title: 'garbage WS frames (truncated JSON, binary type 99)',
    config: { garbage_ws_frames: true },
    run: async ({ a }) => expectSuccess(await a.runJob(imagePrompt('garbage', 12, { invert: true })), 'garbage'),
  },
  {
    id: 'exec_error',
    title: 'execution error',
    config: { execution_error: '*' },
    run: async ({ a }) => expectFailure(await a.runJob(imagePrompt('err', 13)), 'execution_error'),
  },
  {
    id: 'prompt_500',
    title: 'POST /prompt answers 500',
    config: { prompt_500: true },
    run: async ({ a }) => expectFailure(await a.runJob(imagePrompt('e500', 14)), 'http_status', 500),
  },
  {
    id: 'rejected',
    title: 'validation rejection (unknown class)',
    config: {},
    run: async ({ a }) => expectFailure(await a.runJob({
      1: { class_type: 'NoSuchNode', inputs: {} },
      2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'rej' } },
    }), 'rejected'),
  },
  {
    id: 'restart',
    title: 'server restart mid job (job lost)',
    config: { node_ms: 400 },
    run: async ({ a, emu, note }) => {
      const job = await a.submit(samplerPrompt('lost', 9, 3));
      await sleep(300);
      await emu.restart();
      note('restarted 300 ms after submitting');
      return expectFailure(await job.done, 'job_lost');
    },
  },
  {
    id: 'seed_u64',
    title: `seed ${U64_MAX} (2^64−1) round trip`,
    config: {},
    run: (ctx) => seedRoundTrip(ctx, U64_MAX, 'u64'),
  },
  {
    id: 'seed_2p53',
    title: `seed ${TWO_53_PLUS_1} (2^53+1) round trip`,
    config: {},
    run: (ctx) => seedRoundTrip(ctx, TWO_53_PLUS_1, 's53'),
  },
  {
    id: 'forbidden',
    title: '403 forbidden (HTTP and WS)',
    config: { forbidden: true },
    connect: false,
    deadlineMs: 20000,
    run: async ({ a, url, note }) => {
      try {
        await a.connect(url);
      } catch (err) {
        const text = `${err?.name}: ${err?.message}`;
        return /403|forbidden/i.test(text) ? { verdict: 'correct', detail: `connect failed: ${text}` } : { verdict: 'wrong', detail: `connect failed without the 403: ${text}` };
      }
      note('connect resolved');
      return expectFailure(await a.runJob(imagePrompt('forbidden', 15)), 'http_status', 403);
    },
  },
  {
    id: 'cancel',
    title: "cancel own queued job while another client's job runs",
    config: { node_ms: 300 },
    run: async ({ a, emu, second, note }) => {
      const b = await second();
      const other = await b.submit(imagePrompt('other', 16, { invert: true }));
      other.done.then((o) => note(`other client's job: ${describe(o)}`));
      await sleep(150);
      const mine = await a.submit(imagePrompt('mine', 17));
      mine.done.then((o) => note(`cancelled job: ${describe(o)}`));
      await sleep(100);
      await mine.cancel();
      note('cancel() returned');
      const [om, oo] = await Promise.all([mine.done, other.done]);
      const server = await serverStatus(emu, other.promptId);
      note(`the server says the other job ended ${server}`);
      if (om.ok) return { verdict: 'wrong', detail: `the cancelled job reports ${describe(om)}; other: ${describe(oo)}` };
      if (!oo.ok || !filesAreRight(oo.files, 'other')) return { verdict: 'wrong', detail: `the other client's job: ${describe(oo)} (server: ${server}); cancelled one: ${describe(om)}` };
      return { verdict: 'correct', detail: `cancelled: ${describe(om)}; other: ${describe(oo)}` };
    },
  },
  {
    id: 'two_jobs',
    title: 'two jobs on one client, one fails',
    config: { execution_error: 'ImageInvert' },
    run: async ({ a, note }) => {
      const bad = a.runJob(imagePrompt('bad', 18, { invert: true }));
      const good = a.runJob(imagePrompt('good', 19));
      bad.then((o) => note(`failing job: ${describe(o)}`));
      good.then((o) => note(`good job: ${describe(o)}`));
      const [ob, og] = await Promise.all([bad, good]);
      const b = expectFailure(ob, 'execution_error');
      const g = expectSuccess(og, 'good');
      const verdict = b.verdict === 'correct' && g.verdict === 'correct' ? 'correct' : 'wrong';
      return { verdict, detail: `failing job: ${b.detail}; good job: ${g.detail}` };
    },
  },
];

/** How the server's history says a job ended: `success`, or `error (execution_interrupted)`. */
async function serverStatus(emu, promptId) {
  if (!promptId) return 'unknown (no prompt id)';
  try {
    const entry = JSON.parse(await emu.historyText(promptId))[promptId];
    if (!entry) return 'not in history';
    const last = entry.status?.messages?.at(-1)?.[0];
    return `${entry.status?.status_str}${last && entry.status?.status_str !== 'success' ? ` (${last})` : ''}`;
  } catch (err) {
    return `unknown (${err.message})`;
  }
}

/** Submits a seed the library's natural way (BigInt when it takes one, else a JS number) and reads it back from the server's stored prompt. */
async function seedRoundTrip({ a, emu, sent }, digits, prefix) {
  const seed = a.exactIntegers ? BigInt(digits) : Number(digits);
  const o = await a.runJob(seedPrompt(prefix, seed));
  const body = sent.find((b) => b.includes(prefix));
  const sentSeed = body ? /"seed":\s*([-\d.e+]+)/.exec(body)?.[1] : undefined;
  const how = `${a.exactIntegers ? 'BigInt' : 'Number'} in${sentSeed ? `, sent ${sentSeed}` : ''}`;
  if (!o.ok) {
    return { verdict: 'wrong', detail: `${how}; ${describe(o)}` };
  }
  const history = o.promptId ? await emu.historyText(o.promptId) : '';
  const stored = /"seed":\s*(\d+)/.exec(history)?.[1];
  if (stored === digits) return { verdict: 'correct', detail: `${how}; the server stored ${stored}` };
  return { verdict: 'wrong', detail: `${how}; the job ran with seed ${stored ?? '(not found in history)'}` };
}

// --- why peers fail: read in their sources, shown only when the observed verdict matches -------

const WHY = {
  'comfywire-wasm': {
    forbidden: {
      wrong: 'connect() opens the WebSocket first, and the WebSocket API (Node\'s, as browsers\') does not expose the HTTP status of a refused upgrade: it fails at once, but as NETWORK "WebSocket connection failed", without the 403 (the napi build reports HTTP_STATUS 403; an HTTP request before the socket would let the wasm build see it too)',
      hang: 'connect() opens the WebSocket first; the WebSocket API does not expose the 403 of the upgrade, so it waits for its request timeout',
    },
  },
  saintno: {
    exec_error: {
      hang: 'as in the instant-finish row: the first node fails at once, so the job had ended before run() listened, and no later `status` comes to wake it',
      wrong: 'the execution_error arrived while run() was reading /history after the job\'s first `executing`, before its error listener was registered; the `status` that follows finds the job neither queued nor `completed` in /history: WentMissingError, the exception is lost',
    },
    two_jobs: { wrong: 'the same race as the execution-error row: when the error arrives while run() reads /history, the failing job ends as WentMissingError instead of its exception' },
    instant: { hang: 'CallWrapper.run() subscribes after POST /prompt returns and waits for `executing`/`execution_cached` of its prompt, or a later `status` to re-check /queue and /history; all were sent before it listened, so nothing wakes it (no job timeout)' },
    ws_drop: { correct: 'recovers through the `status` message a new socket gets (re-reads /queue, then /history), after firing onFailed(DisconnectedError)' },
    prompt_500: { wrong: 'EnqueueFailedError handler calls `await e.json()` on the plain-text 500 body: the SyntaxError escapes run()' },
    forbidden: { hang: '`init()` pings 10× then only dispatches `connection_error`; `waitForReady()` loops until `isReady`, which is never set' },
    seed_u64: { wrong: 'JSON.stringify turns the Number into 18446744073709552000 (above the INT max, refused by the server); a BigInt makes JSON.stringify throw' },
    seed_2p53: { wrong: 'the JS Number rounds to 9007199254740992 and the server runs that seed; nothing reports the change' },
    cancel: { wrong: '`interrupt()` takes no prompt id, so it stops whatever runs: the other client\'s job (which that client reports as ExecutionInterruptedError or WentMissingError, depending on timing)' },
    restart: { correct: 'the `status` sent to the reconnected socket makes it re-read /queue and /history: WentMissingError' },
  },
  'stable-canvas': {
    normal: { wrong: 'binary preview frames received while its prompt executes are pushed into `images` (read with `getUint32(1)`, labelled image/png)' },
    instant: { hang: '`enqueue` listens for `executed` only after POST /prompt returns; it was sent before, and there is no /history check (default timeout 5 min)' },
    ws_drop: { hang: 'reconnects after 300 ms but never asks /history; the events sent meanwhile are lost (default timeout 5 min)' },
    exec_error: { hang: 'as in the instant-finish row: the first node fails at once, and the `execution_error` was sent before `waitForPromptWebSocket` listened; there is no /history check' },
    garbage: { wrong: 'its async socket `message` handler JSON.parses the truncated frame and throws on type 99: unhandled rejections, which end a Node process by default' },
    prompt_500: { wrong: '`fetchApi` calls `res.json()` on any status ≥ 400: the plain-text 500 body throws a SyntaxError instead of an HttpError' },
    forbidden: { wrong: 'the WebSocket upgrade answers 403, it retries every 300 ms and `connect()` ends with its own 15 s WebSocketTimeoutError' },
    restart: { hang: 'the socket reconnects, nothing re-checks /queue or /history: `enqueue` waits for an `executed` that never comes' },
    seed_u64: { wrong: 'JSON.stringify turns the Number into 18446744073709552000 (above the INT max, refused by the server); a BigInt makes JSON.stringify throw' },
    seed_2p53: { wrong: 'the JS Number rounds to 9007199254740992 and the server runs that seed; nothing reports the change' },
    cancel: { hang: '`interrupt(id)` and `deleteItem(\'queue\', id)` remove the job, but `enqueue`/`waitForPromptWebSocket` is never told: it waits for `executed`' },
    two_jobs: { wrong: '`waitForPromptWebSocket` rejects on any `execution_error`, without comparing its prompt_id: the good job fails too' },
  },
};

// --- child: one library, one scenario ----------------------------------------------------------

const payload = childPayload();
if (payload) await child(payload);
else await parent();

async function child({ lib: id, scenario: sid, url, deadlineMs }) {
  const scenario = SCENARIOS.find((s) => s.id === sid);
  const lib = byId(id);
  // Record POST /prompt bodies sent through the global fetch (the peers, the wasm build).
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const href = typeof input === 'string' ? input : input?.url ?? String(input);
    if (init?.method === 'POST' && /\/prompt(\?|$)/.test(href) && typeof init.body === 'string') sent.push(init.body);
    return realFetch(input, init);
  };
  const unhandled = [];
  process.on('unhandledRejection', (e) => unhandled.push(`${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 120)}`));
  process.on('uncaughtException', (e) => unhandled.push(`${e?.name ?? 'Error'}: ${String(e?.message ?? e).slice(0, 120)}`));
  const notes = [];
  const note = (s) => notes.push(s);

  let a;
  try {
    a = await lib.load();
  } catch (err) {
    return emit(err.unavailable ? { unavailable: err.message } : { error: String(err?.stack ?? err) });
  }
  const opened = [a];
  const second = async () => {
    const b = await lib.load();
    opened.push(b);
    await b.connect(url);
    return b;
  };
  const ctx = { a, url, emu: control(url), sent, note, second };

  const started = performance.now();
  const work = (async () => {
    if (scenario.connect !== false) await a.connect(url);
    return scenario.run(ctx);
  })();
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(() => resolve(null), deadlineMs); });
  let result;
  try {
    result = await Promise.race([work, deadline]);
  } catch (err) {
    result = { verdict: 'wrong', detail: `threw ${err?.name}: ${String(err?.message).slice(0, 160)}` };
  }
  clearTimeout(timer);
  if (result === null) result = { verdict: 'hang', detail: `no answer in ${deadlineMs} ms${notes.length ? ` (${notes.join('; ')})` : ''}` };
  await sleep(200); // late unhandled rejections
  if (unhandled.length) {
    const first = [...new Set(unhandled)].slice(0, 2).join('; ');
    result = { verdict: 'wrong', detail: `unhandled exception (${unhandled.length}×: ${first}); then: ${result.verdict}: ${result.detail}` };
  }
  for (const x of opened) {
    try { x.close(); } catch { /* closing is best effort */ }
  }
  emit({ name: a.name, version: a.version, build: a.build, binary: a.binary, ...result, elapsedMs: Math.round(performance.now() - started), notes });
}

// --- parent ------------------------------------------------------------------------------------

async function parent() {
  const libs = selectLibraries(flag('libs', 'BENCH_LIBS'));
  const only = flag('scenarios', 'BENCH_SCENARIOS');
  const scenarios = only ? SCENARIOS.filter((s) => only.split(',').includes(s.id)) : SCENARIOS;
  const defaultDeadline = Number(flag('deadline-ms', 'BENCH_DEADLINE_MS', 10000));
  const repeat = Number(flag('repeat', 'BENCH_REPEAT', 3));
  const out = flag('out', 'BENCH_OUT', fileURLToPath(new URL('results/faults.json', import.meta.url)));

  const emu = await startEmulator(EMULATOR_FLAGS);
  const cells = [];
  try {
    process.stderr.write(`emulator ${emu.url} (${EMULATOR_FLAGS.join(' ')}), ${repeat} run(s) per cell\n`);
    for (const scenario of scenarios) {
      for (const lib of libs) {
        const runs = [];
        for (let k = 0; k < repeat; k++) {
          await emu.reset();
          await emu.restart();
          await emu.config(scenario.config);
          const deadlineMs = scenario.deadlineMs ?? defaultDeadline;
          const r = await runChild(SCRIPT, { lib: lib.id, scenario: scenario.id, url: emu.url, deadlineMs }, {
            nodeArgs: lib.nodeArgs,
            hardTimeoutMs: deadlineMs + 20000,
            quiet: true,
          });
          const run = { ...r };
          if (r.childError) Object.assign(run, { verdict: 'wrong', detail: `process died: ${r.childError}: ${r.stderr}` });
          if (r.error) Object.assign(run, { verdict: 'error', detail: r.error.split('\n')[0] });
          if (r.unavailable) Object.assign(run, { verdict: 'unavailable', detail: r.unavailable });
          runs.push(run);
          process.stderr.write(`${scenario.id} × ${lib.id} #${k + 1}: ${run.verdict}${r.elapsedMs != null ? ` after ${r.elapsedMs} ms` : ''} — ${run.detail ?? ''}\n`);
          if (r.unavailable || r.error) break;
        }
        const counts = {};
        for (const r of runs) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
        // A cell is only correct when every run was; otherwise its most frequent other verdict.
        const bad = Object.entries(counts).filter(([v]) => v !== 'correct').sort((x, y) => y[1] - x[1]);
        const verdict = bad.length ? bad[0][0] : 'correct';
        const sample = runs.find((r) => r.verdict === verdict) ?? runs[0];
        cells.push({
          scenario: scenario.id,
          lib: lib.id,
          name: sample.name,
          version: runs.find((r) => r.version)?.version,
          build: runs.find((r) => r.build)?.build,
          binary: runs.find((r) => r.binary)?.binary,
          verdict,
          counts,
          runs: runs.length,
          detail: sample.detail,
          why: WHY[lib.id]?.[scenario.id]?.[verdict],
          samples: Object.fromEntries(Object.keys(counts).map((v) => [v, runs.find((r) => r.verdict === v).detail])),
          details: runs.map((r) => `${r.verdict}: ${r.detail}`),
        });
      }
    }
  } finally {
    emu.stop();
  }

  const m = machine();
  const versions = Object.fromEntries(cells.filter((c) => c.version).map((c) => [c.lib, `${c.version}${c.build === 'debug' ? ' (debug build)' : ''}`]));
  const header = ['scenario', ...libs.map((l) => `${l.id}${versions[l.id] ? ` ${versions[l.id]}` : ''}`)];
  const mark = { correct: '✅ correct', wrong: '❌ wrong', hang: '⏳ hang', unavailable: 'unavailable', error: 'error' };
  const notes = [];
  const rows = scenarios.map((s) => [s.title, ...libs.map((l) => {
    const c = cells.find((x) => x.scenario === s.id && x.lib === l.id);
    if (!c) return '';
    if (c.verdict === 'unavailable') return mark.unavailable;
    const mixed = Object.keys(c.counts).length > 1;
    const label = mixed
      ? Object.entries(c.counts).sort((x, y) => y[1] - x[1]).map(([v, n]) => `${mark[v] ?? v} ${n}/${c.runs}`).join(', ')
      : mark[c.verdict] ?? c.verdict;
    if (c.verdict === 'correct') return label;
    const explain = (v) => {
      const why = WHY[l.id]?.[s.id]?.[v];
      return `${why ? `${why}. Observed: ` : ''}${c.samples[v]}`;
    };
    const others = Object.keys(c.counts).filter((v) => v !== 'correct');
    notes.push(`${s.id} × ${l.id}: ${others.length > 1 ? others.map((v) => `(${v}) ${explain(v)}`).join(' ') : explain(others[0])}`);
    return `${label} [${notes.length}]`;
  })]);
  console.log(`## Fault matrix\n`);
  console.log(`Emulator \`${EMULATOR_FLAGS.join(' ')}\`, reset and restarted before every run; one fresh process per library × scenario × run; `
    + `${repeat} run(s) per cell (a cell is correct only when every run was); deadline ${defaultDeadline} ms `
    + `(403: 20 s, longer than stable-canvas's own 15 s connect timeout). Node ${m.node}.\n`);
  console.log(table(header, rows, `l${'l'.repeat(libs.length)}`));
  const totals = libs.map((l) => {
    const mine = cells.filter((c) => c.lib === l.id);
    const n = (v) => mine.filter((c) => c.verdict === v).length;
    return `${l.id}: ${n('correct')} correct, ${n('wrong')} wrong, ${n('hang')} hang${n('unavailable') ? `, ${n('unavailable')} unavailable` : ''}`;
  });
  console.log(`\n${totals.join(' · ')}\n`);
  if (notes.length) {
    console.log('Why (explanations from reading each library\'s source, then what was observed):\n');
    notes.forEach((n, k) => console.log(`${k + 1}. ${n}`));
  }
  writeJson(out, { machine: m, emulatorFlags: EMULATOR_FLAGS, deadlineMs: defaultDeadline, repeat, scenarios: scenarios.map(({ id, title, config }) => ({ id, title, config })), cells });
  process.stderr.write(`\nwrote ${out}\n`);
}
