// End-to-end test of js-examples/browser in headless Chromium, against the emulator (CORS mode):
// the page as served from the repository (unbundled ES modules), then the same page bundled by
// Vite. It loads a workflow, edits the form, runs it, and checks what the server received.
//
//   node --test tests/js/browser-example.test.mjs
//
// Environment: EMULATOR (emulator binary, as for the harness), CHROMIUM (default /usr/bin/chromium).
// Screenshots: target/artifacts/browser-example.png and browser-example-vite.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT, startEmulator } from './harness/index.mjs';

const WORKFLOW = 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json';
const PNG = 'tests/fixtures/media/view_output_of_run.png';
const SEED = '18446744073709551615'; // 2^64-1: not a JavaScript number
const POSITIVE = 'a red fox in the snow, drawn by the browser example';
const DIST = 'target/browser-example-dist';
const ARTIFACTS = join(ROOT, 'target', 'artifacts');

let emulator;
let server;
let origin;
let browser;

before(async () => {
  if (!existsSync(join(ROOT, 'node/wasm/web/comfywire_wasm_bg.wasm'))) {
    throw new Error('node/wasm/web is missing: run `bash scripts/build-js.sh` first');
  }
  const builtEmulator = ['release', 'debug'].some((p) => existsSync(join(ROOT, 'target', p, 'comfywire-emulator')));
  if (!process.env.EMULATOR && !builtEmulator) {
    const build = spawnSync('cargo', ['build', '-p', 'comfywire-emulator'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) throw new Error('cargo build -p comfywire-emulator failed');
  }
  emulator = await startEmulator({ cors: true, args: ['--models-for', WORKFLOW, '--node-ms', '5', '--steps', '4'] });
  server = await serveRepository();
  origin = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});

after(async () => {
  await Promise.allSettled([
    browser?.close(),
    emulator?.stop(),
    server && new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  ]);
});

test('the page served from the repository runs a workflow and a PNG', async (t) => {
  await exercise(t, '/js-examples/browser/index.html', 'browser-example.png');
});

test('the page bundled by Vite (wasm as an asset) does the same', async (t) => {
  const outDir = join(ROOT, DIST);
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  const config = join(ROOT, 'js-examples', 'browser', 'vite.config.mjs');
  const { code, output } = await runProcess(vite, ['build', '--config', config, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
  assert.equal(code, 0, `vite build failed:\n${output}`);

  const assets = readdirSync(join(outDir, 'assets'));
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  const js = assets.filter((f) => f.endsWith('.js'));
  assert.equal(wasm.length, 1, `one .wasm asset, got ${assets.join(', ')}`);
  assert.ok(js.length >= 1, 'a JavaScript chunk');
  assert.deepEqual(readFileSync(join(outDir, 'assets', wasm[0])), readFileSync(join(ROOT, 'node/wasm/web/comfywire_wasm_bg.wasm')), 'the wasm is copied unchanged');
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  assert.match(html, /src="\.\/assets\/[^"]+\.js"/, 'relative asset URLs (base: ./)');
  assert.doesNotMatch(html, /node\/lib\/browser\.js|main\.js/, 'no unbundled module is referenced');
  for (const f of [...js, ...wasm]) {
    const bytes = readFileSync(join(outDir, 'assets', f));
    t.diagnostic(`${f}: ${bytes.length} bytes, ${gzipSync(bytes).length} gzipped`);
  }

  await exercise(t, `/${DIST}/index.html`, 'browser-example-vite.png');
});

/** The whole flow on one build of the page; fails on any page error or console error. */
async function exercise(t, path, screenshot) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const problems = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.stack ?? err}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    page.on('crash', () => problems.push('the page crashed'));

    await page.goto(`${origin}${path}?server=${encodeURIComponent(emulator.url)}`);
    assert.equal(await page.inputValue('#server'), emulator.url, 'the server comes from ?server=');

    // --- a workflow saved by the editor, through the file input
    await page.setInputFiles('#file', join(ROOT, WORKFLOW));
    await page.waitForSelector('#params:not([hidden])');
    assert.match(await page.textContent('#loaded'), /workflow, 7 nodes/);
    const form = await page.evaluate(() => {
      const sets = [...document.querySelectorAll('#fields fieldset')];
      return {
        legends: sets.map((s) => s.querySelector('legend').textContent),
        firstIsRoles: sets[0]?.classList.contains('roles'),
        roles: [...sets[0].querySelectorAll('[name]')].map((i) => i.name),
        seed: (({ type, value, min, max }) => ({ type, value, min, max }))(document.querySelector('[name="#3.seed"]')),
        positive: document.querySelector('[name="#6.text"]').value,
        positiveTag: document.querySelector('[name="#6.text"]').tagName,
        checkpoint: document.querySelector('[name="#4.ckpt_name"]').selectedOptions[0].textContent,
        sampler: document.querySelector('[name="#3.sampler_name"]').tagName,
        error: document.querySelector('#error').hidden ? null : document.querySelector('#error').textContent,
      };
    });
    assert.equal(form.error, null, 'no error after loading');
    assert.ok(form.firstIsRoles, `the fieldset of parameters with roles comes first: ${form.legends}`);
    assert.ok(form.roles.includes('#3.seed'), `the seed is among the role parameters: ${form.roles}`);
    assert.deepEqual(form.roles.slice(0, 3), ['#6.text', '#7.text', '#3.seed'], 'positive, negative, seed first');
    assert.ok(!form.roles.includes('#9.filename_prefix') && form.legends.some((l) => /SaveImage #9/.test(l)), 'the rest is grouped by node');
    assert.deepEqual(form.seed, { type: 'number', value: '156680208700286', min: '0', max: SEED });
    assert.equal(form.positiveTag, 'TEXTAREA');
    assert.match(form.positive, /purple galaxy bottle/);
    assert.equal(form.checkpoint, 'v1-5-pruned-emaonly-fp16.safetensors', 'choices come from the server');
    assert.equal(form.sampler, 'SELECT');

    // --- a refused value: nothing is sent, the issue is listed with its code
    await page.fill('[name="#3.steps"]', '0');
    await page.click('#run');
    await page.waitForSelector('#error:not([hidden])');
    const refusal = await page.textContent('#error');
    assert.match(refusal, /OVERRIDES_REFUSED/);
    assert.match(refusal, /#3\.steps: .*outside \[1, 10000\] \(OUT_OF_RANGE\)/);
    await page.waitForFunction(() => !document.querySelector('#run').disabled);
    await page.fill('[name="#3.steps"]', '20');

    // --- edit, run, watch
    await page.fill('[name="#6.text"]', POSITIVE);
    await page.fill('[name="#3.seed"]', SEED);
    await page.evaluate(() => {
      // Every text the progress line showed during the run (it takes a few tens of ms); from the
      // records, as several events may be handled before the observer is called.
      window.progressSeen = [];
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) window.progressSeen.push(n.textContent);
      }).observe(document.querySelector('#progress-text'), { childList: true });
    });
    await page.click('#run');
    await page.waitForFunction(() => {
      const img = document.querySelector('#outputs img');
      return img?.complete && img.naturalWidth > 0;
    }, null, { timeout: 30000 });
    const run = await page.evaluate(() => ({
      promptId: document.querySelector('#prompt-id').textContent,
      status: document.querySelector('#status').textContent,
      progress: [document.querySelector('#progress').value, document.querySelector('#progress').max],
      progressSeen: window.progressSeen,
      preview: (() => {
        const img = document.querySelector('#preview:not([hidden]) img');
        return img ? { src: img.src.slice(0, 5), caption: document.querySelector('#preview figcaption').textContent } : null;
      })(),
      outputs: document.querySelectorAll('#outputs img').length,
      error: document.querySelector('#error').hidden ? null : document.querySelector('#error').textContent,
    }));
    assert.equal(run.error, null);
    assert.match(run.status, /^SUCCESS in /);
    assert.match(run.promptId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(run.progress, [4, 4], 'the bar ends at the sampler\'s last step (--steps 4)');
    assert.ok(run.progressSeen.some((s) => /^KSampler #3 [1-4]\/4$/.test(s)), `progress with the node's name was shown: ${run.progressSeen}`);
    assert.ok(run.preview && run.preview.src === 'blob:' && /^preview \d+$/.test(run.preview.caption), `a preview was shown: ${JSON.stringify(run.preview)}`);
    assert.equal(run.outputs, 1);

    // --- what the server received: the seed exactly, the new prompt, the untouched steps
    const history = await (await fetch(`${emulator.url}/history/${run.promptId}`)).text();
    assert.match(history, new RegExp(`"seed"\\s*:\\s*${SEED}[,}\\s]`), 'the seed reached the server exactly');
    assert.ok(history.includes(JSON.stringify(POSITIVE)), 'the edited positive prompt was sent');
    assert.match(history, /"steps"\s*:\s*20[,}\s]/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    t.diagnostic(`screenshot: target/artifacts/${screenshot}`);

    // --- a PNG ComfyUI wrote, dropped on the page: its embedded prompt, run as it is
    const dropped = await page.evaluateHandle(async (url) => {
      const data = new DataTransfer();
      const bytes = await (await fetch(url)).arrayBuffer();
      data.items.add(new File([bytes], url.split('/').pop(), { type: 'image/png' }));
      return data;
    }, `/${PNG}`);
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: dropped });
    await page.waitForSelector('[name="#1.width"]');
    assert.match(await page.textContent('#loaded'), /view_output_of_run\.png: API prompt, 3 nodes/);
    assert.equal(await page.inputValue('[name="#1.width"]'), '64');
    assert.equal(await page.inputValue('[name="#3.filename_prefix"]'), 'clienttest/invert');
    await page.click('#run');
    await page.waitForFunction((previous) => {
      const img = document.querySelector('#outputs img');
      return document.querySelector('#prompt-id').textContent !== previous && img?.complete && img.naturalWidth > 0;
    }, run.promptId, { timeout: 30000 });
    assert.match(await page.textContent('#status'), /^SUCCESS in /);

    // --- a job that fails on the server: its status and the server's message
    await emulator.config({ execution_error: 'ImageInvert' });
    try {
      await page.fill('[name="#1.width"]', '32'); // the same prompt again would be served from the cache
      await page.click('#run');
      await page.waitForSelector('#status.failed', { timeout: 30000 });
      assert.match(await page.textContent('#status'), /^EXECUTION_ERROR in /);
      assert.match(await page.textContent('#error'), /^EXECUTION_ERROR \S/);
    } finally {
      await emulator.reset();
    }
  } finally {
    await context.close();
    assert.deepEqual(problems, [], 'no page or console errors');
  }
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
};

/** The repository root over HTTP on 127.0.0.1 (a random port), GET and HEAD only. */
async function serveRepository() {
  const root = resolve(ROOT);
  const httpServer = createServer((req, res) => {
    const fail = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    let path;
    try {
      path = resolve(root, '.' + decodeURIComponent(new URL(req.url, 'http://x').pathname));
    } catch {
      return fail(400, 'bad path');
    }
    if (!path.startsWith(root + sep)) return fail(403, 'outside the repository');
    let size;
    try {
      const st = statSync(path);
      if (!st.isFile()) return fail(404, 'not a file');
      size = st.size;
    } catch {
      return fail(404, 'not found');
    }
    res.writeHead(200, {
      'content-type': MIME[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(path).pipe(res);
  });
  await new Promise((done) => httpServer.listen(0, '127.0.0.1', done));
  return httpServer;
}

function runProcess(cmd, args) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    child.once('error', fail);
    child.once('exit', (code) => done({ code, output }));
  });
}
