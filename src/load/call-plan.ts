// How a run's calls split over connections, as fortio's periodic runner splits
// them over goroutines (runQPSSetup / runMaxQPSSetup), and the header fortio
// prints about that plan before the run.
import { availableParallelism } from 'node:os';
import { fortioHeaderText, type FortioHeaderOptions } from '../report/fortio-text.js';
import type { LoadOptions } from './types.js';

export interface CallPlan {
  /** Effective connections (fortio lowers -c when 2·c > planned calls at fixed qps). */
  numThreads: number;
  /** Calls per connection (0 = open-ended: duration or until stopped). */
  perThread: number;
  /** Extra calls done by connection 0 (exactly mode). */
  leftOver: number;
  /** Calls for each connection (numThreads entries); Infinity when the duration (or a stop) ends the run. */
  calls: number[];
}

/**
 * fortio's split: -n gives n/c calls per connection, the remainder to connection 0.
 * At fixed qps for a duration fortio plans int(qps × duration) calls (at least 2),
 * perThread each, and lowers the connection count to calls/2 when there are fewer
 * than 2 calls per connection.
 */
export function fortioCallPlan(o: Pick<LoadOptions, 'connections' | 'qps' | 'exactly' | 'durationMs'>): CallPlan {
  let threads = Math.max(1, o.connections);
  const useExactly = o.exactly > 0;
  if (o.qps > 0 && (useExactly || o.durationMs > 0)) {
    let numCalls = useExactly ? o.exactly : Math.trunc(o.qps * (o.durationMs / 1000));
    if (numCalls < 2) {
      numCalls = 2;
      threads = 1;
    }
    if (2 * threads > numCalls) threads = Math.trunc(numCalls / 2);
    const perThread = Math.trunc(numCalls / threads);
    // At fixed qps for a duration every connection makes perThread calls; with -n the remainder goes to connection 0.
    const leftOver = useExactly ? o.exactly - perThread * threads : 0;
    return plan(threads, perThread, leftOver);
  }
  if (useExactly) return plan(threads, Math.trunc(o.exactly / threads), o.exactly % threads);
  return { numThreads: threads, perThread: 0, leftOver: 0, calls: new Array<number>(threads).fill(Infinity) };
}

function plan(numThreads: number, perThread: number, leftOver: number): CallPlan {
  const calls = new Array<number>(numThreads).fill(perThread);
  calls[0] += leftOver;
  return { numThreads, perThread, leftOver, calls };
}

/** Connections per worker, as even as possible, earlier workers taking the extra. */
export function splitConnections(connections: number, workers: number): number[] {
  const base = Math.floor(connections / workers);
  const extra = connections % workers;
  return Array.from({ length: workers }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * The lines fortio prints before the run ("Fortio … running at …" and, level
 * permitting, "Starting at …" with this plan). `procs` stands in for GOMAXPROCS.
 */
export function formatFortioHeader(o: LoadOptions, h: Omit<FortioHeaderOptions, 'procs'> & { procs?: number }): string {
  return fortioHeaderText(o, fortioCallPlan(o), { version: h.version, procs: h.procs ?? availableParallelism() });
}
