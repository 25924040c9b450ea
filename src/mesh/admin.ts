// Envoy-style admin server on loopback (what `pilot-agent request GET stats`
// reads): /stats in text, JSON and Prometheus form, /clusters, /server_info,
// /ready, /help. Several sidecars share one admin port here: `?sidecar=NAME`
// picks one, the default is the sidecar of `--from`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { StatsStore } from './stats/store.js';
import { ADMIN_QUANTILES, adminQuantilesText, histogramQuantile, prometheusBuckets, type HistogramData } from './stats/histogram.js';
import { extractTags, prometheusFamily } from './stats/stat-names.js';
import { RuntimeError } from '../errors.js';

export interface AdminSidecar {
  workload: string;
  namespace: string;
  stats: StatsStore;
  /** The sidecar's clusters built so far, for /clusters. */
  clusters: () => ClusterStatus[];
}

/** One upstream cluster as Envoy's /clusters shows it. */
export interface ClusterStatus {
  name: string;
  /** DEFAULT priority circuit-breaker limits (Istio leaves HIGH at Envoy's defaults). */
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  hasOutlierDetector: boolean;
  hosts: HostStatus[];
}

export interface HostStatus {
  /** `ip:port` */
  address: string;
  hostname: string;
  failedOutlierCheck: boolean;
  /** Envoy's per-host counters and gauges (cx_active, rq_total, …). */
  stats: Record<string, number>;
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
      const hists = collectHistograms(sc.stats, filter, q.has('usedonly'));
      const format = path === '/stats/prometheus' ? 'prometheus' : (q.get('format') ?? 'text');
      if (format === 'json') {
        const list: unknown[] = stats.map((s) => ({ name: s.name, value: s.value }));
        if (hists.length) list.push({ histograms: histogramsJson(hists) });
        replyJson(res, { stats: list });
      } else if (format === 'prometheus') reply(res, 200, prometheus(stats) + prometheusHistograms(hists), 'text/plain; version=0.0.4');
      else if (format === 'text')
        reply(res, 200, stats.map((s) => `${s.name}: ${s.value}\n`).join('') + hists.map((h) => `${h.name}: ${adminQuantilesText(h.data)}\n`).join(''));
      else reply(res, 400, `usage: /stats?format=(json|prometheus|text)\n`);
      return;
    }
    if (path === '/clusters') {
      const sc = pick(q, res);
      if (!sc) return;
      reply(res, 200, clustersText(sc.clusters()));
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
function collect(store: StatsStore, filter?: RegExp, usedOnly = false): Stat[] {
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

/** Histograms sorted by name; `usedonly` drops those without values (Envoy prints them after counters and gauges). */
function collectHistograms(store: StatsStore, filter?: RegExp, usedOnly = false): Array<{ name: string; data: HistogramData }> {
  const out: Array<{ name: string; data: HistogramData }> = [];
  for (const h of store.histograms()) {
    if (usedOnly && h.count === 0) continue;
    if (filter && !filter.test(h.name)) continue;
    out.push({ name: h.name, data: h.data() });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Envoy's JSON form: supported quantiles once, then per histogram interval/cumulative values (ours: both cumulative). */
function histogramsJson(list: ReadonlyArray<{ name: string; data: HistogramData }>): unknown {
  return {
    supported_quantiles: ADMIN_QUANTILES.map((q) => q * 100),
    computed_quantiles: list.map((h) => ({
      name: h.name,
      values: ADMIN_QUANTILES.map((q) => {
        const v = histogramQuantile(h.data, q) ?? null;
        return { interval: v, cumulative: v };
      }),
    })),
  };
}

function prometheusHistograms(list: ReadonlyArray<{ name: string; data: HistogramData }>): string {
  let out = '';
  const typed = new Set<string>();
  for (const h of list) {
    const t = extractTags(h.name);
    const fam = prometheusFamily(t.name);
    if (!typed.has(fam)) out += `# TYPE ${fam} histogram\n`;
    typed.add(fam);
    const labels = t.tags.map(([k, v]) => `${k}="${promValue(v)}"`);
    for (const [le, n] of prometheusBuckets(h.data)) out += `${fam}_bucket{${[...labels, `le="${le}"`].join(',')}} ${n}\n`;
    const l = labels.length ? `{${labels.join(',')}}` : '';
    out += `${fam}_sum${l} ${h.data.sum}\n${fam}_count${l} ${h.data.count}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Prometheus text format; names and labels come from stat-names.ts.

function promValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function prometheus(stats: readonly Stat[]): string {
  const families = new Map<string, { type: Stat['type']; lines: string[] }>();
  for (const s of stats) {
    const t = extractTags(s.name);
    const fam = prometheusFamily(t.name);
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

/**
 * Envoy's /clusters text (admin clusters_handler.cc writeClustersAsText): per cluster its
 * observability name, outlier averages when it has a detector, both priorities'
 * circuit-breaker limits, then per host its stats sorted by name and its attributes,
 * every line `<cluster>::[<ip:port>::]<field>::<value>`. Clusters sorted by name.
 */
function clustersText(list: readonly ClusterStatus[]): string {
  let out = '';
  for (const c of [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const n = c.name;
    out += `${n}::observability_name::${n}\n`;
    if (c.hasOutlierDetector) {
      // Success-rate ejection is not emulated: Envoy prints -1 until it has computed one.
      for (const f of ['success_rate_average', 'success_rate_ejection_threshold', 'local_origin_success_rate_average', 'local_origin_success_rate_ejection_threshold']) {
        out += `${n}::outlier::${f}::-1\n`;
      }
    }
    const limits = (p: string, cx: number, pending: number, rq: number, retries: number) =>
      `${n}::${p}_priority::max_connections::${cx}\n${n}::${p}_priority::max_pending_requests::${pending}\n` +
      `${n}::${p}_priority::max_requests::${rq}\n${n}::${p}_priority::max_retries::${retries}\n`;
    out += limits('default', c.maxConnections, c.maxPendingRequests, c.maxRequests, c.maxRetries);
    out += limits('high', 1024, 1024, 1024, 3);
    out += `${n}::added_via_api::true\n`;
    for (const h of c.hosts) {
      const p = `${n}::${h.address}`;
      for (const k of Object.keys(h.stats).sort()) out += `${p}::${k}::${h.stats[k]}\n`;
      out += `${p}::hostname::${h.hostname}\n`;
      out += `${p}::health_flags::${h.failedOutlierCheck ? '/failed_outlier_check' : 'healthy'}\n`;
      out += `${p}::weight::1\n${p}::region::\n${p}::zone::\n${p}::sub_zone::\n${p}::canary::false\n${p}::priority::0\n`;
      out += `${p}::success_rate::-1\n${p}::local_origin_success_rate::-1\n`;
    }
  }
  return out;
}
