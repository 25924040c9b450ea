import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { instance, rawRequest, request, start, type Started } from './helpers.js';
import { goJson } from '../../../src/mesh/apps/go-httpbin.js';

let s: Started;
let port: number;

before(async () => {
  s = await start(instance('httpbin', { image: 'docker.io/mccutchen/go-httpbin:v2.15.0' }));
  port = s.app.port;
});
after(async () => {
  await s.app.close();
});

test('image mccutchen/go-httpbin selects the Go flavour: array header values, nothing hidden, method in /get', async () => {
  const r = await rawRequest(
    port,
    'GET /get?a=1 HTTP/1.1\r\nhost: httpbin:8000\r\nuser-agent: curl/8.5.0\r\naccept: */*\r\nx-request-id: rid\r\nx-forwarded-proto: http\r\nx-envoy-attempt-count: 1\r\n',
  );
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers.server, undefined);
  assert.equal(
    r.body,
    '{\n  "args": {\n    "a": [\n      "1"\n    ]\n  },\n  "headers": {\n    "Accept": [\n      "*/*"\n    ],\n' +
      '    "Host": [\n      "httpbin:8000"\n    ],\n    "User-Agent": [\n      "curl/8.5.0"\n    ],\n' +
      '    "X-Envoy-Attempt-Count": [\n      "1"\n    ],\n    "X-Forwarded-Proto": [\n      "http"\n    ],\n' +
      '    "X-Request-Id": [\n      "rid"\n    ]\n  },\n  "method": "GET",\n  "origin": "127.0.0.1",\n' +
      '  "url": "http://httpbin:8000/get?a=1"\n}\n',
  );
  assert.equal((await request(port, '/get', { method: 'POST', body: 'x' })).status, 405);
});

test('go flavour: /anything body shapes, /status range and weights, /delay limit, errors as JSON', async () => {
  const a = JSON.parse((await request(port, '/anything/x', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"k":1}' })).body);
  assert.deepEqual(Object.keys(a), ['args', 'headers', 'method', 'origin', 'url', 'data', 'files', 'form', 'json']);
  assert.deepEqual(a.json, { k: 1 });
  assert.equal(a.data, '{"k":1}');
  const bin = JSON.parse((await request(port, '/post', { method: 'POST', body: Buffer.from([0xfb, 0xff]) })).body);
  assert.equal(bin.data, 'data:application/octet-stream;base64,-_8=');
  assert.equal((await request(port, '/status/418')).body, "I'm a teapot!");
  const bad = await request(port, '/status/600');
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.body), { status_code: 400, error: 'Bad Request', detail: 'invalid status code: 600 not in range [100, 599]' });
  assert.equal((await request(port, '/status/503')).headers['content-type'], 'text/plain; charset=utf-8');
  const seen = new Set<number>();
  for (let i = 0; i < 30; i++) seen.add((await request(port, '/status/201:1,202:1')).status);
  assert.deepEqual([...seen].sort(), [201, 202]);
  const t0 = Date.now();
  const d = await request(port, '/delay/150ms');
  assert.ok(Date.now() - t0 >= 140);
  assert.match(d.headers['server-timing'] as string, /^initial_delay;dur=150\.00;desc="initial delay"$/);
  assert.equal((await request(port, '/delay/11')).status, 400);
  const nf = await request(port, '/nope');
  assert.equal(nf.status, 404);
  assert.deepEqual(JSON.parse(nf.body), { status_code: 404, error: 'Not Found' });
});

test('goJson: struct order at top, sorted nested maps, Go escapes', () => {
  assert.equal(goJson({ z: 1, a: { b: 1, a: [] } }), '{\n  "z": 1,\n  "a": {\n    "a": [],\n    "b": 1\n  }\n}\n');
  assert.equal(goJson('<é>\u2028'), '"<é>\\u2028"\n');
});
