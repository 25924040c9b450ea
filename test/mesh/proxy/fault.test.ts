// Fault filter (spec §2.7): delay then abort with independent draws, abort local
// reply `fault filter abort`, never retried, no cluster stats; the delay is not
// counted in the route timeout; a client disconnect cancels a delay.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { CLIENT, meshOf, request, service, sleep, startSidecar, Upstreams, virtualService, withProxy, workload } from './harness.js';

const vs = (http: string): string => CLIENT + workload('httpbin-v1', 'httpbin', 'v1') + service('httpbin') + virtualService(http);
const C = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';
const H = 'http.outbound_0.0.0.0_8000';

test('abort 100%: local reply with status and exact body, not retried, no cluster stats', async () => {
  const cfg = meshOf(
    vs(`  - fault: {abort: {httpStatus: 555, percentage: {value: 100}}}
    route: [{destination: {host: httpbin}}]
    retries: {attempts: 3, retryOn: 5xx}`),
  );
  await withProxy(cfg, async (px, up) => {
    const r = await request(px.port);
    assert.equal(r.status, 555);
    assert.equal(r.body, 'fault filter abort');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(r.headers.server, 'envoy');
    assert.equal(r.headers['x-envoy-upstream-service-time'], undefined);
    assert.equal(up.seen.length, 0);
    assert.equal(px.counter(`${H}.fault.aborts_injected`), 1);
    assert.equal(px.counter(`${C}.upstream_rq_retry`), 0);
    assert.equal(px.maybeCounter(`${C}.upstream_rq_555`), undefined, "no upstream code is charged for an abort");
  });
});

test('delay 100%: held for fixedDelay; the route timeout does not include it', async () => {
  const cfg = meshOf(
    vs(`  - fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}
    timeout: 200ms
    route: [{destination: {host: httpbin}}]`),
  );
  await withProxy(cfg, async (px) => {
    const r = await request(px.port);
    assert.equal(r.status, 200);
    assert.ok(r.ms >= 290, `took ${r.ms}`);
    // service time excludes the delay
    assert.ok(Number(r.headers['x-envoy-upstream-service-time']) < 200);
    assert.equal(px.counter(`${H}.fault.delays_injected`), 1);
    assert.equal(px.gauge(`${H}.fault.active_faults`), 0);
  });
});

test('partial delay and abort: independent draws near the configured percentages (seeded)', async () => {
  const cfg = meshOf(
    vs(`  - fault:
      delay: {fixedDelay: 1ms, percentage: {value: 50}}
      abort: {httpStatus: 503, percentage: {value: 30}}
    route: [{destination: {host: httpbin}}]`),
  );
  const up = await Upstreams.start(cfg);
  const px = await startSidecar(cfg, up, { seed: 3 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const N = 300;
    let aborted = 0;
    const rs = await Promise.all(Array.from({ length: N }, () => request(px.port, { agent })));
    for (const r of rs) if (r.status === 503) aborted++;
    const delays = px.counter(`${H}.fault.delays_injected`);
    assert.equal(px.counter(`${H}.fault.aborts_injected`), aborted);
    assert.equal(up.seen.length, N - aborted);
    // 30 % of 300 = 90 (sd 8); 50 % = 150 (sd 9): 4 sd.
    assert.ok(aborted > 58 && aborted < 122, `aborted ${aborted}`);
    assert.ok(delays > 114 && delays < 186, `delayed ${delays}`);
  } finally {
    agent.destroy();
    await px.close();
    await up.close();
  }
});

test('legacy percent and no percentage: a delay without percentage never fires', async () => {
  const cfg = meshOf(
    vs(`  - fault: {abort: {httpStatus: 500}}
    route: [{destination: {host: httpbin}}]`),
  );
  await withProxy(cfg, async (px) => {
    assert.equal((await request(px.port)).status, 200);
  });
});

test('client disconnect during a delay cancels it: nothing reaches the upstream', async () => {
  const cfg = meshOf(
    vs(`  - fault: {delay: {fixedDelay: 400ms, percentage: {value: 100}}}
    route: [{destination: {host: httpbin}}]`),
  );
  await withProxy(cfg, async (px, up) => {
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: px.port, path: '/get', headers: { host: 'httpbin:8000' }, agent: false });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await sleep(100);
    assert.equal(px.gauge(`${H}.fault.active_faults`), 0);
    await sleep(400);
    assert.equal(up.seen.length, 0);
    assert.equal(px.counter(`${H}.fault.delays_injected`), 1);
  });
});
