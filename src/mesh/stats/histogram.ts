// Envoy-style histogram (e.g. a cluster's `upstream_rq_time`, in ms). Envoy keeps
// histogram values in libcircllhist: log-linear bins of two significant decimal
// digits (47 ms lands in [47, 48), 1234 ms in [1200, 1300)), and computes its
// quantiles by linear interpolation inside the bin. Same here, so a percentile is
// within 1 % (one bin) of the true value. Values below 1 µs share bin 0.

/** Plain data of a histogram (crosses the mesh thread boundary, lands in JSON). */
export interface HistogramData {
  count: number;
  /** Sum of the recorded values. */
  sum: number;
  /** Bin lower bound (as a decimal string) -> values recorded in it. */
  bins: Record<string, number>;
}

const MIN_VALUE = 1e-3;

/** Lower bound of the two-significant-digit bin holding `v` (0 for tiny values). */
export function binOf(v: number): number {
  if (!(v >= MIN_VALUE)) return 0;
  const step = 10 ** (Math.floor(Math.log10(v)) - 1);
  // Rounding the quotient guards against 0.29999… landing one bin low.
  const k = Math.floor(v / step + 1e-9);
  return Number((k * step).toPrecision(2));
}

/** Width of the bin whose lower bound is `lower`. */
function binWidth(lower: number): number {
  if (lower <= 0) return MIN_VALUE;
  return 10 ** (Math.floor(Math.log10(lower)) - 1);
}

export class Histogram {
  count = 0;
  sum = 0;
  readonly #bins = new Map<number, number>();
  constructor(readonly name: string) {}

  record(v: number): void {
    const b = binOf(v);
    this.#bins.set(b, (this.#bins.get(b) ?? 0) + 1);
    this.count++;
    this.sum += v;
  }

  data(): HistogramData {
    const bins: Record<string, number> = {};
    for (const [b, n] of this.#bins) bins[String(b)] = n;
    return { count: this.count, sum: this.sum, bins };
  }
}

/** What was recorded between two snapshots of one histogram (`before` missing = empty). */
export function histogramDelta(before: HistogramData | undefined, after: HistogramData): HistogramData {
  const bins: Record<string, number> = {};
  for (const [b, n] of Object.entries(after.bins)) {
    const d = n - (before?.bins[b] ?? 0);
    if (d > 0) bins[b] = d;
  }
  return { count: after.count - (before?.count ?? 0), sum: after.sum - (before?.sum ?? 0), bins };
}

/** Several histograms as one (e.g. every inbound port of a workload). */
export function mergeHistograms(list: readonly HistogramData[]): HistogramData {
  const bins: Record<string, number> = {};
  let count = 0;
  let sum = 0;
  for (const h of list) {
    count += h.count;
    sum += h.sum;
    for (const [b, n] of Object.entries(h.bins)) bins[b] = (bins[b] ?? 0) + n;
  }
  return { count, sum, bins };
}

/**
 * The q-quantile (0..1) as circllhist's approximation computes it: walk the bins
 * in order to the one holding rank q·count, interpolate linearly inside it.
 * undefined for an empty histogram (no value is not 0 ms).
 */
export function histogramQuantile(h: HistogramData, q: number): number | undefined {
  if (h.count <= 0) return undefined;
  const bins = Object.entries(h.bins)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const rank = Math.min(Math.max(q, 0), 1) * h.count;
  let seen = 0;
  for (const [lower, n] of bins) {
    if (seen + n >= rank) {
      const within = n > 0 ? (rank - seen) / n : 0;
      return lower + within * binWidth(lower);
    }
    seen += n;
  }
  const last = bins[bins.length - 1]!;
  return last[0] + binWidth(last[0]);
}

/** Envoy's admin text for a histogram's quantiles: `P0(v,v) P25(v,v) …` (interval and cumulative, both cumulative here). */
export const ADMIN_QUANTILES = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1] as const;

export function adminQuantilesText(h: HistogramData): string {
  if (h.count === 0) return 'No recorded values';
  return ADMIN_QUANTILES.map((q) => {
    const v = histogramQuantile(h, q)!;
    const s = Number(v.toPrecision(6)).toString();
    return `P${Number((q * 100).toFixed(1))}(${s},${s})`;
  }).join(' ');
}

/** Envoy's default histogram bucket bounds (ms), used for the Prometheus `_bucket` lines. */
export const DEFAULT_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const;

/**
 * Cumulative `le` buckets (plus `+Inf`). Every default bound is a two-digit value,
 * so a bin lies wholly below a bound exactly when its lower end does.
 */
export function prometheusBuckets(h: HistogramData): Array<[string, number]> {
  const bins = Object.entries(h.bins).map(([b, n]) => [Number(b), n] as const);
  const out: Array<[string, number]> = DEFAULT_BUCKETS.map((le) => [String(le), bins.reduce((a, [b, n]) => (b < le ? a + n : a), 0)]);
  out.push(['+Inf', h.count]);
  return out;
}
