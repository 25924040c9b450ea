// Admin server formats over a real loopback socket (spec §8 naming).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAdmin, type AdminServer } from '../../../src/mesh/admin.js';
import { StatsStore } from '../../../src/mesh/stats/store.js';
import { OutlierDetector } from '../../../src/mesh/outlier/detector.js';
import { RuntimeError } from '../../../src/errors.js';

const CL = 'outbound|8000||httpbin.default.svc.cluster.local';
let admin: AdminServer;
let base: string;
let detector: OutlierDetector;

before(async () => {
  const fortio = new StatsStore();
  const s = fortio.scope(
    `cluster.${CL}`,
    ['upstream_rq_pending_overflow', 'upstream_rq_pending_total', 'upstream_rq_pending_failure_eject', 'upstream_rq_total', 'upstream_rq_200', 'upstream_rq_2xx'],
    ['upstream_rq_pending_active', 'circuit_breakers.default.rq_pending_open', 'circuit_breakers.high.rq_pending_open', 'circuit_breakers.default.remaining_pending'],
  );
  s.upstream_rq_pending_overflow.inc(96);
  s.upstream_rq_pending_total.inc(87);
  s.upstream_rq_total.inc(87);
  s.upstream_rq_200.inc(80);
  s.upstream_rq_2xx.inc(80);
  s['circuit_breakers.default.remaining_pending'].set(1);
  fortio.counter('http.outbound_0.0.0.0_15001.no_route').inc(2);
  fortio.counter('http.outbound_0.0.0.0_15001.fault.aborts_injected').inc(3);
  fortio.counter('cluster.outbound|80||api.example.com.upstream_rq_total').inc(4);
  detector = new OutlierDetector(
    {
      consecutive5xx: 1, enforcingConsecutive5xx: 100, consecutiveGatewayFailure: 5, enforcingConsecutiveGatewayFailure: 0,
      splitExternalLocalOriginErrors: false, consecutiveLocalOriginFailure: 5, enforcingConsecutiveLocalOriginFailure: 100,
      intervalMs: 1000, baseEjectionTimeMs: 180_000, maxEjectionTimeMs: 300_000, maxEjectionPercent: 100, healthyPanicThreshold: 0,
    },
    ['httpbin-v1-0', 'httpbin-v1-1'],
    fortio,
    `cluster.${CL}`,
  );
  detector.putHttpResponseCode('httpbin-v1-1', 503);

  const sleep = new StatsStore();
  sleep.counter(`cluster.${CL}.upstream_rq_total`).inc(7);

  admin = await startAdmin({
    host: '127.0.0.1',
    port: 0,
    sidecars: [
      { workload: 'fortio-deploy', namespace: 'default', stats: fortio, clusters: () => [] },
      { workload: 'sleep', namespace: 'default', stats: sleep, clusters: () => [] },
    ],
    defaultSidecar: 'fortio-deploy',
    startedAt: performance.now(),
  });
  base = `http://127.0.0.1:${admin.port}`;
});

after(async () => {
  detector.close();
  await admin.close();
});

async function get(path: string): Promise<{ status: number; body: string; type: string }> {
  const r = await fetch(base + path);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
}

test('/stats | grep httpbin | grep pending looks like the seed (pilot-agent request GET stats)', async () => {
  const { status, body } = await get('/stats');
  assert.equal(status, 200);
  const lines = body.split('\n').filter((l) => l.includes('httpbin') && l.includes('pending'));
  assert.deepEqual(lines, [
    `cluster.${CL}.circuit_breakers.default.remaining_pending: 1`,
    `cluster.${CL}.circuit_breakers.default.rq_pending_open: 0`,
    `cluster.${CL}.circuit_breakers.high.rq_pending_open: 0`,
    `cluster.${CL}.upstream_rq_pending_active: 0`,
    `cluster.${CL}.upstream_rq_pending_failure_eject: 0`,
    `cluster.${CL}.upstream_rq_pending_overflow: 96`,
    `cluster.${CL}.upstream_rq_pending_total: 87`,
  ]);
  // Outlier stats live under the cluster too (spec §8).
  assert.match(body, new RegExp(`^cluster\\.${CL.replace(/[|.]/g, '\\$&')}\\.outlier_detection\\.ejections_active: 1$`, 'm'));
});

test('/stats?filter=REGEX and usedonly', async () => {
  const f = await get('/stats?filter=' + encodeURIComponent('pending_ov'));
  assert.equal(f.body, `cluster.${CL}.upstream_rq_pending_overflow: 96\n`);
  const u = await get('/stats?usedonly&filter=' + encodeURIComponent('circuit_breakers'));
  assert.equal(u.body, `cluster.${CL}.circuit_breakers.default.remaining_pending: 1\n`, 'unused gauges are left out');
  const bad = await get('/stats?filter=' + encodeURIComponent('('));
  assert.equal(bad.status, 400);
});

test('/stats?format=json', async () => {
  const { body, type } = await get('/stats?format=json&filter=pending_total');
  assert.match(type, /application\/json/);
  assert.deepEqual(JSON.parse(body), { stats: [{ name: `cluster.${CL}.upstream_rq_pending_total`, value: 87 }] });
});

test('?sidecar=NAME picks another sidecar; unknown names are a 404 listing the sidecars', async () => {
  const s = await get('/stats?sidecar=sleep');
  assert.equal(s.body, `cluster.${CL}.upstream_rq_total: 7\n`);
  const u = await get('/stats?sidecar=nope');
  assert.equal(u.status, 404);
  assert.match(u.body, /fortio-deploy, sleep/);
});

test('/stats/prometheus uses Istio stats_tags naming', async () => {
  const { body } = await get('/stats/prometheus');
  assert.match(body, /^# TYPE envoy_cluster_upstream_rq_pending_overflow counter$/m);
  assert.ok(body.includes(`envoy_cluster_upstream_rq_pending_overflow{cluster_name="${CL}"} 96\n`), body);
  assert.match(body, /^# TYPE envoy_cluster_upstream_rq_pending_active gauge$/m);
  assert.ok(body.includes(`envoy_cluster_upstream_rq{response_code="200",cluster_name="${CL}"} 80\n`));
  assert.ok(body.includes(`envoy_cluster_upstream_rq{response_code_class="2xx",cluster_name="${CL}"} 80\n`));
  assert.ok(body.includes('envoy_http_no_route{http_conn_manager_prefix="outbound_0.0.0.0_15001"} 2\n'));
  assert.ok(body.includes('envoy_http_fault_aborts_injected{http_conn_manager_prefix="outbound_0.0.0.0_15001"} 3\n'));
  assert.ok(body.includes('envoy_cluster_upstream_rq_total{cluster_name="outbound|80||api.example.com"} 4\n'));
  assert.ok(body.includes(`envoy_cluster_outlier_detection_ejections_active{cluster_name="${CL}"} 1\n`));
  // One TYPE line per family.
  assert.equal(body.match(/^# TYPE envoy_cluster_upstream_rq counter$/gm)?.length, 1);
});

// /clusters needs real clusters: test/mesh/admin/clusters.test.ts boots a mesh for it.

test('/server_info, /ready, /help, unknown paths', async () => {
  const info = JSON.parse((await get('/server_info')).body);
  assert.equal(info.state, 'LIVE');
  assert.match(info.node.id, /fortio-deploy\.default/);
  const ready = await get('/ready');
  assert.equal(ready.status, 200);
  assert.equal(ready.body, 'LIVE\n');
  const help = await get('/');
  assert.match(help.body, /\/stats\/prometheus/);
  assert.equal((await get('/nope')).status, 404);
});

test('admin port in use -> RuntimeError naming the address', async () => {
  await assert.rejects(
    startAdmin({ host: '127.0.0.1', port: admin.port, sidecars: [], defaultSidecar: 'x', startedAt: 0 }),
    (e: unknown) => e instanceof RuntimeError && e.message.includes(`127.0.0.1:${admin.port}`) && e.exitCode === 3,
  );
});
