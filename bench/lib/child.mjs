// Parent/child plumbing: every library runs in its own Node process (so its CPU time is its
// own and a crash or a hang cannot take the benchmark down). The child prints one line
// `@@RESULT <json>` on stdout; anything else it prints goes to the parent's stderr.

import { spawn } from 'node:child_process';

const MARK = '@@RESULT ';
const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

/**
 * Runs `node [nodeArgs] script --child <json>` and returns the child's result object, or
 * `{childError}` when it died, printed nothing or overran `hardTimeoutMs`.
 */
export function runChild(script, payload, { nodeArgs = [], hardTimeoutMs = 600000, env = {}, quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, '--child', JSON.stringify(payload)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    children.add(child);
    let out = '';
    let err = '';
    let result = null;
    child.stdout.on('data', (d) => {
      out += d;
      let k;
      while ((k = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, k);
        out = out.slice(k + 1);
        if (line.startsWith(MARK)) result = JSON.parse(line.slice(MARK.length));
        else if (!quiet) process.stderr.write(`  | ${line}\n`);
      }
    });
    child.stderr.on('data', (d) => { err = (err + d).slice(-4000); });
    const timer = setTimeout(() => {
      try { child.kill('SIGKILL'); } catch { /* gone */ }
    }, hardTimeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (result) resolve(result);
      else resolve({ childError: signal === 'SIGKILL' ? `killed after ${hardTimeoutMs} ms` : `exited with ${code ?? signal}`, stderr: err.trim().split('\n').slice(-8).join('\n') });
    });
  });
}

/** In the child: `--child <json>` payload, or null in the parent. */
export function childPayload(argv = process.argv) {
  const k = argv.indexOf('--child');
  return k >= 0 ? JSON.parse(argv[k + 1]) : null;
}

/** In the child: hands the result to the parent and exits (lingering sockets and timers included). */
export function emit(result) {
  process.stdout.write(`${MARK}${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** `--name value` / `--name=value` flags, with an environment fallback. */
export function flag(name, env, fallback) {
  const argv = process.argv;
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === `--${name}`) return argv[k + 1];
    if (argv[k].startsWith(`--${name}=`)) return argv[k].slice(name.length + 3);
  }
  return process.env[env] ?? fallback;
}
