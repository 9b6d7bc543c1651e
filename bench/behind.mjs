// "Where comfywire is behind": every measured number in bench/results/*.json where comfywire does
// worse than a peer or than the baseline, with the likely cause. The findings (which rows, how
// much) are computed here from the results; the causes are fixed sentences, printed only when
// the condition they explain holds, and marked as analysis.
//
//   node behind.mjs [--results results]

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag } from './lib/child.mjs';
import { fmt } from './lib/report.mjs';

const dir = flag('results', 'BENCH_RESULTS', fileURLToPath(new URL('results', import.meta.url)));
const load = (name) => {
  const f = join(dir, `${name}.json`);
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
};
const x = (v) => `${fmt(v, 2)}×`;
const out = [];
const say = (s) => out.push(s);

say('## Where comfywire is behind\n');
say('Computed from `bench/results/*.json` by `bench/behind.mjs`: every row where comfywire measured worse than a peer or the baseline. '
  + 'Lines marked *Likely cause* are analysis (from reading the code and from the other columns), not measurements.\n');

// --- lifecycle ---------------------------------------------------------------------------------
const lc = load('lifecycle');
if (lc) {
  const ok = (r) => r && !r.unavailable && !r.error && !r.childError;
  const rs = lc.results.filter(ok);
  const lines = [];
  for (const cw of rs.filter((r) => r.comfywire)) {
    for (const peer of rs.filter((r) => !r.comfywire && r.concurrency === cw.concurrency)) {
      const worse = [];
      if (cw.jobsPerSec < peer.jobsPerSec) worse.push(`jobs/s ${fmt(cw.jobsPerSec, 0)} vs ${fmt(peer.jobsPerSec, 0)} (${x(cw.jobsPerSec / peer.jobsPerSec)})`);
      if (cw.p50Ms > peer.p50Ms) worse.push(`p50 ${fmt(cw.p50Ms, 2)} vs ${fmt(peer.p50Ms, 2)} ms`);
      if (cw.p99Ms > peer.p99Ms) worse.push(`p99 ${fmt(cw.p99Ms, 2)} vs ${fmt(peer.p99Ms, 2)} ms`);
      if (cw.cpuMsPerJob > peer.cpuMsPerJob) worse.push(`client CPU ${fmt(cw.cpuMsPerJob, 3)} vs ${fmt(peer.cpuMsPerJob, 3)} ms/job (${x(cw.cpuMsPerJob / peer.cpuMsPerJob)})`);
      if (!worse.length) continue;
      let why = '';
      const latencyOnly = worse.every((w) => w.startsWith('p50') || w.startsWith('p99'));
      if (peer.hung && cw.concurrency > 1 && worse.some((w) => w.startsWith('p'))) {
        // Little's law: jobs in flight ≈ throughput × latency.
        const inflightCw = (cw.jobsPerSec * cw.p50Ms) / 1000;
        const inflightPeer = (peer.jobsPerSec * peer.p50Ms) / 1000;
        why += ` *Likely cause (latency):* ${peer.lib}'s ${peer.hung} hung jobs each held one of the ${cw.concurrency} workers idle until the deadline, so fewer of its jobs queued at the server at once `
          + `(throughput × p50 ≈ ${fmt(inflightPeer, 1)} jobs in flight, against ≈ ${fmt(inflightCw, 1)} for comfywire): at c=${cw.concurrency} latency is mostly waiting in the server's queue, so the latencies are not like for like.`;
      }
      if (cw.lib === 'comfywire-wasm' && !latencyOnly) {
        why += ' *Likely cause:* the wasm build is compiled for size (`opt-level = "z"`), crosses the JS↔wasm boundary with JSON text for every call and event, and runs its HTTP over `fetch` and its socket over Node\'s WebSocket (undici); the same core in the napi build costs less CPU per job.';
      }
      if (cw.lib === 'comfywire-napi' && worse.some((w) => w.startsWith('client CPU'))) {
        why += ' *Likely cause:* the addon\'s CPU includes its own runtime threads (WebSocket reader, HTTP client) besides the JS thread, and every job crosses the napi boundary several times (submit, each event as JSON text, result); a job whose socket events race its submit also costs a /history and a /queue request.';
      }
      lines.push(`- **${cw.lib} vs ${peer.lib}, concurrency ${cw.concurrency}:** ${worse.join('; ')}.${why}`);
    }
  }
  const notCorrect = rs.filter((r) => r.comfywire && r.correct < r.jobs);
  say('### Job lifecycle\n');
  if (lines.length) say(lines.join('\n'));
  else say('- No lifecycle metric where comfywire is behind a peer in this run.');
  if (notCorrect.length) {
    say('');
    say(`- **Wrong results from comfywire:** ${notCorrect.map((r) => `${r.lib} at c=${r.concurrency}: ${r.jobs - r.correct}/${r.jobs} jobs not correct (first: ${r.firstError ? `${r.firstError.kind} "${r.firstError.message}"` : 'wrong files'})`).join('; ')}. `
      + 'The soak below asks the server\'s history about its first failed jobs. *Likely cause:* `core/src/protocol/job.rs` `JobTracker::on_queue`: a job that `GET /history` did not know yet (`unknown_to_history`) and that `GET /queue` no longer lists is declared lost; a zero-work job finishes between the two requests, so it is reported `JOB_LOST` although it succeeded (up to commit 92aa854 the tracker declared it lost at once; e5c7ac0 asks the history again 2 s later first — see the commit measured in "Machine and versions").');
  }
  say('');
}

// --- soak --------------------------------------------------------------------------------------
const soak = load('soak');
if (soak?.result && !soak.result.error && !soak.result.childError) {
  const r = soak.result;
  const samples = r.samples.filter((s) => /^after \d+ jobs$/.test(s.label));
  const connected = r.samples.find((s) => s.label === 'connected');
  const mid = samples[Math.floor(samples.length / 2) - 1] ?? samples[0];
  const last = samples.at(-1);
  say('### Soak\n');
  const lines = [];
  if (r.correct < r.jobs) {
    const server = (r.examples ?? []).map((e) => e.server).filter(Boolean);
    lines.push(`- **${r.jobs - r.correct}/${r.jobs} jobs not correct** (${Object.entries(r.failures).map(([k, n]) => `${n}× ${k}`).join('; ')}); `
      + `the server's history about the first ${server.length}: ${[...new Set(server)].join(' / ') || 'not asked'}. Same cause as above.`);
  }
  if (mid && last && last.jobs > mid.jobs) {
    const kbPerJob = ((last.rssMb - mid.rssMb) * 1024) / (last.jobs - mid.jobs);
    if (kbPerJob > 0.5) {
      lines.push(`- **RSS kept growing:** ${fmt(connected?.rssMb, 1)} MB connected → ${fmt(mid.rssMb, 1)} MB after ${mid.jobs} jobs → ${fmt(last.rssMb, 1)} MB after ${last.jobs} jobs `
        + `(${fmt(kbPerJob, 2)} KB per job over the second half) while the V8 heap stayed at ${fmt(last.heapUsedMb, 1)} MB: the growth is native memory (the addon or its allocator). `
        + '*Not established* whether this is a leak (per-job state kept in the client) or memory the allocator keeps; a longer soak would tell.');
    }
  }
  say(lines.length ? lines.join('\n') : '- Nothing: every job correct, RSS flat over the second half.');
  say('');
}

// --- conversion --------------------------------------------------------------------------------
const conv = load('convert');
if (conv) {
  const peerIps = conv.comfy_cli.items_per_s;
  const lines = [];
  for (const b of conv.bindings.filter((r) => !r.unavailable)) {
    if (b.items_per_s < peerIps) {
      lines.push(`- **${b.name}** converts ${fmt(b.items_per_s, 0)} workflows/s, comfy-cli ${fmt(peerIps, 0)} (${x(b.items_per_s / peerIps)}), although it gets ${b.exact}/${b.workflows} identical to the editor against comfy-cli's ${conv.comfy_cli.exact}. `
        + `*Likely cause:* ${b.target === 'wasm' ? 'the wasm module is built for size (`opt-level = "z"`, not for speed) and every workflow crosses the boundary as text both ways (UTF-16 → UTF-8 in, UTF-8 → UTF-16 out); ' : 'the JS boundary: the text is copied into the addon and the prompt\'s text back; '}`
        + `the native core does the same corpus at ${fmt(conv.native.results.find((r) => r.name === 'parse + convert').items_per_s, 0)}/s.`);
    }
  }
  const nativeIps = conv.native.results.find((r) => r.name === 'parse + convert').items_per_s;
  for (const b of conv.bindings.filter((r) => !r.unavailable && r.target === 'napi')) {
    lines.push(`- The napi row runs at ${x(b.items_per_s / nativeIps)} the native core's speed: the cost of crossing into the addon with the workflow text and back with the prompt text.`);
  }
  const notExact = conv.native.workflows - conv.native.exact;
  if (notExact) lines.push(`- ${notExact} of ${conv.native.workflows} golden workflows ${notExact === 1 ? 'does' : 'do'} not convert to exactly the editor's prompt on any comfywire row (the golden test documents one normalisation it needs).`);
  say('### Conversion\n');
  say(lines.length ? lines.join('\n') : '- comfywire is faster than comfy-cli on every row.');
  say('');
}

// --- catalog -----------------------------------------------------------------------------------
const cat = load('catalog');
if (cat) {
  const lines = [];
  for (const c of cat.children.filter((c) => c.results && !c.unavailable)) {
    for (const r of c.results) {
      if (r.comfywire && r.comfywire.mbPerSec < r.jsonParse.mbPerSec) {
        lines.push(`- **loadCatalog (${c.target}) on ${r.input}:** ${fmt(r.comfywire.mbPerSec, 0)} MB/s against JSON.parse's ${fmt(r.jsonParse.mbPerSec, 0)} MB/s (${x(r.comfywire.mbPerSec / r.jsonParse.mbPerSec)}).`);
      }
    }
  }
  say('### Catalog parsing\n');
  if (lines.length) {
    say(lines.join('\n'));
    say('- *Likely cause:* JSON.parse is V8\'s native parser and produces a generic object; `loadCatalog` does more: it copies the text into Rust (UTF-16 → UTF-8), keeps every number exact (serde_json `arbitrary_precision`: numbers kept as text) in insertion order (`preserve_order`), and then builds the typed catalog (every class\'s inputs, specs and choices) that conversion and validation use. A peer that wants the same information still has to walk the parsed object after JSON.parse (not measured here), and loses integers beyond 2^53.');
  } else say('- loadCatalog is faster than JSON.parse on every input.');
  say('');
}

// --- faults ------------------------------------------------------------------------------------
const faults = load('faults');
if (faults) {
  const bad = faults.cells.filter((c) => c.lib.startsWith('comfywire') && c.verdict !== 'correct' && c.verdict !== 'unavailable');
  say('### Fault matrix\n');
  if (bad.length) {
    for (const c of bad) {
      const title = faults.scenarios.find((s) => s.id === c.scenario)?.title ?? c.scenario;
      say(`- **${c.lib}, ${title}:** ${c.verdict} (${Object.entries(c.counts).map(([v, n]) => `${v} ${n}/${c.runs}`).join(', ')}): ${c.detail}.${c.why ? ` *Likely cause:* ${c.why}.` : ''}`);
    }
  } else say('- Every comfywire cell is correct.');
  say('');
}

// --- sizes -------------------------------------------------------------------------------------
const sizes = load('sizes');
if (sizes?.peers) {
  const total = sizes.artifacts['browser total: wasm + glue + API'];
  const peers = Object.entries(sizes.peers).filter(([, p]) => p.entry);
  if (total && peers.length) {
    say('### Size\n');
    say(`- **What a browser downloads:** comfywire's wasm module + glue + API is ${fmt(total.gzip / 1024, 0)} KB gzip; the peers' main entries are ${peers.map(([n, p]) => `${n} ${fmt(p.entry.gzip / 1024, 1)} KB`).join(', ')} (gzip, without their dependencies). `
      + '*Cause:* the wasm module carries the whole core (conversion with the editor\'s display-name table, validation, parameters, media metadata, exact JSON, the job tracker), which the peers do not do; it embeds no catalog (the addon does: ComfyUI 0.3.64\'s). The Node addon package is '
      + `${fmt((sizes.packs['linux-x64-gnu addon package (release addon)']?.size ?? 0) / 1024 / 1024, 2)} MB to download.`);
    say('');
  }
}

console.log(out.join('\n'));
