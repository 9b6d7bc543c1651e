// The npm package as a user installs it: `npm pack`, install the tarball into a fresh project,
// then on the plain `node` of the machine (no flags) `import` and `require` it, and run a job
// on the emulator through the WebAssembly build (the fallback of every platform without an
// addon in the tarball).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startEmulator } from './harness/index.mjs';

let dir;
let emulator;

function node(args, env = {}) {
  return execFileSync(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60000 });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'comfywire-user-'));
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: join(ROOT, 'node'), stdio: 'ignore' });
  const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  writeFileSync(join(dir, 'package.json'), '{"name": "a-user", "private": true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', `./${tarball}`], { cwd: dir, stdio: 'ignore' });
  copyFileSync(join(ROOT, 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json'), join(dir, 'wf.json'));
  emulator = await startEmulator({
    args: ['--models-for', 'tests/fixtures/goldens/templates-old-0.1.0__default.workflow.json', '--node-ms', '2', '--steps', '3'],
  });
});

after(async () => {
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('require and import both load the installed package, in each build', () => {
  for (const build of ['wasm', 'auto']) {
    const env = build === 'wasm' ? { COMFYWIRE_BINDING: 'wasm' } : { COMFYWIRE_BINDING: '' };
    const viaRequire = node(['-e', 'const cw = require("comfywire"); console.log(cw.runtime, typeof cw.convert)'], env).trim();
    const viaImport = node(['--input-type=module', '-e', 'import * as cw from "comfywire"; console.log(cw.runtime, typeof cw.convert)'], env).trim();
    assert.match(viaRequire, /^(wasm|napi) function$/);
    assert.equal(viaRequire, viaImport);
    if (build === 'wasm') assert.equal(viaRequire, 'wasm function');
  }
});

test('the wasm build runs a job on plain node, and a dead server is NETWORK', () => {
  const script = `
    const cw = require('comfywire');
    const { readFileSync } = require('node:fs');
    (async () => {
      const client = await cw.ComfyClient.connect(process.argv[1]);
      const r = await client.run(readFileSync('wf.json', 'utf8'), { params: { seed: 18446744073709551615n } });
      console.log(JSON.stringify({ status: r.status, files: r.files.map((f) => f.filename) }));
      await client.close();
      try { await cw.ComfyClient.connect('http://127.0.0.1:1'); } catch (e) { console.log(e.code); }
    })();`;
  const out = node(['-e', script, emulator.url], { COMFYWIRE_BINDING: 'wasm' }).trim().split('\n');
  assert.deepEqual(JSON.parse(out[0]), { status: 'SUCCESS', files: ['ComfyUI_00001_.png'] });
  assert.equal(out[1], 'NETWORK');
});

test('TypeScript users of the installed package type-check under --strict, ESM and CommonJS, without @types/node', () => {
  writeFileSync(join(dir, 'esm.mts'), `
    import * as cw from 'comfywire';
    export async function main(url: string): Promise<boolean> {
      const client = await cw.ComfyClient.connect({ server: url, reconnectWindowMs: 5000 });
      const job = await client.queuePrompt(cw.convert({}).prompt, { seedMode: 'asSaved', front: true });
      job.on('progress', (e) => console.log(e.value / e.max, e.overall));
      job.on('preview', (e) => console.log(e.image.byteLength));
      const result: cw.JobResult = await job.wait();
      const node: cw.ApiNode | undefined = cw.convert({}).prompt['3'];
      return result.ok && node?.class_type === 'KSampler';
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
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', '.'], { cwd: dir, encoding: 'utf8' });
  } catch (err) {
    output = `${err.stdout}${err.stderr}`;
  }
  assert.equal(output, '', 'tsc reports nothing');
});
