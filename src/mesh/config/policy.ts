// The effective traffic policy of one Envoy cluster `outbound|port|subset|host`
// (spec §3.1): what the proxy core asks when it builds a cluster. Merging follows
// pilot's MergeTrafficPolicy: top-level port settings first, then the subset's
// blocks replace whole blocks, then the subset's port settings replace wholesale.

import { UNLIMITED_THRESHOLD, type IstioProfile } from './istio-profile.js';
import type { ConnectionPool, DestinationRule, LbPolicy, OutlierDetection, RetryPolicy, TrafficPolicy } from './model.js';

/** 2^32-1: Istio's "no circuit breaking" threshold (spec §3.3). */
export const MAX_THRESHOLD = UNLIMITED_THRESHOLD;

export const DEFAULT_CONNECTION_POOL: Readonly<ConnectionPool> = Object.freeze({
  maxConnections: MAX_THRESHOLD,
  connectTimeoutMs: 10_000,
  http1MaxPendingRequests: MAX_THRESHOLD,
  http2MaxRequests: MAX_THRESHOLD,
  maxRequestsPerConnection: 0,
  maxRetries: MAX_THRESHOLD,
  idleTimeoutMs: 3_600_000,
});

/** Envoy's retry back-off base interval when none is configured (25 ms; the maximum is 10x, spec §5.3). */
export const ENVOY_RETRY_BASE_INTERVAL_MS = 25;

/** Istio's built-in outbound retry policy for `retries: null` (spec §2.6): 2 retries, the release's conditions and codes. */
export function defaultRetryPolicy(istio: IstioProfile): RetryPolicy {
  return {
    numRetries: 2,
    perTryTimeoutMs: null,
    retryOn: [...istio.defaultRetryOn],
    retriableStatusCodes: [...istio.defaultRetriableStatusCodes],
    backoffBaseMs: ENVOY_RETRY_BASE_INTERVAL_MS,
    retryIgnorePreviousHosts: true,
    hostSelectionRetryMaxAttempts: 5,
  };
}

/** Envoy/Istio defaults for an outlierDetection block with no fields set (spec §3.4). */
export function defaultOutlierDetection(): OutlierDetection {
  return {
    consecutive5xx: 5,
    enforcingConsecutive5xx: 100,
    consecutiveGatewayFailure: 5,
    enforcingConsecutiveGatewayFailure: 0,
    splitExternalLocalOriginErrors: false,
    consecutiveLocalOriginFailure: 5,
    enforcingConsecutiveLocalOriginFailure: 100,
    intervalMs: 10_000,
    baseEjectionTimeMs: 30_000,
    maxEjectionTimeMs: 300_000,
    maxEjectionPercent: 10,
    healthyPanicThreshold: 0,
  };
}

export interface EffectivePolicy {
  lb: LbPolicy;
  /** Every field filled (Istio defaults where the DR says nothing). */
  pool: ConnectionPool;
  /** Absent: no outlier detection on this cluster. */
  outlier?: OutlierDetection;
}

type Blocks = Omit<TrafficPolicy, 'portLevelSettings'>;

function withPortLevel(tp: TrafficPolicy, port: number | undefined): Blocks {
  const pls = port === undefined ? undefined : tp.portLevelSettings?.find((p) => p.port === port);
  // Port-level settings replace wholesale: blocks they omit fall back to defaults.
  if (pls) return { loadBalancer: pls.loadBalancer, connectionPool: pls.connectionPool, outlierDetection: pls.outlierDetection };
  return { loadBalancer: tp.loadBalancer, connectionPool: tp.connectionPool, outlierDetection: tp.outlierDetection };
}

/** The pool of a cluster whose DestinationRule sets no limits, under `istio`'s circuit-breaker defaults. */
export function defaultConnectionPool(istio: IstioProfile): ConnectionPool {
  const t = istio.defaultCircuitBreakerThreshold;
  return { ...DEFAULT_CONNECTION_POOL, maxConnections: t, http1MaxPendingRequests: t, http2MaxRequests: t, maxRetries: t };
}

/** Policy of cluster `outbound|port|subset|dr.host`; dr undefined = no DestinationRule; defaults from `istio`. */
export function effectivePolicy(dr: DestinationRule | undefined, subset: string | undefined, port: number | undefined, istio: IstioProfile): EffectivePolicy {
  let blocks: Blocks = dr?.trafficPolicy ? withPortLevel(dr.trafficPolicy, port) : {};
  const sp = subset === undefined ? undefined : dr?.subsets.find((s) => s.name === subset)?.trafficPolicy;
  if (sp) {
    blocks = {
      loadBalancer: sp.loadBalancer ?? blocks.loadBalancer,
      connectionPool: sp.connectionPool ?? blocks.connectionPool,
      outlierDetection: sp.outlierDetection ?? blocks.outlierDetection,
    };
    const pls = port === undefined ? undefined : sp.portLevelSettings?.find((p) => p.port === port);
    if (pls) blocks = { loadBalancer: pls.loadBalancer, connectionPool: pls.connectionPool, outlierDetection: pls.outlierDetection };
  }
  const out: EffectivePolicy = {
    lb: blocks.loadBalancer ?? { simple: istio.defaultLb },
    pool: { ...defaultConnectionPool(istio), ...definedOnly(blocks.connectionPool ?? {}) },
  };
  if (blocks.outlierDetection) out.outlier = { ...blocks.outlierDetection };
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
