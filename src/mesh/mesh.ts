// Boots a whole mesh in this thread: one outbound sidecar (own stats, pools,
// breakers, detectors) per source workload, the app instances (one loopback
// listener per Deployment, its replicas as endpoints on it), and the admin server. Order matters: sidecars first (apps are
// given their own workload's sidecar as `outbound`), then apps, then the
// pod -> port map the sidecars resolve endpoints with.

import type { InstanceSpec, MeshConfig } from './config/model.js';
import { DEFAULT_NAMESPACE } from './config/model.js';
import type { InstanceAction, InstanceCounts, InstanceInfo, MeshBootOptions, MeshHandle, MeshSnapshot, MirrorTake, SidecarInfo } from './api.js';
import { IMPLICIT_SOURCE } from './api.js';
import { StatsStore } from './stats/store.js';
import { InboundCluster } from './stats/inbound.js';
import { createRandom } from './random.js';
import { InstanceCounter, type RunningApp } from './apps/app.js';
import { startAdmin, type AdminServer, type ClusterStatus } from './admin.js';
import type { Cluster } from './cluster/cluster.js';
import { RuntimeError, UserError, ExitCode } from '../errors.js';
import { Sidecar } from './sidecar.js';
import { startApp } from './apps/index.js';
import type { EndpointListener } from './apps/endpoint-listener.js';
import { createAppListener } from './apps/server.js';
import { ServiceIndex } from './cluster/service-index.js';
import { warmsAllClusters } from './config/scale.js';
import { InstanceFaults } from './apps/instance-faults.js';

function clusterStatus(c: Cluster): ClusterStatus {
  const r = c.resources;
  return {
    name: c.name,
    maxConnections: r.connections.limit,
    maxPendingRequests: r.pendingRequests.limit,
    maxRequests: r.requests.limit,
    maxRetries: r.retries.limit,
    hasOutlierDetector: c.outlier !== undefined,
    hosts: c.hosts.map((h) => ({
      address: `${h.address}:${h.port() ?? 0}`,
      hostname: h.id,
      failedOutlierCheck: c.outlier?.isEjected(h.id) ?? false,
      stats: { ...h.stats, rq_active: h.activeRequests },
    })),
  };
}

interface SourceWorkload {
  workload: string;
  namespace: string;
  labels: Record<string, string>;
}

/** Every Deployment, plus the implicit `meshbench` source (namespace default, no labels). */
export function sourceWorkloads(config: MeshConfig): SourceWorkload[] {
  const out: SourceWorkload[] = config.workloads.map((w) => ({ workload: w.name, namespace: w.namespace, labels: w.labels }));
  if (!out.some((s) => s.workload === IMPLICIT_SOURCE)) {
    out.push({ workload: IMPLICIT_SOURCE, namespace: DEFAULT_NAMESPACE, labels: {} });
  }
  return out;
}

/** The sidecar `--listen` and the admin default belong to: `--from`, else the implicit source. */
export function defaultSource(config: MeshConfig, from: string | undefined): string {
  if (from === undefined) return IMPLICIT_SOURCE;
  const names = sourceWorkloads(config).map((s) => s.workload);
  if (!names.includes(from)) {
    throw new UserError('MB_ERR_UNKNOWN_WORKLOAD', `unknown source workload "${from}" (known: ${names.join(', ')})`, ExitCode.usage);
  }
  return from;
}

/** A distinct, stable seed per sidecar: FNV-1a of the workload name mixed with the run seed. */
export function sidecarSeed(seed: number, workload: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < workload.length; i++) {
    h ^= workload.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface BootedSidecar {
  info: SidecarInfo;
  stats: StatsStore;
  sidecar: Sidecar;
}

interface BootedInstance {
  spec: InstanceSpec;
  counter: InstanceCounter;
  app: RunningApp;
  faults: InstanceFaults;
}

export async function startMesh(config: MeshConfig, opts: MeshBootOptions = {}): Promise<MeshHandle> {
  const startedAt = performance.now();
  const from = defaultSource(config, opts.fromWorkload);
  const listenHost = opts.listenHost ?? '127.0.0.1';
  const instancePorts = new Map<string, number>();
  const sidecars: BootedSidecar[] = [];
  const instances: BootedInstance[] = [];
  const listeners = new Map<string, EndpointListener>();
  let admin: AdminServer | undefined;
  const accessLog = opts.accessLog === 'stderr' ? (line: string) => void process.stderr.write(line + '\n') : undefined;

  const closeAll = async (): Promise<void> => {
    // Apps first (they may be calling out through sidecars), then sidecars, then admin.
    await Promise.allSettled(instances.map((i) => i.app.close()));
    await Promise.allSettled([...listeners.values()].map((l) => l.close()));
    await Promise.allSettled(sidecars.map((s) => s.sidecar.close()));
    if (admin) await admin.close().catch(() => undefined);
  };

  try {
    const sources = sourceWorkloads(config);
    const index = new ServiceIndex(config);
    const warm = warmsAllClusters(config, sources.length);
    for (const src of sources) {
      const stats = new StatsStore();
      const sidecar = new Sidecar({
        index,
        warm,
        workload: src.workload,
        namespace: src.namespace,
        labels: src.labels,
        config,
        instancePort: (pod) => instancePorts.get(pod),
        stats,
        random: opts.seed === undefined ? Math.random : createRandom(sidecarSeed(opts.seed, src.workload)),
        ...(opts.mirrorCapture ? { mirrorCapture: opts.mirrorCapture } : {}),
      });
      const isDefault = src.workload === from;
      const host = isDefault ? listenHost : '127.0.0.1';
      const port = isDefault ? (opts.listenPort ?? 0) : 0;
      sidecars.push({ info: { workload: src.workload, namespace: src.namespace, listenPort: 0 }, stats, sidecar });
      sidecars[sidecars.length - 1].info.listenPort = await listenOrExplain(
        () => sidecar.listen(host, port),
        `listener (outbound sidecar of ${src.workload})`,
        host,
        port,
      );
    }

    admin = await startAdmin({
      host: opts.adminHost ?? '127.0.0.1',
      port: opts.adminPort ?? 0,
      sidecars: sidecars.map((s) => ({
        workload: s.info.workload,
        namespace: s.info.namespace,
        stats: s.stats,
        clusters: () => s.sidecar.clusters.clusters().map(clusterStatus),
      })),
      defaultSidecar: from,
      startedAt,
    });

    const sidecarPort = new Map(sidecars.map((s) => [s.info.workload, s.info.listenPort] as const));
    for (const spec of config.instances) {
      if (spec.app === 'client') continue; // sleep/curl pods: a source of calls, no server
      const counter = new InstanceCounter();
      // One listening socket per Deployment; its replicas are endpoints on it (apps/endpoint-listener.ts).
      const key = `${spec.namespace}/${spec.workload}`;
      let listener = listeners.get(key);
      if (!listener) {
        listener = createAppListener();
        listeners.set(key, listener);
        await listener.listen('127.0.0.1', 0);
      }
      // Its own RNG stream, so fail draws do not shift the app's own draws.
      const faults = new InstanceFaults(createRandom(opts.seed === undefined ? undefined : sidecarSeed(opts.seed, `fault/${spec.namespace}/${spec.pod}`)));
      const app = await startApp({
        instance: spec,
        listener,
        host: '127.0.0.1',
        port: listener.port,
        outbound: { host: '127.0.0.1', port: sidecarPort.get(spec.workload) ?? sidecarPort.get(IMPLICIT_SOURCE)! },
        counter,
        ...inboundOf(sidecars, spec, config.istio.clusterStatDelimiter),
        ...(opts.seed !== undefined ? { random: createRandom(sidecarSeed(opts.seed, `pod/${spec.namespace}/${spec.pod}`)) } : {}),
        ...(accessLog ? { accessLog } : {}),
        faults,
      });
      instances.push({ spec, counter, app, faults });
    }
    for (const i of instances) instancePorts.set(i.spec.pod, i.app.port);
  } catch (e) {
    await closeAll();
    // A system call that failed (EMFILE, ENOMEM…) is a runtime failure (exit 3);
    // anything else is a bug and keeps its stack (exit 70).
    if (e instanceof UserError || typeof (e as NodeJS.ErrnoException)?.syscall !== 'string') throw e;
    throw new RuntimeError('MB_ERR_MESH_BOOT', `mesh failed to boot: ${(e as Error).message}`);
  }

  let closed: Promise<void> | undefined;
  const adminPort = admin.port;
  return {
    sidecars: sidecars.map((s) => ({ ...s.info })),
    instances: instances.map(
      (i): InstanceInfo => ({ pod: i.spec.pod, workload: i.spec.workload, labels: { ...i.spec.labels }, port: i.app.port }),
    ),
    adminPort,
    snapshot: async (): Promise<MeshSnapshot> => ({
      uptimeMs: performance.now() - startedAt,
      sidecars: sidecars.map((s) => ({ workload: s.info.workload, ...s.stats.snapshot() })),
      instances: instances.map(
        (i): InstanceCounts => ({
          pod: i.spec.pod,
          workload: i.spec.workload,
          version: i.spec.labels.version ?? '',
          // A modeled pod reports the service it plays (its app label), not the generic kind.
          app: i.spec.app === 'modeled' ? (i.spec.labels.app ?? i.spec.workload) : i.spec.app,
          requests: i.counter.requests,
          codes: { ...i.counter.codes },
          shadowRequests: i.counter.shadowRequests,
        }),
      ),
    }),
    instanceEvent: async (pod: string, action: InstanceAction): Promise<number> => {
      const inst = instances.find((i) => i.spec.pod === pod);
      if (!inst) throw new RuntimeError('MB_ERR_NO_INSTANCE', `no instance "${pod}" in this mesh (instances: ${instances.map((i) => i.spec.pod).join(', ')})`);
      await inst.faults.apply(action);
      // A stopped pod has no port: its sidecar's new connections fail to connect
      // (upstream_cx_connect_fail), as to a dead process; the shared app listener
      // has already reset the pod's open connections.
      if (action.kind === 'stop') instancePorts.delete(pod);
      else if (action.kind === 'start') instancePorts.set(pod, inst.app.port);
      return performance.timeOrigin + performance.now();
    },
    takeMirrorPairs: async (): Promise<MirrorTake> => {
      const takes = sidecars.flatMap((s) => s.sidecar.mirrorCapture?.take() ?? []);
      return { pairs: takes.flatMap((t) => t.pairs), skipped: takes.reduce((a, t) => a + t.skipped, 0) };
    },
    close: () => (closed ??= closeAll()),
  };
}

/** The pod's inbound cluster, counted in its workload's sidecar (the one sidecar per workload, spec §0). */
function inboundOf(sidecars: readonly BootedSidecar[], spec: InstanceSpec, delimiter: '.' | ';.'): { inbound?: InboundCluster } {
  const stats = sidecars.find((s) => s.info.workload === spec.workload)?.stats;
  return stats ? { inbound: new InboundCluster(stats, spec.containerPort, delimiter) } : {};
}

/** Runs a listen() and turns "address in use" into a one-line RuntimeError naming the address. */
async function listenOrExplain(fn: () => Promise<number>, what: string, host: string, port: number): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'EADDRINUSE') throw new RuntimeError('MB_ERR_PORT_IN_USE', `${what}: address ${host}:${port} already in use`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') {
      throw new RuntimeError('MB_ERR_LISTEN', `${what}: cannot listen on ${host}:${port} (${code})`);
    }
    throw e;
  }
}
