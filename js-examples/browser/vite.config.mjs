// `vite build` bundles the page into dist/ (`--outDir` elsewhere); `vite` serves it for development.
// Run from the repository root: node_modules/.bin/vite build --config js-examples/browser/vite.config.mjs
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repository = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  root: here,
  // Relative asset URLs: the bundle works from any folder it is copied to.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The wasm must stay a file: wasm-bindgen's glue fetches it (compileStreaming, application/wasm).
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  // The page imports the package from ../../node, outside this root.
  server: { fs: { allow: [repository] } },
});
