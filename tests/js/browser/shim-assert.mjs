// `node:assert/strict` for the browser (tests/js/browser/run.mjs maps both `node:assert/strict`
// and `node:assert` here, so `node:assert` is strict too). Implements what suites use: ok, equal,
// notEqual, strictEqual, notStrictEqual, deepEqual, deepStrictEqual, notDeepEqual,
// notDeepStrictEqual, match, doesNotMatch, throws, doesNotThrow, rejects, doesNotReject, fail,
// ifError, AssertionError. Semantics follow Node's strict mode: Object.is for primitives;
// deep equality compares prototypes, own enumerable keys (order ignored), BigInt, typed arrays,
// ArrayBuffer, Map/Set (object keys matched deeply), Date, RegExp, Error name/message, boxed
// primitives and cycles. Messages name the first difference's path.

// ---- inspect -----------------------------------------------------------------------------------

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const isTypedArray = (v) => v instanceof typedArrayProto.constructor;
const MAX_ITEMS = 50;
const MAX_LEN = 12000;

function ctorName(v) {
  const proto = Object.getPrototypeOf(v);
  if (proto === null) return '[Object: null prototype]';
  return proto.constructor?.name ?? 'Object';
}

function key(k) {
  if (typeof k === 'symbol') return `[${k.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

/** A readable, Node-like rendering of any value (depth- and length-limited, cycle-safe). */
export function inspect(value, depth = 6, seen = []) {
  switch (typeof value) {
    case 'string':
      return value.includes("'") ? JSON.stringify(value) : `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"')}'`;
    case 'bigint':
      return `${value}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'undefined':
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return value.prototype && /^class\b/.test(Function.prototype.toString.call(value)) ? `[class ${value.name || '(anonymous)'}]` : `[Function: ${value.name || '(anonymous)'}]`;
  }
  if (value === null) return 'null';
  if (seen.includes(value)) return '[Circular]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) {
    const extra = Object.keys(value).filter((k) => k !== 'stack');
    const head = `${value.name}: ${value.message}`;
    if (!extra.length || depth < 0) return `[${head}]`;
    return `[${head}] ${inspectEntries(extra.map((k) => [key(k), value[k]]), depth, [...seen, value], '{', '}')}`;
  }
  if (value instanceof Promise) return 'Promise {}';
  if (depth < 0) return Array.isArray(value) ? '[Array]' : `[${ctorName(value)}]`;
  const next = [...seen, value];
  if (isTypedArray(value)) {
    const items = Array.from(value.slice(0, MAX_ITEMS), (x) => inspect(x));
    if (value.length > MAX_ITEMS) items.push(`... ${value.length - MAX_ITEMS} more items`);
    return `${ctorName(value)}(${value.length}) [${items.length ? ` ${items.join(', ')} ` : ''}]`;
  }
  if (value instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${value.byteLength} }`;
  if (value instanceof DataView) return `DataView { byteLength: ${value.byteLength} }`;
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [inspect(k, depth - 1, next) + ' =>', v]);
    return `Map(${value.size}) ${inspectEntries(entries, depth, next, '{', '}')}`;
  }
  if (value instanceof Set) {
    const items = [...value].slice(0, MAX_ITEMS).map((v) => inspect(v, depth - 1, next));
    if (value.size > MAX_ITEMS) items.push(`... ${value.size - MAX_ITEMS} more items`);
    return `Set(${value.size}) {${items.length ? ` ${items.join(', ')} ` : ''}}`;
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v, i) => (i in value ? inspect(v, depth - 1, next) : '<empty>'));
    if (value.length > MAX_ITEMS) items.push(`... ${value.length - MAX_ITEMS} more items`);
    const extra = Object.keys(value).filter((k) => !/^\d+$/.test(k)).map((k) => `${key(k)}: ${inspect(value[k], depth - 1, next)}`);
    return wrap([...items, ...extra], '[', ']');
  }
  for (const [Box, name] of [[Number, 'Number'], [String, 'String'], [Boolean, 'Boolean'], [BigInt, 'BigInt'], [Symbol, 'Symbol']]) {
    if (typeof Box === 'function' && value instanceof Box) return `[${name}: ${inspect(Box.prototype.valueOf.call(value))}]`;
  }
  const keys = [...Object.keys(value), ...Object.getOwnPropertySymbols(value).filter((s) => Object.prototype.propertyIsEnumerable.call(value, s))];
  const name = ctorName(value);
  const prefix = name === 'Object' ? '' : `${name} `;
  return prefix + inspectEntries(keys.map((k) => [key(k) + ':', value[k]]), depth, next, '{', '}');
}

function inspectEntries(entries, depth, seen, open, close) {
  const items = entries.slice(0, MAX_ITEMS).map(([k, v]) => `${k} ${inspect(v, depth - 1, seen)}`);
  if (entries.length > MAX_ITEMS) items.push(`... ${entries.length - MAX_ITEMS} more items`);
  return wrap(items, open, close);
}

function wrap(items, open, close) {
  if (!items.length) return `${open}${close}`;
  const flat = `${open} ${items.join(', ')} ${close}`;
  if (flat.length <= 76 && !flat.includes('\n')) return flat;
  return `${open}\n${items.map((i) => '  ' + i.replace(/\n/g, '\n  ')).join(',\n')}\n${close}`;
}

function clip(s) {
  return s.length > MAX_LEN ? `${s.slice(0, MAX_LEN)}… (${s.length - MAX_LEN} more characters)` : s;
}

// ---- AssertionError ----------------------------------------------------------------------------

export class AssertionError extends Error {
  constructor(options = {}) {
    const { message, actual, expected, operator, stackStartFn } = options;
    super(message ?? `${inspect(actual)} ${operator} ${inspect(expected)}`);
    this.name = 'AssertionError';
    this.code = 'ERR_ASSERTION';
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    this.generatedMessage = message === undefined;
    if (stackStartFn && Error.captureStackTrace) Error.captureStackTrace(this, stackStartFn);
  }
}

function raise(message, generated, actual, expected, operator, stackStartFn) {
  if (message instanceof Error) throw message;
  const err = new AssertionError({ message: message ?? generated, actual, expected, operator, stackStartFn });
  err.generatedMessage = message === undefined;
  throw err;
}

/** As Node does for the comparison assertions: a custom message is followed by the generated one. */
const withDetail = (message, generated) => (typeof message === 'string' ? `${message}\n\n${generated}\n` : message);

function twoSided(title, actual, expected, diff) {
  let msg = `${title}\n\n+ actual - expected\n\n+ ${clip(inspect(actual)).replace(/\n/g, '\n+ ')}\n- ${clip(inspect(expected)).replace(/\n/g, '\n- ')}`;
  if (diff && diff.path) msg += `\n\nFirst difference at ${diff.path}: ${diff.why}`;
  return msg;
}

// ---- deep strict equality ----------------------------------------------------------------------

const tag = (v) => Object.prototype.toString.call(v);

function ownKeys(v) {
  return [...Object.keys(v), ...Object.getOwnPropertySymbols(v).filter((s) => Object.prototype.propertyIsEnumerable.call(v, s))];
}

function pathKey(path, k) {
  if (typeof k === 'symbol') return `${path}[${k.toString()}]`;
  if (typeof k === 'number' || /^\d+$/.test(k)) return `${path}[${k}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
}

/**
 * Returns null when equal, else { path, why } describing the first difference.
 * `memo` holds pairs already under comparison (cycles compare equal when they line up).
 */
function diffDeep(a, b, path, memo) {
  if (Object.is(a, b)) return null;
  const why = (text) => ({ path: path || '(root)', why: text });
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return why(`${inspect(a, 1)} !== ${inspect(b, 1)}${typeof a !== typeof b ? ` (${typeof a} vs ${typeof b})` : ''}`);
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return why(`different prototypes (${ctorName(a)} vs ${ctorName(b)})`);
  if (tag(a) !== tag(b)) return why(`different types (${tag(a)} vs ${tag(b)})`);
  for (const [m, n] of memo) if (m === a && n === b) return null;
  memo = [...memo, [a, b]];

  if (a instanceof Date) {
    if (!Object.is(a.getTime(), b.getTime())) return why(`${inspect(a)} !== ${inspect(b)}`);
  } else if (a instanceof RegExp) {
    if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return why(`${a} !== ${b}`);
  } else if (a instanceof Error) {
    if (a.name !== b.name) return { path: pathKey(path, 'name'), why: `${inspect(a.name)} !== ${inspect(b.name)}` };
    if (a.message !== b.message) return { path: pathKey(path, 'message'), why: `${inspect(a.message)} !== ${inspect(b.message)}` };
  } else if (isTypedArray(a)) {
    if (a.length !== b.length) return why(`length ${a.length} !== ${b.length}`);
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return { path: pathKey(path, i), why: `${inspect(a[i])} !== ${inspect(b[i])}` };
  } else if (a instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && a instanceof SharedArrayBuffer)) {
    const d = diffDeep(new Uint8Array(a), new Uint8Array(b), path, memo);
    if (d) return d;
  } else if (a instanceof DataView) {
    const d = diffDeep(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength), path, memo);
    if (d) return d;
  } else if (a instanceof Map) {
    if (a.size !== b.size) return why(`Map sizes ${a.size} !== ${b.size}`);
    const unmatched = [...b.keys()].filter((k) => typeof k === 'object' && k !== null);
    for (const [k, v] of a) {
      let bk = k;
      if (!b.has(k)) {
        if (typeof k !== 'object' || k === null) return why(`key ${inspect(k)} missing in expected Map`);
        const i = unmatched.findIndex((c) => !diffDeep(k, c, '', memo) && !diffDeep(v, b.get(c), '', memo));
        if (i < 0) return why(`key ${inspect(k, 2)} has no deep-equal counterpart in expected Map`);
        bk = unmatched.splice(i, 1)[0];
      }
      const d = diffDeep(v, b.get(bk), `${path || ''}.get(${inspect(k, 1)})`, memo);
      if (d) return d;
    }
  } else if (a instanceof Set) {
    if (a.size !== b.size) return why(`Set sizes ${a.size} !== ${b.size}`);
    const unmatched = [...b].filter((v) => typeof v === 'object' && v !== null && !a.has(v));
    for (const v of a) {
      if (b.has(v)) continue;
      if (typeof v !== 'object' || v === null) return why(`value ${inspect(v)} missing in expected Set`);
      const i = unmatched.findIndex((c) => !diffDeep(v, c, '', memo));
      if (i < 0) return why(`value ${inspect(v, 2)} has no deep-equal counterpart in expected Set`);
      unmatched.splice(i, 1);
    }
  } else if (Array.isArray(a)) {
    if (a.length !== b.length) return why(`array length ${a.length} !== ${b.length}`);
  } else {
    for (const Box of [Number, String, Boolean, BigInt, Symbol]) {
      if (a instanceof Box) {
        const [x, y] = [Box.prototype.valueOf.call(a), Box.prototype.valueOf.call(b)];
        if (!Object.is(x, y)) return why(`[${Box.name}: ${inspect(x)}] !== [${Box.name}: ${inspect(y)}]`);
      }
    }
  }
  if (a instanceof WeakMap || a instanceof WeakSet || a instanceof Promise) {
    return why(`${ctorName(a)} objects are equal only when identical`);
  }

  const ka = ownKeys(a);
  const kb = ownKeys(b);
  const inB = new Set(kb);
  for (const k of ka) {
    if (!inB.has(k)) return { path: pathKey(path, k), why: 'present in actual, missing in expected' };
  }
  if (ka.length !== kb.length) {
    const inA = new Set(ka);
    const k = kb.find((x) => !inA.has(x));
    return { path: pathKey(path, k), why: 'missing in actual, present in expected' };
  }
  for (const k of ka) {
    const d = diffDeep(a[k], b[k], pathKey(path, k), memo);
    if (d) return d;
  }
  return null;
}

/** true when `a` and `b` are deep-strict-equal (Node's `isDeepStrictEqual`). */
export function isDeepStrictEqual(a, b) {
  return diffDeep(a, b, '', []) === null;
}

// ---- assertions --------------------------------------------------------------------------------

export function ok(...args) {
  if (args.length === 0) raise(undefined, 'No value argument passed to `assert.ok()`', undefined, true, '==', ok);
  const [value, message] = args;
  if (!value) raise(message, `The expression evaluated to a falsy value: ${inspect(value)}`, value, true, '==', ok);
}

export function strictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) return;
  const generated =
    typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null && isDeepStrictEqual(actual, expected)
      ? `Values have same structure but are not reference-equal:\n\n${clip(inspect(actual))}`
      : typeof actual === 'object' || typeof expected === 'object' || (typeof actual === 'string' && typeof expected === 'string' && (actual.length > 40 || expected.length > 40))
        ? twoSided('Expected values to be strictly equal:', actual, expected)
        : `Expected values to be strictly equal:\n\n${inspect(actual)} !== ${inspect(expected)}${typeof actual !== typeof expected ? ` (${typeof actual} vs ${typeof expected})` : ''}`;
  raise(withDetail(message, generated), generated, actual, expected, 'strictEqual', strictEqual);
}

export function notStrictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) return;
  const generated = `Expected "actual" to be strictly unequal to: ${clip(inspect(expected))}`;
  raise(withDetail(message, generated), generated, actual, expected, 'notStrictEqual', notStrictEqual);
}

export function deepStrictEqual(actual, expected, message) {
  const d = diffDeep(actual, expected, '', []);
  if (!d) return;
  const generated = twoSided('Expected values to be strictly deep-equal:', actual, expected, d);
  raise(withDetail(message, generated), generated, actual, expected, 'deepStrictEqual', deepStrictEqual);
}

export function notDeepStrictEqual(actual, expected, message) {
  if (!isDeepStrictEqual(actual, expected)) return;
  const generated = `Expected "actual" not to be strictly deep-equal to: ${clip(inspect(expected))}`;
  raise(withDetail(message, generated), generated, actual, expected, 'notDeepStrictEqual', notDeepStrictEqual);
}

export function match(string, regexp, message) {
  if (!(regexp instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp.');
  if (typeof string !== 'string') {
    raise(message, `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`, string, regexp, 'match', match);
  }
  regexp.lastIndex = 0;
  if (!regexp.test(string)) {
    raise(message, `The input did not match the regular expression ${regexp}. Input:\n\n${clip(inspect(string))}\n`, string, regexp, 'match', match);
  }
}

export function doesNotMatch(string, regexp, message) {
  if (!(regexp instanceof RegExp)) throw new TypeError('The "regexp" argument must be an instance of RegExp.');
  if (typeof string !== 'string') {
    raise(message, `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})`, string, regexp, 'doesNotMatch', doesNotMatch);
  }
  regexp.lastIndex = 0;
  if (regexp.test(string)) {
    raise(message, `The input was expected to not match the regular expression ${regexp}. Input:\n\n${clip(inspect(string))}\n`, string, regexp, 'doesNotMatch', doesNotMatch);
  }
}

export function fail(message = 'Failed') {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message, operator: 'fail', stackStartFn: fail });
}

export function ifError(value) {
  if (value === null || value === undefined) return;
  let message = 'ifError got unwanted exception: ';
  message += typeof value?.message === 'string' ? (value.message || value.constructor?.name) : inspect(value);
  const err = new AssertionError({ message, actual: value, expected: null, operator: 'ifError', stackStartFn: ifError });
  err.origin = value;
  throw err;
}

/** The error's name, message, own data (code, issues …) and stack frames. */
function describeError(e) {
  if (!(e instanceof Error)) return inspect(e);
  const data = Object.keys(e).filter((k) => k !== 'stack');
  let text = `${e.name}: ${e.message}`;
  if (data.length) text += ` ${inspect(Object.fromEntries(data.map((k) => [k, e[k]])), 2)}`;
  const frames = typeof e.stack === 'string' ? e.stack.split('\n').filter((l) => /^\s+at /.test(l)) : [];
  return frames.length ? `${text}\n${frames.join('\n')}` : text;
}

/** Checks a caught error against the `expected` argument of throws/rejects; throws on mismatch. */
function checkError(actual, expected, message, fnName, stackStartFn) {
  if (expected === undefined) return;
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && actual instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) {
      raise(
        message,
        `The error is expected to be an instance of "${expected.name}". Received ${actual instanceof Error ? `"${actual.constructor?.name}"` : inspect(actual)}\n\nError message:\n\n${actual?.message ?? inspect(actual)}`,
        actual, expected, fnName, stackStartFn,
      );
    }
    const res = expected.call({}, actual);
    if (res !== true) {
      raise(
        message,
        `The ${expected.name ? `"${expected.name}" ` : ''}validation function is expected to return "true". Received ${inspect(res)}\n\nCaught error:\n\n${describeError(actual)}`,
        actual, expected, fnName, stackStartFn,
      );
    }
    return;
  }
  if (expected instanceof RegExp) {
    const str = String(actual);
    expected.lastIndex = 0;
    if (!expected.test(str)) {
      raise(message, `The input did not match the regular expression ${expected}. Input:\n\n${inspect(str)}\n`, actual, expected, fnName, stackStartFn);
    }
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) {
      raise(message, `Expected an object-like error matching ${inspect(expected)}. Received ${inspect(actual)}`, actual, expected, fnName, stackStartFn);
    }
    const keys = ownKeys(expected);
    if (expected instanceof Error) keys.push('name', 'message');
    else if (keys.length === 0) throw new TypeError(`The "expected" argument of ${fnName} may not be an empty object`);
    for (const k of keys) {
      const want = expected[k];
      const got = actual[k];
      if (want instanceof RegExp && typeof got === 'string') {
        want.lastIndex = 0;
        if (want.test(got)) continue;
        raise(message, `The error's ${String(k)} ${inspect(got)} does not match ${want}\n\nCaught error:\n\n${describeError(actual)}`, actual, expected, fnName, stackStartFn);
      }
      const d = diffDeep(got, want, pathKey('error', k), []);
      if (d) {
        raise(message, `The error does not match the expected properties: ${d.path}: ${d.why}\n\nCaught error:\n\n${describeError(actual)}`, actual, expected, fnName, stackStartFn);
      }
    }
    return;
  }
  throw new TypeError(`The "expected" argument of ${fnName} must be a function, RegExp, object or Error; received ${inspect(expected)}`);
}

function missing(kind, expected, message) {
  let m = `Missing expected ${kind}`;
  if (typeof expected === 'function' && expected.name && expected.prototype !== undefined) m += ` (${expected.name})`;
  m += message ? `: ${message}` : '.';
  return m;
}

const NONE = Symbol('none');

export function throws(fn, expected, message) {
  if (typeof fn !== 'function') throw new TypeError(`The "fn" argument must be of type function. Received ${inspect(fn)}`);
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  let caught = NONE;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (caught === NONE) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: missing('exception', expected, message), actual: undefined, expected, operator: 'throws', stackStartFn: throws });
  }
  checkError(caught, expected, message, 'throws', throws);
}

export async function rejects(promiseFn, expected, message) {
  if (typeof expected === 'string') [message, expected] = [expected, undefined];
  let promise = promiseFn;
  if (typeof promiseFn === 'function') {
    promise = promiseFn(); // a synchronous throw propagates (as in Node)
    if (!promise || typeof promise.then !== 'function') {
      throw Object.assign(new TypeError(`Expected instance of Promise to be returned from the "promiseFn" function but got ${inspect(promise)}.`), { code: 'ERR_INVALID_RETURN_VALUE' });
    }
  } else if (!promise || typeof promise.then !== 'function') {
    throw Object.assign(new TypeError(`The "promiseFn" argument must be of type function or an instance of Promise. Received ${inspect(promiseFn)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  let caught = NONE;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  if (caught === NONE) {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message: missing('rejection', expected, message), actual: undefined, expected, operator: 'rejects', stackStartFn: rejects });
  }
  checkError(caught, expected, message, 'rejects', rejects);
}

function unwanted(kind, e, expected, message, operator, stackStartFn) {
  if (expected !== undefined && typeof expected !== 'string' && typeof expected !== 'function' && !(expected instanceof RegExp)) {
    throw Object.assign(new TypeError(`The "expected" argument of ${operator} must be a function or RegExp. Received ${inspect(expected)}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  // Node rethrows the error itself when it does not match `expected`.
  if (expected !== undefined && typeof expected !== 'string') {
    try {
      checkError(e, expected, undefined, operator, stackStartFn);
    } catch {
      throw e;
    }
  } else if (typeof expected === 'string') {
    message = expected;
  }
  const details = message ? `: ${message}` : '.';
  const err = new AssertionError({
    message: `Got unwanted ${kind}${details}\nActual message: "${e?.message ?? inspect(e)}"\n\n${describeError(e)}`,
    actual: e, expected, operator, stackStartFn,
  });
  throw err;
}

export function doesNotThrow(fn, expected, message) {
  if (typeof fn !== 'function') throw new TypeError(`The "fn" argument must be of type function. Received ${inspect(fn)}`);
  try {
    fn();
  } catch (e) {
    unwanted('exception', e, expected, message, 'doesNotThrow', doesNotThrow);
  }
}

export async function doesNotReject(promiseFn, expected, message) {
  const promise = typeof promiseFn === 'function' ? promiseFn() : promiseFn;
  if (!promise || typeof promise.then !== 'function') {
    throw Object.assign(new TypeError(`Expected a Promise or a function returning one; got ${inspect(promise)}`), { code: 'ERR_INVALID_RETURN_VALUE' });
  }
  try {
    await promise;
  } catch (e) {
    unwanted('rejection', e, expected, message, 'doesNotReject', doesNotReject);
  }
}

// node:assert/strict: the loose names are the strict ones.
export const equal = strictEqual;
export const notEqual = notStrictEqual;
export const deepEqual = deepStrictEqual;
export const notDeepEqual = notDeepStrictEqual;

function assert(...args) {
  if (args.length === 0) raise(undefined, 'No value argument passed to `assert.ok()`', undefined, true, '==', assert);
  if (!args[0]) raise(args[1], `The expression evaluated to a falsy value: ${inspect(args[0])}`, args[0], true, '==', assert);
}

Object.assign(assert, {
  ok, equal, notEqual, strictEqual, notStrictEqual, deepEqual, deepStrictEqual, notDeepEqual, notDeepStrictEqual,
  match, doesNotMatch, throws, doesNotThrow, rejects, doesNotReject, fail, ifError, AssertionError, isDeepStrictEqual,
});
assert.strict = assert;
export const strict = assert;
export default assert;
