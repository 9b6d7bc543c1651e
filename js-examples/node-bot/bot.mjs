#!/usr/bin/env node
// Runs a ComfyUI workflow from the command line: the bones of a chat or batch bot.
//
//   node bot.mjs <workflow.json | image.png> [name=value ...] [--server URL] [--out DIR] [--timeout S]
//   node bot.mjs workflow.json positive="a red fox" seed=42 steps=20 width=768
//
// `name` is any comfywire selector: a role (positive, negative, seed, steps, cfg, width, height,
// checkpoint…), `#3.seed`, `KSampler.steps`, `title:Hero Prompt.text`. Without --server and
// without $COMFYUI_URL it runs on the bundled ComfyUI emulator. Progress goes to stderr; stdout
// gets the prompt id and the saved files' paths, one per line, for scripts to read.

import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ComfyClient, ComfyError, set } from '../../node/lib/node.js'; // 'comfywire' once installed
import { startEmulator } from '../emulator.mjs';

const CTRL_C = 'cancelled by Ctrl-C (the job was cancelled on the server)';
const USAGE = 'usage: node bot.mjs <workflow.json|.png> [name=value ...] [--server URL] [--out DIR] [--timeout SECONDS]';

/**
 * Command-line values become what the workflow's inputs expect: `42` a number, a seed beyond
 * 2^53 a BigInt (a JavaScript number would silently round it), `7.5` a number, `true`/`false`
 * booleans, `'"42"'` (JSON-quoted) the string 42, anything else the text as typed. A number
 * given to a text input is fine: comfywire coerces it as ComfyUI would.
 */
function parseValue(text) {
  if (/^-?\d+$/.test(text)) {
    const n = BigInt(text);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if (/^-?(\d+\.\d*|\.\d+|\d+)(e[-+]?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.startsWith('"')) {
    try { return JSON.parse(text); } catch { /* not JSON: keep the text */ }
  }
  return text;
}

function parseCommandLine(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      out: { type: 'string', default: 'outputs' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) return { help: true };
  const [workflow, ...assignments] = positionals;
  const params = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new ComfyError('USAGE', `expected name=value, got \`${a}\``);
    params[a.slice(0, eq)] = parseValue(a.slice(eq + 1));
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new ComfyError('USAGE', `--timeout wants seconds, got \`${values.timeout}\``);
  return { workflow, params, server: values.server ?? process.env.COMFYUI_URL, out: values.out, timeoutMs };
}

/**
 * One progress display for terminals and logs alike: a bar redrawn in place on a TTY, and a
 * line per 10 % (and per node) when stderr is a file or a pipe, so CI logs stay readable.
 */
function progressReporter(stream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let lastLine = '';
  let lastDecile = -1;
  let drawn = false;
  const bar = (fraction) => {
    const width = 30;
    const full = Math.round(fraction * width);
    return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
  };
  return {
    note(text) {
      if (tty && drawn) stream.write('\r\x1b[K');
      stream.write(`${text}\n`);
      if (tty && drawn) stream.write(lastLine);
    },
    update(fraction, detail) {
      const line = `${bar(fraction)} ${detail}`;
      if (tty) {
        if (line !== lastLine) stream.write(`\r\x1b[K${line}`);
        drawn = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile !== lastDecile) stream.write(`${line}\n`);
        lastDecile = decile;
      }
      lastLine = line;
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** What went wrong, in terms a user can act on: every refused override, every node error. */
function explain(err) {
  const lines = [`error ${err.code ?? 'INTERNAL'}: ${err.message}`];
  for (const issue of err.issues ?? []) lines.push(`  ${issue.selector}: ${issue.message} (${issue.code})`);
  for (const [node, entry] of Object.entries(err.nodeErrors ?? {})) {
    for (const e of entry.errors ?? []) lines.push(`  #${node} ${entry.class_type}: ${e.message}${e.details ? `: ${e.details}` : ''}`);
  }
  const failure = err.result?.error;
  if (failure?.node_id) lines.push(`  #${failure.node_id} ${failure.node_type ?? ''}: ${String(failure.exception_message ?? '').trim()}`);
  return lines.join('\n');
}

async function main() {
  const options = parseCommandLine(process.argv.slice(2));
  if (options.help) {
    console.error(USAGE);
    return 2;
  }
  const workflow = await readFile(options.workflow); // JSON or a PNG/WebP ComfyUI wrote: both work

  let emulator = null;
  let server = options.server;
  if (!server) {
    // Give the emulator the workflow's model files, as a real server would have them.
    emulator = await startEmulator({ modelsFor: options.workflow });
    server = emulator.url;
    console.error(`no --server or COMFYUI_URL: running on the bundled emulator at ${server}`);
  }

  const client = await ComfyClient.connect(server, { timeoutMs: 10_000 });
  // Ctrl-C cancels this job on the server (and only this one) instead of leaving it running.
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new ComfyError('CANCELLED', CTRL_C)));
  const progress = progressReporter();
  try {
    // Convert against the server's own catalog (widget values are positional: the catalog
    // decides which input each lands on), then apply the parameters all or nothing.
    const catalog = await client.objectInfo();
    const prompt = set(workflow, options.params, { catalog });

    const started = performance.now();
    const job = await client.queuePrompt(prompt, { signal: abort.signal, timeoutMs: options.timeoutMs });
    console.log(`prompt ${job.promptId}`);
    // 0..1 over the whole job. `progress` events carry comfywire's estimate; between them
    // (loaders, decoders: nodes without steps) we count nodes the same way, so the bar moves.
    let overall = 0;
    let nodesDone = 0;
    const nodesTotal = Object.keys(prompt).length;
    for await (const event of job) {
      const name = (id) => `${prompt[id]?.class_type ?? 'node'} #${id}`;
      switch (event.type) {
        case 'queued':
          if (event.position > 0) progress.note(`queued: ${event.position} job(s) ahead`);
          break;
        case 'cached':
          nodesDone += event.nodes.length;
          if (event.nodes.length) progress.note(`cached: ${event.nodes.length} node(s) not run again`);
          break;
        case 'executing':
          overall = Math.max(overall, nodesDone++ / nodesTotal);
          progress.update(overall, name(event.node));
          break;
        case 'progress':
          overall = event.overall ?? overall;
          progress.update(overall, `${name(event.node)} ${event.value}/${event.max}`);
          break;
        case 'finished':
          if (event.result.ok) progress.update(1, 'done');
          progress.done();
          break;
      }
    }
    const result = await job.wait();
    if (abort.signal.aborted) throw Object.assign(abort.signal.reason, { result });
    if (!result.ok) {
      const message = result.error?.exception_message ?? result.error?.message ?? `the job ended with ${result.status}`;
      throw new ComfyError(result.status, String(message).trim(), { result });
    }

    await mkdir(options.out, { recursive: true });
    for (const file of result.files) {
      // Prefixed with the prompt id: servers number their files from 1 again after a restart.
      const path = join(options.out, `${job.promptId.slice(0, 8)}-${basename(file.filename)}`);
      await writeFile(path, await client.view(file));
      console.log(path);
    }
    console.error(`${result.status}: ${result.files.length} file(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    progress.done();
    client.close();
    emulator?.stop();
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (err) => {
    const usage = err.code === 'USAGE' || String(err.code).startsWith('ERR_PARSE_ARGS');
    // Errors with a code (comfywire's, the file system's) are expected: no stack trace for those.
    console.error(typeof err.code === 'string' ? explain(usage ? { ...err, code: 'USAGE', message: err.message } : err) : err.stack ?? String(err));
    if (usage) console.error(USAGE);
    process.exitCode = usage ? 2 : err.message === CTRL_C ? 130 : 1;
  },
);
