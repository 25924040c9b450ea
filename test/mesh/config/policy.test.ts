// effectivePolicy: pilot's MergeTrafficPolicy (spec §3.1) and Istio's pool defaults (§3.3).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONNECTION_POOL, defaultRetryPolicy, effectivePolicy, MAX_THRESHOLD } from '../../../src/mesh/config/policy.js';
import { currentProfile } from '../../../src/mesh/config/istio-profile.js';

const CURRENT = currentProfile();
import { compileText, HTTPBIN } from './helpers.js';

const DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: pol}
spec:
  host: httpbin
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool:
      tcp: {maxConnections: 10, connectTimeout: 2s}
      http: {http1MaxPendingRequests: 0, maxRetries: 3}
    outlierDetection: {consecutive5xxErrors: 2}
    portLevelSettings:
    - port: {number: 9000}
      connectionPool:
        http: {http2MaxRequests: 7}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      connectionPool:
        http: {maxRequestsPerConnection: 1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {simple: RANDOM}
      portLevelSettings:
      - port: {number: 8000}
        outlierDetection: {consecutiveGatewayErrors: 4}
  - name: v3
    labels: {version: v3}
`;

test('no DestinationRule: Istio defaults (2^32-1 thresholds, 10s connect, 1h idle, LEAST_REQUEST, no OD)', () => {
  const p = effectivePolicy(undefined, undefined, 8000, CURRENT);
  assert.deepEqual(p, { lb: { simple: 'LEAST_REQUEST' }, pool: { ...DEFAULT_CONNECTION_POOL } });
  assert.equal(p.pool.maxConnections, MAX_THRESHOLD);
  assert.equal(MAX_THRESHOLD, 2 ** 32 - 1);
});

test('top-level policy; 0 keeps the default; port-level replaces blocks wholesale', () => {
  const dr = compileText(DR).destinationRules[0];
  assert.deepEqual(dr.trafficPolicy?.connectionPool, { maxConnections: 10, connectTimeoutMs: 2000, maxRetries: 3 });
  const p = effectivePolicy(dr, undefined, 8000, CURRENT);
  assert.deepEqual(p.lb, { simple: 'ROUND_ROBIN' });
  assert.equal(p.pool.maxConnections, 10);
  assert.equal(p.pool.http1MaxPendingRequests, MAX_THRESHOLD);
  assert.equal(p.outlier?.consecutive5xx, 2);
  const port9000 = effectivePolicy(dr, undefined, 9000, CURRENT);
  // Port settings do not inherit: LB and OD fall back to defaults, pool has only http2MaxRequests.
  assert.deepEqual(port9000, { lb: { simple: 'LEAST_REQUEST' }, pool: { ...DEFAULT_CONNECTION_POOL, http2MaxRequests: 7 } });
});

test('subset blocks replace top-level blocks block by block', () => {
  const dr = compileText(DR).destinationRules[0];
  const v1 = effectivePolicy(dr, 'v1', 8000, CURRENT);
  assert.deepEqual(v1.pool, { ...DEFAULT_CONNECTION_POOL, maxRequestsPerConnection: 1 }); // whole pool block replaced
  assert.deepEqual(v1.lb, { simple: 'ROUND_ROBIN' }); // inherited
  assert.equal(v1.outlier?.consecutive5xx, 2); // inherited
  const v2 = effectivePolicy(dr, 'v2', 8000, CURRENT);
  // Subset port settings win wholesale for port 8000.
  assert.deepEqual(v2.lb, { simple: 'LEAST_REQUEST' });
  assert.equal(v2.outlier?.consecutiveGatewayFailure, 4);
  assert.equal(v2.outlier?.enforcingConsecutiveGatewayFailure, 100);
  assert.deepEqual(v2.pool, { ...DEFAULT_CONNECTION_POOL });
  const v2other = effectivePolicy(dr, 'v2', 9000, CURRENT);
  assert.deepEqual(v2other.lb, { simple: 'RANDOM' });
  assert.equal(v2other.pool.http2MaxRequests, 7); // top-level port 9000 settings, then subset blocks (pool not set in subset)
  const v3 = effectivePolicy(dr, 'v3', 8000, CURRENT);
  assert.deepEqual(v3, effectivePolicy(dr, undefined, 8000, CURRENT));
});

test('default retry policy for `retries` omitted (Istio 1.24+: 2 retries, no 503)', () => {
  const DEFAULT_RETRY_POLICY = defaultRetryPolicy(CURRENT);
  assert.equal(DEFAULT_RETRY_POLICY.numRetries, 2);
  assert.deepEqual(DEFAULT_RETRY_POLICY.retryOn, ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']);
  assert.deepEqual(DEFAULT_RETRY_POLICY.retriableStatusCodes, []);
});

test('policy DR compiles alongside a real service without warnings', () => {
  const cfg = compileText(HTTPBIN.replace(/---\napiVersion: networking\.istio\.io\/v1\nkind: DestinationRule[\s\S]*$/, '') + '---' + DR);
  assert.deepEqual(cfg.warnings, []);
});

test('idle timeout: http.idleTimeout wins, tcp.idleTimeout 0s disables (spec §3.3)', () => {
  const dr = (pool: string) =>
    compileText(`apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: i}\nspec:\n  host: httpbin\n  trafficPolicy:\n    connectionPool:\n${pool}\n`).destinationRules[0];
  assert.equal(effectivePolicy(dr('      tcp: {idleTimeout: 0s}'), undefined, 80, CURRENT).pool.idleTimeoutMs, 0);
  assert.equal(effectivePolicy(dr('      tcp: {idleTimeout: 30s}\n      http: {idleTimeout: 5s}'), undefined, 80, CURRENT).pool.idleTimeoutMs, 5000);
  assert.equal(effectivePolicy(dr('      tcp: {idleTimeout: 30s}'), undefined, 80, CURRENT).pool.idleTimeoutMs, 30_000);
});
