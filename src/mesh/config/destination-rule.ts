// DestinationRule → model.DestinationRule (spec §3). Connection pool fields that are
// 0 or omitted keep Istio's defaults and are left out of the Partial; outlier
// detection is mapped to Envoy's fields as pilot does for current Istio (1.7+).

import type { ConnectionPool, DestinationRule, LbPolicy, OutlierDetection, Subset, TrafficPolicy } from './model.js';
import type { IstioProfile } from './istio-profile.js';
import type { CompileContext } from './context.js';
import { completeHost, isDns1123Label, readObject } from './context.js';
import { Fields, INT32_MAX } from './fields.js';
import type { SourceDoc } from './source.js';
import { defaultOutlierDetection } from './policy.js';

const SIMPLE_LB = ['UNSPECIFIED', 'LEAST_CONN', 'LEAST_REQUEST', 'ROUND_ROBIN', 'RANDOM', 'PASSTHROUGH'];
const POLICY_BLOCKS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'];
const IGNORED_BLOCKS = ['tunnel', 'proxyProtocol', 'retryBudget'];

export function compileDestinationRule(doc: SourceDoc, ctx: CompileContext): DestinationRule | undefined {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return undefined;
  spec.allow(['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector']);
  const host = spec.str('host', { required: true, nonEmpty: true });
  const exportTo = spec.strList('exportTo');
  if (exportTo && !exportTo.includes('*')) spec.warn('exportTo', 'exportTo of a DestinationRule is not emulated: every sidecar sees it (VirtualService exportTo is)');
  if (spec.has('workloadSelector')) spec.warn('workloadSelector', 'workloadSelector is ignored: the rule applies to every sidecar');
  const tpf = spec.obj('trafficPolicy');
  const trafficPolicy = tpf ? compileTrafficPolicy(tpf, true, ctx.istio) : undefined;
  const subsets: Subset[] = [];
  const names = new Set<string>();
  for (const s of spec.objects('subsets')) {
    s.allow(['name', 'labels', 'trafficPolicy']);
    const name = s.str('name', { required: true });
    const labels = s.strMap('labels') ?? {};
    if (name !== undefined) {
      if (!isDns1123Label(name)) {
        s.error('name', `subset name "${name}" must be a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)`);
      } else if (names.has(name)) {
        s.error('name', `duplicate subset name "${name}"`);
      }
      names.add(name);
    }
    const stp = s.obj('trafficPolicy');
    const sub: Subset = { name: name ?? '', labels };
    if (stp) {
      const tp = compileTrafficPolicy(stp, true, ctx.istio);
      if (tp) sub.trafficPolicy = tp;
    }
    subsets.push(sub);
  }
  if (host === undefined) return undefined;
  const out: DestinationRule = {
    name: doc.name,
    namespace: doc.namespace,
    host: completeHost(host, doc.namespace),
    subsets,
    origin: { kind: doc.kind, name: doc.name, namespace: doc.namespace, loc: doc.locate([]) },
  };
  if (trafficPolicy) out.trafficPolicy = trafficPolicy;
  return out;
}

function compileTrafficPolicy(f: Fields, topLevel: boolean, istio: IstioProfile): TrafficPolicy {
  f.allow(topLevel ? [...POLICY_BLOCKS, 'portLevelSettings', ...IGNORED_BLOCKS] : ['port', ...POLICY_BLOCKS]);
  for (const k of IGNORED_BLOCKS) if (f.has(k)) f.warn(k, `${k} is ignored: meshbench does not emulate it`);
  const out: TrafficPolicy = {};
  const lb = f.obj('loadBalancer');
  if (lb) {
    const p = compileLoadBalancer(lb);
    if (p) out.loadBalancer = p;
  }
  const cp = f.obj('connectionPool');
  if (cp) out.connectionPool = compileConnectionPool(cp);
  const od = f.obj('outlierDetection');
  if (od) out.outlierDetection = compileOutlierDetection(od, istio);
  if (f.obj('tls')) f.warn('tls', 'tls is not emulated: sidecars talk plain HTTP/1.1 on loopback');
  if (topLevel && f.has('portLevelSettings')) {
    const seen = new Set<number>();
    const pls: NonNullable<TrafficPolicy['portLevelSettings']> = [];
    for (const item of f.objects('portLevelSettings')) {
      const pf = item.obj('port', { required: true });
      const port = pf?.allow(['number']).int('number', { required: true, min: 1, max: 65535 });
      const tp = compileTrafficPolicy(item, false, istio);
      if (port === undefined) continue;
      if (seen.has(port)) item.error('port', `port ${port} is listed twice in portLevelSettings`);
      seen.add(port);
      pls.push({ port, ...tp });
    }
    out.portLevelSettings = pls;
  }
  return out;
}

function compileLoadBalancer(f: Fields): LbPolicy | undefined {
  f.allow(['simple', 'consistentHash', 'localityLbSetting', 'warmupDurationSecs', 'warmup']);
  if (f.has('localityLbSetting')) f.warn('localityLbSetting', 'localityLbSetting is ignored: every endpoint is local in meshbench');
  if (f.has('warmupDurationSecs')) f.warn('warmupDurationSecs', 'warmupDurationSecs is deprecated and ignored (slow start is not emulated)');
  if (f.has('warmup')) f.warn('warmup', 'warmup is ignored (slow start is not emulated)');
  if (f.has('simple') && f.has('consistentHash')) {
    f.error(null, 'only one of simple and consistentHash may be set');
    return undefined;
  }
  const simple = f.str('simple');
  if (simple !== undefined) {
    if (!SIMPLE_LB.includes(simple)) {
      f.error('simple', `unknown load balancer "${simple}" (one of ${SIMPLE_LB.join(', ')})`);
      return undefined;
    }
    if (simple === 'UNSPECIFIED') return undefined;
    if (simple === 'PASSTHROUGH') {
      // Envoy's ORIGINAL_DST cluster needs the caller's original destination address,
      // which loopback connections to the sidecar do not carry. Kept in the model (it
      // still overrides an outer policy); the balancer treats it as LEAST_REQUEST.
      f.warn('simple', 'PASSTHROUGH is not emulated: LEAST_REQUEST picks the endpoint instead');
    }
    if (simple === 'LEAST_CONN') {
      f.warn('simple', 'LEAST_CONN is deprecated: it is an alias of LEAST_REQUEST');
      return { simple: 'LEAST_REQUEST' };
    }
    return { simple: simple as 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH' };
  }
  const ch = f.obj('consistentHash');
  if (!ch) return undefined;
  ch.allow(['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName', 'ringHash', 'maglev', 'minimumRingSize']);
  const keys = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'].filter((k) => ch.has(k));
  if (keys.length !== 1) {
    ch.error(null, keys.length === 0 ? 'consistentHash needs one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName' : `only one hash key may be set (got ${keys.join(', ')})`);
    return undefined;
  }
  let hash: Extract<LbPolicy, { consistentHash: unknown }>['consistentHash'] | undefined;
  const header = ch.str('httpHeaderName');
  const query = ch.str('httpQueryParameterName');
  const src = ch.bool('useSourceIp');
  const cookie = ch.obj('httpCookie');
  if (header !== undefined) hash = { httpHeaderName: header };
  else if (query !== undefined) hash = { httpQueryParameterName: query };
  else if (src !== undefined) {
    if (src) hash = { useSourceIp: true };
    else ch.error('useSourceIp', 'useSourceIp: false selects no hash key');
  } else if (cookie) {
    cookie.allow(['name', 'path', 'ttl', 'attributes']);
    const name = cookie.str('name', { required: true });
    const path = cookie.str('path');
    const ttl = cookie.has('ttl') ? cookie.duration('ttl', { allowZero: true }) : undefined;
    if (name !== undefined) {
      const c: { name: string; path?: string; ttlMs?: number } = { name };
      if (path !== undefined) c.path = path;
      if (ttl !== undefined) c.ttlMs = ttl;
      hash = { httpCookie: c };
    }
  }
  let ring: number | undefined;
  const rh = ch.obj('ringHash');
  if (rh) ring = rh.allow(['minimumRingSize']).int('minimumRingSize', { min: 0 });
  const mg = ch.obj('maglev');
  if (mg) {
    mg.allow(['tableSize']).int('tableSize', { min: 0 });
    ch.warn('maglev', 'maglev is emulated as a ring hash');
  }
  if (ch.has('minimumRingSize')) {
    ch.warn('minimumRingSize', 'minimumRingSize is deprecated: use ringHash.minimumRingSize');
    ring ??= ch.int('minimumRingSize', { min: 0 });
  }
  if (!hash) return undefined;
  const out: LbPolicy = { consistentHash: hash };
  if (ring !== undefined && ring > 0) out.minimumRingSize = ring;
  return out;
}

function compileConnectionPool(f: Fields): Partial<ConnectionPool> {
  f.allow(['tcp', 'http']);
  const out: Partial<ConnectionPool> = {};
  // Threshold fields: > 0 overrides, 0 keeps the default, negative is invalid (spec §3.3).
  const threshold = (g: Fields, name: string): number | undefined => {
    const v = g.int(name, { max: INT32_MAX }); // int32 in the API: the API server rejects more
    if (v !== undefined && v < 0) {
      g.error(name, `must not be negative, got ${v}`);
      return undefined;
    }
    return v !== undefined && v > 0 ? v : undefined;
  };
  let tcpIdle: number | undefined;
  const tcp = f.obj('tcp');
  if (tcp) {
    tcp.allow(['maxConnections', 'connectTimeout', 'tcpKeepalive', 'maxConnectionDuration', 'idleTimeout']);
    const mc = threshold(tcp, 'maxConnections');
    if (mc !== undefined) out.maxConnections = mc;
    const ct = tcp.duration('connectTimeout');
    if (ct !== undefined) out.connectTimeoutMs = ct;
    const ka = tcp.obj('tcpKeepalive');
    if (ka) {
      ka.allow(['probes', 'time', 'interval']);
      ka.int('probes', { min: 0 });
      ka.duration('time');
      ka.duration('interval');
      tcp.warn('tcpKeepalive', 'tcpKeepalive is not emulated: upstream sockets keep the OS keepalive defaults');
    }
    if (tcp.has('maxConnectionDuration')) {
      tcp.duration('maxConnectionDuration');
      tcp.warn('maxConnectionDuration', 'maxConnectionDuration is ignored: connections are not aged out');
    }
    tcpIdle = tcp.duration('idleTimeout', { allowZero: true });
  }
  const http = f.obj('http');
  let httpIdle: number | undefined;
  if (http) {
    http.allow([
      'http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxRetries', 'idleTimeout',
      'h2UpgradePolicy', 'useClientProtocol', 'maxConcurrentStreams',
    ]);
    const pend = threshold(http, 'http1MaxPendingRequests');
    if (pend !== undefined) out.http1MaxPendingRequests = pend;
    const req = threshold(http, 'http2MaxRequests');
    if (req !== undefined) out.http2MaxRequests = req;
    const mrpc = threshold(http, 'maxRequestsPerConnection');
    if (mrpc !== undefined) out.maxRequestsPerConnection = mrpc;
    const retries = threshold(http, 'maxRetries');
    if (retries !== undefined) out.maxRetries = retries;
    httpIdle = http.duration('idleTimeout');
    const h2 = http.str('h2UpgradePolicy');
    if (h2 !== undefined) {
      if (!['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'].includes(h2)) http.error('h2UpgradePolicy', `unknown h2UpgradePolicy "${h2}" (one of DEFAULT, DO_NOT_UPGRADE, UPGRADE)`);
      else if (h2 === 'UPGRADE') http.warn('h2UpgradePolicy', 'UPGRADE is ignored: upstream connections stay HTTP/1.1');
    }
    http.bool('useClientProtocol');
    if (threshold(http, 'maxConcurrentStreams') !== undefined) {
      http.warn('maxConcurrentStreams', 'maxConcurrentStreams is not emulated: it limits HTTP/2 streams and upstream connections are HTTP/1.1');
    }
  }
  // spec §3.3: tcp.idleTimeout is the HTTP idle timeout when http.idleTimeout is unset.
  const idle = httpIdle ?? tcpIdle;
  if (idle !== undefined) out.idleTimeoutMs = idle;
  return out;
}

/** spec §3.4; `consecutiveErrors` as the profile's release reads it. */
function compileOutlierDetection(f: Fields, istio: IstioProfile): OutlierDetection {
  f.allow([
    'consecutiveErrors', 'consecutive5xxErrors', 'consecutiveGatewayErrors', 'consecutiveLocalOriginFailures',
    'splitExternalLocalOriginErrors', 'interval', 'baseEjectionTime', 'maxEjectionPercent', 'minHealthPercent',
  ]);
  const od = defaultOutlierDetection();
  const legacy = f.int('consecutiveErrors', { min: 0 });
  if (legacy !== undefined && istio.consecutiveErrors === 'ignored') {
    f.warn(
      'consecutiveErrors',
      `consecutiveErrors is ignored since Istio ${istio.consecutiveErrorsIgnoredSince} (profile ${istio.version}): ` +
        "Envoy's default of 5 consecutive 5xx errors applies; set consecutive5xxErrors (or consecutiveGatewayErrors) instead",
    );
  } else if (legacy !== undefined && legacy > 0) {
    // Istio 1.1-1.6: consecutive_gateway_failure = N (502/503/504 and connect failures),
    // enforced, with 5xx enforcement off; the newer fields below override it.
    od.consecutiveGatewayFailure = legacy;
    od.enforcingConsecutiveGatewayFailure = 100;
    od.enforcingConsecutive5xx = 0;
  }
  const c5 = f.int('consecutive5xxErrors', { min: 0 });
  if (c5 !== undefined) {
    od.consecutive5xx = c5;
    od.enforcingConsecutive5xx = c5 > 0 ? 100 : 0;
  }
  const gw = f.int('consecutiveGatewayErrors', { min: 0 });
  if (gw !== undefined) {
    od.consecutiveGatewayFailure = gw;
    od.enforcingConsecutiveGatewayFailure = gw > 0 ? 100 : 0;
  }
  const split = f.bool('splitExternalLocalOriginErrors') ?? false;
  od.splitExternalLocalOriginErrors = split;
  const local = f.int('consecutiveLocalOriginFailures', { min: 0 });
  if (local !== undefined) {
    if (!split) f.error('consecutiveLocalOriginFailures', 'consecutiveLocalOriginFailures requires splitExternalLocalOriginErrors: true');
    else if (local > 0) {
      od.consecutiveLocalOriginFailure = local;
      od.enforcingConsecutiveLocalOriginFailure = 100;
    }
  }
  const interval = f.duration('interval');
  if (interval !== undefined) od.intervalMs = interval;
  const base = f.duration('baseEjectionTime');
  if (base !== undefined) od.baseEjectionTimeMs = base;
  od.maxEjectionTimeMs = Math.max(300_000, od.baseEjectionTimeMs);
  const maxPct = f.int('maxEjectionPercent', { min: 0, max: 100 });
  if (maxPct !== undefined && maxPct > 0) od.maxEjectionPercent = maxPct;
  const minHealth = f.int('minHealthPercent', { min: 0, max: 100 });
  if (minHealth !== undefined) od.healthyPanicThreshold = minHealth;
  return od;
}
