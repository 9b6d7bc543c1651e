#!/usr/bin/env node
// Several ComfyUI servers as one: ComfyPool sends each job to a server that can run it (every
// node class and model file present) with the shortest queue.
//
//   node pool.mjs [workflow.json] [--jobs N] [--server URL --server URL ...]
//
// Without --server it starts three bundled emulators: two with the workflow's checkpoint and
// one without it, so you can watch the pool route around the one that would fail.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ComfyPool, validate } from '../../node/lib/node.js'; // 'comfywire' once installed
import { startEmulator } from '../emulator.mjs';

const DEFAULT_WORKFLOW = fileURLToPath(new URL('../../tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    jobs: { type: 'string', default: '8' },
    server: { type: 'string', multiple: true, default: [] },
  },
});
const workflowPath = positionals[0] ?? DEFAULT_WORKFLOW;
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`--jobs wants a positive integer, got \`${values.jobs}\``);
  process.exit(2);
}
const workflow = await readFile(workflowPath);

const emulators = [];
let servers = values.server;
if (servers.length === 0) {
  emulators.push(...await Promise.all([
    startEmulator({ modelsFor: workflowPath }),
    startEmulator({ modelsFor: workflowPath }),
    startEmulator(), // no model files: its loader would refuse the checkpoint
  ]));
  servers = emulators.map((e) => e.url);
  console.log('started 3 emulators; the last one lacks the checkpoint');
}

const pool = await ComfyPool.connect(servers);
const label = new Map(pool.clients.map((c, i) => [c.server, String.fromCharCode(65 + i)])); // A, B, C…
try {
  // The pool decides on its own; this only shows why, by asking each catalog what ComfyUI
  // would answer to the prompt (validation offline, nothing is sent).
  const capable = new Set();
  for (const client of pool.clients) {
    const verdict = validate(workflow, { catalog: await client.objectInfo() });
    if (verdict.accepted) {
      capable.add(client.server);
      console.log(`server ${label.get(client.server)} ${client.server}: can run it`);
    } else {
      const reasons = Object.entries(verdict.body.node_errors).flatMap(([id, e]) =>
        e.errors.map((x) => `${e.class_type} #${id}: ${x.message}${x.details ? ` (${x.details})` : ''}`));
      console.log(`server ${label.get(client.server)} ${client.server}: cannot run it: ${reasons.join('; ') || verdict.body.error?.message}`);
    }
  }

  // All jobs at once: the pool counts its own jobs in flight, so they spread over the
  // capable servers instead of piling onto the first one. Each gets its own seed, or the
  // servers would answer repeats from their cache.
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: jobs }, async (_, i) => {
    const t0 = performance.now();
    try {
      const result = await pool.run(workflow, { params: { seed: i + 1 } });
      const seconds = (performance.now() - t0) / 1000;
      console.log(`job ${i + 1} seed ${i + 1} → server ${label.get(result.server)} ${result.server} in ${seconds.toFixed(2)} s, prompt ${result.promptId}, ${result.files.length} file(s)`);
      return { ok: true, server: result.server };
    } catch (err) {
      console.log(`job ${i + 1} failed: ${err.code}: ${err.message}`);
      return { ok: false };
    }
  }));

  const wall = (performance.now() - started) / 1000;
  const perServer = pool.clients.map((c) => `${label.get(c.server)} ${outcomes.filter((o) => o.server === c.server).length}`);
  const failed = outcomes.filter((o) => !o.ok).length;
  const misrouted = outcomes.filter((o) => o.ok && !capable.has(o.server)).length;
  console.log(`total: ${jobs} job(s) in ${wall.toFixed(2)} s; per server: ${perServer.join(', ')}; failed: ${failed}; on an incapable server: ${misrouted}`);
  process.exitCode = failed || misrouted ? 1 : 0;
} finally {
  pool.close();
  for (const e of emulators) e.stop();
}
