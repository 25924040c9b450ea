// Reading Envoy-named stats of one sidecar the way a user thinks about them:
// "the httpbin cluster's upstream_rq_pending_overflow" instead of
// `cluster.outbound|8000||httpbin.default.svc.cluster.local.upstream_rq_pending_overflow`.
// Short names are summed over the destination's clusters (all subsets, or one).

import { isIP } from 'node:net';
import type { InstanceCounts, MeshSnapshot, SidecarStats } from '../mesh/api.js';
import { parseClusterStat, parseStatName } from '../mesh/stats/stat-names.js';
import { authorityPort, defaultPort, parseAuthority } from '../mesh/authority.js';
import { CLUSTER_DOMAIN, DEFAULT_NAMESPACE } from '../mesh/config/model.js';

export interface Destination {
  host: string;
  port: number;
  /** Fully qualified names the URL host may stand for, most likely first. */
  fqdns: string[];
}

/** `http://httpbin:8000/get` seen from namespace `ns` -> httpbin.ns.svc.cluster.local, port 8000. */
export function destinationOf(url: string, namespace = DEFAULT_NAMESPACE): Destination {
  let host = '';
  let port = defaultPort();
  try {
    const u = new URL(url);
    ({ host } = parseAuthority(u.host));
    port = authorityPort(u.host, u.protocol.slice(0, -1));
  } catch {
    // validated earlier; an unparsable URL simply matches no cluster
  }
  const fqdns: string[] = [];
  if (isIP(host) || host.endsWith(`.${CLUSTER_DOMAIN}`)) fqdns.push(host);
  else if (host.split('.').length === 2) fqdns.push(`${host}.${CLUSTER_DOMAIN}`, host);
  else if (!host.includes('.')) fqdns.push(`${host}.${namespace}.${CLUSTER_DOMAIN}`, host);
  else fqdns.push(host);
  return { host, port, fqdns };
}

export interface ClusterStat {
  cluster: string;
  subset: string;
  stat: string;
}

/**
 * Splits `cluster.outbound|8000|v1|httpbin.default.svc.cluster.local.upstream_rq_total`
 * (also Envoy's newer `…local;.upstream_rq_total`) when it belongs to `dest`.
 */
export function matchCluster(key: string, dest: Destination): ClusterStat | undefined {
  const c = parseClusterStat(key);
  if (!c || c.parts.direction !== 'outbound' || c.parts.port !== dest.port || !dest.fqdns.includes(c.parts.host)) return undefined;
  return { cluster: c.cluster, subset: c.parts.subset, stat: c.stat };
}

export interface DestinationStats {
  /** Short stat name -> value summed over the destination's clusters (and `http.<name>` for HCM stats). */
  counters: Record<string, number>;
  gauges: Record<string, number>;
  /** Full cluster name -> short stat -> value. */
  clusters: Record<string, Record<string, number>>;
}

export function destinationStats(s: SidecarStats | undefined, dest: Destination, subset?: string): DestinationStats {
  const out: DestinationStats = { counters: {}, gauges: {}, clusters: {} };
  if (!s) return out;
  const add = (into: Record<string, number>, key: string, v: number) => {
    into[key] = (into[key] ?? 0) + v;
  };
  for (const [map, into] of [
    [s.counters, out.counters],
    [s.gauges, out.gauges],
  ] as const) {
    for (const [key, v] of Object.entries(map)) {
      const m = matchCluster(key, dest);
      if (m) {
        if (subset !== undefined && m.subset !== subset) continue;
        add(into, m.stat, v);
        add((out.clusters[m.cluster] ??= {}), m.stat, v);
        continue;
      }
      const h = parseStatName(key);
      if (h?.kind === 'http') add(into, `http.${h.stat}`, v);
    }
  }
  return out;
}

/** after - before for every counter (counters only grow; a missing "before" is 0). */
export function counterDelta(before: Record<string, number> | undefined, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before?.[k] ?? 0);
  return out;
}

export function sidecarOf(snap: MeshSnapshot | undefined, workload: string): SidecarStats | undefined {
  return snap?.sidecars.find((s) => s.workload === workload);
}

/** The stats of one sidecar over a step: counters as deltas, gauges as at the end. */
export function sidecarDelta(before: SidecarStats | undefined, after: SidecarStats | undefined): SidecarStats | undefined {
  if (!after) return undefined;
  return { workload: after.workload, counters: counterDelta(before?.counters, after.counters), gauges: { ...after.gauges } };
}

export interface InstanceDelta {
  pod: string;
  workload: string;
  app: string;
  version: string;
  requests: number;
  shadowRequests: number;
  codes: Record<string, number>;
}

export function instanceDeltas(before: MeshSnapshot | undefined, after: MeshSnapshot): InstanceDelta[] {
  const prev = new Map<string, InstanceCounts>();
  for (const i of before?.instances ?? []) prev.set(i.pod, i);
  return after.instances.map((i) => {
    const b = prev.get(i.pod);
    return {
      pod: i.pod,
      workload: i.workload,
      app: i.app,
      version: i.version,
      requests: i.requests - (b?.requests ?? 0),
      shadowRequests: i.shadowRequests - (b?.shadowRequests ?? 0),
      codes: counterDelta(b?.codes, i.codes),
    };
  });
}

/**
 * "httpbin v1" -> requests served (pods of one app+version summed). Mirrored
 * copies are counted apart, as "httpbin v2 mirror", so shifting and mirroring
 * read differently in reports.
 */
export function perVersion(instances: InstanceDelta[]): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (k: string, n: number) => {
    if (n > 0) out[k] = (out[k] ?? 0) + n;
  };
  for (const i of instances) {
    const key = versionKey(i);
    add(key, i.requests - i.shadowRequests);
    add(`${key} mirror`, i.shadowRequests);
  }
  return out;
}

export function versionKey(i: { app: string; version: string; workload: string }): string {
  return i.version ? `${i.app || i.workload} ${i.version}` : i.workload;
}
