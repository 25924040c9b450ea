// Istio version profiles through real sockets: each release-dependent rule on both
// sides of its boundary (docs/behaviour.md "Istio version profiles"; spec §1.4,
// §2.6, §3.2, §3.3, §3.4, §6, §8, §13).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, destinationRule, HTTPBIN_V1_V2, meshOf, request, service, sleep, virtualService, withProxy, workload } from './harness.js';

const FQDN = 'httpbin.default.svc.cluster.local';
/** The stat scope of the subset-less httpbin cluster under a release's delimiter. */
const scope = (delimiter: '.' | ';.'): string => `cluster.outbound|8000||${FQDN}${delimiter === ';.' ? ';' : ''}`;

/** The seed's circuit-breaking DestinationRule, verbatim (seed section 3). */
const SEED_DR = destinationRule(`  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 1
      http:
        http1MaxPendingRequests: 1
        maxRequestsPerConnection: 1
    outlierDetection:
      consecutiveErrors: 1
      interval: 1s
      baseEjectionTime: 3m
      maxEjectionPercent: 100`);

const ONE_REPLICA = CLIENT + workload('httpbin', 'httpbin', 'v1') + service('httpbin');

for (const release of ['1.5', '1.6']) {
  test(`consecutiveErrors under Istio ${release}: one 503 from the single replica ejects it (consecutive gateway errors, spec §3.4)`, async () => {
    const cfg = meshOf(ONE_REPLICA + SEED_DR, release);
    assert.equal(cfg.warnings.filter((w) => w.path.endsWith('consecutiveErrors')).length, 0, 'the field works here: no warning');
    const C = scope('.');
    await withProxy(cfg, async (px, up) => {
      await request(px.port, { path: '/status/503' });
      assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 1);
      assert.equal(px.counter(`${C}.outlier_detection.ejections_enforced_consecutive_gateway_failure`), 1);
      const r = await request(px.port);
      assert.equal(r.status, 503);
      assert.equal(r.body, 'no healthy upstream');
      // The default retries of the 503 found no healthy host: the pod saw one request.
      assert.equal(up.seen.length, 1);
    });
  });
}

test('consecutiveErrors under Istio 1.6 counts gateway errors only: a 500 does not eject', async () => {
  const C = scope('.');
  await withProxy(meshOf(ONE_REPLICA + SEED_DR, '1.6'), async (px) => {
    assert.equal((await request(px.port, { path: '/status/500' })).status, 500);
    assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 0);
    assert.equal((await request(px.port)).status, 200);
  });
});

for (const release of ['1.7', '1.28']) {
  test(`consecutiveErrors under Istio ${release}: ignored with a warning naming the release; one 503 does not eject`, async () => {
    const cfg = meshOf(ONE_REPLICA + SEED_DR, release);
    const w = cfg.warnings.find((x) => x.path === 'spec.trafficPolicy.outlierDetection.consecutiveErrors');
    assert.ok(w, 'warning on consecutiveErrors');
    assert.match(w.message, new RegExp(`^consecutiveErrors is ignored since Istio 1\\.7 \\(profile ${release.replace('.', '\\.')}\\)`));
    const C = scope(cfg.istio.clusterStatDelimiter); // '.' under 1.7, ';.' under 1.28
    await withProxy(cfg, async (px) => {
      assert.equal((await request(px.port, { path: '/status/503' })).status, 503);
      assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 0);
      assert.equal((await request(px.port)).status, 200);
    });
  });
}

test('default retry policy: Istio 1.23 retries an upstream 503 twice, 1.24 does not (spec §2.6)', async () => {
  for (const [release, tries] of [['1.23', 3], ['1.24', 1]] as const) {
    await withProxy(meshOf(ONE_REPLICA, release), async (px, up) => {
      const r = await request(px.port, { path: '/status/503' });
      assert.equal(r.status, 503);
      assert.equal(up.seen.length, tries, `Istio ${release}: tries`);
      assert.equal(px.counter(`${scope(';.')}.upstream_rq_retry`), tries - 1, `Istio ${release}: upstream_rq_retry`);
    });
  }
});

test('VirtualService retries with attempts but no retryOn keep the release default codes: 503 retried up to 1.23', async () => {
  const vs = virtualService(`  - route: [{destination: {host: httpbin}}]
    retries: {attempts: 1}`);
  for (const [release, tries] of [['1.23', 2], ['1.24', 1]] as const) {
    await withProxy(meshOf(ONE_REPLICA + vs, release), async (px, up) => {
      assert.equal((await request(px.port, { path: '/status/503' })).status, 503);
      assert.equal(up.seen.length, tries, `Istio ${release}`);
    });
  }
});

test('default load balancer: ROUND_ROBIN under Istio 1.13 (strict rotation), LEAST_REQUEST under 1.14 (spec §3.2)', async () => {
  const three = CLIENT + workload('httpbin', 'httpbin', 'v1', 8000, 3) + service('httpbin');
  const order = async (release: string): Promise<string[]> => {
    let pods: string[] = [];
    await withProxy(meshOf(three, release), async (px, up) => {
      for (let i = 0; i < 30; i++) assert.equal((await request(px.port)).status, 200);
      pods = up.seen.map((s) => s.pod);
    });
    return pods;
  };
  const rr = await order('1.13');
  assert.equal(new Set(rr.slice(0, 3)).size, 3);
  rr.forEach((p, i) => assert.equal(p, rr[i % 3], `request ${i} breaks the rotation: ${rr.join(' ')}`));
  // Idle hosts tie under LEAST_REQUEST: two random choices per pick, so no fixed rotation.
  const lr = await order('1.14');
  assert.equal(lr.length, 30);
  assert.ok(lr.some((p, i) => p !== lr[i % 3]), `1.14 rotated like ROUND_ROBIN: ${lr.join(' ')}`);
  assert.equal(new Set(lr).size, 3, 'every pod gets traffic');
});

test('circuit-breaker defaults at the oldest profile (1.5) and the current one: 2^32-1, not Envoy 1024 (spec §3.3)', async () => {
  for (const release of ['1.5', '1.28']) {
    await withProxy(meshOf(ONE_REPLICA, release), async (px) => {
      // 40 concurrent slow calls with no DestinationRule: nothing overflows, all reach the pod.
      const replies = await Promise.all(Array.from({ length: 40 }, () => request(px.port, { path: '/delay/100' })));
      assert.deepEqual([...new Set(replies.map((r) => r.status))], [200]);
      const pool = px.sidecar.clusters.get(FQDN, 8000, undefined)!.poolSettings;
      assert.deepEqual(
        [pool.maxConnections, pool.http1MaxPendingRequests, pool.http2MaxRequests, pool.maxRetries],
        [2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1],
        `Istio ${release}`,
      );
    });
  }
});

test('stat names: `cluster.<name>.<stat>` under Istio 1.22, `cluster.<name>;.<stat>` from 1.23 (spec §8)', async () => {
  for (const [release, delimiter] of [['1.22', '.'], ['1.23', ';.']] as const) {
    await withProxy(meshOf(ONE_REPLICA, release), async (px) => {
      assert.equal((await request(px.port)).status, 200);
      assert.equal(px.counter(`${scope(delimiter)}.upstream_rq_200`), 1, `Istio ${release}`);
      const other = delimiter === '.' ? ';.' : '.';
      assert.equal(px.maybeCounter(`${scope(other)}.upstream_rq_200`), undefined, `Istio ${release}: only one form`);
    });
  }
});

test('mirror host seen by the shadow: `-shadow` under Istio 1.6 (the seed), plain under 1.28 (spec §6)', async () => {
  const mesh = HTTPBIN_V1_V2 + virtualService(`  - route: [{destination: {host: httpbin, subset: v1}}]
    mirror: {host: httpbin, subset: v2}`);
  for (const [release, host] of [['1.6', 'httpbin-shadow:8000'], ['1.28', 'httpbin:8000']] as const) {
    await withProxy(meshOf(mesh, release), async (px, up) => {
      assert.equal((await request(px.port, { path: '/headers' })).status, 200);
      for (let i = 0; i < 50 && up.count('httpbin-v2-0') < 1; i++) await sleep(10);
      const shadow = up.seen.filter((s) => s.pod === 'httpbin-v2-0');
      assert.equal(shadow.length, 1, `Istio ${release}`);
      assert.equal(shadow[0]!.headers.host, host, `Istio ${release}`);
    });
  }
});
