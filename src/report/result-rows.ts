// Comparison rows from saved result documents: a scenario result (`bench --json`,
// which carries its rows under `compare`) or a fortio JSON result (`bench load
// -json`, or fortio's own): one row, named after its file. Used by `bench
// compare` and the HTML report.

import { basename } from 'node:path';
import { UserError } from '../errors.js';
import type { CompareRow } from './compare.js';

export type Rec = Record<string, unknown>;
export const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Rows of one file: a scenario result (has `compare`) or a fortio result (has `DurationHistogram`). */
export function rowsOf(doc: unknown, file: string): CompareRow[] {
  if (isRec(doc) && Array.isArray(doc.compare)) {
    return doc.compare.filter(isRec).map((r) => ({
      variant: String(r.variant ?? ''),
      step: String(r.step ?? ''),
      ...(typeof r.round === 'number' ? { round: r.round } : {}),
      qps: num(r.qps),
      p50: num(r.p50),
      p90: num(r.p90),
      p99: num(r.p99),
      p999: num(r.p999),
      codes: numbers(r.codes),
      calls: num(r.calls),
      counters: numbers(r.counters),
      perVersion: numbers(r.perVersion),
      ...(isRec(r.noise) ? { noise: { p50: num(r.noise.p50), p99: num(r.noise.p99), qps: num(r.noise.qps) } } : {}),
      ...rowExtras(r),
    }));
  }
  if (isRec(doc) && isRec(doc.DurationHistogram)) return [fortioRow(doc, file)];
  throw new UserError('MB_ERR_JSON', `${file}: neither a meshbench scenario result (bench --json) nor a fortio JSON result`);
}

/** A single run's windows (N=1 intervals) and a capacity search's answer, when saved. */
function rowExtras(r: Rec): Pick<CompareRow, 'windows' | 'maxQps' | 'maxQpsInterval'> {
  const out: Pick<CompareRow, 'windows' | 'maxQps' | 'maxQpsInterval'> = {};
  if (Array.isArray(r.windows)) {
    out.windows = r.windows.filter(isRec).map((w) => {
      const lat: Partial<Record<'p50' | 'p90' | 'p99' | 'p999', number>> = {};
      for (const p of ['p50', 'p90', 'p99', 'p999'] as const) if (typeof w[p] === 'number') lat[p] = w[p] as number;
      return { s: num(w.s), calls: num(w.calls), codes: numbers(w.codes), counters: numbers(w.counters), perVersion: numbers(w.perVersion), ...lat };
    });
  }
  if (typeof r.maxQps === 'number' && Array.isArray(r.maxQpsInterval) && r.maxQpsInterval.length === 2) {
    out.maxQps = r.maxQps;
    out.maxQpsInterval = [num(r.maxQpsInterval[0]), num(r.maxQpsInterval[1])];
  }
  return out;
}

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRec(v)) for (const [k, x] of Object.entries(v)) out[k] = num(x);
  return out;
}

export function fortioRow(doc: Rec, file: string): CompareRow {
  const h = doc.DurationHistogram as Rec;
  const pcts = Array.isArray(h.Percentiles) ? h.Percentiles.filter(isRec) : [];
  // fortio percentiles are in seconds.
  const at = (p: number) => 1000 * num(pcts.find((x) => num(x.Percentile) === p)?.Value);
  const mb = isRec(doc.MeshBench) ? doc.MeshBench : isRec(doc.meshbench) ? doc.meshbench : undefined;
  const st = mb && isRec(mb.serviceTime) ? mb.serviceTime : undefined;
  return {
    variant: basename(file).replace(/\.json$/i, ''),
    // One table for all fortio files given: each file is a variant of the same "load" step.
    step: 'load',
    qps: num(doc.ActualQPS),
    p50: st ? num(st.p50) : at(50),
    p90: st ? num(st.p90) : at(90),
    p99: st ? num(st.p99) : at(99),
    p999: st ? num(st.p999) : at(99.9),
    codes: numbers(doc.RetCodes),
    calls: num(h.Count),
    counters: {},
    perVersion: {},
  };
}

