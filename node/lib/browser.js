// The browser / worker entry: the WebAssembly build. Call `await init()` once before anything
// else (it fetches and compiles the module); using the API before that throws NOT_INITIALIZED.

import wasmInit, * as binding from '../wasm/web/comfywire_wasm.js';
import { ComfyError, useBinding } from './api.js';

let initialized = false;
let initializing = null;

/**
 * Loads the WebAssembly module (once; later calls return the same promise).
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} [moduleOrPath] Where the `.wasm` is, when a bundler moved it.
 * @returns {Promise<void>}
 */
export function init(moduleOrPath) {
  initializing ??= wasmInit(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).then(() => {
    initialized = true;
  });
  return initializing;
}

useBinding(binding, {
  runtime: 'wasm',
  reason: 'the WebAssembly build (the only one for browsers and workers)',
  ready() {
    if (!initialized) {
      throw new ComfyError('NOT_INITIALIZED', 'comfywire: call `await init()` before using the API (it loads the WebAssembly module)');
    }
  },
});

export * from './api.js';
