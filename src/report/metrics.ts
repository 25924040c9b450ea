// The metrics a comparison judges, read from the rows of one (variant, step)
// — one row per repeat — and compared with src/stats: the table and the CI
// gate both call compareRowGroups, so they always agree on a verdict.
//
// Names (also the gate's syntax, docs/statistics.md): qps, p50, p90, p99,
// p999 (ms), code.NNN (share of calls, 0..1), a counter by its short name
// (overflow, retries, timeouts, ejections), version.<app version> (share of the
// app's primary requests, 0..1).

import { compareSamples, verdictOf, type Direction, type MetricComparison } from '../stats/verdict.js';
import { DEFAULT_RESAMPLES, quantile, type Interval, type Random, type RandomFor } from '../stats/bootstrap.js';
import { blockLength, blockResample } from '../stats/block-bootstrap.js';

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
  /** The run's one-second windows: with a single run, intervals come from these (docs/statistics.md). */
  windows?: RowWindow[];
  /** A capacity search's answer: highest sustained qps and its bracket [sustained, broken]. */
  maxQps?: number;
  maxQpsInterval?: [number, number];
}

/** One time window of a run, as the metrics read it. */
export interface RowWindow {
  /** Length (s). */
  s: number;
  calls: number;
  codes: Record<string, number>;
  counters: Record<string, number>;
  perVersion: Record<string, number>;
  /** Service time (ms); absent when no call completed in the window. */
  p50?: number;
  p90?: number;
  p99?: number;
  p999?: number;
}

/** Fewer windows than this give no interval: a bootstrap over 2 or 3 values only fakes one. */
export const MIN_WINDOWS = 5;

export type MetricKind = 'qps' | 'latency' | 'share' | 'count';

export interface MetricDef {
  name: string;
  /** Column header in the table. */
  header: string;
  kind: MetricKind;
  direction: Direction;
  value: (r: CompareRow) => number;
  /** The metric over some of a run's windows (indices may repeat); absent: no window form. */
  windowValue?: (ws: readonly RowWindow[], idx: readonly number[]) => number;
}

export interface MetricResult extends MetricComparison {
  def: MetricDef;
  /**
   * Where the interval came from: the spread of repeats, a single run's time
   * windows, a capacity search's bracket, or nowhere (one run, too few windows).
   */
  from: 'repeats' | 'windows' | 'search' | 'none';
  /** Windows per side when from = windows. */
  windows?: [number, number];
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
  const defs: MetricDef[] = [];
  if (rows.some((r) => r.maxQps !== undefined)) defs.push({ name: 'maxQps', header: 'max qps', kind: 'qps', direction: 'up', value: (r) => r.maxQps ?? 0 });
  defs.push(
    { name: 'qps', header: 'qps', kind: 'qps', direction: 'up', value: (r) => r.qps, windowValue: (ws, idx) => ratio(ws, idx, (w) => w.calls, (w) => w.s) },
    ...(['p50', 'p90', 'p99', 'p999'] as const).map(
      (p): MetricDef => ({ name: p, header: p === 'p999' ? 'p99.9 ms' : `${p} ms`, kind: 'latency', direction: 'down', value: (r) => r[p], windowValue: (ws, idx) => latencyOf(ws, idx, p) }),
    ),
  );
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
      windowValue: (ws, idx) => ratio(ws, idx, (w) => w.codes[code] ?? 0, (w) => total(w.codes)),
    });
  }
  const counters = uniq(rows.flatMap((r) => Object.keys(r.counters))).filter((k) => rows.some((r) => (r.counters[k] ?? 0) !== 0));
  for (const k of counters) defs.push({ name: k, header: k, kind: 'count', direction: 'down', value: (r) => r.counters[k] ?? 0, windowValue: (ws, idx) => sum(ws, idx, (w) => w.counters[k] ?? 0) });
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
      windowValue: (ws, idx) => ratio(ws, idx, (w) => w.perVersion[v] ?? 0, (w) => appPrimaryTotal(w.perVersion, appOf(v))),
    });
  }
  return defs;
}

function sum(ws: readonly RowWindow[], idx: readonly number[], f: (w: RowWindow) => number): number {
  let t = 0;
  for (const i of idx) t += f(ws[i]!);
  return t;
}

/** Sum of num over sum of den (qps, shares): the pooled value of the windows picked. */
function ratio(ws: readonly RowWindow[], idx: readonly number[], num: (w: RowWindow) => number, den: (w: RowWindow) => number): number {
  const d = sum(ws, idx, den);
  return d > 0 ? sum(ws, idx, num) / d : 0;
}

/** Call-weighted mean of the windows' percentile (windows without calls carry no weight). */
function latencyOf(ws: readonly RowWindow[], idx: readonly number[], p: 'p50' | 'p90' | 'p99' | 'p999'): number {
  let t = 0;
  let n = 0;
  for (const i of idx) {
    const w = ws[i]!;
    const v = w[p];
    if (v !== undefined && w.calls > 0) {
      t += w.calls * v;
      n += w.calls;
    }
  }
  return n > 0 ? t / n : 0;
}

/**
 * Each metric of `cand` (one row per repeat) against `base`; each metric's
 * bootstrap draws from the stream keyed by its samples. With a single run per
 * side the interval comes from the runs' time windows (compareWindows), or for
 * a capacity search from its brackets; with neither there is none.
 */
export function compareRowGroups(base: readonly CompareRow[], cand: readonly CompareRow[], randomFor: RandomFor, defs = metricDefs([...base, ...cand])): MetricResult[] {
  const single = base.length === 1 && cand.length === 1;
  return defs.map((def) => {
    const b = base.map(def.value);
    const c = cand.map(def.value);
    const random = randomFor(`${def.name}|${b.join(',')}|${c.join(',')}`);
    const within = conclusiveWithin(def.kind, b.reduce((a, x) => a + x, 0) / b.length, c.reduce((a, x) => a + x, 0) / c.length);
    if (single && def.name === 'maxQps' && base[0]!.maxQpsInterval && cand[0]!.maxQpsInterval) return searchBrackets(def, base[0]!, cand[0]!, within);
    if (single && def.windowValue && hasWindows(base[0]!) && hasWindows(cand[0]!)) {
      return { def, from: 'windows', windows: [base[0]!.windows!.length, cand[0]!.windows!.length], ...compareWindows(def, base[0]!, cand[0]!, random, within) };
    }
    const r = compareSamples(b, c, random, def.direction, within);
    return { def, from: r.hasInterval ? 'repeats' : 'none', ...r };
  });
}

export function hasWindows(r: CompareRow): boolean {
  return (r.windows?.length ?? 0) >= MIN_WINDOWS;
}

/**
 * A single run's interval from its windows: circular block bootstrap of the
 * windows (src/stats/block-bootstrap.ts), each resample pooled as the metric
 * pools them (qps = calls / seconds, shares = count / total, latency =
 * call-weighted window percentile). The interval is centred on the run's own
 * value: run value + (resampled − the windows' own pooled value), since a
 * pooled window percentile is close to, not equal to, the whole run's.
 */
export function windowInterval(def: MetricDef, row: CompareRow, random: Random): Interval {
  return around(def.value(row), windowShifts(def, row, random));
}

/** Resampled pooled value − the windows' own pooled value, DEFAULT_RESAMPLES times. */
function windowShifts(def: MetricDef, row: CompareRow, random: Random): number[] {
  const ws = row.windows!;
  const t0 = def.windowValue!(ws, ws.map((_, i) => i));
  const len = blockLength(ws.length);
  const out = new Array<number>(DEFAULT_RESAMPLES);
  for (let i = 0; i < DEFAULT_RESAMPLES; i++) out[i] = def.windowValue!(ws, blockResample(ws.length, len, random)) - t0;
  return out;
}

function around(estimate: number, shifts: number[]): Interval {
  const xs = [...shifts].sort((a, b) => a - b);
  return { estimate, lo: estimate + quantile(xs, 0.025), hi: estimate + quantile(xs, 0.975) };
}

function compareWindows(def: MetricDef, base: CompareRow, cand: CompareRow, random: Random, within: number): MetricComparison {
  const bs = windowShifts(def, base, random);
  const cs = windowShifts(def, cand, random);
  const bv = def.value(base);
  const cv = def.value(cand);
  const diff = around(cv - bv, cs.map((c, i) => c - bs[i]!));
  return { base: around(bv, bs), cand: around(cv, cs), diff, hasInterval: true, verdict: verdictOf(diff, def.direction, within) };
}

/** maxQps of two searches: the difference lies between the brackets' extremes. */
function searchBrackets(def: MetricDef, base: CompareRow, cand: CompareRow, within: number): MetricResult {
  const [blo, bhi] = base.maxQpsInterval!;
  const [clo, chi] = cand.maxQpsInterval!;
  const diff = { estimate: cand.maxQps! - base.maxQps!, lo: clo - bhi, hi: chi - blo };
  return {
    def,
    from: 'search',
    base: { estimate: base.maxQps!, lo: blo, hi: bhi },
    cand: { estimate: cand.maxQps!, lo: clo, hi: chi },
    diff,
    hasInterval: true,
    verdict: verdictOf(diff, def.direction, within),
  };
}
