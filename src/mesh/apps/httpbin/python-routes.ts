// httpbin 0.9.2's endpoints beyond the request-echo core that httpbin.ts
// answers itself (core.py's @app.route list, in its order). Patterns use
// werkzeug's converters: `:int` digits only, `:seg` one segment.

import { base64, document } from './documents.js';
import { basicAuth, bearer, digestAuth } from './auth.js';
import { cache, cacheControl, etag } from './caching.js';
import { compressed } from './compression.js';
import { changeCookies, showCookies } from './cookies.js';
import type { Flavor } from './exchange.js';
import { image, imageByAccept } from './images.js';
import { linksPage, linksStart, redirectChain, redirectTo } from './redirects.js';
import { route, type Route } from './routes.js';
import { drip, range, streamBytes, streamLines } from './streaming.js';

const GET = ['GET'];
/** core.py's methods for /redirect-to, /status, /delay, /anything. */
export const ANY_METHOD = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE'];

/** The table for one flavour (the Python app's routes with the Python flavour). */
export function pythonRoutes(f: Flavor): Route[] {
  return [
    route('/html', GET, (x) => document(x, f, 'html')),
    route('/robots.txt', GET, (x) => document(x, f, 'robots')),
    route('/deny', GET, (x) => document(x, f, 'deny')),
    route('/gzip', GET, (x) => compressed(x, f, 'gzip')),
    route('/deflate', GET, (x) => compressed(x, f, 'deflate')),
    route('/brotli', GET, (x) => compressed(x, f, 'brotli')),
    route('/redirect/:int', GET, (x, p) => redirectChain(x, f, 'redirect', p[0])),
    route('/redirect-to', ANY_METHOD, (x) => redirectTo(x, f)),
    route('/relative-redirect/:int', GET, (x, p) => redirectChain(x, f, 'relative', p[0])),
    route('/absolute-redirect/:int', GET, (x, p) => redirectChain(x, f, 'absolute', p[0])),
    route('/stream/:int', GET, (x, p) => streamLines(x, f, p[0])),
    route('/cookies', GET, (x) => showCookies(x, f)),
    route('/forms/post', GET, (x) => document(x, f, 'forms')),
    route('/cookies/set/:seg/:seg', GET, (x, p) => changeCookies(x, f, 'set', [p[0], p[1]])),
    route('/cookies/set', GET, (x) => changeCookies(x, f, 'set')),
    route('/cookies/delete', GET, (x) => changeCookies(x, f, 'delete')),
    route('/basic-auth/:seg/:seg', GET, (x, p) => basicAuth(x, f, p[0], p[1], false)),
    route('/hidden-basic-auth/:seg/:seg', GET, (x, p) => basicAuth(x, f, p[0], p[1], true)),
    route('/bearer', GET, (x) => bearer(x, f)),
    route('/digest-auth/:seg/:seg/:seg', GET, (x, p) => digestAuth(x, f, p[0], p[1], p[2])),
    route('/digest-auth/:seg/:seg/:seg/:seg', GET, (x, p) => digestAuth(x, f, p[0], p[1], p[2], p[3])),
    route('/digest-auth/:seg/:seg/:seg/:seg/:seg', GET, (x, p) => digestAuth(x, f, p[0], p[1], p[2], p[3], p[4])),
    route('/drip', GET, (x) => drip(x, f)),
    route('/base64/:seg', GET, (x, p) => base64(x, f, p[0])),
    route('/cache', GET, (x) => cache(x, f)),
    route('/etag/:seg', GET, (x, p) => etag(x, f, p[0])),
    route('/cache/:int', GET, (x, p) => cacheControl(x, f, p[0])),
    route('/encoding/utf8', GET, (x) => document(x, f, 'utf8')),
    route('/stream-bytes/:int', GET, (x, p) => streamBytes(x, f, p[0])),
    route('/range/:int', GET, (x, p) => range(x, f, p[0])),
    route('/links/:int/:int', GET, (x, p) => linksPage(x, f, p[0], p[1])),
    route('/links/:int', GET, (x, p) => linksStart(x, f, p[0])),
    route('/image', GET, (x) => imageByAccept(x, f)),
    route('/image/png', GET, (x) => image(x, f, 'png')),
    route('/image/jpeg', GET, (x) => image(x, f, 'jpeg')),
    route('/image/webp', GET, (x) => image(x, f, 'webp')),
    route('/image/svg', GET, (x) => image(x, f, 'svg')),
    route('/xml', GET, (x) => document(x, f, 'xml')),
    route('/json', GET, (x) => document(x, f, 'json')),
  ];
}
