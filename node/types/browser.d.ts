/**
 * Loads the WebAssembly module (once; later calls return the same promise).
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} [moduleOrPath] Where the `.wasm` is, when a bundler moved it.
 * @returns {Promise<void>}
 */
export function init(moduleOrPath?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
export * from "./api.js";
