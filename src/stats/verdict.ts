// The verdict on one metric of a variant against its baseline, from the
// interval of the difference (candidate − baseline):
//  - the whole interval on the good side of zero: "better"; on the bad side: "worse";
//  - zero inside the interval: no significant difference ("same"), unless the
//    interval also reaches a change of `conclusiveWithin` either way, in which
//    case the spread is too large to conclude anything ("inconclusive").
// Which side is good depends on the metric: qps up is good, latency up is bad.

import { bootstrapMean, bootstrapMeanDiff, type BootstrapOptions, type Interval, type Random } from './bootstrap.js';

export type Verdict = 'better' | 'worse' | 'same' | 'inconclusive';

/** up: a larger value is better (qps); down: smaller is better (latency, errors); none: a change is just a change. */
export type Direction = 'up' | 'down' | 'none';

export function verdictOf(diff: Interval, direction: Direction, conclusiveWithin: number): Verdict {
  if (diff.lo > 0 || diff.hi < 0) {
    if (direction === 'none') return diff.lo > 0 ? 'worse' : 'better'; // caller shows it as a change
    const up = diff.lo > 0;
    return up === (direction === 'up') ? 'better' : 'worse';
  }
  return Math.max(-diff.lo, diff.hi) > conclusiveWithin ? 'inconclusive' : 'same';
}

export interface MetricComparison {
  /** Central value (mean over repeats) and its interval, per side. */
  base: Interval;
  cand: Interval;
  /** Candidate − baseline; undefined with a single run on either side (no spread to bootstrap). */
  diff: Interval;
  /** Whether `diff` came from repeats (false: one run per side, the point difference only). */
  hasInterval: boolean;
  verdict: Verdict;
}

/**
 * Compare the per-repeat values of one metric. With one value on either side
 * there is no spread to resample: the difference is a point, `hasInterval` is
 * false and the verdict is "inconclusive" unless the values are equal.
 */
export function compareSamples(
  base: readonly number[],
  cand: readonly number[],
  random: Random,
  direction: Direction,
  conclusiveWithin: number,
  opts: BootstrapOptions = {},
): MetricComparison {
  const b = bootstrapMean(base, random, opts);
  const c = bootstrapMean(cand, random, opts);
  if (base.length < 2 || cand.length < 2) {
    const d = c.estimate - b.estimate;
    return { base: b, cand: c, diff: { estimate: d, lo: d, hi: d }, hasInterval: false, verdict: d === 0 ? 'same' : 'inconclusive' };
  }
  const diff = bootstrapMeanDiff(base, cand, random, opts);
  return { base: b, cand: c, diff, hasInterval: true, verdict: verdictOf(diff, direction, conclusiveWithin) };
}
