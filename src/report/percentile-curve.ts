// The HdrHistogram-style percentile distribution of a step's service time, dense
// enough to draw on a log "nines" axis: 10 points per nine (90 %, 99 %, 99.9 %…
// and the steps between) plus the usual 50/75/95 in place of their neighbours, as
// far as the samples reach (a percentile beyond 1 - 1/count says nothing a
// histogram knows).

import { decodeHdr, percentileMs } from './hdr.js';

export interface PercentilePoint {
  /** Percentile, 0–100. */
  p: number;
  ms: number;
}

/** Points per nine on the log axis. */
const PER_NINE = 10;

export function percentileLadder(count: number): number[] {
  const nines = (p: number): number => -Math.log10(1 - p / 100);
  const named = [50, 75, 95];
  const ps = [...named];
  for (let k = 0; ; k++) {
    const tail = 10 ** (-k / PER_NINE);
    if (tail * count < 1 - 1e-9) break;
    const p = Number((100 * (1 - tail)).toPrecision(8));
    // A ladder step next to a named percentile (49.88 beside 50) would only crowd it.
    if (!named.some((n) => Math.abs(nines(n) - nines(p)) < 0.05)) ps.push(p);
  }
  return ps.filter((p) => (1 - p / 100) * count >= 1 - 1e-9).sort((a, b) => a - b);
}

/** From the merged service-time HDR (`meshbench.hdrServiceTime`); empty when nothing was recorded. */
export function percentileCurve(encodedHdr: string): PercentilePoint[] {
  if (encodedHdr === '') return [];
  const h = decodeHdr(encodedHdr);
  if (h.totalCount === 0) return [];
  return percentileLadder(h.totalCount).map((p) => ({ p, ms: percentileMs(h, p) }));
}
