// The Node.js entry: the native addon when it loads on this platform, the WebAssembly build
// otherwise (or when COMFYWIRE_BINDING=wasm). Same API either way; `runtime` says which.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { useBinding } from './api.js';
// Imported statically, not on demand, so that this module has no top-level await and
// `require('comfywire')` works wherever Node can require ES modules (20.19+, 22.12+).
// Only the glue is evaluated here; the module is compiled when the fallback is taken.
import * as wasmGlue from '../wasm/web/comfywire_wasm.js';

const require = createRequire(import.meta.url);

function loadBinding() {
  const wanted = process.env.COMFYWIRE_BINDING;
  if (wanted !== 'wasm') {
    try {
      return { binding: require('../binding.cjs'), runtime: 'napi' };
    } catch (err) {
      if (wanted === 'napi') throw err;
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
  return { binding: wasmGlue, runtime: 'wasm' };
}

const { binding, runtime } = loadBinding();
useBinding(binding, { runtime });

export * from './api.js';

/** Nothing to wait for in Node; present so code written for browsers runs unchanged. */
export async function init() {}
