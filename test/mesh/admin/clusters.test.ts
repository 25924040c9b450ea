// The admin /clusters page of a real booted mesh, in Envoy's text format
// (admin clusters_handler.cc writeClustersAsText): every line is
// `<cluster>::<field>::<value>` or `<cluster>::<ip:port>::<field>::<value>`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMesh } from '../../../src/mesh/mesh.js';
import { httpGet, loadMesh } from '../boot/helpers.js';

const CL = 'outbound|8000||httpbin.default.svc.cluster.local';

test('/clusters of a booted mesh: limits, outlier lines, per-host stats and health flags in Envoy order', async () => {
  // DR: maxConnections 1, http1MaxPendingRequests 1, maxRequestsPerConnection 1, outlier detection
  // (its consecutiveErrors is ignored, Istio 1.7+, so Envoy's default 5 consecutive 5xx applies).
  const mesh = await startMesh(await loadMesh('httpbin-sleep.yaml', 'circuit-breaker.yaml'), { fromWorkload: 'sleep' });
  try {
    const port = mesh.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
    const pod = mesh.instances.find((i) => i.pod === 'httpbin-0')!.port;
    for (let i = 0; i < 3; i++) assert.equal((await httpGet(port, '/get', 'httpbin:8000')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await httpGet(port, '/status/503', 'httpbin:8000')).status, 503);
    // maxRequestsPerConnection 1: each connection closes after its one request; wait for the last.
    for (let i = 0; i < 100; i++) {
      const g = await httpGet(mesh.adminPort, `/stats?filter=${encodeURIComponent('httpbin.*upstream_cx_active$')}`);
      if (g.body === `cluster.${CL}.upstream_cx_active: 0\n`) break;
      await new Promise((r) => setTimeout(r, 20));
    }

    const r = await httpGet(mesh.adminPort, '/clusters');
    assert.equal(r.status, 200);
    const lines = r.body.split('\n').filter((l) => l.startsWith(`${CL}::`));
    const h = `${CL}::127.0.0.1:${pod}`;
    assert.deepEqual(lines, [
      `${CL}::observability_name::${CL}`,
      `${CL}::outlier::success_rate_average::-1`,
      `${CL}::outlier::success_rate_ejection_threshold::-1`,
      `${CL}::outlier::local_origin_success_rate_average::-1`,
      `${CL}::outlier::local_origin_success_rate_ejection_threshold::-1`,
      `${CL}::default_priority::max_connections::1`,
      `${CL}::default_priority::max_pending_requests::1`,
      `${CL}::default_priority::max_requests::4294967295`,
      `${CL}::default_priority::max_retries::4294967295`,
      `${CL}::high_priority::max_connections::1024`,
      `${CL}::high_priority::max_pending_requests::1024`,
      `${CL}::high_priority::max_requests::1024`,
      `${CL}::high_priority::max_retries::3`,
      `${CL}::added_via_api::true`,
      // Host stats sorted by name: one connection per request, 3 successes, 5 errors.
      `${h}::cx_active::0`,
      `${h}::cx_connect_fail::0`,
      `${h}::cx_total::8`,
      `${h}::rq_active::0`,
      `${h}::rq_error::5`,
      `${h}::rq_success::3`,
      `${h}::rq_timeout::0`,
      `${h}::rq_total::8`,
      `${h}::hostname::httpbin-0`,
      // The fifth consecutive 5xx ejected the only host.
      `${h}::health_flags::/failed_outlier_check`,
      `${h}::weight::1`,
      `${h}::region::`,
      `${h}::zone::`,
      `${h}::sub_zone::`,
      `${h}::canary::false`,
      `${h}::priority::0`,
      `${h}::success_rate::-1`,
      `${h}::local_origin_success_rate::-1`,
    ]);

    // Another sidecar has its own clusters (warm from CDS, nothing sent): same host, zero stats, healthy.
    const other = await httpGet(mesh.adminPort, '/clusters?sidecar=meshbench');
    assert.ok(other.body.includes(`${h}::cx_active::0\n${h}::cx_connect_fail::0\n${h}::cx_total::0\n`), other.body);
    assert.ok(other.body.includes(`${h}::rq_total::0\n${h}::hostname::httpbin-0\n${h}::health_flags::healthy\n`), other.body);
  } finally {
    await mesh.close();
  }
});

test('/clusters host stats: per-try timeouts count as rq_timeout and rq_error, retried or not', async () => {
  const mesh = await startMesh(await loadMesh('httpbin-sleep.yaml', 'per-try-timeout.yaml'), { fromWorkload: 'sleep' });
  try {
    const port = mesh.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
    const pod = mesh.instances.find((i) => i.pod === 'httpbin-0')!.port;
    const r = await httpGet(port, '/delay/1', 'httpbin:8000');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    const h = `${CL}::127.0.0.1:${pod}`;
    const body = (await httpGet(mesh.adminPort, '/clusters')).body;
    const stats = body.split('\n').filter((l) => /::(rq_[a-z_]+)::/.test(l) && l.startsWith(h));
    assert.deepEqual(stats, [`${h}::rq_active::0`, `${h}::rq_error::2`, `${h}::rq_success::0`, `${h}::rq_timeout::2`, `${h}::rq_total::2`]);
    // No outlier detection configured: no outlier lines, and the host stays healthy.
    assert.ok(!body.includes(`${CL}::outlier::`), body);
    assert.ok(body.includes(`${h}::health_flags::healthy\n`), body);
  } finally {
    await mesh.close();
  }
});
