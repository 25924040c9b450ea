// The inbound side of a pod's sidecar, as Istio's `inbound|<port>||` cluster
// counts it: every request that reached the app, its response code, and Envoy's
// `upstream_rq_time` histogram (ms from the request's arrival to the app's
// answer). meshbench's apps are reached directly on loopback, so the app server
// reports here what an inbound Envoy in front of it would have seen. This is the
// source of the per-hop view (src/scenario/hops.ts).

import { clusterScope, inboundClusterName } from './stat-names.js';
import type { Counter, Gauge, StatsStore } from './store.js';
import type { Histogram } from './histogram.js';

/** Response-code classes Envoy counts (`upstream_rq_2xx` …). */
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

export class InboundCluster {
  readonly #store: StatsStore;
  readonly #scope: string;
  readonly #total: Counter;
  readonly #completed: Counter;
  readonly #reset: Counter;
  readonly #active: Gauge;
  readonly #time: Histogram;
  readonly #classes: Counter[];
  readonly #codes = new Map<number, Counter>();

  constructor(store: StatsStore, port: number, delimiter: '.' | ';.') {
    this.#store = store;
    this.#scope = clusterScope(inboundClusterName(port), delimiter);
    const s = store.scope(this.#scope, ['upstream_rq_total', 'upstream_rq_completed', 'upstream_rq_rx_reset'] as const, ['upstream_rq_active'] as const);
    this.#total = s.upstream_rq_total;
    this.#completed = s.upstream_rq_completed;
    this.#reset = s.upstream_rq_rx_reset;
    this.#active = s.upstream_rq_active;
    this.#time = store.histogram(`${this.#scope}.upstream_rq_time`);
    this.#classes = CLASSES.map((c) => store.counter(`${this.#scope}.upstream_rq_${c}`));
  }

  /** A request reached the app; returns its arrival time for complete()/reset(). */
  arrive(now: number): number {
    this.#total.inc();
    this.#active.inc();
    return now;
  }

  /** The app answered `status` (counted once per request). */
  complete(arrivedAt: number, now: number, status: number): void {
    this.#active.dec();
    this.#completed.inc();
    this.#code(status).inc();
    const cls = this.#classes[Math.floor(status / 100) - 1];
    cls?.inc();
    this.#time.record(now - arrivedAt);
  }

  /**
   * The app closed the connection without an answer. Envoy's router then answers
   * 503 itself and charges it like a response code (chargeUpstreamAbort), plus
   * `upstream_rq_rx_reset`; no `upstream_rq_time` (the request never completed).
   */
  reset(): void {
    this.#active.dec();
    this.#reset.inc();
    this.#code(503).inc();
    this.#classes[4]!.inc();
  }

  /** A request that left without an answer from either side (caller gone while queued). */
  abandon(): void {
    this.#active.dec();
  }

  #code(status: number): Counter {
    let c = this.#codes.get(status);
    if (!c) this.#codes.set(status, (c = this.#store.counter(`${this.#scope}.upstream_rq_${status}`)));
    return c;
  }
}
