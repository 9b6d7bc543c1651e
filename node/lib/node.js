// The Node.js entry: the native addon when it loads on this platform, the WebAssembly build
// otherwise (or when COMFYWIRE_BINDING=wasm). Same API either way; `runtime` says which.

import { createRequire } from 'node:module';
import { createApi } from './api.js';

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
  // gloo-net's WebSocket needs a global WebSocket (Node >= 22, or 20 with --experimental-websocket).
  return { binding: require('../wasm/nodejs/comfywire_wasm.js'), runtime: 'wasm' };
}

const { binding, runtime } = loadBinding();
const api = createApi(binding, { runtime });

export const {
  version,
  loadCatalog,
  embeddedCatalog,
  parseWorkflow,
  convert,
  convertJson,
  listParams,
  findNodes,
  applyOverrides,
  set,
  validate,
  extractFromImage,
  ComfyClient,
  ComfyPool,
  Job,
  ComfyError,
} = api;
export { runtime };
export { decode as parseJsonExact, encode as stringifyJsonExact } from './json.js';

/** Nothing to wait for in Node; present so code written for browsers runs unchanged. */
export async function init() {}
