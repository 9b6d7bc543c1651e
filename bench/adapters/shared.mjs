import { readFileSync } from 'node:fs';

// The interface every adapter implements (one per library):
//
//   const adapter = await create(options);
//   adapter.name, adapter.version, adapter.exactIntegers   // BigInt accepted for integers?
//   await adapter.connect(url);
//   const outcome = await adapter.runJob(prompt, { timeoutMs });   // never throws
//   const handle = await adapter.submit(prompt, { timeoutMs });    // { promptId, done: Promise<outcome>, cancel() }
//   adapter.close();
//
// outcome = { ok: true, files: [{filename, subfolder, type}], promptId? }
//         | { ok: false, files, error: { kind, name, message, status? } }
//
// `kind` is how the library itself reported the failure, mapped from its error classes:
// execution_error | rejected | http_status | job_lost | cancelled | interrupted | timeout |
// network | other. The benchmarks compare it with the fault they injected.

/** An outcome for a failure the library reported (an error object or a description). */
export function failure(kind, err, extra = {}) {
  return {
    ok: false,
    files: [],
    error: {
      kind,
      name: err?.name ?? err?.constructor?.name ?? 'Error',
      message: String(err?.message ?? err ?? '').slice(0, 300),
      ...(extra.status !== undefined ? { status: extra.status } : {}),
    },
  };
}

/** The error `create()` throws when a library cannot run here (its rows print "unavailable"). */
export function unavailable(message) {
  return Object.assign(new Error(message), { unavailable: true });
}

/** `{filename, subfolder, type}` from a `/view?filename=…&subfolder=…&type=…` URL. */
export function fileFromViewUrl(url) {
  const u = new URL(url);
  return {
    filename: u.searchParams.get('filename'),
    subfolder: u.searchParams.get('subfolder') ?? '',
    type: u.searchParams.get('type'),
  };
}

/** A promise and its resolve function. */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

/** The installed version of a bench dependency (its package.json is not in its `exports`). */
export function packageVersion(name) {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')).version;
}
