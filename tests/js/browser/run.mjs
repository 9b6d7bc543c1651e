#!/usr/bin/env node
// Runs node:test suites in headless Chromium (the `wasm-browser` target of the behaviour suite).
//
//   node tests/js/browser/run.mjs tests/js/behaviour.test.mjs [more test files]
//
// What it does:
//   - serves the repository root on 127.0.0.1 (random port), with the MIME types module scripts and
//     WebAssembly need, plus a control API under /_harness/ (list fixtures; start, configure,
//     reset, restart and stop emulators, which are spawned by the Node harness, cwd = repo root);
//   - launches Debian's Chromium (/usr/bin/chromium, or CHROMIUM=…) through playwright-core with a
//     fresh temporary profile, and opens for each file a page whose import map sends
//     `node:test` → shim-test.mjs, `node:assert` and `node:assert/strict` → shim-assert.mjs and
//     tests/js/harness/index.mjs → tests/js/harness/browser.mjs; the file is imported there and
//     its tests run in order;
//   - prints TAP-like lines (`ok 1 - name`, `not ok 2 - name` with the error and stack, skips as
//     `# SKIP`), then `# tests`, `# pass`, `# fail`, `# skipped`, `# todo`, and exits 1 on any
//     failure, page error, unhandled rejection, or when the whole run exceeds HARNESS_TIMEOUT
//     seconds (default 300). Browser console output goes to stderr.
//   - closes the browser and kills the emulators it spawned in every case (also on Ctrl-C).
//
// Environment: HARNESS_TIMEOUT (s), CHROMIUM (browser binary), EMULATOR (emulator binary, as for
// the Node harness), EMULATOR_LOG=1 (emulator stderr passed through), HARNESS_API=selftest (the
// harness self-test's stub instead of comfywire), HARNESS_HEADFUL=1 (show the browser window),
// HARNESS_SERVE_ONLY=1 (serve and print the page URLs, no browser: for debugging by hand).
//
// The browser has no Node built-ins: suites must reach files and processes only through the
// harness (fixtureText/fixtureBytes/listFixtures/startEmulator), never node:fs, node:child_process,
// process.env or Buffer.

import { createServer } from 'node:http';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, listFixtures, startEmulator } from '../harness/index.mjs';

const started = Date.now();
const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node tests/js/browser/run.mjs <test file> [more test files]');
  process.exit(2);
}
const fileUrls = files.map((f) => {
  const abs = resolve(f);
  const rel = relative(ROOT, abs);
  if (rel.startsWith('..') || rel.startsWith(sep)) {
    console.error(`run.mjs: ${f} is outside the repository (${ROOT})`);
    process.exit(2);
  }
  try {
    statSync(abs);
  } catch {
    console.error(`run.mjs: no such file: ${f}`);
    process.exit(2);
  }
  return '/' + rel.split(sep).map(encodeURIComponent).join('/');
});
const timeoutS = Number(process.env.HARNESS_TIMEOUT || 300);

// ---- the HTTP server: static files + control API ------------------------------------------------

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.flac': 'audio/flac',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
};

const HARNESS_INDEX = '/tests/js/harness/index.mjs';
const SHIMS = '/tests/js/browser/';

function pageHtml() {
  const importMap = {
    imports: {
      'node:test': `${SHIMS}shim-test.mjs`,
      'node:assert': `${SHIMS}shim-assert.mjs`,
      'node:assert/strict': `${SHIMS}shim-assert.mjs`,
      [HARNESS_INDEX]: '/tests/js/harness/browser.mjs',
    },
  };
  return `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>comfywire browser tests</title>
<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module">
  import { __runFile } from 'node:test';
  const file = new URLSearchParams(location.search).get('file');
  __runFile(file);
</script>
</head><body>comfywire browser tests</body></html>
`;
}

let currentFile = null; // the test file running now

/** Emulators by id; `owner` is the test file that started them (all are stopped after it). */
const emulators = new Map();
let nextEmulator = 1;

function send(res, status, body, type = 'application/json; charset=utf-8') {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function control(req, res, url) {
  const parts = url.pathname.split('/').filter(Boolean).slice(1); // after "_harness"
  if (req.method === 'GET' && parts[0] === 'page') return send(res, 200, pageHtml(), MIME['.html']);
  if (req.method === 'GET' && parts[0] === 'list') {
    return send(res, 200, await listFixtures(url.searchParams.get('dir') ?? '', url.searchParams.get('suffix') ?? ''));
  }
  if (req.method === 'POST' && parts[0] === 'emulator') {
    const body = await readJson(req);
    if (parts[1] === 'start') {
      const args = Array.isArray(body.args) ? body.args.map(String) : [];
      const e = await startEmulator({ cors: body.cors !== false, args });
      const id = String(nextEmulator++);
      emulators.set(id, { e, owner: currentFile });
      return send(res, 200, { id, url: e.url });
    }
    const entry = emulators.get(parts[1]);
    if (!entry) return send(res, 404, { error: `no emulator ${parts[1]}` });
    const { e } = entry;
    switch (parts[2]) {
      case 'config':
        return send(res, 200, await e.config(body));
      case 'reset':
        return send(res, 200, await e.reset());
      case 'restart':
        await e.restart();
        return send(res, 200, null);
      case 'stop':
        await e.stop();
        emulators.delete(parts[1]);
        return send(res, 200, null);
    }
  }
  return send(res, 404, { error: `unknown control request ${req.method} ${url.pathname}` });
}

function serveStatic(req, res, url) {
  let path;
  try {
    path = resolve(ROOT, '.' + decodeURIComponent(url.pathname));
  } catch {
    return send(res, 400, 'bad path', MIME['.txt']);
  }
  if (path !== ROOT.replace(/\/$/, '') && !path.startsWith(ROOT)) return send(res, 403, 'outside the repository', MIME['.txt']);
  let st;
  try {
    st = statSync(path);
  } catch {
    return send(res, 404, `not found: ${url.pathname}`, MIME['.txt']);
  }
  if (!st.isFile()) return send(res, 404, `not a file: ${url.pathname}`, MIME['.txt']);
  res.writeHead(200, {
    'content-type': MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(path).pipe(res);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/_harness/')) await control(req, res, url);
    else if (req.method === 'GET' || req.method === 'HEAD') serveStatic(req, res, url);
    else send(res, 405, 'method not allowed', MIME['.txt']);
  } catch (err) {
    if (!res.headersSent) send(res, 500, { error: String(err?.stack ?? err) });
    else res.destroy();
  }
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---- cleanup -----------------------------------------------------------------------------------

let context = null;
let profileDir = null;
let cleaning = null;

async function stopEmulators(owner) {
  const stops = [];
  for (const [id, { e, owner: o }] of emulators) {
    if (owner === undefined || o === owner) {
      emulators.delete(id);
      stops.push(e.stop());
    }
  }
  await Promise.allSettled(stops);
}

function cleanup() {
  cleaning ??= (async () => {
    await Promise.race([context?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    await stopEmulators();
    server.closeAllConnections?.();
    server.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  })();
  return cleaning;
}

process.on('exit', () => {
  // Last resort (the harness also SIGKILLs its emulators on exit).
  if (profileDir) {
    try {
      rmSync(profileDir, { recursive: true, force: true });
    } catch {}
  }
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    console.error(`\n# interrupted (${signal})`);
    cleanup().finally(() => process.exit(code));
  });
}

// ---- reporting ---------------------------------------------------------------------------------

let n = 0;
let runningTest = null; // the name of the test the page is running, for page errors
const totals = { pass: 0, fail: 0, skip: 0, todo: 0 };
let pageErrors = 0;

const repoPath = (text) => String(text).split(`${origin}/`).join('');

function yamlBlock(key, text) {
  return `    ${key}: |-\n${String(text).split('\n').map((l) => `      ${l}`).join('\n')}`;
}

function printTest(msg) {
  n++;
  totals[msg.status]++;
  const name = msg.name.replace(/#/g, '\\#');
  if (msg.status === 'pass') return console.log(`ok ${n} - ${name}`);
  if (msg.status === 'skip' || msg.status === 'todo') {
    return console.log(`ok ${n} - ${name} # ${msg.status.toUpperCase()}${msg.reason ? ` ${msg.reason}` : ''}`);
  }
  console.log(`not ok ${n} - ${name}`);
  const e = msg.error ?? {};
  const lines = ['  ---', `    duration_ms: ${msg.durationMs}`];
  lines.push(yamlBlock('error', repoPath(`${e.name}: ${e.message}`)));
  if (e.code !== undefined) lines.push(`    code: ${JSON.stringify(e.code)}`);
  if (e.operator) lines.push(`    operator: ${e.operator}`);
  if (e.data) lines.push(yamlBlock('data', JSON.stringify(e.data, null, 2)));
  for (let c = e.cause, depth = 0; c && depth < 5; c = c.cause, depth++) lines.push(yamlBlock('cause', repoPath(c.stack || `${c.name}: ${c.message}`)));
  let rawStack = e.stack ?? '';
  const head = `${e.name}: ${e.message}`;
  if (rawStack.startsWith(head)) rawStack = rawStack.slice(head.length); // the message may hold another stack
  else if (rawStack.startsWith(e.message)) rawStack = rawStack.slice(e.message.length);
  const stack = repoPath(rawStack).split('\n').filter((l) => /^\s*at /.test(l) || /@/.test(l)).map((l) => l.trim());
  if (stack.length) lines.push(yamlBlock('stack', stack.join('\n')));
  const source = sourceLine(stack);
  if (source) lines.push(`    location: ${source.where}`, yamlBlock('source', source.text));
  lines.push('  ...');
  console.log(lines.join('\n'));
}

/** The line of the first stack frame outside the shims (what Node shows for a bare assert.ok). */
function sourceLine(stack) {
  for (const frame of stack) {
    const m = /\(?([^\s()]+):(\d+):(\d+)\)?$/.exec(frame);
    if (!m || m[1].startsWith('tests/js/browser/') || /^[a-z]+:/.test(m[1])) continue;
    try {
      const text = readFileSync(join(ROOT, decodeURIComponent(m[1].split('?')[0])), 'utf8').split('\n')[Number(m[2]) - 1];
      if (text !== undefined) return { where: `${m[1]}:${m[2]}:${m[3]}`, text: text.trim() };
    } catch {}
    return null;
  }
  return null;
}

function printPageError(kind, text) {
  n++;
  totals.fail++;
  pageErrors++;
  console.log(`not ok ${n} - ${kind} in ${currentFile}${runningTest ? ` (while "${runningTest}" ran)` : ''}`);
  console.log(['  ---', yamlBlock('error', repoPath(text)), '  ...'].join('\n'));
}

// ---- the browser -------------------------------------------------------------------------------

const timer = setTimeout(async () => {
  console.log(`not ok ${++n} - the run timed out after ${timeoutS} s (HARNESS_TIMEOUT)${currentFile ? ` in ${currentFile}` : ''}${runningTest ? `, during "${runningTest}"` : ''}`);
  totals.fail++;
  await cleanup();
  summary();
  process.exit(1);
}, timeoutS * 1000);

function summary() {
  console.log(`1..${n}`);
  console.log(`# tests ${n}`);
  console.log(`# pass ${totals.pass}`);
  console.log(`# fail ${totals.fail}`);
  console.log(`# skipped ${totals.skip}`);
  console.log(`# todo ${totals.todo}`);
  console.log(`# duration_ms ${Date.now() - started}`);
}

console.log('TAP version 13');

if (process.env.HARNESS_SERVE_ONLY) {
  clearTimeout(timer);
  for (const f of fileUrls) console.log(`# ${origin}/_harness/page?file=${encodeURIComponent(f)}${apiParam()}`);
  console.log('# serving; Ctrl-C to stop');
} else {
  try {
    await runAll();
  } catch (err) {
    printPageError('runner error', err?.stack ?? String(err));
  }
  clearTimeout(timer);
  await cleanup();
  summary();
  process.exit(totals.fail > 0 || pageErrors > 0 || n === 0 ? 1 : 0);
}

function apiParam() {
  return process.env.HARNESS_API ? `&api=${encodeURIComponent(process.env.HARNESS_API)}` : '';
}

async function runAll() {
  const { chromium } = await import('playwright-core').catch((err) => {
    throw new Error(`playwright-core is not installed (run \`npm ci\` at the repository root): ${err.message}`);
  });
  profileDir = mkdtempSync(join(tmpdir(), 'comfywire-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: !process.env.HARNESS_HEADFUL,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let onMessage = () => {};
  await context.exposeBinding('__harnessReport', (_source, msg) => onMessage(msg));

  for (const file of fileUrls) {
    currentFile = file.slice(1);
    console.log(`# file: ${currentFile}`);
    const page = await context.newPage();
    const done = new Promise((resolveDone) => {
      onMessage = (msg) => {
        if (msg.type === 'start') runningTest = msg.name;
        else if (msg.type === 'test') {
          runningTest = null;
          printTest(msg);
        }
        else if (msg.type === 'diagnostic') console.log(`# ${msg.test.join(' > ')}: ${msg.message}`);
        else if (msg.type === 'done') resolveDone();
      };
      page.on('crash', () => {
        printPageError('page crash', 'the page crashed');
        resolveDone();
      });
    });
    page.on('console', (m) => process.stderr.write(`[browser ${m.type()}] ${repoPath(m.text())}\n`));
    // Uncaught exceptions and unhandled promise rejections both arrive here.
    page.on('pageerror', (err) => printPageError('uncaught error', err.stack || String(err)));
    await page.goto(`${origin}/_harness/page?file=${encodeURIComponent(file)}${apiParam()}`);
    await done;
    await new Promise((r) => setTimeout(r, 50)); // late page errors
    await page.close();
    await stopEmulators(currentFile);
  }
}
