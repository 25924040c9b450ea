// One sidecar = the outbound Envoy of one source workload (spec §0): its own
// route table, clusters, pools, breakers, outlier detectors and counters.

import type { MeshConfig } from './config/model.js';
import type { StatsStore } from './stats/store.js';
import { RuntimeError } from '../errors.js';
import { ClusterManager } from './cluster/cluster-manager.js';
import type { ServiceIndex } from './cluster/service-index.js';
import { RouteTable } from './route/route-table.js';
import { HcmStatsByPort } from './listener/hcm-stats.js';
import { Listener } from './listener/listener.js';
import { InternalErrors } from './listener/internal-errors.js';
import { MirrorCapture } from './router/mirror-capture.js';
import type { MirrorCaptureOptions } from './api.js';

export interface SidecarOptions {
  workload: string;
  namespace: string;
  labels: Record<string, string>; // the SOURCE workload
  config: MeshConfig;
  /** Loopback port of an instance (pod) once its app has started; undefined = not running. */
  instancePort(pod: string): number | undefined;
  stats: StatsStore; // this sidecar's own store (its own counters, like a real sidecar)
  random: () => number; // seeded (src/mesh/random.ts), for every draw
  mirrorCapture?: Partial<MirrorCaptureOptions>; // capture mirrored responses (docs/mirror-diff.md); omitted -> off
  /** The mesh's shared service/endpoint lookups; omitted -> built from `config`. */
  index?: ServiceIndex;
  /** Build every cluster at start (Envoy CDS: zero stats visible at once); false = on first use. Default true. */
  warm?: boolean;
}

export class Sidecar {
  readonly workload: string;
  readonly clusters: ClusterManager;
  readonly routes: RouteTable;
  readonly #listeners: Listener[] = [];
  readonly #opts: SidecarOptions;
  readonly #hcm: HcmStatsByPort;
  readonly #internalErrors: InternalErrors;
  /** Mirrored responses kept beside the primary's, taken by the scenario runner. */
  readonly mirrorCapture: MirrorCapture | undefined;

  constructor(opts: SidecarOptions) {
    this.#opts = opts;
    this.workload = opts.workload;
    this.clusters = new ClusterManager(opts.index ?? opts.config, opts.stats, opts.random, (pod) => opts.instancePort(pod));
    if (opts.warm ?? true) this.clusters.warmAll();
    this.routes = new RouteTable(opts.config, { labels: opts.labels, namespace: opts.namespace });
    this.#hcm = new HcmStatsByPort(opts.stats);
    this.#internalErrors = new InternalErrors(opts.stats, opts.workload);
    this.mirrorCapture = opts.mirrorCapture ? new MirrorCapture(opts.workload, opts.mirrorCapture, opts.random) : undefined;
  }

  /** Starts an outbound listener; returns the bound port. May be called more than once. */
  async listen(host: string, port: number): Promise<number> {
    const l = new Listener({
      routes: this.routes,
      clusters: this.clusters,
      hcm: this.#hcm,
      internalErrors: this.#internalErrors,
      random: this.#opts.random,
      shadowHostSuffix: this.#opts.config.istio.shadowHostSuffix,
      ...(this.mirrorCapture ? { mirrorCapture: this.mirrorCapture } : {}),
    });
    try {
      const bound = await l.listen(host, port);
      this.#listeners.push(l);
      return bound;
    } catch (e) {
      // Only a failed system call (EADDRINUSE, EACCES…) is a runtime failure; a bug keeps its stack.
      if (typeof (e as NodeJS.ErrnoException)?.syscall !== 'string') throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new RuntimeError(
        'MB_ERR_LISTEN',
        `sidecar ${this.workload}: cannot listen on ${host}:${port}: ${code === 'EADDRINUSE' ? 'address in use' : ((e as Error).message ?? code)}`,
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#listeners.splice(0).map((l) => l.close()));
    this.clusters.close();
  }
}
