// Envoy stat names, built and parsed here only (spec §8). The cluster scope follows
// the emulated Istio release: `cluster.<cluster>.<stat>` up to 1.22 (the seed's form),
// `cluster.<cluster>;.<stat>` from 1.23 (alt_stat_name `<cluster>;`); parsing takes both.
//   cluster:  outbound|8000||httpbin.default.svc.cluster.local
//   stat:     cluster.outbound|8000||httpbin.default.svc.cluster.local.upstream_rq_pending_overflow
//   HCM:      http.outbound_0.0.0.0_15001.fault.aborts_injected
//   Prometheus: envoy_cluster_upstream_rq_pending_overflow{cluster_name="outbound|8000||…"}

/** Envoy cluster name of an outbound service port (Istio `outbound|<port>|<subset>|<fqdn>`). */
export function clusterName(port: number, subset: string | undefined, fqdn: string): string {
  return `outbound|${port}|${subset ?? ''}|${fqdn}`;
}

/**
 * Envoy cluster name of a pod's inbound port as Istio (1.10+) names it, `inbound|<port>||`:
 * the sidecar in front of the app, whose stats are what the pod itself served.
 */
export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}

export interface ClusterNameParts {
  direction: string;
  port: number;
  /** '' for the cluster without a subset. */
  subset: string;
  host: string;
}

/** `outbound|8000|v1|httpbin.default.svc.cluster.local` -> parts; undefined for other names. */
export function parseClusterName(name: string): ClusterNameParts | undefined {
  const p = name.split('|');
  if (p.length !== 4 || !/^\d+$/.test(p[1]!)) return undefined;
  return { direction: p[0]!, port: Number(p[1]), subset: p[2]!, host: p[3]! };
}

/**
 * Stat scope of a cluster, to which `.<stat>` is appended: `cluster.<name>`, or
 * `cluster.<name>;` where Istio sets alt_stat_name (`delimiter` `;.`, Istio 1.23+).
 */
export function clusterScope(cluster: string, delimiter: '.' | ';.'): string {
  return delimiter === ';.' ? `cluster.${cluster};` : `cluster.${cluster}`;
}

/** HCM stat_prefix of the outbound listener on `port`, as Istio names it. */
function outboundStatPrefix(port: number): string {
  return `outbound_0.0.0.0_${port}`;
}

/** Stat scope of the HTTP connection manager (and its filters) of the outbound listener on `port`. */
export function hcmScope(port: number): string {
  return `http.${outboundStatPrefix(port)}`;
}

/** The stat scope's own stats that follow a cluster name (DNS labels have no `_`). */
const CLUSTER_STAT_ROOTS =
  'upstream_|circuit_breakers\\.|outlier_detection\\.|retry\\.upstream_|lb_|membership_|bind_errors|max_host_weight|assignment_|update_|version$|original_dst_';
const CLUSTER_STAT = new RegExp(`^cluster\\.(.+?)(?:;\\.|\\.(?=(?:${CLUSTER_STAT_ROOTS})))(.+)$`);

/** HCM and HTTP filter stats after a stat_prefix (which may itself contain dots). */
const HCM_STAT_ROOTS =
  'downstream_|no_route|no_cluster|rq_|fault\\.|tracing\\.|rs_|passthrough_|router\\.|cors\\.|user_agent\\.|codec\\.';
const HCM_STAT = new RegExp(`^http\\.(.+?)\\.(?=(?:${HCM_STAT_ROOTS}))(.+)$`);

export type ParsedStatName =
  | { kind: 'cluster'; cluster: string; stat: string }
  | { kind: 'http'; prefix: string; stat: string };

/**
 * `cluster.<cluster>.<stat>` / `cluster.<cluster>;.<stat>` and `http.<stat_prefix>.<stat>`
 * split into scope and stat; other names (server.*, listener.*) give undefined.
 */
export function parseStatName(full: string): ParsedStatName | undefined {
  const c = CLUSTER_STAT.exec(full) ?? /^cluster\.([^.]+)\.(.+)$/.exec(full);
  if (c) return { kind: 'cluster', cluster: c[1]!, stat: c[2]! };
  const h = /^http\.(outbound_[0-9.]+_\d+)\.(.+)$/.exec(full) ?? HCM_STAT.exec(full) ?? /^http\.([^.]+)\.(.+)$/.exec(full);
  if (h) return { kind: 'http', prefix: h[1]!, stat: h[2]! };
  return undefined;
}

/** The outbound cluster (`outbound|port|subset|host`) a full stat name belongs to, and the stat. */
export function parseClusterStat(full: string): { cluster: string; parts: ClusterNameParts; stat: string } | undefined {
  const p = parseStatName(full);
  if (p?.kind !== 'cluster') return undefined;
  const parts = parseClusterName(p.cluster);
  return parts ? { cluster: p.cluster, parts, stat: p.stat } : undefined;
}

/**
 * A full Envoy name (`cluster.outbound|…`, `http.outbound_0.0.0.0_15001.no_route`) rather
 * than a short one (`upstream_rq_total`, `http.no_route`) that a scenario sums over clusters.
 */
export function isFullStatName(name: string): boolean {
  return name.startsWith('cluster.') || name.includes('|') || /^http\.outbound_[0-9.]+_\d+\./.test(name);
}

// ---------------------------------------------------------------------------
// Prometheus form: Istio's bootstrap stats_tags (use_all_default_tags: false), so
// labels are `cluster_name`, `http_conn_manager_prefix`, `response_code`,
// `response_code_class`; each extracted tag's text is cut out of the name.

export interface TaggedName {
  name: string;
  tags: Array<[string, string]>;
}

/** Envoy tag extraction for the stat names meshbench produces. */
export function extractTags(full: string): TaggedName {
  const tags: Array<[string, string]> = [];
  let name = full;
  const p = parseStatName(full);
  if (p?.kind === 'cluster') {
    tags.push(['cluster_name', p.cluster]);
    name = `cluster.${p.stat}`;
  } else if (p?.kind === 'http') {
    tags.push(['http_conn_manager_prefix', p.prefix]);
    name = `http.${p.stat}`;
  }
  const code = /_rq(_(\d{3}))$/.exec(name);
  if (code) {
    tags.unshift(['response_code', code[2]!]);
    name = name.slice(0, code.index + 3);
  } else {
    const cls = /_rq(_(\dxx))$/.exec(name);
    if (cls) {
      tags.unshift(['response_code_class', cls[2]!]);
      name = name.slice(0, cls.index + 3);
    }
  }
  return { name, tags };
}

/** Prometheus metric family of a tag-extracted name: `envoy_` + name with `.`/`|`… as `_`. */
export function prometheusFamily(taggedName: string): string {
  return 'envoy_' + taggedName.replace(/[^a-zA-Z0-9_]/g, '_');
}
