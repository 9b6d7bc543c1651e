// The low-level contract (node/BINDING.md): both builds export the same interface, and a panic
// in the addon reaches JavaScript as INTERNAL without taking the process down. The shapes of
// the values are not checked here: they are generated from the structs the core serialises
// (tests/typescript.rs), and tests/types checks what TypeScript users may write against them.
//   node --test tests/js/binding.test.mjs

import test from 'node:test';
import assert from 'node:assert/strict';


test('the addon and the wasm build export the same low-level interface', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const napi = require('../../node/binding.cjs');
  const wasm = await import('../../node/wasm/web/comfywire_wasm.js');
  // wasm-bindgen adds `free` (release the object) and the Item class the addon declares as an object.
  // …and its web glue exports its loaders (default, initSync) and a start function.
  const names = (m) => Object.keys(m).filter((k) => !k.startsWith('__') && !['Item', 'default', 'initSync', 'start'].includes(k)).sort();
  const methods = (c) => Object.getOwnPropertyNames(c.prototype).filter((k) => k !== 'constructor' && k !== 'free' && !k.startsWith('__')).sort();
  assert.deepEqual(names(napi), names(wasm));
  for (const cls of ['Catalog', 'NativeClient', 'NativeJob']) {
    assert.deepEqual(methods(napi[cls]), methods(wasm[cls]), cls);
    assert.equal(napi[cls].prototype.free, undefined, `${cls}.free in the addon would clash with wasm-bindgen's`);
  }
});

test('a panic in the addon is an INTERNAL error, and the process goes on', async () => {
  const { createRequire } = await import('node:module');
  const napi = createRequire(import.meta.url)('../../node/binding.cjs');
  assert.throws(() => napi.__panicForTests(), (err) => {
    const data = JSON.parse(err.message);
    return data.code === 'INTERNAL' && data.message.includes('deliberate panic');
  });
  assert.equal(typeof napi.version(), 'string', 'the addon still answers');
});
