import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { instance, rawRequest, request, start, type Started } from './helpers.js';
import { chooseStatus, pyTitle } from '../../../src/mesh/apps/httpbin.js';
import { pyJsonDumps } from '../../../src/mesh/apps/pyjson.js';

let s: Started;
let port: number;

before(async () => {
  s = await start(instance('httpbin', { labels: { app: 'httpbin', version: 'v1' } }));
  port = s.app.port;
});
after(async () => {
  await s.app.close();
});

const XFCC =
  'By=spiffe://cluster.local/ns/istio-demo/sa/httpbin;Hash=9a315721ade1f739c94d86fe5f2ceae43c59fa9ec4d9b9e94923f654ae55796f;Subject="";URI=spiffe://cluster.local/ns/istio-demo/sa/default';

test('GET /get reproduces the seed capture byte for byte (628 bytes, Flask pretty JSON)', async () => {
  const r = await rawRequest(
    port,
    'GET /get HTTP/1.1\r\ncontent-length: 0\r\nhost: httpbin:8000\r\nuser-agent: fortio.org/fortio-1.11.3\r\n' +
      'x-b3-parentspanid: 2bd7deebc51cf0d0\r\nx-b3-sampled: 1\r\nx-b3-spanid: 91c2fad20f13e71c\r\n' +
      'x-b3-traceid: 1100140ea1947c3c2bd7deebc51cf0d0\r\nx-envoy-attempt-count: 1\r\n' +
      `x-forwarded-client-cert: ${XFCC}\r\n` +
      // hidden by httpbin (helpers.ENV_HEADERS), present in the real request
      'x-request-id: a6f4c9a2-6f0e-4b7e-9a38-1f0e3c1d2b3a\r\nx-forwarded-proto: http\r\n',
  );
  assert.equal(r.status, 200);
  const expected =
    '{\n  "args": {}, \n  "headers": {\n    "Content-Length": "0", \n    "Host": "httpbin:8000", \n' +
    '    "User-Agent": "fortio.org/fortio-1.11.3", \n    "X-B3-Parentspanid": "2bd7deebc51cf0d0", \n' +
    '    "X-B3-Sampled": "1", \n    "X-B3-Spanid": "91c2fad20f13e71c", \n' +
    '    "X-B3-Traceid": "1100140ea1947c3c2bd7deebc51cf0d0", \n    "X-Envoy-Attempt-Count": "1", \n' +
    '    "X-Forwarded-Client-Cert": "By=spiffe://cluster.local/ns/istio-demo/sa/httpbin;Hash=9a315721ade1f739c94d86fe5f2ceae43c59fa9ec4d9b9e94923f654ae55796f;Subject=\\"\\";URI=spiffe://cluster.local/ns/istio-demo/sa/default"\n' +
    '  }, \n  "origin": "127.0.0.1", \n  "url": "http://httpbin:8000/get"\n}\n';
  assert.equal(r.body, expected);
  assert.equal(r.headers['content-length'], '628');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  assert.equal(r.headers.server, 'gunicorn/19.9.0');
  assert.ok(r.headers.date);
});

test('GET /headers: 559 bytes and a gunicorn access-log line as in the seed mirroring section', async () => {
  const before = s.log.length;
  const r = await rawRequest(
    port,
    'GET /headers HTTP/1.1\r\naccept: */*\r\ncontent-length: 0\r\nhost: httpbin:8000\r\nuser-agent: curl/7.35.0\r\n' +
      'x-b3-parentspanid: aa6d4c438cd18256\r\nx-b3-sampled: 1\r\nx-b3-spanid: 30d3240e1b306aea\r\n' +
      'x-b3-traceid: 35f31d58ba883067aa6d4c438cd18256\r\nx-envoy-attempt-count: 1\r\n' +
      'x-forwarded-client-cert: By=spiffe://cluster.local/ns/istio-demo/sa/default;Hash=49fd537b4825d9aeba76e596975aad76694bf1ff6d2891716020774e221e495e;Subject="";URI=spiffe://cluster.local/ns/istio-demo/sa/default\r\n',
  );
  assert.equal(r.status, 200);
  assert.equal(r.raw.length, 559);
  const line = s.log[before];
  assert.match(line, /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/headers HTTP\/1\.1" 200 559 "-" "curl\/7\.35\.0"$/);
});

test('headers dict: Title-Case like werkzeug, repeats joined with ",", env headers hidden unless show_env', async () => {
  const r = await request(port, '/headers', {
    headers: { 'x-request-id': 'abc', 'x-forwarded-for': '10.0.0.1', 'x-custom_name': 'u', 'x-3a': 'z', via: '1.1 x' },
  });
  const h = JSON.parse(r.body).headers as Record<string, string>;
  assert.equal(h['X-Request-Id'], undefined);
  assert.equal(h['X-Forwarded-For'], undefined);
  assert.equal(h.Via, undefined);
  assert.equal(h['X-Custom-Name'], 'u');
  assert.equal(h['X-3A'], 'z');
  const shown = JSON.parse((await request(port, '/headers?show_env=1', { headers: { 'x-request-id': 'abc' } })).body).headers;
  assert.equal(shown['X-Request-Id'], 'abc');
  assert.equal(pyTitle('x-b3-traceid'), 'X-B3-Traceid');
  assert.equal(pyTitle('WWW-AUTHENTICATE'), 'Www-Authenticate');
});

test('origin from X-Forwarded-For else the peer; url honours X-Forwarded-Proto and the query', async () => {
  const a = JSON.parse((await request(port, '/get?a=1&a=2&b=x', { headers: { host: 'httpbin:8000', 'x-forwarded-for': '10.1.2.3' } })).body);
  assert.equal(a.origin, '10.1.2.3');
  assert.deepEqual(a.args, { a: ['1', '2'], b: 'x' });
  assert.equal(a.url, 'http://httpbin:8000/get?a=1&a=2&b=x');
  const b = JSON.parse((await request(port, '/ip', { headers: { 'x-forwarded-proto': 'https' } })).body);
  assert.deepEqual(b, { origin: '127.0.0.1' });
  const c = JSON.parse((await request(port, '/get', { headers: { host: 'h:1', 'x-forwarded-proto': 'https' } })).body);
  assert.equal(c.url, 'https://h:1/get');
});

test('/user-agent, /uuid, / index, 404 and 405', async () => {
  assert.deepEqual(JSON.parse((await request(port, '/user-agent', { headers: { 'user-agent': 'curl/8' } })).body), { 'user-agent': 'curl/8' });
  const u = JSON.parse((await request(port, '/uuid')).body);
  assert.match(u.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const idx = await request(port, '/');
  assert.equal(idx.status, 200);
  assert.match(idx.body, /httpbin/);
  const nf = await request(port, '/nope');
  assert.equal(nf.status, 404);
  const na = await request(port, '/get', { method: 'POST', body: 'x' });
  assert.equal(na.status, 405);
  assert.match(na.headers.allow ?? '', /GET/);
  const opt = await request(port, '/get', { method: 'OPTIONS' });
  assert.equal(opt.status, 200);
  assert.equal(opt.headers['access-control-max-age'], '3600');
});

test('/post /put /patch /delete and /anything: data, json, form, files, method', async () => {
  const j = JSON.parse(
    (await request(port, '/post?q=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k": [1, "v"]}' })).body,
  );
  assert.deepEqual(Object.keys(j).sort(), ['args', 'data', 'files', 'form', 'headers', 'json', 'origin', 'url']);
  assert.equal(j.data, '{"k": [1, "v"]}');
  assert.deepEqual(j.json, { k: [1, 'v'] });
  assert.deepEqual(j.args, { q: '1' });
  const f = JSON.parse(
    (await request(port, '/put', { method: 'PUT', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two+words&a=3' })).body,
  );
  assert.deepEqual(f.form, { a: ['1', '3'], b: 'two words' });
  assert.equal(f.data, '');
  assert.equal(f.json, null);
  const boundary = 'XyZ';
  const mp =
    `--${boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="up"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n` +
    `--${boundary}--\r\n`;
  const m = JSON.parse(
    (await request(port, '/patch', { method: 'PATCH', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: mp })).body,
  );
  assert.deepEqual(m.form, { field: 'value' });
  assert.deepEqual(m.files, { up: 'file body' });
  const bin = JSON.parse((await request(port, '/delete', { method: 'DELETE', body: Buffer.from([0xff, 0xfe, 0x00]) })).body);
  assert.equal(bin.data, 'data:application/octet-stream;base64,//4A');
  const any = JSON.parse((await request(port, '/anything/x/y?z=1', { method: 'TRACE' })).body);
  assert.equal(any.method, 'TRACE');
  assert.equal((await request(port, '/anything', { method: 'PURGE' })).status, 405); // core.py's method list
  assert.deepEqual(Object.keys(any).sort(), ['args', 'data', 'files', 'form', 'headers', 'json', 'method', 'origin', 'url']);
  assert.match(any.url, /\/anything\/x\/y\?z=1$/);
  assert.equal((await request(port, '/post', { method: 'GET' })).status, 405);
});

test('/status: single, list, weighted, specials and invalid -> 400', async () => {
  assert.equal((await request(port, '/status/503')).status, 503);
  const tea = await request(port, '/status/418', { method: 'POST' });
  assert.equal(tea.status, 418);
  assert.match(tea.body, /teapot/);
  assert.equal(tea.headers['x-more-info'], 'http://tools.ietf.org/html/rfc2324');
  const redirect = await request(port, '/status/302');
  assert.equal(redirect.headers.location, '/redirect/1');
  const nc = await request(port, '/status/204');
  assert.equal(nc.status, 204);
  assert.equal(nc.headers['content-length'], undefined);
  const bad = await request(port, '/status/abc');
  assert.equal(bad.status, 400);
  assert.equal(bad.body, 'Invalid status code');
  assert.equal((await request(port, '/status/200:x,503:1')).status, 400);
  assert.equal((await request(port, '/status/200/x')).status, 404); // <codes> never spans a '/'
  const listed = new Set<number>();
  for (let i = 0; i < 40; i++) listed.add((await request(port, '/status/201,202')).status);
  assert.deepEqual([...listed].sort(), [201, 202]);
});

test('chooseStatus: weighted choice follows utils.weighted_choice (cumulative weights)', () => {
  let x = 0;
  const seq = () => x; // controlled draw in [0,1)
  x = 0.0;
  assert.equal(chooseStatus('200:1,503:3', seq), 200);
  x = 0.24;
  assert.equal(chooseStatus('200:1,503:3', seq), 200);
  x = 0.26;
  assert.equal(chooseStatus('200:1,503:3', seq), 503);
  x = 0.99;
  assert.equal(chooseStatus('200:0.5,503:0.5', seq), 503);
  // bare entries weigh 1
  x = 0.6;
  assert.equal(chooseStatus('200,503:1', seq), 503);
  // statistical check with Math.random, bounded count
  let n503 = 0;
  for (let i = 0; i < 4000; i++) if (chooseStatus('200:1,503:3') === 503) n503++;
  assert.ok(n503 > 2700 && n503 < 3300, `503 share ${n503}/4000`);
  assert.equal(chooseStatus('99'), null);
  assert.equal(chooseStatus(' 404 '), 404);
});

test('/delay/<n>: sleeps (fractional allowed), answers the delay dict; invalid -> 500', async () => {
  const t0 = Date.now();
  const r = await request(port, '/delay/0.3?x=1');
  const took = Date.now() - t0;
  assert.equal(r.status, 200);
  assert.ok(took >= 290, `took ${took} ms`);
  const d = JSON.parse(r.body);
  assert.deepEqual(Object.keys(d).sort(), ['args', 'data', 'files', 'form', 'headers', 'origin', 'url']);
  assert.equal((await request(port, '/delay/abc')).status, 500);
  assert.equal((await request(port, '/delay/-1')).status, 500);
  assert.equal((await request(port, '/delay/1', { method: 'PURGE' })).status, 405);
});

test('/bytes/<n>: n bytes, deterministic for ?seed=, capped at 100 KiB', async () => {
  const a = await request(port, '/bytes/64?seed=7');
  const b = await request(port, '/bytes/64?seed=7');
  assert.equal(a.raw.length, 64);
  assert.deepEqual(a.raw, b.raw);
  assert.equal(a.headers['content-type'], 'application/octet-stream');
  const big = await request(port, '/bytes/200000');
  assert.equal(big.raw.length, 100 * 1024);
  assert.equal((await request(port, '/bytes/x')).status, 404);
});

test('/response-headers: headers set from the query and listed in the body (fixed point)', async () => {
  const r = await request(port, '/response-headers?X-Mesh=1&freeform=a%20b');
  assert.equal(r.headers['x-mesh'], '1');
  assert.equal(r.headers.freeform, 'a b');
  const body = JSON.parse(r.body);
  assert.equal(body['Content-Length'], String(r.raw.length));
  assert.equal(body['X-Mesh'], '1');
});

test('python json: ensure_ascii escapes and sorted keys', () => {
  assert.equal(pyJsonDumps({ b: 'é\n"', a: [] }), '{\n  "a": [], \n  "b": "\\u00e9\\n\\""\n}\n');
  assert.equal(pyJsonDumps([1, null, true]), '[\n  1, \n  null, \n  true\n]\n');
});

test('counter: one record per response, shadow hosts counted apart', async () => {
  const base = s.counter.requests;
  const shadowBase = s.counter.shadowRequests;
  await request(port, '/get', { headers: { host: 'httpbin-shadow:8000' } });
  await request(port, '/status/503');
  assert.equal(s.counter.requests, base + 2);
  assert.equal(s.counter.shadowRequests, shadowBase + 1);
  assert.ok((s.counter.codes['503'] ?? 0) >= 1);
});

test('close() ends open keep-alive connections and pending delays promptly', async () => {
  const other = await start(instance('httpbin'));
  const agent = new http.Agent({ keepAlive: true });
  await request(other.app.port, '/get', { agent });
  const pending = request(other.app.port, '/delay/10', { agent }).catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await other.app.close();
  assert.ok(Date.now() - t0 < 5000, 'close did not wait for the 10 s delay');
  const outcome = await pending;
  assert.ok(outcome instanceof Error, 'the delayed request was cut, not answered');
  agent.destroy();
});

test('a caller that gives up (sidecar timeout) is still counted once the app answers', async () => {
  const base = s.counter.requests;
  const r = await request(port, '/delay/0.2', { timeoutMs: 50 }).catch((e: Error) => e);
  assert.ok(r instanceof Error);
  await new Promise((done) => setTimeout(done, 350));
  assert.equal(s.counter.requests, base + 1);
  assert.match(s.log[s.log.length - 1], /^127\.0\.0\.1 - - \[.*\] "GET \/delay\/0\.2 HTTP\/1\.1" 200 /);
});
