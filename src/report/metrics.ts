// The metrics a comparison judges, read from the rows of one (variant, step)
// — one row per repeat — and compared with src/stats: the table and the CI
// gate both call compareRowGroups, so they always agree on a verdict.
//
// Names (also the gate's syntax, docs/statistics.md): qps, p50, p90, p99,
// p999 (ms), code.NNN (share of calls, 0..1), a counter by its short name
// (overflow, retries, timeouts, ejections), version.<app version> (share of the
// app's primary requests, 0..1).

import { compareSamples, type Direction, type MetricComparison } from '../stats/verdict.js';
import type { RandomFor } from '../stats/bootstrap.js';

export interface CompareRow {
  variant: string;
  step: string;
  /** 1-based repeat of this row (--repeat); absent for a single run. */
  round?: number;
  qps: number;
  /** Latency percentiles in ms. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  codes: Record<string, number>;
  calls: number;
  /** e.g. overflow, retries, timeouts, ejections. */
  counters: Record<string, number>;
  /** e.g. "httpbin v1": 20. */
  perVersion: Record<string, number>;
  /** Run-to-run noise estimate (relative, 0.1 = 10 %), optional. */
  noise?: { p50: number; p99: number; qps: number };
}

export type MetricKind = 'qps' | 'latency' | 'share' | 'count';

export interface MetricDef {
  name: string;
  /** Column header in the table. */
  header: string;
  kind: MetricKind;
  direction: Direction;
  value: (r: CompareRow) => number;
}

export interface MetricResult extends MetricComparison {
  def: MetricDef;
}

/**
 * A difference interval that reaches this far either way proves nothing: 20 %
 * of the baseline for qps and latency (at least 0.2 ms), 10 points for shares,
 * 20 % of the larger count (at least 2).
 */
export function conclusiveWithin(kind: MetricKind, base: number, cand: number): number {
  switch (kind) {
    case 'qps':
      return 0.2 * Math.abs(base);
    case 'latency':
      return Math.max(0.2 * Math.abs(base), 0.2);
    case 'share':
      return 0.1;
    case 'count':
      return Math.max(2, 0.2 * Math.max(Math.abs(base), Math.abs(cand)));
  }
}

export function total(m: Record<string, number>): number {
  let t = 0;
  for (const k in m) t += m[k]!;
  return t;
}

export function isOkCode(code: string): boolean {
  const n = Number(code);
  return (n >= 200 && n <= 299) || n === 418;
}

/** "reviews v3" -> "reviews"; "httpbin v2 mirror" -> "httpbin". */
export function appOf(versionKey: string): string {
  const sp = versionKey.indexOf(' ');
  return sp < 0 ? versionKey : versionKey.slice(0, sp);
}

export function appPrimaryTotal(perVersion: Record<string, number>, app: string): number {
  let t = 0;
  for (const [k, n] of Object.entries(perVersion)) if (appOf(k) === app && !k.endsWith(' mirror')) t += n;
  return t;
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/** Every metric present in any of the rows, in table order. */
export function metricDefs(rows: readonly CompareRow[]): MetricDef[] {
  const defs: MetricDef[] = [
    { name: 'qps', header: 'qps', kind: 'qps', direction: 'up', value: (r) => r.qps },
    { name: 'p50', header: 'p50 ms', kind: 'latency', direction: 'down', value: (r) => r.p50 },
    { name: 'p90', header: 'p90 ms', kind: 'latency', direction: 'down', value: (r) => r.p90 },
    { name: 'p99', header: 'p99 ms', kind: 'latency', direction: 'down', value: (r) => r.p99 },
    { name: 'p999', header: 'p99.9 ms', kind: 'latency', direction: 'down', value: (r) => r.p999 },
  ];
  const codes = uniq(rows.flatMap((r) => Object.keys(r.codes))).sort((a, b) => Number(a) - Number(b));
  for (const code of codes) {
    defs.push({
      name: `code.${code}`,
      header: `code ${code}`,
      kind: 'share',
      direction: isOkCode(code) ? 'up' : 'down',
      value: (r) => {
        const t = total(r.codes);
        return t > 0 ? (r.codes[code] ?? 0) / t : 0;
      },
    });
  }
  const counters = uniq(rows.flatMap((r) => Object.keys(r.counters))).filter((k) => rows.some((r) => (r.counters[k] ?? 0) !== 0));
  for (const k of counters) defs.push({ name: k, header: k, kind: 'count', direction: 'down', value: (r) => r.counters[k] ?? 0 });
  for (const v of uniq(rows.flatMap((r) => Object.keys(r.perVersion)))) {
    defs.push({
      name: `version.${v}`,
      header: v,
      kind: 'share',
      direction: 'none',
      value: (r) => {
        const t = appPrimaryTotal(r.perVersion, appOf(v));
        return t > 0 ? (r.perVersion[v] ?? 0) / t : 0;
      },
    });
  }
  return defs;
}

/** Each metric of `cand` (one row per repeat) against `base`; each metric's bootstrap draws from the stream keyed by its samples. */
export function compareRowGroups(base: readonly CompareRow[], cand: readonly CompareRow[], randomFor: RandomFor, defs = metricDefs([...base, ...cand])): MetricResult[] {
  return defs.map((def) => {
    const b = base.map(def.value);
    const c = cand.map(def.value);
    const random = randomFor(`${def.name}|${b.join(',')}|${c.join(',')}`);
    const within = conclusiveWithin(def.kind, b.reduce((a, x) => a + x, 0) / b.length, c.reduce((a, x) => a + x, 0) / c.length);
    return { def, ...compareSamples(b, c, random, def.direction, within) };
  });
}
