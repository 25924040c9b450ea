// Modeled services on real sockets: a mesh booted in this thread, requests sent
// through the implicit source's sidecar, every hop through the caller's own
// sidecar. Times asserted only where they tell two behaviours apart (a queue
// vs none, concurrent vs sequential calls), with wide margins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { startMesh } from '../../../src/mesh/mesh.js';
import type { MeshHandle } from '../../../src/mesh/api.js';
import { httpGet, type Reply } from '../../helpers/http.js';
import { model, service, workload } from './mesh-yaml.js';
import { DEFAULT_PROPAGATE } from '../../../src/mesh/apps/modeled/modeled-service.js';

async function boot(yaml: string, seed = 1): Promise<{ mesh: MeshHandle; get(host: string, headers?: Record<string, string>): Promise<Reply> }> {
  const mesh = await startMesh(compileMesh(parseSource(yaml, 'mesh.yaml')), { seed });
  const port = mesh.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  return { mesh, get: (host, headers) => httpGet(port, '/', { host, headers, timeoutMs: 5000 }) };
}

async function codesOf(mesh: MeshHandle, workload: string): Promise<Record<string, number>> {
  const snap = await mesh.snapshot();
  const out: Record<string, number> = {};
  for (const i of snap.instances.filter((x) => x.workload === workload)) for (const [c, n] of Object.entries(i.codes)) out[c] = (out[c] ?? 0) + n;
  return out;
}

test('capacity: one worker and a queue of 2 — queued requests wait their turn, the 4th is refused with 503 at once', async (t) => {
  const { mesh, get } = await boot(
    workload('backend') + service('backend') + model('backend', 'target: { deployment: backend }\nlatency: 100ms\ncapacity: { workers: 1, queue: 2 }'),
  );
  t.after(() => mesh.close());
  const finished: number[] = [];
  const replies = await Promise.all([0, 1, 2, 3].map(() => get('backend:8080').then((r) => (finished.push(r.status), r))));
  const ok = replies.filter((r) => r.status === 200).sort((a, b) => a.ms - b.ms);
  const refused = replies.filter((r) => r.status === 503);
  assert.equal(ok.length, 3, `codes ${replies.map((r) => r.status)}`);
  assert.equal(refused.length, 1);
  assert.equal(refused[0].body, 'overloaded: queue full\n');
  assert.deepEqual(finished, [503, 200, 200, 200], 'the refusal does not wait for a worker');
  // Served one at a time: the last waited for two others (queueing latency).
  assert.ok(ok[2].ms >= 290, `third 200 after ~300 ms, got ${ok.map((r) => Math.round(r.ms))}`);
  assert.deepEqual(await codesOf(mesh, 'backend'), { '200': 3, '503': 1 });
});

test('capacity: a request waiting longer than queueTimeout gets 503', async (t) => {
  const { mesh, get } = await boot(
    workload('backend') + service('backend') + model('backend', 'target: { deployment: backend }\nlatency: 200ms\ncapacity: { workers: 1, queue: 5, queueTimeout: 50ms }'),
  );
  t.after(() => mesh.close());
  const [a, b] = await Promise.all([get('backend:8080'), get('backend:8080')]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 503);
  assert.equal(b.body, 'overloaded: queue timeout\n');
});

test('a 50 ms sleep on a leaf shows in the entry: frontend -> backend, each request ≥ 50 ms', async (t) => {
  const { mesh, get } = await boot(
    workload('frontend') + service('frontend') + workload('backend') + service('backend') +
      model('frontend', 'target: { deployment: frontend }\nscript:\n- call: backend:8080') +
      model('backend', 'target: { deployment: backend }\nscript:\n- sleep: 50ms'),
  );
  t.after(() => mesh.close());
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const r = await get('frontend:8080');
    assert.equal(r.status, 200);
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  assert.ok(times[0] >= 49, `every entry request includes the leaf's sleep: ${times.map(Math.round)}`);
  assert.deepEqual(await codesOf(mesh, 'backend'), { '200': 9 });
});

test('two concurrent 200 ms calls take ~200 ms; the same calls in sequence take ~400 ms', async (t) => {
  const leaf = (n: string) => workload(n) + service(n) + model(n, `target: { deployment: ${n} }\nlatency: 200ms`);
  const { mesh, get } = await boot(
    workload('par') + service('par') + workload('seq') + service('seq') + leaf('a') + leaf('b') +
      model('par', 'target: { deployment: par }\nscript:\n- - call: a:8080\n  - call: b:8080') +
      model('seq', 'target: { deployment: seq }\nscript:\n- call: a:8080\n- call: b:8080'),
  );
  t.after(() => mesh.close());
  const par = await get('par:8080');
  const seq = await get('seq:8080');
  assert.equal(par.status, 200);
  assert.equal(seq.status, 200);
  assert.ok(par.ms >= 199 && par.ms < 390, `concurrent group waits for the slowest only: ${par.ms} ms`);
  assert.ok(seq.ms >= 399, `sequential steps add up: ${seq.ms} ms`);
  assert.deepEqual(await codesOf(mesh, 'a'), { '200': 2 });
});

test('errors: every 3rd request fails (isotope counter), before the work; "after" errors take the latency first', async (t) => {
  const { mesh, get } = await boot(
    workload('every') + service('every') + workload('late') + service('late') +
      model('every', 'target: { deployment: every }\nlatency: 500ms\nerrors: [{ every: 3, status: 500 }]') +
      model('late', 'target: { deployment: late }\nlatency: 60ms\nerrors: [{ every: 1, status: 503, when: after }]'),
  );
  t.after(() => mesh.close());
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await get('every:8080');
    seen.push(r.status);
    if (r.status === 500) {
      assert.equal(r.body, 'simulated failure\n');
      assert.ok(r.ms < 400, `an error before the work skips the 500 ms latency (${r.ms} ms)`);
    }
  }
  assert.deepEqual(seen, [200, 200, 500, 200, 200, 500]);
  const late = await get('late:8080');
  assert.equal(late.status, 503);
  assert.ok(late.ms >= 59, `an error after the work comes after the latency (${late.ms} ms)`);
});

test('errors: a random share follows the seed; "reset" drops the connection (the caller sidecar answers 503)', async (t) => {
  const yaml = workload('flaky') + service('flaky') + workload('resetter') + service('resetter') +
    model('flaky', 'target: { deployment: flaky }\nerrors: [{ share: 0.3, status: 503 }]') +
    model('resetter', 'target: { deployment: resetter }\nerrors: [{ share: 1, status: reset }]');
  const run = async (seed: number) => {
    const { mesh, get } = await boot(yaml, seed);
    try {
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await get('flaky:8080')).status);
      const reset = await get('resetter:8080');
      return { out, reset };
    } finally {
      await mesh.close();
    }
  };
  const a = await run(5);
  const b = await run(5);
  assert.deepEqual(a.out, b.out, 'same seed, same failures');
  const fails = a.out.filter((s) => s === 503).length;
  assert.ok(fails >= 5 && fails <= 20, `about 30% of 40 fail, got ${fails}`);
  assert.equal(a.reset.status, 503);
  assert.match(a.reset.body, /upstream connect error or disconnect\/reset before headers/);
});

test('script: a failing call fails the caller with 500 and the callee body nested; app retries hide it', async (t) => {
  const { mesh, get } = await boot(
    workload('front') + service('front') + workload('retrier') + service('retrier') + workload('leaf') + service('leaf') +
      model('front', 'target: { deployment: front }\nscript:\n- call: leaf:8080\n- sleep: 10ms') +
      model('retrier', 'target: { deployment: retrier }\nscript:\n- call: { host: leaf:8080, retries: 1, path: /api, method: POST, size: 100 }') +
      model('leaf', 'target: { deployment: leaf }\nerrors: [{ every: 2, status: 503 }]'),
  );
  t.after(() => mesh.close());
  assert.equal((await get('front:8080')).status, 200);
  const failed = await get('front:8080');
  assert.equal(failed.status, 500);
  assert.equal(failed.body, 'service leaf:8080 responded with 503 (body: simulated failure)\n');
  // leaf's counter now stands at 0: the retrier's first attempt succeeds, the next one fails then succeeds on retry.
  for (let i = 0; i < 3; i++) assert.equal((await get('retrier:8080')).status, 200);
  assert.deepEqual(await codesOf(mesh, 'leaf'), { '200': 4, '503': 3 });
});

test('per-version models and header propagation: end-user reaches the inner hop and picks the slow failing v2', async (t) => {
  const vs = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: backend }
spec:
  hosts: [backend]
  http:
  - match: [{ headers: { end-user: { exact: jason } } }]
    route: [{ destination: { host: backend, subset: v2 } }]
  - route: [{ destination: { host: backend, subset: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: backend }
spec:
  host: backend
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
`;
  const { mesh, get } = await boot(
    workload('frontend') + service('frontend') +
      workload('backend-v1', { app: 'backend', version: 'v1' }) + workload('backend-v2', { app: 'backend', version: 'v2' }) + service('backend') + vs +
      model('frontend', 'target: { deployment: frontend }\nscript:\n- call: backend:8080') +
      model('backend-fast', 'target: { selector: { app: backend, version: v1 } }') +
      model('backend-slow', 'target: { selector: { app: backend, version: v2 } }\nlatency: 60ms\nerrors: [{ share: 1, status: 500, when: after }]'),
  );
  t.after(() => mesh.close());
  const plain = await get('frontend:8080');
  assert.equal(plain.status, 200);
  const jason = await get('frontend:8080', { 'end-user': 'jason' });
  assert.equal(jason.status, 500);
  assert.ok(jason.ms >= 59);
  assert.deepEqual(await codesOf(mesh, 'backend-v1'), { '200': 1 });
  assert.deepEqual(await codesOf(mesh, 'backend-v2'), { '500': 1 });
});

test('unknown images boot with the default model: 200, small body, at once', async (t) => {
  const { mesh, get } = await boot(workload('nginx', { image: 'nginx:1.25', port: 80 }) + service('nginx', 80));
  t.after(() => mesh.close());
  const r = await get('nginx:80');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'xx');
  assert.equal((await mesh.snapshot()).instances[0].app, 'nginx', 'a modeled pod reports its app label');
});

test('default propagation: isotope\'s 14 tracing headers plus end-user', () => {
  const isotope = [
    'x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'x-ot-span-context',
    'x-datadog-trace-id', 'x-datadog-parent-id', 'x-datadog-sampling-priority', 'traceparent', 'tracestate',
    'x-cloud-trace-context', 'grpc-trace-bin',
  ];
  assert.deepEqual([...DEFAULT_PROPAGATE].sort(), [...isotope, 'end-user'].sort());
});

test('response size and distribution; a call timeout fails the caller and app retries repeat it', async (t) => {
  const { mesh, get } = await boot(
    workload('kb') + service('kb') + workload('var') + service('var') + workload('impatient') + service('impatient') + workload('slow') + service('slow') +
      model('kb', 'target: { deployment: kb }\nresponse: { size: 1KiB, headers: { x-model: kb } }') +
      model('var', 'target: { deployment: var }\nresponse: { size: { uniform: { min: 100, max: 200 } } }') +
      model('impatient', 'target: { deployment: impatient }\nscript:\n- call: { host: slow:8080, timeout: 50ms, retries: 2 }') +
      model('slow', 'target: { deployment: slow }\nlatency: 300ms'),
  );
  t.after(() => mesh.close());
  const kb = await get('kb:8080');
  assert.equal(kb.body.length, 1024);
  assert.equal(kb.headers['x-model'], 'kb');
  const sizes = new Set<number>();
  for (let i = 0; i < 10; i++) sizes.add((await get('var:8080')).body.length);
  assert.ok([...sizes].every((n) => n >= 100 && n <= 200) && sizes.size > 3, `sizes ${[...sizes]}`);
  const r = await get('impatient:8080');
  assert.equal(r.status, 500);
  assert.equal(r.body, 'service slow:8080 did not answer within 50ms (connection failure or timeout)\n');
  // Three attempts reached the slow service (the app's retries multiply load); let them finish.
  await new Promise((res) => setTimeout(res, 400));
  assert.equal((await mesh.snapshot()).instances.find((i) => i.workload === 'slow')!.requests, 3);
});
