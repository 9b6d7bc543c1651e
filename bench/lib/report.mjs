// Statistics, Markdown tables and the machine description written next to every result.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';

/** Nearest-rank percentile of unsorted numbers (p in 0..100). */
export function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function median(values) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A number with `digits` decimals, or '—'. */
export function fmt(x, digits = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : Number(x).toFixed(digits);
}

export function ratio(a, b, digits = 2) {
  if (a == null || b == null || !b) return '—';
  return `${(a / b).toFixed(digits)}×`;
}

/** A Markdown table; `align` has one letter per column (`l` or `r`, default: first left). */
export function table(header, rows, align = `l${'r'.repeat(header.length - 1)}`) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, k) => (align[k] === 'r' ? '---:' : '---'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

export function machine() {
  const c = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    date: new Date().toISOString(),
  };
}

export function writeJson(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
