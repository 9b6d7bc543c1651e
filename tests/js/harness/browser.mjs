// The test harness, browser side: the same exports as ./index.mjs, for suites run in Chromium by
// tests/js/browser/run.mjs (whose page maps `…/harness/index.mjs` to this file with an import map).
// Fixtures come from run.mjs's static server (same origin as the page); listing fixtures and
// starting, configuring and stopping emulators go through its control API under /_harness/.
// The page's own requests to an emulator are cross-origin, so emulators run in CORS mode
// (`--enable-cors-header`) unless a test asks for `cors: false`.

export const target = 'wasm-browser';

const params = new URLSearchParams(location.search);

export function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

async function control(path, body) {
  const res = await fetch(`/_harness/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`harness: /_harness/${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The comfywire browser entry, initialised (the WebAssembly module loaded). */
export async function loadApi() {
  const api = params.get('api');
  if (api) return import(new URL(`./${api}-api.mjs`, import.meta.url).href);
  const m = await import('/node/lib/browser.js');
  await m.init();
  return m;
}

function fixtureUrl(relPath) {
  if (relPath.split('/').some((part) => part === '..')) throw new Error(`harness: ${relPath} is outside tests/fixtures`);
  return `/tests/fixtures/${relPath.split('/').map(encodeURIComponent).join('/')}`;
}

async function fixture(relPath) {
  const res = await fetch(fixtureUrl(relPath), { cache: 'no-store' });
  if (!res.ok) throw new Error(`harness: fixture ${relPath}: HTTP ${res.status}`);
  return res;
}

/** A file under tests/fixtures/ as text (UTF-8). */
export async function fixtureText(relPath) {
  return (await fixture(relPath)).text();
}

/** A file under tests/fixtures/ as a Uint8Array. */
export async function fixtureBytes(relPath) {
  return new Uint8Array(await (await fixture(relPath)).arrayBuffer());
}

/** Names of the files in a fixtures directory that end with `suffix`, sorted. */
export async function listFixtures(relDir, suffix = '') {
  return control(`list?dir=${encodeURIComponent(relDir)}&suffix=${encodeURIComponent(suffix)}`);
}

/**
 * Starts an emulator through the control server (same contract as in Node).
 * @param {{ cors?: boolean, args?: string[] }} [options]
 */
export async function startEmulator({ cors = true, args = [] } = {}) {
  const { id, url } = await control('emulator/start', { cors, args });
  let stopped = null;
  return {
    url,
    config: (obj) => control(`emulator/${id}/config`, obj ?? {}),
    reset: () => control(`emulator/${id}/reset`, {}),
    restart: () => control(`emulator/${id}/restart`, {}).then(() => undefined),
    stop() {
      stopped ??= control(`emulator/${id}/stop`, {}).then(() => undefined);
      return stopped;
    },
  };
}
