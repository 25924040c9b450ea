// Test harness for the proxy core: real YAML through the config loader, real
// node:http upstreams on 127.0.0.1:0 (one per pod), a real Sidecar, real clients.

import * as http from 'node:http';
import { parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { profileFor } from '../../../src/mesh/config/istio-profile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';
import { Sidecar } from '../../../src/mesh/sidecar.js';
import { StatsStore } from '../../../src/mesh/stats/store.js';
import { createRandom } from '../../../src/mesh/random.js';
import type { MirrorCaptureOptions } from '../../../src/mesh/api.js';

/** Compiled under the current Istio profile, or under `istio` (`'1.27'`). */
export function meshOf(yaml: string, istio?: string): MeshConfig {
  return compileMesh(parseSource(yaml, 'mesh.yaml'), istio === undefined ? {} : { istio: profileFor(istio)! });
}

/** Deployment + Service for an httpbin-like workload. */
export function workload(name: string, app: string, version: string, port = 8000, replicas = 1, extraLabels = ''): string {
  return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${app}, version: ${version}}}
  template:
    metadata: {labels: {app: ${app}, version: ${version}${extraLabels}}}
    spec:
      containers:
      - name: ${app}
        image: docker.io/kennethreitz/httpbin
        ports: [{containerPort: 80}]
---`;
}

export function service(name: string, port = 8000): string {
  return `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  ports: [{name: http, port: ${port}, targetPort: 80}]
  selector: {app: ${name}}
---`;
}

export const CLIENT = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  replicas: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers:
      - name: sleep
        image: curlimages/curl
---`;

/** A VirtualService for httpbin whose `http:` list is `http` (items indented two spaces). */
export function virtualService(http: string): string {
  return `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin}
spec:
  hosts: [httpbin]
  http:
${http}
---`;
}

/** A DestinationRule for httpbin; `spec` continues its spec after `host: httpbin`. */
export function destinationRule(spec: string): string {
  return `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
${spec}
---`;
}

/** Client, httpbin v1 and v2 (one pod each), their Service and a DR with subsets v1 and v2. */
export const HTTPBIN_V1_V2 =
  CLIENT +
  workload('httpbin-v1', 'httpbin', 'v1') +
  workload('httpbin-v2', 'httpbin', 'v2') +
  service('httpbin') +
  destinationRule(`  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}`);

export interface SeenRequest {
  pod: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, pod: string, body: string) => void;

/** httpbin-ish: /status/<code>, /delay/<ms>, /headers (JSON), anything else 200 JSON echo. */
export const defaultHandler: Handler = (req, res, pod, body) => {
  const url = req.url ?? '/';
  const m = /^\/status\/(\d{3})/.exec(url);
  if (m) {
    res.writeHead(Number(m[1]), { 'content-length': '0' });
    res.end();
    return;
  }
  const d = /^\/delay\/(\d+)/.exec(url);
  const send = (): void => {
    const out = JSON.stringify({ pod, url, method: req.method, headers: req.headers, body });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out), server: 'upstream' });
    res.end(out);
  };
  if (d) setTimeout(send, Number(d[1]));
  else send();
};

export class Upstreams {
  readonly ports = new Map<string, number>();
  readonly seen: SeenRequest[] = [];
  readonly servers: http.Server[] = [];
  /** Per-pod handler override. */
  handlers = new Map<string, Handler>();

  static async start(config: MeshConfig, handler: Handler = defaultHandler, only?: (pod: string) => boolean): Promise<Upstreams> {
    const u = new Upstreams();
    for (const inst of config.instances) {
      if (inst.app === 'client') continue;
      if (only && !only(inst.pod)) continue;
      const pod = inst.pod;
      const srv = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString();
          u.seen.push({ pod, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
          (u.handlers.get(pod) ?? handler)(req, res, pod, body);
        });
      });
      srv.keepAliveTimeout = 60_000;
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      u.ports.set(pod, (srv.address() as { port: number }).port);
      u.servers.push(srv);
    }
    return u;
  }

  count(pod: string): number {
    return this.seen.filter((s) => s.pod === pod).length;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
  }
}

export interface Proxy {
  sidecar: Sidecar;
  port: number;
  stats: StatsStore;
  /** A counter's value; fails the test when no counter has that name (a typo never reads as 0). */
  counter(name: string): number;
  /** A gauge's value; fails the test when no gauge has that name. */
  gauge(name: string): number;
  /** A counter's value, or undefined when it was never created (Envoy creates per-code stats on first use). */
  maybeCounter(name: string): number | undefined;
  close(): Promise<void>;
}

export interface SidecarOptions {
  seed?: number;
  labels?: Record<string, string>;
  namespace?: string;
  mirrorCapture?: Partial<MirrorCaptureOptions>;
}

function present(kind: string, name: string, v: number | undefined): number {
  if (v === undefined) throw new Error(`no ${kind} named ${name}`);
  return v;
}

export async function startSidecar(config: MeshConfig, upstreams: Upstreams, opts: SidecarOptions = {}): Promise<Proxy> {
  const stats = new StatsStore();
  const sidecar = new Sidecar({
    workload: 'sleep',
    namespace: opts.namespace ?? 'default',
    labels: opts.labels ?? { app: 'sleep' },
    config,
    instancePort: (pod) => upstreams.ports.get(pod),
    stats,
    random: createRandom(opts.seed ?? 42),
    ...(opts.mirrorCapture ? { mirrorCapture: opts.mirrorCapture } : {}),
  });
  const port = await sidecar.listen('127.0.0.1', 0);
  return {
    sidecar,
    port,
    stats,
    counter: (n) => present('counter', n, stats.snapshot().counters[n]),
    gauge: (n) => present('gauge', n, stats.snapshot().gauges[n]),
    maybeCounter: (n) => stats.snapshot().counters[n],
    close: () => sidecar.close(),
  };
}

/**
 * Upstreams for every pod of `mesh` (YAML or compiled) and one sidecar in front
 * of them for the duration of `fn`; both are closed however `fn` ends.
 */
export async function withProxy(
  mesh: string | MeshConfig,
  fn: (px: Proxy, up: Upstreams) => Promise<void>,
  opts: SidecarOptions & { handler?: Handler } = {},
): Promise<void> {
  const config = typeof mesh === 'string' ? meshOf(mesh) : mesh;
  const up = await Upstreams.start(config, opts.handler);
  const px = await startSidecar(config, up, opts);
  try {
    await fn(px, up);
  } finally {
    await px.close();
    await up.close();
  }
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export function request(
  port: number,
  o: { host?: string; path?: string; method?: string; headers?: Record<string, string>; body?: string; agent?: http.Agent; absolute?: boolean } = {},
): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const host = o.host ?? 'httpbin:8000';
    const path = o.absolute ? `http://${host}${o.path ?? '/get'}` : (o.path ?? '/get');
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path,
        headers: { host, ...(o.headers ?? {}) },
        agent: o.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), ms: performance.now() - t0 }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** `n` calls over `c` closed-loop keep-alive clients (fortio -c N -qps 0 -n; reconnect after non-2xx). */
export async function closedLoop(port: number, c: number, n: number, o: { host?: string; path?: string } = {}): Promise<Map<number, number>> {
  const codes = new Map<number, number>();
  let issued = 0;
  const deadline = Date.now() + 20_000;
  const worker = async (): Promise<void> => {
    let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      while (issued < n && Date.now() < deadline) {
        issued++;
        const r = await request(port, { ...o, agent });
        codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
        if (r.status < 200 || r.status >= 300) {
          // Like fortio's fast client: any non-2xx reply closes the socket.
          agent.destroy();
          agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  return codes;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
