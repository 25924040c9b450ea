// `bench explain`: the path one request takes through one client sidecar,
// decided by the proxy's own route table and cluster manager (nothing boots,
// no socket opens) and written out as plain data with the reasons. The route
// table's explain() runs the same match predicates as the request path.

import type {
  ConnectionPool,
  FractionalPercent,
  HeaderOps,
  HttpRoute,
  LbPolicy,
  MeshConfig,
  OutlierDetection,
  RetryPolicy,
} from './config/model.js';
import { effectivePolicy } from './config/policy.js';
import type { IstioProfile } from './config/istio-profile.js';
import { routeIndex } from './config/virtual-service.js';
import { ClusterManager } from './cluster/cluster-manager.js';
import { RouteTable } from './route/route-table.js';
import { describeMatch } from './route/match.js';
import { destinationPort, type RouteEntry } from './route/route-entry.js';
import { authorityRewrite, buildRedirectLocation, rewritePath } from './router/rewrite.js';
import { StatsStore } from './stats/store.js';
import { clusterName } from './stats/stat-names.js';
import { authorityPort, splitRequestTarget } from './authority.js';
import { defaultSource, sourceWorkloads } from './mesh.js';

/** The client whose sidecar decides: a workload's labels and namespace. */
export interface ExplainSource {
  /** Workload name, absent for `--from-namespace` (a pod with no labels). */
  workload?: string;
  namespace: string;
  labels: Record<string, string>;
}

export interface ExplainRequest {
  method: string;
  /** `http://host[:port]/path?q`. */
  url: string;
  /** Lower-case names; a `host` header overrides the URL's authority (as curl -H Host does). */
  headers: Record<string, string>;
}

export interface RouteRef {
  /** `namespace/name` of the VirtualService; null for the implicit default route. */
  virtualService: string | null;
  /** Index in the VirtualService's spec.http. */
  http: number | null;
  name: string | null;
  /** Index in that route's match list; null: the route has no match (catch-all). */
  match: number | null;
}

export interface ExplainEndpoint {
  /** Pod name, or `address:port` for a ServiceEntry endpoint. */
  id: string;
  labels: Record<string, string>;
}

export interface ExplainDestination {
  host: string;
  subset: string | null;
  port: number;
  /** Share of requests, in percent. */
  weight: number;
  cluster: string;
  /** False: Envoy has no such cluster and answers 503 NC. */
  clusterExists: boolean;
  destinationRule: string | null;
  subsetLabels: Record<string, string> | null;
  endpoints: ExplainEndpoint[];
  loadBalancer: LbPolicy;
  connectionPool: ConnectionPool;
  outlierDetection: OutlierDetection | null;
  /** The authority sent upstream when a rewrite or Host/:authority header set replaces it. */
  authority: string | null;
  requestHeaders: HeaderOps | null;
  responseHeaders: HeaderOps | null;
}

export interface ExplainPolicy {
  timeoutMs: number | null;
  /** null: retries disabled (`attempts: 0`). */
  retries: { attempts: number; retryOn: string[]; perTryTimeoutMs: number | null; retriableStatusCodes: number[]; istioDefault: boolean } | null;
  fault: { delay?: { fixedDelayMs: number; percent: number }; abort?: { httpStatus: number; grpcStatus?: string; percent: number } } | null;
  mirrors: Array<{ host: string; subset: string | null; percent: number; cluster: string }>;
  /** `rewrite:` of the route: the path after it, its authority (the effective authority per destination: `destinations[].authority`). */
  rewrite: { path?: string; authority?: string } | null;
  requestHeaders: HeaderOps | null;
  responseHeaders: HeaderOps | null;
}

export interface ExplainResult {
  /** The Istio release whose rules decided (istio-profile.ts). */
  istio: IstioProfile;
  source: ExplainSource;
  request: { method: string; authority: string; path: string; headers: Record<string, string> };
  /** The outbound listener (0.0.0.0:PORT, route config named after the port). */
  listenerPort: number;
  virtualHost: { service: string; port: number; domain: string; default: boolean; virtualServices: string[] } | null;
  /** Earlier routes and why each did not match, then match items left out for this client. */
  rejected: Array<RouteRef & { reason: string }>;
  skipped: Array<RouteRef & { reason: string }>;
  /** `conditions`: the runtime conditions of the match item that hit ([] for a catch-all). */
  route: (RouteRef & { action: 'route' | 'redirect' | 'direct_response'; conditions: string[] }) | null;
  destinations: ExplainDestination[];
  policy: ExplainPolicy | null;
  /** What the sidecar answers itself, when it does (404 NR, 503 NC/UH, redirect, direct response); null: forwarded. */
  localReply: { status: number; flag?: string; location?: string; body?: string; reason: string } | null;
}

/**
 * `--from-namespace NS`: a pod in NS without labels; else `--from WORKLOAD`, else
 * the implicit load source (as `bench load --mesh` uses). Unknown workload: UserError.
 */
export function explainSource(config: MeshConfig, from: string | undefined, namespace: string | undefined): ExplainSource {
  if (namespace !== undefined) return { namespace, labels: {} };
  const name = defaultSource(config, from);
  const w = sourceWorkloads(config).find((s) => s.workload === name)!;
  return { workload: w.workload, namespace: w.namespace, labels: w.labels };
}

const percent = (p: FractionalPercent): number => (p.numerator * 100) / p.denominator;

function ref(e: RouteEntry): RouteRef {
  const o = e.route.origin;
  const isVs = o.kind === 'VirtualService';
  return {
    virtualService: isVs ? `${o.namespace}/${o.name}` : null,
    http: isVs ? (routeIndex.get(e.route) ?? null) : null,
    name: e.route.name ?? null,
    match: e.matchIndex < 0 ? null : e.matchIndex,
  };
}

export function explainRequest(config: MeshConfig, source: ExplainSource, rq: ExplainRequest): ExplainResult {
  const target = splitRequestTarget(rq.url);
  const authority = rq.headers.host ?? target.authority ?? '';
  const view = { method: rq.method, path: target.path, authority, scheme: 'http', headers: rq.headers };
  const table = new RouteTable(config, { labels: source.labels, namespace: source.namespace });
  const d = table.explain(authority, view);
  const result: ExplainResult = {
    istio: config.istio,
    source,
    request: { method: rq.method, authority, path: target.path, headers: rq.headers },
    listenerPort: 0,
    virtualHost: null,
    rejected: [],
    skipped: [],
    route: null,
    destinations: [],
    policy: null,
    localReply: null,
  };
  if (!d.vhost) {
    result.listenerPort = authorityPort(authority);
    result.localReply = { status: 404, flag: 'NR', reason: d.reason };
    return result;
  }
  const vh = d.vhost;
  result.listenerPort = d.port;
  result.virtualHost = {
    service: vh.service.fqdn,
    port: vh.port,
    domain: d.domain,
    default: vh.isDefault,
    virtualServices: vh.virtualServices.map((v) => `${v.namespace}/${v.name}`),
  };
  for (const c of d.checked) if (c.mismatch !== undefined) result.rejected.push({ ...ref(c.entry), reason: c.mismatch });
  for (const s of vh.skipped) {
    const o = s.route.origin;
    result.skipped.push({ virtualService: `${o.namespace}/${o.name}`, http: routeIndex.get(s.route) ?? null, name: s.route.name ?? null, match: s.matchIndex, reason: s.reason });
  }
  const entry = d.entry;
  if (!entry) {
    const vs = result.virtualHost.virtualServices.join(', ');
    result.localReply = { status: 404, flag: 'NR', reason: `no route of ${vs} matches the request` };
    return result;
  }
  result.route = { ...ref(entry), action: entry.action, conditions: entry.match ? describeMatch(entry.match.spec) : [] };
  const clusters = new ClusterManager(config, new StatsStore(), Math.random, () => undefined);
  try {
    decide(result, entry, clusters, config.istio, authority, target.path, d.port);
  } finally {
    clusters.close();
  }
  return result;
}

function decide(result: ExplainResult, entry: RouteEntry, clusters: ClusterManager, istio: IstioProfile, authority: string, path: string, port: number): void {
  const route = entry.route;
  result.policy = policyOf(route, entry, path, clusters, port);
  // The fault filter runs before the router: an abort for every request is the answer.
  const abort = route.fault?.abort;
  if (abort && abort.percentage.numerator >= abort.percentage.denominator) {
    result.localReply = { status: abort.httpStatus, flag: 'FI', reason: `fault abort${abort.grpcStatus ? ` (grpc-status ${abort.grpcStatus})` : ''} for every request` };
    return;
  }
  if (route.directResponse) {
    result.localReply = { status: route.directResponse.status, body: route.directResponse.body ?? '', reason: 'direct response' };
    return;
  }
  if (route.redirect) {
    const location = buildRedirectLocation(route.redirect, entry, authority, path, port);
    result.localReply = { status: route.redirect.redirectCode, location, reason: 'redirect' };
    return;
  }
  for (const rd of entry.destinations) {
    const dst = rd.destination;
    const p = destinationPort(clusters.service(dst.host), dst.port, port);
    const cluster = clusters.get(dst.host, p, dst.subset);
    const dr = clusters.destinationRule(dst.host);
    const pol = effectivePolicy(dr, dst.subset, p, istio);
    result.destinations.push({
      host: dst.host,
      subset: dst.subset ?? null,
      port: p,
      weight: entry.destinations.length === 1 ? 100 : (rd.weight * 100) / entry.totalWeight,
      cluster: clusterName(p, dst.subset, dst.host),
      clusterExists: cluster !== undefined,
      destinationRule: dr ? `${dr.namespace}/${dr.name}` : null,
      subsetLabels: dst.subset === undefined ? null : (dr?.subsets.find((s) => s.name === dst.subset)?.labels ?? null),
      endpoints: (cluster?.hosts ?? []).map((h) => ({ id: h.id, labels: h.labels })),
      loadBalancer: pol.lb,
      connectionPool: pol.pool,
      outlierDetection: pol.outlier ?? null,
      authority: authorityRewrite(entry.route, rd) ?? null,
      requestHeaders: rd.headers?.request ?? null,
      responseHeaders: rd.headers?.response ?? null,
    });
  }
  const dests = result.destinations;
  if (dests.length === 0) {
    result.localReply = { status: 503, flag: 'NC', reason: 'the route has no destination' };
  } else if (dests.every((x) => !x.clusterExists)) {
    result.localReply = { status: 503, flag: 'NC', reason: `no cluster ${dests.map((x) => x.cluster).join(', ')}: unknown host or subset no DestinationRule defines` };
  } else if (dests.every((x) => x.endpoints.length === 0)) {
    result.localReply = { status: 503, flag: 'UH', reason: 'no endpoint: no pod has the labels of the service and subset' };
  }
}

function retriesOf(route: HttpRoute, retry: RetryPolicy | undefined): ExplainPolicy['retries'] {
  if (!retry) return null;
  return {
    attempts: retry.numRetries,
    retryOn: [...retry.retryOn],
    perTryTimeoutMs: retry.perTryTimeoutMs,
    retriableStatusCodes: [...retry.retriableStatusCodes],
    istioDefault: route.retries === null,
  };
}

function policyOf(route: HttpRoute, entry: RouteEntry, path: string, clusters: ClusterManager, port: number): ExplainPolicy {
  const f = route.fault;
  const fault: ExplainPolicy['fault'] = f
    ? {
        ...(f.delay ? { delay: { fixedDelayMs: f.delay.fixedDelayMs, percent: percent(f.delay.percentage) } } : {}),
        ...(f.abort
          ? { abort: { httpStatus: f.abort.httpStatus, ...(f.abort.grpcStatus ? { grpcStatus: f.abort.grpcStatus } : {}), percent: percent(f.abort.percentage) } }
          : {}),
      }
    : null;
  const rw = route.rewrite;
  const authority = rw?.authority;
  const newPath = rw && (rw.uri !== undefined || rw.uriRegexRewrite) ? rewritePath(rw, entry, path) : undefined;
  const rewrite = newPath !== undefined || authority !== undefined ? { ...(newPath !== undefined ? { path: newPath } : {}), ...(authority !== undefined ? { authority } : {}) } : null;
  return {
    timeoutMs: route.timeoutMs,
    retries: retriesOf(route, entry.retry),
    fault,
    mirrors: route.mirrors.map((m) => {
      const p = destinationPort(clusters.service(m.destination.host), m.destination.port, port);
      return { host: m.destination.host, subset: m.destination.subset ?? null, percent: percent(m.percentage), cluster: clusterName(p, m.destination.subset, m.destination.host) };
    }),
    rewrite,
    requestHeaders: route.headers?.request ?? null,
    responseHeaders: route.headers?.response ?? null,
  };
}
