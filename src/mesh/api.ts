// What the rest of meshbench (scenario runner, CLI, UI) sees of a running mesh.
// The mesh itself runs off the main thread (src/mesh/thread.ts); this file holds
// only the plain-data types and names that cross that boundary.

import type { HistogramData } from './stats/histogram.js';

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
  /** Loopback port of its Deployment's app listener (shared by the replicas; plain requests reach the first). */
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
  /** Histograms with values, e.g. `cluster.inbound|8080||.upstream_rq_time` (ms); see stats/histogram.ts. */
  histograms?: Record<string, HistogramData>;
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
  /** Write app access-log lines (gunicorn style) to this stream name, or nowhere. */
  accessLog?: 'stderr' | 'none';
  /** Keep mirrored responses beside the primary's (docs/mirror-diff.md); omitted -> no capture. */
  mirrorCapture?: Partial<MirrorCaptureOptions>;
}

/** Bounds of the mirror capture (src/mesh/router/mirror-capture.ts). */
export interface MirrorCaptureOptions {
  /** Completed pairs held until taken; further pairs are skipped (counted). */
  maxPairs: number;
  /** Pairs being captured at once; a mirrored request beyond that is not captured. */
  maxInFlight: number;
  /** Body bytes kept per response. */
  bodyCap: number;
  /** Percent of captured requests also replayed to the primary cluster (noise learning). */
  replayPercent: number;
  /** Captures started per second at most (a token bucket); under heavier load the rest are sampled out, counted. 0: no limit. */
  ratePerSecond: number;
  /** Captures the bucket allows back to back after a quiet spell. */
  burst: number;
}

/** One response as the sidecar saw it: app headers (lower-case, flat), body up to the cap. */
export interface CapturedResponse {
  status: number;
  headers: string[];
  body: string;
  truncated: boolean;
  latencyMs: number;
  /** Set when no complete response came back (reset, timeout, no host…). */
  error?: string;
}

/** The primary's and the shadow's answers to one request (same x-request-id). */
export interface MirrorPair {
  workload: string;
  requestId: string;
  path: string;
  primary: CapturedResponse;
  shadow: CapturedResponse;
  /** A second copy sent to the primary cluster, for noise learning. */
  replay?: CapturedResponse;
}

/** What takeMirrorPairs() hands over (and clears). */
export interface MirrorTake {
  pairs: MirrorPair[];
  /** Mirrored requests not captured (sampled out under load, or an in-flight or buffer bound reached). */
  skipped: number;
}

/**
 * A fault applied to one app instance while the mesh runs (scenario `events:`):
 * stop = the pod's process dies (listener closed, connections reset), start = it
 * comes back on the same address with no fault left, slow/fail = the app itself
 * answers late / with an error status, until `recover` (or a stop/start).
 */
export type InstanceAction =
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'fail'; status: number; share: number }
  | { kind: 'recover' };

/** Handle on a booted mesh, whichever thread it lives on. */
export interface MeshHandle extends MeshEndpoints {
  snapshot(): Promise<MeshSnapshot>;
  /** Apply a fault to the instance `pod`; resolves with the epoch ms (timeOrigin + now) it took effect. */
  instanceEvent(pod: string, action: InstanceAction): Promise<number>;
  /** Captured mirror pairs since the last call (the buffer is emptied); none unless booted with mirrorCapture. */
  takeMirrorPairs(): Promise<MirrorTake>;
  close(): Promise<void>;
}
