// Merging fortio JSON results of one load step run on several machines or pods
// (an Indexed Job's pods, `bench merge`), exactly: fortio's histograms have
// fixed buckets (stats/stats.go), so the Data rows of each result map back to
// bucket counts, which add; counts, sums, min/max and status codes add too.
// Percentiles are then recomputed from the merged buckets with fortio's own
// arithmetic (report/fortio-histogram.ts), so they equal what one fortio run
// over the union of the samples reports. ActualQPS = all calls / the longest
// pod's duration (the pods ran side by side).

import { UserError } from '../errors.js';
import { FortioHistogram, type HistogramScale } from '../load/fortio-histogram.js';
import { exportFortioHistogram, type FortioHistogramData, type FortioHistogramState } from '../report/fortio-histogram.js';
import type { FortioJson } from '../report/fortio-json.js';
import type { FortioResultIn } from '../report/fortio-json-read.js';

/** fortio's default -p. */
const FORTIO_DEFAULT_PERCENTILES = [50, 75, 90, 99, 99.9];

/**
 * A HistogramData back to bucket counts. A row's End is its bucket's upper
 * bound (right-closed), except the last row, which ends at Max: Max itself lies
 * in that bucket. Rows that do not land in increasing buckets were not made
 * with this scale (another -r or -offset): an error, not a guess.
 */
export function histogramState(h: FortioHistogramData, scale: HistogramScale, where: string): FortioHistogramState {
  const probe = new FortioHistogram(scale.offset, scale.divider);
  const state = probe.toState();
  let rows = 0;
  let last = -1;
  h.Data.forEach((row, i) => {
    if (!Number.isInteger(row.Count) || row.Count < 0) throw new UserError('MB_ERR_JSON', `${where}.Data[${i}].Count: expected a whole count, got ${row.Count}`);
    const idx = probe.bucketIndex(i === h.Data.length - 1 ? h.Max : row.End);
    if (idx <= last) {
      throw new UserError('MB_ERR_JSON', `${where}.Data[${i}]: bucket ${row.Start}..${row.End} is not one of fortio's buckets after the previous row (was the run's -r ${scale.divider} / -offset ${scale.offset}s?)`);
    }
    last = idx;
    state.buckets[idx] = row.Count;
    rows += row.Count;
  });
  if (rows !== h.Count) throw new UserError('MB_ERR_JSON', `${where}: the Data rows count ${rows} calls, Count says ${h.Count}`);
  if (h.Count === 0) return state;
  // fortio's JSON has no sum of squares; StdDev (population) gives it back.
  return { ...state, count: h.Count, min: h.Min, max: h.Max, sum: h.Sum, sumSq: h.Count * h.StdDev * h.StdDev + (h.Sum * h.Sum) / h.Count };
}

function mergeHistograms(parts: Array<{ h: FortioHistogramData; where: string }>, scale: HistogramScale, percentiles: number[]): FortioHistogramData {
  const into = new FortioHistogram(scale.offset, scale.divider);
  for (const p of parts) into.mergeState(histogramState(p.h, scale, p.where));
  return exportFortioHistogram(into.toState(), percentiles);
}

function sumCounts(maps: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, n] of Object.entries(m)) out[k] = (out[k] ?? 0) + n;
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]!]));
}

function percentilesOf(inputs: FortioResultIn[]): number[] {
  const ps: number[] = [];
  for (const i of inputs) for (const p of i.duration.Percentiles ?? []) if (!ps.includes(p.Percentile)) ps.push(p.Percentile);
  return ps.length ? ps : FORTIO_DEFAULT_PERCENTILES;
}

/** fortio's RequestedQPS of the whole: the pods' sum, or "max" when any ran at max speed. */
function requestedQps(inputs: FortioResultIn[]): string {
  if (inputs.some((i) => i.requestedQps === 'max')) return 'max';
  const total = inputs.reduce((a, i) => a + Number(i.requestedQps), 0);
  return Number.isFinite(total) ? String(Number(total.toPrecision(9))) : inputs[0]!.requestedQps;
}

/**
 * One fortio JSON result for the union of `inputs` (runs of the same step: same
 * URL and histogram scale). Key order is the first input's; the other fields it
 * carries that cannot be summed (Labels, Version, options) are the first input's.
 */
export function mergeFortioResults(inputs: FortioResultIn[]): FortioJson {
  if (inputs.length === 0) throw new UserError('MB_ERR_JSON', 'no fortio results to merge');
  const first = inputs[0]!;
  for (const i of inputs.slice(1)) {
    if (i.url !== first.url) throw new UserError('MB_ERR_JSON', `${i.file}: URL ${i.url} differs from ${first.file}'s ${first.url}: not runs of the same step`);
    if (i.resolution !== first.resolution || i.offsetS !== first.offsetS) {
      throw new UserError('MB_ERR_JSON', `${i.file}: histogram resolution/offset ${i.resolution}/${i.offsetS}s differs from ${first.file}'s ${first.resolution}/${first.offsetS}s: the buckets cannot be added`);
    }
  }
  const time: HistogramScale = { offset: first.offsetS, divider: first.resolution };
  const ps = percentilesOf(inputs);
  const merge = (field: keyof FortioResultIn & ('duration' | 'errors' | 'sizes' | 'headerSizes' | 'connectionStats'), name: string, scale: HistogramScale, pcts: number[]) => {
    const parts = inputs.filter((i) => i[field] !== undefined).map((i) => ({ h: i[field]!, where: `${i.file}: ${name}` }));
    return parts.length ? mergeHistograms(parts, scale, pcts) : undefined;
  };
  const duration = merge('duration', 'DurationHistogram', time, ps)!;
  const longestNs = Math.max(...inputs.map((i) => i.actualDurationNs));
  const sockets = inputs.flatMap((i) => (Array.isArray(i.doc.Sockets) ? i.doc.Sockets.filter((x): x is number => typeof x === 'number') : []));
  const ipCounts = inputs.map((i) => (typeof i.doc.IPCountMap === 'object' && i.doc.IPCountMap !== null ? (i.doc.IPCountMap as Record<string, number>) : {}));
  const startTimes = inputs.map((i) => i.doc.StartTime).filter((t): t is string => typeof t === 'string');
  const out: Record<string, unknown> = { ...first.doc };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  // Earliest start (RFC 3339 strings of one zone sort as times; Date.parse otherwise).
  set('StartTime', startTimes.sort((a, b) => Date.parse(a) - Date.parse(b))[0]);
  set('RequestedQPS', requestedQps(inputs));
  set('ActualQPS', longestNs > 0 ? duration.Count / (longestNs / 1e9) : 0);
  set('ActualDuration', longestNs);
  set('NumThreads', inputs.reduce((a, i) => a + i.numThreads, 0));
  set('DurationHistogram', duration);
  set('ErrorsDurationHistogram', merge('errors', 'ErrorsDurationHistogram', time, ps));
  if (typeof first.doc.Exactly === 'number') set('Exactly', inputs.reduce((a, i) => a + (typeof i.doc.Exactly === 'number' ? i.doc.Exactly : 0), 0));
  set('RetCodes', sumCounts(inputs.map((i) => i.retCodes)));
  if ('IPCountMap' in first.doc) set('IPCountMap', sumCounts(ipCounts));
  set('Sizes', merge('sizes', 'Sizes', { offset: 0, divider: 100 }, []));
  set('HeaderSizes', merge('headerSizes', 'HeaderSizes', { offset: 0, divider: 5 }, []));
  if ('Sockets' in first.doc) set('Sockets', sockets);
  if ('SocketCount' in first.doc) set('SocketCount', sockets.reduce((a, b) => a + b, 0));
  set('ConnectionStats', merge('connectionStats', 'ConnectionStats', time, ps));
  // meshbench's own block (bench load -json) cannot be merged from fortio's fields: it is dropped, not kept stale.
  delete out.MeshBench;
  return out as FortioJson;
}
