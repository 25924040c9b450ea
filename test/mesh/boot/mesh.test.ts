// Boot and close a mesh from YAML with real sockets (DESIGN.md "Threads", spec §7.4, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startMesh, sidecarSeed } from '../../../src/mesh/mesh.js';
import { IMPLICIT_SOURCE } from '../../../src/mesh/api.js';
import { RuntimeError, UserError } from '../../../src/errors.js';
import { httpGet, loadMesh, refused } from './helpers.js';

test('boot: one sidecar per Deployment plus the implicit source; apps on loopback; close releases every port', async () => {
  const config = await loadMesh('httpbin-sleep.yaml');
  const mesh = await startMesh(config, { fromWorkload: 'sleep', seed: 7 });
  let closed = false;
  try {
    assert.deepEqual(mesh.sidecars.map((s) => s.workload).sort(), ['httpbin', IMPLICIT_SOURCE, 'sleep']);
    for (const s of mesh.sidecars) assert.ok(s.listenPort > 0);
    // The sleep pod is a client: no server, no instance entry.
    assert.deepEqual(mesh.instances.map((i) => i.pod), ['httpbin-0']);
    assert.equal(mesh.instances[0].labels.version, 'v1');

    const sleep = mesh.sidecars.find((s) => s.workload === 'sleep')!;
    const r = await httpGet(sleep.listenPort, '/get', 'httpbin:8000');
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['server'], 'envoy');
    // Direct to the pod works too (it is a plain loopback server).
    assert.equal((await httpGet(mesh.instances[0].port, '/get', 'httpbin:8000')).status, 200);

    const snap = await mesh.snapshot();
    assert.ok(snap.uptimeMs > 0);
    const inst = snap.instances.find((i) => i.pod === 'httpbin-0')!;
    assert.deepEqual({ version: inst.version, app: inst.app, requests: inst.requests, ok: inst.codes['200'] }, { version: 'v1', app: 'httpbin', requests: 2, ok: 2 });
    const sleepStats = snap.sidecars.find((s) => s.workload === 'sleep')!;
    assert.equal(sleepStats.counters['cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_total'], 1);
    const other = snap.sidecars.find((s) => s.workload === IMPLICIT_SOURCE)!;
    assert.equal(other.counters['cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_total'], 0, 'sidecars have their own stats');

    // Admin serves the --from sidecar by default; grep pending like the seed does (Istio 1.28 names: `;.`).
    const stats = await httpGet(mesh.adminPort, '/stats');
    const pending = stats.body.split('\n').filter((l) => l.includes('httpbin') && l.includes('pending'));
    assert.ok(pending.includes('cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_pending_overflow: 0'), pending.join('\n'));
    assert.ok(pending.some((l) => /\.upstream_rq_pending_total: \d+$/.test(l)));
    const meshbench = await httpGet(mesh.adminPort, `/stats?sidecar=${IMPLICIT_SOURCE}&filter=upstream_rq_total`);
    assert.doesNotMatch(meshbench.body, /upstream_rq_total: [1-9]/);

    const ports = [...mesh.sidecars.map((s) => s.listenPort), mesh.instances[0].port, mesh.adminPort];
    await mesh.close();
    closed = true;
    for (const p of ports) assert.equal(await refused(p), true, `port ${p} still accepts connections`);
  } finally {
    if (!closed) await mesh.close();
  }
});

test('listen port in use -> RuntimeError naming the address; nothing left running', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const config = await loadMesh('httpbin-sleep.yaml');
    await assert.rejects(startMesh(config, { listenPort: port }), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*(in use)`));
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    await assert.rejects(startMesh(config, { adminPort: port }), /admin: address 127\.0\.0\.1:\d+ already in use/);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('unknown --from workload is a user error listing the workloads', async () => {
  const config = await loadMesh('httpbin-sleep.yaml');
  await assert.rejects(startMesh(config, { fromWorkload: 'nope' }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.match(e.message, /unknown source workload "nope" \(known: httpbin, sleep, meshbench\)/);
    return true;
  });
});

test('per-sidecar seeds are distinct and stable', () => {
  assert.equal(sidecarSeed(42, 'sleep'), sidecarSeed(42, 'sleep'));
  assert.notEqual(sidecarSeed(42, 'sleep'), sidecarSeed(42, 'httpbin'));
  assert.notEqual(sidecarSeed(42, 'sleep'), sidecarSeed(43, 'sleep'));
});

test('§7.4 end to end: one 503 ejects the only pod -> "no healthy upstream" until the base time passes', async () => {
  const config = await loadMesh('httpbin-sleep.yaml', 'eject.yaml');
  const mesh = await startMesh(config, { fromWorkload: 'sleep' });
  try {
    const port = mesh.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
    assert.equal((await httpGet(port, '/get', 'httpbin:8000')).status, 200);
    assert.equal((await httpGet(port, '/status/503', 'httpbin:8000')).status, 503);
    const uh = await httpGet(port, '/get', 'httpbin:8000');
    assert.equal(uh.status, 503);
    assert.equal(uh.body, 'no healthy upstream');
    const snap = await mesh.snapshot();
    const c = snap.sidecars.find((s) => s.workload === 'sleep')!;
    const pre = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';
    assert.equal(c.gauges[`${pre}.outlier_detection.ejections_active`], 1);
    assert.equal(c.counters[`${pre}.outlier_detection.ejections_enforced_consecutive_5xx`], 1);
    assert.equal(c.counters[`${pre}.upstream_cx_none_healthy`], 1);
    assert.equal(snap.instances[0].requests, 2, 'the no-healthy-upstream reply never reached the pod');
    const clusters = await httpGet(mesh.adminPort, '/clusters?sidecar=sleep');
    const cl = 'outbound\\|8000\\|\\|httpbin\\.default\\.svc\\.cluster\\.local';
    assert.match(clusters.body, new RegExp(`^${cl}::127\\.0\\.0\\.1:${mesh.instances[0].port}::health_flags::/failed_outlier_check$`, 'm'));
    assert.match(clusters.body, new RegExp(`^${cl}::127\\.0\\.0\\.1:\\d+::hostname::httpbin-0$`, 'm'));
    assert.match(clusters.body, new RegExp(`^${cl}::default_priority::max_connections::4294967295$`, 'm'));

    // baseEjectionTime 1s on a 50ms interval grid: back within ~1.05 s (allow a slow machine 5 s).
    const t0 = Date.now();
    let status = 503;
    while (status !== 200 && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await httpGet(port, '/get', 'httpbin:8000')).status;
    }
    assert.equal(status, 200);
    assert.ok(Date.now() - t0 >= 800, 'not un-ejected before the base ejection time');
  } finally {
    await mesh.close();
  }
});
