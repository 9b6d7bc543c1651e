// The Node.js entry: the native addon when it loads on this platform, the WebAssembly build
// otherwise (or when COMFYWIRE_BINDING=wasm). Same API either way; `runtime` says which.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadCatalog, useBinding } from './api.js';
// Imported statically, not on demand, so that this module has no top-level await and
// `require('comfywire')` works wherever Node can require ES modules (20.19+, 22.12+).
// Only the glue is evaluated here; the module is compiled when the fallback is taken.
import * as wasmGlue from '../wasm/web/comfywire_wasm.js';

const require = createRequire(import.meta.url);

/**
 * Why the addon did not load, in one line. napi-rs chains one error per place it looked (the
 * .node beside the loader, the platform package, WASI packages); the platform package's tells.
 */
function firstCause(err) {
  const messages = [];
  for (let e = err?.cause; e && messages.length < 50; e = e.cause) messages.push(String(e.message ?? e));
  const lines = messages.map((m) => m.split('\n')[0]).reverse();
  const missing = lines.find((m) => /Cannot find module '(comfywire-(?!wasm32)[^']+)'/.test(m));
  const broken = lines.find((m) => !/Cannot find module/.test(m));
  if (broken) return broken; // a binary was there but did not load (wrong libc, corrupt file…)
  if (missing) return `the package ${missing.match(/'(comfywire-[^']+)'/)[1]} is not installed`;
  return lines[0] ?? String(err?.message ?? err).split('\n')[0];
}

function loadBinding() {
  const wanted = process.env.COMFYWIRE_BINDING;
  let why = 'COMFYWIRE_BINDING=wasm';
  if (wanted !== 'wasm') {
    try {
      const binding = require('../binding.cjs');
      return { binding, runtime: 'napi', reason: `the Node addon for ${process.platform}-${process.arch} loaded` };
    } catch (err) {
      if (wanted === 'napi') throw err;
      why = `no Node addon for ${process.platform}-${process.arch} (${firstCause(err)})`;
    }
  }
  // The wasm client opens its socket through the global WebSocket, which plain Node 20 lacks
  // (it needs --experimental-websocket there). undici's is the WHATWG one Node itself ships
  // from 22 on, so the same code runs on every supported Node without a flag.
  if (typeof globalThis.WebSocket !== 'function') {
    const undici = require('undici');
    globalThis.WebSocket = undici.WebSocket;
    globalThis.CloseEvent ??= undici.CloseEvent;
  }
  // The CloseEvent class, which Node 20 lacks even with the flag: without it, closing a client
  // throws inside the socket's close handler.
  globalThis.CloseEvent ??= class CloseEvent extends Event {
    constructor(type, init = {}) {
      super(type, init);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? '';
      this.wasClean = init.wasClean ?? false;
    }
  };
  // The browser build itself, compiled synchronously from the file beside it: one .wasm in the
  // package serves both runtimes.
  wasmGlue.initSync({ module: readFileSync(new URL('../wasm/web/comfywire_wasm_bg.wasm', import.meta.url)) });
  return { binding: wasmGlue, runtime: 'wasm', reason: `the WebAssembly build: ${why}`, defaultCatalog: packagedCatalog };
}

let packaged;
/** The catalog the addon embeds, read from the package's copy once, on first use. */
function packagedCatalog() {
  packaged ??= loadCatalog(readFileSync(new URL('../wasm/catalog-0.3.64.json', import.meta.url), 'utf8'));
  return packaged;
}

const { binding, runtime, reason, defaultCatalog } = loadBinding();
useBinding(binding, { runtime, reason, defaultCatalog });
if (process.env.COMFYWIRE_DEBUG && process.env.COMFYWIRE_DEBUG !== '0') {
  process.stderr.write(`comfywire: ${runtime}: ${reason}\n`);
}

export * from './api.js';

/** Nothing to wait for in Node; present so code written for browsers runs unchanged. */
export async function init() {}
