// isotope's big example graphs boot and answer (docs/isotope.md "Scale"): replicas
// are endpoints of one app listener per Deployment, so tree-111's 222 pods take
// 111 app listeners, the 1000-service graph boots, the 10000-endpoint star too.
// Boot time is measured in bench/modeled.ts, not asserted here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';
import { startMesh } from '../../../src/mesh/mesh.js';
import { entrypointUrl, topologyServices } from '../../../src/mesh/config/isotope.js';
import { IMPLICIT_SOURCE, type MeshHandle } from '../../../src/mesh/api.js';
import { httpGet } from '../../helpers/http.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../../test/fixtures/isotope/${name}`, import.meta.url));

/** Listening TCP sockets this process holds: its socket fds whose inode /proc/net/tcp lists in state LISTEN (0A). */
function listeningSockets(): number {
  const listening = new Set<string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A') listening.add(f[9]!);
  }
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m && listening.has(m[1]!)) n++;
    } catch {
      // the fd closed while we listed them
    }
  }
  return n;
}

async function entry(mesh: MeshHandle, host: string) {
  const port = mesh.sidecars.find((s) => s.workload === IMPLICIT_SOURCE)!.listenPort;
  return httpGet(port, '/', { host, timeoutMs: 60_000 });
}

/** The entry's responseSize as compiled (what its 200 must carry). */
function responseSize(config: MeshConfig, workload: string): number {
  const size = config.instances.find((i) => i.workload === workload)!.model!.response.size;
  assert.equal(size.kind, 'fixed');
  return size.kind === 'fixed' ? size.value : NaN;
}

/** Per host of one cluster in a sidecar's admin /clusters: hostname -> rq_total. */
async function hostRequests(mesh: MeshHandle, sidecar: string, cluster: string): Promise<Map<string, number>> {
  const r = await httpGet(mesh.adminPort, `/clusters?sidecar=${sidecar}`, { timeoutMs: 10_000 });
  const out = new Map<string, number>();
  let rq: number | undefined;
  for (const line of r.body.split('\n')) {
    if (!line.startsWith(`${cluster}::`)) continue;
    const f = line.split('::');
    if (f[2] === 'rq_total') rq = Number(f[3]);
    if (f[2] === 'hostname') out.set(f[3]!, rq!);
  }
  return out;
}

test('tree-111 (isotope example): 222 pods on 111 app listeners; the root answers 128 B; each pod serves what its sidecar sent it', async () => {
  const config = compileMesh(await loadSourceFiles([fixture('tree-111-services.yaml')]));
  assert.equal(config.instances.length, 222);
  const before = listeningSockets();
  const mesh = await startMesh(config, { seed: 11 });
  try {
    const deployments = new Set(config.instances.map((i) => i.workload)).size;
    assert.equal(deployments, 111);
    // One listener per Deployment (both replicas on it), one per sidecar, the admin: not one per pod.
    assert.equal(listeningSockets() - before, deployments + mesh.sidecars.length + 1);
    assert.equal(new Set(mesh.instances.map((i) => i.port)).size, deployments);
    for (const i of mesh.instances) assert.equal(i.port, mesh.instances.find((j) => j.workload === i.workload)!.port);

    // Serves load: 12 entry calls, 4 at a time, each 111 requests deep.
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all([0, 1, 2, 3].map(() => entry(mesh, 'svc-0:8080')));
      for (const r of rs) assert.deepEqual([r.status, Buffer.byteLength(r.body)], [200, responseSize(config, 'svc-0')]);
    }
    const snap = await mesh.snapshot();
    assert.equal(snap.instances.reduce((a, i) => a + i.requests, 0), 12 * 111);
    // Per-endpoint identity: the requests svc-0's sidecar sent to each pod of svc-0-3 are the ones that pod served.
    const sent = await hostRequests(mesh, 'svc-0', 'outbound|8080||svc-0-3.default.svc.cluster.local');
    assert.deepEqual([...sent.keys()].sort(), ['svc-0-3-0', 'svc-0-3-1']);
    for (const [pod, n] of sent) assert.equal(snap.instances.find((i) => i.pod === pod)!.requests, n, pod);
    assert.ok([...sent.values()].every((n) => n > 0), `both replicas served: ${[...sent.values()]}`);
  } finally {
    await mesh.close();
  }
});

test('1000-svc_5000-end (isotope example): 2000 pods boot; one entry call reaches all 1000 services and answers 200', async () => {
  const config = compileMesh(await loadSourceFiles([fixture('1000-svc_5000-end.yaml')]));
  assert.equal(config.instances.length, 2000);
  // 1001 sidecars x 1000 clusters would be a million clusters built at start: they are built on first use.
  assert.ok(config.warnings.some((w) => /1001 sidecars x 1000 clusters .*built on first use/.test(w.message)));
  const mesh = await startMesh(config, { seed: 5 });
  try {
    assert.equal(new Set(mesh.instances.map((i) => i.port)).size, 1000);
    const r = await entry(mesh, 'svc-0:8080');
    assert.deepEqual([r.status, Buffer.byteLength(r.body)], [200, responseSize(config, 'svc-0')]);
    const snap = await mesh.snapshot();
    const perService = new Map<string, number>();
    for (const i of snap.instances) perService.set(i.workload, (perService.get(i.workload) ?? 0) + i.requests);
    assert.equal(perService.size, 1000);
    assert.ok([...perService.values()].every((n) => n === 1), 'every service answered exactly once');
  } finally {
    await mesh.close();
  }
});

test('10-svc_10000-end (isotope example): 10000 endpoints on 10 app listeners; 1000 hosts per cluster; the entry answers', async () => {
  const config = compileMesh(await loadSourceFiles([fixture('10-svc_10000-end.yaml')]));
  assert.equal(config.instances.length, 10_000);
  const mesh = await startMesh(config, { seed: 3 });
  try {
    assert.equal(mesh.instances.length, 10_000);
    assert.equal(new Set(mesh.instances.map((i) => i.port)).size, 10);
    for (let i = 0; i < 3; i++) {
      const r = await entry(mesh, 'svc-0:8080');
      assert.deepEqual([r.status, Buffer.byteLength(r.body)], [200, responseSize(config, 'svc-0')]);
    }
    const hosts = await hostRequests(mesh, 'svc-0', 'outbound|8080||svc-0-4.default.svc.cluster.local');
    assert.equal(hosts.size, 1000);
    const snap = await mesh.snapshot();
    for (const [pod, n] of hosts) if (n > 0) assert.equal(snap.instances.find((i) => i.pod === pod)!.requests, n, pod);
    assert.equal([...hosts.values()].reduce((a, b) => a + b, 0), 3);
  } finally {
    await mesh.close();
  }
});

test("every other graph of isotope's example-topologies boots; its entry answers 200 with its responseSize", async () => {
  const files = [
    '1-service.yaml',
    '10-svc_10-end.yaml',
    '10-svc_100-end.yaml',
    '10-svc_1000-end.yaml',
    'canonical.yaml',
    'canonical-2-replicas.yaml',
    'chain-2-services.yaml',
    'chain-3-services.yaml',
    'chain-2-services-different-namespace.yaml',
    'tree-13-services.yaml',
  ];
  for (const file of files) {
    const docs = await loadSourceFiles([fixture(file)]);
    const config = compileMesh(docs);
    const services = topologyServices(docs);
    const root = services.find((s) => s.entry) ?? services[0]!;
    const mesh = await startMesh(config, { seed: 1 });
    try {
      const r = await entry(mesh, new URL(entrypointUrl(root)).host);
      assert.deepEqual([r.status, Buffer.byteLength(r.body)], [200, responseSize(config, root.name)], `${file}: ${r.body.slice(0, 200)}`);
      const snap = await mesh.snapshot();
      assert.equal(new Set(snap.instances.filter((i) => i.requests > 0).map((i) => i.workload)).size, reachable(docs, root.name), file);
    } finally {
      await mesh.close();
    }
  }
});

/** Services an entry request reaches: the entry and, transitively, every service its script calls. */
function reachable(docs: Array<{ value: Record<string, unknown> }>, root: string): number {
  const calls = new Map<string, string[]>();
  for (const d of docs) {
    for (const s of (d.value.services as Array<{ name: string; script?: unknown[] }> | undefined) ?? []) {
      const targets: string[] = [];
      for (const step of s.script ?? []) {
        for (const cmd of Array.isArray(step) ? step : [step]) {
          const c = (cmd as { call?: string | { service: string } }).call;
          if (c !== undefined) targets.push(typeof c === 'string' ? c : c.service);
        }
      }
      calls.set(s.name, targets);
    }
  }
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const t of calls.get(n) ?? []) visit(t);
  };
  visit(root);
  return seen.size;
}

test("chain-2-services-different-cluster (isotope example) boots; its call to b.global:8080 finds no mesh host (404), so the entry answers 500", async () => {
  // `.global` names come from Istio's multicluster DNS stubs, which a single mesh does not have.
  const config = compileMesh(await loadSourceFiles([fixture('chain-2-services-different-cluster.yaml')]));
  const mesh = await startMesh(config, { seed: 1 });
  try {
    const r = await entry(mesh, 'a.demo1.svc.cluster.local:8080');
    assert.equal(r.status, 500);
    assert.match(r.body, /^service b\.global:8080 responded with 404/);
  } finally {
    await mesh.close();
  }
});
