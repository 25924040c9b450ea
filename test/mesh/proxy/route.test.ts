// Routing through a real sidecar: header-match routing to subsets, first match
// wins, weighted splits (seeded, per-request draw), NC for undefined subsets,
// VS dropped when every route is filtered for this client (spec §2.2, §2.4).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedLoop, HTTPBIN_V1_V2, meshOf, request, service, startSidecar, Upstreams, virtualService, withProxy } from './harness.js';


const pod = (body: string): string => (JSON.parse(body) as { pod: string }).pod;

test('header match routes jason to v2, others to v1; first match wins', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: httpbin, subset: v2}}]
  - match: [{uri: {prefix: /get}}]
    route: [{destination: {host: httpbin, subset: v1}}]
  - route: [{destination: {host: httpbin, subset: v2}}]`),
  );
  await withProxy(cfg, async (px) => {
    assert.equal(pod((await request(px.port, { headers: { 'end-user': 'jason' } })).body), 'httpbin-v2-0');
    assert.equal(pod((await request(px.port, { headers: { 'end-user': 'bob' } })).body), 'httpbin-v1-0');
    assert.equal(pod((await request(px.port, {})).body), 'httpbin-v1-0');
    assert.equal(pod((await request(px.port, { path: '/headers' })).body), 'httpbin-v2-0');
    assert.equal(px.counter('cluster.outbound|8000|v2|httpbin.default.svc.cluster.local;.upstream_rq_200'), 2);
    assert.equal(px.counter('cluster.outbound|8000|v1|httpbin.default.svc.cluster.local;.upstream_rq_200'), 2);
  });
});

test('no route matches inside a VS -> 404 NR (not the default route)', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - match: [{uri: {exact: /only}}]
    route: [{destination: {host: httpbin, subset: v1}}]`),
  );
  await withProxy(cfg, async (px) => {
    assert.equal((await request(px.port, { path: '/only?q=1' })).status, 200);
    const r = await request(px.port, { path: '/other' });
    assert.equal(r.status, 404);
    assert.equal(r.body, '');
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.no_route'), 1);
  });
});

test('sourceLabels filters every route for this client -> VS dropped, default route used (spec §2.2)', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - match: [{sourceLabels: {app: productpage}}]
    route: [{destination: {host: httpbin, subset: v2}}]`),
  );
  const up = await Upstreams.start(cfg);
  const px = await startSidecar(cfg, up);
  const px2 = await startSidecar(cfg, up, { labels: { app: 'productpage' } });
  try {
    // sleep: VS dropped -> default route -> subset-less cluster.
    const r = await request(px.port, { path: '/other' });
    assert.equal(r.status, 200);
    assert.equal(px.counter('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_200'), 1);
    // productpage: the route applies (a catch-all for that client).
    for (let i = 0; i < 4; i++) assert.equal(pod((await request(px2.port, { path: '/x' })).body), 'httpbin-v2-0');
  } finally {
    await px.close();
    await px2.close();
    await up.close();
  }
});

test('undefined subset -> 503 NC, empty body, no_cluster (spec §2.4)', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - route: [{destination: {host: httpbin, subset: v9}}]`),
  );
  await withProxy(cfg, async (px, up) => {
    const r = await request(px.port);
    assert.equal(r.status, 503);
    assert.equal(r.body, '');
    assert.equal(r.headers['content-type'], undefined);
    assert.equal(r.headers.server, 'envoy');
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.no_cluster'), 1);
    assert.equal(up.seen.length, 0);
  });
});

test('weighted destinations: 80/20 split per request within tolerance (seeded)', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - route:
    - {destination: {host: httpbin, subset: v1}, weight: 80}
    - {destination: {host: httpbin, subset: v2}, weight: 20}`),
  );
  await withProxy(cfg, async (px, up) => {
    const codes = await closedLoop(px.port, 4, 400);
    assert.equal(codes.get(200), 400);
    const v2 = up.count('httpbin-v2-0');
    const v1 = up.count('httpbin-v1-0');
    assert.equal(v1 + v2, 400);
    // 20 % of 400 = 80, sd = 8: allow 4 sd.
    assert.ok(v2 > 48 && v2 < 112, `v2 got ${v2}`);
  }, { seed: 7 });
});

test('subset with no endpoints -> 503 no healthy upstream, UH (spec §2.4, §7.4)', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2.replace('- {name: v2, labels: {version: v2}}', '- {name: v2, labels: {version: v2}}\n  - {name: v3, labels: {version: v3}}') +
      virtualService(`  - route: [{destination: {host: httpbin, subset: v3}}]`),
  );
  await withProxy(cfg, async (px) => {
    const r = await request(px.port);
    assert.equal(r.status, 503);
    assert.equal(r.body, 'no healthy upstream');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers['content-length'], '19');
    assert.equal(r.headers['x-envoy-upstream-service-time'], undefined);
    const c = 'cluster.outbound|8000|v3|httpbin.default.svc.cluster.local;';
    assert.equal(px.counter(`${c}.upstream_cx_none_healthy`), 1);
    assert.equal(px.counter(`${c}.upstream_rq_503`), 1);
  });
});
