// details, ratings and reviews on their own (reviews calls ratings through a
// loopback forwarding stub that plays the outbound sidecar).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ForwardStub, instance, request, start, type Started } from './helpers.js';
import { reviewsConfig } from '../../../src/mesh/apps/reviews.js';

const started: Started[] = [];
const stubs: ForwardStub[] = [];
after(async () => {
  for (const s of started) await s.app.close();
  for (const s of stubs) await s.close();
});

async function app(...args: Parameters<typeof start>): Promise<Started> {
  const s = await start(...args);
  started.push(s);
  return s;
}

async function stub(): Promise<ForwardStub> {
  const s = new ForwardStub();
  await s.listen();
  stubs.push(s);
  return s;
}

const DETAILS_0 =
  '{"id":0,"author":"William Shakespeare","year":1595,"type":"paperback","pages":200,"publisher":"PublisherA","language":"English","ISBN-10":"1234567890","ISBN-13":"123-1234567890"}';

test('details: record JSON (spec §11.4), non-numeric id 400, /health', async () => {
  const d = await app(instance('details'));
  const r = await request(d.app.port, '/details/0');
  assert.equal(r.status, 200);
  assert.equal(r.body, DETAILS_0);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(JSON.parse((await request(d.app.port, '/details/7')).body).id, 7);
  const bad = await request(d.app.port, '/details/abc');
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.body), { error: 'please provide numeric product id' });
  assert.deepEqual(JSON.parse((await request(d.app.port, '/health')).body), { status: 'Details is healthy' });
  assert.equal((await request(d.app.port, '/nothing')).status, 404);
  assert.equal(d.counter.requests, 5);
});

test('ratings v1: GET, POST stores in memory, numeric id check, /health', async () => {
  const r = await app(instance('ratings'));
  const p = r.app.port;
  assert.equal((await request(p, '/ratings/0')).body, '{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}');
  const bad = await request(p, '/ratings/abc');
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.body), { error: 'please provide numeric product ID' });
  const posted = await request(p, '/ratings/3', { method: 'POST', body: '{"Reviewer1":1,"Reviewer2":2}' });
  assert.equal(posted.status, 200);
  assert.deepEqual(JSON.parse(posted.body), { id: 3, ratings: { Reviewer1: 1, Reviewer2: 2 } });
  assert.deepEqual(JSON.parse((await request(p, '/ratings/3')).body).ratings, { Reviewer1: 1, Reviewer2: 2 });
  assert.equal((await request(p, '/ratings/3', { method: 'POST', body: 'nope' })).status, 400);
  assert.deepEqual(JSON.parse((await request(p, '/health')).body), { status: 'Ratings is healthy' });
});

test('ratings v2 (label) answers 501 to POST; v-faulty mixes 503 and 200', async () => {
  const v2 = await app(instance('ratings', { labels: { app: 'ratings', version: 'v2' } }));
  assert.equal((await request(v2.app.port, '/ratings/0', { method: 'POST', body: '{}' })).status, 501);
  assert.equal((await request(v2.app.port, '/ratings/0')).status, 200);
  const faulty = await app(instance('ratings', { env: { SERVICE_VERSION: 'v-faulty' } }));
  const seen = new Map<number, number>();
  for (let i = 0; i < 60; i++) {
    const r = await request(faulty.app.port, '/ratings/0');
    seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
    if (r.status === 503) assert.deepEqual(JSON.parse(r.body), { error: 'Service unavailable' });
  }
  assert.deepEqual([...seen.keys()].sort(), [200, 503]);
});

test('ratings v-delayed: half the calls wait 7 s x MESHBENCH_TIMEOUT_SCALE', async () => {
  const d = await app(instance('ratings', { env: { SERVICE_VERSION: 'v-delayed', MESHBENCH_TIMEOUT_SCALE: '0.02' } }));
  let slow = 0;
  for (let i = 0; i < 20; i++) {
    const t0 = Date.now();
    const r = await request(d.app.port, '/ratings/0');
    assert.equal(r.status, 200);
    if (Date.now() - t0 >= 130) slow++;
  }
  assert.ok(slow > 0 && slow < 20, `slow=${slow}`);
});

test('reviews config defaults by version, env wins', () => {
  assert.deepEqual(reviewsConfig({}, 'v1'), { ratingsEnabled: false, starColor: 'black', ratingsTimeoutMs: 10000 });
  assert.deepEqual(reviewsConfig({}, 'v2'), { ratingsEnabled: true, starColor: 'black', ratingsTimeoutMs: 10000 });
  assert.deepEqual(reviewsConfig({}, 'v3'), { ratingsEnabled: true, starColor: 'red', ratingsTimeoutMs: 2500 });
  assert.deepEqual(reviewsConfig({ ENABLE_RATINGS: 'TRUE', STAR_COLOR: 'blue' }, 'v1'), {
    ratingsEnabled: true,
    starColor: 'blue',
    ratingsTimeoutMs: 2500,
  });
});

test('reviews v1/v2/v3: exact JSON, star colours, header propagation to ratings', async () => {
  const sidecar = await stub();
  const ratings = await app(instance('ratings'));
  sidecar.routes.set('ratings', ratings.app.port);
  const out = { host: '127.0.0.1', port: sidecar.port };
  const v1 = await app(instance('reviews', { pod: 'reviews-v1-0', labels: { app: 'reviews', version: 'v1' } }), out);
  const v2 = await app(instance('reviews', { pod: 'reviews-v2-0', labels: { app: 'reviews', version: 'v2' } }), out);
  const v3 = await app(instance('reviews', { pod: 'reviews-v3-0', labels: { app: 'reviews', version: 'v3' } }), out);
  const r1 = await request(v1.app.port, '/reviews/0');
  assert.equal(
    r1.body,
    '{"id": "0","podname": "reviews-v1-0","clustername": "null","reviews": [{  "reviewer": "Reviewer1",  "text": "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!"},{  "reviewer": "Reviewer2",  "text": "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare."}]}',
  );
  assert.equal(sidecar.seen.length, 0, 'v1 never calls ratings');
  const headers = {
    'end-user': 'jason',
    'x-request-id': 'req-42',
    'x-b3-traceid': 'abc',
    'x-b3-spanid': 'def',
    traceparent: '00-abc-def-01',
    'x-not-propagated': 'no',
  };
  const r2 = JSON.parse((await request(v2.app.port, '/reviews/0', { headers })).body);
  assert.deepEqual(r2.reviews[0].rating, { stars: 5, color: 'black' });
  assert.deepEqual(r2.reviews[1].rating, { stars: 4, color: 'black' });
  const call = sidecar.seen[0];
  assert.equal(call.host, 'ratings');
  assert.equal(call.path, '/ratings/0');
  assert.equal(call.headers.host, 'ratings:9080');
  assert.equal(call.headers['end-user'], 'jason');
  assert.equal(call.headers['x-request-id'], 'req-42');
  assert.equal(call.headers['x-b3-traceid'], 'abc');
  assert.equal(call.headers.traceparent, '00-abc-def-01');
  assert.equal(call.headers['x-not-propagated'], undefined);
  const r3 = JSON.parse((await request(v3.app.port, '/reviews/0')).body);
  assert.deepEqual(r3.reviews[0].rating, { stars: 5, color: 'red' });
  assert.equal(r3.podname, 'reviews-v3-0');
  assert.equal((await request(v3.app.port, '/reviews/x')).status, 404);
  assert.deepEqual(JSON.parse((await request(v3.app.port, '/health')).body), { status: 'Reviews is healthy' });
});

test('reviews: ratings failure (abort or timeout) -> 200 with the error rating, one attempt', async () => {
  const sidecar = await stub();
  const out = { host: '127.0.0.1', port: sidecar.port };
  const env = { MESHBENCH_TIMEOUT_SCALE: '0.05' }; // v2 10 s -> 500 ms, v3 2.5 s -> 125 ms
  const v2 = await app(instance('reviews', { labels: { app: 'reviews', version: 'v2' }, env }), out);
  const v3 = await app(instance('reviews', { labels: { app: 'reviews', version: 'v3' }, env }), out);
  sidecar.status.set('ratings', 500);
  const aborted = JSON.parse((await request(v2.app.port, '/reviews/0')).body);
  assert.deepEqual(aborted.reviews[0].rating, { error: 'Ratings service is currently unavailable' });
  assert.deepEqual(aborted.reviews[1].rating, { error: 'Ratings service is currently unavailable' });
  sidecar.status.clear();
  sidecar.hold.add('ratings');
  const before = sidecar.seen.length;
  let t0 = Date.now();
  const slow3 = await request(v3.app.port, '/reviews/0');
  const took3 = Date.now() - t0;
  assert.equal(slow3.status, 200);
  assert.match(slow3.body, /Ratings service is currently unavailable/);
  assert.ok(took3 >= 115, `v3 took ${took3} ms`);
  t0 = Date.now();
  const slow2 = await request(v2.app.port, '/reviews/0');
  const took2 = Date.now() - t0;
  assert.match(slow2.body, /Ratings service is currently unavailable/);
  assert.ok(took2 >= 480, `v2 waits its 10 s (scaled) timeout: ${took2} ms (v3 ${took3} ms)`);
  assert.equal(sidecar.seen.length - before, 2, 'exactly one ratings call per reviews request');
});

test('productpage close() cuts its in-flight outbound calls, so the process can exit', async () => {
  const sidecar = await stub();
  sidecar.hold.add('details');
  const pp = await start(instance('productpage'), { host: '127.0.0.1', port: sidecar.port });
  const pending = request(pp.app.port, '/productpage').catch((e: Error) => e);
  while (!sidecar.seen.some((s) => s.host === 'details')) await new Promise((r) => setTimeout(r, 5));
  const t0 = Date.now();
  await pp.app.close();
  assert.ok(Date.now() - t0 < 2500, 'close did not wait for the 3 s app timeout');
  const outcome = await pending;
  assert.ok(outcome instanceof Error || outcome.status === 200, 'the page request ended');
});

test('ratings v-unavailable / v-unhealthy toggle on the real periods (scaled)', async () => {
  // 60 s x 0.002 = 120 ms available, then 120 ms unavailable, ...
  const u = await app(instance('ratings', { env: { SERVICE_VERSION: 'v-unavailable', MESHBENCH_TIMEOUT_SCALE: '0.002' } }));
  const first = await request(u.app.port, '/ratings/0');
  if (first.status === 200) {
    await new Promise((r) => setTimeout(r, 130));
  }
  const statuses = new Set<number>([first.status]);
  for (let i = 0; i < 12; i++) {
    statuses.add((await request(u.app.port, '/ratings/0')).status);
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual([...statuses].sort(), [200, 503]);
  // 15 min x 0.0002 = 180 ms healthy, then unhealthy (health 500 and ratings 503)
  const h = await app(instance('ratings', { env: { SERVICE_VERSION: 'v-unhealthy', MESHBENCH_TIMEOUT_SCALE: '0.0002' } }));
  const healthStatuses = new Set<number>();
  let unhealthyBody = '';
  let ratingsWhenUnhealthy = 0;
  for (let i = 0; i < 40 && !unhealthyBody; i++) {
    const r = await request(h.app.port, '/health');
    healthStatuses.add(r.status);
    if (r.status === 500) {
      unhealthyBody = r.body;
      ratingsWhenUnhealthy = (await request(h.app.port, '/ratings/0')).status;
    } else await new Promise((done) => setTimeout(done, 20));
  }
  assert.ok(healthStatuses.has(200) && healthStatuses.has(500), `health flips: ${[...healthStatuses]}`);
  assert.deepEqual(JSON.parse(unhealthyBody), { status: 'Ratings is not healthy' });
  assert.equal(ratingsWhenUnhealthy, 503, 'the unhealthy half is also unavailable');
});

test('reviews reads whatever ratings holds: POSTed stars show, a missing reviewer gets the error, a string is a 500', async () => {
  const sidecar = await stub();
  const ratings = await app(instance('ratings'));
  sidecar.routes.set('ratings', ratings.app.port);
  const v3 = await app(instance('reviews', { labels: { app: 'reviews', version: 'v3' } }), { host: '127.0.0.1', port: sidecar.port });
  await request(ratings.app.port, '/ratings/1', { method: 'POST', body: '{"Reviewer1": 2}' });
  const r = JSON.parse((await request(v3.app.port, '/reviews/1')).body);
  assert.deepEqual(r.reviews[0].rating, { stars: 2, color: 'red' });
  assert.deepEqual(r.reviews[1].rating, { error: 'Ratings service is currently unavailable' });
  await request(ratings.app.port, '/ratings/2', { method: 'POST', body: '{"Reviewer1": "5", "Reviewer2": 4}' });
  assert.equal((await request(v3.app.port, '/reviews/2')).status, 500);
});

test('reviews resends once when a kept-alive connection to its sidecar turns out stale (JVM behaviour)', async () => {
  const net = await import('node:net');
  let connections = 0;
  let requests = 0;
  const body = '{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}';
  // Each connection answers its first request, then drops the next one unanswered.
  const server = net.createServer((sock) => {
    connections++;
    let served = 0;
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        requests++;
        if (served++ === 0) {
          sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        } else {
          sock.destroy();
          return;
        }
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const v2 = await app(instance('reviews', { labels: { app: 'reviews', version: 'v2' } }), { host: '127.0.0.1', port });
    const first = JSON.parse((await request(v2.app.port, '/reviews/0')).body);
    assert.deepEqual(first.reviews[0].rating, { stars: 5, color: 'black' });
    const second = JSON.parse((await request(v2.app.port, '/reviews/0')).body);
    assert.deepEqual(second.reviews[0].rating, { stars: 5, color: 'black' }, 'the stale socket was retried, not reported as unavailable');
    assert.equal(requests, 3);
    assert.equal(connections, 2);
  } finally {
    server.close();
  }
});
