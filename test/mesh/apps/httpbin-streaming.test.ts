// Streaming endpoints really stream: bytes leave the app one by one with the
// pauses the real apps make (core.py drip sleeps after every byte; go-httpbin
// pauses between writes), so a sidecar's route timeout meets them as it would
// meet the real apps. Timings are asserted loosely (shared 2-core machine).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { instance, start, type Started } from './helpers.js';
import { CLIENT, meshOf, request as viaProxy, service, startSidecar, Upstreams, virtualService, workload } from '../proxy/harness.js';

let py: Started;
let go: Started;

before(async () => {
  py = await start(instance('httpbin'));
  go = await start(instance('httpbin', { image: 'mccutchen/go-httpbin:v2.15.0' }));
});
after(async () => {
  await py.app.close();
  await go.app.close();
});

interface Timed {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** ms after the request was sent: head, then each chunk. */
  headAt: number;
  chunks: Array<{ at: number; bytes: Buffer }>;
  body: Buffer;
  endAt: number;
  trailers: Record<string, string>;
}

/** GET that records when the head and every body chunk arrive. */
function timed(port: number, path: string, headers: Record<string, string> = {}): Promise<Timed> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const headAt = performance.now() - t0;
      const chunks: Timed['chunks'] = [];
      res.on('data', (c: Buffer) => chunks.push({ at: performance.now() - t0, bytes: c }));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          headAt,
          chunks,
          body: Buffer.concat(chunks.map((c) => c.bytes)),
          endAt: performance.now() - t0,
          trailers: res.trailers as Record<string, string>,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

test('/drip?duration=2&numbytes=10 takes 2 s and streams: the first byte long before the last', async () => {
  const logged = py.log.length;
  const t0 = performance.now();
  const r = await timed(py.app.port, '/drip?duration=2&numbytes=10');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), '**********');
  assert.equal(r.headers['content-length'], '10');
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  // 200 ms after each byte: the client has the 10th (Content-Length) after 9 pauses.
  assert.ok(r.endAt >= 1700 && r.endAt < 4000, `took ${r.endAt} ms`);
  assert.ok(r.chunks.length >= 5, `only ${r.chunks.length} chunks: not streamed`);
  assert.ok(r.chunks[0].at < 700, `first byte after ${r.chunks[0].at} ms`);
  assert.ok(r.chunks[r.chunks.length - 1].at - r.chunks[0].at > 1200, 'bytes arrived together');
  // Flask sleeps after the last byte too: the answer ends (and is logged) after the whole duration.
  while (py.log.length === logged) await new Promise((res) => setTimeout(res, 10));
  assert.ok(performance.now() - t0 >= 1950, `logged after ${performance.now() - t0} ms`);
  assert.ok(py.log.at(-1)?.includes('"GET /drip?duration=2&numbytes=10 HTTP/1.1" 200 10'));
});

test('/drip: delay holds the head back; code sets the status; numbytes<=0 is 400', async () => {
  const r = await timed(py.app.port, '/drip?duration=0&numbytes=3&delay=0.4&code=202');
  assert.equal(r.status, 202);
  assert.ok(r.headAt >= 350, `head after ${r.headAt} ms`);
  assert.equal(r.body.toString(), '***');
  const bad = await timed(py.app.port, '/drip?numbytes=0');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.toString(), 'number of bytes must be positive');
  assert.equal((await timed(py.app.port, '/drip?duration=x')).status, 500); // float('x') in the view
});

test('/drip with many bytes keeps to its duration (pieces due closer than a timer tick go out together)', async () => {
  const r = await timed(py.app.port, '/drip?duration=0.5&numbytes=200000');
  assert.equal(r.body.length, 200000);
  assert.ok(r.endAt >= 400 && r.endAt < 3000, `took ${r.endAt} ms`);
  assert.ok(r.chunks.length >= 5, `${r.chunks.length} chunks: not streamed`);
});

test('go-httpbin /drip: pauses between writes only, Server-Timing, 400 beyond 10 s', async () => {
  const r = await timed(go.app.port, '/drip?duration=600ms&delay=0&numbytes=4');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.match(String(r.headers['server-timing']), /pause_per_write;dur=200\.00;/);
  assert.ok(r.endAt >= 550 && r.endAt < 2500, `took ${r.endAt}`);
  assert.ok(r.chunks[0].at < 300);
  const tooLong = await timed(go.app.port, '/drip?duration=9s&delay=2s');
  assert.equal(tooLong.status, 400);
  assert.match(JSON.parse(tooLong.body.toString()).detail, /too much time/);
});

test('/range/<n>?duration= paces the chunks; Range gives 206 with Content-Range', async () => {
  const r = await timed(py.app.port, '/range/40?duration=0.6&chunk_size=10');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn');
  assert.ok(r.chunks.length >= 3, `${r.chunks.length} chunks`);
  // 150 ms after each 10-byte chunk: the 4th (last) arrives after 3 pauses.
  assert.ok(r.endAt >= 400, `took ${r.endAt}`);
  const part = await timed(py.app.port, '/range/40', { range: 'bytes=26-29' });
  assert.equal(part.status, 206);
  assert.equal(part.body.toString(), 'abcd');
  assert.equal(part.headers['content-range'], 'bytes 26-29/40');
  const gone = await timed(py.app.port, '/range/40', { range: 'bytes=50-60' });
  assert.equal(gone.status, 416);
  assert.equal(gone.headers['content-range'], 'bytes */40');
});

test('/stream/<n>: n JSON lines (at most 100), chunked; ids count up', async () => {
  const r = await timed(py.app.port, '/stream/3?x=1');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  const lines = r.body.toString().trim().split('\n').map((l) => JSON.parse(l) as { id: number; args: unknown; url: string });
  assert.deepEqual(lines.map((l) => l.id), [0, 1, 2]);
  assert.deepEqual(Object.keys(lines[0]), ['url', 'args', 'headers', 'origin', 'id']);
  assert.deepEqual(lines[0].args, { x: '1' });
  // Python json.dumps: ', ' and ': ' separators
  assert.match(r.body.toString(), /^\{"url": "http:/);
  const many = await timed(py.app.port, '/stream/500');
  assert.equal(many.body.toString().trim().split('\n').length, 100);
  const g = await timed(go.app.port, '/stream/2');
  assert.match(g.body.toString(), /^\{"id":0,"args":\{\},"headers":\{/);
});

test('go-httpbin /sse: paced ping events and a Server-Timing trailer', async () => {
  const r = await timed(go.app.port, '/sse?count=3&duration=400ms');
  assert.equal(r.headers['content-type'], 'text/event-stream; charset=utf-8');
  const events = r.body.toString().split('\n\n').filter((e) => e !== '');
  assert.equal(events.length, 3);
  assert.match(events[1], /^event: ping\ndata: \{"id":1,"timestamp":\d{13}\}$/);
  assert.ok(r.endAt >= 350, `took ${r.endAt}`);
  assert.ok(r.chunks[0].at < 250);
  assert.match(r.trailers['server-timing'], /^total_duration;dur=\d+\.\d\d;desc="total request duration", initial_delay/);
  assert.equal((await timed(go.app.port, '/sse?count=0')).status, 400);
});

test('a sidecar route timeout meets /drip as it meets the real app: 504 while the head is held, a cut stream after', async () => {
  const config = meshOf(
    CLIENT + workload('httpbin-v1', 'httpbin', 'v1') + service('httpbin') + virtualService('  - route: [{destination: {host: httpbin}}]\n    timeout: 400ms'),
  );
  const up = new Upstreams();
  for (const i of config.instances) if (i.app === 'httpbin') up.ports.set(i.pod, py.app.port);
  const px = await startSidecar(config, up);
  try {
    // delay=2: no head within 400 ms -> Envoy's local 504.
    const held = await viaProxy(px.port, { path: '/drip?delay=2&duration=0&numbytes=1' });
    assert.equal(held.status, 504);
    assert.equal(held.body, 'upstream request timeout');
    assert.ok(held.ms < 1500, `took ${held.ms}`);
    // The head comes at once, the body over 2 s: the timeout cuts the stream short.
    const cut = await new Promise<{ bytes: number; error: boolean; ms: number }>((resolve) => {
      const t0 = performance.now();
      let bytes = 0;
      const req = http.get({ host: '127.0.0.1', port: px.port, path: '/drip?duration=2&numbytes=10', headers: { host: 'httpbin:8000' }, agent: false }, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ bytes, error: false, ms: performance.now() - t0 }));
        res.on('error', () => resolve({ bytes, error: true, ms: performance.now() - t0 }));
      });
      req.on('error', () => resolve({ bytes, error: true, ms: performance.now() - t0 }));
    });
    assert.ok(cut.bytes < 10, `got all ${cut.bytes} bytes through a 400 ms timeout`);
    assert.ok(cut.ms < 1800, `took ${cut.ms}`);
    assert.equal(px.counter('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_timeout'), 2);
  } finally {
    await px.close();
  }
});
