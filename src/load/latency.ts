// HDR histograms of latency in microseconds, shared by the workers (record,
// encode interval deltas) and the coordinator (decode, add exactly, summarize).
// Pure-JS build: no WASM memory to free, identical results in every thread.

import * as hdr from 'hdr-histogram-js';
import type { LatencySummary } from './types.js';

export type Hdr = hdr.Histogram;

/** One hour in µs: anything slower is clamped (the run timeout is far lower). */
export const HDR_MAX_US = 3_600_000_000;

export function createHdr(): Hdr {
  return hdr.build({
    bitBucketSize: 32,
    useWebAssembly: false,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HDR_MAX_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Record a duration given in ms (hot path: no allocation). */
export function recordMs(h: Hdr, ms: number): void {
  let us = Math.round(ms * 1000);
  if (us < 1) us = 1;
  else if (us > HDR_MAX_US) us = HDR_MAX_US;
  h.recordValue(us);
}

export function encodeHdr(h: Hdr): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHdr(s: string): Hdr {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

/** Exact merge: every count of `from` is added to `into`. */
export function addEncoded(into: Hdr, encoded: string): void {
  if (encoded === '') return;
  into.add(decodeHdr(encoded));
}

/** Present on the pure-JS histogram (JsHistogram), missing from the exported interface. */
interface Equivalents {
  lowestEquivalentValue(v: number): number;
  highestEquivalentValue(v: number): number;
}

export function summarize(h: Hdr): LatencySummary {
  const n = h.totalCount;
  if (n === 0) return { count: 0, min: 0, mean: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
  return {
    count: n,
    // Bucket-equivalent min/max: identical whether the histogram was recorded here or decoded.
    min: (h as unknown as Equivalents).lowestEquivalentValue(h.minNonZeroValue) / 1000,
    mean: h.mean / 1000,
    max: (h as unknown as Equivalents).highestEquivalentValue(h.maxValue) / 1000,
    p50: h.getValueAtPercentile(50) / 1000,
    p90: h.getValueAtPercentile(90) / 1000,
    p99: h.getValueAtPercentile(99) / 1000,
    p999: h.getValueAtPercentile(99.9) / 1000,
  };
}
