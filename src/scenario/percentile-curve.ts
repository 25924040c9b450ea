// The HdrHistogram-style percentile distribution of a step's service time, dense
// enough to draw on a log "nines" axis: 10 points per nine (90 %, 99 %, 99.9 %…
// and the steps between) plus the usual 50/75/95, as far as the samples reach
// (a percentile beyond 1 - 1/count says nothing a histogram knows).

import { decodeHdr, percentileMs } from '../report/hdr.js';

export interface PercentilePoint {
  /** Percentile, 0–100. */
  p: number;
  ms: number;
}

/** Points per nine on the log axis. */
const PER_NINE = 10;

export function percentileLadder(count: number): number[] {
  const ps = new Set<number>([50, 75, 95]);
  for (let k = 0; ; k++) {
    const tail = 10 ** (-k / PER_NINE);
    if (tail * count < 1 - 1e-9) break;
    ps.add(Number((100 * (1 - tail)).toPrecision(8)));
  }
  return [...ps].filter((p) => (1 - p / 100) * count >= 1 - 1e-9).sort((a, b) => a - b);
}

/** From the merged service-time HDR (`meshbench.hdrServiceTime`); empty when nothing was recorded. */
export function percentileCurve(encodedHdr: string): PercentilePoint[] {
  if (encodedHdr === '') return [];
  const h = decodeHdr(encodedHdr);
  if (h.totalCount === 0) return [];
  return percentileLadder(h.totalCount).map((p) => ({ p, ms: percentileMs(h, p) }));
}
