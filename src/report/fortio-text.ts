// fortio's human report, line for line. Default style is the line set of fortio
// 1.11.3, the version the seed walk-through shows ("Jitter: false", no error or
// connection sections); style 'modern' adds the lines of current fortio (1.75:
// "Error cases", per-connection sockets, connection time, "Uniform: …, Catchup
// allowed: …", IP distribution). Log levels gate lines exactly as fortio does.
import { exportFortioHistogram as exportState, type FortioHistogramData } from './fortio-histogram.js';
import type { FortioRunData, FortioRunOptions } from './fortio-run.js';
import { goD, goDuration, goF, goG, goGPrec } from './go-format.js';

export type FortioTextStyle = 'seed' | 'modern';

/** fortio log levels, most verbose first. Unknown names count as Info (fortio's default). */
const LEVELS = ['debug', 'verbose', 'info', 'warning', 'error', 'critical', 'fatal'];
export function fortioLogLevel(name: string): number {
  const i = LEVELS.indexOf(name.trim().toLowerCase());
  return i < 0 ? 2 : i;
}
const VERBOSE = 1;
const INFO = 2;
const WARNING = 3;

/** Counter.Print: "<msg> : count N avg %.8g +/- %.4g min %g max %g sum %.9g". */
export function fortioCounterLine(msg: string, d: Pick<FortioHistogramData, 'Count' | 'Avg' | 'StdDev' | 'Min' | 'Max' | 'Sum'>): string {
  return `${msg} : count ${d.Count} avg ${goGPrec(d.Avg, 8)} +/- ${goGPrec(d.StdDev, 4)} min ${goG(d.Min)} max ${goG(d.Max)} sum ${goGPrec(d.Sum, 9)}`;
}

/** "# target 50% 0.004" lines. */
export function fortioTargetLines(d: FortioHistogramData): string[] {
  return (d.Percentiles ?? []).map((p) => `# target ${goG(p.Percentile)}% ${goGPrec(p.Value, 6)}`);
}

/** HistogramData.Print: counter line, row header, rows, targets; "<msg> : no data" when empty. */
export function fortioHistogramLines(msg: string, d: FortioHistogramData): string[] {
  if (d.Data.length === 0) return [`${msg} : no data`];
  const out = [fortioCounterLine(msg, d), '# range, mid point, percentile, count'];
  for (let i = 0; i < d.Data.length; i++) {
    const b = d.Data[i]!;
    out.push(`${i === 0 ? '>=' : '>'} ${goGPrec(b.Start, 6)} <= ${goGPrec(b.End, 6)} , ${goGPrec((b.Start + b.End) / 2, 6)} , ${goF(b.Percent, 2)}, ${b.Count}`);
  }
  return out.concat(fortioTargetLines(d));
}

export interface FortioHeaderOptions {
  /** GOMAXPROCS stand-in. */
  procs: number;
  version: string;
}

/** The numbers of a run's call plan that fortio's "Starting at" line shows (src/load/call-plan.ts). */
export interface FortioStartPlan {
  numThreads: number;
  perThread: number;
  leftOver: number;
}

/**
 * The two lines fortio prints before the run: "Fortio <ver> running at <qps> queries
 * per second, P->P procs, for …: <url>" (always) and periodic's "Starting at …"
 * (level <= Warning, or always when the run is open-ended).
 */
export function fortioHeaderText(o: FortioRunOptions, plan: FortioStartPlan, h: FortioHeaderOptions): string {
  const procs = h.procs;
  const dur = goDuration(Math.round(o.durationMs * 1e6));
  let first = `Fortio ${h.version} running at ${goG(o.qps)} queries per second, ${procs}->${procs} procs`;
  if (o.exactly > 0) first += `, for ${o.exactly} calls: ${o.url}`;
  else if (o.durationMs <= 0) first += `, until interrupted: ${o.url}`;
  else first += `, for ${dur}: ${o.url}`;
  const lines = [first];
  const openEnded = o.exactly <= 0 && o.durationMs <= 0;
  if (openEnded || fortioLogLevel(o.logLevel) <= WARNING) lines.push(startLine(o, plan, procs, dur));
  return lines.join('\n') + '\n';
}

/** fortio periodic runQPSSetup / runMaxQPSSetup's log line. */
function startLine(o: FortioRunOptions, p: FortioStartPlan, gomax: number, dur: string): string {
  const head = `Starting at ${o.qps > 0 ? `${goG(o.qps)} qps` : 'max qps'} with ${p.numThreads} thread(s) [gomax ${gomax}]`;
  if (o.exactly <= 0 && o.durationMs <= 0) return `${head} until interrupted`;
  const total = p.perThread * p.numThreads;
  if (o.qps > 0) {
    if (o.exactly > 0) return `${head} : exactly ${o.exactly}, ${p.perThread} calls each (total ${total} + ${p.leftOver})`;
    return `${head} for ${dur} : ${p.perThread} calls each (total ${total})`;
  }
  if (o.exactly > 0) return `${head} for exactly ${o.exactly} calls (${p.perThread} per thread + ${p.leftOver})`;
  return `${head} for ${dur}`;
}

export interface FortioReportOptions {
  logLevel: string;
  /** 'seed' (default: fortio 1.11.3's lines, as in the seed) or 'modern' (fortio 1.75). */
  style?: FortioTextStyle;
}

/** The report fortio prints after the run, from "Ended after" to "All done". */
export function formatFortioReport(r: FortioRunData, opts: FortioReportOptions): string {
  const o = r.options;
  const level = fortioLogLevel(opts.logLevel);
  const modern = opts.style === 'modern';
  const out: string[] = [];
  const durationS = r.actualDurationNs / 1e9;
  const duration = exportState(r.duration, o.percentiles);
  const actualQps = durationS > 0 ? duration.Count / durationS : 0;

  if (level <= WARNING) {
    out.push(`Ended after ${goDuration(r.actualDurationNs)} : ${duration.Count} calls. qps=${goGPrec(actualQps, 5)}`);
  }
  if (o.qps > 0 && r.sleepTimes) {
    const sleep = exportState(r.sleepTimes, [50]);
    const bucket0 = r.sleepTimes.buckets[0] ?? 0;
    const percentNegative = (100 * bucket0) / r.sleepTimes.count; // NaN (no sleeps) is not > 5, as in Go
    if (percentNegative > 5) {
      out.push(...fortioHistogramLines('Aggregated Sleep Time', sleep));
      out.push(`WARNING ${goF(percentNegative, 2)}% of sleep were falling behind`);
    } else if (level <= VERBOSE) {
      out.push(...fortioHistogramLines('Aggregated Sleep Time', sleep));
    } else if (level <= WARNING) {
      out.push(fortioCounterLine('Sleep times', sleep));
    }
  }
  const errors = exportState(r.errors, o.percentiles);
  if (level <= WARNING) {
    out.push(...fortioHistogramLines('Aggregated Function Time', duration));
    if (modern) out.push(...fortioHistogramLines('Error cases', errors));
  } else {
    out.push(fortioCounterLine('Aggregated Function Time', duration));
    out.push(...fortioTargetLines(duration));
    if (modern) out.push(fortioCounterLine('Error cases', errors));
  }
  if (modern) {
    out.push('# Socket and IP used for each connection:');
    const conns = r.perConnection ?? [];
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      const ct = exportState(c.connectTimes, []);
      out.push(`[${i}] ${goD(r.sockets[i] ?? ct.Count, 3)} socket used, resolved to ${resolvedTo(c.ipCounts)}${fortioCounterLine(', connection timing', ct)}`);
    }
    const conn = exportState(r.connectionTimes, o.percentiles);
    if (level <= INFO) out.push(...fortioHistogramLines('Connection time histogram (s)', conn));
    else if (level <= WARNING) out.push(fortioCounterLine('Connection time (s)', conn));
  }
  const socketCount = r.sockets.reduce((a, b) => a + b, 0);
  out.push(`Sockets used: ${socketCount} (for perfect keepalive, would be ${r.numThreads})`);
  if (modern) {
    out.push(`Uniform: ${o.uniform}, Jitter: ${o.jitter}, Catchup allowed: ${!o.noCatchUp}`);
    out.push('IP addresses distribution:');
    for (const [ip, n] of ipsByUse(r.ipCountMap)) out.push(`${ip}: ${n}`);
  } else {
    out.push(`Jitter: ${o.jitter}`);
  }
  const codes = Object.keys(r.retCodes)
    .map(Number)
    .sort((a, b) => a - b);
  for (const code of codes) {
    const n = r.retCodes[String(code)]!;
    out.push(`Code ${goD(code, 3)} : ${n} (${goF((100 * n) / duration.Count, 1)} %)`);
  }
  const headerSizes = exportState(r.headerSizes, []);
  const sizes = exportState(r.sizes, []);
  if (level <= VERBOSE) {
    out.push(...fortioHistogramLines('Response Header Sizes Histogram', headerSizes));
    out.push(...fortioHistogramLines('Response Body/Total Sizes Histogram', sizes));
  } else if (level <= WARNING) {
    out.push(fortioCounterLine('Response Header Sizes', headerSizes));
    out.push(fortioCounterLine('Response Body/Total Sizes', sizes));
  }
  const warmup = o.exactly > 0 ? 0 : o.connections;
  out.push(`All done ${duration.Count} calls (plus ${warmup} warmup) ${goF(1000 * duration.Avg, 3)} ms avg, ${goF(actualQps, 1)} qps`);
  return out.join('\n') + '\n';
}

/** Most used first; ties by address so the output is deterministic. */
function ipsByUse(m: Record<string, number>): Array<[string, number]> {
  return Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** fortio Occurrence.AggregateAndToString: one address plainly, several as "[a (n), b (m)]". */
function resolvedTo(m: Record<string, number>): string {
  const e = Object.entries(m).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (e.length === 1) return e[0]![0];
  return '[' + e.map(([ip, n]) => `${ip} (${n})`).join(', ') + ']';
}
