// Reading a modeled service's distributions (latency, sizes) from YAML: a plain
// value is fixed, a one-key mapping names the shape. Units are read by an
// injected parser (Go durations -> ms, byte sizes -> bytes), errors recorded at
// the field with the Fields reader's file:line:col convention.

import type { Distribution } from './model.js';
import { describe, type Fields } from './fields.js';
import { goDurationMs } from './duration.js';

/** Parses one value of the distribution's unit: the number, or an error message. */
export interface Unit {
  parse(v: unknown): number | string;
  /** Example for messages, e.g. `"50ms"`. */
  example: string;
}

export const DURATION: Unit = {
  example: '"50ms"',
  parse(v) {
    if (typeof v !== 'string') return `expected a duration such as "50ms", got ${describe(v)}`;
    const ms = goDurationMs(v);
    if (typeof ms === 'string') return ms;
    return ms < 0 ? `invalid duration ${JSON.stringify(v)}: must not be negative` : ms;
  },
};

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes: a whole number, or isotope's binary units (`1KiB` = `1K` = `1 KB` = 1024). */
export const BYTES: Unit = {
  example: '"1KiB"',
  parse(v) {
    if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : `expected a whole number of bytes, got ${v}`;
    if (typeof v !== 'string') return `expected a size such as 512 or "1KiB", got ${describe(v)}`;
    const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(v.trim());
    if (!m) return `invalid size ${JSON.stringify(v)}: expected bytes or a number with K, M or G (binary: 1K = 1024), e.g. "1KiB"`;
    return Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
  },
};

export const SHAPES = ['fixed', 'uniform', 'normal', 'lognormal', 'exponential', 'percentiles'] as const;

/** A distribution field: `50ms` (fixed) or `{ uniform: { min, max } }` etc. */
export function readDistribution(f: Fields, name: string, unit: Unit): Distribution | undefined {
  const raw = f.raw(name);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const v = unit.parse(raw);
    if (typeof v === 'string') {
      f.error(name, v);
      return undefined;
    }
    return { kind: 'fixed', value: v };
  }
  const d = f.obj(name)!;
  d.allow(SHAPES);
  const keys = Object.keys(d.value);
  if (keys.length !== 1) {
    d.error(null, `expected one of ${SHAPES.join(', ')} (exactly one), got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
    return undefined;
  }
  const shape = keys[0];
  const val = (p: Fields, key: string): number | undefined => {
    if (!p.has(key)) {
      p.error(null, `missing required field "${key}" (e.g. ${unit.example})`);
      return undefined;
    }
    const v = unit.parse(p.raw(key));
    if (typeof v === 'string') {
      p.error(key, v);
      return undefined;
    }
    return v;
  };
  const params = (keysAllowed: string[]): Fields | undefined => d.obj(shape, { required: true })?.allow(keysAllowed);
  switch (shape) {
    case 'fixed': {
      const value = val(d, 'fixed');
      return value === undefined ? undefined : { kind: 'fixed', value };
    }
    case 'uniform': {
      const p = params(['min', 'max']);
      const min = p && val(p, 'min');
      const max = p && val(p, 'max');
      if (min === undefined || max === undefined) return undefined;
      if (max < min) return fail(p!, 'max', `must not be less than min`);
      return { kind: 'uniform', min, max };
    }
    case 'normal': {
      const p = params(['mean', 'sd']);
      const mean = p && val(p, 'mean');
      const sd = p && val(p, 'sd');
      return mean === undefined || sd === undefined ? undefined : { kind: 'normal', mean, sd };
    }
    case 'lognormal': {
      const p = params(['median', 'p99']);
      const median = p && val(p, 'median');
      const p99 = p && val(p, 'p99');
      if (median === undefined || p99 === undefined) return undefined;
      if (median <= 0) return fail(p!, 'median', 'must be greater than 0');
      if (p99 < median) return fail(p!, 'p99', 'must not be less than the median');
      return { kind: 'lognormal', median, p99 };
    }
    case 'exponential': {
      const p = params(['mean']);
      const mean = p && val(p, 'mean');
      return mean === undefined ? undefined : { kind: 'exponential', mean };
    }
    case 'percentiles':
      return readPercentiles(d.obj('percentiles', { required: true }), val);
  }
  return undefined;
}

/** `{ p50: 10ms, p99: 80ms, p100: 200ms }`: keys pNN (0..100), values non-decreasing. */
function readPercentiles(p: Fields | undefined, val: (p: Fields, key: string) => number | undefined): Distribution | undefined {
  if (!p) return undefined;
  const points: Array<{ p: number; value: number; key: string }> = [];
  for (const key of Object.keys(p.value)) {
    const m = /^p(\d+(?:\.\d+)?)$/.exec(key);
    const pct = m ? Number(m[1]) : NaN;
    if (!m || pct > 100) {
      p.error(key, `expected a percentile key p0..p100 such as p50, p99.9, got "${key}"`);
      continue;
    }
    const value = val(p, key);
    if (value !== undefined) points.push({ p: pct, value, key });
  }
  if (points.length === 0) {
    if (Object.keys(p.value).length === 0) p.error(null, 'expected at least one percentile, e.g. { p50: 10ms, p99: 80ms }');
    return undefined;
  }
  points.sort((a, b) => a.p - b.p);
  for (let i = 1; i < points.length; i++) {
    if (points[i].value < points[i - 1].value) {
      return fail(p, points[i].key, `must not be less than ${points[i - 1].key} (percentile values never decrease)`);
    }
  }
  return { kind: 'percentiles', points: points.map(({ p: pp, value }) => ({ p: pp, value })) };
}

function fail(f: Fields, key: string, message: string): undefined {
  f.error(key, message);
  return undefined;
}
