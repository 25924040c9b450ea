// Messages between the coordinator (main thread) and the load workers. Plain
// data only: everything here crosses a MessagePort by structured clone.

import type { MessagePort } from 'node:worker_threads';
import type { FortioHistogramState } from '../report/fortio-histogram.js';
import type { FortioRunHistogramStates } from './fortio-histogram.js';
import type { LoadOptions } from './types.js';

export interface WorkerTask {
  opts: LoadOptions;
  target: Target;
  /** Global index of this worker's first connection (for -uniform staggering). */
  firstConn: number;
  totalConns: number;
  /** Calls for each of this worker's connections; Infinity in duration mode. */
  calls: number[];
  /** Requests per second of each connection; 0 = closed loop. */
  perConnQps: number;
  /** One untimed call per connection before the run (fortio, duration mode). */
  warmup: boolean;
  /** Period of the interval deltas; 0 = none, only the final one. */
  deltaIntervalMs: number;
  port: MessagePort;
}

/** What happened in one worker since its previous delta. */
export interface WorkerDelta extends FortioRunHistogramStates {
  calls: number;
  /** Service time (actual send -> end), µs, HDR base64. */
  hdrService: string;
  /** From the intended send time (fixed qps only), µs, HDR base64; '' when unused. */
  hdrCorrected: string;
  /** code -> count. */
  codes: Record<string, number>;
  bytes: number;
  sockets: number;
  sleeps: number;
  negativeSleeps: number;
  /** Largest lateness (actual - intended send) of calls sent in the interval, ms. */
  behindMs: number;
  eventLoopLagMs: number;
  /** Event-loop utilization of this worker over the interval (0..1). */
  utilization: number;
}

export interface WorkerFinal {
  delta: WorkerDelta;
  /** Sockets opened by each of this worker's connections. */
  sockets: number[];
  ipCountMap: Record<string, number>;
  /** Per connection, for fortio's "# Socket and IP used for each connection" lines. */
  perConnection: Array<{ ipCounts: Record<string, number>; connectTimes: FortioHistogramState }>;
  /** Epoch ms (performance.timeOrigin based) when the last call ended. */
  endedAt: number;
  abortedOnCode: boolean;
  /** Event-loop utilization over the whole timed run (0..1). */
  runUtilization: number;
}

export type ToCoordinator =
  | { type: 'ready'; error?: string }
  | { type: 'delta'; delta: WorkerDelta }
  | { type: 'abort-on'; code: number }
  /** Last message of a run: on the same port as the deltas, so none can overtake it. */
  | { type: 'final'; final: WorkerFinal };

export type ToWorker = { type: 'start'; t0: number } | { type: 'stop' };

export interface Target {
  /** Address to open sockets to (resolved once, like fortio). */
  host: string;
  port: number;
  /** Value of the Host header (the URL's authority, or the user's -H Host). */
  hostHeader: string;
}
