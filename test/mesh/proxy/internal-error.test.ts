// A bug on the request path is visible, never swallowed: the client gets an empty
// 500 local reply (Envoy filters answer their own failures with
// sendLocalReply(InternalServerError, "")), the sidecar counts
// meshbench.internal_errors, the first error of a kind goes to stderr with its
// stack, and the listener keeps serving. The bug is injected the way a compiler
// bug would arrive: a real compiled MeshConfig with one field corrupted, served by
// a real Sidecar on 127.0.0.1 (no test hooks in the proxy).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HTTPBIN_V1_V2, meshOf, request, virtualService, withProxy } from './harness.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';

const H = 'http.outbound_0.0.0.0_8000';
const ERRORS = 'meshbench.internal_errors';
const C = 'cluster.outbound|8000|v1|httpbin.default.svc.cluster.local;';

/** Lines written to process.stderr while `fn` runs (the mesh logs there). */
async function stderrOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stderr.write;
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = write;
  }
  return text;
}

/** /get is fine; /broken has an abort whose percentage a buggy compiler left null. */
function brokenMesh(delay: string): MeshConfig {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - match: [{uri: {prefix: /broken}}]
    fault:${delay}
      abort: {httpStatus: 418, percentage: {value: 100}}
    route: [{destination: {host: httpbin, subset: v1}}]
  - route: [{destination: {host: httpbin, subset: v1}}]`),
  );
  const abort = cfg.virtualServices[0]!.http[0]!.fault!.abort!;
  (abort as { percentage: unknown }).percentage = null;
  return cfg;
}

test('an exception in the fault filter: empty 500 from envoy, counted, logged once with its stack, mesh keeps serving', async () => {
  let logged = '';
  await withProxy(brokenMesh(''), async (px, up) => {
    assert.equal(px.counter(ERRORS), 0, 'the counter exists from the start (admin /stats lists it)');
    logged = await stderrOf(async () => {
      for (let i = 0; i < 3; i++) {
        const r = await request(px.port, { path: '/broken' });
        assert.equal(r.status, 500);
        assert.equal(r.body, '');
        assert.equal(r.headers.server, 'envoy');
        assert.equal(r.headers['content-length'], '0');
      }
      // A POST reaches the filter from the body's end event: same bug, same reply.
      const post = await request(px.port, { path: '/broken', method: 'POST', body: 'x=1' });
      assert.equal(post.status, 500);
    });
    assert.equal(px.counter(ERRORS), 4);
    assert.equal(px.counter(`${H}.downstream_rq_5xx`), 4);
    assert.equal(px.gauge(`${H}.downstream_rq_active`), 0);
    assert.equal(up.seen.length, 0);
    // Other routes are unaffected.
    assert.equal((await request(px.port, { path: '/get' })).status, 200);
  });
  // Logged once (one kind), with the stack down to the fault filter.
  assert.equal(logged.match(/internal error on the request path/g)?.length, 1, logged);
  assert.match(logged, /sidecar sleep/);
  assert.match(logged, /TypeError: Cannot read properties of null \(reading 'numerator'\)/);
  assert.match(logged, /at percentHit .*random\.js/);
  assert.match(logged, /at drawAbort .*fault-filter\.js/);
});

test('an exception after a fault delay (timer callback): 500 as well, not an uncaught crash', async () => {
  await withProxy(brokenMesh(`
      delay: {fixedDelay: 10ms, percentage: {value: 100}}`), async (px) => {
    await stderrOf(async () => {
      const r = await request(px.port, { path: '/broken' });
      assert.equal(r.status, 500);
    });
    assert.equal(px.counter(ERRORS), 1);
    assert.equal(px.counter(`${H}.fault.delays_injected`), 1);
    assert.equal(px.gauge(`${H}.fault.active_faults`), 0);
  });
});


test('an exception on the upstream response path (socket callback): 500, counted, not an upstream protocol error', async () => {
  const cfg = meshOf(
    HTTPBIN_V1_V2 +
      virtualService(`  - route: [{destination: {host: httpbin, subset: v1}}]
    headers: {response: {set: {x-a: b}}}`),
  );
  // Header ops a buggy compiler left without their remove list.
  (cfg.virtualServices[0]!.http[0]!.headers!.response as { remove: unknown }).remove = null;
  await withProxy(cfg, async (px, up) => {
    const logged = await stderrOf(async () => {
      const r = await request(px.port);
      assert.equal(r.status, 500);
      assert.equal(r.body, '');
    });
    assert.match(logged, /at applyResponseOps .*header-ops\.js/);
    assert.match(logged, /at Router\.onUpstreamHeaders /);
    assert.equal(up.seen.length, 1, 'not retried');
    assert.equal(px.counter(ERRORS), 1);
    // The upstream answered fine: no reset, no protocol error, no 502.
    assert.equal(px.counter(`${C}.upstream_rq_rx_reset`), 0);
    assert.equal(px.counter(`${C}.upstream_rq_200`), 1);
    assert.equal(px.maybeCounter(`${C}.upstream_rq_502`), undefined);
  });
});
