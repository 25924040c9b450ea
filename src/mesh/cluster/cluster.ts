// One Envoy cluster `outbound|<port>|<subset>|<fqdn>` inside one sidecar: its
// hosts, load balancer, circuit-breaker resources, outlier detector, stats, and
// one connection pool per (host, worker).
//
// Workers: a real sidecar runs `concurrency` = 2 worker threads and each worker
// has its own pool per host; downstream connections are spread over workers by
// the listener. That is where the Istio circuit-breaking task's "leeway" comes
// from: the max_connections limit is cluster-wide, but a pool with zero
// connections may always open one (spec §4.2), so up to hosts x workers
// connections can exist with maxConnections: 1.

import type { StatsStore } from '../stats/store.js';
import { clusterScope } from '../stats/stat-names.js';
import type { ConnectionPool, LbPolicy, OutlierDetection } from '../config/model.js';
import { OutlierDetector } from '../outlier/detector.js';
import { bindClusterStats, ResponseCodeStats, type ClusterStats } from './cluster-stats.js';
import { ResourceManager } from './resource-manager.js';
import { ConnPool, type PoolSettings } from './conn-pool.js';
import type { Host } from './host.js';
import { createLoadBalancer, type LoadBalancer } from '../lb/load-balancer.js';

export const WORKER_CONCURRENCY = 2;

/** Envoy's default healthy_panic_threshold when no outlier detection is configured. */
const ENVOY_DEFAULT_PANIC_THRESHOLD = 50;

export interface ClusterOptions {
  name: string;
  hosts: Host[];
  lb: LbPolicy;
  pool: ConnectionPool;
  outlier?: OutlierDetection;
  store: StatsStore;
  random: () => number;
  /** How the stat names join cluster and stat (the Istio profile's clusterStatDelimiter). */
  statDelimiter: '.' | ';.';
}

export class Cluster {
  readonly name: string;
  readonly stats: ClusterStats;
  readonly codes: ResponseCodeStats;
  readonly resources: ResourceManager;
  readonly hosts: readonly Host[];
  readonly outlier: OutlierDetector | undefined;
  readonly poolSettings: ConnectionPool;
  readonly isConsistentHash: boolean;
  readonly hashPolicy: LbPolicy;
  /** One per (host, worker), created on first use: a 1000-replica service costs nothing until called. */
  readonly #pools: Array<ConnPool | undefined> = [];
  readonly #poolSettings: PoolSettings;
  readonly #lb: LoadBalancer;
  readonly #panicThreshold: number;

  constructor(o: ClusterOptions) {
    this.name = o.name;
    const prefix = clusterScope(o.name, o.statDelimiter);
    this.stats = bindClusterStats(o.store, o.name, o.statDelimiter);
    this.codes = new ResponseCodeStats(o.store, prefix, this.stats.upstream_rq_completed);
    this.resources = new ResourceManager(o.pool, this.stats);
    this.hosts = o.hosts;
    this.poolSettings = o.pool;
    this.hashPolicy = o.lb;
    this.isConsistentHash = 'consistentHash' in o.lb;
    this.outlier = o.outlier
      ? new OutlierDetector(o.outlier, o.hosts.map((h) => h.id), o.store, prefix)
      : undefined;
    this.#panicThreshold = o.outlier ? o.outlier.healthyPanicThreshold : ENVOY_DEFAULT_PANIC_THRESHOLD;
    this.#lb = createLoadBalancer(o.lb, o.random);
    this.#poolSettings = {
      connectTimeoutMs: o.pool.connectTimeoutMs,
      maxRequestsPerConnection: o.pool.maxRequestsPerConnection,
      idleTimeoutMs: o.pool.idleTimeoutMs,
    };
  }

  pool(host: Host, worker: number): ConnPool {
    const i = host.index * WORKER_CONCURRENCY + (worker % WORKER_CONCURRENCY);
    return (this.#pools[i] ??= new ConnPool(host, this.stats, this.resources, this.#poolSettings, this.outlier));
  }

  /**
   * Host selection with Envoy's previous_hosts retry predicate: up to `maxAttempts`
   * picks avoiding hosts already tried. Undefined = no healthy upstream.
   */
  chooseHost(hashKey: string | undefined, previous: readonly Host[] | undefined, maxAttempts: number): Host | undefined {
    const candidates = this.#candidates();
    if (candidates.length === 0) return undefined;
    let h = this.#lb.chooseHost(candidates, hashKey);
    if (previous && previous.length > 0 && candidates.length > 1) {
      for (let i = 1; i < maxAttempts && h && previous.includes(h); i++) h = this.#lb.chooseHost(candidates, hashKey);
    }
    return h;
  }

  /** Healthy hosts, or all hosts in panic mode (healthy % below the panic threshold). */
  #candidates(): readonly Host[] {
    const od = this.outlier;
    if (!od || od.ejectedCount() === 0) return this.hosts;
    const healthy = this.hosts.filter((h) => !od.isEjected(h.id));
    if (this.#panicThreshold > 0 && (100 * healthy.length) / this.hosts.length < this.#panicThreshold) return this.hosts;
    return healthy;
  }

  close(): void {
    for (const p of this.#pools) p?.destroy();
    this.outlier?.close();
  }
}
