// The npm package as a user installs it: `npm pack` the main package and the platform package,
// install them into fresh projects as a user would (main only → the WebAssembly build; main +
// platform → the addon and the CLI), then on the plain `node` of the machine (no flags): import
// and require, run a job on the emulator, `npx comfywire`, and the README's code blocks, run and
// type-checked under `tsc --strict`. Prints the tarball sizes and install times it measured.
//   node --test tests/js/package.test.mjs   (needs scripts/build-js.sh and cargo build of the CLI)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startEmulator } from './harness/index.mjs';

const WORKFLOW = join(ROOT, 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json');
let work;
let emulator;
const projects = {}; // 'wasm' (main only), 'addon' (main + platform): directories
const tarballs = {};

function node(dir, args, env = {}) {
  return execFileSync(process.execPath, args, { cwd: dir, env: { ...process.env, COMFYWIRE_BINDING: '', ...env }, encoding: 'utf8', timeout: 60000 });
}

/** A command's status and output, without throwing on a non-zero status. */
function runIn(dir, cmd, args, env = {}) {
  const out = spawnSync(cmd, args, { cwd: dir, env: { ...process.env, COMFYWIRE_BINDING: '', ...env }, encoding: 'utf8', timeout: 120000 });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

function pack(dir) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: dir, encoding: 'utf8' });
  const [info] = JSON.parse(out.slice(out.indexOf('[')));
  return { path: join(work, info.filename), size: info.size, unpacked: info.unpackedSize, files: info.files.map((f) => f.path) };
}

function install(name, tgzs) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{"name": "a-user", "private": true}');
  copyFileSync(WORKFLOW, join(dir, 'workflow.json'));
  const started = process.hrtime.bigint();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', ...tgzs], { cwd: dir, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`# npm install (${name}): ${Math.round(ms)} ms`);
  projects[name] = dir;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'comfywire-user-'));
  execFileSync('bash', [join(ROOT, 'scripts/stage-npm.sh')], { stdio: 'ignore' });
  tarballs.main = pack(join(ROOT, 'node'));
  tarballs.platform = pack(join(ROOT, 'node/npm/linux-x64-gnu'));
  for (const [name, t] of Object.entries(tarballs)) {
    console.log(`# tarball ${name}: ${t.size} bytes packed, ${t.unpacked} unpacked, ${t.files.length} files`);
  }
  install('wasm', [tarballs.main.path]);
  install('addon', [tarballs.main.path, tarballs.platform.path]);
  emulator = await startEmulator({ args: ['--models-for', WORKFLOW, '--node-ms', '2', '--steps', '3'] });
});

after(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarballs hold what a user needs, and nothing of the build', () => {
  const main = tarballs.main.files;
  for (const f of ['README.md', 'LICENSE', 'package.json', 'bin/comfywire.cjs', 'lib/node.js', 'binding.cjs', 'types/node.d.ts', 'wasm/web/comfywire_wasm_bg.wasm', 'wasm/catalog-0.3.64.json']) {
    assert.ok(main.includes(f), `main tarball lacks ${f}`);
  }
  assert.ok(!main.some((f) => f.endsWith('.node') || f.startsWith('src/')), main.join());
  assert.deepEqual(tarballs.platform.files.sort(), ['LICENSE', 'README.md', 'bin/comfywire', 'bin/comfywire-emulator', 'comfywire.linux-x64-gnu.node', 'package.json']);
  const manifest = JSON.parse(readFileSync(join(projects.wasm, 'node_modules/comfywire/package.json'), 'utf8'));
  assert.equal(manifest.optionalDependencies['comfywire-linux-x64-gnu'], manifest.version);
  assert.ok(manifest.repository && manifest.keywords.includes('comfyui'));
});

test('main only: the WebAssembly build, saying why; main + platform: the addon', () => {
  for (const [name, expected] of [['wasm', 'wasm'], ['addon', 'napi']]) {
    const dir = projects[name];
    const viaRequire = node(dir, ['-e', 'const cw = require("comfywire"); console.log(cw.runtime, typeof cw.convert)']).trim();
    const viaImport = node(dir, ['--input-type=module', '-e', 'import * as cw from "comfywire"; console.log(cw.runtime, typeof cw.convert)']).trim();
    assert.equal(viaRequire, `${expected} function`, name);
    assert.equal(viaImport, viaRequire, name);
    const debug = runIn(dir, process.execPath, ['-e', 'require("comfywire")'], { COMFYWIRE_DEBUG: '1' });
    assert.equal(debug.status, 0);
    const line = debug.stderr.trim();
    if (expected === 'wasm') {
      assert.equal(line, 'comfywire: wasm: the WebAssembly build: no Node addon for linux-x64 (the package comfywire-linux-x64-gnu is not installed)');
    } else {
      assert.equal(line, 'comfywire: napi: the Node addon for linux-x64 loaded');
    }
  }
  // Forcing the fallback where the addon is installed says so.
  const forced = node(projects.addon, ['-e', 'const cw = require("comfywire"); console.log(cw.runtime, cw.runtimeReason)'], { COMFYWIRE_BINDING: 'wasm' }).trim();
  assert.equal(forced, 'wasm the WebAssembly build: COMFYWIRE_BINDING=wasm');
});

test('the wasm build runs a job on plain node, converts with the packaged catalog, and a dead server is NETWORK', () => {
  const script = `
    const cw = require('comfywire');
    const { readFileSync } = require('node:fs');
    (async () => {
      const workflow = readFileSync('workflow.json', 'utf8');
      console.log(cw.convert(workflow).prompt['3'].class_type);
      const client = await cw.ComfyClient.connect(process.argv[1]);
      const r = await client.run(workflow, { params: { seed: 18446744073709551615n } });
      console.log(JSON.stringify({ status: r.status, files: r.files.map((f) => f.filename) }));
      await client.close();
      try { await cw.ComfyClient.connect('http://127.0.0.1:1'); } catch (e) { console.log(e.code); }
    })();`;
  const out = node(projects.wasm, ['-e', script, emulator.url]).trim().split('\n');
  assert.equal(out[0], 'KSampler');
  assert.deepEqual(JSON.parse(out[1]), { status: 'SUCCESS', files: ['ComfyUI_00001_.png'] });
  assert.equal(out[2], 'NETWORK');
});

test('npx comfywire: the CLI from the platform package, and a clear refusal without it', () => {
  const help = runIn(projects.addon, 'npx', ['comfywire', '--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: comfywire <COMMAND>/);
  // No server given: `run` starts the bundled emulator from the same package.
  const started = Date.now();
  const run = runIn(projects.addon, 'npx', ['comfywire', 'run', 'workflow.json', 'seed=18446744073709551615', '--json'], { COMFYUI_URL: '' });
  console.log(`# npx comfywire run on the bundled emulator: ${Date.now() - started} ms`);
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.status, 'SUCCESS');
  assert.ok(statSync(join(projects.addon, result.saved[0])).size > 0, 'the output was saved');
  const emu = runIn(projects.addon, 'npx', ['comfywire-emulator', '--help']);
  assert.equal(emu.status, 0, emu.stderr);

  const missing = runIn(projects.wasm, 'npx', ['comfywire', '--help']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /the optional package comfywire-linux-x64-gnu is not installed/);
  assert.match(missing.stderr, /cargo install/);
});

/** The code blocks of a Markdown file with the given info string. */
function codeBlocks(markdown, lang) {
  const blocks = [];
  const re = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm');
  for (const m of markdown.matchAll(re)) blocks.push(m[1]);
  return blocks;
}

/** The JavaScript section of the repository README (up to the next `## ` heading). */
function rootReadmeJs() {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = text.indexOf('\n## JavaScript');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end);
}

test("the READMEs' JavaScript runs as written, in both builds, and type-checks under --strict", () => {
  const own = codeBlocks(readFileSync(join(ROOT, 'node/README.md'), 'utf8'), 'js');
  const tour = codeBlocks(rootReadmeJs(), 'js');
  assert.ok(own.length >= 2 && tour.length >= 1, `only ${own.length} + ${tour.length} js blocks`);
  const blocks = [...own, ...tour];
  const files = [];
  blocks.forEach((code, i) => {
    const cjs = /\brequire\(/.test(code);
    for (const [name, dir] of Object.entries(projects)) {
      const file = `readme-${i}.${cjs ? 'cjs' : 'mjs'}`;
      writeFileSync(join(dir, file), code);
      const out = runIn(dir, process.execPath, [file], { COMFYUI_URL: emulator.url });
      assert.equal(out.status, 0, `README block ${i} in the ${name} project:\n${code}\n${out.stdout}${out.stderr}`);
      if (i === 0) assert.match(out.stdout, /^SUCCESS \[.*ComfyUI_\d+_\.png/m, out.stdout);
      if (i === own.length) assert.match(out.stdout, /^progress 3 1\/3$[\s\S]*^finished$[\s\S]*^ComfyUI_\d+_\.png SUCCESS /m, out.stdout);
    }
    const ts = `readme-${i}.${cjs ? 'cts' : 'mts'}`;
    writeFileSync(join(projects.addon, ts), cjs ? code.replace(/const (\w+) = require\(('[^']+')\);/g, 'import $1 = require($2);').replace(/const \{ (\w+) \} = require\(('[^']+')\);/g, 'import { $1 } from $2;') : code);
    files.push(ts);
  });
  writeFileSync(join(projects.addon, 'tsconfig.readme.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types: ['node'] },
    files,
  }));
  typecheck(projects.addon, 'tsconfig.readme.json', true);
});

function typecheck(dir, config, withNodeTypes = false) {
  if (withNodeTypes) {
    // The snippets use node:fs and process; a Node user has @types/node (from the repository's
    // own dev dependencies, not downloaded again).
    mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
    execFileSync('cp', ['-r', join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/')]);
    for (const dep of readdirSync(join(ROOT, 'node_modules')).filter((d) => d === 'undici-types')) {
      execFileSync('cp', ['-r', join(ROOT, 'node_modules', dep), join(dir, 'node_modules/')]);
    }
  }
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', config], { cwd: dir, encoding: 'utf8' });
  } catch (err) {
    output = `${err.stdout}${err.stderr}`;
  }
  assert.equal(output, '', 'tsc reports nothing');
}

test('TypeScript users of the installed package type-check under --strict, ESM and CommonJS, without @types/node', () => {
  const dir = projects.wasm;
  writeFileSync(join(dir, 'esm.mts'), `
    import * as cw from 'comfywire';
    export async function main(url: string): Promise<boolean> {
      const client = await cw.ComfyClient.connect({ server: url, reconnectWindowMs: 5000 });
      const job = await client.queuePrompt(cw.convert({}).prompt, { seedMode: 'asSaved', front: true });
      job.on('progress', (e) => console.log(e.value / e.max, e.overall));
      job.on('preview', (e) => console.log(e.image.byteLength));
      const result: cw.JobResult = await job.wait();
      const node: cw.ApiNode | undefined = cw.convert({}).prompt['3'];
      const why: string = cw.runtimeReason;
      return result.ok && node?.class_type === 'KSampler' && why.length > 0;
    }
  `);
  writeFileSync(join(dir, 'cjs.cts'), `
    import cw = require('comfywire');
    const codes: readonly cw.ErrorCode[] = cw.ERROR_CODES;
    const info: cw.WorkflowInfo = cw.parseWorkflow('{}');
    console.log(codes.length, info.frontendVersion ?? 'unrecorded');
  `);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: [] },
    files: ['esm.mts', 'cjs.cts'],
  }));
  typecheck(dir, 'tsconfig.json');
});
