// Where a big mesh is represented more cheaply than a small one, and the
// warning that says so. Envoy receives every cluster of the mesh (CDS) at
// start, so its zero stats exist before the first request; meshbench does the
// same while sidecars x clusters stays small. isotope's 1000-service graph
// would need a million clusters that way: above the budget clusters are built
// on first use, which only changes which zero-valued stats /stats lists.

import type { ConfigWarning, MeshConfig } from './model.js';

/** Clusters (summed over all sidecars) built at start; more are built on first use. */
export const WARM_CLUSTER_BUDGET = 4096;

/** Clusters one sidecar holds: each service port, plus one per DestinationRule subset of it. */
export function clustersPerSidecar(config: MeshConfig): number {
  const subsets = new Map<string, number>();
  for (const d of config.destinationRules) if (!subsets.has(d.host)) subsets.set(d.host, d.subsets.length);
  let n = 0;
  const seen = new Set<string>();
  for (const s of config.services) {
    if (seen.has(s.fqdn)) continue;
    seen.add(s.fqdn);
    n += s.ports.length * (1 + (subsets.get(s.fqdn) ?? 0));
  }
  return n;
}

/** Sidecars a mesh boots: one per Deployment plus the implicit outside source. */
export function sidecarCount(config: MeshConfig): number {
  return config.workloads.length + 1;
}

export function warmsAllClusters(config: MeshConfig, sidecars = sidecarCount(config)): boolean {
  return sidecars * clustersPerSidecar(config) <= WARM_CLUSTER_BUDGET;
}

export function scaleWarnings(config: MeshConfig): ConfigWarning[] {
  if (warmsAllClusters(config)) return [];
  const sidecars = sidecarCount(config);
  const clusters = clustersPerSidecar(config);
  return [
    {
      path: '',
      message:
        `${sidecars} sidecars x ${clusters} clusters is above ${WARM_CLUSTER_BUDGET}: clusters are built on first use, ` +
        `so /stats lists a cluster's zero counters only once it was used (Envoy lists them all at start)`,
    },
  ];
}
