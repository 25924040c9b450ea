// Envoy's cluster stats (cluster_stats.rst, spec §8), declared once, bound per
// cluster under its scope `cluster.<name>` (stats/stat-names.ts).

import type { Counter, StatsStore } from '../stats/store.js';
import { clusterScope } from '../stats/stat-names.js';

export const CLUSTER_COUNTERS = [
  'upstream_rq_total',
  'upstream_rq_completed',
  'upstream_rq_pending_total',
  'upstream_rq_pending_overflow',
  'upstream_rq_pending_failure_eject',
  'upstream_rq_cancelled',
  'upstream_rq_timeout',
  'upstream_rq_per_try_timeout',
  'upstream_rq_retry',
  'upstream_rq_retry_success',
  'upstream_rq_retry_overflow',
  'upstream_rq_retry_limit_exceeded',
  'upstream_rq_rx_reset',
  'upstream_rq_tx_reset',
  'upstream_cx_total',
  'upstream_cx_overflow',
  'upstream_cx_connect_fail',
  'upstream_cx_connect_timeout',
  'upstream_cx_max_requests',
  'upstream_cx_none_healthy',
  'upstream_cx_destroy',
  'upstream_cx_idle_timeout',
] as const;

export const CLUSTER_GAUGES = [
  'upstream_rq_active',
  'upstream_rq_pending_active',
  'upstream_cx_active',
  'circuit_breakers.default.cx_open',
  'circuit_breakers.default.cx_pool_open',
  'circuit_breakers.default.rq_pending_open',
  'circuit_breakers.default.rq_open',
  'circuit_breakers.default.rq_retry_open',
  'circuit_breakers.default.remaining_cx',
  'circuit_breakers.default.remaining_pending',
  'circuit_breakers.default.remaining_rq',
  'circuit_breakers.default.remaining_retries',
  // Istio configures only the DEFAULT priority: the HIGH gauges exist and stay 0.
  'circuit_breakers.high.cx_open',
  'circuit_breakers.high.cx_pool_open',
  'circuit_breakers.high.rq_pending_open',
  'circuit_breakers.high.rq_open',
  'circuit_breakers.high.rq_retry_open',
] as const;

export type ClusterStats = ReturnType<typeof bindClusterStats>;

export function bindClusterStats(store: StatsStore, clusterName: string, delimiter: '.' | ';.') {
  return store.scope(clusterScope(clusterName, delimiter), CLUSTER_COUNTERS, CLUSTER_GAUGES);
}

/**
 * Per-status-code counters (`upstream_rq_200`, `upstream_rq_2xx`, `retry.upstream_rq_503`),
 * created on first use and then held by code, so charging is an array index.
 */
export class ResponseCodeStats {
  readonly #plain: CodeCounters;
  readonly #retry: CodeCounters;
  constructor(store: StatsStore, prefix: string, completed: Counter) {
    this.#plain = new CodeCounters(store, `${prefix}.`, completed);
    this.#retry = new CodeCounters(store, `${prefix}.retry.`, undefined);
  }

  /**
   * Envoy chargeUpstreamCode: `upstream_rq_<code>`, `upstream_rq_<N>xx`, `upstream_rq_completed`.
   * A response that is retried is charged only under the `retry.` prefix
   * (router.cc chargeBasicResponseStat with the `retry` stat name).
   */
  charge(code: number, retried: boolean): void {
    (retried ? this.#retry : this.#plain).charge(code);
  }
}

class CodeCounters {
  readonly #byCode: Array<Counter | undefined> = [];
  readonly #byClass: Array<Counter | undefined> = [];
  #completed: Counter | undefined;
  constructor(
    private readonly store: StatsStore,
    private readonly prefix: string,
    completed: Counter | undefined,
  ) {
    this.#completed = completed;
  }
  charge(code: number): void {
    const p = this.prefix;
    (this.#byCode[code] ??= this.store.counter(`${p}upstream_rq_${code}`)).inc();
    const cls = Math.floor(code / 100);
    (this.#byClass[cls] ??= this.store.counter(`${p}upstream_rq_${cls}xx`)).inc();
    (this.#completed ??= this.store.counter(`${p}upstream_rq_completed`)).inc();
  }
}
