// A step's time series, recorded from what the runner already sees live: the
// load coordinator's snapshots (calls, status codes, latency window) and the
// polled sidecar counters. One sample when a snapshot first crosses each bucket
// boundary (whole seconds; 100 ms for short steps, see timelineBucket), one for
// the end; a sample holds the increments since the previous one. At the end the remainder up to the step's final totals (late mesh polls,
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

/** Fine buckets (100 ms) for steps shorter than this; a count step that runs longer is coarsened to seconds at the end. */
export const FINE_TIMELINE_UNDER_S = 5;
export const FINE_BUCKET_S = 0.1;

/**
 * The sample length for a step: 100 ms when it is timed and short, or bound by a
 * count (its length is unknown until it ends), so a half-second step still draws
 * a curve; whole seconds otherwise.
 */
export function timelineBucket(step: { exactly: number; durationMs: number }): number {
  return step.exactly > 0 || step.durationMs < FINE_TIMELINE_UNDER_S * 1000 ? FINE_BUCKET_S : 1;
}

export class TimelineRecorder {
  readonly samples: TimelineSample[] = [];
  private prev: TimelineTotals = { calls: 0, codes: {}, counters: {}, perVersion: {} };
  private prevT = 0;
  private last?: { t: number; totals: TimelineTotals; window: LatencySummary };
  private windowMax = 0;
  /** Call-weighted percentiles of the snapshot windows since the last sample. */
  private lat = new WeightedLatency();

  /** `bucketS`: sample length in seconds (1, or FINE_BUCKET_S for short steps). */
  constructor(private readonly bucketS = 1) {}

  /** Which bucket a time falls in (the float error of t / 0.1 must not split a bucket). */
  private bucket(t: number): number {
    return Math.floor(t / this.bucketS + 1e-9);
  }

  /** Every live tick: the load snapshot and the cumulative mesh view it was paired with. */
  tick(load: LoadSnapshot, totals: Omit<TimelineTotals, 'calls' | 'codes'>): void {
    const t = load.elapsedMs / 1000;
    const w = load.window;
    if (w.count > 0) {
      this.windowMax = Math.max(this.windowMax, w.max);
      this.lat.add(w.count, w);
    }
    this.last = { t, totals: { calls: load.calls, codes: load.codes, ...totals }, window: load.window };
    if (this.bucket(t) > this.bucket(this.prevT) && t > 0) this.cut();
  }

  /** Closes the series at the step's final totals (the last sample absorbs what the ticks had not seen yet). */
  finish(final: TimelineTotals, elapsedS: number): TimelineSample[] {
    const t = Math.max(elapsedS, this.last?.t ?? 0);
    const rest = this.delta(final);
    const any = rest.calls !== 0 || [rest.codes, rest.counters, rest.perVersion].some((m) => Object.keys(m).length > 0);
    const pending = this.last !== undefined && this.last.t > this.prevT; // ticks since the last sample
    const tail = this.samples[this.samples.length - 1];
    if (pending || !tail || (any && t - this.prevT >= this.bucketS / 2)) {
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
    // Fine buckets were for a short step: one that ran long reads better per second.
    return this.bucketS < 1 && t >= FINE_TIMELINE_UNDER_S ? perSecond(this.samples) : this.samples;
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
    // The length as the file shows it (t to the ms): a reader's calls / (t - previous t) gives qps back.
    const len = round3(t) - round3(this.prevT);
    const s: TimelineSample = { t: round3(t), ...d, qps: round3(len > 0 ? d.calls / len : 0) };
    if (window && window.count > 0) {
      s.p50 = window.p50;
      s.p99 = window.p99;
      s.max = this.windowMax;
    }
    const latency = this.lat.take();
    if (latency) s.latency = latency;
    this.samples.push(s);
    this.prevT = t;
    this.windowMax = 0;
  }
}

type Percentiles = NonNullable<TimelineSample['latency']>;

/**
 * Call-weighted means of windows' percentiles (an approximation: percentiles of
 * separate windows cannot be merged exactly without their histograms).
 */
class WeightedLatency {
  #calls = 0;
  #sum: Percentiles = { p50: 0, p90: 0, p99: 0, p999: 0 };

  add(calls: number, p: Percentiles): void {
    if (calls <= 0) return;
    this.#calls += calls;
    this.#sum.p50 += calls * p.p50;
    this.#sum.p90 += calls * p.p90;
    this.#sum.p99 += calls * p.p99;
    this.#sum.p999 += calls * p.p999;
  }

  /** The means since the last take (undefined when no call was added), and a fresh start. */
  take(): Percentiles | undefined {
    const n = this.#calls;
    const s = this.#sum;
    this.#calls = 0;
    this.#sum = { p50: 0, p90: 0, p99: 0, p999: 0 };
    return n > 0 ? { p50: round3(s.p50 / n), p90: round3(s.p90 / n), p99: round3(s.p99 / n), p999: round3(s.p999 / n) } : undefined;
  }
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) {
    const s = (into[k] ?? 0) + v;
    if (s === 0) delete into[k];
    else into[k] = s;
  }
}

/** Merges fine samples into whole seconds, cutting where the recorder would have: at the first sample past each second. */
export function perSecond(samples: readonly TimelineSample[]): TimelineSample[] {
  const out: TimelineSample[] = [];
  let cur: TimelineSample | undefined;
  let start = 0;
  const lat = new WeightedLatency();
  for (const s of samples) {
    if (!cur) cur = { t: s.t, calls: 0, qps: 0, codes: {}, counters: {}, perVersion: {} };
    cur.t = s.t;
    cur.calls += s.calls;
    add(cur.codes, s.codes);
    add(cur.counters, s.counters);
    add(cur.perVersion, s.perVersion);
    if (s.p50 !== undefined) {
      cur.p50 = s.p50;
      cur.p99 = s.p99;
    }
    if (s.max !== undefined) cur.max = Math.max(cur.max ?? 0, s.max);
    if (s.latency) lat.add(s.calls, s.latency);
    if (Math.floor(s.t) > Math.floor(start) || s === samples[samples.length - 1]) {
      cur.qps = round3(s.t > start ? cur.calls / (s.t - start) : 0);
      // Call-weighted, as the recorder weighs its snapshot windows within a second.
      const latency = lat.take();
      if (latency) cur.latency = latency;
      out.push(cur);
      start = s.t;
      cur = undefined;
    }
  }
  return out;
}
