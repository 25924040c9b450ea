// HDR histograms of latency for meshbench's own numbers (fortio's fixed buckets
// are too coarse for p99.9), shared by the workers (record, encode interval
// deltas) and the coordinator (decode, add exactly, summarize). Values are
// recorded in microseconds with 3 significant digits; the pure-JS build is used
// so every worker thread computes identical results and no WASM memory must be
// freed.
import * as hdr from 'hdr-histogram-js';
import { decodeHdr, percentileMs, type Hdr } from '../report/hdr.js';
import type { LatencySummary } from './types.js';

export type { Hdr };

/** One hour in µs; slower values are clamped (any run timeout is far lower). */
export const HDR_HIGHEST_US = 3_600_000_000;

export function createHdr(): Hdr {
  return hdr.build({
    bitBucketSize: 32,
    useWebAssembly: false,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HDR_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Record a latency in ms (hot path: no allocation). Clamped to [1 µs, 1 h]. */
export function recordMs(h: Hdr, ms: number): void {
  let us = Math.round(ms * 1000);
  if (!(us >= 1)) us = 1;
  else if (us > HDR_HIGHEST_US) us = HDR_HIGHEST_US;
  h.recordValue(us);
}

/** Compressed base64 (HdrHistogram V2 encoding), postMessage- and JSON-safe. */
export function encodeHdr(h: Hdr): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Exact merge: every count of `from` (a histogram or its encoding) is added to `into`. */
export function addHdr(into: Hdr, from: Hdr | string): void {
  if (typeof from === 'string') {
    if (from === '') return;
    into.add(decodeHdr(from));
  } else into.add(from);
}

export function summarize(h: Hdr): LatencySummary {
  const n = h.totalCount;
  if (n === 0) return { count: 0, min: 0, mean: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
  return {
    count: n,
    min: h.minNonZeroValue / 1000,
    mean: h.mean / 1000,
    // Bucket-based like the percentiles: a decoded histogram only knows buckets, so
    // this stays identical whether the data was recorded here or merged from a worker.
    max: percentileMs(h, 100),
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p99: percentileMs(h, 99),
    p999: percentileMs(h, 99.9),
  };
}
