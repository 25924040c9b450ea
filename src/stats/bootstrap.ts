// Percentile bootstrap for small samples of repeated runs (criterion.rs and
// hyperfine use the same idea): resample each group with replacement, take the
// statistic of every resample, and read the 2.5th and 97.5th percentiles of
// those statistics as the 95 % interval. Pure: the RNG is injected, so a fixed
// seed gives the same interval every time.

/** Floats in [0, 1), e.g. src/mesh/random.ts createRandom(seed). */
export type Random = () => number;

/** Random streams by key: the same key always gets the same draws. */
export type RandomFor = (key: string) => Random;

/**
 * A 32-bit seed for one stream: FNV-1a of the key, mixed with the run's seed.
 * Keyed by the data compared, the table and the gate draw the same resamples
 * for the same samples, so they print the same interval.
 */
export function streamSeed(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface Interval {
  /** The statistic of the samples themselves (not of the resamples). */
  estimate: number;
  lo: number;
  hi: number;
}

/** Resamples per interval: enough for stable 2.5/97.5 percentiles, cheap for a few repeats. */
export const DEFAULT_RESAMPLES = 2000;

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('mean of no samples');
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Linear interpolation between closest ranks (numpy's default); `sorted` ascending, q in [0, 1]. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no samples');
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < sorted.length ? sorted[i]! + frac * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

function resampleMean(xs: readonly number[], random: Random): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[Math.floor(random() * xs.length)]!;
  return s / xs.length;
}

function percentileInterval(estimate: number, stats: number[], level: number): Interval {
  stats.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { estimate, lo: quantile(stats, tail), hi: quantile(stats, 1 - tail) };
}

export interface BootstrapOptions {
  resamples?: number;
  /** Confidence level, default 0.95. */
  level?: number;
}

/** 95 % interval of the mean of one group. */
export function bootstrapMean(xs: readonly number[], random: Random, opts: BootstrapOptions = {}): Interval {
  const n = opts.resamples ?? DEFAULT_RESAMPLES;
  const stats = new Array<number>(n);
  for (let i = 0; i < n; i++) stats[i] = resampleMean(xs, random);
  return percentileInterval(mean(xs), stats, opts.level ?? 0.95);
}

/** 95 % interval of mean(candidate) − mean(baseline), each group resampled on its own. */
export function bootstrapMeanDiff(base: readonly number[], cand: readonly number[], random: Random, opts: BootstrapOptions = {}): Interval {
  const n = opts.resamples ?? DEFAULT_RESAMPLES;
  const stats = new Array<number>(n);
  for (let i = 0; i < n; i++) stats[i] = resampleMean(cand, random) - resampleMean(base, random);
  return percentileInterval(mean(cand) - mean(base), stats, opts.level ?? 0.95);
}
