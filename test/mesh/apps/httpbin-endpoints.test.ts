// The built-in httpbin's endpoint families beyond the request echo, on real
// sockets: redirects, cookies, auth, compression, caching, images, documents,
// links, base64 and bytes (behaviour read from httpbin 0.9.2 core.py/helpers.py).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { instance, request, start, type Reply, type Started } from './helpers.js';

let s: Started;
let port: number;

before(async () => {
  s = await start(instance('httpbin'));
  port = s.app.port;
});
after(async () => {
  await s.app.close();
});

const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> => request(port, path, { headers: { host: 'httpbin:8000', ...headers } });

test('/redirect/n chains relative hops to /get; ?absolute=true and /absolute-redirect name the Host', async () => {
  const hops: string[] = [];
  let path = '/redirect/3';
  for (let i = 0; i < 5 && path !== '/get'; i++) {
    const r = await get(path);
    assert.equal(r.status, 302);
    path = String(r.headers.location);
    hops.push(path);
  }
  assert.deepEqual(hops, ['/relative-redirect/2', '/relative-redirect/1', '/get']);
  const first = await get('/redirect/2');
  assert.match(first.body, /^<!DOCTYPE HTML PUBLIC .*Redirecting\.\.\..*href="\/relative-redirect\/1"/s); // werkzeug redirect()
  assert.equal((await get('/relative-redirect/1')).body, ''); // its own empty response
  assert.equal((await get('/redirect/2?absolute=true')).headers.location, 'http://httpbin:8000/absolute-redirect/1');
  assert.equal((await get('/absolute-redirect/1')).headers.location, 'http://httpbin:8000/get');
  assert.equal((await get('/redirect/0')).status, 500); // assert n > 0
  assert.equal((await get('/redirect/-1')).status, 404); // <int:n> takes digits only
  assert.equal((await get('/redirect/2/')).status, 404);
});

test('/redirect-to: Location from url, status_code only when 3xx, any method core.py lists', async () => {
  const r = await get('/redirect-to?url=http%3A%2F%2Fexample.com%2Fx&status_code=307');
  assert.equal(r.status, 307);
  assert.equal(r.headers.location, 'http://example.com/x');
  assert.equal((await get('/redirect-to?url=/get&status_code=200')).status, 302);
  assert.equal((await request(port, '/redirect-to?URL=/a', { method: 'PATCH' })).headers.location, '/a'); // CaseInsensitiveDict
  assert.equal((await get('/redirect-to')).status, 500);
  assert.equal((await request(port, '/redirect-to?url=/a', { method: 'PURGE' })).status, 405);
});

test('/cookies shows the Cookie header (analytics cookies hidden); /cookies/set and /delete redirect with Set-Cookie', async () => {
  const c = JSON.parse((await get('/cookies', { cookie: 'a=1; b="two"; __utma=x' })).body);
  assert.deepEqual(c, { cookies: { a: '1', b: 'two' } });
  assert.deepEqual(JSON.parse((await get('/cookies?show_env', { cookie: '__utma=x' })).body), { cookies: { __utma: 'x' } });
  const set = await get('/cookies/set?k=v&sp=a%20b');
  assert.equal(set.status, 302);
  assert.equal(set.headers.location, '/cookies');
  assert.deepEqual(set.headers['set-cookie'], ['k=v; Path=/', 'sp="a b"; Path=/']);
  assert.deepEqual((await get('/cookies/set/n/v')).headers['set-cookie'], ['n=v; Path=/']);
  assert.deepEqual((await get('/cookies/delete?k')).headers['set-cookie'], ['k=; Expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=0; Path=/']);
});

const basic = (u: string, p: string) => ({ authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64') });

test('/basic-auth, /hidden-basic-auth and /bearer', async () => {
  const ok = await get('/basic-auth/u/p', basic('u', 'p'));
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { authenticated: true, user: 'u' });
  const no = await get('/basic-auth/u/p', basic('u', 'x'));
  assert.equal(no.status, 401);
  assert.equal(no.headers['www-authenticate'], 'Basic realm="Fake Realm"');
  assert.equal(no.headers['content-type'], undefined); // status_code() replaced the headers
  assert.equal((await get('/hidden-basic-auth/u/p', basic('u', 'x'))).status, 404);
  assert.equal((await get('/hidden-basic-auth/u/p', basic('u', 'p'))).status, 200);
  const b = await get('/bearer');
  assert.equal(b.status, 401);
  assert.equal(b.headers['www-authenticate'], 'Bearer');
  assert.deepEqual(JSON.parse((await get('/bearer', { authorization: 'Bearer t0k' })).body), { authenticated: true, token: 't0k' });
});

/** The client side of RFC 2617/7616 digest for `challenge`. */
function digestHeader(challenge: string, user: string, pass: string, uri: string, alg: 'MD5' | 'SHA-256'): string {
  const f = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
  const H = (x: string) => createHash(alg === 'MD5' ? 'md5' : 'sha256').update(x).digest('hex');
  const [realm, nonce, opaque] = [f('realm'), f('nonce'), f('opaque')];
  const ha1 = H(`${user}:${realm}:${pass}`);
  const ha2 = H(`GET:${uri}`);
  const response = H(`${ha1}:${nonce}:00000001:abcdef:auth:${ha2}`);
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=${alg}, qop=auth, nc=00000001, cnonce="abcdef", response="${response}", opaque="${opaque}"`;
}

test('/digest-auth: challenge, then the right response passes (MD5 and SHA-256), a wrong password re-challenges', async () => {
  for (const alg of ['MD5', 'SHA-256'] as const) {
    const uri = `/digest-auth/auth/u/p/${alg}`;
    const ch = await get(uri);
    assert.equal(ch.status, 401);
    const www = String(ch.headers['www-authenticate']);
    assert.match(www, new RegExp(`^Digest realm="me@kennethreitz.com", nonce="[0-9a-f]+", qop="auth", opaque="[0-9a-f]+", algorithm=${alg}, stale=FALSE$`));
    assert.ok((ch.headers['set-cookie'] as string[]).includes('stale_after=never; Path=/'));
    const ok = await get(uri, { authorization: digestHeader(www, 'u', 'p', uri, alg) });
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { authenticated: true, user: 'u' });
    assert.equal((await get(uri, { authorization: digestHeader(www, 'u', 'bad', uri, alg) })).status, 401);
  }
  assert.match(String((await get('/digest-auth/x/u/p')).headers['www-authenticate']), /qop="auth, auth-int"/);
});

test('/gzip, /deflate, /brotli: compressed echo that decodes to origin, headers, method and the flag', async () => {
  const cases: Array<[string, string, (b: Buffer) => Buffer, string]> = [
    ['/gzip', 'gzip', gunzipSync, 'gzipped'],
    ['/deflate', 'deflate', inflateSync, 'deflated'],
    ['/brotli', 'br', brotliDecompressSync, 'brotli'],
  ];
  for (const [path, enc, decode, flag] of cases) {
    const r = await get(path);
    assert.equal(r.headers['content-encoding'], enc);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(Number(r.headers['content-length']), r.raw.length);
    const doc = JSON.parse(decode(r.raw).toString());
    assert.deepEqual(Object.keys(doc).sort(), [flag, 'headers', 'method', 'origin'].sort());
    assert.equal(doc[flag], true);
    assert.equal(doc.method, 'GET');
  }
});

test('/cache: 200 with Last-Modified/ETag, 304 when conditional; /cache/n; /etag/<etag>', async () => {
  const c = await get('/cache');
  assert.equal(c.status, 200);
  assert.match(String(c.headers.etag), /^[0-9a-f]{32}$/);
  assert.match(String(c.headers['last-modified']), /GMT$/);
  const nm = await get('/cache', { 'if-modified-since': String(c.headers['last-modified']) });
  assert.equal(nm.status, 304);
  assert.equal(nm.body, '');
  assert.equal((await get('/cache/30')).headers['cache-control'], 'public, max-age=30');
  const e = await get('/etag/abc');
  assert.equal(e.headers.etag, 'abc');
  assert.equal((await get('/etag/abc', { 'if-none-match': 'W/"abc", "x"' })).status, 304);
  assert.equal((await get('/etag/abc', { 'if-match': '"zzz"' })).status, 412);
  assert.equal((await get('/etag/abc', { 'if-match': '*' })).status, 200);
});

test('/image by Accept (webp > svg > jpeg > png, else 406) and /image/<kind> are real images', async () => {
  const magic: Record<string, (b: Buffer) => boolean> = {
    'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9,
    'image/webp': (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' && b.readUInt32LE(4) === b.length - 8,
    'image/svg+xml': (b) => b.toString().includes('<svg'),
  };
  for (const [path, type] of [['/image/png', 'image/png'], ['/image/jpeg', 'image/jpeg'], ['/image/webp', 'image/webp'], ['/image/svg', 'image/svg+xml']]) {
    const r = await get(path);
    assert.equal(r.headers['content-type'], type);
    assert.ok(magic[type](r.raw), `${path} is not a ${type}`);
  }
  assert.equal((await get('/image', { accept: 'image/jpeg, image/webp' })).headers['content-type'], 'image/webp');
  assert.equal((await get('/image', { accept: 'image/*' })).headers['content-type'], 'image/png');
  const no = await get('/image', { accept: 'text/html' });
  assert.equal(no.status, 406);
  assert.deepEqual(JSON.parse(no.body).accept, ['image/webp', 'image/svg+xml', 'image/jpeg', 'image/png', 'image/*']);
});

test('documents: /html /xml /json /robots.txt /deny /encoding/utf8 /forms/post with their types', async () => {
  const types: Record<string, string> = {
    '/html': 'text/html; charset=utf-8',
    '/xml': 'application/xml',
    '/json': 'application/json',
    '/robots.txt': 'text/plain',
    '/deny': 'text/plain',
    '/encoding/utf8': 'text/html; charset=utf-8',
    '/forms/post': 'text/html; charset=utf-8',
  };
  for (const [path, type] of Object.entries(types)) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
  }
  assert.equal((await get('/robots.txt')).body, 'User-agent: *\nDisallow: /deny\n');
  assert.deepEqual(Object.keys(JSON.parse((await get('/json')).body).slideshow).sort(), ['author', 'date', 'slides', 'title']);
  assert.match((await get('/xml')).body, /<slideshow[\s\S]*<\/slideshow>$/);
  assert.match((await get('/forms/post')).body, /<form method="post" action="\/post">/);
  assert.match((await get('/encoding/utf8')).body, /∮ E⋅da = Q/);
});

test('/base64/<value> decodes URL-safe base64, else the hint; /links/n and /links/n/offset', async () => {
  assert.equal((await get('/base64/SFRUUEJJTiBpcyBhd2Vzb21l')).body, 'HTTPBIN is awesome');
  assert.equal((await get('/base64/w6k_Pg==')).body, 'é?>'); // URL-safe alphabet
  assert.equal((await get('/base64/w6k_Pg')).body, 'Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l'); // padding required
  assert.equal((await get('/base64/abc')).body, 'Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l');
  const l = await get('/links/3');
  assert.equal(l.status, 302);
  assert.equal(l.headers.location, '/links/3/0');
  assert.equal(
    (await get('/links/3/1')).body,
    "<html><head><title>Links</title></head><body><a href='/links/3/0'>0</a> 1 <a href='/links/3/2'>2</a> </body></html>",
  );
  assert.equal((await get('/links/999/0')).body.match(/<a /g)?.length, 199); // n clamped to 200
});

test('/stream-bytes/n: n bytes in chunk_size chunks, the same for the same seed', async () => {
  const a = await get('/stream-bytes/300?seed=7&chunk_size=100');
  const b = await get('/stream-bytes/300?seed=7');
  assert.equal(a.headers['transfer-encoding'], 'chunked');
  assert.equal(a.headers['content-type'], 'application/octet-stream');
  assert.equal(a.raw.length, 300);
  assert.ok(a.raw.equals(b.raw));
  assert.equal((await get('/stream-bytes/999999')).raw.length, 100 * 1024);
  assert.equal((await get('/stream-bytes/3?seed=x')).status, 500);
});

test('every route answers OPTIONS with CORS and 405 names the allowed methods', async () => {
  const o = await request(port, '/drip', { method: 'OPTIONS', headers: { 'access-control-request-headers': 'x-a' } });
  assert.equal(o.status, 200);
  assert.equal(o.headers.allow, 'HEAD, OPTIONS, GET');
  assert.equal(o.headers['access-control-allow-headers'], 'x-a');
  const m = await request(port, '/gzip', { method: 'POST' });
  assert.equal(m.status, 405);
  assert.equal(m.headers.allow, 'HEAD, OPTIONS, GET');
  const head = await request(port, '/html', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.raw.length, 0);
});
