// Soak: N zero-work jobs (default 10 000) through comfywire's napi addon against the emulator
// (--node-ms 0 --no-previews), at moderate concurrency, on one client. Prints the client
// process's memory (RSS, V8 heap, external/ArrayBuffers) before, every `--every` jobs and after
// (after a forced GC), jobs/s, and every kind of failure seen.
//
//   node soak.mjs [--jobs 10000] [--concurrency 16] [--every 1000] [--lib comfywire-napi]
//                 [--job-timeout-ms 10000] [--out results/soak.json]

import { fileURLToPath } from 'node:url';
import { byId } from './adapters/index.mjs';
import { childPayload, emit, flag, runChild } from './lib/child.mjs';
import { startEmulator } from './lib/emulator.mjs';
import { filesAreRight, imagePrompt } from './lib/prompts.mjs';
import { fmt, machine, percentile, table, writeJson } from './lib/report.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const EMULATOR_FLAGS = ['--node-ms', '0', '--no-previews'];
const MB = 1024 * 1024;

const payload = childPayload();
if (payload) await child(payload);
else await parent();

function sample(label, done, t0) {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return {
    label,
    jobs: done,
    seconds: (performance.now() - t0) / 1000,
    rssMb: m.rss / MB,
    heapUsedMb: m.heapUsed / MB,
    heapTotalMb: m.heapTotal / MB,
    externalMb: m.external / MB,
    arrayBuffersMb: m.arrayBuffers / MB,
  };
}

async function child({ lib, url, jobs, concurrency, every, jobTimeoutMs }) {
  const crashes = [];
  process.on('unhandledRejection', (e) => crashes.push(String(e?.stack ?? e).slice(0, 300)));
  process.on('uncaughtException', (e) => crashes.push(String(e?.stack ?? e).slice(0, 300)));
  const t0 = performance.now();
  const samples = [sample('before loading comfywire', 0, t0)];
  let adapter;
  try {
    adapter = await byId(lib).load();
    await adapter.connect(url);
  } catch (err) {
    return emit({ error: String(err?.message ?? err) });
  }
  samples.push(sample('connected', 0, t0));

  let started = 0;
  let done = 0;
  let correct = 0;
  let hung = 0;
  const failures = {};
  const latencies = [];
  const examples = [];
  let nextSample = every;
  const tStart = performance.now();
  const cpu0 = process.cpuUsage();
  const worker = async () => {
    while (started < jobs) {
      const i = started++;
      const prefix = `soak_${i}`;
      const t = performance.now();
      let timer;
      const outcome = await Promise.race([
        adapter.runJob(imagePrompt(prefix, i), { timeoutMs: jobTimeoutMs }),
        new Promise((r) => { timer = setTimeout(() => r('hung'), jobTimeoutMs + 2000); }),
      ]);
      clearTimeout(timer);
      done++;
      if (outcome === 'hung') hung++;
      else {
        latencies.push(performance.now() - t);
        if (outcome.ok && filesAreRight(outcome.files, prefix)) correct++;
        else {
          const key = outcome.ok ? 'success with wrong files' : `${outcome.error?.kind}: ${outcome.error?.message?.slice(0, 100)}`;
          failures[key] = (failures[key] ?? 0) + 1;
          if (examples.length < 3) examples.push({ job: i, ms: performance.now() - t, promptId: outcome.promptId, status: outcome.status, error: outcome.error, resultError: outcome.resultError });
        }
      }
      if (done >= nextSample) {
        nextSample += every;
        samples.push(sample(`after ${done} jobs`, done, t0));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - tStart;
  const cpu = process.cpuUsage(cpu0);
  // What the server says about the jobs the client reported as failed.
  for (const e of examples) {
    if (!e.promptId) continue;
    try {
      const entry = (await (await fetch(`${url}/history/${e.promptId}`)).json())[e.promptId];
      e.server = entry ? `${entry.status?.status_str}${entry.status?.completed ? ', completed' : ''}, outputs: ${Object.keys(entry.outputs ?? {}).join(',') || 'none'}` : 'not in history';
    } catch (err) {
      e.server = `unknown (${err.message})`;
    }
  }
  adapter.close();
  await new Promise((r) => setTimeout(r, 500));
  samples.push(sample('after close + GC', done, t0));
  emit({
    name: adapter.name,
    version: adapter.version,
    build: adapter.build,
    binary: adapter.binary,
    jobs: done,
    concurrency,
    correct,
    hung,
    failures,
    examples,
    crashes: crashes.slice(0, 3),
    crashCount: crashes.length,
    wallMs,
    jobsPerSec: (done / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? Math.max(...latencies) : null,
    cpuMsPerJob: (cpu.user + cpu.system) / 1000 / Math.max(1, done),
    samples,
  });
}

async function parent() {
  const lib = flag('lib', 'BENCH_SOAK_LIB', 'comfywire-napi');
  const jobs = Number(flag('jobs', 'BENCH_SOAK_JOBS', 10000));
  const concurrency = Number(flag('concurrency', 'BENCH_SOAK_CONCURRENCY', 16));
  const every = Number(flag('every', 'BENCH_SOAK_EVERY', Math.max(1, Math.round(jobs / 10))));
  const jobTimeoutMs = Number(flag('job-timeout-ms', 'BENCH_JOB_TIMEOUT_MS', 10000));
  const out = flag('out', 'BENCH_OUT', fileURLToPath(new URL('results/soak.json', import.meta.url)));
  const emu = await startEmulator(EMULATOR_FLAGS);
  let r;
  try {
    process.stderr.write(`soak: ${lib}, ${jobs} jobs at concurrency ${concurrency} against ${emu.url}\n`);
    r = await runChild(SCRIPT, { lib, url: emu.url, jobs, concurrency, every, jobTimeoutMs }, {
      nodeArgs: [...byId(lib).nodeArgs, '--expose-gc'],
      hardTimeoutMs: 120000 + jobs * 100,
    });
  } finally {
    emu.stop();
  }
  const m = machine();
  console.log('## Soak\n');
  if (r.error || r.childError) {
    console.log(`${lib}: error: ${r.error ?? `${r.childError}\n${r.stderr}`}`);
    writeJson(out, { machine: m, lib, jobs, concurrency, result: r });
    return;
  }
  console.log(`${r.name} ${r.version}${r.build ? ` (${r.build} build, ${r.binary})` : ''}: ${r.jobs} zero-work jobs (emulator \`${EMULATOR_FLAGS.join(' ')}\`) `
    + `on one client, concurrency ${r.concurrency}, \`client.run(prompt)\` per job. Memory of the client process, each sample after a forced GC. Node ${m.node}.\n`);
  console.log(table(
    ['when', 'jobs done', 's', 'RSS MB', 'heap used MB', 'heap total MB', 'external MB', 'ArrayBuffers MB'],
    r.samples.map((s) => [s.label, s.jobs, fmt(s.seconds, 1), fmt(s.rssMb, 1), fmt(s.heapUsedMb, 1), fmt(s.heapTotalMb, 1), fmt(s.externalMb, 1), fmt(s.arrayBuffersMb, 2)]),
  ));
  const first = r.samples.find((s) => s.label === 'connected');
  const atEvery = r.samples.filter((s) => s.label.startsWith('after ') && s.jobs > 0 && !s.label.includes('close'));
  const mid = atEvery[Math.floor(atEvery.length / 2) - 1] ?? atEvery[0];
  const last = atEvery.at(-1);
  const failureText = Object.entries(r.failures).map(([k, n]) => `${n}× ${k}`).join('; ') || 'none';
  console.log(`\n${fmt(r.jobsPerSec, 0)} jobs/s over ${fmt(r.wallMs / 1000, 1)} s; latency p50 ${fmt(r.p50Ms, 2)} ms, p99 ${fmt(r.p99Ms, 2)} ms, max ${fmt(r.maxMs, 1)} ms; `
    + `client CPU ${fmt(r.cpuMsPerJob, 3)} ms/job. Correct results: ${r.correct}/${r.jobs}; hung: ${r.hung}; failures: ${failureText}; `
    + `unhandled exceptions: ${r.crashCount}.`);
  if (first && last && mid) {
    console.log(`RSS: ${fmt(first.rssMb, 1)} MB connected → ${fmt(mid.rssMb, 1)} MB after ${mid.jobs} jobs → ${fmt(last.rssMb, 1)} MB after ${last.jobs} jobs `
      + `(second half: ${last.rssMb - mid.rssMb >= 0 ? '+' : ''}${fmt(last.rssMb - mid.rssMb, 1)} MB, i.e. ${fmt(((last.rssMb - mid.rssMb) * 1024) / Math.max(1, last.jobs - mid.jobs), 2)} KB/job); `
      + `V8 heap used: ${fmt(first.heapUsedMb, 1)} → ${fmt(mid.heapUsedMb, 1)} → ${fmt(last.heapUsedMb, 1)} MB.`);
  }
  for (const e of r.examples ?? []) console.log(`- failed job ${e.job} (${e.promptId ?? 'no prompt id'}) after ${fmt(e.ms, 1)} ms: status ${e.status}, ${JSON.stringify(e.resultError ?? e.error)}; the server's history says: ${e.server ?? 'not asked'}`);
  writeJson(out, { machine: m, lib, jobs, concurrency, emulatorFlags: EMULATOR_FLAGS, result: r });
  process.stderr.write(`\nwrote ${out}\n`);
}
