// Caching endpoints: /cache (304 for any conditional request), /cache/<n>
// (Cache-Control max-age) and /etag/<etag> (If-None-Match / If-Match).
// core.py cache, cache_control, etag; go-httpbin Cache, CacheControl, ETag.

import { createHash, randomUUID } from 'node:crypto';
import type { Exchange, Flavor } from './exchange.js';
import { goAtoi, pyStatus, sendText } from './exchange.js';

/** RFC 7231 IMF-fixdate (werkzeug http_date); Go's time.RFC1123 spells the zone "UTC". */
function httpDate(go: boolean): string {
  const s = new Date().toUTCString();
  return go ? s.replace(/GMT$/, 'UTC') : s;
}

/** /cache */
export function cache(x: Exchange, f: Flavor): void {
  const h = x.req.headers;
  if (h['if-modified-since'] || h['if-none-match']) {
    if (f.kind === 'python') return pyStatus(x, f, 304);
    return notModified(x, f, []);
  }
  const lastModified = httpDate(f.kind === 'go');
  const etag = f.kind === 'go' ? createHash('sha1').update(lastModified).digest('hex') : randomUUID().replace(/-/g, '');
  f.json(x, f.echo(x), 200, ['Last-Modified', lastModified, 'ETag', etag]);
}

function notModified(x: Exchange, f: Flavor, extra: string[]): void {
  const h = f.headers(x.req, f.textType);
  h.splice(h.indexOf('Content-Type'), 2);
  h.push(...extra);
  if (!x.res.destroyed) {
    x.res.writeHead(304, h);
    x.res.end();
  }
  x.app.account(x.req, 304, 0);
}

/** /cache/<n> */
export function cacheControl(x: Exchange, f: Flavor, raw: string): void {
  const n = f.kind === 'go' ? goAtoi(raw) : Number(raw);
  if (n === null) return f.fail(x, 400, `invalid seconds: strconv.ParseInt: parsing "${raw}": invalid syntax`);
  f.json(x, f.echo(x), 200, ['Cache-Control', `public, max-age=${n}`]);
}

/** helpers.parse_multi_value_header: the tags of an If-(None-)Match list, quotes and W/ dropped. */
export function parseEtags(header: string | undefined): string[] {
  if (!header) return [];
  return header.split(',').map((part) => /^\s*(?:W\/)?"?([^"]*)"?\s*$/.exec(part)?.[1] ?? part.trim());
}

/** /etag/<etag> */
export function etag(x: Exchange, f: Flavor, tag: string): void {
  const ifNone = parseEtags(x.req.headers['if-none-match']);
  const ifMatch = parseEtags(x.req.headers['if-match']);
  const shown = f.kind === 'go' ? `"${tag}"` : tag;
  if (ifNone.length > 0) {
    if (ifNone.includes(tag) || ifNone.includes('*')) {
      return f.kind === 'go' ? notModified(x, f, ['ETag', shown]) : pyStatus(x, f, 304, ['ETag', shown]);
    }
  } else if (ifMatch.length > 0 && !ifMatch.includes(tag) && !ifMatch.includes('*')) {
    if (f.kind === 'go') return sendText(x, f, 412, f.textType, '', ['ETag', shown]);
    return pyStatus(x, f, 412);
  }
  // go-httpbin serves the echo as text/plain through http.ServeContent.
  if (f.kind === 'go') return sendText(x, f, 200, f.textType, f.encode(f.echo(x)), ['ETag', shown, 'Accept-Ranges', 'bytes']);
  f.json(x, f.echo(x), 200, ['ETag', shown]);
}
