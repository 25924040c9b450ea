// go-httpbin's endpoints beyond the request-echo core that go-httpbin.ts
// answers itself (httpbin.go's mux table): the families shared with the Python
// app, with the Go flavour, plus go-httpbin's own /unstable, /dump/request,
// /env, /hostname, /version, /head, /upload and /trailers. Patterns are Go
// ServeMux wildcards (`:seg`); handlers validate them (400 as JSON).

import type { InstanceSpec } from '../../config/model.js';
import { readBody } from '../server.js';
import { basicAuth, bearer, digestAuth } from './auth.js';
import { cache, cacheControl, etag } from './caching.js';
import { compressed } from './compression.js';
import { changeCookies, showCookies } from './cookies.js';
import { base64, document } from './documents.js';
import type { Exchange, Flavor, Json } from './exchange.js';
import { goAtoi, params, sendText } from './exchange.js';
import { image, imageByAccept } from './images.js';
import { linksPage, linksStart, redirectChain, redirectTo } from './redirects.js';
import { route, type Route } from './routes.js';
import { drip, GO_MAX_BODY, jsonl, range, sse, streamBytes, streamLines } from './streaming.js';

export interface GoExtras {
  instance: InstanceSpec;
  /** go-httpbin's RequestWithBody echo; `deliver` takes the document instead of a JSON answer. */
  echoBody(x: Exchange, deliver?: (doc: Json) => void): void;
}

export function goRoutes(f: Flavor, extras: GoExtras): Route[] {
  return [
    route('/absolute-redirect/:seg', null, (x, p) => redirectChain(x, f, 'absolute', p[0])),
    route('/base64/:seg', null, (x, p) => base64(x, f, p[0])),
    route('/base64/:seg/:seg', null, (x, p) => base64(x, f, p[1], p[0])),
    route('/basic-auth/:seg/:seg', null, (x, p) => basicAuth(x, f, p[0], p[1], false)),
    route('/bearer', null, (x) => bearer(x, f)),
    route('/brotli', null, (x) => compressed(x, f, 'brotli')),
    route('/cache', null, (x) => cache(x, f)),
    route('/cache/:seg', null, (x, p) => cacheControl(x, f, p[0])),
    route('/cookies', null, (x) => showCookies(x, f)),
    route('/cookies/delete', null, (x) => changeCookies(x, f, 'delete')),
    route('/cookies/set', null, (x) => changeCookies(x, f, 'set')),
    route('/deflate', null, (x) => compressed(x, f, 'deflate')),
    route('/deny', null, (x) => document(x, f, 'deny')),
    route('/digest-auth/:seg/:seg/:seg', null, (x, p) => digestAuth(x, f, p[0], p[1], p[2])),
    route('/digest-auth/:seg/:seg/:seg/:seg', null, (x, p) => digestAuth(x, f, p[0], p[1], p[2], p[3])),
    route('/drip', null, (x) => drip(x, f)),
    route('/dump/request', null, (x) => dumpRequest(x, f)),
    route('/encoding/utf8', ['GET'], (x) => document(x, f, 'utf8')),
    route('/env', null, (x) => f.json(x, { env: httpbinEnv(extras.instance) })),
    route('/etag/:seg', null, (x, p) => etag(x, f, p[0])),
    route('/forms/post', ['GET'], (x) => document(x, f, 'forms')),
    route('/gzip', null, (x) => compressed(x, f, 'gzip')),
    route('/head', ['HEAD'], (x) => f.json(x, f.echo(x))),
    route('/hidden-basic-auth/:seg/:seg', null, (x, p) => basicAuth(x, f, p[0], p[1], true)),
    route('/hostname', null, (x) => f.json(x, { hostname: 'go-httpbin' })),
    route('/html', null, (x) => document(x, f, 'html')),
    route('/image', null, (x) => imageByAccept(x, f)),
    route('/image/:seg', null, (x, p) => image(x, f, p[0])),
    route('/json', null, (x) => document(x, f, 'json')),
    route('/jsonl', null, (x) => jsonl(x, f)),
    route('/links/:seg', null, (x, p) => linksStart(x, f, p[0])),
    route('/links/:seg/:seg', null, (x, p) => linksPage(x, f, p[0], p[1])),
    route('/range/:seg', null, (x, p) => range(x, f, p[0])),
    route('/redirect-to', null, (x) => redirectTo(x, f)),
    route('/redirect/:seg', null, (x, p) => redirectChain(x, f, 'redirect', p[0])),
    route('/relative-redirect/:seg', null, (x, p) => redirectChain(x, f, 'relative', p[0])),
    route('/robots.txt', null, (x) => document(x, f, 'robots')),
    route('/sse', null, (x) => sse(x, f)),
    route('/stream-bytes/:seg', null, (x, p) => streamBytes(x, f, p[0])),
    route('/stream/:seg', null, (x, p) => streamLines(x, f, p[0])),
    route('/trailers', null, (x) => trailers(x, f, extras)),
    route('/unstable', null, (x) => unstable(x, f)),
    route('/upload', ['POST', 'PUT', 'PATCH'], (x) => upload(x, f)),
    route('/version', null, (x) => f.json(x, { service: 'go-httpbin', version: imageTag(extras.instance) })),
    route('/websocket/echo', ['GET'], (x) => f.fail(x, 501, 'websocket echo is not emulated by meshbench')),
    route('/xml', null, (x) => document(x, f, 'xml')),
  ];
}

/** /unstable?failure_rate=&seed=: 500 with probability failure_rate (default 0.5), else 200. */
function unstable(x: Exchange, f: Flavor): void {
  const q = params(x);
  const seed = q.get('seed');
  if (seed && goAtoi(seed) === null) return f.fail(x, 400, `invalid seed: strconv.ParseInt: parsing "${seed}": invalid syntax`);
  let rate = 0.5;
  const raw = q.get('failure_rate');
  if (raw) {
    rate = Number(raw);
    if (raw.trim() === '' || Number.isNaN(rate)) return f.fail(x, 400, `invalid failure rate: strconv.ParseFloat: parsing "${raw}": invalid syntax`);
    if (rate < 0 || rate > 1) return f.fail(x, 400, `invalid failure rate: ${raw} not in range [0, 1]`);
  }
  const draw = seed ? seededUnit(Number(seed)) : Math.random();
  sendText(x, f, draw < rate ? 500 : 200, f.textType, '');
}

/** One uniform draw in [0, 1) from a seed (deterministic; not Go's math/rand sequence). */
function seededUnit(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}

/** httputil.DumpRequest(r, true): request line, Host, sorted canonical headers, body. */
function dumpRequest(x: Exchange, f: Flavor): void {
  readBody(x.req, GO_MAX_BODY).then(
    (body) => {
      const byName = new Map<string, string[]>();
      const raw = x.req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i].toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
        if (k === 'Host' || k === 'Transfer-Encoding' || k === 'Trailer') continue;
        byName.set(k, [...(byName.get(k) ?? []), raw[i + 1]]);
      }
      let text = `${x.method} ${x.req.url ?? '/'} HTTP/${x.req.httpVersion}\r\nHost: ${x.req.headers.host ?? ''}\r\n`;
      for (const k of [...byName.keys()].sort()) for (const v of byName.get(k) ?? []) text += `${k}: ${v}\r\n`;
      sendText(x, f, 200, f.textType, Buffer.concat([Buffer.from(text + '\r\n'), body]));
    },
    () => x.res.destroy(),
  ).catch(() => x.app.internalError(x.req, x.res));
}

/** /upload: the echo without the body, and how many body bytes came. */
function upload(x: Exchange, f: Flavor): void {
  let n = 0;
  x.req.on('data', (c: Buffer) => (n += c.length));
  x.req.on('end', () => f.json(x, { ...f.echo(x), bytes_received: n }));
  x.req.resume();
}

/** Trailers go-httpbin refuses (net/http's forbidden trailer names). */
const FORBIDDEN_TRAILERS = new Set(['authorization', 'cache-control', 'connection', 'content-encoding', 'content-length', 'content-range', 'content-type', 'expect', 'host', 'keep-alive', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'range', 'realm', 'te', 'trailer', 'transfer-encoding', 'www-authenticate']);

/** /trailers?name=value: the body echo, chunked, with the query as trailers. */
function trailers(x: Exchange, f: Flavor, extras: GoExtras): void {
  const q = [...params(x)];
  for (const [k] of q) if (FORBIDDEN_TRAILERS.has(k.toLowerCase())) return f.fail(x, 400, `forbidden trailer: ${k}`);
  extras.echoBody(x, (doc) => {
    const h = f.headers(x.req, 'application/json; charset=utf-8');
    const names = [...new Set(q.map(([k]) => k))];
    if (names.length) h.push('Trailer', names.join(', '));
    const body = f.encode(doc as Record<string, Json>);
    if (!x.res.destroyed) {
      x.res.writeHead(200, h);
      x.res.write(body);
      const t: Record<string, string> = {};
      for (const [k, v] of q) t[k] = v;
      x.res.addTrailers(t);
      x.res.end();
    }
    x.app.account(x.req, 200, Buffer.byteLength(body));
  });
}

/** go-httpbin -env: the container's HTTPBIN_ENV_* variables. */
function httpbinEnv(instance: InstanceSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(instance.env)) if (k.startsWith('HTTPBIN_ENV_')) out[k] = v;
  return out;
}

function imageTag(instance: InstanceSpec): string {
  const image = instance.image ?? '';
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : '';
}
