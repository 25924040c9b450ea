// Recording and merging fortio's fixed-bucket histograms (fortio stats/stats.go
// Counter.Record, Histogram.Transfer): one set per worker, posted as plain
// states every interval and merged exactly in the coordinator. How a state is
// reported (rows, percentiles) is src/report/fortio-histogram.ts.
import { FORTIO_BUCKET_BOUNDS, FORTIO_NUM_BUCKETS, type FortioHistogramState } from '../report/fortio-histogram.js';
import type { LoadOptions } from './types.js';

const NUM_VALUES = FORTIO_BUCKET_BOUNDS.length;
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

export class FortioHistogram {
  count = 0;
  min = 0;
  max = 0;
  sum = 0;
  sumSq = 0;
  private readonly hdata = new Float64Array(FORTIO_NUM_BUCKETS);

  /** fortio NewHistogram(offset, divider). */
  constructor(
    readonly offset = 0,
    readonly divider = 1,
  ) {
    if (!(divider > 0) || !Number.isFinite(divider)) throw new RangeError(`histogram divider must be > 0, got ${divider}`);
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

  /** Exact merge of a state of the same scale (clones of one template, as in fortio). */
  mergeState(s: FortioHistogramState): void {
    if (s.offset !== this.offset || s.divider !== this.divider) {
      throw new RangeError(`cannot merge a histogram of scale ${s.offset}/${s.divider} into ${this.offset}/${this.divider}`);
    }
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
    const { offset, divider, count, min, max, sum, sumSq } = this;
    return { offset, divider, count, min, max, sum, sumSq, buckets: Array.from(this.hdata) };
  }

  reset(): void {
    this.count = 0;
    this.min = 0;
    this.max = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.hdata.fill(0);
  }
}

export interface HistogramScale {
  offset: number;
  divider: number;
}

/** Offsets/dividers fortio uses for each histogram of an HTTP run. */
export function fortioHistogramScales(o: Pick<LoadOptions, 'offsetMs' | 'resolution'>): Record<keyof FortioRunHistogramStates, HistogramScale> {
  const time = { offset: o.offsetMs / 1000, divider: o.resolution };
  return {
    duration: time,
    errors: time,
    connectionTimes: time,
    sizes: { offset: 0, divider: 100 },
    headerSizes: { offset: 0, divider: 5 },
    // Behind-schedule (negative) sleeps land in bucket 0.
    sleepTimes: { offset: -0.001, divider: 0.001 },
  };
}

/** The six histograms of a fortio run as plain states (what a load worker posts). */
export interface FortioRunHistogramStates {
  duration: FortioHistogramState;
  errors: FortioHistogramState;
  connectionTimes: FortioHistogramState;
  sizes: FortioHistogramState;
  headerSizes: FortioHistogramState;
  sleepTimes: FortioHistogramState;
}

/**
 * The six histograms of a fortio run with fortio's scales: one set per worker
 * (recorded, posted as states, reset each interval) and one in the coordinator
 * (merging those states).
 */
export class FortioRunHistograms {
  readonly duration: FortioHistogram;
  readonly errors: FortioHistogram;
  readonly connectionTimes: FortioHistogram;
  readonly sizes: FortioHistogram;
  readonly headerSizes: FortioHistogram;
  readonly sleepTimes: FortioHistogram;

  constructor(o: Pick<LoadOptions, 'offsetMs' | 'resolution'>) {
    const s = fortioHistogramScales(o);
    const mk = (x: HistogramScale): FortioHistogram => new FortioHistogram(x.offset, x.divider);
    this.duration = mk(s.duration);
    this.errors = mk(s.errors);
    this.connectionTimes = mk(s.connectionTimes);
    this.sizes = mk(s.sizes);
    this.headerSizes = mk(s.headerSizes);
    this.sleepTimes = mk(s.sleepTimes);
  }

  toStates(): FortioRunHistogramStates {
    return {
      duration: this.duration.toState(),
      errors: this.errors.toState(),
      connectionTimes: this.connectionTimes.toState(),
      sizes: this.sizes.toState(),
      headerSizes: this.headerSizes.toState(),
      sleepTimes: this.sleepTimes.toState(),
    };
  }

  mergeStates(s: FortioRunHistogramStates): void {
    this.duration.mergeState(s.duration);
    this.errors.mergeState(s.errors);
    this.connectionTimes.mergeState(s.connectionTimes);
    this.sizes.mergeState(s.sizes);
    this.headerSizes.mergeState(s.headerSizes);
    this.sleepTimes.mergeState(s.sleepTimes);
  }

  reset(): void {
    for (const h of [this.duration, this.errors, this.connectionTimes, this.sizes, this.headerSizes, this.sleepTimes]) h.reset();
  }
}

/** fortio counts 2xx and 418 as success; everything else goes to ErrorsDurationHistogram. */
export function fortioCodeIsOk(code: number): boolean {
  return (code >= 200 && code <= 299) || code === 418;
}
