// Listener + route table basics: Host-header and absolute-form requests, alias
// forms (spec §2.1), 404 NR for unknown hosts, the default route, headers the
// sidecar adds (spec §5.4) and the response headers (server: envoy, service time).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, meshOf, request, service, startSidecar, Upstreams, withProxy, workload } from './harness.js';

const YAML = CLIENT + workload('httpbin-v1', 'httpbin', 'v1') + service('httpbin');

test('listener: Host-header, absolute-form and alias forms reach the default route', async () => {
  const cfg = meshOf(YAML);
  await withProxy(cfg, async (px) => {
    for (const host of ['httpbin:8000', 'httpbin', 'httpbin.default:8000', 'httpbin.default.svc.cluster.local:8000', 'HTTPBIN:8000']) {
      const r = await request(px.port, { host, path: '/get?x=1' });
      assert.equal(r.status, 200, host);
      const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
      assert.equal(seen.url, '/get?x=1');
      assert.equal(seen.headers.host, host);
      assert.equal(seen.headers['x-envoy-attempt-count'], '1');
      // Envoy's HTTP/1 codec adds content-length: 0 to a headers-only request (seed /get output).
      assert.equal(seen.headers['content-length'], '0');
      assert.equal(seen.headers['x-forwarded-proto'], 'http');
      assert.match(seen.headers['x-request-id']!, /^[0-9a-f-]{36}$/);
      assert.equal(r.headers.server, 'envoy');
      assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/);
    }
    const abs = await request(px.port, { host: 'httpbin:8000', path: '/anything/a?b=c', absolute: true });
    assert.equal(abs.status, 200);
    assert.equal((JSON.parse(abs.body) as { url: string }).url, '/anything/a?b=c');
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.rq_total'), 6);
    assert.equal(px.counter('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_200'), 6);
    assert.equal(px.counter('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_total'), 6);
  });
});

test('listener: unknown host -> 404 NR with empty body, no_route counted (spec §2.2, §9)', async () => {
  const cfg = meshOf(YAML);
  await withProxy(cfg, async (px, up) => {
    const r = await request(px.port, { host: 'nope:8000' });
    assert.equal(r.status, 404);
    assert.equal(r.body, '');
    assert.equal(r.headers.server, 'envoy');
    assert.equal(r.headers['content-type'], undefined);
    assert.equal(r.headers['x-envoy-upstream-service-time'], undefined);
    // Known service, wrong port: no virtual host on that port either.
    const r2 = await request(px.port, { host: 'httpbin:9999' });
    assert.equal(r2.status, 404);
    assert.equal(px.counter('http.outbound_0.0.0.0_8000.no_route'), 1);
    assert.equal(px.counter('http.outbound_0.0.0.0_9999.no_route'), 1);
    assert.equal(up.seen.length, 0);
  });
});

test('listener: request body is forwarded with content-length, keep-alive downstream', async () => {
  const cfg = meshOf(YAML);
  const up = await Upstreams.start(cfg);
  const px = await startSidecar(cfg, up);
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const r = await request(px.port, { method: 'POST', path: '/post', body: 'hello=world', agent, headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.body) as { body: string; headers: Record<string, string> };
    assert.equal(seen.body, 'hello=world');
    assert.equal(seen.headers['content-length'], '11');
    const r2 = await request(px.port, { agent });
    assert.equal(r2.status, 200);
    // Both requests rode one upstream connection (keep-alive upstream too).
    assert.equal(px.counter('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_cx_total'), 1);
  } finally {
    agent.destroy();
    await px.close();
    await up.close();
  }
});

test('listener: garbage from a client gets 400; garbage from an upstream gets a 502 local reply', async () => {
  const net = await import('node:net');
  const cfg = meshOf(YAML);
  const up = await Upstreams.start(cfg);
  // The pod answers with bytes that are not HTTP.
  const bad = net.createServer((s) => s.once('data', () => s.end('NOT HTTP AT ALL\r\n\r\n')));
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
  up.ports.set('httpbin-v1-0', (bad.address() as { port: number }).port);
  const px = await startSidecar(cfg, up);
  try {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(px.port, '127.0.0.1', () => s.write('\x00\x01 nonsense\r\n\r\n'));
      let buf = '';
      s.on('data', (c) => (buf += c));
      s.on('close', () => resolve(buf));
    });
    assert.match(reply, /^HTTP\/1\.1 400 /);
    const r = await request(px.port);
    assert.equal(r.status, 502);
    assert.equal(r.body, 'upstream connect error or disconnect/reset before headers. reset reason: protocol error');
    assert.equal(r.headers.server, 'envoy');
  } finally {
    await px.close();
    await up.close();
    bad.close();
  }
});

test('response headers: lower-cased, server overwritten in place, service time appended (seed fortio curl output)', async () => {
  const http = await import('node:http');
  const cfg = meshOf(YAML);
  const up = await Upstreams.start(cfg);
  up.handlers.set('httpbin-v1-0', (_req, res) => {
    res.writeHead(200, [
      'Server', 'gunicorn/19.9.0',
      'Date', 'Fri, 15 Jan 2021 05:45:07 GMT',
      'Connection', 'keep-alive',
      'Content-Type', 'application/json',
      'Content-Length', '2',
      'Access-Control-Allow-Origin', '*',
      'Access-Control-Allow-Credentials', 'true',
    ]);
    res.end('{}');
  });
  const px = await startSidecar(cfg, up);
  try {
    const raw = await new Promise<string[]>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: px.port, path: '/get', headers: { host: 'httpbin:8000' }, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.rawHeaders));
        })
        .on('error', reject);
    });
    // node:http's own `Connection: keep-alive` (Envoy sends none) is the one extra.
    const names = raw.filter((_, i) => i % 2 === 0 && raw[i] !== 'Connection');
    assert.deepEqual(names, [
      'server',
      'date',
      'content-type',
      'content-length',
      'access-control-allow-origin',
      'access-control-allow-credentials',
      'x-envoy-upstream-service-time',
    ]);
    assert.equal(raw[1], 'envoy');
  } finally {
    await px.close();
    await up.close();
  }
});

test('large chunked upstream body streams through intact (flow control)', async () => {
  const cfg = meshOf(YAML);
  const up = await Upstreams.start(cfg);
  const block = Buffer.alloc(64 * 1024, 120);
  up.handlers.set('httpbin-v1-0', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let n = 0;
    const pump = (): void => {
      while (n < 128) {
        n++;
        if (!res.write(block)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  const px = await startSidecar(cfg, up);
  try {
    const r = await request(px.port, { path: '/stream' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 128 * 64 * 1024);
    assert.equal(r.headers['transfer-encoding'], 'chunked');
  } finally {
    await px.close();
    await up.close();
  }
});
