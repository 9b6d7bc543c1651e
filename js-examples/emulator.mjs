// Starts the ComfyUI emulator bundled with this repository, so every example runs without a GPU
// or a ComfyUI install. Not part of the comfywire API: with a real server, pass its URL instead.
//
//   COMFYWIRE_EMULATOR       the binary (default: <repo>/target/release/comfywire-emulator, or
//                            the debug build when there is no release build)
//   COMFYWIRE_EMULATOR_ARGS  extra flags for every emulator started, e.g. "--node-ms 1 --steps 2"

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export function emulatorBinary() {
  if (process.env.COMFYWIRE_EMULATOR) return process.env.COMFYWIRE_EMULATOR;
  const release = `${REPO}target/release/comfywire-emulator`;
  const debug = `${REPO}target/debug/comfywire-emulator`;
  return existsSync(release) || !existsSync(debug) ? release : debug;
}

/**
 * Starts one emulator on a free port and resolves once it listens.
 * @param {{modelsFor?: string, args?: string[]}} [options] `modelsFor`: a workflow whose model
 *   files the emulator should pretend to have (without it, loaders refuse every model name).
 * @returns {Promise<{url: string, stop: () => void}>}
 */
export function startEmulator({ modelsFor, args = [] } = {}) {
  const bin = emulatorBinary();
  if (!existsSync(bin)) {
    const err = new Error(`no ComfyUI emulator at ${bin}: build it with \`cargo build --release -p comfywire-emulator\` ` +
      '(in the repository root), set COMFYWIRE_EMULATOR, or pass the URL of a ComfyUI server');
    err.code = 'NO_EMULATOR';
    return Promise.reject(err);
  }
  const extra = (process.env.COMFYWIRE_EMULATOR_ARGS ?? '').split(/\s+/).filter(Boolean);
  const argv = ['--port', '0', '--exit-on-stdin-close', ...(modelsFor ? ['--models-for', modelsFor] : []), ...extra, ...args];
  // stdin stays open as a lifeline: if this process dies without calling stop(), the pipe
  // closes and the emulator exits on its own (--exit-on-stdin-close).
  const child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  child.stdin.on('error', () => {});
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the emulator exited (${signal ?? code}) before listening:\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout.destroy(); // its first line is the URL; nothing else comes there
      // Neither the child nor its pipes may keep this process alive once we are done.
      child.unref();
      child.stderr.unref?.();
      child.stdin.unref?.();
      resolve({ url: out.slice(0, nl).trim().replace(/\/$/, ''), stop });
    });
  });
}
