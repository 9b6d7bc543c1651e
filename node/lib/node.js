// The Node.js entry: the native addon when it loads on this platform, the WebAssembly build
// otherwise (or when COMFYWIRE_BINDING=wasm). Same API either way; `runtime` says which.

import { createRequire } from 'node:module';
import { useBinding } from './api.js';

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
  // gloo-net's WebSocket needs a global WebSocket (Node >= 22, or 20 with --experimental-websocket)
  // and the CloseEvent class, which Node 20 lacks: without it, closing a client throws inside
  // the socket's close handler.
  globalThis.CloseEvent ??= class CloseEvent extends Event {
    constructor(type, init = {}) {
      super(type, init);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? '';
      this.wasClean = init.wasClean ?? false;
    }
  };
  return { binding: require('../wasm/nodejs/comfywire_wasm.js'), runtime: 'wasm' };
}

useBinding(...(({ binding, runtime }) => [binding, { runtime }])(loadBinding()));

export * from './api.js';

/** Nothing to wait for in Node; present so code written for browsers runs unchanged. */
export async function init() {}
