// Plain-data types of the load engine: options (normalized once, fortio's
// defaults), live snapshots (for the progress line and the Ink dashboard) and
// the final result (fortio-compatible JSON + meshbench's own fields).
import type { FortioJson } from '../report/fortio-json.js';
import type { FortioRunOptions } from '../report/fortio-run.js';

/** fortio's flags (as the reports show them) plus what only the engine reads. */
export interface LoadOptions extends FortioRunOptions {
  /**
   * Where to open sockets instead of the URL's host:port (like curl --connect-to).
   * Used to send `http://httpbin:8000/get` to a sidecar listener on 127.0.0.1:PORT
   * with `Host: httpbin:8000`.
   */
  connectTo?: { host: string; port: number };
  /** -H, in order, repeatable. A Host header replaces the URL's authority on the wire. */
  headers: Array<[string, string]>;
  allowInitialErrors: boolean;
  /** Worker threads; 0 = choose automatically (never more than connections). */
  workers: number;
}

/** Percentiles from an HDR histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/** Published by the coordinator several times a second; the UI only ever reads these. */
export interface LoadSnapshot {
  /** ms since the timed run started. */
  elapsedMs: number;
  /** Planned end: total calls (exactly mode) or duration in ms (0 = open-ended). */
  plannedCalls: number;
  plannedDurationMs: number;
  calls: number;
  /** Calls completed in the last interval / interval length. */
  windowQps: number;
  /** calls / elapsed. */
  achievedQps: number;
  /** 0 = max. */
  requestedQps: number;
  /** Service time (actual send -> response) over the last interval and since start. */
  window: LatencySummary;
  cumulative: LatencySummary;
  /** From the intended send time (coordinated-omission corrected); only at fixed qps. */
  correctedCumulative?: LatencySummary;
  /** Status code (string, "-1" = socket error) -> count, since start. */
  codes: Record<string, number>;
  socketsOpened: number;
  /** How far the slowest connection is behind its schedule now (ms); 0 in max mode. */
  behindScheduleMs: number;
  /** Max event-loop delay seen in the workers over the last interval (ms). */
  eventLoopLagMs: number;
  /**
   * Event-loop utilization (0..1) of the busiest load worker over the last interval:
   * near 1 means the generator, not the target, is the limit. (Optional: added by the load engine.)
   */
  workerUtilization?: number;
  workers: number;
  done: boolean;
}

/** The fortio-compatible result plus meshbench's fields under `MeshBench`. */
export interface LoadResult {
  /** Key order follows fortio's Go struct; see src/report/fortio-json.ts. */
  fortio: FortioJson;
  /** meshbench extras (HDR percentiles, corrected latency, generator health). */
  meshbench: {
    serviceTime: LatencySummary;
    correctedTime?: LatencySummary;
    requestedQps: number;
    achievedQps: number;
    fellBehind: boolean;
    maxBehindScheduleMs: number;
    maxEventLoopLagMs: number;
    /** Busiest load worker's event-loop utilization (0..1) over the timed run (optional). */
    workerUtilization?: number;
    workers: number;
    interrupted: boolean;
    /** Encoded (base64, compressed) HDR of service time in microseconds, for exact later merges. */
    hdrServiceTime: string;
  };
}
