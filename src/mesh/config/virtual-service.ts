// VirtualService → model.VirtualService (spec §2): hosts completed, routes kept in
// order, every Istio default and legacy spelling resolved here so the router only
// sees normalized values.

import type { HttpMatch, HttpRoute, RouteDestination, VirtualService } from './model.js';
import type { CompileContext } from './context.js';
import { completeHost, readObject } from './context.js';
import { Fields, INT32_MAX } from './fields.js';
import { readStringMatch } from './string-match.js';
import { compileDestination } from './destination.js';
import type { SourceDoc } from './source.js';
import { compileRetries } from './retry-policy.js';
import type { IstioProfile } from './istio-profile.js';
import { compileFault } from './fault-injection.js';
import { compileMirrors } from './mirror-policy.js';
import { compileHeaders, compileRedirect, compileRewrite } from './route-action.js';

const HTTP_ROUTE_FIELDS = [
  'name', 'match', 'route', 'redirect', 'directResponse', 'delegate', 'rewrite', 'timeout', 'retries', 'fault',
  'mirror', 'mirrors', 'mirrorPercentage', 'mirrorPercent', 'mirror_percent', 'corsPolicy', 'headers',
];
const MATCH_FIELDS = [
  'name', 'uri', 'scheme', 'method', 'authority', 'headers', 'withoutHeaders', 'queryParams', 'ignoreUriCase', 'port',
  'sourceLabels', 'sourceNamespace', 'gateways', 'statPrefix',
];

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
    if (Array.isArray(spec.value.hosts)) spec.error('hosts', 'at least one host is required (delegate VirtualServices are not supported)');
    else if (!spec.has('hosts')) spec.error(null, 'missing required field "hosts" (a list of host names)');
  }
  const hosts = (rawHosts ?? []).map((h) => completeHost(h, ns));
  const gateways = spec.strList('gateways') ?? ['mesh'];
  const exportTo = spec.strList('exportTo');
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
    const route = compileHttpRoute(r, ns, ctx.istio);
    if (route && catchAllAt < 0 && isCatchAll(route)) catchAllAt = i;
    if (route) {
      routeIndex.set(route, i);
      http.push(route);
    }
  });
  if (!spec.has('http') && !spec.has('tcp') && !spec.has('tls')) spec.error(null, 'missing required field "http" (a list of routes)');
  return { name: doc.name, namespace: ns, hosts, gateways, http, ...(exportTo ? { exportTo } : {}), origin };
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

function compileHttpRoute(r: Fields, ns: string, istio: IstioProfile): HttpRoute | undefined {
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

  const route = compileDestinations(r, routeItems, ns, istio);
  const rw = rewrite ? compileRewrite(rewrite) : undefined;
  const headers = r.has('headers') ? compileHeaders(r.obj('headers')) : undefined;
  if (rw?.authority !== undefined && headers?.authorityRewrite !== undefined) {
    r.error('headers', 'the authority is rewritten twice (rewrite.authority and a host/:authority header); set it once');
  }
  const out: HttpRoute = {
    match,
    route,
    timeoutMs: r.duration('timeout') ?? null,
    retries: compileRetries(r, istio),
    mirrors: compileMirrors(r, ns),
    origin: { kind: r.doc.kind, name: r.doc.name, namespace: ns, loc: r.doc.locate(r.path) },
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


/** spec §2.4: one destination gets 100; several drop weight-0 entries. */
function compileDestinations(r: Fields, items: Fields[], ns: string, istio: IstioProfile): RouteDestination[] {
  const all: RouteDestination[] = [];
  let sum = 0;
  let invalid = false;
  for (const it of items) {
    it.allow(['destination', 'weight', 'headers']);
    const df = it.obj('destination', { required: true });
    const dest = df ? compileDestination(df, ns) : undefined;
    const weight = it.int('weight', { max: INT32_MAX });
    if (weight === undefined && it.has('weight')) invalid = true;
    if (weight !== undefined && weight < 0) {
      it.error('weight', `weight must not be negative, got ${weight}`);
      invalid = true;
    }
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
  if (items.length > 1 && all.length === items.length && sum === 0 && !invalid) {
    r.error('route', 'the weights of several destinations must add up to more than 0');
  } else if (items.length > 1 && sum > 0 && sum !== 100 && !invalid) {
    // Istio 1.15+ accepts any total (spec §2.4); older releases reject it.
    if (istio.weightsMustSumTo100) r.error('route', `the weights add up to ${sum}: Istio ${istio.version} requires a total of 100 (relative weights came in 1.15)`);
    else r.warn('route', `the weights add up to ${sum}, not 100: traffic is split in proportion to them (Istio 1.15+; older Istio rejects this)`);
  }
  return all.filter((d) => d.weight > 0);
}
