// `node:test` for the browser (tests/js/browser/run.mjs maps `node:test` here with an import map).
// Supported: test / it (name?, options?, fn?), describe / suite (synchronous callbacks), the
// .skip / .todo / .only variants (`only` runs like a normal test, as in Node without --test-only),
// before / after / beforeEach / afterEach (top level or in a describe), options { skip, todo,
// timeout, only, concurrency (ignored: everything runs in order) }, async functions and `done`
// callbacks (fn.length >= 2), and the test context: t.name, t.signal, t.skip(msg), t.todo(msg),
// t.diagnostic(msg), t.test(...) subtests (awaited or not), t.before/after/beforeEach/afterEach,
// t.mock. A minimal `mock` (mock.fn, mock.method, restoreAll/reset) is exported; mock.timers is
// not. Tests run one after another in registration order; each finished test is reported to
// run.mjs through the page binding `__harnessReport` (or printed to the console without one).

const report = async (msg) => {
  if (typeof globalThis.__harnessReport === 'function') await globalThis.__harnessReport(msg);
  else console.log(JSON.stringify(msg));
};

// ---- registration ------------------------------------------------------------------------------

class Suite {
  constructor(name, options = {}, parent = null) {
    this.name = name;
    this.options = options;
    this.parent = parent;
    this.children = [];
    this.hooks = { before: [], after: [], beforeEach: [], afterEach: [] };
  }
  get path() {
    return this.parent ? [...this.parent.path, this.name] : [];
  }
}

const root = new Suite('<root>');
let registering = root;
let running = null; // the Context of the test being executed, for top-level test() calls in tests

function parseArgs(args, kind) {
  let [name, options, fn] = [undefined, {}, undefined];
  for (const a of args) {
    if (typeof a === 'string') name = a;
    else if (typeof a === 'function') fn = a;
    else if (a && typeof a === 'object') options = { ...a };
  }
  name ??= fn?.name || `<anonymous ${kind}>`;
  return { name, options, fn };
}

function skipReason(options) {
  if (options.skip) return { status: 'skip', reason: typeof options.skip === 'string' ? options.skip : '' };
  if (options.todo) return { status: 'todo', reason: typeof options.todo === 'string' ? options.todo : '' };
  return null;
}

function register(args, extra, kind) {
  const { name, options, fn } = parseArgs(args, kind);
  Object.assign(options, extra);
  if (running && registering === root && root.done) {
    // test() called from inside a running test: run it as a subtest, as Node attaches it there.
    return running.test(name, options, fn);
  }
  registering.children.push({ kind: 'test', name, options, fn, parent: registering });
  return Promise.resolve();
}

function registerSuite(args, extra) {
  const { name, options, fn } = parseArgs(args, 'suite');
  Object.assign(options, extra);
  const suite = new Suite(name, options, registering);
  registering.children.push({ kind: 'suite', suite });
  const outer = registering;
  registering = suite;
  try {
    const r = fn?.(suite);
    if (r && typeof r.then === 'function') {
      suite.registrationError = new Error('shim-test: describe() callbacks must be synchronous in the browser shim');
    }
  } catch (err) {
    suite.registrationError = err;
  } finally {
    registering = outer;
  }
  return Promise.resolve();
}

export function test(...args) {
  return register(args, {}, 'test');
}
test.skip = (...args) => register(args, { skip: true }, 'test');
test.todo = (...args) => register(args, { todo: true }, 'test');
test.only = (...args) => register(args, { only: true }, 'test');
export const it = test;

export function describe(...args) {
  return registerSuite(args, {});
}
describe.skip = (...args) => registerSuite(args, { skip: true });
describe.todo = (...args) => registerSuite(args, { todo: true });
describe.only = (...args) => registerSuite(args, { only: true });
export const suite = describe;

function hook(kind) {
  return (fn, options = {}) => {
    const target = running && root.done ? running : registering;
    if (target instanceof Suite) target.hooks[kind].push({ fn, options });
    else target.addHook(kind, fn, options);
  };
}
export const before = hook('before');
export const after = hook('after');
export const beforeEach = hook('beforeEach');
export const afterEach = hook('afterEach');

// ---- mock (minimal) ----------------------------------------------------------------------------

function makeMockFn(original = function () {}, implementation = original, restore = () => {}) {
  let impl = implementation;
  const onceImpls = new Map();
  const calls = [];
  const ctx = {
    calls,
    callCount: () => calls.length,
    mockImplementation(fn) { impl = fn; },
    mockImplementationOnce(fn, onCall = calls.length) { onceImpls.set(onCall, fn); },
    resetCalls() { calls.length = 0; },
    restore,
  };
  const fn = function (...args) {
    const use = onceImpls.get(calls.length) ?? impl;
    onceImpls.delete(calls.length);
    const call = { arguments: args, this: this, result: undefined, error: undefined, target: new.target, stack: new Error() };
    calls.push(call);
    try {
      call.result = new.target ? Reflect.construct(use, args, new.target) : use.apply(this, args);
      return call.result;
    } catch (e) {
      call.error = e;
      throw e;
    }
  };
  fn.mock = ctx;
  return fn;
}

class MockTracker {
  #restores = [];
  fn(original, implementation) {
    return makeMockFn(original ?? function () {}, implementation ?? original ?? function () {});
  }
  method(object, methodName, implementation, options = {}) {
    const descriptor = Object.getOwnPropertyDescriptor(object, methodName) ?? { value: object[methodName], writable: true, configurable: true };
    const original = options.getter ? descriptor.get : options.setter ? descriptor.set : descriptor.value;
    const restore = () => Object.defineProperty(object, methodName, descriptor);
    const mocked = makeMockFn(original, implementation ?? original, restore);
    if (options.getter) Object.defineProperty(object, methodName, { ...descriptor, get: mocked });
    else if (options.setter) Object.defineProperty(object, methodName, { ...descriptor, set: mocked });
    else Object.defineProperty(object, methodName, { ...descriptor, value: mocked });
    this.#restores.push(restore);
    return mocked;
  }
  getter(object, name, implementation, options = {}) {
    return this.method(object, name, implementation, { ...options, getter: true });
  }
  setter(object, name, implementation, options = {}) {
    return this.method(object, name, implementation, { ...options, setter: true });
  }
  restoreAll() {
    for (const r of this.#restores.splice(0).reverse()) r();
  }
  reset() {
    this.restoreAll();
  }
  get timers() {
    throw new Error('shim-test: mock.timers is not available in the browser shim');
  }
}
export const mock = new MockTracker();

// ---- running -----------------------------------------------------------------------------------

const counts = { pass: 0, fail: 0, skip: 0, todo: 0 };

function serializeError(err) {
  if (err === null || typeof err !== 'object') {
    return { name: 'Error', message: `thrown non-error: ${String(err)}`, stack: '' };
  }
  const out = {
    name: err.name ?? err.constructor?.name ?? 'Error',
    message: String(err.message ?? ''),
    stack: typeof err.stack === 'string' ? err.stack : '',
  };
  if (err.code !== undefined) out.code = String(err.code);
  if (err.name === 'AssertionError' || err.code === 'ERR_ASSERTION') {
    out.operator = err.operator;
    out.generatedMessage = err.generatedMessage;
  }
  if (err.cause !== undefined) out.cause = serializeError(err.cause);
  // Other own data (error codes, issues …) helps when a validator rejected the error.
  const extra = {};
  for (const k of Object.keys(err)) {
    if (['name', 'message', 'stack', 'code', 'cause', 'actual', 'expected', 'operator', 'generatedMessage'].includes(k)) continue;
    try {
      extra[k] = JSON.parse(JSON.stringify(err[k], (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    } catch {
      extra[k] = String(err[k]);
    }
  }
  if (Object.keys(extra).length) out.data = extra;
  return out;
}

function withTimeout(promise, ms, what, controller) {
  if (!Number.isFinite(ms) || ms <= 0) return promise;
  let timer;
  return Promise.race([
    promise,
    new Promise((_, fail) => {
      timer = setTimeout(() => {
        const err = new Error(`${what} timed out after ${ms} ms`);
        err.code = 'ERR_TEST_FAILURE';
        err.failureType = 'testTimeoutFailure';
        controller?.abort(err);
        fail(err);
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Calls fn(ctx) or fn(ctx, done) and resolves when it has finished. */
function invoke(fn, ctx) {
  if (fn.length >= 2) {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      try {
        const r = fn.call(ctx, ctx, done);
        if (r && typeof r.then === 'function') r.then(() => {}, done);
      } catch (e) {
        done(e);
      }
    });
  }
  return (async () => fn.call(ctx, ctx))();
}

class Context {
  constructor(name, fullName, parentContext, suite) {
    this.name = name;
    this.fullName = fullName;
    this.parentContext = parentContext;
    this.suite = suite;
    this.controller = new AbortController();
    this.mock = new MockTracker();
    this.skipped = null;
    this.subtests = [];
    this.failedSubtests = 0;
    this.ownHooks = { before: [], after: [], beforeEach: [], afterEach: [] };
  }
  get signal() {
    return this.controller.signal;
  }
  skip(message = '') {
    this.skipped = { status: 'skip', reason: message };
  }
  todo(message = '') {
    this.skipped = { status: 'todo', reason: message };
  }
  diagnostic(message) {
    void report({ type: 'diagnostic', test: this.fullName, message: String(message) });
  }
  plan() {
    throw new Error('shim-test: t.plan() is not available (nor in Node 20)');
  }
  addHook(kind, fn, options) {
    this.ownHooks[kind].push({ fn, options });
  }
  before(fn, options) { this.addHook('before', fn, options); }
  after(fn, options) { this.addHook('after', fn, options); }
  beforeEach(fn, options) { this.addHook('beforeEach', fn, options); }
  afterEach(fn, options) { this.addHook('afterEach', fn, options); }
  test(...args) {
    const { name, options, fn } = parseArgs(args, 'subtest');
    const p = (async () => {
      // Subtests run one at a time, in the order they were started.
      await Promise.allSettled(this.subtests.slice());
      for (const h of this.ownHooks.before.splice(0)) await invoke(h.fn, this);
      const ok = await runTest({ name, options, fn }, [...this.fullName, name], this);
      if (!ok) this.failedSubtests++;
    })();
    this.subtests.push(p);
    return p;
  }
}

/** Hooks of every enclosing suite, outermost first. */
function suiteChain(suite) {
  const chain = [];
  for (let s = suite; s; s = s.parent) chain.unshift(s);
  return chain;
}

async function emit(fullName, status, started, extra = {}) {
  counts[status === 'pass' ? 'pass' : status]++;
  await report({ type: 'test', name: fullName.join(' > '), status, durationMs: Math.round(performance.now() - started), ...extra });
}

/** Runs one test with its beforeEach/afterEach hooks; reports it; resolves to true unless it failed. */
async function runTest(entry, fullName, parentContext) {
  const { name, options, fn } = entry;
  const started = performance.now();
  const skipped = skipReason(options);
  if (skipped) {
    await emit(fullName, skipped.status, started, { reason: skipped.reason });
    return true;
  }
  await report({ type: 'start', name: fullName.join(' > ') });
  const suite = parentContext ? parentContext.suite : entry.parent;
  const ctx = new Context(name, fullName, parentContext, suite);
  const suites = suiteChain(suite);
  const contexts = [];
  for (let c = parentContext; c; c = c.parentContext) contexts.unshift(c);
  let error = null;
  const outer = running;
  running = ctx;
  try {
    for (const s of suites) for (const h of s.hooks.beforeEach) await withTimeout(invoke(h.fn, ctx), h.options?.timeout, 'beforeEach hook');
    for (const c of contexts) for (const h of c.ownHooks.beforeEach) await withTimeout(invoke(h.fn, ctx), h.options?.timeout, 'beforeEach hook');
    if (fn) await withTimeout(invoke(fn, ctx), options.timeout, `test "${name}"`, ctx.controller);
    await Promise.allSettled(ctx.subtests);
    for (const h of ctx.ownHooks.after) await invoke(h.fn, ctx);
  } catch (e) {
    error = e;
  }
  try {
    for (const c of contexts.slice().reverse()) for (const h of c.ownHooks.afterEach) await withTimeout(invoke(h.fn, ctx), h.options?.timeout, 'afterEach hook');
    for (const s of suites.slice().reverse()) for (const h of s.hooks.afterEach) await withTimeout(invoke(h.fn, ctx), h.options?.timeout, 'afterEach hook');
  } catch (e) {
    error ??= e;
  }
  running = outer;
  ctx.mock.restoreAll();
  if (!ctx.controller.signal.aborted) ctx.controller.abort();
  if (!error && ctx.failedSubtests) error = new Error(`${ctx.failedSubtests} subtest${ctx.failedSubtests > 1 ? 's' : ''} failed`);
  if (error) {
    await emit(fullName, 'fail', started, { error: serializeError(error) });
    return false;
  }
  if (ctx.skipped) {
    await emit(fullName, ctx.skipped.status, started, { reason: ctx.skipped.reason });
    return true;
  }
  await emit(fullName, 'pass', started);
  return true;
}

function leafTests(suite, path) {
  const out = [];
  for (const c of suite.children) {
    if (c.kind === 'suite') out.push(...leafTests(c.suite, [...path, c.suite.name]));
    else out.push([...path, c.name]);
  }
  return out;
}

async function runSuite(suite) {
  const path = suite.path;
  const started = performance.now();
  const skipped = skipReason(suite.options);
  if (skipped) {
    for (const name of leafTests(suite, path)) await emit(name, skipped.status, started, { reason: skipped.reason });
    return;
  }
  if (suite.registrationError) {
    await emit([...path, '<describe>'], 'fail', started, { error: serializeError(suite.registrationError) });
  }
  const runnable = suite.children.some((c) => c.kind === 'suite' || !skipReason(c.options));
  if (runnable) {
    try {
      for (const h of suite.hooks.before) await withTimeout(invoke(h.fn, suite), h.options?.timeout, 'before hook');
    } catch (e) {
      // As in Node: every test of the suite fails with the hook's error.
      const error = serializeError(e);
      error.message = `before hook failed: ${error.message}`;
      for (const name of leafTests(suite, path)) await emit(name, 'fail', started, { error });
      await runAfterHooks(suite, path);
      return;
    }
  }
  for (const c of suite.children) {
    if (c.kind === 'suite') await runSuite(c.suite);
    else await runTest(c, [...path, c.name], null);
  }
  if (runnable) await runAfterHooks(suite, path);
}

async function runAfterHooks(suite, path) {
  const started = performance.now();
  for (const h of suite.hooks.after) {
    try {
      await withTimeout(invoke(h.fn, suite), h.options?.timeout, 'after hook');
    } catch (e) {
      await emit([...path, '<after hook>'], 'fail', started, { error: serializeError(e) });
    }
  }
}

/**
 * Imports a test file (its top-level test() calls register tests), then runs everything in order
 * and reports { type: 'done', counts }. Used by run.mjs's page; not part of node:test.
 */
export async function __runFile(url) {
  const started = performance.now();
  try {
    await import(url);
  } catch (e) {
    const error = serializeError(e);
    if (/dynamically imported module/.test(error.message)) {
      error.message += ' (a missing file, or an import the browser cannot resolve, such as a node: built-in other than node:test and node:assert; the browser console lines above name it)';
    }
    await emit([`load ${url}`], 'fail', started, { error });
    await report({ type: 'done', counts });
    return;
  }
  root.done = true; // registration is over: test() calls from now on are subtests of the running test
  try {
    await runSuite(root);
  } catch (e) {
    await emit(['<runner>'], 'fail', started, { error: serializeError(e) });
  }
  await report({ type: 'done', counts });
}

export default test;
