// A typed reader over one YAML mapping: every accessor checks the value's type and
// records a ConfigError (file:line:col: path: message) instead of throwing, so one
// pass reports every problem in a file. `allow()` turns unknown fields into errors,
// as the Kubernetes API server does with strict field validation. The one reader
// for every document meshbench reads: Kubernetes/Istio kinds and the Scenario.

import { ConfigError } from '../../errors.js';
import type { SourceLocation } from '../../errors.js';
import type { ConfigWarning } from './model.js';
import type { FieldPath, SourceDoc } from './source.js';
import { formatPath } from './source.js';
import { parseFlagDuration, parseIstioDuration } from './duration.js';

/** Errors and warnings collected while compiling a set of documents. */
export class Diagnostics {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigWarning[] = [];

  error(doc: SourceDoc, path: FieldPath, message: string): void {
    this.errors.push(new ConfigError(message, doc.locate(path), formatPath(path)));
  }

  warn(doc: SourceDoc, path: FieldPath, message: string): void {
    this.warnings.push({ message, loc: doc.locate(path), path: formatPath(path) });
  }
}

/** How a value reads in an error message: `"one"`, `12`, `a list`, `a mapping`. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Largest value of an int32 API field (weights, connection-pool thresholds). */
export const INT32_MAX = 2_147_483_647;

export interface NumberOpts {
  min?: number;
  max?: number;
  required?: boolean;
}

export interface ListItem {
  value: unknown;
  index: number;
  path: FieldPath;
}

export class Fields {
  constructor(
    readonly doc: SourceDoc,
    readonly diag: Diagnostics,
    readonly path: FieldPath,
    readonly value: Record<string, unknown>,
  ) {}

  /** The whole document. */
  static root(doc: SourceDoc, diag: Diagnostics): Fields {
    return new Fields(doc, diag, [], doc.value);
  }

  at(name: string | number): FieldPath {
    return [...this.path, name];
  }

  /** file:line:col of this mapping, or of one of its fields. */
  loc(name?: string | number): SourceLocation {
    return this.doc.locate(name === undefined ? this.path : this.at(name));
  }

  error(name: string | number | null, message: string): void {
    this.diag.error(this.doc, name === null ? this.path : this.at(name), message);
  }

  warn(name: string | number | null, message: string): void {
    this.diag.warn(this.doc, name === null ? this.path : this.at(name), message);
  }

  /** Report every key not in `allowed`; `ignored` keys are accepted silently. */
  allow(allowed: readonly string[], ignored: readonly string[] = []): this {
    for (const key of Object.keys(this.value)) {
      if (allowed.includes(key) || ignored.includes(key)) continue;
      const hint = suggest(key, [...allowed, ...ignored]);
      this.error(
        key,
        `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}` +
          (ignored.length ? `; also accepted and ignored: ${ignored.join(', ')}` : ''),
      );
    }
    return this;
  }

  /** Set and not null (Kubernetes treats `field: null` / `field:` as unset). */
  has(name: string): boolean {
    return this.value[name] !== undefined && this.value[name] !== null;
  }

  raw(name: string): unknown {
    const v = this.value[name];
    return v === null ? undefined : v;
  }

  private missing(name: string, required: boolean | undefined, what: string): undefined {
    if (required) this.error(null, `missing required field "${name}" (${what})`);
    return undefined;
  }

  str(name: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, opts.required, 'a string');
    if (typeof v !== 'string') {
      this.error(name, `expected a string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.nonEmpty && v === '') {
      this.error(name, 'must not be empty');
      return undefined;
    }
    return v;
  }

  int(name: string, opts: NumberOpts = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, opts.required, 'an integer');
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.error(name, `expected an integer, got ${describe(v)}`);
      return undefined;
    }
    return this.range(name, v, opts);
  }

  num(name: string, opts: NumberOpts = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, opts.required, 'a number');
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.error(name, `expected a number, got ${describe(v)}`);
      return undefined;
    }
    return this.range(name, v, opts);
  }

  private range(name: string, v: number, opts: NumberOpts): number | undefined {
    if (opts.min !== undefined && v < opts.min) {
      this.error(name, `must be ${opts.max !== undefined ? `between ${opts.min} and ${opts.max}` : `at least ${opts.min}`}, got ${v}`);
      return undefined;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.error(name, `must be ${opts.min !== undefined ? `between ${opts.min} and ${opts.max}` : `at most ${opts.max}`}, got ${v}`);
      return undefined;
    }
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.error(name, `expected true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  /** Istio duration (spec §1.1) in ms: Go syntax, ≥ 1ms, whole milliseconds. */
  duration(name: string, opts: { allowZero?: boolean } = {}): number | undefined {
    return this.parsed(name, (v) => parseIstioDuration(v, opts.allowZero ?? false));
  }

  /** A fortio flag duration (`t`, `timeout`) in ms: Go syntax, not negative, or a number of seconds. */
  flagDuration(name: string): number | undefined {
    return this.parsed(name, parseFlagDuration);
  }

  /** A field read by a parser that returns the value or an error message (duration.ts's convention). */
  private parsed(name: string, parse: (v: unknown) => number | string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const r = parse(v);
    if (typeof r === 'string') {
      this.error(name, r);
      return undefined;
    }
    return r;
  }

  /** A nested mapping; wrong type is reported. */
  obj(name: string, opts: { required?: boolean } = {}): Fields | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, opts.required, 'a mapping');
    if (!isPlainObject(v)) {
      this.error(name, `expected a mapping, got ${describe(v)}`);
      return undefined;
    }
    return new Fields(this.doc, this.diag, this.at(name), v);
  }

  /** A list's items with their paths (wrong type reported, result empty). */
  list(name: string, opts: { required?: boolean } = {}): ListItem[] {
    const v = this.raw(name);
    if (v === undefined) {
      this.missing(name, opts.required, 'a list');
      return [];
    }
    if (!Array.isArray(v)) {
      this.error(name, `expected a list, got ${describe(v)}`);
      return [];
    }
    return v.map((value, index) => ({ value, index, path: [...this.at(name), index] }));
  }

  /** List items that must be mappings. */
  objects(name: string, opts: { required?: boolean } = {}): Fields[] {
    const out: Fields[] = [];
    for (const item of this.list(name, opts)) {
      const f = this.item(item);
      if (f) out.push(f);
    }
    return out;
  }

  item(item: ListItem): Fields | undefined {
    if (!isPlainObject(item.value)) {
      this.diag.error(this.doc, item.path, `expected a mapping, got ${describe(item.value)}`);
      return undefined;
    }
    return new Fields(this.doc, this.diag, item.path, item.value);
  }

  strList(name: string): string[] | undefined {
    if (!this.has(name)) return undefined;
    const out: string[] = [];
    for (const item of this.list(name)) {
      if (typeof item.value === 'string') out.push(item.value);
      else this.diag.error(this.doc, item.path, `expected a string, got ${describe(item.value)}`);
    }
    return out;
  }

  /** map<string,string> (labels, env-like maps). Numbers/bools are refused as Kubernetes does. */
  strMap(name: string): Record<string, string> | undefined {
    const f = this.obj(name);
    if (!f) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.value)) {
      if (typeof v === 'string') out[k] = v;
      else f.error(k, `expected a string, got ${describe(v)}${typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : ''}`);
    }
    return out;
  }
}

/** Closest allowed name (case-insensitive equal, or edit distance ≤ 2). */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    if (a.toLowerCase() === lower) return a;
    const d = distance(lower, a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
