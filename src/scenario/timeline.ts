// A step's per-second time series, recorded from what the runner already sees
// live: the load coordinator's snapshots (calls, status codes, latency window)
// and the polled sidecar counters. One sample when a snapshot first crosses each
// whole second, one for the end; a sample holds the increments since the previous
// one. At the end the remainder up to the step's final totals (late mesh polls,
// the last responses) goes into the last sample, so every series sums to the
// step's totals.

import type { LatencySummary, LoadSnapshot } from '../load/types.js';

/** The destination counters drawn over time (Envoy short names; see KEY_COUNTERS). */
export const TIMELINE_COUNTERS = [
  'upstream_rq_pending_overflow',
  'upstream_rq_retry',
  'upstream_rq_timeout',
  'upstream_rq_per_try_timeout',
  'outlier_detection.ejections_enforced_total',
] as const;

export interface TimelineSample {
  /** Seconds since the step's timed load started, at the end of this sample. */
  t: number;
  /** Calls completed in this sample. */
  calls: number;
  /** calls / sample length (s). */
  qps: number;
  /** Status code ("-1" = socket error) -> responses in this sample; zeros dropped. */
  codes: Record<string, number>;
  /** Service time (ms) of the newest snapshot window before the sample; absent when no call completed in it. */
  p50?: number;
  p99?: number;
  /** Slowest service time (ms) of any snapshot window in this sample. */
  max?: number;
  /**
   * Service time (ms) over the whole sample: each percentile as the call-weighted
   * mean of the snapshot windows' percentiles in it (windows cannot be merged
   * exactly without their histograms). What N=1 intervals resample (window-intervals.ts).
   */
  latency?: { p50: number; p90: number; p99: number; p999: number };
  /** TIMELINE_COUNTERS increments in this sample (destination clusters); zeros dropped. */
  counters: Record<string, number>;
  /** "httpbin v1" -> requests served in this sample (as StepOutcome.perVersion); zeros dropped. */
  perVersion: Record<string, number>;
}

/** Cumulative values since the step started, as a tick sees them. */
export interface TimelineTotals {
  calls: number;
  codes: Record<string, number>;
  counters: Record<string, number>;
  perVersion: Record<string, number>;
}

function diff(now: Record<string, number>, before: Record<string, number>, keys?: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys ?? Object.keys(now)) {
    const d = (now[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

export class TimelineRecorder {
  readonly samples: TimelineSample[] = [];
  private prev: TimelineTotals = { calls: 0, codes: {}, counters: {}, perVersion: {} };
  private prevT = 0;
  private last?: { t: number; totals: TimelineTotals; window: LatencySummary };
  private windowMax = 0;
  /** Call-weighted sums of the snapshot windows' percentiles since the last sample. */
  private lat = { calls: 0, p50: 0, p90: 0, p99: 0, p999: 0 };

  /** Every live tick: the load snapshot and the cumulative mesh view it was paired with. */
  tick(load: LoadSnapshot, totals: Omit<TimelineTotals, 'calls' | 'codes'>): void {
    const t = load.elapsedMs / 1000;
    const w = load.window;
    if (w.count > 0) {
      this.windowMax = Math.max(this.windowMax, w.max);
      this.lat.calls += w.count;
      this.lat.p50 += w.count * w.p50;
      this.lat.p90 += w.count * w.p90;
      this.lat.p99 += w.count * w.p99;
      this.lat.p999 += w.count * w.p999;
    }
    this.last = { t, totals: { calls: load.calls, codes: load.codes, ...totals }, window: load.window };
    if (Math.floor(t) > Math.floor(this.prevT) && t > 0) this.cut();
  }

  /** Closes the series at the step's final totals (the last sample absorbs what the ticks had not seen yet). */
  finish(final: TimelineTotals, elapsedS: number): TimelineSample[] {
    const t = Math.max(elapsedS, this.last?.t ?? 0);
    const rest = this.delta(final);
    const any = rest.calls !== 0 || [rest.codes, rest.counters, rest.perVersion].some((m) => Object.keys(m).length > 0);
    const pending = this.last !== undefined && this.last.t > this.prevT; // ticks since the last sample
    const tail = this.samples[this.samples.length - 1];
    if (pending || !tail || (any && t - this.prevT >= 0.5)) {
      const window = pending ? this.last!.window : undefined;
      this.push(t, rest, window);
    } else if (any) {
      tail.calls += rest.calls;
      add(tail.codes, rest.codes);
      add(tail.counters, rest.counters);
      add(tail.perVersion, rest.perVersion);
      const len = tail.t - (this.samples.length > 1 ? this.samples[this.samples.length - 2].t : 0);
      tail.qps = round3(len > 0 ? tail.calls / len : 0);
    }
    this.prev = final;
    return this.samples;
  }

  private delta(now: TimelineTotals): Omit<TimelineSample, 't' | 'qps'> {
    return {
      calls: now.calls - this.prev.calls,
      codes: diff(now.codes, this.prev.codes),
      counters: diff(now.counters, this.prev.counters, TIMELINE_COUNTERS),
      perVersion: diff(now.perVersion, this.prev.perVersion),
    };
  }

  private cut(): void {
    const last = this.last!;
    this.push(last.t, this.delta(last.totals), last.window);
    this.prev = last.totals;
  }

  private push(t: number, d: Omit<TimelineSample, 't' | 'qps'>, window: LatencySummary | undefined): void {
    const len = t - this.prevT;
    const s: TimelineSample = { t: round3(t), ...d, qps: round3(len > 0 ? d.calls / len : 0) };
    if (window && window.count > 0) {
      s.p50 = window.p50;
      s.p99 = window.p99;
      s.max = this.windowMax;
    }
    const l = this.lat;
    if (l.calls > 0) s.latency = { p50: round3(l.p50 / l.calls), p90: round3(l.p90 / l.calls), p99: round3(l.p99 / l.calls), p999: round3(l.p999 / l.calls) };
    this.samples.push(s);
    this.prevT = t;
    this.windowMax = 0;
    this.lat = { calls: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
  }
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) {
    const s = (into[k] ?? 0) + v;
    if (s === 0) delete into[k];
    else into[k] = s;
  }
}
