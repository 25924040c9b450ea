// The read side of meshbench's HDR latency histograms (HdrHistogram V2,
// compressed base64, µs values): what a report needs to turn a saved histogram
// into percentiles. Recording and merging live with the load engine (load/latency.ts).
import * as hdr from 'hdr-histogram-js';

export type Hdr = hdr.Histogram;

export function decodeHdr(s: string): Hdr {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

/** Value at percentile p (0–100) in ms; 0 when empty. */
export function percentileMs(h: Hdr, p: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
}
