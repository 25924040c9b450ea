// The data a fortio-compatible run hands to the formatters (filled in by the
// load engine) and fortio's naming conventions around it: labels and run ID.
// Shared by fortio-text.ts and fortio-json.ts.
import { hostname } from 'node:os';
import type { FortioHistogramState } from './fortio-histogram.js';

/** The run options fortio's reports show (the load engine's LoadOptions extends them). */
export interface FortioRunOptions {
  /** Target URL as the user wrote it (may name a mesh host, e.g. http://httpbin:8000/get). */
  url: string;
  /** -c (default 4). */
  connections: number;
  /** -qps total (default 8; 0 or negative = max speed, closed loop). */
  qps: number;
  /** -n exact total calls (0 = use duration). */
  exactly: number;
  /** -t in ms (default 5000; 0 = until stopped). Ignored when exactly > 0. */
  durationMs: number;
  method: string;
  payload: Buffer | null;
  contentType: string;
  /** -p (default [50, 75, 90, 99, 99.9]). */
  percentiles: number[];
  /** -r in seconds (default 0.001): lowest fortio bucket width. */
  resolution: number;
  offsetMs: number;
  uniform: boolean;
  jitter: boolean;
  noCatchUp: boolean;
  /** -timeout (default 3000 ms): connect + response. */
  timeoutMs: number;
  /** -abort-on: HTTP code that stops the run (0 = off, -1 = socket error). */
  abortOn: number;
  keepalive: boolean;
  /** -stdclient: the standard HTTP client instead of fortio's fast one (absent = fast). */
  stdClient?: boolean;
  labels: string;
  runId: number;
  /** Log level as fortio names it (Debug, Verbose, Info, Warning, Error, Critical, Fatal). */
  logLevel: string;
}

export interface FortioRunData {
  options: FortioRunOptions;
  /** Short version string, e.g. MESHBENCH_FORTIO_VERSION. */
  version: string;
  /** Start of the timed run (after warmup). */
  startTime: Date;
  actualDurationNs: number;
  calls: number;
  /** Status code (decimal string, "-1" = socket error) → count. */
  retCodes: Record<string, number>;
  /** Seconds. */
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
