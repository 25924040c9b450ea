// The outbound route configuration of one sidecar (Envoy RDS for the outbound
// listeners): virtual hosts per (service, port) from the VirtualServices that
// apply to this client, plus a default route for services without one.
// Config-time selectors (sourceLabels, sourceNamespace, gateways, port) are
// resolved here, once, for this source workload (spec §2.2).

import type { HttpRoute, MeshConfig, MeshService, RetryPolicy, VirtualService } from '../config/model.js';
import { defaultRetryPolicy } from '../config/policy.js';
import { configTimeMismatch, type RequestView, type SourceContext } from './match.js';
import { RouteEntry } from './route-entry.js';
import { defaultPort, hostMatchKey, parseAuthority } from '../authority.js';

export interface VirtualHost {
  service: MeshService;
  port: number;
  routes: readonly RouteEntry[];
  /** True when no VirtualService applies (the implicit default route). */
  isDefault: boolean;
  /** The VirtualServices bound to this host for this client, in merge order (explain). */
  virtualServices: readonly VirtualService[];
  /** Match items left out for this client at config time (sourceLabels, port…), with why (explain). */
  skipped: readonly SkippedMatch[];
}

export interface SkippedMatch {
  route: HttpRoute;
  matchIndex: number;
  reason: string;
}

/** One route checked by explain(), in table order: the first without `mismatch` is taken. */
export interface RouteCheck {
  entry: RouteEntry;
  /** Why the request does not match; undefined for the route taken. */
  mismatch?: string;
}

/** What the route table decides for one request, with reasons (bench explain). */
export type RouteDecision =
  | { vhost: undefined; reason: string }
  | { vhost: VirtualHost; port: number; domain: string; checked: RouteCheck[]; entry: RouteEntry | undefined };

export interface HostLookup {
  readonly vhost: VirtualHost;
  readonly port: number;
}

/** Distinct Host values remembered by lookup() before the cache starts over. */
const AUTHORITY_CACHE_MAX = 1024;

function hostMatches(pattern: string, fqdn: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return fqdn.endsWith(pattern.slice(1));
  return pattern === fqdn;
}

/** Istio exportTo: `*` every namespace, `.` the VS's own, a name that namespace, `~` none; absent = every. */
export function exportedTo(v: { namespace: string; exportTo?: string[] }, namespace: string): boolean {
  if (!v.exportTo || v.exportTo.length === 0) return true;
  return v.exportTo.some((e) => e === '*' || e === namespace || (e === '.' && v.namespace === namespace));
}

/** What a sidecar's names and VirtualService bindings depend on: only its namespace. */
interface NamespaceView {
  byName: Map<string, MeshService>;
  vsFor: Map<string, VirtualService[]>;
}

/** Views per config and source namespace, shared by its sidecars (1000 sidecars would each rebuild the same maps). */
const views = new WeakMap<MeshConfig, Map<string, NamespaceView>>();

function namespaceView(config: MeshConfig, namespace: string): NamespaceView {
  let byNs = views.get(config);
  if (!byNs) views.set(config, (byNs = new Map()));
  let v = byNs.get(namespace);
  if (!v) byNs.set(namespace, (v = buildView(config, namespace)));
  return v;
}

function buildView(config: MeshConfig, namespace: string): NamespaceView {
  const byName = new Map<string, MeshService>();
  const vsFor = new Map<string, VirtualService[]>();
  for (const s of config.services) {
    for (const a of [s.fqdn, ...s.aliases]) {
      // Istio gives a proxy the bare name of a Kubernetes Service only in the
      // Service's own namespace (the pod's DNS search path); elsewhere name.ns.
      if (s.origin.kind === 'Service' && s.namespace !== namespace && !parseAuthority(a).host.includes('.')) continue;
      const k = hostMatchKey(a);
      if (!byName.has(k)) byName.set(k, s);
    }
  }
  // VirtualServices that apply to sidecars (gateways contain 'mesh'); exact host
  // bindings win over wildcard ones.
  const sidecarVs = config.virtualServices.filter((v) => (v.gateways.length === 0 || v.gateways.includes('mesh')) && exportedTo(v, namespace));
  if (sidecarVs.length > 0) {
    for (const s of config.services) {
      let list = sidecarVs.filter((v) => v.hosts.some((h) => h === s.fqdn));
      if (list.length === 0) list = sidecarVs.filter((v) => v.hosts.some((h) => hostMatches(h, s.fqdn)));
      if (list.length) vsFor.set(s.fqdn, list);
    }
  }
  return { byName, vsFor };
}

export class RouteTable {
  readonly #byName: ReadonlyMap<string, MeshService>;
  readonly #vhosts = new Map<string, VirtualHost>();
  readonly #vsFor: ReadonlyMap<string, VirtualService[]>;
  readonly #byAuthority = new Map<string, HostLookup | null>();
  /** Istio's built-in retry policy of the emulated release, shared by every route without `retries`. */
  readonly #defaultRetry: RetryPolicy;

  constructor(
    config: MeshConfig,
    private readonly source: { labels: Record<string, string>; namespace: string },
  ) {
    this.#defaultRetry = defaultRetryPolicy(config.istio);
    const view = namespaceView(config, source.namespace);
    this.#byName = view.byName;
    this.#vsFor = view.vsFor;
  }

  /** The service a Host header names, by any alias form (spec §2.1). */
  service(name: string): MeshService | undefined {
    return this.#byName.get(name);
  }

  /**
   * Virtual host for a request authority. A port must be one of the service's
   * ports; without a port, 80 if the service has it, else its first port.
   */
  lookup(authority: string): HostLookup | undefined {
    // Clients repeat the same few Host values: resolve each once (misses too). The
    // cache is bounded because the authority is client input.
    const hit = this.#byAuthority.get(authority);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.#resolve(authority);
    if (this.#byAuthority.size >= AUTHORITY_CACHE_MAX) this.#byAuthority.clear();
    this.#byAuthority.set(authority, found ?? null);
    return found;
  }

  #resolve(authority: string): HostLookup | undefined {
    const r = this.#resolveWhy(authority);
    return 'reason' in r ? undefined : r;
  }

  #resolveWhy(authority: string): HostLookup | { reason: string } {
    const a = parseAuthority(authority);
    const svc = this.#byName.get(hostMatchKey(a.host));
    if (!svc) return { reason: `no virtual host for "${a.host}": no Service or ServiceEntry has that name` };
    let port = a.port;
    if (port === undefined) port = svc.ports.some((x) => x.port === defaultPort()) ? defaultPort() : svc.ports[0]?.port;
    if (port === undefined || !svc.ports.some((x) => x.port === port)) {
      return { reason: `no virtual host for "${authority}": ${svc.fqdn} has no port ${port} (ports: ${svc.ports.map((x) => x.port).join(', ')})` };
    }
    const key = `${svc.fqdn}:${port}`;
    let vh = this.#vhosts.get(key);
    if (!vh) {
      vh = this.#build(svc, port);
      this.#vhosts.set(key, vh);
    }
    return { vhost: vh, port };
  }

  /**
   * The decision route() makes, with reasons: the virtual host (or why there is
   * none), each route tried in order with why it did not match, the route taken.
   * Same predicates as the proxy's path, evaluated once more off the hot path.
   */
  explain(authority: string, r: RequestView): RouteDecision {
    const found = this.#resolveWhy(authority);
    if ('reason' in found) return { vhost: undefined, reason: found.reason };
    const checked: RouteCheck[] = [];
    let entry: RouteEntry | undefined;
    for (const e of found.vhost.routes) {
      const mismatch = e.match?.mismatch(r);
      checked.push(mismatch === undefined ? { entry: e } : { entry: e, mismatch });
      if (mismatch === undefined) {
        entry = e;
        break;
      }
    }
    return { vhost: found.vhost, port: found.port, domain: hostMatchKey(parseAuthority(authority).host), checked, entry };
  }

  /** First matching route wins; later entries are never consulted (spec §2.2). */
  static route(vh: VirtualHost, r: RequestView): RouteEntry | undefined {
    const routes = vh.routes;
    for (let i = 0; i < routes.length; i++) if (routes[i]!.matches(r)) return routes[i];
    return undefined;
  }

  #build(svc: MeshService, port: number): VirtualHost {
    const src: SourceContext = { labels: this.source.labels, namespace: this.source.namespace, port };
    const regular: RouteEntry[] = [];
    const catchAll: RouteEntry[] = [];
    const used: VirtualService[] = [];
    const skipped: SkippedMatch[] = [];
    for (const vs of this.#vsFor.get(svc.fqdn) ?? []) {
      const emitted: RouteEntry[] = [];
      translate: for (const r of vs.http) {
        if (r.match.length === 0) {
          emitted.push(new RouteEntry(r, -1, this.#defaultRetry));
          break; // a catch-all ends translation: later entries are dead
        }
        for (let i = 0; i < r.match.length; i++) {
          const reason = configTimeMismatch(r.match[i]!, src);
          if (reason !== undefined) {
            skipped.push({ route: r, matchIndex: i, reason });
            continue;
          }
          const e = new RouteEntry(r, i, this.#defaultRetry);
          emitted.push(e);
          if (e.isCatchAll) break translate;
        }
      }
      // Every route filtered out for this client: the VS is dropped (not 404).
      if (emitted.length === 0) continue;
      used.push(vs);
      // Merging several VSs: catch-alls move to the end.
      for (const e of emitted) (e.isCatchAll ? catchAll : regular).push(e);
    }
    if (used.length === 0) return { service: svc, port, routes: [defaultRoute(svc, this.#defaultRetry)], isDefault: true, virtualServices: [], skipped };
    return { service: svc, port, routes: [...regular, ...catchAll], isDefault: false, virtualServices: used, skipped };
  }
}

/** The implicit route of a service without VirtualService: all endpoints, default retries. */
function defaultRoute(svc: MeshService, defaultRetry: RetryPolicy): RouteEntry {
  return new RouteEntry(
    {
      match: [],
      route: [{ destination: { host: svc.fqdn }, weight: 100 }],
      timeoutMs: null,
      retries: null,
      mirrors: [],
      origin: svc.origin,
    },
    -1,
    defaultRetry,
  );
}
