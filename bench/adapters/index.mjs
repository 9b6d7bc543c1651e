// The libraries the benchmarks compare. `id` names a row; `load(options)` returns an adapter
// (see shared.mjs). comfywire runs twice: the napi addon and the wasm build for Node.

export const LIBRARIES = [
  { id: 'comfywire-napi', comfywire: true, nodeArgs: [], load: async () => (await import('./comfywire.mjs')).create({ target: 'napi' }) },
  // The wasm transport needs a global WebSocket: Node 20 has it behind this flag.
  { id: 'comfywire-wasm', comfywire: true, nodeArgs: wasmNodeArgs(), load: async () => (await import('./comfywire.mjs')).create({ target: 'wasm' }) },
  { id: 'saintno', peer: true, nodeArgs: [], load: async () => (await import('./saintno.mjs')).create() },
  { id: 'stable-canvas', peer: true, nodeArgs: [], load: async () => (await import('./stable-canvas.mjs')).create() },
];

function wasmNodeArgs() {
  const major = Number(process.versions.node.split('.')[0]);
  return major < 22 ? ['--experimental-websocket', '--disable-warning=ExperimentalWarning'] : [];
}

/** `--libs a,b` or `BENCH_LIBS=a,b` picks a subset. */
export function selectLibraries(list) {
  if (!list) return LIBRARIES;
  const wanted = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !LIBRARIES.some((l) => l.id === w));
  if (unknown.length) throw new Error(`unknown libraries: ${unknown.join(', ')} (known: ${LIBRARIES.map((l) => l.id).join(', ')})`);
  return LIBRARIES.filter((l) => wanted.includes(l.id));
}

export function byId(id) {
  const lib = LIBRARIES.find((l) => l.id === id);
  if (!lib) throw new Error(`unknown library ${id}`);
  return lib;
}
