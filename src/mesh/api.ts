// What the rest of meshbench (scenario runner, CLI, UI) sees of a running mesh.
// The mesh itself runs off the main thread (src/mesh/thread.ts); this file holds
// only the plain-data types and names that cross that boundary.

/**
 * The source workload of load that comes from outside any Deployment: it gets
 * its own sidecar (namespace default, no labels), and scenarios default `from` to it.
 */
export const IMPLICIT_SOURCE = 'meshbench';

/** One sidecar = the outbound Envoy of one source workload (spec §0). */
export interface SidecarInfo {
  /** Source workload (Deployment name) whose outbound calls this sidecar carries. */
  workload: string;
  namespace: string;
  /** Outbound listener on 127.0.0.1 (Host-header and absolute-form requests). */
  listenPort: number;
}

export interface InstanceInfo {
  pod: string;
  workload: string;
  labels: Record<string, string>;
  /** The app's own loopback port. */
  port: number;
}

/**
 * Envoy-named stats of one sidecar. Keys are full Envoy names, e.g.
 * `cluster.outbound|8000||httpbin.default.svc.cluster.local.upstream_rq_pending_overflow`,
 * `http.outbound_0.0.0.0_15001.no_route`, `http.outbound_0.0.0.0_15001.fault.aborts_injected`.
 */
export interface SidecarStats {
  workload: string;
  counters: Record<string, number>;
  gauges: Record<string, number>;
}

/** Requests served by one app instance, as its access log would count them. */
export interface InstanceCounts {
  pod: string;
  workload: string;
  /** `version` label (or '' when the pod has none). */
  version: string;
  app: string;
  requests: number;
  /** Status code -> count of responses the app itself produced. */
  codes: Record<string, number>;
  /** Requests whose Host header ended with `-shadow` (mirrored traffic). */
  shadowRequests: number;
}

export interface MeshSnapshot {
  /** ms since the mesh booted. */
  uptimeMs: number;
  sidecars: SidecarStats[];
  instances: InstanceCounts[];
}

export interface MeshEndpoints {
  sidecars: SidecarInfo[];
  instances: InstanceInfo[];
  /** Admin server (Envoy-style /stats) on 127.0.0.1. */
  adminPort: number;
}

export interface MeshBootOptions {
  /** Listener address for the default sidecar (`bench serve --listen`); others get ephemeral ports. */
  listenHost?: string;
  listenPort?: number;
  adminHost?: string;
  adminPort?: number;
  /** Which workload's sidecar `--listen` belongs to (`bench serve --from`). */
  fromWorkload?: string;
  /** Seed for every random draw in the proxy (weights, faults, mirror, LB); omitted -> Math.random. */
  seed?: number;
  /** Append `-shadow` to mirrored Host (Istio <= 1.27 behaviour, the seed's). Default true. */
  shadowHostSuffix?: boolean;
  /** Write app access-log lines (gunicorn style) to this stream name, or nowhere. */
  accessLog?: 'stderr' | 'none';
}

/** Handle on a booted mesh, whichever thread it lives on. */
export interface MeshHandle extends MeshEndpoints {
  snapshot(): Promise<MeshSnapshot>;
  close(): Promise<void>;
}
