// Circuit breaker resources of one cluster, priority DEFAULT (spec §4.1): shared by
// every host and every worker pool of the cluster. `canCreate()` is `current < limit`;
// the `*_open` gauge is 1 while `current >= limit`; `remaining_*` = limit - current
// (Istio 1.10-1.28 sets track_remaining).

import type { Gauge } from '../stats/store.js';
import type { ConnectionPool } from '../config/model.js';
import type { ClusterStats } from './cluster-stats.js';

export class Resource {
  current = 0;
  constructor(
    readonly limit: number,
    private readonly open: Gauge,
    private readonly remaining: Gauge,
  ) {
    this.#update();
  }
  canCreate(): boolean {
    return this.current < this.limit;
  }
  inc(): void {
    this.current++;
    this.#update();
  }
  dec(): void {
    this.current--;
    this.#update();
  }
  #update(): void {
    this.open.set(this.current >= this.limit ? 1 : 0);
    this.remaining.set(Math.max(0, this.limit - this.current));
  }
}

export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: Resource;
  constructor(pool: ConnectionPool, stats: ClusterStats) {
    const s = stats;
    this.connections = new Resource(pool.maxConnections, s['circuit_breakers.default.cx_open'], s['circuit_breakers.default.remaining_cx']);
    this.pendingRequests = new Resource(
      pool.http1MaxPendingRequests,
      s['circuit_breakers.default.rq_pending_open'],
      s['circuit_breakers.default.remaining_pending'],
    );
    this.requests = new Resource(pool.http2MaxRequests, s['circuit_breakers.default.rq_open'], s['circuit_breakers.default.remaining_rq']);
    this.retries = new Resource(pool.maxRetries, s['circuit_breakers.default.rq_retry_open'], s['circuit_breakers.default.remaining_retries']);
  }
}
