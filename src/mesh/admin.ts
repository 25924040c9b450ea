// Envoy-style admin server on loopback (what `pilot-agent request GET stats`
// reads): /stats in text, JSON and Prometheus form, /clusters, /server_info,
// /ready, /help. Several sidecars share one admin port here: `?sidecar=NAME`
// picks one, the default is the sidecar of `--from`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { StatsStore } from './stats/store.js';
import { RuntimeError } from '../errors.js';

export interface AdminSidecar {
  workload: string;
  namespace: string;
  stats: StatsStore;
  /** The sidecar's clusters for /clusters; without it the page is built from stats and detectors. */
  clusters?: () => ClusterStatus[];
}

/** One upstream cluster as Envoy's /clusters shows it. */
export interface ClusterStatus {
  name: string;
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  hosts: Array<{ address: string; hostname: string; rqActive: number; failedOutlierCheck: boolean }>;
}

export interface AdminOptions {
  host: string;
  port: number;
  sidecars: readonly AdminSidecar[];
  /** Workload name of the sidecar served when no `?sidecar=` is given. */
  defaultSidecar: string;
  /** performance.now() at boot, for /server_info uptime. */
  startedAt: number;
  version?: string;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

const HELP: Array<[string, string]> = [
  ['/', 'Admin home page'],
  ['/clusters', 'upstream cluster status'],
  ['/help', 'print out list of admin commands'],
  ['/ready', 'print server state, return 200 if LIVE, otherwise return 503'],
  ['/server_info', 'print server version/status information'],
  ['/stats', 'print server stats (params: filter=REGEX, usedonly, format=json|prometheus, sidecar=NAME)'],
  ['/stats/prometheus', 'print server stats in prometheus format (params: filter=REGEX, usedonly, sidecar=NAME)'],
];

interface Stat {
  name: string;
  value: number;
  type: 'counter' | 'gauge';
}

export async function startAdmin(opts: AdminOptions): Promise<AdminServer> {
  const byName = new Map(opts.sidecars.map((s) => [s.workload, s] as const));
  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      reply(res, 500, `internal error: ${(e as Error).message}\n`);
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://admin');
    const q = url.searchParams;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'admin: method not allowed, use GET\n');
      return;
    }
    const path = url.pathname;
    if (path === '/' || path === '/help') {
      const names = opts.sidecars.map((s) => s.workload).join(', ');
      const lines = ['admin commands are:', ...HELP.map(([p, h]) => `  ${p}: ${h}`), '', `sidecars: ${names} (default ${opts.defaultSidecar})`];
      reply(res, 200, lines.join('\n') + '\n');
      return;
    }
    if (path === '/ready') {
      reply(res, 200, 'LIVE\n');
      return;
    }
    if (path === '/server_info') {
      const sc = pick(q, res);
      if (!sc) return;
      replyJson(res, serverInfo(sc));
      return;
    }
    if (path === '/stats' || path === '/stats/prometheus') {
      const sc = pick(q, res);
      if (!sc) return;
      let filter: RegExp | undefined;
      const f = q.get('filter');
      if (f !== null && f !== '') {
        try {
          filter = new RegExp(f);
        } catch {
          reply(res, 400, `Invalid regex: "${f}"\n`);
          return;
        }
      }
      const stats = collect(sc.stats, filter, q.has('usedonly'));
      const format = path === '/stats/prometheus' ? 'prometheus' : (q.get('format') ?? 'text');
      if (format === 'json') replyJson(res, { stats: stats.map((s) => ({ name: s.name, value: s.value })) });
      else if (format === 'prometheus') reply(res, 200, prometheus(stats), 'text/plain; version=0.0.4');
      else if (format === 'text') reply(res, 200, stats.map((s) => `${s.name}: ${s.value}\n`).join(''));
      else reply(res, 400, `usage: /stats?format=(json|prometheus|text)\n`);
      return;
    }
    if (path === '/clusters') {
      const sc = pick(q, res);
      if (!sc) return;
      reply(res, 200, sc.clusters ? clustersText(sc.clusters()) : clustersFromStats(sc.stats));
      return;
    }
    reply(res, 404, `invalid path. admin commands are:\n${HELP.map(([p, h]) => `  ${p}: ${h}`).join('\n')}\n`);
  }

  function pick(q: URLSearchParams, res: ServerResponse): AdminSidecar | undefined {
    const name = q.get('sidecar') ?? opts.defaultSidecar;
    const sc = byName.get(name);
    if (!sc) reply(res, 404, `unknown sidecar "${name}"; sidecars: ${[...byName.keys()].join(', ')}\n`);
    return sc;
  }

  function serverInfo(sc: AdminSidecar): unknown {
    const up = `${Math.floor((performance.now() - opts.startedAt) / 1000)}s`;
    return {
      version: opts.version ?? 'meshbench (envoy-compatible admin)',
      state: 'LIVE',
      hot_restart_version: 'disabled',
      command_line_options: {},
      node: {
        id: `sidecar~127.0.0.1~${sc.workload}.${sc.namespace}~${sc.namespace}.svc.cluster.local`,
        cluster: `${sc.workload}.${sc.namespace}`,
      },
      uptime_current_epoch: up,
      uptime_all_epochs: up,
    };
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new RuntimeError('MB_ERR_PORT_IN_USE', `admin: address ${opts.host}:${opts.port} already in use`)
          : new RuntimeError('MB_ERR_LISTEN', `admin: cannot listen on ${opts.host}:${opts.port} (${e.code ?? e.message})`),
      );
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=UTF-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache, max-age=0' });
  res.end(body);
}

function replyJson(res: ServerResponse, v: unknown): void {
  reply(res, 200, JSON.stringify(v, null, 1) + '\n', 'application/json');
}

/** Counters and gauges merged and sorted by name, as Envoy's /stats prints them. */
export function collect(store: StatsStore, filter?: RegExp, usedOnly = false): Stat[] {
  const out: Stat[] = [];
  for (const c of store.counters()) {
    if (usedOnly && c.value === 0) continue;
    if (filter && !filter.test(c.name)) continue;
    out.push({ name: c.name, value: c.value, type: 'counter' });
  }
  for (const g of store.gauges()) {
    if (usedOnly && !g.used) continue;
    if (filter && !filter.test(g.name)) continue;
    out.push({ name: g.name, value: g.value, type: 'gauge' });
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

// ---------------------------------------------------------------------------
// Prometheus: Istio's bootstrap stats_tags (use_all_default_tags: false), so
// labels are `cluster_name`, `http_conn_manager_prefix`, `response_code`,
// `response_code_class`; each extracted tag's text is cut out of the name.

/** First token after a cluster name in every cluster-scoped stat (DNS labels have no `_`). */
const CLUSTER_STAT_ROOT =
  /^cluster\.(.+?)\.(?=(?:upstream_|circuit_breakers\.|outlier_detection\.|retry\.upstream_|lb_|membership_|bind_errors|max_host_weight|assignment_|update_|version$|original_dst_))/;

/** HCM stats: `http.outbound_0.0.0.0_15001.no_route`; the stat_prefix itself contains dots. */
const HCM_STAT_ROOT =
  /^http\.(.+?)\.(?=(?:downstream_|no_route|no_cluster|rq_|fault\.|tracing\.|rs_|passthrough_|router\.|cors\.|user_agent\.|codec\.))/;

export interface TaggedName {
  name: string;
  tags: Array<[string, string]>;
}

/** Envoy tag extraction for the stat names meshbench produces. */
export function extractTags(full: string): TaggedName {
  const tags: Array<[string, string]> = [];
  let name = full;
  const cm = CLUSTER_STAT_ROOT.exec(name) ?? /^cluster\.([^.]+)\./.exec(name);
  if (cm) {
    tags.push(['cluster_name', cm[1]]);
    name = 'cluster.' + name.slice(cm[0].length);
  } else {
    const hm = HCM_STAT_ROOT.exec(name) ?? /^http\.([^.]+)\./.exec(name);
    if (hm) {
      tags.push(['http_conn_manager_prefix', hm[1]]);
      name = 'http.' + name.slice(hm[0].length);
    }
  }
  const code = /_rq(_(\d{3}))$/.exec(name);
  if (code) {
    tags.unshift(['response_code', code[2]]);
    name = name.slice(0, code.index + 3);
  } else {
    const cls = /_rq(_(\dxx))$/.exec(name);
    if (cls) {
      tags.unshift(['response_code_class', cls[2]]);
      name = name.slice(0, cls.index + 3);
    }
  }
  return { name, tags };
}

function promName(n: string): string {
  return 'envoy_' + n.replace(/[^a-zA-Z0-9_]/g, '_');
}

function promValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function prometheus(stats: readonly Stat[]): string {
  const families = new Map<string, { type: Stat['type']; lines: string[] }>();
  for (const s of stats) {
    const t = extractTags(s.name);
    const fam = promName(t.name);
    let f = families.get(fam);
    if (!f) families.set(fam, (f = { type: s.type, lines: [] }));
    const labels = t.tags.length ? `{${t.tags.map(([k, v]) => `${k}="${promValue(v)}"`).join(',')}}` : '';
    f.lines.push(`${fam}${labels} ${s.value}`);
  }
  const names = [...families.keys()].sort();
  let out = '';
  for (const n of names) {
    const f = families.get(n)!;
    out += `# TYPE ${n} ${f.type}\n${f.lines.join('\n')}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------

/** Envoy /clusters text: circuit-breaker limits, then `<cluster>::<ip:port>::<field>::<value>` per host. */
export function clustersText(list: readonly ClusterStatus[]): string {
  let out = '';
  for (const c of [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const n = c.name;
    out += `${n}::observability_name::${n}\n`;
    out += `${n}::default_priority::max_connections::${c.maxConnections}\n`;
    out += `${n}::default_priority::max_pending_requests::${c.maxPendingRequests}\n`;
    out += `${n}::default_priority::max_requests::${c.maxRequests}\n`;
    out += `${n}::default_priority::max_retries::${c.maxRetries}\n`;
    // Istio leaves HIGH priority at Envoy's defaults.
    out += `${n}::high_priority::max_connections::1024\n${n}::high_priority::max_pending_requests::1024\n`;
    out += `${n}::high_priority::max_requests::1024\n${n}::high_priority::max_retries::3\n`;
    out += `${n}::added_via_api::true\n`;
    for (const h of c.hosts) {
      const p = `${n}::${h.address}`;
      out += `${p}::rq_active::${h.rqActive}\n${p}::hostname::${h.hostname}\n`;
      out += `${p}::health_flags::${h.failedOutlierCheck ? '/failed_outlier_check' : 'healthy'}\n${p}::weight::1\n`;
    }
  }
  return out;
}

/** Fallback /clusters from stat names and registered outlier detectors. */
function clustersFromStats(store: StatsStore): string {
  const names = new Set<string>();
  for (const c of store.counters()) {
    const m = CLUSTER_STAT_ROOT.exec(c.name);
    if (m) names.add(m[1]);
  }
  const health = new Map(store.hostHealth().map((r) => [r.cluster, r] as const));
  for (const k of health.keys()) names.add(k);
  const snap = store.snapshot();
  let out = '';
  for (const name of [...names].sort()) {
    out += `${name}::observability_name::${name}\n`;
    const pre = `cluster.${name}.`;
    for (const key of ['remaining_cx', 'remaining_pending', 'remaining_rq', 'remaining_retries']) {
      const v = snap.gauges[`${pre}circuit_breakers.default.${key}`];
      if (v !== undefined) out += `${name}::default_priority::${key}::${v}\n`;
    }
    const r = health.get(name);
    if (r) {
      out += `${name}::outlier::success_rate_average::-1\n${name}::outlier::success_rate_ejection_threshold::-1\n`;
      for (const h of r.hosts()) {
        out += `${name}::${h.host}::health_flags::${h.failedOutlierCheck ? '/failed_outlier_check' : 'healthy'}\n`;
      }
    }
  }
  return out;
}
