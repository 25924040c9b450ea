// httpbin as Istio's sample ran it before 1.24: kennethreitz/httpbin (Flask
// under gunicorn 19.9). JSON shapes, header hiding, status/delay parsing and
// response headers follow postmanlabs/httpbin core.py + helpers.py (spec §12);
// the body bytes match the seed's captures (Flask pretty JSON, see pyjson.ts).

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { pyJsonDumps, type PyValue } from './pyjson.js';
import { AppServer, EMPTY, type HeaderList, peerAddress, readBody, safeDecode, serve, splitTarget } from './server.js';
import { formatAuthority } from '../authority.js';
import { PY_STATUS_BODIES, sendStatusCode } from './status-code.js';
import type { Exchange, Flavor } from './httpbin/exchange.js';
import { pyFloat } from './httpbin/exchange.js';
import { pyJsonCompact } from './pyjson.js';
import { pythonRoutes } from './httpbin/python-routes.js';
import { allows, matchRoute, type Route } from './httpbin/routes.js';
import { randomBytes } from './httpbin/random-bytes.js';
import { NO_BODY, parseBody, semiflatten, type BodyParts } from './httpbin/werkzeug-form.js';
import { BAD_REQUEST_HTML, NOT_ALLOWED_HTML, NOT_FOUND_HTML, SERVER_ERROR_HTML } from './httpbin/werkzeug-pages.js';
import { chooseStatus } from './httpbin/weighted-status.js';
import { isHeaderValue, isToken } from './httpbin/header-syntax.js';
import { INDEX_HTML } from './httpbin/documents.js';

export { chooseStatus };

export function startHttpbin(ctx: AppContext): Promise<RunningApp> {
  let port = ctx.port;
  const routes = pythonRoutes(pythonFlavor(() => port));
  const started = serve(ctx, (req, res, app) => route(req, res, app, port, routes));
  return started.then((r) => {
    port = r.port;
    return r;
  });
}

/** helpers.ENV_HEADERS: dropped from `headers` unless the query has `show_env`. */
const ENV_HEADERS = new Set([
  'X-Varnish',
  'X-Request-Start',
  'X-Heroku-Queue-Depth',
  'X-Real-Ip',
  'X-Forwarded-Proto',
  'X-Forwarded-Protocol',
  'X-Forwarded-Ssl',
  'X-Heroku-Queue-Wait-Time',
  'X-Forwarded-For',
  'X-Heroku-Dynos-In-Use',
  'X-Forwarded-Port',
  'X-Request-Id',
  'Via',
  'Total-Route-Time',
  'Connect-Time',
]);

const GET_ONLY = 'HEAD, OPTIONS, GET';
const STATUS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'TRACE']);
const DELAY_METHODS = STATUS_METHODS;
/** core.py: /status, /delay and /anything take GET POST PUT DELETE PATCH TRACE (+ HEAD, OPTIONS from Flask). */
const ANY_ALLOW = 'HEAD, OPTIONS, GET, POST, PUT, DELETE, PATCH, TRACE';

function route(req: IncomingMessage, res: ServerResponse, app: AppServer, port: number, routes: readonly Route[]): void {
  const { path, query } = splitTarget(req.url);
  const method = req.method ?? 'GET';
  switch (path) {
    case '/get':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return sendJson(req, res, app, requestDict(req, query, port, ['url', 'args', 'headers', 'origin']));
    case '/headers':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return sendJson(req, res, app, requestDict(req, query, port, ['headers']));
    case '/ip':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return sendJson(req, res, app, { origin: origin(req) });
    case '/user-agent':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return sendJson(req, res, app, { 'user-agent': req.headers['user-agent'] ?? null });
    case '/uuid':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return sendJson(req, res, app, { uuid: randomUUID() });
    case '/response-headers':
      if (method !== 'POST' && !getLike(req, res, app, method, 'HEAD, OPTIONS, GET, POST')) return;
      return responseHeaders(req, res, app, query);
    case '/post':
    case '/put':
    case '/patch':
    case '/delete': {
      const want = path.slice(1).toUpperCase();
      if (method === 'OPTIONS') return options(req, res, app, `${want}, OPTIONS`);
      if (method !== want) return methodNotAllowed(req, res, app, `${want}, OPTIONS`);
      return withBody(req, res, app, query, port, ['url', 'args', 'form', 'data', 'origin', 'headers', 'files', 'json']);
    }
    case '/':
    case '/legacy':
      if (!getLike(req, res, app, method, GET_ONLY)) return;
      return app.send(req, res, 200, baseHeaders(req, 'text/html; charset=utf-8'), INDEX_HTML);
  }
  if (path === '/anything' || path.startsWith('/anything/')) {
    if (method === 'OPTIONS') return options(req, res, app, ANY_ALLOW);
    if (!STATUS_METHODS.has(method)) return methodNotAllowed(req, res, app, ANY_ALLOW);
    return withBody(req, res, app, query, port, ['url', 'args', 'headers', 'origin', 'method', 'form', 'data', 'files', 'json']);
  }
  if (path.startsWith('/status/') && path.length > 8 && path.indexOf('/', 8) < 0) {
    if (method === 'OPTIONS') return options(req, res, app, ANY_ALLOW);
    if (!STATUS_METHODS.has(method)) return methodNotAllowed(req, res, app, ANY_ALLOW);
    return statusCodes(req, res, app, safeDecode(path.slice(8)));
  }
  if (path.startsWith('/delay/') && path.length > 7 && path.indexOf('/', 7) < 0) {
    if (method === 'OPTIONS') return options(req, res, app, ANY_ALLOW);
    if (!DELAY_METHODS.has(method)) return methodNotAllowed(req, res, app, ANY_ALLOW);
    return delay(req, res, app, query, port, safeDecode(path.slice(7)));
  }
  if (path.startsWith('/bytes/') && /^\d+$/.test(path.slice(7))) {
    if (!getLike(req, res, app, method, GET_ONLY)) return;
    return bytes(req, res, app, query, Number(path.slice(7)));
  }
  // The rest of the endpoint table (redirects, auth, streaming, cookies, images, ...).
  const hit = matchRoute(routes, path);
  if (hit === null) return notFound(req, res, app);
  const allow = hit.route.methods === null ? ANY_ALLOW : allowHeader(hit.route.methods);
  if (method === 'OPTIONS') return options(req, res, app, allow);
  if (!allows(hit.route, method)) return methodNotAllowed(req, res, app, allow);
  hit.route.handle({ req, res, app, path, query, method }, hit.params);
}

/** Flask's Allow list for a route's methods (HEAD and OPTIONS added). */
function allowHeader(methods: readonly string[]): string {
  return ['HEAD', 'OPTIONS', ...methods].join(', ');
}

/** What the shared endpoint families need to answer as the Python app. */
function pythonFlavor(port: () => number): Flavor {
  return {
    kind: 'python',
    textType: 'text/html; charset=utf-8',
    headers: baseHeaders,
    json: (x, value, status = 200, extra = []) =>
      x.app.send(x.req, x.res, status, [...baseHeaders(x.req, 'application/json'), ...extra], pyJsonDumps(value)),
    encode: pyJsonDumps,
    line: pyJsonCompact,
    fail: (x, status, _detail, extra = []) => errorPage(x, status, extra),
    echo: (x) => requestDict(x.req, x.query, port(), ['url', 'args', 'headers', 'origin']),
    compressedEcho: (x) => requestDict(x.req, x.query, port(), ['origin', 'headers', 'method']),
    args: (x) => semiflatten(x.query),
    origin: (x) => origin(x.req),
  };
}

/** Flask/werkzeug's error pages (the view's exception becomes a 500). */
function errorPage(x: Exchange, status: number, extra: string[]): void {
  const { req, res, app } = x;
  if (status === 404) return notFound(req, res, app);
  if (status === 500) return serverError(req, res, app);
  const h = baseHeaders(req, 'text/html');
  h.push(...extra);
  app.send(req, res, status, h, status === 400 ? BAD_REQUEST_HTML : '');
}

/** GET/HEAD pass; OPTIONS and other methods are answered here. */
function getLike(req: IncomingMessage, res: ServerResponse, app: AppServer, method: string, allow: string): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  if (method === 'OPTIONS') options(req, res, app, allow);
  else methodNotAllowed(req, res, app, allow);
  return false;
}

// ---------------------------------------------------------------------------
// Response plumbing

/** Flask after_request CORS headers + gunicorn's Server header. */
function baseHeaders(req: IncomingMessage, contentType: string): HeaderList {
  return [
    'Server',
    'gunicorn/19.9.0',
    'Content-Type',
    contentType,
    'Access-Control-Allow-Origin',
    req.headers.origin ?? '*',
    'Access-Control-Allow-Credentials',
    'true',
  ];
}

function sendJson(req: IncomingMessage, res: ServerResponse, app: AppServer, value: PyValue, status = 200): void {
  app.send(req, res, status, baseHeaders(req, 'application/json'), pyJsonDumps(value));
}

function options(req: IncomingMessage, res: ServerResponse, app: AppServer, allow: string): void {
  const h = baseHeaders(req, 'text/html; charset=utf-8');
  h.push('Allow', allow, 'Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, PATCH, OPTIONS', 'Access-Control-Max-Age', '3600');
  const acrh = req.headers['access-control-request-headers'];
  if (acrh !== undefined) h.push('Access-Control-Allow-Headers', acrh);
  app.send(req, res, 200, h, EMPTY);
}

function notFound(req: IncomingMessage, res: ServerResponse, app: AppServer): void {
  app.send(req, res, 404, baseHeaders(req, 'text/html'), NOT_FOUND_HTML);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, app: AppServer, allow: string): void {
  const h = baseHeaders(req, 'text/html');
  h.push('Allow', allow);
  app.send(req, res, 405, h, NOT_ALLOWED_HTML);
}

function serverError(req: IncomingMessage, res: ServerResponse, app: AppServer): void {
  app.send(req, res, 500, baseHeaders(req, 'text/html'), SERVER_ERROR_HTML);
}

// ---------------------------------------------------------------------------
// The request dict (helpers.get_dict)

type Key = 'url' | 'args' | 'form' | 'data' | 'origin' | 'headers' | 'files' | 'json' | 'method';

function requestDict(req: IncomingMessage, query: string, port: number, keys: Key[], body: BodyParts = NO_BODY): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const k of keys) {
    switch (k) {
      case 'url':
        out.url = requestUrl(req, port);
        break;
      case 'args':
        out.args = semiflatten(query);
        break;
      case 'headers':
        out.headers = headerDict(req, query);
        break;
      case 'origin':
        out.origin = origin(req);
        break;
      case 'method':
        out.method = req.method ?? 'GET';
        break;
      case 'form':
        out.form = body.form;
        break;
      case 'data':
        out.data = body.data;
        break;
      case 'files':
        out.files = body.files;
        break;
      case 'json':
        out.json = body.json;
        break;
    }
  }
  return out;
}

/** Python str.title() for ASCII header names: `x-b3-traceid` -> `X-B3-Traceid`. */
export function pyTitle(name: string): string {
  let out = '';
  let prevCased = false;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    const upper = c >= 65 && c <= 90;
    if (c === 95) c = 45; // WSGI HTTP_FOO_BAR -> Foo-Bar
    if (lower && !prevCased) c -= 32;
    else if (upper && prevCased) c += 32;
    out += String.fromCharCode(c);
    prevCased = lower || upper;
  }
  return out;
}

const titleCache = new Map<string, string>();

function title(raw: string): string {
  let t = titleCache.get(raw);
  if (t === undefined) {
    t = pyTitle(raw);
    if (titleCache.size < 4096) titleCache.set(raw, t);
  }
  return t;
}

/** helpers.get_headers: WSGI environ headers, Title-Case, repeats joined with ',', env headers hidden. */
function headerDict(req: IncomingMessage, query: string): Record<string, string> {
  const hide = !hasArg(query, 'show_env');
  const raw = req.rawHeaders;
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = title(raw[i]);
    if (hide && ENV_HEADERS.has(name)) continue;
    // WSGI CONTENT_TYPE / CONTENT_LENGTH only appear when non-empty (werkzeug EnvironHeaders).
    if (raw[i + 1] === '' && (name === 'Content-Type' || name === 'Content-Length')) continue;
    const prev = out[name];
    out[name] = prev === undefined ? raw[i + 1] : prev + ',' + raw[i + 1];
  }
  return out;
}

function origin(req: IncomingMessage): string {
  const xff = req.headers['x-forwarded-for'];
  return xff !== undefined ? (Array.isArray(xff) ? xff.join(', ') : xff) : peerAddress(req);
}

/** helpers.get_url: werkzeug's request.url with X-Forwarded-Proto honoured. */
function requestUrl(req: IncomingMessage, port: number): string {
  const h = req.headers;
  let scheme = (h['x-forwarded-proto'] as string | undefined) ?? (h['x-forwarded-protocol'] as string | undefined);
  if (scheme === undefined) scheme = h['x-forwarded-ssl'] === 'on' ? 'https' : 'http';
  const host = h.host ?? formatAuthority('127.0.0.1', port);
  const { path, query } = splitTarget(req.url);
  return scheme + '://' + host + path + (query ? '?' + query : '');
}

function hasArg(query: string, name: string): boolean {
  if (query === '') return false;
  return new URLSearchParams(query).has(name);
}

function withBody(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string, port: number, keys: Key[]): void {
  readBody(req).then(
    (body) => sendJson(req, res, app, requestDict(req, query, port, keys, parseBody(req, body))),
    () => res.destroy(),
  ).catch(() => app.internalError(req, res));
}

// ---------------------------------------------------------------------------
// /status/<codes>

/** helpers.status_code: the few codes with a body or headers of their own. */
function statusCodes(req: IncomingMessage, res: ServerResponse, app: AppServer, codes: string): void {
  const code = chooseStatus(codes);
  if (code === null) {
    return app.send(req, res, 400, baseHeaders(req, 'text/html; charset=utf-8'), 'Invalid status code');
  }
  sendStatusCode(req, res, app, code, baseHeaders(req, 'text/html; charset=utf-8'), PY_STATUS_BODIES);
}

// ---------------------------------------------------------------------------
// /delay/<n>

function delay(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string, port: number, raw: string): void {
  const n = pyFloat(raw);
  // float() failure or time.sleep(negative / nan) is an unhandled exception in Flask: 500.
  if (n === null || n !== n || n < 0) return serverError(req, res, app);
  const ms = Math.min(n, 10) * 1000;
  readBody(req).then(
    (body) => {
      const parts = parseBody(req, body);
      app.later(ms, req, res, () =>
        sendJson(req, res, app, requestDict(req, query, port, ['url', 'args', 'form', 'data', 'origin', 'headers', 'files'], parts)),
      );
    },
    () => res.destroy(),
  ).catch(() => app.internalError(req, res));
}

// ---------------------------------------------------------------------------
// /bytes/<n>

function bytes(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string, n: number): void {
  const size = Math.min(n, 100 * 1024);
  const seedArg = query ? new URLSearchParams(query).get('seed') : null;
  const seeded = seedArg !== null && /^\s*[+-]?\d+\s*$/.test(seedArg);
  const buf = randomBytes(size, seeded ? Number(seedArg) : undefined);
  app.send(req, res, 200, baseHeaders(req, 'application/octet-stream'), buf);
}

// ---------------------------------------------------------------------------
// /response-headers: the body lists the response's own headers, so iterate to a fixed point.

function responseHeaders(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string): void {
  const pairs: Array<[string, string]> = query ? [...new URLSearchParams(query)] : [];
  let body = '';
  for (let round = 0; round < 10; round++) {
    const d: Record<string, PyValue> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
    for (const [k, v] of pairs) {
      const prev = d[k];
      d[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const next = pyJsonDumps(d);
    if (next === body) break;
    body = next;
  }
  const h = baseHeaders(req, 'application/json');
  for (const [k, v] of pairs) {
    if (isToken(k) && isHeaderValue(v) && k.toLowerCase() !== 'content-length') h.push(k, v);
  }
  app.send(req, res, 200, h, body);
}

