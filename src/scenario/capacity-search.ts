// Capacity search (Nighthawk's adaptive load controller, reduced to its core):
// find the highest fixed qps a variant sustains within an SLO. Ramp: double the
// rate from startQps until a probe breaks the SLO (or maxQps is reached; halve
// instead while nothing has passed, down to startQps/8); bisect
// between the highest sustained rate and the lowest broken one until they are
// within `precision`; confirm: probe the answer once more. A confirmation that
// fails turns that rate into a broken one and the bisection goes on below it.
// Pure: the next probe is a function of the search's settings and the probes so
// far, so the whole decision is testable on synthetic outcomes.

import type { LatencySummary } from '../load/types.js';
import { PERCENTILES, type SearchSlo, type SearchSpec } from './model.js';

export type ProbePhase = 'ramp' | 'bisect' | 'confirm';

/** A probe's measured outcome, as the SLO judges it. */
export interface ProbeMeasure {
  /** Requested qps. */
  qps: number;
  connections: number;
  achievedQps: number;
  calls: number;
  /** Calls with a non-2xx status or a socket error. */
  errors: number;
  /** Service time (ms). */
  serviceTime: Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'p999'>;
}

export interface Probe extends ProbeMeasure {
  phase: ProbePhase;
  /** Met the SLO at (nearly) the requested rate. */
  pass: boolean;
  /** Achieved qps fell short of the requested rate by more than CLIENT_LIMIT_MARGIN. */
  clientLimited: boolean;
  /** Why it failed, e.g. `p99 61.2 ms >= 50 ms`; empty when it passed. */
  reason: string;
}

export type SearchDecision =
  | { kind: 'probe'; qps: number; phase: ProbePhase }
  | {
      kind: 'done';
      /** Highest rate that passed every probe at it (0: not even the first). */
      maxQps: number;
      /** [highest sustained, lowest broken]: the answer lies in between (hi = maxQps bound when nothing broke). */
      interval: [number, number];
      /** The answer was probed twice and passed both times. */
      confirmed: boolean;
      /** Why the search stopped. */
      note: string;
    };

/** A search step's answer (StepOutcome.search, the JSON's `variants[].steps[].search`). */
export interface SearchResult {
  maxQps: number;
  interval: [number, number];
  confirmed: boolean;
  /** Some probe could not deliver its rate (the numbers near it say more about the client than the target). */
  clientLimited: boolean;
  note: string;
  slo: SearchSlo;
  probes: Probe[];
}

/** Search defaults (docs/scenario-format.md): a full search is at most 12 probes of 2 s. */
export const SEARCH_DEFAULTS = {
  startQps: 10,
  maxQps: 5000,
  probeMs: 2000,
  maxProbes: 12,
  precision: 0.1,
  maxConnections: 256,
} as const;

/** Achieved below (1 - margin) × requested: the rate was not delivered, so the probe cannot pass. */
export const CLIENT_LIMIT_MARGIN = 0.1;

/**
 * Client connections for a probe at `qps`: each connection sends its share of
 * the rate one call at a time, so it keeps up only while qps/c × latency < 1.
 * The expected latency is twice the slowest median of the probes that passed
 * (at least 10 ms, at most the SLO's latency bound); before any passed, the
 * SLO's bound (else 100 ms). c = 2 × qps × that leaves the client headroom
 * without opening far more connections than needed (each fortio connection
 * starts with a warm-up call, all at once: a crowd of them is a burst the
 * target would have to absorb). A probe that still cannot deliver its rate
 * fails as "client-limited".
 */
export function probeConnections(qps: number, spec: Pick<SearchSpec, 'slo' | 'maxConnections'>, seen: readonly Probe[]): number {
  const bounds = Object.values(spec.slo.latencyLessThanMs);
  const bound = bounds.length ? Math.max(...bounds) : 100;
  const passed = seen.filter((p) => p.pass);
  const expectedMs = passed.length ? Math.min(bound, Math.max(10, ...passed.map((p) => 2 * p.serviceTime.p50))) : bound;
  return Math.max(1, Math.min(spec.maxConnections, Math.ceil((2 * qps * expectedMs) / 1000)));
}

/** Judges one probe against the SLO. */
export function judgeProbe(m: ProbeMeasure, phase: ProbePhase, slo: SearchSlo): Probe {
  const reasons: string[] = [];
  const clientLimited = m.achievedQps < (1 - CLIENT_LIMIT_MARGIN) * m.qps;
  if (m.calls === 0) reasons.push('no call completed');
  for (const p of PERCENTILES) {
    const limit = slo.latencyLessThanMs[p];
    if (limit !== undefined && !(m.serviceTime[p] < limit)) reasons.push(`${p === 'p999' ? 'p99.9' : p} ${round(m.serviceTime[p])} ms >= ${limit} ms`);
  }
  const share = m.calls ? m.errors / m.calls : 0;
  if (slo.errorShareAtMost !== undefined && share > slo.errorShareAtMost) reasons.push(`error share ${round(share)} > ${slo.errorShareAtMost}`);
  if (clientLimited) reasons.push(`client-limited: achieved ${round(m.achievedQps)} of ${m.qps} qps with ${m.connections} connections`);
  return { ...m, phase, pass: reasons.length === 0, clientLimited, reason: reasons.join('; ') };
}

/** The next probe, or the answer. */
export function nextProbe(spec: Pick<SearchSpec, 'startQps' | 'maxQps' | 'maxProbes' | 'precision'>, probes: readonly Pick<Probe, 'qps' | 'pass'>[]): SearchDecision {
  if (probes.length === 0) return { kind: 'probe', qps: Math.min(spec.startQps, spec.maxQps), phase: 'ramp' };
  // A rate is sustained only if every probe at it passed.
  const broken = probes.filter((p) => !p.pass).map((p) => p.qps);
  const hi = broken.length ? Math.min(...broken) : undefined;
  const sustained = probes.filter((p) => p.pass && (hi === undefined || p.qps < hi) && !broken.includes(p.qps)).map((p) => p.qps);
  const lo = sustained.length ? Math.max(...sustained) : 0;
  const timesAt = (q: number) => probes.filter((p) => p.qps === q).length;
  const done = (note: string): SearchDecision => ({
    kind: 'done',
    maxQps: lo,
    interval: [lo, hi ?? spec.maxQps],
    confirmed: lo > 0 && timesAt(lo) >= 2,
    note,
  });
  const out = probes.length >= spec.maxProbes;
  if (lo === 0 && hi !== undefined && hi <= Math.min(spec.startQps, spec.maxQps)) {
    // Nothing sustained yet: halve (a busy moment at the start should not end the
    // search), down to an eighth of startQps.
    const lower = roundRate(hi / 2);
    if (hi > spec.startQps / 8 && lower < hi && !out) return { kind: 'probe', qps: lower, phase: 'ramp' };
    return done(`${hi} qps already breaks the SLO: lower startQps`);
  }
  if (hi === undefined) {
    if (lo >= spec.maxQps) return timesAt(lo) >= 2 || out ? done(`sustained the maxQps bound (${spec.maxQps}); raise it to search further`) : { kind: 'probe', qps: lo, phase: 'confirm' };
    if (out) return done(`probe budget (maxProbes ${spec.maxProbes}) used up while ramping`);
    return { kind: 'probe', qps: Math.min(2 * lo, spec.maxQps), phase: 'ramp' };
  }
  if (out) return done(`probe budget (maxProbes ${spec.maxProbes}) used up`);
  if (lo === 0 || (hi - lo) / lo > spec.precision) {
    const mid = roundRate((lo + hi) / 2);
    // Rounding can land on a bound when they are close: the bracket is as narrow as rates go.
    if (mid > lo && mid < hi) return { kind: 'probe', qps: mid, phase: 'bisect' };
  }
  if (lo === 0) return done('no rate sustained');
  if (timesAt(lo) >= 2) return done(`within ${Math.round(spec.precision * 100)}% and confirmed`);
  return { kind: 'probe', qps: lo, phase: 'confirm' };
}

/** Rates as people write them: 3 significant digits (1234.5 -> 1230), at least 1. */
export function roundRate(q: number): number {
  if (q < 1) return 1;
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(q)) - 2);
  return Math.round(q / mag) * mag;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
