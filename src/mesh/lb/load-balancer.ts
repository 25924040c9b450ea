// Envoy load balancers over a cluster's hosts (spec §3.2). The cluster passes the
// hosts that may be picked (healthy ones, or all of them in panic mode).

import type { Host } from '../cluster/host.js';
import type { LbPolicy } from '../config/model.js';
import { RingHash } from './ring-hash.js';

export interface LoadBalancer {
  /** `hashKey` is only used by consistent-hash balancers (undefined = no key: random pick). */
  chooseHost(hosts: readonly Host[], hashKey: string | undefined): Host | undefined;
}

/** LEAST_REQUEST with Envoy's default choice_count 2: power of two random choices. */
export class LeastRequestLb implements LoadBalancer {
  constructor(private readonly random: () => number) {}
  chooseHost(hosts: readonly Host[]): Host | undefined {
    const n = hosts.length;
    if (n <= 1) return hosts[0];
    const a = hosts[Math.floor(this.random() * n)]!;
    const b = hosts[Math.floor(this.random() * n)]!;
    return b.activeRequests < a.activeRequests ? b : a;
  }
}

export class RoundRobinLb implements LoadBalancer {
  #next = 0;
  chooseHost(hosts: readonly Host[]): Host | undefined {
    const n = hosts.length;
    if (n === 0) return undefined;
    const h = hosts[this.#next % n];
    this.#next = (this.#next + 1) % 1_000_000_007;
    return h;
  }
}

export class RandomLb implements LoadBalancer {
  constructor(private readonly random: () => number) {}
  chooseHost(hosts: readonly Host[]): Host | undefined {
    const n = hosts.length;
    return n === 0 ? undefined : hosts[Math.floor(this.random() * n)];
  }
}

/** consistentHash: ring hash (Envoy RING_HASH, minimum ring size default 1024). */
export class RingHashLb implements LoadBalancer {
  #ringFor: readonly Host[] | undefined;
  #ring: RingHash | undefined;
  constructor(
    private readonly random: () => number,
    private readonly minRingSize: number,
  ) {}
  chooseHost(hosts: readonly Host[], hashKey: string | undefined): Host | undefined {
    if (hosts.length === 0) return undefined;
    // No hash key in the request: Envoy picks at random.
    if (hashKey === undefined) return hosts[Math.floor(this.random() * hosts.length)];
    if (this.#ringFor !== hosts) {
      this.#ring = new RingHash(hosts, this.minRingSize);
      this.#ringFor = hosts;
    }
    return this.#ring!.pick(hashKey);
  }
}

export function createLoadBalancer(policy: LbPolicy | undefined, random: () => number): LoadBalancer {
  if (!policy) return new LeastRequestLb(random);
  if ('simple' in policy) {
    switch (policy.simple) {
      case 'ROUND_ROBIN':
        return new RoundRobinLb();
      case 'RANDOM':
        return new RandomLb(random);
      default:
        // LEAST_REQUEST (Istio 1.14+ default); PASSTHROUGH has no original destination here.
        return new LeastRequestLb(random);
    }
  }
  return new RingHashLb(random, policy.minimumRingSize ?? 1024);
}
