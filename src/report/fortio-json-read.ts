// The read side of fortio's JSON result (`fortio load -json FILE`, fhttp
// HTTPRunnerResults): the fields meshbench merges and compares, checked for
// their type as they are read. Results come from other machines (a cluster's
// pods): a field that is missing or of the wrong type is an error naming the
// file and the field, never a made-up zero.

import { UserError } from '../errors.js';
import type { FortioHistogramData } from './fortio-histogram.js';
import { isRec, type Rec } from './result-rows.js';

/** A fortio JSON result as read: the whole object (key order kept) plus its checked fields. */
export interface FortioResultIn {
  file: string;
  doc: Rec;
  duration: FortioHistogramData;
  errors?: FortioHistogramData;
  sizes?: FortioHistogramData;
  headerSizes?: FortioHistogramData;
  connectionStats?: FortioHistogramData;
  retCodes: Record<string, number>;
  /** ns */
  actualDurationNs: number;
  numThreads: number;
  /** Histogram scale of the time histograms: fortio's -r (s) and -offset (ns in the JSON, s here). */
  resolution: number;
  offsetS: number;
  url: string;
  /** "max" or a number. */
  requestedQps: string;
}

function bad(file: string, field: string, want: string): UserError {
  return new UserError('MB_ERR_JSON', `${file}: ${field}: expected ${want} (a fortio JSON result, as fortio load -json writes it)`);
}

function number(file: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(file, field, 'a number');
  return v;
}

function counts(file: string, field: string, v: unknown): Record<string, number> {
  if (!isRec(v)) throw bad(file, field, 'an object of counts');
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) {
    const n = number(file, `${field}.${k}`, x);
    if (!Number.isInteger(n) || n < 0) throw bad(file, `${field}.${k}`, 'a whole count');
    out[k] = n;
  }
  return out;
}

/** fortio HistogramData; `Percentiles` is optional (fortio omits it for sizes). */
export function readFortioHistogram(file: string, field: string, v: unknown): FortioHistogramData {
  if (!isRec(v)) throw bad(file, field, 'a histogram object');
  const data = v.Data === null ? [] : v.Data;
  if (!Array.isArray(data)) throw bad(file, `${field}.Data`, 'a list of buckets');
  const h: FortioHistogramData = {
    Count: number(file, `${field}.Count`, v.Count),
    Min: number(file, `${field}.Min`, v.Min),
    Max: number(file, `${field}.Max`, v.Max),
    Sum: number(file, `${field}.Sum`, v.Sum),
    Avg: number(file, `${field}.Avg`, v.Avg),
    StdDev: number(file, `${field}.StdDev`, v.StdDev),
    Data: data.map((row, i) => {
      const at = `${field}.Data[${i}]`;
      if (!isRec(row)) throw bad(file, at, 'a bucket {Start, End, Percent, Count}');
      return {
        Start: number(file, `${at}.Start`, row.Start),
        End: number(file, `${at}.End`, row.End),
        Percent: number(file, `${at}.Percent`, row.Percent),
        Count: number(file, `${at}.Count`, row.Count),
      };
    }),
  };
  if (Array.isArray(v.Percentiles)) {
    h.Percentiles = v.Percentiles.map((p, i) => {
      if (!isRec(p)) throw bad(file, `${field}.Percentiles[${i}]`, 'a {Percentile, Value} object');
      return { Percentile: number(file, `${field}.Percentiles[${i}].Percentile`, p.Percentile), Value: number(file, `${field}.Percentiles[${i}].Value`, p.Value) };
    });
  }
  return h;
}

/** A fortio JSON result, or an error naming the first field that is not one. */
export function readFortioResult(doc: unknown, file: string): FortioResultIn {
  if (!isRec(doc) || !isRec(doc.DurationHistogram)) throw bad(file, 'DurationHistogram', 'a histogram object');
  if (doc.RunType !== undefined && doc.RunType !== 'HTTP') {
    throw new UserError('MB_ERR_JSON', `${file}: RunType ${JSON.stringify(doc.RunType)}: only HTTP results can be read (fortio load with an http:// URL)`);
  }
  const opt = (field: string): FortioHistogramData | undefined => (doc[field] === undefined || doc[field] === null ? undefined : readFortioHistogram(file, field, doc[field]));
  const errors = opt('ErrorsDurationHistogram');
  const sizes = opt('Sizes');
  const headerSizes = opt('HeaderSizes');
  const connectionStats = opt('ConnectionStats');
  const rq = doc.RequestedQPS;
  if (typeof rq !== 'string') throw bad(file, 'RequestedQPS', 'a string ("max" or a number)');
  if (typeof doc.URL !== 'string') throw bad(file, 'URL', 'a string');
  return {
    file,
    doc,
    duration: readFortioHistogram(file, 'DurationHistogram', doc.DurationHistogram),
    ...(errors ? { errors } : {}),
    ...(sizes ? { sizes } : {}),
    ...(headerSizes ? { headerSizes } : {}),
    ...(connectionStats ? { connectionStats } : {}),
    retCodes: counts(file, 'RetCodes', doc.RetCodes),
    actualDurationNs: number(file, 'ActualDuration', doc.ActualDuration),
    numThreads: number(file, 'NumThreads', doc.NumThreads),
    // fortio's defaults (-r 0.001, -offset 0) when an older result lacks them.
    resolution: doc.Resolution === undefined ? 0.001 : number(file, 'Resolution', doc.Resolution),
    offsetS: doc.Offset === undefined ? 0 : number(file, 'Offset', doc.Offset) / 1e9,
    url: doc.URL,
    requestedQps: rq,
  };
}
