// One Envoy route: a VirtualService http[] entry expanded per match item (Istio
// emits one Envoy route per match item, spec §2.2), with its action resolved.

import type { HttpRoute, MeshService, RetryPolicy, RouteDestination } from '../config/model.js';
import { CompiledMatch, type RequestView } from './match.js';
import type { Cluster } from '../cluster/cluster.js';

export type RouteAction = 'route' | 'redirect' | 'direct_response';

export class RouteEntry {
  readonly match: CompiledMatch | undefined;
  readonly action: RouteAction;
  readonly destinations: readonly RouteDestination[];
  /** Cumulative weights for the per-request draw. */
  readonly #cumulative: number[];
  readonly totalWeight: number;
  /** undefined = retries disabled (`attempts: 0`). */
  readonly retry: RetryPolicy | undefined;
  /**
   * The router's resolved cluster per destination index (null: no such cluster),
   * filled on first use. An entry belongs to one sidecar and one virtual host
   * port, so the resolution never changes; it saves a name build and map lookup
   * per request.
   */
  readonly clusters: Array<Cluster | null | undefined> = [];

  constructor(
    readonly route: HttpRoute,
    /** Index in `route.match` this entry was expanded from; -1: the route has no match (catch-all). */
    readonly matchIndex: number,
    /** Istio's built-in policy for a route without `retries` (policy.ts defaultRetryPolicy, per release). */
    defaultRetry: RetryPolicy,
  ) {
    const m = route.match[matchIndex];
    this.match = m ? new CompiledMatch(m) : undefined;
    this.action = route.directResponse ? 'direct_response' : route.redirect ? 'redirect' : 'route';
    // One destination gets 100 % whatever its weight; several: zero weights dropped (spec §2.4).
    const dests = route.route.length === 1 ? route.route : route.route.filter((d) => d.weight > 0);
    this.destinations = dests;
    let acc = 0;
    this.#cumulative = dests.map((d) => (acc += dests.length === 1 ? 1 : d.weight));
    this.totalWeight = acc;
    this.retry = route.retries === null ? defaultRetry : route.retries.numRetries > 0 ? route.retries : undefined;
  }

  get isCatchAll(): boolean {
    return this.match === undefined || this.match.isCatchAll;
  }

  matches(r: RequestView): boolean {
    return this.match === undefined || this.match.matches(r);
  }

  /**
   * Weighted clusters: an independent draw per request (spec §2.4), as an index
   * into `destinations` (-1: none); the router keeps its resolved clusters by index.
   */
  pickIndex(random: () => number): number {
    const n = this.destinations.length;
    if (n <= 1) return n - 1;
    const x = random() * this.totalWeight;
    const c = this.#cumulative;
    for (let i = 0; i < c.length; i++) if (x < c[i]!) return i;
    return n - 1;
  }
}

/** The port of a destination's cluster: destination.port, else the service's only port, else the request's port (spec §2.4). */
export function destinationPort(svc: MeshService | undefined, port: number | undefined, requestPort: number): number {
  if (port !== undefined) return port;
  if (svc && svc.ports.length === 1) return svc.ports[0]!.port;
  return requestPort;
}
