// The traffic policy one cluster gets from its DestinationRule (spec §3.1, §3.3).
// Private fallback for src/mesh/config/policy.ts `effectivePolicy` (same signature):
// port-level settings replace the destination-level blocks wholesale, a subset's
// blocks replace the inherited ones block by block, pool fields <= 0 keep Istio's
// defaults (2^32-1 thresholds, 10 s connect timeout, 1 h idle timeout).

import type { ConnectionPool, DestinationRule, LbPolicy, OutlierDetection, TrafficPolicy } from '../config/model.js';

export const MAX_U32 = 4294967295;

export const ISTIO_POOL_DEFAULTS: ConnectionPool = {
  maxConnections: MAX_U32,
  connectTimeoutMs: 10_000,
  http1MaxPendingRequests: MAX_U32,
  http2MaxRequests: MAX_U32,
  maxRequestsPerConnection: 0,
  maxRetries: MAX_U32,
  idleTimeoutMs: 3_600_000,
};

export interface EffectivePolicy {
  lb: LbPolicy;
  pool: ConnectionPool;
  outlier?: OutlierDetection;
}

function forPort(tp: TrafficPolicy | undefined, port: number): TrafficPolicy | undefined {
  if (!tp) return undefined;
  const pl = tp.portLevelSettings?.find((p) => p.port === port);
  if (!pl) return tp;
  const { port: _p, ...blocks } = pl;
  return blocks;
}

export function fillPool(p: Partial<ConnectionPool> | undefined): ConnectionPool {
  const out = { ...ISTIO_POOL_DEFAULTS };
  if (!p) return out;
  for (const k of Object.keys(out) as Array<keyof ConnectionPool>) {
    const v = p[k];
    if (typeof v === 'number' && v > 0) out[k] = v;
  }
  return out;
}

export function effectivePolicyFallback(
  dr: DestinationRule | undefined,
  subset: string | undefined,
  port: number,
): EffectivePolicy {
  let tp = forPort(dr?.trafficPolicy, port);
  if (subset !== undefined) {
    const sp = forPort(dr?.subsets.find((s) => s.name === subset)?.trafficPolicy, port);
    if (sp) {
      tp = {
        loadBalancer: sp.loadBalancer ?? tp?.loadBalancer,
        connectionPool: sp.connectionPool ?? tp?.connectionPool,
        outlierDetection: sp.outlierDetection ?? tp?.outlierDetection,
      };
    }
  }
  const out: EffectivePolicy = {
    lb: tp?.loadBalancer ?? { simple: 'LEAST_REQUEST' },
    pool: fillPool(tp?.connectionPool),
  };
  if (tp?.outlierDetection) out.outlier = tp.outlierDetection;
  return out;
}
