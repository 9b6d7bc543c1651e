// Starts the ComfyUI emulator (tests/emulator) on 127.0.0.1 and a free port, and makes sure it
// dies with this process: stdin is a pipe the emulator watches (--exit-on-stdin-close), the
// child is killed in `stop()`, on 'exit' and on SIGINT/SIGTERM.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.COMFYWIRE_EMULATOR ?? join(ROOT, 'target', 'release', 'comfywire-emulator');

const running = new Set();
function killAll() {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  running.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}

/** Builds the emulator once when the binary is missing (cargo must be on PATH). */
export function ensureEmulator() {
  if (existsSync(BIN)) return BIN;
  process.stderr.write(`building the emulator: cargo build --release -p comfywire-emulator\n`);
  const r = spawnSync('cargo', ['build', '--release', '-p', 'comfywire-emulator'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !existsSync(BIN)) throw new Error(`cannot build ${BIN}`);
  return BIN;
}

/**
 * @param {string[]} args extra flags, e.g. ['--node-ms', '0', '--no-previews']
 * @returns {Promise<{url: string, pid: number, stop: () => void, config: (patch: object) => Promise<any>, reset: () => Promise<void>, restart: () => Promise<void>}>}
 */
export async function startEmulator(args = []) {
  const bin = ensureEmulator();
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', '0', '--exit-on-stdin-close', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start in 15 s: ${log}`)), 15000);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => { clearTimeout(timer); resolve(line.trim()); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited (${code}): ${log}`)); });
  });
  const stop = () => {
    running.delete(child);
    try { child.stdin.end(); } catch { /* closed */ }
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  };
  return { url, pid: child.pid, stop, ...control(url), log: () => log };
}

/** The emulator's runtime knobs (also usable from a child process that only knows the URL). */
export function control(url) {
  const post = async (path, body) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? '' : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    config: (patch) => post('/_emulator/config', patch),
    reset: () => post('/_emulator/reset'),
    restart: () => post('/_emulator/restart'),
    /** The server's raw text for GET /history/{id} (exact integers). */
    historyText: async (promptId) => (await fetch(`${url}/history/${promptId}`)).text(),
    queue: async () => (await fetch(`${url}/queue`)).json(),
  };
}
