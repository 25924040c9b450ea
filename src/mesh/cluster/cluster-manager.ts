// The clusters one sidecar knows (Envoy cluster manager), built lazily from the
// MeshConfig on first use: `outbound|<port>|<subset>|<fqdn>` exists when the
// service has that port and, for a subset, when a DestinationRule defines it.

import type { DestinationRule, MeshConfig, MeshService } from '../config/model.js';
import { ServiceIndex } from './service-index.js';
import type { StatsStore } from '../stats/store.js';
import { Cluster } from './cluster.js';
import { Host } from './host.js';
import { effectivePolicy } from '../config/policy.js';
import { labelsMatch } from '../config/context.js';
import { clusterName } from '../stats/stat-names.js';

export class ClusterManager {
  readonly #clusters = new Map<string, Cluster | null>();
  readonly #services: ReadonlyMap<string, MeshService>;
  readonly #rules: ReadonlyMap<string, DestinationRule>;
  readonly #index: ServiceIndex;

  constructor(
    config: MeshConfig | ServiceIndex,
    private readonly store: StatsStore,
    private readonly random: () => number,
    private readonly instancePort: (pod: string) => number | undefined,
  ) {
    // A mesh shares one index between all its sidecars; a lone manager (explain) builds its own.
    this.#index = config instanceof ServiceIndex ? config : new ServiceIndex(config);
    this.#services = this.#index.services;
    this.#rules = this.#index.rules;
  }

  service(fqdn: string): MeshService | undefined {
    return this.#services.get(fqdn);
  }

  /** The DestinationRule in effect for a host (the first one defined), if any. */
  destinationRule(fqdn: string): DestinationRule | undefined {
    return this.#rules.get(fqdn);
  }

  /** The cluster for a destination, or undefined when Envoy would have no such cluster (NC). */
  get(fqdn: string, port: number, subset: string | undefined): Cluster | undefined {
    const name = clusterName(port, subset, fqdn);
    let c = this.#clusters.get(name);
    if (c === undefined) {
      c = this.#build(name, fqdn, port, subset);
      this.#clusters.set(name, c);
    }
    return c ?? undefined;
  }

  /**
   * Builds every cluster this sidecar would receive from CDS: the subset-less
   * cluster of each service port and one per DestinationRule subset, so their
   * stats exist (at 0) before the first request, as in Envoy.
   */
  warmAll(): void {
    for (const svc of this.#services.values()) {
      const dr = this.#rules.get(svc.fqdn);
      for (const p of svc.ports) {
        this.get(svc.fqdn, p.port, undefined);
        if (dr) for (const s of dr.subsets) this.get(svc.fqdn, p.port, s.name);
      }
    }
  }

  /** Every cluster built so far. */
  clusters(): Cluster[] {
    return [...this.#clusters.values()].filter((c): c is Cluster => c !== null);
  }

  close(): void {
    for (const c of this.#clusters.values()) c?.close();
  }

  #build(name: string, fqdn: string, port: number, subset: string | undefined): Cluster | null {
    const svc = this.#services.get(fqdn);
    if (!svc) return null;
    const sp = svc.ports.find((p) => p.port === port);
    if (!sp) return null;
    const dr = this.#rules.get(fqdn);
    let subsetLabels: Record<string, string> = {};
    if (subset !== undefined) {
      const s = dr?.subsets.find((x) => x.name === subset);
      if (!s) return null;
      subsetLabels = s.labels;
    }
    const hosts: Host[] = [];
    if (svc.staticEndpoints) {
      for (const ep of svc.staticEndpoints) {
        if (!labelsMatch(subsetLabels, ep.labels)) continue;
        const p = ep.ports[sp.name] ?? port;
        hosts.push(new Host(`${ep.address}:${p}`, hosts.length, ep.labels, ep.address, () => p));
      }
    } else {
      for (const inst of this.#index.pods(svc)) {
        if (!labelsMatch(subsetLabels, inst.labels)) continue;
        const pod = inst.pod;
        // Pods of one Deployment share its app listener: the pod name picks the replica (apps/endpoint-listener.ts).
        hosts.push(new Host(pod, hosts.length, inst.labels, '127.0.0.1', () => this.instancePort(pod), pod));
      }
    }
    const policy = effectivePolicy(dr, subset, port, this.#index.istio);
    return new Cluster({
      name,
      hosts,
      lb: policy.lb,
      pool: policy.pool,
      ...(policy.outlier ? { outlier: policy.outlier } : {}),
      store: this.store,
      random: this.random,
      statDelimiter: this.#index.istio.clusterStatDelimiter,
    });
  }
}
