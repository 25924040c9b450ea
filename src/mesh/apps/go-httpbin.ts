// httpbin as Istio's sample runs it since 1.24: mccutchen/go-httpbin (spec §12).
// Differences from the Python one that users see: header values are arrays,
// nothing is hidden, `method` is in /get, Go's pretty JSON (2-space indent,
// sorted map keys, no trailing spaces), errors as JSON {status_code, error,
// detail}, /delay caps at 10 s with a 400 instead of clamping, /status only
// accepts 100..599. Follows go-httpbin httpbin/handlers.go, helpers.go and
// responses.go.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { canonicalHeaderKey } from './fortio-echo.js';
import { goHttpbinDurationMs } from './httpbin/exchange.js';
import { parseMultipart } from './multipart.js';
import { AppServer, type HeaderList, peerAddress, readBody, safeDecode, serve, splitTarget } from './server.js';
import { formatAuthority } from '../authority.js';
import { GO_STATUS_BODIES, sendStatusCode } from './status-code.js';
import type { Flavor } from './httpbin/exchange.js';
import { goJson, goJsonCompact, type Json } from './httpbin/go-json.js';
import { goRoutes } from './httpbin/go-routes.js';
import { randomBytes } from './httpbin/random-bytes.js';
import { allows, matchRoute, type Route } from './httpbin/routes.js';
import { isHeaderValue, isToken } from './httpbin/header-syntax.js';

export { goJson };

const JSON_CT = 'application/json; charset=utf-8';
const TEXT_CT = 'text/plain; charset=utf-8';
/** DefaultMaxDuration. */
const MAX_DURATION_MS = 10_000;
/** DefaultMaxBodySize (1 MiB). */
const MAX_BODY = 1024 * 1024;

export function isGoHttpbin(image: string | undefined): boolean {
  return image !== undefined && image.toLowerCase().includes('go-httpbin');
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

export function startGoHttpbin(ctx: AppContext): Promise<RunningApp> {
  let port = ctx.port;
  const routes = goRoutes(goFlavor(() => port), {
    instance: ctx.instance,
    echoBody: (x, deliver) => withBody(x.req, x.res, x.app, x.query, port, 200, [], deliver),
  });
  return serve(ctx, (req, res, app) => route(req, res, app, port, routes)).then((r) => {
    port = r.port;
    return r;
  });
}

function cors(req: IncomingMessage, contentType: string): HeaderList {
  return [
    'Access-Control-Allow-Origin',
    req.headers.origin ?? '*',
    'Access-Control-Allow-Credentials',
    'true',
    'Content-Type',
    contentType,
  ];
}

function sendJson(req: IncomingMessage, res: ServerResponse, app: AppServer, status: number, v: Json, extra: string[] = []): void {
  app.send(req, res, status, [...cors(req, JSON_CT), ...extra], goJson(v));
}

function sendError(req: IncomingMessage, res: ServerResponse, app: AppServer, status: number, detail?: string, extra: string[] = []): void {
  const body: { [k: string]: Json } = { status_code: status, error: STATUS_TEXT[status] ?? 'Error' };
  if (detail) body.detail = detail;
  sendJson(req, res, app, status, body, extra);
}

/** What the shared endpoint families need to answer as go-httpbin. */
function goFlavor(port: () => number): Flavor {
  return {
    kind: 'go',
    textType: TEXT_CT,
    headers: cors,
    json: (x, value, status = 200, extra = []) => sendJson(x.req, x.res, x.app, status, value as Json, extra),
    encode: (v) => goJson(v as Json),
    line: (v) => goJsonCompact(v as Json),
    fail: (x, status, detail, extra) => sendError(x.req, x.res, x.app, status, detail, extra),
    echo: (x) => noBody(x.req, x.query, port()),
    // Gzip/Deflate fill noBodyResponse without URL: it is written empty.
    compressedEcho: (x) => ({ ...noBody(x.req, x.query, port()), url: '' }),
    args: (x) => values(x.query),
    origin: (x) => clientIp(x.req),
  };
}

function route(req: IncomingMessage, res: ServerResponse, app: AppServer, port: number, routes: readonly Route[]): void {
  const { path, query } = splitTarget(req.url);
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    // middleware: CORS preflight answered for every route
    const h = cors(req, TEXT_CT);
    h.push('Access-Control-Allow-Methods', 'GET, POST, HEAD, PUT, DELETE, PATCH, OPTIONS', 'Access-Control-Max-Age', '3600');
    const acrh = req.headers['access-control-request-headers'];
    if (acrh !== undefined) h.push('Access-Control-Allow-Headers', acrh);
    app.send(req, res, 200, h, '');
    return;
  }
  const isGet = method === 'GET' || method === 'HEAD';
  const only = (want: string): boolean => {
    if (method === want || (want === 'GET' && method === 'HEAD')) return true;
    const h = cors(req, TEXT_CT);
    h.push('Allow', want === 'GET' ? 'GET, HEAD' : want);
    app.send(req, res, 405, h, 'Method Not Allowed\n');
    return false;
  };
  switch (path) {
    case '/get':
      if (only('GET')) sendJson(req, res, app, 200, noBody(req, query, port));
      return;
    case '/headers':
      if (only('GET')) sendJson(req, res, app, 200, { headers: headers(req) });
      return;
    case '/ip':
      if (only('GET')) sendJson(req, res, app, 200, { origin: clientIp(req) });
      return;
    case '/user-agent':
      if (only('GET')) sendJson(req, res, app, 200, { 'user-agent': req.headers['user-agent'] ?? '' });
      return;
    case '/uuid':
      if (only('GET')) sendJson(req, res, app, 200, { uuid: randomUUID() });
      return;
    case '/response-headers':
      if (only('GET')) responseHeaders(req, res, app, query);
      return;
    case '/post':
    case '/put':
    case '/patch':
    case '/delete':
      if (only(path.slice(1).toUpperCase())) withBody(req, res, app, query, port, 200, []);
      return;
    case '/':
      if (only('GET')) app.send(req, res, 200, cors(req, 'text/html; charset=utf-8'), INDEX_HTML);
      return;
  }
  if (path === '/anything' || path.startsWith('/anything/')) {
    if (method === 'HEAD') sendJson(req, res, app, 200, noBody(req, query, port));
    else withBody(req, res, app, query, port, 200, []);
    return;
  }
  if (path.startsWith('/status/') && path.length > 8) return status(req, res, app, safeDecode(path.slice(8)));
  if (path.startsWith('/delay/') && path.length > 7) {
    const raw = safeDecode(path.slice(7));
    const ms = goHttpbinDurationMs(raw);
    if (ms === null) return sendError(req, res, app, 400, `invalid duration: time: invalid duration "${raw}"`);
    if (ms > MAX_DURATION_MS) return sendError(req, res, app, 400, `invalid duration: duration ${raw} longer than 10s`);
    if (ms < 0) return sendError(req, res, app, 400, `invalid duration: duration ${raw} shorter than 0s`);
    const timing = `initial_delay;dur=${ms.toFixed(2)};desc="initial delay"`;
    app.later(ms, req, res, () => withBody(req, res, app, query, port, 200, ['Server-Timing', timing]));
    return;
  }
  if (path.startsWith('/bytes/') && isGet) return bytes(req, res, app, path.slice(7), query);
  // The rest of the endpoint table (redirects, auth, streaming, cookies, images, ...).
  const hit = matchRoute(routes, path);
  if (hit === null) return sendError(req, res, app, 404);
  if (!allows(hit.route, method)) {
    const h = cors(req, TEXT_CT);
    h.push('Allow', (hit.route.methods ?? []).join(', '));
    return app.send(req, res, 405, h, 'Method Not Allowed\n');
  }
  hit.route.handle({ req, res, app, path, query, method }, hit.params);
}

// ---------------------------------------------------------------------------

function headers(req: IncomingMessage): { [k: string]: Json } {
  const out: { [k: string]: string[] } = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = canonicalHeaderKey(raw[i]);
    if (k === 'Host') continue;
    (out[k] ??= []).push(raw[i + 1]);
  }
  out.Host = [req.headers.host ?? ''];
  return out;
}

function clientIp(req: IncomingMessage): string {
  const h = req.headers;
  for (const name of ['fly-client-ip', 'cf-connecting-ip', 'fastly-client-ip', 'true-client-ip']) {
    const v = h[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  const xff = h['x-forwarded-for'];
  if (typeof xff === 'string' && xff !== '') return xff.split(',')[0].trim();
  return peerAddress(req);
}

function url(req: IncomingMessage, port: number): string {
  const h = req.headers;
  let scheme = (h['x-forwarded-proto'] as string | undefined) || (h['x-forwarded-protocol'] as string | undefined) || '';
  if (!scheme && h['x-forwarded-ssl'] === 'on') scheme = 'https';
  if (!scheme) scheme = 'http';
  const { path, query } = splitTarget(req.url);
  return scheme + '://' + (h.host ?? formatAuthority('127.0.0.1', port)) + path + (query ? '?' + query : '');
}

function values(encoded: string): { [k: string]: Json } {
  const out: { [k: string]: string[] } = {};
  if (encoded === '') return out;
  for (const [k, v] of new URLSearchParams(encoded)) (out[k] ??= []).push(v);
  return out;
}

function noBody(req: IncomingMessage, query: string, port: number): { [k: string]: Json } {
  return { args: values(query), headers: headers(req), method: req.method ?? 'GET', origin: clientIp(req), url: url(req, port) };
}

/** The echo with the request body; `deliver` writes it instead of a plain JSON answer (/trailers). */
function withBody(
  req: IncomingMessage,
  res: ServerResponse,
  app: AppServer,
  query: string,
  port: number,
  status: number,
  extra: string[],
  deliver?: (doc: Json) => void,
): void {
  readBody(req, MAX_BODY).then(
    (body) => {
      const resp: { [k: string]: Json } = {
        ...noBody(req, query, port),
        data: '',
        files: {},
        form: {},
        json: null,
      };
      if (body.length > 0) {
        resp.data = body.toString('utf8');
        const full = req.headers['content-type'] ?? '';
        const ct = full.split(';')[0];
        if (ct === 'application/x-www-form-urlencoded') resp.form = values(body.toString('utf8'));
        else if (ct === 'multipart/form-data') {
          const form: { [k: string]: string[] } = {};
          const files: { [k: string]: string[] } = {};
          for (const p of parseMultipart(body, full)) {
            if (p.filename !== undefined) (files[p.name] ??= []).push(p.data.toString('utf8'));
            else (form[p.name] ??= []).push(p.data.toString('utf8'));
          }
          resp.form = form;
          resp.files = files;
        } else if (ct === 'application/json') {
          try {
            resp.json = JSON.parse(body.toString('utf8')) as Json;
          } catch (e) {
            return sendError(req, res, app, 400, `error parsing request body: ${(e as Error).message}`);
          }
        } else if (ct !== 'text/html' && ct !== 'text/plain') {
          resp.data = `data:${ct || 'application/octet-stream'};base64,` + body.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
        }
      }
      if (deliver) deliver(resp);
      else sendJson(req, res, app, status, resp, extra);
    },
    () => res.destroy(),
  ).catch(() => app.internalError(req, res));
}

function status(req: IncomingMessage, res: ServerResponse, app: AppServer, raw: string): void {
  let code: number;
  if (!raw.includes(',')) {
    if (!/^[+-]?\d+$/.test(raw)) return sendError(req, res, app, 400, `invalid status code: "${raw}"`);
    code = Number(raw);
    if (code < 100 || code > 599) return sendError(req, res, app, 400, `invalid status code: ${code} not in range [100, 599]`);
  } else {
    const choices: Array<[number, number]> = [];
    for (const pair of raw.split(',')) {
      const colon = pair.indexOf(':');
      const c = colon < 0 ? pair : pair.slice(0, colon);
      const w = colon < 0 ? 1 : Number(pair.slice(colon + 1));
      if (colon >= 0 && (pair.slice(colon + 1).trim() === '' || Number.isNaN(w))) {
        return sendError(req, res, app, 400, `invalid weight value: "${pair.slice(colon + 1)}"`);
      }
      if (!/^[+-]?\d+$/.test(c)) return sendError(req, res, app, 400, `invalid choice value: "${c}"`);
      choices.push([Number(c), w]);
    }
    let total = 0;
    for (const [, w] of choices) total += w;
    let x = Math.random() * total;
    code = choices[choices.length - 1][0];
    for (const [c, w] of choices) {
      if (x < w) {
        code = c;
        break;
      }
      x -= w;
    }
  }
  // Go writes a 1xx as informational and then an implicit 200.
  if (code < 200) code = 200;
  sendStatusCode(req, res, app, code, cors(req, TEXT_CT), GO_STATUS_BODIES);
}

function bytes(req: IncomingMessage, res: ServerResponse, app: AppServer, raw: string, query: string): void {
  if (!/^[+-]?\d+$/.test(raw)) return sendError(req, res, app, 400, `invalid byte count: strconv.Atoi: parsing "${raw}": invalid syntax`);
  const n = Number(raw);
  if (n < 0) return sendError(req, res, app, 400, `invalid byte count: ${n} must be greater than 0`);
  if (n > MAX_BODY) return sendError(req, res, app, 400, `invalid byte count: ${n} not in range [1, ${MAX_BODY}]`);
  const seed = new URLSearchParams(query).get('seed');
  const buf = randomBytes(n, seed !== null && /^[+-]?\d+$/.test(seed) ? Number(seed) : undefined);
  app.send(req, res, 200, cors(req, 'application/octet-stream'), buf);
}

function responseHeaders(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string): void {
  const args = values(query) as { [k: string]: string[] };
  if (!args['Content-Type']?.[0]) args['Content-Type'] = [JSON_CT];
  const h: HeaderList = ['Access-Control-Allow-Origin', req.headers.origin ?? '*', 'Access-Control-Allow-Credentials', 'true'];
  for (const [k, vs] of Object.entries(args)) {
    if (!isToken(k) || k.toLowerCase() === 'content-length') continue;
    for (const v of vs) if (isHeaderValue(v)) h.push(k, v);
  }
  app.send(req, res, 200, h, goJson(args, false));
}

const INDEX_HTML = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>go-httpbin</title></head>
<body>
<h1>go-httpbin</h1>
<p>A reasonably complete and well-tested golang port of httpbin (meshbench built-in flavour).</p>
<ul>
<li><a href="/get">/get</a></li><li><a href="/headers">/headers</a></li><li><a href="/ip">/ip</a></li>
<li><a href="/anything">/anything</a></li><li>/status/:code</li><li>/delay/:seconds</li><li>/bytes/:n</li>
</ul>
</body>
</html>
`;
