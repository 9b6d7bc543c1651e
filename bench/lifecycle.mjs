// Job lifecycle throughput: each library runs N zero-work jobs against one emulator process
// (node_ms 0, no previews), at concurrency 1 and 64. A job = submit + wait for its end + know
// its output files, through the library's normal "run a prompt, get the results" call.
// Each library × concurrency runs in its own child process; the parent prints and saves.
//
//   node lifecycle.mjs [--jobs-c1 500] [--jobs-c64 2000] [--concurrency 1,64] [--warmup 20]
//                      [--job-timeout-ms 10000] [--libs comfywire-napi,saintno,…] [--out results/lifecycle.json]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { byId, selectLibraries } from './adapters/index.mjs';
import { childPayload, emit, flag, runChild } from './lib/child.mjs';
import { ROOT, startEmulator } from './lib/emulator.mjs';
import { filesAreRight, imagePrompt } from './lib/prompts.mjs';
import { fmt, machine, percentile, ratio, table, writeJson } from './lib/report.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const EMULATOR_FLAGS = (flag('emulator-flags', 'BENCH_EMULATOR_FLAGS', '--node-ms 0 --no-previews')).split(' ').filter(Boolean);

const payload = childPayload();
if (payload) await child(payload);
else await parent();

// ---------------------------------------------------------------------------------------------

/** CPU time (ms, user + system) the emulator process has used so far, from /proc (Linux). */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

async function child({ lib: id, url, emuPid, concurrency, jobs, warmup, jobTimeoutMs, maxHung, run }) {
  let adapter;
  try {
    adapter = await byId(id).load();
  } catch (err) {
    return emit(err.unavailable ? { unavailable: err.message } : { error: `load: ${err.stack ?? err}` });
  }
  const crashes = [];
  process.on('unhandledRejection', (e) => crashes.push(String(e?.stack ?? e).slice(0, 300)));
  process.on('uncaughtException', (e) => crashes.push(String(e?.stack ?? e).slice(0, 300)));
  try {
    await withDeadline(adapter.connect(url), 15000, 'connect');
  } catch (err) {
    return emit({ error: `connect: ${err.message}` });
  }

  // Every job's input differs from every other's (the server caches repeated inputs).
  const base = (run * 1000003) % 16777216;
  let serial = 0;
  const oneJob = async (phase) => {
    const i = serial++;
    const prefix = `lc${run}${phase}_${i}`;
    const t = performance.now();
    const outcome = await withDeadline(adapter.runJob(imagePrompt(prefix, base + i), { timeoutMs: jobTimeoutMs }), jobTimeoutMs, 'job').catch(() => 'hung');
    const ms = performance.now() - t;
    if (outcome === 'hung') return { hung: true };
    return { ms, ok: outcome.ok, correct: outcome.ok && filesAreRight(outcome.files, prefix), error: outcome.error };
  };
  const pool = async (n, phase, onDone) => {
    let started = 0;
    let stop = false;
    const worker = async () => {
      while (!stop && started < n) {
        started++;
        const r = await oneJob(phase);
        if (onDone(r) === false) stop = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    return stop;
  };

  await pool(warmup, 'w', () => true);

  const latencies = [];
  let ok = 0;
  let correct = 0;
  let hung = 0;
  let failed = 0;
  let firstError = null;
  const cpu0 = process.cpuUsage();
  const server0 = processCpuMs(emuPid);
  const t0 = performance.now();
  const aborted = await pool(jobs, 'm', (r) => {
    if (r.hung) {
      hung++;
      return hung < maxHung;
    }
    latencies.push(r.ms);
    if (r.ok) ok++;
    else {
      failed++;
      firstError ??= r.error;
    }
    if (r.correct) correct++;
    return true;
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const server1 = processCpuMs(emuPid);
  const done = latencies.length + hung;
  emit({
    name: adapter.name,
    version: adapter.version,
    build: adapter.build,
    binary: adapter.binary,
    concurrency,
    jobs: done,
    requested: jobs,
    aborted,
    ok,
    correct,
    failed,
    hung,
    firstError,
    crashes: crashes.slice(0, 3),
    wallMs,
    jobsPerSec: (latencies.length / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / Math.max(1, done),
    serverCpuMsPerJob: server0 != null && server1 != null ? (server1 - server0) / Math.max(1, done) : null,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
  });
}

function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------

async function parent() {
  const libs = selectLibraries(flag('libs', 'BENCH_LIBS'));
  const levels = flag('concurrency', 'BENCH_CONCURRENCY', '1,64').split(',').map(Number);
  const jobsAt = (c) => Number(flag(`jobs-c${c}`, `BENCH_JOBS_C${c}`, flag('jobs', 'BENCH_JOBS', c === 1 ? 500 : 2000)));
  const warmup = Number(flag('warmup', 'BENCH_WARMUP', 20));
  const jobTimeoutMs = Number(flag('job-timeout-ms', 'BENCH_JOB_TIMEOUT_MS', 10000));
  const maxHung = Number(flag('max-hung', 'BENCH_MAX_HUNG', 20));
  const out = flag('out', 'BENCH_OUT', fileURLToPath(new URL('results/lifecycle.json', import.meta.url)));

  const emu = await startEmulator(EMULATOR_FLAGS);
  const results = [];
  let run = 0;
  try {
    process.stderr.write(`emulator ${emu.url} (${EMULATOR_FLAGS.join(' ')})\n`);
    for (const concurrency of levels) {
      for (const lib of libs) {
        run++;
        await emu.restart(); // empty queue and history, no old sockets: the same start for everyone
        const jobs = jobsAt(concurrency);
        process.stderr.write(`${lib.id} c=${concurrency} n=${jobs} … `);
        const r = await runChild(SCRIPT, { lib: lib.id, url: emu.url, emuPid: emu.pid, concurrency, jobs, warmup, jobTimeoutMs, maxHung, run }, {
          nodeArgs: lib.nodeArgs,
          hardTimeoutMs: 120000 + jobs * 200 + maxHung * jobTimeoutMs,
        });
        process.stderr.write(`${r.unavailable ? 'unavailable' : r.error || r.childError ? 'error' : `${fmt(r.jobsPerSec, 0)} jobs/s`}\n`);
        results.push({ lib: lib.id, comfywire: !!lib.comfywire, concurrency, ...r });
      }
    }
  } finally {
    emu.stop();
  }

  const rows = results.map((r) => {
    const label = `${r.lib}${r.version ? ` ${r.version}` : ''}${r.build === 'debug' ? ' (debug build)' : ''}`;
    if (r.unavailable) return [label, r.concurrency, 'unavailable', '', '', '', '', '', '', ''];
    if (r.error || r.childError) return [label, r.concurrency, `error: ${(r.error ?? r.childError).split('\n')[0].slice(0, 80)}`, '', '', '', '', '', '', ''];
    return [label, r.concurrency, `${r.correct}/${r.jobs}`, r.hung + (r.aborted ? ' (stopped)' : ''), fmt(r.jobsPerSec, 0), fmt(r.p50Ms, 2), fmt(r.p99Ms, 2), fmt(r.cpuMsPerJob, 3), fmt(r.serverCpuMsPerJob, 2), r.crashes?.length ? 'yes' : ''];
  });
  const measured = (r) => r && !r.unavailable && !r.error && !r.childError;
  const ratios = [];
  for (const c of levels) {
    for (const cw of results.filter((r) => r.comfywire && r.concurrency === c)) {
      for (const peer of results.filter((r) => !r.comfywire && r.concurrency === c)) {
        if (!measured(cw)) {
          ratios.push([cw.lib, peer.lib, c, 'unavailable', '', '', '', '']);
          continue;
        }
        if (!measured(peer)) continue;
        const caveats = [];
        if (cw.correct < cw.jobs) caveats.push(`comfywire: ${cw.jobs - cw.correct}/${cw.jobs} not correct`);
        if (peer.hung) caveats.push(`${peer.lib}: ${peer.hung} hung${peer.aborted ? ', run stopped' : ''} (its waits are in its jobs/s)`);
        if (peer.correct < peer.jobs - peer.hung) caveats.push(`${peer.lib}: ${peer.jobs - peer.hung - peer.correct} answered wrongly`);
        ratios.push([cw.lib, peer.lib, c, ratio(cw.jobsPerSec, peer.jobsPerSec), ratio(cw.p50Ms, peer.p50Ms), ratio(cw.p99Ms, peer.p99Ms), ratio(cw.cpuMsPerJob, peer.cpuMsPerJob), caveats.join('; ')]);
      }
    }
  }

  const m = machine();
  console.log(`## Job lifecycle throughput\n`);
  console.log(`Emulator \`${EMULATOR_FLAGS.join(' ')}\` (one process for all runs, restarted between runs); job = EmptyImage → SaveImage, each with a unique input; `
    + `warm-up ${warmup} jobs; per-job deadline ${jobTimeoutMs} ms. Node ${m.node}, ${m.cpu} × ${m.cores}.\n`);
  const binaries = [...new Set(results.filter((r) => r.binary).map((r) => `${r.lib}: ${r.binary.replace(`${ROOT}/`, '')}${r.build ? ` (${r.build})` : ''}`))];
  if (binaries.length) console.log(`comfywire binaries: ${binaries.join('; ')}.\n`);
  console.log(table(['library', 'concurrency', 'correct results', 'hung', 'jobs/s', 'p50 ms', 'p99 ms', 'client CPU ms/job', 'emulator CPU ms/job', 'unhandled exception'], rows));
  console.log(`\nRatios comfywire / peer (jobs/s: above 1 is faster; latency and CPU: below 1 is better):\n`);
  console.log(table(['comfywire', 'peer', 'concurrency', 'jobs/s', 'p50', 'p99', 'CPU/job', 'caveats'], ratios, 'llrrrrrl'));
  writeJson(out, { machine: m, emulatorFlags: EMULATOR_FLAGS, warmup, jobTimeoutMs, results });
  process.stderr.write(`\nwrote ${out}\n`);
}
