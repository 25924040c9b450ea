// The plain-text report printed after a run (and the JSON written by --json):
// per step fortio's report plus what the sidecar counted during that step, then
// the comparison table across variants and the expectation verdicts.

import type { CompareRow } from '../report/compare.js';
import { formatCompareTable } from '../report/compare.js';
import { createRandom } from '../mesh/random.js';
import { streamSeed, type RandomFor } from '../stats/bootstrap.js';
import { formatVerdict } from './expectations.js';
import { formatMirrorLines } from './mirror-report.js';
import { formatHopLines } from './hops-report.js';
import { formatEventTimeline } from './timeline-report.js';
import type { ScenarioOutcome, StepOutcome } from './results.js';
import { rowWindows, type WindowIntervals } from './window-intervals.js';
import type { SearchResult } from './capacity-search.js';

/** The destination cluster counters worth a line in every step report (Envoy names). */
export const KEY_COUNTERS = [
  'upstream_rq_total',
  'upstream_rq_pending_total',
  'upstream_rq_pending_overflow',
  'upstream_cx_total',
  'upstream_cx_overflow',
  'upstream_rq_retry',
  'upstream_rq_retry_overflow',
  'upstream_rq_timeout',
  'upstream_rq_per_try_timeout',
  'outlier_detection.ejections_enforced_total',
  'http.fault.delays_injected',
  'http.fault.aborts_injected',
  'http.no_route',
] as const;

/** Always shown (even when zero): the seed's `grep pending` view plus the basics. */
const ALWAYS = new Set(['upstream_rq_total', 'upstream_rq_pending_total', 'upstream_rq_pending_overflow']);

export function stepTitle(o: StepOutcome, variants: number): string {
  const title = variants > 1 || o.variant !== 'base' ? `${o.variant} / ${o.step}` : o.step;
  return o.round !== undefined ? `${title} (repeat ${o.round})` : title;
}

export function formatStepReport(o: StepOutcome, opts: { from: string; variants: number }): string {
  const lines: string[] = [];
  lines.push(`── ${stepTitle(o, opts.variants)}${o.interrupted ? ' (interrupted)' : ''} ──`);
  lines.push(o.fortioText.trimEnd());
  const where = o.clusters.length ? o.clusters.join(', ') : 'no matching cluster';
  lines.push(`Sidecar of ${opts.from} → ${where}, counted during this step:`);
  const shown = KEY_COUNTERS.filter((k) => ALWAYS.has(k) || (o.counters[k] ?? 0) !== 0);
  const w = Math.max(...shown.map((k) => k.length));
  for (const k of shown) lines.push(`  ${k.padEnd(w)} : ${o.counters[k] ?? 0}`);
  const pv = Object.entries(o.perVersion);
  if (pv.length) {
    lines.push(`Requests served per upstream version: ${pv.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  if (o.events?.length) lines.push(...formatEventTimeline(o.timeline, o.events));
  if (o.mirror) lines.push(...formatMirrorLines(o.mirror));
  lines.push(...formatHopLines(o.hops));
  if (o.search) lines.push(...formatSearchLines(o.search));
  if (o.intervals) lines.push(formatIntervals(o.intervals));
  for (const e of o.expectations) lines.push(formatVerdict(e));
  return lines.join('\n') + '\n';
}

export function compareRows(out: ScenarioOutcome): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const v of out.variants) for (const s of v.steps) rows.push(compareRow(s));
  return rows;
}

export function compareRow(s: StepOutcome): CompareRow {
  const st = s.result.meshbench.serviceTime;
  return {
    variant: s.variant,
    step: s.step,
    ...(s.round !== undefined ? { round: s.round } : {}),
    qps: s.result.meshbench.achievedQps,
    p50: st.p50,
    p90: st.p90,
    p99: st.p99,
    p999: st.p999,
    codes: { ...s.result.fortio.RetCodes },
    calls: st.count,
    counters: {
      overflow: s.counters.upstream_rq_pending_overflow ?? 0,
      retries: s.counters.upstream_rq_retry ?? 0,
      timeouts: s.counters.upstream_rq_timeout ?? 0,
      ejections: s.counters['outlier_detection.ejections_enforced_total'] ?? 0,
    },
    perVersion: { ...s.perVersion },
    windows: rowWindows(s.timeline),
    ...(s.search ? { maxQps: s.search.maxQps, maxQpsInterval: s.search.interval } : {}),
  };
}

/** Bootstrap draws seeded from --seed (default 1), so the same results print the same intervals. */
export const STATS_SEED = 1;

export function statsRandom(seed: number = STATS_SEED): RandomFor {
  return (key) => createRandom(streamSeed(seed, key));
}

export function formatScenarioReport(out: ScenarioOutcome, opts: { from: string; width?: number }): string {
  const parts: string[] = [];
  const nv = out.variants.length;
  const partial = out.interrupted ? ' — INTERRUPTED, partial results' : out.error ? ' — FAILED, partial results' : '';
  parts.push(`Scenario ${out.scenario}${partial}\n`);
  for (const v of out.variants) for (const s of v.steps) parts.push(formatStepReport(s, { from: opts.from, variants: nv }));
  const rows = compareRows(out);
  if (rows.length) {
    parts.push('Comparison:');
    // Seeded bootstrap: the same results print the same intervals.
    parts.push(formatCompareTable(rows, { width: opts.width ?? 100, randomFor: statsRandom(out.seed) }).trimEnd() + '\n');
  }
  parts.push(formatSummary(out));
  return parts.join('\n');
}

export function formatSummary(out: Pick<ScenarioOutcome, 'expectations' | 'interrupted'>): string {
  const all = out.expectations;
  if (all.length === 0) return out.interrupted ? 'Interrupted: expectations were not evaluated.\n' : 'No expectations.\n';
  const failed = all.filter((e) => !e.pass);
  const lines = [`Expectations: ${all.length - failed.length} of ${all.length} passed${out.interrupted ? ' (run interrupted; later steps not run)' : ''}`];
  for (const e of failed) lines.push(formatVerdict(e));
  return lines.join('\n') + '\n';
}

/** The --json document: everything, fortio-compatible per step under `result.fortio`. */
export function toJsonDocument(out: ScenarioOutcome): Record<string, unknown> {
  return {
    meshbench: 'scenario-result/v1',
    ...out,
    compare: compareRows(out),
  };
}

const num = (v: number): string => String(Number(v.toFixed(v < 10 ? 2 : 1)));

/** `95% intervals (interval from 6 one-second windows, not repeats): qps 99.8 [98.1, 101.2], p99 …` */
export function formatIntervals(iv: WindowIntervals): string {
  if (!iv.metrics) return `95% intervals: ${iv.note}`;
  const shown = ['qps', 'p50', 'p99'].flatMap((k) => {
    const m = iv.metrics![k];
    return m ? [`${k} ${num(m.estimate)} [${num(m.lo)}, ${num(m.hi)}]`] : [];
  });
  return `95% intervals (${iv.note}): ${shown.join(', ')}`;
}

/** The answer, then one line per probe. */
export function formatSearchLines(r: SearchResult): string[] {
  const slo = [
    ...Object.entries(r.slo.latencyLessThanMs).map(([p, v]) => `${p === 'p999' ? 'p99.9' : p} < ${v} ms`),
    ...(r.slo.errorShareAtMost !== undefined ? [`error share <= ${r.slo.errorShareAtMost}`] : []),
  ].join(', ');
  const lines = [
    `Capacity search (SLO ${slo}): max sustainable qps ${num(r.maxQps)}, between ${num(r.interval[0])} and ${num(r.interval[1])}` +
      `${r.confirmed ? ', confirmed' : ', NOT confirmed'} — ${r.note}${r.clientLimited ? ' (some probes were client-limited)' : ''}`,
  ];
  for (const p of r.probes) {
    lines.push(
      `  ${p.phase.padEnd(7)} ${String(p.qps).padStart(7)} qps c=${String(p.connections).padEnd(3)} achieved ${num(p.achievedQps)}, p99 ${num(p.serviceTime.p99)} ms, errors ${p.errors}/${p.calls}: ${p.pass ? 'ok' : `FAIL ${p.reason}`}`,
    );
  }
  return lines;
}
