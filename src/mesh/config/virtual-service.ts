// VirtualService → model.VirtualService (spec §2): hosts completed, routes kept in
// order, every Istio default and legacy spelling resolved here so the router only
// sees normalized values.

import type {
  Destination,
  FaultAbort,
  FractionalPercent,
  FaultDelay,
  HeaderOps,
  Headers,
  HttpMatch,
  HttpRoute,
  MirrorPolicy,
  Redirect,
  RetryPolicy,
  Rewrite,
  RouteDestination,
  StringMatch,
  VirtualService,
} from './model.js';
import type { CompileContext } from './context.js';
import { completeHost, readObject } from './context.js';
import { Fields } from './fields.js';
import { fromIntegerPercent, fromPercentValue, HUNDRED_PERCENT } from './percent.js';
import { checkRegex, readStringMatch } from './string-match.js';
import type { SourceDoc } from './source.js';
import { DEFAULT_RETRY_ON } from './policy.js';

const HTTP_ROUTE_FIELDS = [
  'name', 'match', 'route', 'redirect', 'directResponse', 'delegate', 'rewrite', 'timeout', 'retries', 'fault',
  'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'mirror_percent', 'corsPolicy', 'headers',
];
const MATCH_FIELDS = [
  'name', 'uri', 'scheme', 'method', 'authority', 'headers', 'withoutHeaders', 'queryParams', 'ignoreUriCase', 'port',
  'sourceLabels', 'sourceNamespace', 'gateways', 'statPrefix',
];

/** Istio's supportedRetryOnPolicies (pkg/config/validation/agent/validation.go). */
export const RETRY_ON_POLICIES = [
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted',
  'unavailable', 'reset-before-request', 'http3-post-connect-failure',
];

export const GRPC_STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

const REDIRECT_CODES = [301, 302, 303, 307, 308];

/** Codes Go's http.StatusText knows: Istio accepts a numeric retryOn token only for these. */
const GO_STATUS_TEXT_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Index of each compiled route in its document's `spec.http` (for cross-document warnings). */
export const routeIndex = new WeakMap<HttpRoute, number>();

export function compileVirtualService(doc: SourceDoc, ctx: CompileContext): VirtualService | undefined {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return undefined;
  spec.allow(['hosts', 'gateways', 'http', 'tcp', 'tls', 'exportTo']);
  const ns = doc.namespace;
  const rawHosts = spec.strList('hosts');
  if (!rawHosts || rawHosts.length === 0) {
    if (spec.has('hosts')) spec.error('hosts', 'at least one host is required (delegate VirtualServices are not supported)');
    else spec.error(null, 'missing required field "hosts" (a list of host names)');
  }
  const hosts = (rawHosts ?? []).map((h) => completeHost(h, ns));
  const gateways = spec.strList('gateways') ?? ['mesh'];
  spec.strList('exportTo');
  for (const k of ['tcp', 'tls'] as const) {
    if (spec.has(k)) spec.warn(k, `${k} routes are ignored: meshbench emulates HTTP routing only`);
  }
  const origin = { kind: doc.kind, name: doc.name, namespace: ns, loc: doc.locate([]) };
  const http: HttpRoute[] = [];
  let catchAllAt = -1;
  spec.objects('http').forEach((r, i) => {
    if (catchAllAt >= 0) {
      r.warn(null, `this route is never used: http[${catchAllAt}] before it matches every request`);
    }
    const route = compileHttpRoute(r, ns);
    if (route && catchAllAt < 0 && isCatchAll(route)) catchAllAt = i;
    if (route) {
      routeIndex.set(route, i);
      http.push(route);
    }
  });
  if (!spec.has('http') && !spec.has('tcp') && !spec.has('tls')) spec.error(null, 'missing required field "http" (a list of routes)');
  return { name: doc.name, namespace: ns, hosts, gateways, http, origin };
}

/** spec §2.2: no match, or a match item with no runtime condition beyond prefix "/" or regex ".*". */
function isCatchAll(r: HttpRoute): boolean {
  if (r.match.length === 0) return true;
  return r.match.some((m) => {
    const uriAll = m.uri === undefined || ('prefix' in m.uri && m.uri.prefix === '/') || ('regex' in m.uri && m.uri.regex === '.*');
    return (
      uriAll &&
      !m.scheme && !m.method && !m.authority &&
      Object.keys(m.headers).length === 0 && Object.keys(m.withoutHeaders).length === 0 &&
      Object.keys(m.queryParams).length === 0 &&
      m.port === undefined && m.sourceLabels === undefined && m.sourceNamespace === undefined && m.gateways === undefined
    );
  });
}

function compileHttpRoute(r: Fields, ns: string): HttpRoute | undefined {
  r.allow(HTTP_ROUTE_FIELDS);
  const errorsBefore = r.diag.errors.length;
  const name = r.str('name');
  if (r.has('delegate')) r.error('delegate', 'delegate VirtualServices are not supported by meshbench; put the routes in this VirtualService');
  if (r.has('corsPolicy')) r.warn('corsPolicy', 'corsPolicy is ignored: meshbench does not emulate the CORS filter');

  const match = r.objects('match').map((m) => compileMatch(m)).filter((m): m is HttpMatch => m !== undefined);
  const routeItems = r.objects('route');
  const redirect = r.obj('redirect');
  const direct = r.obj('directResponse');
  const rewrite = r.obj('rewrite');
  const fault = r.obj('fault');

  const actions = [routeItems.length > 0 && 'route', redirect && 'redirect', direct && 'directResponse'].filter(Boolean);
  if (actions.length === 0 && !r.has('delegate')) {
    r.error(null, 'a route needs one of route, redirect or directResponse');
  } else if (actions.length > 1) {
    r.error(null, `route, redirect and directResponse are mutually exclusive (got ${actions.join(', ')})`);
  }
  if (fault && (redirect || direct)) r.error('fault', 'fault cannot be combined with redirect or directResponse');
  if (rewrite && (redirect || direct)) r.error('rewrite', 'rewrite cannot be combined with redirect or directResponse');

  const route = compileDestinations(r, routeItems, ns);
  const rw = rewrite ? compileRewrite(rewrite) : undefined;
  const headers = r.has('headers') ? compileHeaders(r.obj('headers')) : undefined;
  if (rw?.authority !== undefined && headers?.authorityRewrite !== undefined) {
    r.error('headers', 'the authority is rewritten twice (rewrite.authority and a host/:authority header); set it once');
  }
  const out: HttpRoute = {
    match,
    route,
    timeoutMs: r.duration('timeout') ?? null,
    retries: compileRetries(r),
    mirrors: compileMirrors(r, ns),
    origin: { kind: 'VirtualService', name: name ?? '', namespace: ns, loc: r.doc.locate(r.path) },
  };
  if (name !== undefined) out.name = name;
  if (redirect) {
    const rd = compileRedirect(redirect);
    if (rd) out.redirect = rd;
  }
  if (direct) {
    direct.allow(['status', 'body']);
    const status = direct.int('status', { required: true, min: 200, max: 599 });
    const bodyF = direct.obj('body');
    let body: string | undefined;
    if (bodyF) {
      bodyF.allow(['string', 'bytes']);
      body = bodyF.str('string');
      const bytes = bodyF.str('bytes');
      if (bytes !== undefined) body = Buffer.from(bytes, 'base64').toString('utf8');
    }
    if (status !== undefined) out.directResponse = body === undefined ? { status } : { status, body };
  }
  if (rw) out.rewrite = rw;
  if (fault) {
    const f = compileFault(fault);
    if (f) out.fault = f;
  }
  if (headers) out.headers = headers;
  return r.diag.errors.length === errorsBefore ? out : undefined;
}

function compileMatch(m: Fields): HttpMatch | undefined {
  m.allow(MATCH_FIELDS);
  const out: HttpMatch = { headers: {}, withoutHeaders: {}, queryParams: {}, ignoreUriCase: m.bool('ignoreUriCase') ?? false };
  const name = m.str('name');
  if (name !== undefined) out.name = name;
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const) {
    const f = m.obj(k);
    const sm = f ? readStringMatch(f) : undefined;
    if (sm) out[k] = sm;
  }
  for (const k of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    const f = m.obj(k);
    if (!f) continue;
    for (const key of Object.keys(f.value)) {
      const sub = f.obj(key) ?? (f.value[key] === null ? new Fields(f.doc, f.diag, f.at(key), {}) : undefined);
      const sm = sub ? readStringMatch(sub) : undefined;
      if (!sm) continue;
      if (k === 'queryParams') out.queryParams[key] = sm;
      else if (!['uri', 'scheme', 'method', 'authority'].includes(key.toLowerCase())) out[k][key.toLowerCase()] = sm;
    }
  }
  const port = m.int('port', { min: 1, max: 65535 });
  if (port !== undefined) out.port = port;
  const sourceLabels = m.strMap('sourceLabels');
  if (sourceLabels) out.sourceLabels = sourceLabels;
  const sourceNamespace = m.str('sourceNamespace');
  if (sourceNamespace !== undefined) out.sourceNamespace = sourceNamespace;
  const gateways = m.strList('gateways');
  if (gateways) out.gateways = gateways;
  m.str('statPrefix');
  return out;
}

function compileDestination(f: Fields, ns: string): Destination | undefined {
  f.allow(['host', 'subset', 'port']);
  const host = f.str('host', { required: true, nonEmpty: true });
  const subset = f.str('subset');
  const pf = f.obj('port');
  const port = pf?.allow(['number']).int('number', { required: true, min: 1, max: 65535 });
  if (host === undefined) return undefined;
  const d: Destination = { host: completeHost(host, ns) };
  if (subset !== undefined && subset !== '') d.subset = subset;
  if (port !== undefined) d.port = port;
  return d;
}

/** spec §2.4: one destination gets 100; several drop weight-0 entries. */
function compileDestinations(r: Fields, items: Fields[], ns: string): RouteDestination[] {
  const all: RouteDestination[] = [];
  let sum = 0;
  for (const it of items) {
    it.allow(['destination', 'weight', 'headers']);
    const df = it.obj('destination', { required: true });
    const dest = df ? compileDestination(df, ns) : undefined;
    const weight = it.int('weight');
    if (weight !== undefined && weight < 0) it.error('weight', `weight must not be negative, got ${weight}`);
    const headers = it.has('headers') ? compileHeaders(it.obj('headers')) : undefined;
    if (!dest) continue;
    const w = weight !== undefined && weight > 0 ? weight : 0;
    sum += w;
    const rd: RouteDestination = { destination: dest, weight: w };
    if (headers) rd.headers = headers;
    all.push(rd);
  }
  if (items.length === 1 && all.length === 1) {
    all[0].weight = 100;
    return all;
  }
  if (items.length > 1 && all.length === items.length && sum === 0) {
    r.error('route', 'the weights of several destinations must add up to more than 0');
  }
  return all.filter((d) => d.weight > 0);
}

/** spec §2.6. `null` = omitted = Istio's default policy at runtime. */
function compileRetries(r: Fields): RetryPolicy | null {
  const f = r.obj('retries');
  if (!f) return null;
  f.allow(['attempts', 'perTryTimeout', 'retryOn', 'retryRemoteLocalities', 'retryIgnorePreviousHosts', 'backoff']);
  const attempts = f.int('attempts');
  const perTryTimeoutMs = f.duration('perTryTimeout') ?? null;
  const retryOnRaw = f.str('retryOn');
  f.bool('retryRemoteLocalities');
  const ignorePrevious = f.bool('retryIgnorePreviousHosts') ?? true;
  const backoffBaseMs = f.duration('backoff') ?? 25;
  if (attempts !== undefined && attempts < 0) {
    f.error('attempts', `attempts must not be negative, got ${attempts}`);
    return null;
  }
  const disabled = attempts === undefined || attempts === 0;
  if (disabled && (f.has('perTryTimeout') || f.has('retryOn') || f.has('retryRemoteLocalities'))) {
    f.error(
      attempts === undefined ? null : 'attempts',
      'http retry policy configured when attempts are set to 0 (disabled): set attempts > 0 or drop perTryTimeout/retryOn/retryRemoteLocalities',
    );
    return null;
  }
  const base: RetryPolicy = {
    numRetries: 0,
    perTryTimeoutMs: null,
    retryOn: [],
    retriableStatusCodes: [],
    backoffBaseMs,
    retryIgnorePreviousHosts: ignorePrevious,
    hostSelectionRetryMaxAttempts: 5,
  };
  if (disabled) return base;
  let retryOn = [...DEFAULT_RETRY_ON];
  const codes: number[] = [];
  if (retryOnRaw !== undefined) {
    // Validation splits without trimming ("5xx, reset" is rejected, as istioctl does).
    retryOn = [];
    for (const tok of retryOnRaw.split(',')) {
      if (/^\d+$/.test(tok)) {
        const code = Number(tok);
        if (!GO_STATUS_TEXT_CODES.has(code)) f.error('retryOn', `${JSON.stringify(tok)} is not an HTTP status code`);
        else if (!codes.includes(code)) codes.push(code);
      } else if (RETRY_ON_POLICIES.includes(tok)) {
        if (!retryOn.includes(tok)) retryOn.push(tok);
      } else {
        f.error('retryOn', `unknown retryOn policy ${JSON.stringify(tok)} (one of ${RETRY_ON_POLICIES.join(', ')}, or an HTTP status code; no spaces after commas)`);
      }
    }
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  }
  return { ...base, numRetries: attempts, perTryTimeoutMs, retryOn, retriableStatusCodes: codes };
}

function readPercentage(f: Fields, name: string): FractionalPercent | undefined {
  const p = f.obj(name);
  if (!p) return undefined;
  p.allow(['value']);
  const v = p.num('value') ?? 0;
  const fp = fromPercentValue(v);
  if (typeof fp === 'string') {
    p.error('value', fp);
    return undefined;
  }
  return fp;
}

function compileFault(f: Fields): { delay?: FaultDelay; abort?: FaultAbort } | undefined {
  f.allow(['delay', 'abort']);
  const out: { delay?: FaultDelay; abort?: FaultAbort } = {};
  const d = f.obj('delay');
  const a = f.obj('abort');
  if (!d && !a) {
    f.error(null, 'fault needs a delay or an abort');
    return undefined;
  }
  if (d) {
    d.allow(['fixedDelay', 'exponentialDelay', 'percentage', 'percent']);
    if (d.has('exponentialDelay')) d.error('exponentialDelay', 'exponentialDelay not supported yet (Istio rejects it)');
    const fixed = d.duration('fixedDelay');
    if (!d.has('fixedDelay') && !d.has('exponentialDelay')) d.error(null, 'missing required field "fixedDelay" (a duration such as 5s)');
    let percentage = readPercentage(d, 'percentage');
    if (d.has('percent')) {
      const n = d.int('percent');
      if (n !== undefined) {
        const fp = fromIntegerPercent(n);
        if (typeof fp === 'string') d.error('percent', fp);
        else if (!d.has('percentage')) {
          percentage = fp;
          d.warn('percent', 'percent is deprecated: use percentage: {value: N}');
        } else d.warn('percent', 'percent is deprecated and ignored because percentage is set');
      }
    }
    // spec §2.7: no percentage at all → the delay never fires.
    if (fixed !== undefined) out.delay = { fixedDelayMs: fixed, percentage: percentage ?? { numerator: 0, denominator: 100 } };
  }
  if (a) {
    a.allow(['httpStatus', 'grpcStatus', 'http2Error', 'percentage']);
    if (a.has('http2Error')) a.error('http2Error', 'HTTP/2 abort fault injection not supported yet (Istio rejects it)');
    const httpStatus = a.int('httpStatus');
    if (httpStatus !== undefined && (httpStatus < 200 || httpStatus > 600)) {
      a.error('httpStatus', `invalid abort http status ${httpStatus}: must be in range 200..599`);
    }
    const grpcStatus = a.str('grpcStatus');
    if (grpcStatus !== undefined && !GRPC_STATUS.includes(grpcStatus)) {
      a.error('grpcStatus', `unknown grpcStatus ${JSON.stringify(grpcStatus)} (one of ${GRPC_STATUS.join(', ')})`);
    }
    if (a.has('httpStatus') && a.has('grpcStatus')) a.error(null, 'only one of httpStatus and grpcStatus may be set');
    if (!a.has('httpStatus') && !a.has('grpcStatus') && !a.has('http2Error')) a.error(null, 'missing required field "httpStatus" (or grpcStatus)');
    const percentage = readPercentage(a, 'percentage') ?? { numerator: 0, denominator: 100 };
    if (httpStatus !== undefined) out.abort = { httpStatus, percentage };
    // gRPC aborts answer HTTP 200 with a grpc-status (spec §2.7).
    else if (grpcStatus !== undefined) out.abort = { httpStatus: 200, grpcStatus, percentage };
  }
  return out;
}

/** spec §2.8: mirror + mirrorPercentage > mirrorPercent > mirror_percent > 100 %, or mirrors[]. */
function compileMirrors(r: Fields, ns: string): MirrorPolicy[] {
  const out: MirrorPolicy[] = [];
  if (r.has('mirror') && r.has('mirrors')) {
    r.error('mirrors', 'mirror and mirrors cannot both be set in one route');
    return out;
  }
  const m = r.obj('mirror');
  const legacy = (['mirrorPercent', 'mirror_percent'] as const).filter((k) => r.has(k));
  for (const k of legacy) r.warn(k, `${k} is deprecated: use mirrorPercentage: {value: N}`);
  if (!m) {
    for (const k of ['mirrorPercentage', ...legacy]) if (r.has(k)) r.warn(k, `${k} has no effect without mirror`);
  } else {
    const dest = compileDestination(m, ns);
    let percentage = readPercentage(r, 'mirrorPercentage');
    if (!r.has('mirrorPercentage')) {
      for (const k of legacy) {
        const n = r.int(k);
        if (n === undefined) continue;
        if (n > 100) r.error(k, `${k} must be between 0 and 100, got ${n}`);
        else {
          const fp = fromIntegerPercent(n);
          if (typeof fp !== 'string' && percentage === undefined) percentage = fp;
        }
      }
    }
    percentage ??= r.has('mirrorPercentage') ? undefined : HUNDRED_PERCENT;
    if (dest && percentage && percentage.numerator > 0) out.push({ destination: dest, percentage });
  }
  for (const item of r.objects('mirrors')) {
    item.allow(['destination', 'percentage']);
    const df = item.obj('destination', { required: true });
    const dest = df ? compileDestination(df, ns) : undefined;
    const percentage = item.has('percentage') ? readPercentage(item, 'percentage') : HUNDRED_PERCENT;
    if (dest && percentage && percentage.numerator > 0) out.push({ destination: dest, percentage });
  }
  return out;
}

function compileHeaders(f: Fields | undefined): Headers | undefined {
  if (!f) return undefined;
  f.allow(['request', 'response']);
  const out: Headers = {};
  for (const side of ['request', 'response'] as const) {
    const s = f.obj(side);
    if (!s) continue;
    s.allow(['set', 'add', 'remove']);
    const ops: HeaderOps = { set: {}, add: {}, remove: [] };
    for (const op of ['set', 'add'] as const) {
      const map = s.strMap(op) ?? {};
      for (const [k, v] of Object.entries(map)) {
        const key = k.toLowerCase();
        if (side === 'request' && (key === 'host' || key === ':authority')) {
          if (out.authorityRewrite !== undefined) s.obj(op)!.error(k, 'the authority is set twice; set it once');
          out.authorityRewrite = v;
        } else if (key === 'host' || key.startsWith(':')) {
          s.obj(op)!.warn(k, `header "${k}" cannot be ${op === 'set' ? 'set' : 'added'} and is ignored (Istio drops it)`);
        } else ops[op][key] = v;
      }
    }
    for (const h of s.strList('remove') ?? []) {
      const key = h.toLowerCase();
      if (key === 'host' || key.startsWith(':')) s.warn('remove', `header "${h}" cannot be removed and is ignored (Istio drops it)`);
      else ops.remove.push(key);
    }
    out[side] = ops;
  }
  return out;
}

function compileRewrite(f: Fields): Rewrite | undefined {
  f.allow(['uri', 'uriRegexRewrite', 'authority']);
  const out: Rewrite = {};
  const uri = f.str('uri');
  if (uri !== undefined) out.uri = uri;
  const authority = f.str('authority');
  if (authority !== undefined) out.authority = authority;
  const rr = f.obj('uriRegexRewrite');
  if (rr) {
    rr.allow(['match', 'rewrite']);
    const match = rr.str('match', { required: true });
    const rewrite = rr.str('rewrite', { required: true });
    if (match !== undefined) {
      const problem = checkRegex(match);
      if (problem) rr.error('match', `invalid regex ${JSON.stringify(match)}: ${problem}`);
    }
    if (match !== undefined && rewrite !== undefined) out.uriRegexRewrite = { match, rewrite };
    if (uri !== undefined) f.error('uriRegexRewrite', 'uri and uriRegexRewrite cannot both be set');
  }
  if (Object.keys(out).length === 0 && Object.keys(f.value).length === 0) f.error(null, 'rewrite must set uri, uriRegexRewrite or authority');
  return out;
}

function compileRedirect(f: Fields): Redirect | undefined {
  f.allow(['uri', 'prefixRewrite', 'authority', 'scheme', 'port', 'derivePort', 'redirectCode']);
  const out: Redirect = { redirectCode: 301 };
  const uri = f.str('uri');
  const prefixRewrite = f.str('prefixRewrite');
  if (uri !== undefined && prefixRewrite !== undefined) f.error('prefixRewrite', 'uri and prefixRewrite cannot both be set');
  if (uri !== undefined) out.uri = uri;
  if (prefixRewrite !== undefined) out.prefixRewrite = prefixRewrite;
  const authority = f.str('authority');
  if (authority !== undefined) out.authority = authority;
  const scheme = f.str('scheme');
  if (scheme !== undefined) out.scheme = scheme;
  const port = f.int('port', { min: 1, max: 65535 });
  const derive = f.str('derivePort');
  if (port !== undefined && derive !== undefined) f.error('derivePort', 'port and derivePort cannot both be set');
  if (port !== undefined) out.port = port;
  if (derive !== undefined) {
    if (derive === 'FROM_PROTOCOL_DEFAULT' || derive === 'FROM_REQUEST_PORT') out.derivePort = derive;
    else f.error('derivePort', `unknown derivePort "${derive}" (one of FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT)`);
  }
  const code = f.int('redirectCode');
  if (code !== undefined && code !== 0) {
    if (!REDIRECT_CODES.includes(code)) {
      f.error('redirectCode', `unsupported redirect code ${code} (one of ${REDIRECT_CODES.join(', ')}; 0 or omitted = 301)`);
      return undefined;
    }
    out.redirectCode = code;
  }
  return out;
}

export type { StringMatch };
