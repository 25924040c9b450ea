// fortio's fixed-bucket histogram (fortio stats/stats.go) as fortio reports it:
// the bucket bounds, the plain state a run hands over, and Export() +
// CalcPercentile, so `bench load` prints the same rows, percent and `# target`
// values as fortio. Recording and merging live in src/load/fortio-histogram.ts.

/** Upper bounds of the buckets, in units of the divider (fortio histogramBucketValues). */
export const FORTIO_BUCKET_BOUNDS: readonly number[] = Object.freeze([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  12, 14, 16, 18, 20,
  25, 30, 35, 40, 45, 50,
  60, 70, 80, 90, 100,
  120, 140, 160, 180, 200,
  250, 300, 350, 400, 450, 500,
  600, 700, 800, 900, 1000,
  2000, 3000, 4000, 5000, 7500, 10000,
  20000, 30000, 40000, 50000, 75000, 100000,
]);

const NUM_VALUES = FORTIO_BUCKET_BOUNDS.length;
/** One extra bucket for values above the last bound. */
export const FORTIO_NUM_BUCKETS = NUM_VALUES + 1;

/**
 * A histogram as plain data (safe to postMessage): its scale — bucket i holds
 * values v with (v - offset) / divider in (bound[i-1], bound[i]] — and counts.
 */
export interface FortioHistogramState {
  offset: number;
  divider: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  sumSq: number;
  buckets: number[];
}

/** fortio HistogramData (peers.md §2.3). */
export interface FortioHistogramData {
  Count: number;
  Min: number;
  Max: number;
  Sum: number;
  Avg: number;
  StdDev: number;
  Data: Array<{ Start: number; End: number; Percent: number; Count: number }>;
  Percentiles?: Array<{ Percentile: number; Value: number }>;
}

/** Population standard deviation, as fortio's Counter.StdDev (negative rounding → 0). */
function stdDev(s: FortioHistogramState): number {
  if (s.count === 0) return 0;
  const sigma = (s.sumSq - (s.sum * s.sum) / s.count) / s.count;
  return sigma < 0 ? 0 : Math.sqrt(sigma);
}

/** fortio Export() + CalcPercentiles(percentiles). */
export function exportFortioHistogram(s: FortioHistogramState, percentiles: number[]): FortioHistogramData {
  const res: FortioHistogramData = {
    Count: s.count,
    Min: s.min,
    Max: s.max,
    Sum: s.sum,
    Avg: s.count === 0 ? 0 : s.sum / s.count,
    StdDev: stdDev(s),
    Data: [],
  };
  let lastIdx = -1;
  for (let i = Math.min(s.buckets.length, FORTIO_NUM_BUCKETS) - 1; i >= 0; i--) {
    if (s.buckets[i]! > 0) {
      lastIdx = i;
      break;
    }
  }
  if (lastIdx === -1) return res;
  let prev = FORTIO_BUCKET_BOUNDS[0]!;
  let total = 0;
  for (let i = 0; i <= lastIdx; i++) {
    const c = s.buckets[i]!;
    if (c === 0) {
      if (i < NUM_VALUES) prev = FORTIO_BUCKET_BOUNDS[i]!;
      continue;
    }
    total += c;
    const start = res.Data.length === 0 ? s.min : s.divider * prev + s.offset;
    let end: number;
    if (i < NUM_VALUES) {
      const cur = FORTIO_BUCKET_BOUNDS[i]!;
      end = s.divider * cur + s.offset;
      prev = cur;
    } else {
      end = s.max;
    }
    res.Data.push({ Start: start, End: end, Percent: (100 * total) / s.count, Count: c });
  }
  res.Data[res.Data.length - 1]!.End = s.max;
  if (s.count > 0 && percentiles.length > 0) {
    res.Percentiles = percentiles.map((p) => ({ Percentile: p, Value: calcPercentile(res, p) }));
  }
  return res;
}

/**
 * fortio HistogramData.CalcPercentile: >= 100 → Max; <= 100/n → Min; else linear
 * interpolation inside the first row whose cumulative percent reaches p, anchored
 * at the previous row's percent (initially 100/n).
 */
export function calcPercentile(d: FortioHistogramData, percentile: number): number {
  if (d.Data.length === 0) return 0;
  if (percentile >= 100) return d.Max;
  let pp = 100 / d.Count;
  if (percentile <= pp) return d.Min;
  for (const cur of d.Data) {
    if (percentile <= cur.Percent) return cur.Start + ((percentile - pp) / (cur.Percent - pp)) * (cur.End - cur.Start);
    pp = cur.Percent;
  }
  return d.Max;
}
