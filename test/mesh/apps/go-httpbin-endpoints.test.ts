// The built-in go-httpbin's endpoint table beyond the request echo, on real
// sockets (behaviour read from mccutchen/go-httpbin handlers.go/helpers.go):
// the families shared with the Python app answer the Go way (400 JSON errors,
// Go JSON, text/plain), plus go-httpbin's own endpoints.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { instance, request, start, type Reply, type Started } from './helpers.js';

let s: Started;
let port: number;

before(async () => {
  s = await start(instance('httpbin', { image: 'docker.io/mccutchen/go-httpbin:v2.15.0', env: { HTTPBIN_ENV_COLOR: 'blue', OTHER: 'x' } }));
  port = s.app.port;
});
after(async () => {
  await s.app.close();
});

const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> => request(port, path, { headers: { host: 'httpbin:8000', ...headers } });
const json = (r: Reply) => JSON.parse(r.body) as Record<string, unknown>;

test('/unstable: 500 at failure_rate, 200 otherwise; bad parameters are 400', async () => {
  assert.equal((await get('/unstable?failure_rate=1')).status, 500);
  assert.equal((await get('/unstable?failure_rate=0')).status, 200);
  const seen = new Set<number>();
  for (let i = 0; i < 40; i++) seen.add((await get('/unstable')).status);
  assert.deepEqual([...seen].sort(), [200, 500]);
  const seeded = [(await get('/unstable?seed=5')).status, (await get('/unstable?seed=5')).status];
  assert.equal(seeded[0], seeded[1]);
  assert.equal((await get('/unstable?failure_rate=2')).status, 400);
  assert.equal(json(await get('/unstable?seed=x')).status_code, 400);
});

test('/status/200,503 and weighted lists pick among the codes; errors are JSON', async () => {
  const seen = new Set<number>();
  for (let i = 0; i < 40; i++) seen.add((await get('/status/200,503')).status);
  assert.deepEqual([...seen].sort(), [200, 503]);
  for (let i = 0; i < 10; i++) assert.equal((await get('/status/200:0,503:1')).status, 503);
  const bad = await get('/status/200:x');
  assert.equal(bad.status, 400);
  assert.equal(bad.headers['content-type'], 'application/json; charset=utf-8');
});

test('redirects: relative chain, absolute with ?absolute=true, 400 JSON for bad counts, /redirect-to bounds', async () => {
  const r = await get('/redirect/2');
  assert.equal(r.status, 302);
  assert.equal(r.headers.location, '/relative-redirect/1');
  assert.equal(r.body, '');
  assert.equal((await get('/redirect/1?absolute=true')).headers.location, 'http://httpbin:8000/get');
  const zero = await get('/redirect/0');
  assert.equal(zero.status, 400);
  assert.deepEqual(json(zero), { status_code: 400, error: 'Bad Request', detail: 'redirect count must be > 0' });
  assert.equal((await get('/redirect/x')).status, 400);
  assert.equal((await get('/redirect-to?url=/x&status_code=308')).status, 308);
  assert.equal((await get('/redirect-to?url=/x&status_code=200')).status, 400);
  assert.equal((await get('/redirect-to')).status, 400);
  assert.equal((await get('/links/2')).headers.location, '/links/2/0');
  assert.equal((await get('/links/2/0')).body, '<html><head><title>Links</title></head><body>0 <a href="/links/2/1">1</a> </body></html>');
});

test('cookies: attr[...] parameters shape Set-Cookie (Path=/ and HttpOnly by default); /cookies lists all', async () => {
  const set = await get('/cookies/set?k=v&attr[SameSite]=lax&attr[Secure]=1');
  assert.equal(set.status, 302);
  assert.deepEqual(set.headers['set-cookie'], ['k=v; Path=/; HttpOnly; Secure; SameSite=Lax']);
  assert.match(String((await get('/cookies/delete?k')).headers['set-cookie']), /^k=; Path=\/; Expires=.* GMT; Max-Age=0; HttpOnly$/);
  assert.deepEqual(json(await get('/cookies', { cookie: 'a=1; __utma=2' })), { cookies: { a: '1', __utma: '2' } });
});

test('auth: /basic-auth answers JSON both ways, /hidden-basic-auth 404, /bearer 401 JSON, /digest-auth validates qop', async () => {
  const no = await get('/basic-auth/u/p', { authorization: 'Basic ' + Buffer.from('u:x').toString('base64') });
  assert.equal(no.status, 401);
  assert.deepEqual(json(no), { authenticated: false, user: 'u', authorized: false });
  const ok = await get('/basic-auth/u/p', { authorization: 'Basic ' + Buffer.from('u:p').toString('base64') });
  assert.deepEqual(json(ok), { authenticated: true, user: 'u', authorized: true });
  assert.equal((await get('/hidden-basic-auth/u/p')).status, 404);
  const b = await get('/bearer', { authorization: 'Bearer a b' });
  assert.equal(b.status, 401);
  assert.equal(b.headers['www-authenticate'], 'Bearer');
  assert.equal(json(b).status_code, 401);
  assert.equal((await get('/digest-auth/auth-int/u/p')).status, 400);
  const ch = await get('/digest-auth/auth/u/p/SHA-256');
  assert.equal(ch.status, 401);
  assert.match(String(ch.headers['www-authenticate']), /^Digest realm="go-httpbin", qop="auth", nonce="[0-9a-f]+", algorithm=SHA-256$/);
});

test('/gzip and /deflate carry args, headers, method, origin, an empty url and the flag; /brotli is 501', async () => {
  const g = await get('/gzip?a=1');
  assert.equal(g.headers['content-type'], 'application/json; charset=utf-8');
  const doc = JSON.parse(gunzipSync(g.raw).toString());
  assert.deepEqual(Object.keys(doc), ['args', 'headers', 'method', 'origin', 'url', 'gzipped']);
  assert.deepEqual(doc.args, { a: ['1'] });
  assert.equal(doc.url, '');
  assert.equal(JSON.parse(inflateSync((await get('/deflate')).raw).toString()).deflated, true);
  assert.equal((await get('/brotli')).status, 501);
});

test('/jsonl, /dump/request, /env, /hostname, /version, /head, /upload, /trailers', async () => {
  const lines = (await get('/jsonl?count=3')).body.trim().split('\n').map((l) => JSON.parse(l) as { id: number });
  assert.deepEqual(lines.map((l) => l.id), [0, 1, 2]);
  const dump = await request(port, '/dump/request?x=1', { method: 'POST', headers: { host: 'h:1', 'x-b': '2', 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(dump.body, 'POST /dump/request?x=1 HTTP/1.1\r\nHost: h:1\r\nConnection: close\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nX-B: 2\r\n\r\nhello');
  assert.deepEqual(json(await get('/env')), { env: { HTTPBIN_ENV_COLOR: 'blue' } });
  assert.deepEqual(json(await get('/hostname')), { hostname: 'go-httpbin' });
  assert.deepEqual(json(await get('/version')), { service: 'go-httpbin', version: 'v2.15.0' });
  assert.equal((await request(port, '/head', { method: 'HEAD' })).status, 200);
  assert.equal((await get('/head')).status, 405);
  const up = json(await request(port, '/upload', { method: 'POST', body: 'x'.repeat(1000) }));
  assert.equal(up.bytes_received, 1000);
  const tr = await new Promise<{ trailers: NodeJS.Dict<string>; body: string; te: string | undefined }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/trailers?X-Check=ok', method: 'POST', headers: { 'content-type': 'text/plain' }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ trailers: res.trailers, body, te: res.headers['transfer-encoding'] }));
    });
    req.on('error', reject);
    req.end('{"a":1}');
  });
  assert.equal(tr.te, 'chunked');
  assert.equal(tr.trailers['x-check'], 'ok');
  assert.equal(JSON.parse(tr.body).data, '{"a":1}');
  assert.equal((await get('/trailers?Content-Length=1')).status, 400);
});

test('images by Accept (png first, 415 otherwise), /base64 encode/decode, /range 206, /etag quoted, /websocket/echo says not emulated', async () => {
  assert.equal((await get('/image', { accept: 'image/webp' })).headers['content-type'], 'image/webp');
  assert.equal((await get('/image', { accept: 'image/png, image/webp' })).headers['content-type'], 'image/png');
  assert.equal((await get('/image', { accept: 'text/plain' })).status, 415);
  assert.equal((await get('/image/gif')).status, 404);
  assert.equal((await get('/base64/encode/hi?')).body, 'aGk=');
  assert.equal((await get('/base64/decode/aGk=')).body, 'hi');
  assert.equal((await get('/base64/aGk')).status, 400); // padding required
  const part = await get('/range/30', { range: 'bytes=0-3' });
  assert.equal(part.status, 206);
  assert.equal(part.body, 'abcd');
  assert.equal((await get('/range/0')).status, 400);
  assert.equal((await get('/etag/t')).headers.etag, '"t"');
  assert.equal((await get('/etag/t', { 'if-none-match': '"t"' })).status, 304);
  const ws = await get('/websocket/echo');
  assert.equal(ws.status, 501);
  assert.match(String(json(ws).detail), /not emulated/);
});
