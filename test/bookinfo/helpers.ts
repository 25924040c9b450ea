// Shared by the bookinfo tests: the repo's real bookinfo YAML (loaded with the
// scenario include/replacement rules), small edits to it, and plain node:http
// clients and servers on 127.0.0.1.
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadScenarioFiles } from '../../src/scenario/include.js';
import { parseSource } from '../../src/mesh/config/source.js';
import type { SourceDoc } from '../../src/mesh/config/source.js';
import { compileMesh } from '../../src/mesh/config/compile.js';
import { profileFor } from '../../src/mesh/config/istio-profile.js';
import { startMesh } from '../../src/mesh/mesh.js';
import type { MeshHandle, MeshSnapshot } from '../../src/mesh/api.js';
import { httpGet, type Reply } from '../helpers/http.js';
import { repo } from '../helpers/io.js';

export { repo };

export const NET = 'scenarios/bookinfo/networking';

/** bookinfo.yaml + destination-rule-all.yaml + the given networking files, in kubectl-apply order. */
export async function bookinfoDocs(...networking: string[]): Promise<SourceDoc[]> {
  return loadScenarioFiles([
    repo('scenarios/bookinfo/bookinfo.yaml'),
    repo(`${NET}/destination-rule-all.yaml`),
    ...networking.map((n) => repo(`${NET}/${n}`)),
  ]);
}

export function find(docs: SourceDoc[], kind: string, name: string): SourceDoc {
  const d = docs.find((x) => x.kind === kind && x.name === name);
  if (!d) throw new Error(`no ${kind} ${name}`);
  return d;
}

/** Adds (or overrides) an env var of a Deployment's app container. */
export function setEnv(docs: SourceDoc[], deployment: string, name: string, value: string): void {
  const spec = find(docs, 'Deployment', deployment).value.spec as { template: { spec: { containers: Array<{ env?: Array<{ name: string; value: string }> }> } } };
  const c = spec.template.spec.containers[0];
  c.env = [...(c.env ?? []).filter((e) => e.name !== name), { name, value }];
}

/** Extra documents written inline (file name `test.yaml`). */
export function yamlDocs(text: string): SourceDoc[] {
  return parseSource(text, 'test.yaml');
}

/** The seed's walk-through ran on Istio 1.6, as the shipped bookinfo scenarios pin it (`spec.istio`). */
export const SEED_ISTIO = profileFor('1.6')!;

export async function boot(docs: SourceDoc[]): Promise<MeshHandle> {
  return startMesh(compileMesh(docs, { istio: SEED_ISTIO }), { accessLog: 'none', seed: 1 });
}

export function sidecarPort(mesh: MeshHandle, workload = 'meshbench'): number {
  const s = mesh.sidecars.find((x) => x.workload === workload);
  if (!s) throw new Error(`no sidecar ${workload}`);
  return s.listenPort;
}

export type { Reply } from '../helpers/http.js';

/** GET through a sidecar listener with a mesh Host header. */
export function get(port: number, host: string, path: string, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<Reply> {
  return httpGet(port, path, { host, headers, timeoutMs });
}

export const productpage = (mesh: MeshHandle, headers: Record<string, string> = {}): Promise<Reply> =>
  get(sidecarPort(mesh), 'productpage:9080', '/productpage', headers);

/** Any method through a sidecar listener, the body as bytes (static files, fonts). */
export function rawRequest(
  port: number,
  path: string,
  o: { host: string; method?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { host: o.host, ...o.headers };
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers, agent: false, timeout: o.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${o.method ?? 'GET'} ${o.host}${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A server on 127.0.0.1 that records every request's headers and answers `body`. */
export interface Recorder {
  port: number;
  seen: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function recorder(body: (url: string) => string): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    const b = body(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b) });
    res.end(b);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A ServiceEntry making `host:9080` a mesh host whose one endpoint is 127.0.0.1:port. */
export function serviceEntry(host: string, port: number): SourceDoc[] {
  return yamlDocs(`apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${host} }
spec:
  hosts: [${host}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{ number: 9080, name: http, protocol: HTTP }]
  endpoints: [{ address: 127.0.0.1, ports: { http: ${port} } }]
`);
}

/** Sum of a sidecar's counters whose full Envoy name matches. */
export function counter(snap: MeshSnapshot, workload: string, match: (name: string) => boolean): number {
  const s = snap.sidecars.find((x) => x.workload === workload);
  if (!s) throw new Error(`no sidecar of workload ${workload}`);
  let n = 0;
  let matched = false;
  for (const [k, v] of Object.entries(s.counters)) {
    if (!match(k)) continue;
    matched = true;
    n += v;
  }
  // A misspelled name must fail, never read as 0.
  if (!matched) throw new Error(`no counter of ${workload}'s sidecar matches ${match.toString()}`);
  return n;
}

export const cluster = (port: number, subset: string, host: string, stat: string) => (k: string) =>
  k === `cluster.outbound|${port}|${subset}|${host}.default.svc.cluster.local.${stat}` ||
  k === `cluster.outbound|${port}|${subset}|${host}.${stat}`;
