// The data a fortio-compatible run produces (filled in by the load engine) and
// the fortio conventions around it: histogram scales, the per-thread call plan,
// labels and run ID. Shared by fortio-text.ts and fortio-json.ts.
import { hostname } from 'node:os';
import type { LoadOptions } from '../load/types.js';
import { FortioHistogram, type FortioHistogramState } from './fortio-histogram.js';
import { goDuration, goG, goGPrec } from './go-format.js';

/** Version string shown as fortio's `Version` / "Fortio <ver> running at…". */
export const MESHBENCH_FORTIO_VERSION = 'meshbench-0.1';

export interface FortioRunData {
  options: LoadOptions;
  /** Short version string, e.g. MESHBENCH_FORTIO_VERSION. */
  version: string;
  /** Start of the timed run (after warmup). */
  startTime: Date;
  actualDurationNs: number;
  calls: number;
  /** Status code (decimal string, "-1" = socket error) → count. */
  retCodes: Record<string, number>;
  /** Seconds; scale from fortioHistogramScales(options).duration. */
  duration: FortioHistogramState;
  /** Calls that were not 2xx/418; same scale as duration. */
  errors: FortioHistogramState;
  /** Total bytes per call, divider 100. */
  sizes: FortioHistogramState;
  /** Header bytes per call (0 for error replies), divider 5. */
  headerSizes: FortioHistogramState;
  /** connect() durations in seconds, same scale as duration. */
  connectionTimes: FortioHistogramState;
  /** Sockets opened by each connection (thread). */
  sockets: number[];
  /** "ip:port" → sockets opened to it. */
  ipCountMap: Record<string, number>;
  /** Effective connections (fortio lowers -c when 2·c > planned calls at fixed qps). */
  numThreads: number;
  /** Seconds; qps mode only; offset -0.001 divider 0.001 so behind-schedule (negative) sleeps land in bucket 0. */
  sleepTimes?: FortioHistogramState;
  interrupted: boolean;
  /**
   * Optional (modern fortio text only): per connection, its "ip:port" → sockets and its
   * connect-time histogram state, for the "# Socket and IP used for each connection:" lines.
   */
  perConnection?: Array<{ ipCounts: Record<string, number>; connectTimes: FortioHistogramState }>;
}

export interface HistogramScale {
  offset: number;
  divider: number;
}

/** Offsets/dividers fortio uses for each histogram of an HTTP run. */
export function fortioHistogramScales(o: Pick<LoadOptions, 'offsetMs' | 'resolution'>): {
  duration: HistogramScale;
  errors: HistogramScale;
  connectionTimes: HistogramScale;
  sizes: HistogramScale;
  headerSizes: HistogramScale;
  sleepTimes: HistogramScale;
} {
  const time = { offset: o.offsetMs / 1000, divider: o.resolution };
  return {
    duration: time,
    errors: time,
    connectionTimes: time,
    sizes: { offset: 0, divider: 100 },
    headerSizes: { offset: 0, divider: 5 },
    sleepTimes: { offset: -0.001, divider: 0.001 },
  };
}

/** The six histograms of a fortio run as plain states (what a load worker posts). */
export interface FortioRunHistogramStates {
  duration: FortioHistogramState;
  errors: FortioHistogramState;
  connectionTimes: FortioHistogramState;
  sizes: FortioHistogramState;
  headerSizes: FortioHistogramState;
  sleepTimes: FortioHistogramState;
}

/**
 * The six histograms of a fortio run with fortio's scales: one set per worker
 * (recorded, posted as states, reset each interval) and one in the coordinator
 * (merging those states).
 */
export class FortioRunHistograms {
  readonly duration: FortioHistogram;
  readonly errors: FortioHistogram;
  readonly connectionTimes: FortioHistogram;
  readonly sizes: FortioHistogram;
  readonly headerSizes: FortioHistogram;
  readonly sleepTimes: FortioHistogram;

  constructor(o: Pick<LoadOptions, 'offsetMs' | 'resolution'>) {
    const s = fortioHistogramScales(o);
    const mk = (x: HistogramScale): FortioHistogram => new FortioHistogram(x.offset, x.divider);
    this.duration = mk(s.duration);
    this.errors = mk(s.errors);
    this.connectionTimes = mk(s.connectionTimes);
    this.sizes = mk(s.sizes);
    this.headerSizes = mk(s.headerSizes);
    this.sleepTimes = mk(s.sleepTimes);
  }

  toStates(): FortioRunHistogramStates {
    return {
      duration: this.duration.toState(),
      errors: this.errors.toState(),
      connectionTimes: this.connectionTimes.toState(),
      sizes: this.sizes.toState(),
      headerSizes: this.headerSizes.toState(),
      sleepTimes: this.sleepTimes.toState(),
    };
  }

  mergeStates(s: FortioRunHistogramStates): void {
    this.duration.mergeState(s.duration);
    this.errors.mergeState(s.errors);
    this.connectionTimes.mergeState(s.connectionTimes);
    this.sizes.mergeState(s.sizes);
    this.headerSizes.mergeState(s.headerSizes);
    this.sleepTimes.mergeState(s.sleepTimes);
  }

  reset(): void {
    this.duration.reset();
    this.errors.reset();
    this.connectionTimes.reset();
    this.sizes.reset();
    this.headerSizes.reset();
    this.sleepTimes.reset();
  }
}

/** fortio counts 2xx and 418 as success; everything else goes to ErrorsDurationHistogram. */
export function fortioCodeIsOk(code: number): boolean {
  return (code >= 200 && code <= 299) || code === 418;
}

export interface FortioCallPlan {
  /** Effective connections. */
  numThreads: number;
  /** Calls per connection (0 = open-ended: duration or until stopped). */
  perThread: number;
  /** Extra calls done by connection 0 (exactly mode). */
  leftOver: number;
  /** fortio RequestedQPS: "max" or %.9g. */
  requestedQps: string;
  /** fortio RequestedDuration before ", interrupted after N". */
  requestedDuration: string;
  /** The "Starting at …" line (without newline) and whether it prints only at level <= Warning. */
  startLine: string;
  startLineNeedsWarning: boolean;
}

/**
 * fortio periodic runQPSSetup / runMaxQPSSetup: how calls split over connections.
 * At fixed qps fortio plans int(qps × duration) calls (at least 2) and lowers the
 * connection count to calls/2 when there are fewer than 2 calls per connection.
 */
export function fortioCallPlan(o: LoadOptions, gomax: number): FortioCallPlan {
  let threads = Math.max(1, o.connections);
  const useQps = o.qps > 0;
  const useExactly = o.exactly > 0;
  const hasDuration = o.durationMs > 0;
  const durStr = goDuration(Math.round(o.durationMs * 1e6));
  const qpsG = goG(o.qps);
  if (useQps) {
    const requestedQps = goGPrec(o.qps, 9);
    if (!hasDuration && !useExactly) {
      return {
        numThreads: threads,
        perThread: 0,
        leftOver: 0,
        requestedQps,
        requestedDuration: 'until stop',
        startLine: `Starting at ${qpsG} qps with ${threads} thread(s) [gomax ${gomax}] until interrupted`,
        startLineNeedsWarning: false,
      };
    }
    let numCalls = useExactly ? o.exactly : Math.trunc(o.qps * (o.durationMs / 1000));
    const requestedDuration = useExactly ? `exactly ${numCalls} calls` : durStr;
    if (numCalls < 2) {
      numCalls = 2;
      threads = 1;
    }
    if (2 * threads > numCalls) threads = Math.trunc(numCalls / 2);
    const perThread = Math.trunc(numCalls / threads);
    const total = perThread * threads;
    if (useExactly) {
      const leftOver = o.exactly - total;
      return {
        numThreads: threads,
        perThread,
        leftOver,
        requestedQps,
        requestedDuration,
        startLine: `Starting at ${qpsG} qps with ${threads} thread(s) [gomax ${gomax}] : exactly ${o.exactly}, ${perThread} calls each (total ${total} + ${leftOver})`,
        startLineNeedsWarning: true,
      };
    }
    return {
      numThreads: threads,
      perThread,
      leftOver: 0,
      requestedQps,
      requestedDuration,
      startLine: `Starting at ${qpsG} qps with ${threads} thread(s) [gomax ${gomax}] for ${durStr} : ${perThread} calls each (total ${total})`,
      startLineNeedsWarning: true,
    };
  }
  // max qps
  if (!useExactly && !hasDuration) {
    return {
      numThreads: threads,
      perThread: 0,
      leftOver: 0,
      requestedQps: 'max',
      requestedDuration: '', // fortio leaves it empty in this one case
      startLine: `Starting at max qps with ${threads} thread(s) [gomax ${gomax}] until interrupted`,
      startLineNeedsWarning: false,
    };
  }
  const head = `Starting at max qps with ${threads} thread(s) [gomax ${gomax}] `;
  if (useExactly) {
    const requestedDuration = `exactly ${o.exactly} calls`;
    const perThread = Math.trunc(o.exactly / threads);
    const leftOver = o.exactly % threads;
    return {
      numThreads: threads,
      perThread,
      leftOver,
      requestedQps: 'max',
      requestedDuration,
      startLine: `${head}for ${requestedDuration} (${perThread} per thread + ${leftOver})`,
      startLineNeedsWarning: true,
    };
  }
  return {
    numThreads: threads,
    perThread: 0,
    leftOver: 0,
    requestedQps: 'max',
    requestedDuration: durStr,
    startLine: `${head}for ${durStr}`,
    startLineNeedsWarning: true,
  };
}

/** fortio's default labels: "<url without http(s)://> , <short hostname>". */
export function fortioLabels(url: string, labels: string, host: string = hostname()): string {
  if (labels !== '') return labels;
  let short = url;
  for (const p of ['https://', 'http://']) {
    if (url.startsWith(p)) {
      short = url.slice(p.length);
      break;
    }
  }
  return `${short} , ${host.split('.')[0]}`;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** fortio GenID: "YYYY-MM-DD-HHMMSS[_runid][_labels, non-alphanumerics as single _]", at most 96 chars, local time. */
export function fortioRunId(start: Date, runId: number, labels: string): string {
  let base = `${start.getFullYear()}-${pad2(start.getMonth() + 1)}-${pad2(start.getDate())}-${pad2(start.getHours())}${pad2(start.getMinutes())}${pad2(start.getSeconds())}`;
  if (runId !== 0) base += `_${runId}`;
  if (labels === '') return base;
  let last = '_';
  base += last;
  for (const ch of labels) {
    if (/^[A-Za-z0-9]$/.test(ch)) {
      last = ch;
    } else {
      if (last === '_') continue;
      last = '_';
    }
    base += last;
  }
  if (last === '_') base = base.slice(0, -1);
  return base.length > 96 ? base.slice(0, 96) : base;
}
