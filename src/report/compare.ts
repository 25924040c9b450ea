// Side-by-side comparison of config variants, one table per load step. The first
// variant (in row order) is the baseline; every other variant shows its change
// against it, or "≈" when the change is within noise.
//
// Noise rule (default; `noise` on a row widens it):
//  - latency (p50/p90 use noise.p50, p99/p99.9 use noise.p99): |Δ| below
//    max(noise × baseline, 5 % of baseline, 0.2 ms) is "≈";
//  - qps: |Δ| below max(noise.qps × baseline, 5 % of baseline) is "≈";
//  - status-code and per-version shares: a change under 2 percentage points is "≈";
//  - counters: |Δ| <= max(2, 5 % of the larger value) is "≈" (small counts wobble).
// The noise estimate used is the larger of the baseline's and the variant's.
//
// With repeats (several rows of one variant and step, `--repeat N`) the noise
// rule gives way to statistics (src/report/metrics.ts, docs/statistics.md):
// each cell is the mean over repeats ± the half-width of its 95 % bootstrap
// interval, the change is the difference of means with its interval, and the
// verdict is better / worse / ≈ (no significant difference) / ? (the spread is
// too large to conclude anything).

import type { RandomFor } from '../stats/bootstrap.js';
import { appOf, appPrimaryTotal, compareRowGroups, hasWindows, isOkCode, metricDefs, MIN_WINDOWS, total, type CompareRow, type MetricResult } from './metrics.js';

export type { CompareRow } from './metrics.js';

export interface CompareOptions {
  color?: boolean;
  /** Bootstrap draws when a variant has several repeats, by key (seed them: the same table every time). */
  randomFor?: RandomFor;
  /** Maximum line width; wider tables are split into several blocks (default 100). */
  width?: number;
}

export const NOISE_DEFAULTS = { latencyRel: 0.05, latencyAbsMs: 0.2, qpsRel: 0.05, sharePp: 2, countAbs: 2, countRel: 0.05 } as const;

export type Tone = 'base' | 'better' | 'worse' | 'changed' | 'same';

export interface Cell {
  value: string;
  delta: string;
  tone: Tone;
}

export interface Column {
  header: string;
  cells: Cell[];
}

const ANSI: Record<Tone, string> = { base: '', better: '\x1b[32m', worse: '\x1b[31m', changed: '\x1b[33m', same: '\x1b[2m' };
const RESET = '\x1b[0m';

function fmtMs(v: number): string {
  const a = Math.abs(v);
  return v.toFixed(a < 1 ? 3 : a < 10 ? 2 : a < 100 ? 1 : 0);
}

function fmtPct(v: number): string {
  return v.toFixed(1) + '%';
}

function signed(v: number, digits: number, unit: string): string {
  const s = v.toFixed(digits);
  return (v >= 0 && !s.startsWith('-') ? '+' : '') + s + unit;
}

/** Relative change as "+12.3%"; a zero baseline cannot give a ratio. */
function relDelta(v: number, b: number): string {
  if (b === 0) return v === 0 ? '+0.0%' : 'new';
  return signed(((v - b) / b) * 100, 1, '%');
}

function latencyCell(v: number, b: number, isBase: boolean, noiseRel: number): Cell {
  if (isBase) return { value: fmtMs(v), delta: '', tone: 'base' };
  const tol = Math.max(noiseRel * b, NOISE_DEFAULTS.latencyRel * b, NOISE_DEFAULTS.latencyAbsMs);
  if (Math.abs(v - b) < tol) return { value: fmtMs(v), delta: '≈', tone: 'same' };
  return { value: fmtMs(v), delta: relDelta(v, b), tone: v > b ? 'worse' : 'better' };
}

function qpsCell(v: number, b: number, isBase: boolean, noiseRel: number): Cell {
  if (isBase) return { value: v.toFixed(1), delta: '', tone: 'base' };
  const tol = Math.max(noiseRel * b, NOISE_DEFAULTS.qpsRel * b);
  if (Math.abs(v - b) < tol || (v === 0 && b === 0)) return { value: v.toFixed(1), delta: '≈', tone: 'same' };
  return { value: v.toFixed(1), delta: relDelta(v, b), tone: v < b ? 'worse' : 'better' };
}

/** Share of a status code or version in percent; a change under 2 pp is noise. */
function shareCell(share: number, baseShare: number, isBase: boolean, toneUp: Tone, toneDown: Tone): Cell {
  if (isBase) return { value: fmtPct(share), delta: '', tone: 'base' };
  const d = share - baseShare;
  if (Math.abs(d) < NOISE_DEFAULTS.sharePp) return { value: fmtPct(share), delta: '≈', tone: 'same' };
  return { value: fmtPct(share), delta: signed(d, 1, 'pp'), tone: d > 0 ? toneUp : toneDown };
}

function countCell(v: number, b: number, isBase: boolean): Cell {
  if (isBase) return { value: String(v), delta: '', tone: 'base' };
  const d = v - b;
  if (Math.abs(d) <= Math.max(NOISE_DEFAULTS.countAbs, NOISE_DEFAULTS.countRel * Math.max(v, b))) return { value: String(v), delta: '≈', tone: 'same' };
  return { value: String(v), delta: (d > 0 ? '+' : '') + d, tone: d > 0 ? 'worse' : 'better' };
}

/** A capacity search's answer `200 [200,220]`: better/worse only when the brackets do not overlap. */
function maxQpsCell(r: CompareRow, b: CompareRow, isBase: boolean): Cell {
  if (r.maxQps === undefined || !r.maxQpsInterval) return { value: '-', delta: '', tone: 'base' };
  const value = `${r.maxQps} [${r.maxQpsInterval.join(',')}]`;
  if (isBase || b.maxQps === undefined || !b.maxQpsInterval) return { value, delta: '', tone: 'base' };
  if (r.maxQpsInterval[0] >= b.maxQpsInterval[1] && r.maxQps > b.maxQps) return { value, delta: relDelta(r.maxQps, b.maxQps), tone: 'better' };
  if (r.maxQpsInterval[1] <= b.maxQpsInterval[0] && r.maxQps < b.maxQps) return { value, delta: relDelta(r.maxQps, b.maxQps), tone: 'worse' };
  return { value, delta: '≈', tone: 'same' };
}

function uniq<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

function stepColumns(rows: CompareRow[]): Column[] {
  const base = rows[0]!;
  const noise = (r: CompareRow, k: 'p50' | 'p99' | 'qps'): number => Math.max(r.noise?.[k] ?? 0, base.noise?.[k] ?? 0);
  const cols: Column[] = [];
  if (rows.some((r) => r.maxQps !== undefined)) cols.push({ header: 'max qps', cells: rows.map((r, i) => maxQpsCell(r, base, i === 0)) });
  // Calls usually match (same load); only a difference is worth a delta.
  cols.push({ header: 'calls', cells: rows.map((r, i) => (r.calls === base.calls ? { value: String(r.calls), delta: '', tone: 'base' } : countCell(r.calls, base.calls, i === 0))) });
  cols.push({ header: 'qps', cells: rows.map((r, i) => qpsCell(r.qps, base.qps, i === 0, noise(r, 'qps'))) });
  const lat: Array<['p50' | 'p90' | 'p99' | 'p999', string, 'p50' | 'p99']> = [
    ['p50', 'p50 ms', 'p50'],
    ['p90', 'p90 ms', 'p50'],
    ['p99', 'p99 ms', 'p99'],
    ['p999', 'p99.9 ms', 'p99'],
  ];
  for (const [k, header, nk] of lat) cols.push({ header, cells: rows.map((r, i) => latencyCell(r[k], base[k], i === 0, noise(r, nk))) });
  const codes = uniq(rows.flatMap((r) => Object.keys(r.codes))).sort((a, b) => Number(a) - Number(b));
  for (const code of codes) {
    const share = (r: CompareRow): number => {
      const t = total(r.codes);
      return t > 0 ? (100 * (r.codes[code] ?? 0)) / t : 0;
    };
    const ok = isOkCode(code);
    cols.push({ header: `code ${code}`, cells: rows.map((r, i) => shareCell(share(r), share(base), i === 0, ok ? 'better' : 'worse', ok ? 'worse' : 'better')) });
  }
  // Counters that stayed zero everywhere in this step add nothing.
  const counters = uniq(rows.flatMap((r) => Object.keys(r.counters))).filter((k) => rows.some((r) => (r.counters[k] ?? 0) !== 0));
  for (const k of counters) cols.push({ header: k, cells: rows.map((r, i) => countCell(r.counters[k] ?? 0, base.counters[k] ?? 0, i === 0)) });
  const versions = uniq(rows.flatMap((r) => Object.keys(r.perVersion)));
  for (const v of versions) {
    // Share within the same app ("reviews v3" of all reviews requests), so a
    // 50/50 shift reads 50% whatever other services the page calls. Mirror
    // copies are measured against the app's primary requests: 100% = every
    // request was mirrored.
    const share = (r: CompareRow): number => {
      const t = appPrimaryTotal(r.perVersion, appOf(v));
      return t > 0 ? (100 * (r.perVersion[v] ?? 0)) / t : 0;
    };
    cols.push({ header: v, cells: rows.map((r, i) => shareCell(share(r), share(base), i === 0, 'changed', 'changed')) });
  }
  return cols;
}

function strWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - strWidth(s)));
}

function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - strWidth(s))) + s;
}

interface Laid {
  header: string;
  width: number;
  render: (row: number) => string;
}

function layColumn(c: Column, color: boolean): Laid {
  const vw = Math.max(...c.cells.map((x) => strWidth(x.value)));
  const dw = Math.max(0, ...c.cells.map((x) => strWidth(x.delta)));
  const width = Math.max(strWidth(c.header), vw + (dw > 0 ? 1 + dw : 0));
  return {
    header: c.header,
    width,
    render: (i) => {
      const cell = c.cells[i]!;
      let text = padStart(cell.value, vw);
      if (dw > 0) text += ' ' + padEnd(cell.delta, dw);
      text = padEnd(text, width);
      const code = color ? ANSI[cell.tone] : '';
      return code ? code + text + RESET : text;
    },
  };
}

export interface CompareStep {
  step: string;
  /** Each variant's rows (one per repeat), baseline first: variants in their overall order of appearance. */
  groups: CompareRow[][];
  /** The first row of each group: what a single-run table shows. */
  rows: CompareRow[];
  /** The single-run cells of `rows`, with their deltas and verdicts (tone); see the noise rule above. */
  columns: Column[];
}

/** Every step's rows, grouped by variant, in order of first appearance. */
export function compareSteps(rows: CompareRow[]): CompareStep[] {
  const variants = uniq(rows.map((r) => r.variant));
  return uniq(rows.map((r) => r.step)).map((step) => {
    const groups = variants.map((v) => rows.filter((r) => r.step === step && r.variant === v)).filter((g) => g.length > 0);
    const inStep = groups.map((g) => g[0]!);
    return { step, groups, rows: inStep, columns: stepColumns(inStep) };
  });
}

/** The "≈" rule in words, for a table's legend. */
export const NOISE_LEGEND = ['≈ within noise:', 'latency max(noise, 5%, 0.2 ms),', 'qps max(noise, 5%),', 'shares < 2pp,', 'counts <= max(2, 5%)'];

/** What one step's table shows: the single-run cells, or with repeats the means, intervals and verdicts. */
export interface StepTable {
  columns: Column[];
  /** "3 repeats each" when the step's variants ran several times. */
  repeats?: string;
  /** With one run each: "interval from 6 one-second windows, not repeats" when every run has enough windows. */
  windows?: string;
  /** With one run each and too few windows: why there is no interval. */
  noInterval?: string;
  /** Variants whose spread was too large to conclude. */
  warnings: string[];
}

/** The cells of one step (text table and HTML report alike); seed `randomFor` for the same intervals every time. */
export function stepTable(s: CompareStep, randomFor: RandomFor = () => Math.random): StepTable {
  if (s.groups.some((g) => g.length > 1)) return { ...repeatColumns(s.groups, randomFor), repeats: repeatsNote(s.groups) };
  // A single run per variant: intervals from the runs' one-second windows when every run has enough.
  if (s.rows.every(hasWindows)) return { ...repeatColumns(s.groups, randomFor), windows: windowsNote(s.rows) };
  if (!s.rows.some((r) => r.windows !== undefined)) return { columns: s.columns, warnings: [] };
  const n = Math.min(...s.rows.map((r) => r.windows?.length ?? 0));
  const noInterval = `no interval: ${n} one-second window${n === 1 ? '' : 's'} (at least ${MIN_WINDOWS} needed; longer steps or --repeat give intervals)${s.rows.length > 1 ? '; ≈ is the fixed noise rule' : ''}`;
  return { columns: s.columns, warnings: [], noInterval };
}

/** Renders one table per step (in order of first appearance); see the noise rule above. */
export function formatCompareTable(rows: CompareRow[], opts: CompareOptions = {}): string {
  if (rows.length === 0) return '';
  const width = opts.width ?? 100;
  const color = opts.color === true;
  const variants = uniq(rows.map((r) => r.variant));
  const out: string[] = [];
  let repeated = false;
  let windowedAny = false;
  for (const cs of compareSteps(rows)) {
    const { step, rows: inStep } = cs;
    const table = stepTable(cs, opts.randomFor);
    repeated ||= table.repeats !== undefined;
    windowedAny ||= table.windows !== undefined;
    const note = table.repeats ?? table.windows;
    out.push(`step ${step}` + (inStep.length > 1 ? ` (baseline: ${inStep[0]!.variant})` : '') + (note ? ` — ${note}` : ''));
    const cols = table.columns.map((c) => layColumn(c, color));
    const nameW = Math.max(strWidth('variant'), ...inStep.map((r) => strWidth(r.variant)));
    // Split columns into blocks that fit the width; each block repeats the variant column.
    const blocks: Laid[][] = [];
    let cur: Laid[] = [];
    let used = nameW;
    for (const c of cols) {
      if (cur.length > 0 && used + 2 + c.width > width) {
        blocks.push(cur);
        cur = [];
        used = nameW;
      }
      cur.push(c);
      used += 2 + c.width;
    }
    if (cur.length > 0) blocks.push(cur);
    for (const block of blocks) {
      out.push([padEnd('variant', nameW), ...block.map((c) => padEnd(c.header, c.width))].join('  ').trimEnd());
      inStep.forEach((r, i) => {
        out.push([padEnd(r.variant, nameW), ...block.map((c) => c.render(i))].join('  ').trimEnd());
      });
    }
    for (const w of table.warnings) out.push(`warning: ${w}`);
    if (table.noInterval) out.push(table.noInterval);
    out.push('');
  }
  out.push(...sweepCurves(rows));
  if (repeated) out.push(...wrap(REPEAT_LEGEND, width));
  else if (windowedAny) out.push(...wrap(WINDOW_LEGEND, width));
  else if (variants.length > 1) {
    // Legend, wrapped to the width.
    out.push(...wrap(NOISE_LEGEND, width));
  }
  return out.join('\n') + '\n';
}

/**
 * The points of each swept step (`NAME@c=4`, src/scenario/sweep.ts) as one curve
 * table, one row per point and variant (means over repeats): p99 vs qps, errors
 * vs c at a glance. The per-point tables above hold the verdicts.
 */
export function sweepCurves(rows: CompareRow[]): string[] {
  const out: string[] = [];
  const swept = uniq(rows.filter((r) => r.step.includes('@')).map((r) => r.step.slice(0, r.step.indexOf('@'))));
  for (const name of swept) {
    const table: string[][] = [['point', 'variant', 'calls', 'qps', 'p50 ms', 'p99 ms', 'p99.9 ms', 'non-2xx']];
    for (const { step, groups } of compareSteps(rows.filter((r) => r.step.startsWith(`${name}@`)))) {
      for (const g of groups) {
        const mean = (f: (r: CompareRow) => number) => g.reduce((a, r) => a + f(r), 0) / g.length;
        const bad = (r: CompareRow) => {
          const t = total(r.codes);
          return t > 0 ? (t - Object.entries(r.codes).filter(([c]) => /^2\d\d$/.test(c)).reduce((a, [, n]) => a + n, 0)) / t : 0;
        };
        table.push([step.slice(name.length + 1), g[0]!.variant, fmtCount(mean((r) => r.calls)), mean((r) => r.qps).toFixed(1), fmtMs(mean((r) => r.p50)), fmtMs(mean((r) => r.p99)), fmtMs(mean((r) => r.p999)), fmtPct(100 * mean(bad))]);
      }
    }
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => strWidth(row[i]!))));
    out.push(`sweep ${name}: one row per point`);
    for (const row of table) out.push(row.map((c, i) => (i < 2 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('  ').trimEnd());
    out.push('');
  }
  return out;
}

function wrap(parts: string[], width: number): string[] {
  const out: string[] = [];
  let line = parts[0]!;
  for (const part of parts.slice(1)) {
    if (strWidth(line) + 1 + strWidth(part) > width) {
      out.push(line);
      line = '  ' + part;
    } else line += ' ' + part;
  }
  out.push(line);
  return out;
}

export const REPEAT_LEGEND = [
  'value: mean over repeats ± half its 95% bootstrap interval;',
  'change: difference of means [95% interval];',
  'better/worse: the interval excludes 0;',
  '≈ no significant difference;',
  '? spread too large to conclude (interval reaches ±20%, ±10pp for shares)',
];

export const WINDOW_LEGEND = [
  'value: the run\'s value ± half its 95% interval from its one-second windows (block bootstrap; one run, not repeats);',
  'change: difference [95% interval];',
  'better/worse: the interval excludes 0;',
  '≈ no significant difference;',
  '? spread too large to conclude;',
  'max qps: capacity search bracket',
];

function windowsNote(rows: CompareRow[]): string {
  const ns = uniq(rows.map((r) => r.windows!.length));
  return `interval from ${ns.length === 1 ? ns[0] : ns.join('/')} one-second windows, not repeats`;
}

function repeatsNote(groups: CompareRow[][]): string {
  const ns = uniq(groups.map((g) => g.length));
  return ns.length === 1 ? `${ns[0]} repeats each` : `repeats: ${groups.map((g) => `${g[0]!.variant} ${g.length}`).join(', ')}`;
}

const MARK: Record<MetricResult['verdict'], string> = { better: 'better', worse: 'worse', same: '≈', inconclusive: '?' };

/** "4.02±0.31": the mean and half the width of its interval, in the metric's unit. */
function fmtMetric(r: MetricResult, side: 'base' | 'cand'): string {
  const iv = r[side];
  const half = (iv.hi - iv.lo) / 2;
  switch (r.def.kind) {
    case 'latency':
      return `${fmtMs(iv.estimate)}±${fmtMs(half)}`;
    case 'qps':
      return `${iv.estimate.toFixed(1)}±${half.toFixed(1)}`;
    case 'share':
      return `${fmtPct(100 * iv.estimate)}±${(100 * half).toFixed(1)}`;
    case 'count':
      return `${fmtCount(iv.estimate)}±${fmtCount(half)}`;
  }
}

function fmtCount(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The change with its interval: relative for qps and latency, points for shares, counts as counts. */
export function fmtChange(r: MetricResult): string {
  const d = r.diff;
  const base = r.base.estimate;
  let f: (v: number) => string;
  if (r.def.kind === 'share') f = (v) => signed(100 * v, 1, 'pp');
  else if (r.def.kind === 'count' || base === 0) f = (v) => signed(v, Number.isInteger(v) ? 0 : 1, '');
  else f = (v) => signed((100 * v) / Math.abs(base), 1, '%');
  return r.hasInterval ? `${f(d.estimate)} [${f(d.lo)},${f(d.hi)}]` : `${f(d.estimate)} (no interval: 1 run${r.def.windowValue ? `, < ${MIN_WINDOWS} windows` : ''})`;
}

function repeatCell(r: MetricResult): Cell {
  const tone: Tone = r.verdict === 'same' || r.verdict === 'inconclusive' ? 'same' : r.def.direction === 'none' ? 'changed' : r.verdict;
  const mark = r.def.direction === 'none' && (r.verdict === 'better' || r.verdict === 'worse') ? 'changed' : MARK[r.verdict];
  return { value: fmtMetric(r, 'cand'), delta: `${fmtChange(r)} ${mark}`, tone };
}

/** Columns of a step whose variants ran several times; every metric judged by src/stats. */
function repeatColumns(groups: CompareRow[][], randomFor: RandomFor): { columns: Column[]; warnings: string[] } {
  const defs = metricDefs(groups.flat());
  const base = groups[0]!;
  const results = groups.map((g) => compareRowGroups(base, g, randomFor, defs));
  const columns: Column[] = [];
  const calls = groups.map((g) => g.reduce((a, r) => a + r.calls, 0) / g.length);
  columns.push({ header: 'calls', cells: calls.map((c) => ({ value: fmtCount(c), delta: '', tone: 'base' as Tone })) });
  defs.forEach((def, k) => {
    columns.push({
      header: def.header,
      cells: results.map((res, i) => (i === 0 ? { value: fmtMetric(res[k]!, 'base'), delta: '', tone: 'base' } : repeatCell(res[k]!))),
    });
  });
  const warnings: string[] = [];
  results.forEach((res, i) => {
    if (i === 0) return;
    const unsure = res.filter((r) => r.verdict === 'inconclusive').map((r) => r.def.header);
    if (unsure.length) warnings.push(`${groups[i]![0]!.variant}: spread too large to conclude on ${unsure.join(', ')} (more repeats or longer steps narrow it)`);
  });
  return { columns, warnings };
}
