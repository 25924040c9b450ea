// A small typed reader over one SourceDoc: every wrong field becomes a ConfigError
// at its file:line:col (collected, so the user sees all of them at once).

import { ConfigError } from '../errors.js';
import type { FieldPath, SourceDoc } from '../mesh/config/source.js';
import { formatPath } from '../mesh/config/source.js';
import { isPlainObject as isObj } from '../mesh/config/fields.js';

export type Obj = Record<string, unknown>;

export { isObj };

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

export class FieldReader {
  readonly errors: ConfigError[] = [];
  constructor(readonly doc: SourceDoc) {}

  error(path: FieldPath, detail: string): void {
    this.errors.push(new ConfigError(detail, this.doc.locate(path), formatPath(path)));
  }

  /** Unknown keys are errors (a typo must not silently do nothing). */
  known(obj: Obj, path: FieldPath, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.error([...path, k], `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }

  obj(v: unknown, path: FieldPath, required = false): Obj | undefined {
    if (v === undefined || v === null) {
      if (required) this.error(path, 'required field is missing');
      return undefined;
    }
    if (!isObj(v)) {
      this.error(path, `expected a map, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  list(v: unknown, path: FieldPath, required = false): unknown[] | undefined {
    if (v === undefined || v === null) {
      if (required) this.error(path, 'required field is missing');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.error(path, `expected a list, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  str(v: unknown, path: FieldPath, required = false): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.error(path, 'required field is missing');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.error(path, `expected a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  num(v: unknown, path: FieldPath, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.error(path, `expected ${opts.integer ? 'an integer' : 'a number'}, got ${describe(v)}`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) {
      this.error(path, `expected an integer, got ${v}`);
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.error(path, `must be >= ${opts.min}, got ${v}`);
      return undefined;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.error(path, `must be <= ${opts.max}, got ${v}`);
      return undefined;
    }
    return v;
  }

  bool(v: unknown, path: FieldPath): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.error(path, `expected true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Go duration ("5s", "250ms", "1m30s") or a number of seconds -> ms. */
  duration(v: unknown, path: FieldPath): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
    if (typeof v === 'string') {
      const ms = parseGoDurationMs(v);
      if (ms !== undefined) return ms;
    }
    this.error(path, `expected a duration like "5s" or "250ms", got ${describe(v)}`);
    return undefined;
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go time.ParseDuration subset (non-negative): "1m30s", "1.5s", "0". */
export function parseGoDurationMs(s: string): number | undefined {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    i = re.lastIndex;
  }
  return s.length ? total : undefined;
}
