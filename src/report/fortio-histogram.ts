// fortio's fixed-bucket histogram (fortio stats/stats.go), reproduced so that
// `bench load` prints the same rows, percent and `# target` values as fortio.
// Buckets are right-closed intervals over (v - offset) / divider; bucket 0
// holds everything <= 0 and the last one everything above 100000.
import type { FortioHistogramData } from '../load/types.js';

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
const LAST_VALUE = FORTIO_BUCKET_BOUNDS[NUM_VALUES - 1]!;
const MAX_ARRAY_VALUE = 1000;
const MAX_ARRAY_VALUE_INDEX = FORTIO_BUCKET_BOUNDS.indexOf(MAX_ARRAY_VALUE);

// Constant-time lookup below 1000 (as fortio's val2Bucket): index of the first
// bound strictly greater than the integer part.
const VAL2BUCKET = new Uint8Array(MAX_ARRAY_VALUE);
{
  let idx = 0;
  for (let i = 0; i < MAX_ARRAY_VALUE; i++) {
    if (i >= FORTIO_BUCKET_BOUNDS[idx]!) idx++;
    VAL2BUCKET[i] = idx;
  }
}

function lookUpIdx(svInt: number): number {
  if (svInt < MAX_ARRAY_VALUE) return VAL2BUCKET[svInt]!;
  for (let i = MAX_ARRAY_VALUE_INDEX; i < NUM_VALUES; i++) {
    if (FORTIO_BUCKET_BOUNDS[i]! > svInt) return i;
  }
  return NUM_VALUES; // unreachable: values above LAST_VALUE are handled by the caller
}

/** Plain data form, safe to postMessage between threads. */
export interface FortioHistogramState {
  count: number;
  min: number;
  max: number;
  sum: number;
  sumSq: number;
  buckets: number[];
}

export class FortioHistogram {
  readonly offset: number;
  readonly divider: number;
  count = 0;
  min = 0;
  max = 0;
  sum = 0;
  sumSq = 0;
  private readonly hdata = new Float64Array(FORTIO_NUM_BUCKETS);

  /** fortio NewHistogram(offset, divider). */
  constructor(offset = 0, divider = 1) {
    if (!(divider > 0) || !Number.isFinite(divider)) throw new RangeError(`histogram divider must be > 0, got ${divider}`);
    this.offset = offset;
    this.divider = divider;
  }

  record(v: number): void {
    // Counter.RecordN(v, 1)
    if (this.count === 0) {
      this.min = v;
      this.max = v;
    } else if (v < this.min) {
      this.min = v;
    } else if (v > this.max) {
      this.max = v;
    }
    this.count++;
    this.sum += v;
    this.sumSq += v * v;
    this.hdata[this.bucketIndex(v)]!++;
  }

  /** Bucket index for v; fortio's epsilon rule makes the intervals right-closed. */
  bucketIndex(v: number): number {
    const scaled = (v - this.offset) / this.divider;
    if (!(scaled > 0)) return 0; // also NaN
    if (scaled > LAST_VALUE) return NUM_VALUES;
    let svInt = Math.trunc(scaled);
    if (scaled - svInt < 1e-12) svInt--;
    // fortio would index -1 here (a value within 1e-12 of 0); it belongs with the zeros.
    if (svInt < 0) return 0;
    return lookUpIdx(svInt);
  }

  /** Exact merge (same offset/divider assumed, as for clones of one template in fortio). */
  mergeState(s: FortioHistogramState): void {
    if (s.count === 0) return;
    if (this.count === 0) {
      this.min = s.min;
      this.max = s.max;
    } else {
      if (s.min < this.min) this.min = s.min;
      if (s.max > this.max) this.max = s.max;
    }
    this.count += s.count;
    this.sum += s.sum;
    this.sumSq += s.sumSq;
    const n = Math.min(s.buckets.length, FORTIO_NUM_BUCKETS);
    for (let i = 0; i < n; i++) this.hdata[i]! += s.buckets[i]!;
  }

  toState(): FortioHistogramState {
    return { count: this.count, min: this.min, max: this.max, sum: this.sum, sumSq: this.sumSq, buckets: Array.from(this.hdata) };
  }

  reset(): void {
    this.count = 0;
    this.min = 0;
    this.max = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.hdata.fill(0);
  }

  static fromState(s: FortioHistogramState, offset = 0, divider = 1): FortioHistogram {
    const h = new FortioHistogram(offset, divider);
    h.mergeState(s);
    return h;
  }

  avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Population standard deviation, as fortio's Counter.StdDev (negative rounding → 0). */
  stdDev(): number {
    if (this.count === 0) return 0;
    const sigma = (this.sumSq - (this.sum * this.sum) / this.count) / this.count;
    return sigma < 0 ? 0 : Math.sqrt(sigma);
  }

  /** fortio Export() + CalcPercentiles(percentiles). */
  export(percentiles: number[]): FortioHistogramData {
    const res: FortioHistogramData = {
      Count: this.count,
      Min: this.min,
      Max: this.max,
      Sum: this.sum,
      Avg: this.avg(),
      StdDev: this.stdDev(),
      Data: [],
    };
    let lastIdx = -1;
    for (let i = FORTIO_NUM_BUCKETS - 1; i >= 0; i--) {
      if (this.hdata[i]! > 0) {
        lastIdx = i;
        break;
      }
    }
    if (lastIdx === -1) return res;
    let prev = FORTIO_BUCKET_BOUNDS[0]!;
    let total = 0;
    for (let i = 0; i <= lastIdx; i++) {
      const c = this.hdata[i]!;
      if (c === 0) {
        if (i < NUM_VALUES) prev = FORTIO_BUCKET_BOUNDS[i]!;
        continue;
      }
      total += c;
      const start = res.Data.length === 0 ? this.min : this.divider * prev + this.offset;
      let end: number;
      if (i < NUM_VALUES) {
        const cur = FORTIO_BUCKET_BOUNDS[i]!;
        end = this.divider * cur + this.offset;
        prev = cur;
      } else {
        end = this.max;
      }
      res.Data.push({ Start: start, End: end, Percent: (100 * total) / this.count, Count: c });
    }
    res.Data[res.Data.length - 1]!.End = this.max;
    if (this.count > 0 && percentiles.length > 0) {
      res.Percentiles = percentiles.map((p) => ({ Percentile: p, Value: calcPercentile(res, p) }));
    }
    return res;
  }
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
