// Load balancing over a cluster's hosts (spec §3.2): ROUND_ROBIN, LEAST_REQUEST
// (default, P2C), consistentHash on a header, ServiceEntry static endpoints, and
// pool gauges returning to zero after resets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { CLIENT, destinationRule, type Handler, meshOf, request, service, startSidecar, Upstreams, virtualService, withProxy, workload } from './harness.js';

const withLb = (lb: string): string =>
  CLIENT +
  workload('httpbin', 'httpbin', 'v1', 8000, 3) +
  service('httpbin') +
  destinationRule(`  trafficPolicy:
    loadBalancer: ${lb}`);
const pod = (body: string): string => (JSON.parse(body) as { pod: string }).pod;

test('ROUND_ROBIN spreads sequential requests evenly over 3 pods', async () => {
  const cfg = meshOf(withLb('{simple: ROUND_ROBIN}'));
  await withProxy(cfg, async (px, up) => {
    for (let i = 0; i < 30; i++) await request(px.port);
    assert.deepEqual(
      ['httpbin-0', 'httpbin-1', 'httpbin-2'].map((p) => up.count(p)),
      [10, 10, 10],
    );
  });
});

test('LEAST_REQUEST (default) uses every pod', async () => {
  const cfg = meshOf(withLb('{simple: LEAST_REQUEST}'));
  await withProxy(cfg, async (px, up) => {
    for (let i = 0; i < 60; i++) await request(px.port);
    for (const p of ['httpbin-0', 'httpbin-1', 'httpbin-2']) assert.ok(up.count(p) >= 5, `${p}: ${up.count(p)}`);
  });
});

test('consistentHash on a header: the same key always reaches the same pod', async () => {
  const cfg = meshOf(withLb('{consistentHash: {httpHeaderName: x-user}}'));
  await withProxy(cfg, async (px) => {
    const first = new Map<string, string>();
    for (let round = 0; round < 3; round++) {
      for (let u = 0; u < 12; u++) {
        const p = pod((await request(px.port, { headers: { 'x-user': `user-${u}` } })).body);
        if (round === 0) first.set(`user-${u}`, p);
        else assert.equal(p, first.get(`user-${u}`));
      }
    }
    assert.ok(new Set(first.values()).size >= 2, 'keys spread over pods');
  });
});

test('ServiceEntry static endpoint on loopback is reachable by its host name', async () => {
  const srv = http.createServer((req, res) => res.end(`ext ${req.headers.host}`));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const cfg = meshOf(
    CLIENT +
      `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec:
  hosts: [ext.example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 127.0.0.1, ports: {http: ${port}}}]
`,
  );
  const up = await Upstreams.start(cfg);
  const px = await startSidecar(cfg, up);
  try {
    const r = await request(px.port, { host: 'ext.example.com', path: '/' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ext ext.example.com');
    assert.equal(px.counter('cluster.outbound|80||ext.example.com;.upstream_rq_200'), 1);
  } finally {
    await px.close();
    await up.close();
    srv.close();
    srv.closeAllConnections();
  }
});

test('retried responses with a body reset their connection; gauges return to 0', async () => {
  const body503: Handler = (_req, res) => {
    res.writeHead(503, { 'content-length': '11' });
    res.end('unavailable');
  };
  const cfg = meshOf(
    CLIENT +
      workload('httpbin', 'httpbin', 'v1') +
      service('httpbin') +
      virtualService(`  - route: [{destination: {host: httpbin}}]
    retries: {attempts: 2, retryOn: 5xx}`),
  );
  const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';
  await withProxy(cfg, async (px, up) => {
    const rs = await Promise.all(Array.from({ length: 5 }, () => request(px.port)));
    for (const r of rs) {
      assert.equal(r.status, 503);
      assert.equal(r.body, 'unavailable');
    }
    assert.equal(up.seen.length, 15);
    assert.equal(px.gauge(`${C}.upstream_rq_active`), 0);
    assert.equal(px.gauge(`${C}.upstream_rq_pending_active`), 0);
    assert.equal(px.gauge(`${C}.circuit_breakers.default.remaining_rq`), 4294967295);
    assert.equal(px.gauge(`${C}.circuit_breakers.default.remaining_retries`), 4294967295);
    assert.equal(px.gauge(`${C}.circuit_breakers.high.rq_open`), 0);
    assert.equal(px.gauge('http.outbound_0.0.0.0_8000.downstream_rq_active'), 0);
  }, { handler: body503 });
});

for (const [name, lb, vary] of [
  ['query parameter', '{consistentHash: {httpQueryParameterName: u}}', (i: number) => ({ path: `/get?u=user-${i}` })],
  ['cookie', '{consistentHash: {httpCookie: {name: sid, ttl: 0s}}}', (i: number) => ({ headers: { cookie: `a=b; sid=s-${i}` } })],
  ['source IP', '{consistentHash: {useSourceIp: true}}', () => ({})],
] as const) {
  test(`consistentHash on ${name}: sticky per key`, async () => {
    const cfg = meshOf(withLb(lb));
    await withProxy(cfg, async (px) => {
      const first = new Map<number, string>();
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 8; i++) {
          const p = pod((await request(px.port, vary(i))).body);
          if (round === 0) first.set(i, p);
          else assert.equal(p, first.get(i), `key ${i}`);
        }
      }
      if (name === 'source IP') assert.equal(new Set(first.values()).size, 1);
    });
  });
}
