// HTTP connection manager, router and fault filter stats of one outbound
// listener, `http.outbound_0.0.0.0_<port>.<stat>` (spec §8).

import type { Counter, StatsStore } from '../stats/store.js';
import { hcmScope } from '../stats/stat-names.js';

export const HCM_COUNTERS = [
  'rq_total',
  'no_route',
  'no_cluster',
  'rq_redirect',
  'rq_direct_response',
  'downstream_rq_completed',
  'downstream_rq_1xx',
  'downstream_rq_2xx',
  'downstream_rq_3xx',
  'downstream_rq_4xx',
  'downstream_rq_5xx',
  'fault.delays_injected',
  'fault.aborts_injected',
  'fault.faults_overflow',
] as const;

export const HCM_GAUGES = ['downstream_rq_active', 'fault.active_faults'] as const;

export type HcmStats = ReturnType<typeof bindHcm>;

function bindHcm(store: StatsStore, port: number) {
  return store.scope(hcmScope(port), HCM_COUNTERS, HCM_GAUGES);
}

/** Per-port HCM stats, bound on first use. */
export class HcmStatsByPort {
  readonly #byPort = new Map<number, HcmStats>();
  constructor(private readonly store: StatsStore) {}
  get(port: number): HcmStats {
    let s = this.#byPort.get(port);
    if (!s) {
      s = bindHcm(this.store, port);
      this.#byPort.set(port, s);
    }
    return s;
  }
}

/** `downstream_rq_<N>xx` by status class. */
export function chargeDownstream(s: HcmStats, status: number): void {
  s.downstream_rq_completed.inc();
  const c = Math.floor(status / 100);
  const k = c === 1 ? s.downstream_rq_1xx : c === 2 ? s.downstream_rq_2xx : c === 3 ? s.downstream_rq_3xx : c === 4 ? s.downstream_rq_4xx : s.downstream_rq_5xx;
  (k as Counter).inc();
}
