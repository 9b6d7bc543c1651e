// Sizes of what comfywire ships: the wasm module (raw, gzip -9, brotli), the JavaScript glue
// (wasm-bindgen's and the shared API in lib/), the npm tarballs (`npm pack --dry-run --json` of
// the main package and of the linux-x64-gnu addon package with the release addon in it), and
// the release addon itself. Reads the copy bench/prepare.sh makes (COMFYWIRE_NODE_DIR, default
// bench/.build/node; bench/.build/npm/linux-x64-gnu), never writes into node/.
//
//   node sizes.mjs [--out results/sizes.json]

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { flag } from './lib/child.mjs';
import { ROOT } from './lib/emulator.mjs';
import { hasDebugInfo } from './lib/elf.mjs';
import { table, writeJson } from './lib/report.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const NODE_DIR = resolve(process.env.COMFYWIRE_NODE_DIR ?? join(HERE, '.build', 'node'));
const NPM_DIR = resolve(process.env.COMFYWIRE_NPM_DIR ?? join(HERE, '.build', 'npm', 'linux-x64-gnu'));
const out = flag('out', 'BENCH_OUT', join(HERE, 'results', 'sizes.json'));

const kb = (n) => (n == null ? '—' : `${(n / 1024).toFixed(1)} KB`);
const mb = (n) => (n == null ? '—' : `${(n / 1024 / 1024).toFixed(2)} MB`);
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

// Brotli at quality 11 is slow (about 1 MB/s): only for what browsers download.
function files(list, { brotli = true } = {}) {
  const present = list.filter((f) => existsSync(f));
  if (!present.length) return null;
  const buf = Buffer.concat(present.map((f) => readFileSync(f)));
  return { files: present.map((f) => relative(ROOT, f)), raw: buf.length, gzip: gz(buf), brotli: brotli ? br(buf) : null };
}

const rows = [];
const data = { nodeDir: relative(ROOT, NODE_DIR), artifacts: {}, packs: {} };
const add = (what, path, r, { optional = false } = {}) => {
  if (!r && optional) return;
  data.artifacts[what] = r;
  rows.push([what, path, r ? kb(r.raw) : 'missing', r ? kb(r.gzip) : '', r?.brotli ? kb(r.brotli) : '—']);
};

add('wasm module (browsers and Node)', 'wasm/web/comfywire_wasm_bg.wasm', files([join(NODE_DIR, 'wasm/web/comfywire_wasm_bg.wasm')]));
add('wasm module (separate Node build)', 'wasm/nodejs/comfywire_wasm_bg.wasm', files([join(NODE_DIR, 'wasm/nodejs/comfywire_wasm_bg.wasm')]), { optional: true });
add('wasm-bindgen JS glue (browser)', 'wasm/web/comfywire_wasm.js', files([join(NODE_DIR, 'wasm/web/comfywire_wasm.js')]));
add('wasm-bindgen JS glue (separate Node build)', 'wasm/nodejs/comfywire_wasm.js', files([join(NODE_DIR, 'wasm/nodejs/comfywire_wasm.js')]), { optional: true });
const libDir = join(NODE_DIR, 'lib');
const libFiles = existsSync(libDir) ? readdirSync(libDir).filter((f) => f.endsWith('.js')).sort() : [];
add('shared JS API (browser entry)', 'lib/browser.js + api.js + json.js', files(['browser.js', 'api.js', 'json.js'].map((f) => join(libDir, f))));
add('shared JS API (all of lib/)', `lib/{${libFiles.join(',')}}`, files(libFiles.map((f) => join(libDir, f))));
add('browser total: wasm + glue + API', 'the four files a browser loads', files([
  join(NODE_DIR, 'wasm/web/comfywire_wasm_bg.wasm'), join(NODE_DIR, 'wasm/web/comfywire_wasm.js'),
  ...['browser.js', 'api.js', 'json.js'].map((f) => join(libDir, f)),
]));
const addon = join(NODE_DIR, 'comfywire.linux-x64-gnu.node');
const addonInfo = files([addon], { brotli: false });
if (addonInfo) addonInfo.debugInfo = hasDebugInfo(addon);
add(`napi addon, linux-x64-gnu (${addonInfo?.debugInfo ? 'debug' : 'release'} build)`, 'comfywire.linux-x64-gnu.node', addonInfo);
add('CLI binary (release)', 'target/release/comfywire', files([join(ROOT, 'target/release/comfywire')], { brotli: false }));

function pack(dir) {
  try {
    const text = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [p] = JSON.parse(text);
    return { name: p.name, version: p.version, size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount, files: p.files.map((f) => `${f.path} (${f.size})`) };
  } catch (err) {
    return { error: String(err.stderr || err.message).trim().split('\n').slice(-2).join(' ') };
  }
}
const packRows = [];
for (const [label, dir] of [['main package (JS API + wasm builds, no addon)', NODE_DIR], ['linux-x64-gnu addon package (release addon)', NPM_DIR]]) {
  const p = existsSync(dir) ? pack(dir) : { error: `${dir} missing (run bench/prepare.sh)` };
  data.packs[label] = p;
  packRows.push(p.error
    ? [label, relative(ROOT, dir), `error: ${p.error.slice(0, 100)}`, '', '']
    : [`${label}: ${p.name}@${p.version}`, relative(ROOT, dir), mb(p.size), mb(p.unpackedSize), p.entryCount]);
}

// The peers, for scale: their own installed files (not their dependencies) and their main entry.
function walk(dir) {
  let total = 0;
  let count = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const r = walk(p);
      total += r.total;
      count += r.count;
    } else {
      total += statSync(p).size;
      count++;
    }
  }
  return { total, count };
}
const peerRows = [];
data.peers = {};
for (const name of ['@saintno/comfyui-sdk', '@stable-canvas/comfyui-client']) {
  const dir = join(HERE, 'node_modules', name);
  if (!existsSync(dir)) continue;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const main = pkg.exports?.['.']?.import ?? pkg.module ?? pkg.main;
  const entry = main ? files([join(dir, typeof main === 'string' ? main : main.default ?? '')]) : null;
  const deps = Object.keys(pkg.dependencies ?? {});
  const own = walk(dir);
  data.peers[name] = { version: pkg.version, unpacked: own.total, files: own.count, main, entry, dependencies: deps };
  peerRows.push([`${name}@${pkg.version}`, mb(own.total), own.count, `${main}: ${entry ? `${kb(entry.raw)} / ${kb(entry.gzip)} gzip` : '—'}`, deps.join(', ') || 'none']);
}

console.log('## Sizes\n');
console.log(`Artifacts as built by \`bench/prepare.sh\` (the steps of \`scripts/build-js.sh --release\`, into \`${relative(ROOT, NODE_DIR)}\`); gzip level 9, brotli quality 11.\n`);
console.log(table(['artifact', 'file', 'raw', 'gzip', 'brotli'], rows, 'llrrr'));
console.log('\n`npm pack --dry-run --json` (tarball = what `npm install` downloads):\n');
console.log(table(['package', 'packed from', 'tarball', 'unpacked', 'files'], packRows, 'llrrr'));
if (peerRows.length) {
  console.log('\nThe peers for scale (installed in bench/node_modules; their own files, not their dependencies):\n');
  console.log(table(['package', 'unpacked', 'files', 'main entry (raw / gzip)', 'runtime dependencies'], peerRows, 'lrrll'));
}
writeJson(out, data);
process.stderr.write(`\nwrote ${out}\n`);
