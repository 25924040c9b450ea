// The Istio circuit-breaking task through a real sidecar (spec §4, §10.1): DR with
// maxConnections 1, http1MaxPendingRequests 1, maxRequestsPerConnection 1 and
// closed-loop clients (fortio -qps 0). 1 client: no 503; 2: some; 3: more; all
// 503s are `UO` local replies counted in upstream_rq_pending_overflow.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, closedLoop, destinationRule, meshOf, request, service, startSidecar, Upstreams, withProxy, workload } from './harness.js';

const YAML =
  CLIENT +
  workload('httpbin', 'httpbin', 'v1') +
  service('httpbin') +
  destinationRule(`  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 1}
      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 3m
      maxEjectionPercent: 100`);
const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';

test('overflow local reply: 503, exact body, x-envoy-overloaded, no service time (spec §4.3)', async () => {
  const cfg = meshOf(YAML);
  await withProxy(cfg, async (px) => {
    // Slow requests on many downstream connections: at most 2 connections (one per
    // worker pool) + 1 pending; the rest overflow at once.
    const rs = await Promise.all(Array.from({ length: 8 }, () => request(px.port, { path: '/delay/150' })));
    const over = rs.filter((r) => r.status === 503);
    assert.ok(over.length >= 5, `overflowed ${over.length}`);
    for (const r of over) {
      assert.equal(r.body, 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
      assert.equal(r.headers['x-envoy-overloaded'], 'true');
      assert.equal(r.headers['content-type'], 'text/plain');
      assert.equal(r.headers.server, 'envoy');
      assert.equal(r.headers['x-envoy-upstream-service-time'], undefined);
    }
    assert.equal(px.counter(`${C}.upstream_rq_pending_overflow`), over.length);
    assert.equal(px.counter(`${C}.upstream_rq_503`), over.length);
    // Overflow never feeds outlier detection: the only host is not ejected.
    assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 0);
    assert.equal((await request(px.port)).status, 200);
    assert.ok(px.counter(`${C}.upstream_cx_total`) >= 2);
    assert.equal(px.counter(`${C}.upstream_cx_max_requests`), px.counter(`${C}.upstream_rq_total`));
  });
});

test('closed-loop clients 1, 2, 3 -> 0, some, more 503s; pending_overflow == 503s (seed circuit breaking)', async () => {
  const cfg = meshOf(YAML);
  const up = await Upstreams.start(cfg);
  const rates: number[] = [];
  try {
    for (const [c, n] of [
      [1, 20],
      [2, 40],
      [3, 60],
    ] as const) {
      const px = await startSidecar(cfg, up);
      try {
        const codes = await closedLoop(px.port, c, n, { path: '/delay/2' });
        const e503 = codes.get(503) ?? 0;
        assert.equal((codes.get(200) ?? 0) + e503, n);
        assert.equal(px.counter(`${C}.upstream_rq_pending_overflow`), e503);
        assert.equal(px.gauge(`${C}.upstream_rq_pending_active`), 0);
        rates.push(e503 / n);
      } finally {
        await px.close();
      }
    }
    assert.equal(rates[0], 0);
    assert.ok(rates[1]! > 0, `c=2 503 rate ${rates[1]}`);
    assert.ok(rates[2]! > 0, `c=3 503 rate ${rates[2]}`);
    assert.ok(rates[2]! >= rates[1]! * 0.8, `rates ${rates.join(',')}`);
  } finally {
    await up.close();
  }
});
