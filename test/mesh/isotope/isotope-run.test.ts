// isotope graphs on real sockets: topology files (istio/tools example
// topologies, unmodified, and small graphs written here) booted as they are,
// requests sent through the implicit source's sidecar. isotope's runtime rules
// checked: every N-th 500 before any work, nested error bodies, wait-all
// concurrency, success = exactly 200, fixed payload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { startMesh } from '../../../src/mesh/mesh.js';
import type { MeshHandle } from '../../../src/mesh/api.js';
import { httpGet, type Reply } from '../../helpers/http.js';

const FIXTURES = new URL('../../../../test/fixtures/isotope/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

async function boot(yaml: string, file = 'topology.yaml'): Promise<{ mesh: MeshHandle; get(host: string): Promise<Reply> }> {
  const mesh = await startMesh(compileMesh(parseSource(yaml, file)), { seed: 1 });
  const port = mesh.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  return { mesh, get: (host) => httpGet(port, '/', { host, timeoutMs: 5000 }) };
}

async function served(mesh: MeshHandle): Promise<Record<string, number>> {
  const snap = await mesh.snapshot();
  const out: Record<string, number> = {};
  for (const i of snap.instances) for (const n of Object.values(i.codes)) out[i.workload] = (out[i.workload] ?? 0) + n;
  return out;
}

test('canonical.yaml (istio/tools) boots as it is: the entry d answers 200 with its 1 KiB responseSize, each service called as the graph says', async (t) => {
  const { mesh, get } = await boot(fixture('canonical.yaml'), 'canonical.yaml');
  t.after(() => mesh.close());
  const r = await get('d:8080');
  assert.equal(r.status, 200, r.body);
  assert.equal(Buffer.byteLength(r.body), 1024);
  // d: [a ‖ c] then b; c: a then b  =>  per entry request a×2, b×2, c×1.
  const n = await served(mesh);
  assert.deepEqual({ a: n.a, b: n.b, c: n.c, d: n.d }, { a: 2, b: 2, c: 1, d: 1 });
});

test('chain-2-services-different-namespace.yaml: a (demo1) reaches b through b.demo2.svc.cluster.local:8080', async (t) => {
  const { mesh, get } = await boot(fixture('chain-2-services-different-namespace.yaml'));
  t.after(() => mesh.close());
  const r = await get('a.demo1.svc.cluster.local:8080');
  assert.equal(r.status, 200, r.body);
  assert.equal(Buffer.byteLength(r.body), 1024);
  assert.equal((await served(mesh)).b, 1);
});

test('errorRate 25% on a leaf: exactly 100 of 400 entry calls answer 500 (every 4th, before any work), with the leaf body nested', async (t) => {
  const { mesh, get } = await boot(`services:
- name: entry
  isEntrypoint: true
  responseSize: 10
  script: [{ call: leaf }]
- name: leaf
  errorRate: 25%
  script: [{ sleep: 1ms }]
`);
  t.after(() => mesh.close());
  const codes: number[] = [];
  let failBody = '';
  for (let i = 0; i < 400; i++) {
    const r = await get('entry:8080');
    codes.push(r.status);
    if (r.status === 500) failBody = r.body;
  }
  assert.equal(codes.filter((c) => c === 500).length, 100);
  assert.equal(codes.filter((c) => c === 200).length, 300);
  assert.deepEqual(codes.slice(0, 8), [200, 200, 200, 500, 200, 200, 200, 500], 'deterministic: every 4th');
  assert.match(failBody, /^service leaf:8080 responded with 500 \(body: simulated failure\)/);
});

test('a 50 ms sleep on a leaf shows in the entry p50; two concurrent 50 ms calls take ~50 ms, not 100', async (t) => {
  const { mesh, get } = await boot(`services:
- name: seq
  script: [{ call: slow }]
- name: par
  script:
  - - call: slow
    - call: slow2
- name: slow
  script: [{ sleep: 50ms }]
- name: slow2
  script: [{ sleep: 50ms }]
`);
  t.after(() => mesh.close());
  const p50 = async (host: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await get(host);
      assert.equal(r.status, 200, r.body);
      ms.push(r.ms);
    }
    return ms.sort((a, b) => a - b)[4];
  };
  const seq = await p50('seq:8080');
  const par = await p50('par:8080');
  assert.ok(seq >= 49, `entry p50 includes the leaf's 50 ms: ${seq}`);
  assert.ok(par >= 49 && par < 95, `concurrent calls wait for both, ~50 ms not ~100: ${par}`);
});

test('a call succeeds on exactly 200: a callee answering 204 fails the isotope caller (a ServiceModel would accept any 2xx)', async (t) => {
  const { mesh, get } = await boot(`services:
- name: entry
  script: [{ call: { service: other, hostname: "nocontent:8080" } }]
- name: other
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: nocontent }
spec:
  selector: { matchLabels: { app: nocontent } }
  template:
    metadata: { labels: { app: nocontent } }
    spec: { containers: [{ name: main, image: example.com/nc:1, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: nocontent }
spec: { selector: { app: nocontent }, ports: [{ name: http, port: 8080 }] }
---
apiVersion: meshbench/v1
kind: ServiceModel
metadata: { name: nocontent }
spec: { target: { deployment: nocontent }, response: { status: 204, size: 0 } }
`);
  t.after(() => mesh.close());
  const direct = await get('nocontent:8080');
  assert.equal(direct.status, 204);
  const r = await get('entry:8080');
  assert.equal(r.status, 500);
  assert.match(r.body, /service nocontent:8080 responded with 204/);
});

test("the converter's output (mock-service Deployments + service-graph-config ConfigMap) plays the graph", async (t) => {
  const { mesh, get } = await boot(fixture('converted-chain.yaml'), 'converted-chain.yaml');
  t.after(() => mesh.close());
  const r = await get('a:8080');
  assert.equal(r.status, 200, r.body);
  assert.equal(Buffer.byteLength(r.body), 1024);
  assert.equal((await served(mesh)).b, 1);
});
