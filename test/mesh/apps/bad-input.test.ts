// Bad input never crashes an app: odd paths, methods, bodies and headers all
// get an HTTP answer, and the server keeps serving afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instance, rawRequest, request, start } from './helpers.js';
import type { AppKind } from '../../../src/mesh/config/model.js';

const ODD_PATHS = [
  '/status/%E0%A4%A',
  '/status/',
  '/status/200:1:2',
  '/status/,,,',
  '/delay/%',
  '/delay/-inf', // (/delay/inf sleeps the 10 s cap, as Python's min(inf, 10))
  '/delay/nan',
  '/bytes/99999999999999999999',
  '/response-headers?bad%20name=x&X-Ok=%0d%0aInjected:%201',
  '/anything/%ZZ?%=%',
  '/ratings/%',
  '/ratings/99999999999999999999999',
  '/details/%ZZ',
  '/details/1_000',
  '/reviews/99999999999',
  '/api/v1/products/%2F/reviews',
  '/api/v1/products/../../x',
  '/?status=503:abc&delay=1s:200&size=-5&header=%00:x&close=maybe',
  '/debug?env=dump',
  '//',
  '/' + 'a'.repeat(4000),
];

const KINDS: Array<[AppKind, string | undefined]> = [
  ['httpbin', undefined],
  ['httpbin', 'mccutchen/go-httpbin:v2.15.0'],
  ['fortio', undefined],
  ['details', undefined],
  ['ratings', undefined],
  ['reviews', undefined],
  ['productpage', undefined],
];

for (const [kind, image] of KINDS) {
  test(`${image ?? kind}: odd requests get answers and the app keeps serving`, async () => {
    const s = await start(
      instance(kind, { labels: { app: kind, version: 'v2' }, env: { MESHBENCH_TIMEOUT_SCALE: '0.01' }, ...(image ? { image } : {}) }),
    );
    try {
      for (const path of ODD_PATHS) {
        for (const method of ['GET', 'POST']) {
          const r = await request(s.app.port, path, {
            method,
            headers: { 'content-type': method === 'POST' ? 'multipart/form-data; boundary=' : 'application/json', cookie: 'session=%%%.x' },
            body: method === 'POST' ? '--\r\n\r\n{"x":' : undefined,
          });
          assert.ok(r.status >= 200 && r.status <= 599, `${kind} ${method} ${path} -> ${r.status}`);
        }
      }
      const raw = await rawRequest(s.app.port, 'GET /get HTTP/1.1\r\nhost: h\r\nx-odd: caf\xe9\r\ncontent-type: \r\n');
      assert.ok(raw.status >= 200 && raw.status <= 599);
      const again = await request(s.app.port, '/health');
      assert.ok(again.status >= 200 && again.status <= 599);
      assert.ok(s.counter.requests >= ODD_PATHS.length * 2);
    } finally {
      await s.app.close();
    }
  });
}

test('malformed HTTP gets a 400 and the connection closes; the server keeps serving', async () => {
  const s = await start(instance('httpbin'));
  try {
    const bad = await rawRequest(s.app.port, 'GET /get HTTP/1.1\r\nhost: h\r\ncontent-length: x\r\n');
    assert.equal(bad.status, 400);
    const huge = await rawRequest(s.app.port, `GET /get HTTP/1.1\r\nhost: h\r\nx-big: ${'a'.repeat(70_000)}\r\n`);
    assert.equal(huge.status, 431);
    assert.equal((await request(s.app.port, '/get')).status, 200);
  } finally {
    await s.app.close();
  }
});
