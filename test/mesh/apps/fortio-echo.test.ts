import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { instance, request, start, type Started } from './helpers.js';
import {
  canonicalHeaderKey,
  generateDelay,
  generateProbability,
  generateSize,
  generateStatus,
} from '../../../src/mesh/apps/fortio-echo.js';

let s: Started;
let port: number;

before(async () => {
  s = await start(instance('fortio', { pod: 'fortio-server-0', labels: { app: 'fortio' } }));
  port = s.app.port;
});
after(async () => {
  await s.app.close();
});

const at = (x: number) => () => x;

test('any path echoes the body with its Content-Type, status 200 by default', async () => {
  const r = await request(port, '/echo/anything', { method: 'POST', headers: { 'content-type': 'application/x-test' }, body: 'hello mesh' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'hello mesh');
  assert.equal(r.headers['content-type'], 'application/x-test');
  const g = await request(port, '/');
  assert.equal(g.status, 200);
  assert.equal(g.raw.length, 0);
  assert.equal(g.headers['content-length'], '0');
});

test('status=: single code, weighted list over real requests, malformed -> 400', async () => {
  assert.equal((await request(port, '/?status=503')).status, 503);
  assert.equal((await request(port, '/?status=abc')).status, 400);
  assert.equal((await request(port, '/?status=503:101')).status, 400);
  assert.equal((await request(port, '/?status=503:60,429:50')).status, 400); // sum > 100
  const codes: Record<number, number> = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  for (let i = 0; i < 200; i++) {
    const r = await request(port, '/?status=503:50%25,429:25', { agent });
    codes[r.status] = (codes[r.status] ?? 0) + 1;
  }
  agent.destroy();
  assert.deepEqual(Object.keys(codes).map(Number).sort(), [200, 429, 503]);
  assert.ok(codes[503] > 60 && codes[503] < 140, JSON.stringify(codes));
});

test('generateStatus: cumulative table rolled as 100*rand <= cum, remainder 200', () => {
  assert.equal(generateStatus('503:20,429:1.5', at(0.1)), 503); // 10 <= 20
  assert.equal(generateStatus('503:20,429:1.5', at(0.2)), 503); // 20 <= 20
  assert.equal(generateStatus('503:20,429:1.5', at(0.21)), 429); // 21 <= 21.5
  assert.equal(generateStatus('503:20,429:1.5', at(0.3)), 200);
  assert.equal(generateStatus('503:33.333,502:33.333,501:33.334', at(0.99999)), 501);
  assert.equal(generateStatus('200,503'), 400);
});

test('delay=: Go durations, table, capped at 1.5 s (-max-echo-delay)', async () => {
  // Go duration syntax itself: test/mesh/config/duration.test.ts.
  assert.equal(generateDelay('150us'), 0.15);
  assert.equal(generateDelay('1m2s'), 1500);
  assert.equal(generateDelay('10'), -1);
  assert.equal(generateDelay('5s'), 1500);
  assert.equal(generateDelay('10ms:50,1s:5', at(0.3)), 10);
  assert.equal(generateDelay('10ms:50,1s:5', at(0.52)), 1000);
  assert.equal(generateDelay('10ms:50,1s:5', at(0.9)), 0);
  assert.equal(generateDelay('bogus'), -1);
  const t0 = Date.now();
  const r = await request(port, '/?delay=200ms&status=202');
  assert.equal(r.status, 202);
  assert.ok(Date.now() - t0 >= 190);
});

test('size=: payload of that size (octet-stream), table remainder echoes', async () => {
  const r = await request(port, '/?size=1024', { method: 'POST', body: 'ignored' });
  assert.equal(r.raw.length, 1024);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.equal(generateSize('1024:10,512:5', at(0.12)), 512);
  assert.equal(generateSize('1024:10,512:5', at(0.5)), -1);
  assert.equal(generateSize('999999999'), 256 * 1024);
  const z = await request(port, '/?size=0', { method: 'POST', body: 'x' });
  assert.equal(z.raw.length, 0);
});

test('header= (repeatable, canonical names) and close=true closes the connection', async () => {
  const r = await request(port, '/?header=x-mesh:one&header=X-Other:%20two&header=broken');
  assert.equal(r.headers['x-mesh'], 'one');
  assert.equal(r.headers['x-other'], 'two');
  assert.equal(canonicalHeaderKey('x-b3-traceid'), 'X-B3-Traceid');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const c = await request(port, '/?close=true', { agent });
  assert.equal(c.headers.connection, 'close');
  assert.equal(generateProbability('5.3', at(0.05)), true);
  assert.equal(generateProbability('5.3%', at(0.06)), false);
  assert.equal(generateProbability('false'), false);
  assert.equal(generateProbability('yes'), true);
  agent.destroy();
});

test('gzip= compresses when the client accepts gzip', async () => {
  const r = await request(port, '/?gzip=true', { method: 'POST', headers: { 'accept-encoding': 'gzip' }, body: 'zip me zip me zip me' });
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(r.raw).toString(), 'zip me zip me zip me');
  const plain = await request(port, '/?gzip=true', { method: 'POST', body: 'no' });
  assert.equal(plain.body, 'no');
});

test('/debug echoes the request as text', async () => {
  const r = await request(port, '/debug?x=1', { method: 'POST', headers: { host: 'fortio:8080', 'x-b3-sampled': '1' }, body: 'payload!' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; charset=UTF-8');
  assert.match(r.body, /^Φορτίο version .* echo debug server up for .* on fortio-server-0 - request from 127\.0\.0\.1:\d+\n\nPOST \/debug\?x=1 HTTP\/1\.1\n\nheaders:\n\nHost: fortio:8080\n/);
  assert.match(r.body, /\nX-B3-Sampled: 1\n/);
  assert.match(r.body, /\n\nbody:\n\npayload!\n$/);
});

test('every response is counted once', async () => {
  const before = s.counter.requests;
  await request(port, '/?status=500');
  await request(port, '/debug');
  assert.equal(s.counter.requests, before + 2);
  assert.ok(s.counter.codes['500'] >= 1);
});
