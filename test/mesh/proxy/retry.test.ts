// Route timeout, per-try timeout and retries (spec §2.5, §2.6, §5.1-§5.3, §4.4).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, destinationRule, type Handler, meshOf, request, service, sleep, startSidecar, Upstreams, virtualService, withProxy, workload } from './harness.js';
import { RetryState } from '../../../src/mesh/router/retry-state.js';
import type { Cluster } from '../../../src/mesh/cluster/cluster.js';
import { defaultRetryPolicy } from '../../../src/mesh/config/policy.js';
import { currentProfile } from '../../../src/mesh/config/istio-profile.js';

const DEFAULT_RETRY_POLICY = defaultRetryPolicy(currentProfile());

const mesh = (route: string, dr = ''): string =>
  CLIENT +
  workload('httpbin-v1', 'httpbin', 'v1') +
  service('httpbin') +
  dr +
  virtualService(`  - route: [{destination: {host: httpbin}}]
${route}`);
const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';

test('route timeout -> 504 `upstream request timeout` near the configured time, upstream_rq_timeout (spec §5.1)', async () => {
  await withProxy(mesh('    timeout: 200ms'), async (px, up) => {
    const r = await request(px.port, { path: '/delay/1000' });
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers['x-envoy-upstream-service-time'], undefined);
    assert.ok(r.ms >= 190 && r.ms < 900, `took ${r.ms}`);
    assert.equal(px.counter(`${C}.upstream_rq_timeout`), 1);
    assert.equal(px.counter(`${C}.upstream_rq_504`), 1);
    // A route timeout is never retried (default policy in place).
    assert.equal(up.seen.length, 1);
    // Fast request: expected timeout header forwarded, override header consumed.
    const ok = await request(px.port, { path: '/get' });
    const h = (JSON.parse(ok.body) as { headers: Record<string, string> }).headers;
    assert.ok(Number(h['x-envoy-expected-rq-timeout-ms']) <= 200);
  });
});

test('x-envoy-upstream-rq-timeout-ms overrides the route timeout and is not forwarded', async () => {
  await withProxy(mesh(''), async (px, up) => {
    const r = await request(px.port, { path: '/delay/1000', headers: { 'x-envoy-upstream-rq-timeout-ms': '100' } });
    assert.equal(r.status, 504);
    assert.ok(r.ms < 800);
    assert.equal(up.seen[0]!.headers['x-envoy-upstream-rq-timeout-ms'], undefined);
    assert.equal(up.seen[0]!.headers['x-envoy-expected-rq-timeout-ms'], '100');
  });
});

test('retryOn 5xx, attempts 2: three tries with x-envoy-attempt-count 1..3, last 503 returned', async () => {
  await withProxy(mesh('    retries: {attempts: 2, retryOn: 5xx, perTryTimeout: 1s}'), async (px, up) => {
    const r = await request(px.port, { path: '/status/503' });
    assert.equal(r.status, 503);
    assert.equal(r.body, '');
    assert.deepEqual(
      up.seen.map((s) => s.headers['x-envoy-attempt-count']),
      ['1', '2', '3'],
    );
    assert.equal(px.counter(`${C}.upstream_rq_retry`), 2);
    assert.equal(px.counter(`${C}.upstream_rq_retry_limit_exceeded`), 1);
    // Retried responses are charged under `retry.` only (router.cc chargeBasicResponseStat).
    assert.equal(px.counter(`${C}.retry.upstream_rq_503`), 2);
    assert.equal(px.counter(`${C}.retry.upstream_rq_5xx`), 2);
    assert.equal(px.counter(`${C}.upstream_rq_503`), 1);
    assert.equal(px.counter(`${C}.upstream_rq_completed`), 1);
    assert.equal(px.gauge(`${C}.circuit_breakers.default.remaining_retries`), 4294967295);
  });
});

test('retry success: 503 then 200 -> 200, upstream_rq_retry_success', async () => {
  let n = 0;
  const flaky: Handler = (_req, res) => {
    n++;
    res.writeHead(n === 1 ? 503 : 200, { 'content-length': '2' });
    res.end('ok');
  };
  await withProxy(
    mesh('    retries: {attempts: 3, retryOn: "gateway-error"}'),
    async (px) => {
      const r = await request(px.port);
      assert.equal(r.status, 200);
      assert.equal(px.counter(`${C}.upstream_rq_retry`), 1);
      assert.equal(px.counter(`${C}.upstream_rq_retry_success`), 1);
    },
    { handler: flaky },
  );
});

test('default policy (Istio 1.24+): an upstream 503 is NOT retried (spec §2.6)', async () => {
  await withProxy(mesh(''), async (px, up) => {
    const r = await request(px.port, { path: '/status/503' });
    assert.equal(r.status, 503);
    assert.equal(up.seen.length, 1);
    assert.equal(px.counter(`${C}.upstream_rq_retry`), 0);
  });
});

test('numeric retryOn codes: 502 retried, 503 not', async () => {
  await withProxy(mesh('    retries: {attempts: 1, retryOn: "502"}'), async (px, up) => {
    await request(px.port, { path: '/status/502' });
    assert.equal(up.seen.length, 2);
    await request(px.port, { path: '/status/503' });
    assert.equal(up.seen.length, 3);
  });
});

test('perTryTimeout with default retryOn: not retried, 504 after the per-try time (spec §5.1)', async () => {
  await withProxy(mesh('    retries: {attempts: 3, perTryTimeout: 150ms}'), async (px, up) => {
    const r = await request(px.port, { path: '/delay/1000' });
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(r.ms < 800, `took ${r.ms}`);
    assert.equal(up.seen.length, 1);
    assert.equal(px.counter(`${C}.upstream_rq_per_try_timeout`), 1);
  });
});

test('perTryTimeout with gateway-error: every try times out and is retried', async () => {
  await withProxy(mesh('    retries: {attempts: 2, perTryTimeout: 100ms, retryOn: gateway-error}'), async (px, up) => {
    const r = await request(px.port, { path: '/delay/1000' });
    assert.equal(r.status, 504);
    assert.equal(up.seen.length, 3);
    assert.equal(px.counter(`${C}.upstream_rq_per_try_timeout`), 3);
    assert.equal(px.counter(`${C}.upstream_rq_retry`), 2);
  });
});

test('connect failure (pod not running): retried by the default policy, then 503 reset body', async () => {
  const cfg = meshOf(mesh(''));
  const up = await Upstreams.start(cfg, undefined, () => false);
  const px = await startSidecar(cfg, up);
  try {
    const r = await request(px.port);
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. retried and the latest reset reason: /);
    assert.equal(px.counter(`${C}.upstream_cx_connect_fail`), 3);
    assert.equal(px.counter(`${C}.upstream_rq_retry`), 2);
    assert.equal(px.counter(`${C}.upstream_rq_pending_failure_eject`), 3);
  } finally {
    await px.close();
    await up.close();
  }
});

// spec §4.4 / §3.3: Istio's `maxRetries` is Envoy's max_retries threshold, counted
// per cluster over every worker; a scheduled retry holds one until its attempt is
// decided. Request A's retry is held open upstream while B (another connection,
// so the other worker) fails its first try: B may retry only if A's retry leaves room.
for (const [maxRetries, overflow] of [
  [1, 1],
  [2, 0],
] as const) {
  test(`max_retries breaker: maxRetries ${maxRetries}, a second concurrent retry ${overflow ? 'overflows' : 'fits'} (spec §4.4)`, async () => {
    const dr = destinationRule(`  trafficPolicy:
    connectionPool:
      http: {maxRetries: ${maxRetries}}`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Opens anyway after 3 s, so a broken breaker fails the asserts instead of hanging.
    const safety = setTimeout(() => release(), 3000);
    // First tries fail with 503; every retry waits for the gate, then succeeds.
    const handler: Handler = (req, res) => {
      const reply = (code: number): void => {
        res.writeHead(code, { 'content-length': '0' });
        res.end();
      };
      if (req.headers['x-envoy-attempt-count'] === '1') reply(503);
      else void gate.then(() => reply(200));
    };
    await withProxy(
      mesh('    retries: {attempts: 3, retryOn: 5xx}', dr),
      async (px, up) => {
        const retriesSeen = (): number => up.seen.filter((s) => s.headers['x-envoy-attempt-count'] !== '1').length;
        const a = request(px.port);
        while (retriesSeen() < 1) await sleep(5);
        assert.equal(px.gauge(`${C}.circuit_breakers.default.remaining_retries`), maxRetries - 1);
        assert.equal(px.gauge(`${C}.circuit_breakers.default.rq_retry_open`), maxRetries === 1 ? 1 : 0);
        const b = request(px.port);
        if (overflow) {
          // B's 503 is not retried: the upstream's own answer passes through.
          const rb = await b;
          assert.equal(rb.status, 503);
          assert.equal(rb.body, '');
          assert.equal(px.counter(`${C}.upstream_rq_retry_overflow`), 1);
          release();
          assert.equal((await a).status, 200);
          assert.equal(px.counter(`${C}.upstream_rq_retry`), 1);
          assert.equal(up.seen.length, 3);
        } else {
          while (retriesSeen() < 2) await sleep(5);
          release();
          assert.deepEqual([(await a).status, (await b).status], [200, 200]);
          assert.equal(px.counter(`${C}.upstream_rq_retry_overflow`), 0);
          assert.equal(px.counter(`${C}.upstream_rq_retry`), 2);
          assert.equal(px.counter(`${C}.upstream_rq_retry_success`), 2);
          assert.equal(up.seen.length, 4);
        }
        // Every retry decided: the breaker is free again.
        assert.equal(px.gauge(`${C}.circuit_breakers.default.remaining_retries`), maxRetries);
        assert.equal(px.gauge(`${C}.circuit_breakers.default.rq_retry_open`), 0);
        clearTimeout(safety);
      },
      { handler },
    );
  });
}

test('backoff: fully jittered exponential, base 25 ms, capped at 10x (spec §5.3)', () => {
  const stats = { upstream_rq_retry: { inc() {} }, upstream_rq_retry_success: { inc() {} } };
  const resources = { retries: { canCreate: () => true, inc() {}, dec() {} } };
  const cluster = { stats, resources } as unknown as Cluster;
  const maxes: number[] = [];
  const rs = new RetryState({ ...DEFAULT_RETRY_POLICY, numRetries: 6 }, cluster, () => 0.9999, {});
  for (let k = 0; k < 6; k++) {
    assert.equal(rs.decide(true), 'retry');
    maxes.push(rs.backoffMs());
  }
  assert.deepEqual(maxes, [24, 74, 174, 250, 250, 250]);
  const zero = new RetryState(DEFAULT_RETRY_POLICY, cluster, () => 0, {});
  zero.decide(true);
  assert.equal(zero.backoffMs(), 0);
});

test('x-envoy-retry-on and x-envoy-max-retries request headers extend the policy and are consumed', async () => {
  await withProxy(mesh('    retries: {attempts: 0}'), async (px, up) => {
    const r = await request(px.port, { path: '/status/503', headers: { 'x-envoy-retry-on': '5xx', 'x-envoy-max-retries': '2' } });
    assert.equal(r.status, 503);
    assert.equal(up.seen.length, 3);
    assert.equal(up.seen[0]!.headers['x-envoy-retry-on'], undefined);
    assert.equal(up.seen[0]!.headers['x-envoy-max-retries'], undefined);
    // Without the headers, attempts: 0 means no retries at all.
    await request(px.port, { path: '/status/503' });
    assert.equal(up.seen.length, 4);
  });
});

// spec §5.2 retriable-headers; Envoy RetryStateImpl: `x-envoy-retriable-header-names`
// adds name-only matchers (comma list, trimmed) checked against the response
// headers under retry_on `retriable-headers`. Istio's HTTPRetry has no
// retriable_headers field, so the request header is the only source of names.
test('retryOn retriable-headers: a response carrying a header named in x-envoy-retriable-header-names is retried', async () => {
  // First try answers 200 with a pushback header, later tries a plain 200.
  const handler: Handler = (req, res) => {
    const first = req.headers['x-envoy-attempt-count'] === '1';
    res.writeHead(200, { 'content-length': '0', ...(first ? { 'X-Upstream-Pushback': 'true' } : {}) });
    res.end();
  };
  await withProxy(
    mesh('    retries: {attempts: 2, retryOn: retriable-headers}'),
    async (px, up) => {
      const r = await request(px.port, { headers: { 'x-envoy-retriable-header-names': 'x-other, X-Upstream-Pushback' } });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-upstream-pushback'], undefined);
      assert.deepEqual(up.seen.map((s) => s.headers['x-envoy-attempt-count']), ['1', '2']);
      assert.equal(up.seen[0]!.headers['x-envoy-retriable-header-names'], undefined, 'consumed by the router');
      assert.equal(px.counter(`${C}.upstream_rq_retry`), 1);
      assert.equal(px.counter(`${C}.upstream_rq_retry_success`), 1);
      assert.equal(px.counter(`${C}.retry.upstream_rq_200`), 1);
      // No names in the request: nothing can match, the pushback answer is returned.
      const plain = await request(px.port);
      assert.equal(plain.headers['x-upstream-pushback'], 'true');
      assert.equal(up.seen.length, 3);
    },
    { handler },
  );
});

test('x-envoy-retriable-header-names without retriable-headers in retryOn: no retry', async () => {
  const handler: Handler = (_req, res) => {
    res.writeHead(200, { 'content-length': '0', 'x-upstream-pushback': 'true' });
    res.end();
  };
  await withProxy(
    mesh('    retries: {attempts: 2, retryOn: 5xx}'),
    async (px, up) => {
      const r = await request(px.port, { headers: { 'x-envoy-retriable-header-names': 'x-upstream-pushback' } });
      assert.equal(r.headers['x-upstream-pushback'], 'true');
      assert.equal(up.seen.length, 1);
      assert.equal(px.counter(`${C}.upstream_rq_retry`), 0);
    },
    { handler },
  );
});
