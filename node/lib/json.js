// Exact JSON between JavaScript values and the text both bindings speak.
//
// ComfyUI seeds go up to 2^64-1, which a JavaScript number cannot hold. The rule, the same in
// every runtime: integers beyond ±(2^53-1) become BigInt on the way out; BigInt (and plain
// numbers) are written digit for digit on the way in.

const MAX_SAFE_DIGITS = 15; // every integer with at most 15 digits is a safe JavaScript number
const LONG_DIGIT_RUN = /\d{16}/;

/**
 * Parses JSON text, turning integers beyond Number.MAX_SAFE_INTEGER into BigInt.
 * @param {string} text
 * @returns {any}
 */
export function decode(text) {
  try {
    // Text without a 16-digit run cannot hold an unsafe integer: the native parser is exact.
    if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
    return new ExactParser(text).document();
  } catch (err) {
    throw withCode(err, 'JSON_SYNTAX');
  }
}

/** `err` with a stable `.code` (the API turns it into a ComfyError). */
function withCode(err, code) {
  if (err instanceof Error && err.code === undefined) err.code = code;
  return err;
}

/** How deep a document or value may nest (the core's parser stops at 128 levels). */
const MAX_DEPTH = 512;

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class ExactParser {
  constructor(text) {
    this.text = text;
    this.i = 0;
    this.depth = 0;
  }

  nest() {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
  }

  document() {
    const value = this.value();
    this.space();
    if (this.i !== this.text.length) this.fail('unexpected text after the document');
    return value;
  }

  fail(message) {
    throw new SyntaxError(`${message} at position ${this.i}`);
  }

  space() {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      this.i++;
    }
  }

  value() {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't' && this.text.startsWith('true', this.i)) { this.i += 4; return true; }
    if (c === 'f' && this.text.startsWith('false', this.i)) { this.i += 5; return false; }
    if (c === 'n' && this.text.startsWith('null', this.i)) { this.i += 4; return null; }
    return this.number();
  }

  object() {
    this.i++;
    this.nest();
    const out = {};
    this.space();
    if (this.text[this.i] === '}') { this.i++; this.depth--; return out; }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.text[this.i++] !== ':') this.fail('expected ":"');
      // defineProperty: a "__proto__" key is data, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.space();
      const sep = this.text[this.i++];
      if (sep === '}') { this.depth--; return out; }
      if (sep !== ',') this.fail('expected "," or "}"');
    }
  }

  array() {
    this.i++;
    this.nest();
    const out = [];
    this.space();
    if (this.text[this.i] === ']') { this.i++; this.depth--; return out; }
    for (;;) {
      out.push(this.value());
      this.space();
      const sep = this.text[this.i++];
      if (sep === ']') { this.depth--; return out; }
      if (sep !== ',') this.fail('expected "," or "]"');
    }
  }

  string() {
    const t = this.text;
    const start = this.i++;
    let escaped = false;
    for (;;) {
      const j = t.indexOf('"', this.i);
      if (j < 0) this.fail('unterminated string');
      let backslashes = 0;
      for (let k = j - 1; k > start && t[k] === '\\'; k--) backslashes++;
      this.i = j + 1;
      if (backslashes % 2 === 0) break;
      escaped = true;
    }
    const raw = t.slice(start, this.i);
    return escaped || raw.includes('\\') ? JSON.parse(raw) : raw.slice(1, -1);
  }

  number() {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m) this.fail('unexpected character');
    this.i = NUMBER.lastIndex;
    const literal = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const digits = literal.length - (literal[0] === '-' ? 1 : 0);
      if (digits > MAX_SAFE_DIGITS) {
        const big = BigInt(literal);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < -BigInt(Number.MAX_SAFE_INTEGER)) return big;
      }
    }
    return Number(literal);
  }
}

/**
 * Writes a JavaScript value as JSON text, BigInt digit for digit.
 * @param {any} value
 * @returns {string}
 */
export function encode(value) {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    // BigInt, a cycle or a value too deep for the stack (RangeError): the careful writer
    // handles the first and reports the others at its depth limit.
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err;
  }
  try {
    return write(value, 0) ?? 'null';
  } catch (err) {
    throw withCode(err, 'INVALID_ARGUMENT');
  }
}

function write(v, depth) {
  switch (typeof v) {
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (depth > MAX_DEPTH) throw new TypeError(`value nested deeper than ${MAX_DEPTH} levels (or cyclic): not JSON`);
      if (typeof v.toJSON === 'function') return write(v.toJSON(), depth + 1);
      if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1) ?? 'null').join(',')}]`;
      const parts = [];
      for (const key of Object.keys(v)) {
        const item = write(v[key], depth + 1);
        if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined; // undefined, functions and symbols are skipped, as JSON.stringify does
  }
}
