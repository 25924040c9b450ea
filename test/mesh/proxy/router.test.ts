// Router actions: mirroring (spec §6), redirect and direct response (§2.10),
// header ops and rewrites (§2.9, §2.10), outlier ejection -> UH (§7.4).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, destinationRule, HTTPBIN_V1_V2, meshOf, request, service, sleep, startSidecar, Upstreams, virtualService, withProxy, workload } from './harness.js';

const vs = (http: string): string => HTTPBIN_V1_V2 + virtualService(http);

test('mirror under Istio 1.27 (last release with the suffix): caller gets v1, v2 receives a copy with `-shadow` host (spec §6, seed mirroring)', async () => {
  const cfg = meshOf(
    vs(`  - route: [{destination: {host: httpbin, subset: v1}, weight: 100}]
    headers: {request: {set: {x-mirror-test: "1"}}}
    mirror: {host: httpbin, subset: v2}
    mirrorPercentage: {value: 100.0}`),
    '1.27',
  );
  await withProxy(cfg, async (px, up) => {
    for (let i = 0; i < 3; i++) {
      const r = await request(px.port, { path: '/headers' });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as { pod: string }).pod, 'httpbin-v1-0');
    }
    for (let i = 0; i < 50 && up.count('httpbin-v2-0') < 3; i++) await sleep(10);
    const shadow = up.seen.filter((s) => s.pod === 'httpbin-v2-0');
    assert.equal(shadow.length, 3);
    assert.equal(up.count('httpbin-v1-0'), 3);
    for (const s of shadow) {
      assert.equal(s.headers.host, 'httpbin-shadow:8000');
      assert.equal(s.headers['x-mirror-test'], '1');
      assert.equal(s.headers['x-envoy-attempt-count'], '1');
      assert.equal(s.url, '/headers');
    }
    assert.equal(px.counter('cluster.outbound|8000|v2|httpbin.default.svc.cluster.local;.upstream_rq_200'), 3);
  });
});

test('mirror without suffix (Istio 1.28, DISABLE_SHADOW_HOST_SUFFIX), 0 % mirror, and a mirror to a missing subset is skipped', async () => {
  const cfg = meshOf(
    vs(`  - match: [{uri: {prefix: /zero}}]
    route: [{destination: {host: httpbin, subset: v1}}]
    mirror: {host: httpbin, subset: v2}
    mirrorPercentage: {value: 0}
  - match: [{uri: {prefix: /missing}}]
    route: [{destination: {host: httpbin, subset: v1}}]
    mirror: {host: httpbin, subset: v7}
  - route: [{destination: {host: httpbin, subset: v1}}]
    mirror: {host: httpbin, subset: v2}`),
    '1.28',
  );
  await withProxy(cfg, async (px, up) => {
    assert.equal((await request(px.port, { path: '/zero' })).status, 200);
    assert.equal((await request(px.port, { path: '/missing' })).status, 200);
    assert.equal((await request(px.port, { path: '/all' })).status, 200);
    for (let i = 0; i < 50 && up.count('httpbin-v2-0') < 1; i++) await sleep(10);
    await sleep(30);
    const shadow = up.seen.filter((s) => s.pod === 'httpbin-v2-0');
    assert.equal(shadow.length, 1);
    assert.equal(shadow[0]!.url, '/all');
    assert.equal(shadow[0]!.headers.host, 'httpbin:8000');
  });
});

test('redirect: 301 default with location; prefixRewrite, authority, explicit code (spec §2.10)', async () => {
  const cfg = meshOf(
    vs(`  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new}
  - match: [{uri: {prefix: /pre/}}]
    redirect: {prefixRewrite: /post/, authority: other.example, redirectCode: 308}
  - route: [{destination: {host: httpbin, subset: v1}}]`),
  );
  await withProxy(cfg, async (px, up) => {
    const r = await request(px.port, { path: '/old/x?q=1' });
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'http://httpbin:8000/new?q=1');
    assert.equal(r.body, '');
    assert.equal(r.headers.server, 'envoy');
    const r2 = await request(px.port, { path: '/pre/a/b' });
    assert.equal(r2.status, 308);
    assert.equal(r2.headers.location, 'http://other.example/post/a/b');
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.rq_redirect'), 2);
    assert.equal(up.seen.length, 0);
  });
});

test('directResponse: configured status and body, response header ops applied', async () => {
  const cfg = meshOf(
    vs(`  - directResponse: {status: 418, body: {string: "short and stout"}}
    headers: {response: {set: {content-type: application/teapot}}}`),
  );
  await withProxy(cfg, async (px) => {
    const r = await request(px.port);
    assert.equal(r.status, 418);
    assert.equal(r.body, 'short and stout');
    assert.equal(r.headers['content-type'], 'application/teapot');
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.rq_direct_response'), 1);
  });
});

test('header ops (route and destination level), uri prefix rewrite, authority rewrite', async () => {
  const cfg = meshOf(
    vs(`  - match: [{uri: {prefix: /api/}}]
    rewrite: {uri: /anything/, authority: backend.internal}
    headers:
      request: {set: {x-route: r}, add: {x-multi: a}, remove: [x-drop]}
      response: {set: {x-resp: yes}, remove: [x-upstream-only]}
    route:
    - destination: {host: httpbin, subset: v1}
      headers: {request: {set: {x-dest: d}}}`),
  );
  const up = await Upstreams.start(cfg);
  up.handlers.set('httpbin-v1-0', (req, res) => {
    res.writeHead(200, { 'x-upstream-only': '1', 'content-length': '2' });
    res.end('ok');
  });
  const px = await startSidecar(cfg, up);
  try {
    const r = await request(px.port, { path: '/api/v1/x?y=2', headers: { 'x-drop': 'gone', 'x-multi': 'orig' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-resp'], 'yes');
    assert.equal(r.headers['x-upstream-only'], undefined);
    const s = up.seen[0]!;
    assert.equal(s.url, '/anything/v1/x?y=2');
    assert.equal(s.headers['x-envoy-original-path'], '/api/v1/x?y=2');
    assert.equal(s.headers.host, 'backend.internal');
    assert.equal(s.headers['x-route'], 'r');
    assert.equal(s.headers['x-dest'], 'd');
    assert.equal(s.headers['x-drop'], undefined);
    assert.equal(s.headers['x-multi'], 'orig, a');
  } finally {
    await px.close();
    await up.close();
  }
});

test('outlier detection: consecutive5xx 1 ejects the only pod -> 503 no healthy upstream (spec §7.4)', async () => {
  const cfg = meshOf(
    CLIENT +
      workload('httpbin', 'httpbin', 'v1') +
      service('httpbin') +
      destinationRule(`  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}`),
  );
  const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';
  await withProxy(cfg, async (px, up) => {
    assert.equal((await request(px.port, { path: '/status/500' })).status, 500);
    const r = await request(px.port);
    assert.equal(r.status, 503);
    assert.equal(r.body, 'no healthy upstream');
    assert.equal(px.counter(`${C}.upstream_cx_none_healthy`), 1);
    assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 1);
    assert.equal(up.seen.length, 1);
  });
});

test('outlier detection with minHealthPercent: below the panic threshold every host is used (spec §7.4)', async () => {
  const cfg = meshOf(
    CLIENT +
      workload('httpbin', 'httpbin', 'v1') +
      service('httpbin') +
      destinationRule(`  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100, minHealthPercent: 50}`),
  );
  const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';
  await withProxy(cfg, async (px) => {
    assert.equal((await request(px.port, { path: '/status/500' })).status, 500);
    assert.equal(px.gauge(`${C}.outlier_detection.ejections_active`), 1);
    // Panic mode: the ejected pod still gets traffic.
    assert.equal((await request(px.port)).status, 200);
    assert.equal(px.counter(`${C}.upstream_cx_none_healthy`), 0);
  });
});
