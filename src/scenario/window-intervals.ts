// A single run's intervals (--repeat 1): each metric's 95 % interval from the
// step's one-second windows (block bootstrap, src/report/metrics.ts), stated as
// such in the JSON; with fewer than MIN_WINDOWS windows the reason there is none.

import { hasWindows, metricDefs, MIN_WINDOWS, windowInterval, type CompareRow, type RowWindow } from '../report/metrics.js';
import type { Interval, RandomFor } from '../stats/bootstrap.js';
import { perSecond, type TimelineSample } from './timeline.js';

export interface WindowIntervals {
  from: 'windows';
  /** Windows in the step (one second each, the last may be shorter). */
  windows: number;
  /** e.g. `interval from 6 one-second windows, not repeats`, or why there is none. */
  note: string;
  /** Metric name (qps, p99, code.503, overflow…) -> value and 95 % interval; absent with too few windows. */
  metrics?: Record<string, Interval>;
}

/** The compare counters (report.ts compareRow) by their Envoy names in the timeline. */
const COUNTER_NAMES: Record<string, string> = {
  upstream_rq_pending_overflow: 'overflow',
  upstream_rq_retry: 'retries',
  upstream_rq_timeout: 'timeouts',
  'outlier_detection.ejections_enforced_total': 'ejections',
};

/** A step's timeline as comparison windows: one second each (a short step's 100 ms samples are merged first). */
export function rowWindows(timeline: readonly TimelineSample[]): RowWindow[] {
  let prev = 0;
  return perSecond(timeline).map((x) => {
    const counters: Record<string, number> = {};
    for (const [k, short] of Object.entries(COUNTER_NAMES)) counters[short] = x.counters[k] ?? 0;
    const w: RowWindow = { s: Math.max(1e-3, x.t - prev), calls: x.calls, codes: { ...x.codes }, counters, perVersion: { ...x.perVersion }, ...(x.latency ?? {}) };
    prev = x.t;
    return w;
  });
}

export function windowsNote(n: number): string {
  return n >= MIN_WINDOWS
    ? `interval from ${n} one-second windows, not repeats`
    : `no interval: ${n} one-second window${n === 1 ? '' : 's'}, at least ${MIN_WINDOWS} needed (a longer step or --repeat gives one)`;
}

export function windowIntervals(row: CompareRow, randomFor: RandomFor): WindowIntervals {
  const n = row.windows?.length ?? 0;
  const out: WindowIntervals = { from: 'windows', windows: n, note: windowsNote(n) };
  if (!hasWindows(row)) return out;
  const metrics: Record<string, Interval> = {};
  for (const def of metricDefs([row])) {
    if (!def.windowValue) continue;
    metrics[def.name] = windowInterval(def, row, randomFor(`${def.name}|${def.value(row)}|windows`));
  }
  return { ...out, metrics };
}
