// The seed's circuit-breaking check, end to end: a burst through the client sidecar,
// then `curl ADMIN/stats | grep httpbin | grep pending` (spec §10.1, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMeshThread } from '../../../src/mesh/thread.js';
import { httpGet, loadSeedMesh } from './helpers.js';

test('§10.1: overflowed requests show up as upstream_rq_pending_overflow in admin /stats', async () => {
  const config = await loadSeedMesh('httpbin-sleep.yaml', 'circuit-breaker.yaml');
  const mesh = await startMeshThread(config, { fromWorkload: 'sleep', seed: 3 });
  try {
    const port = mesh.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
    // 12 concurrent slow calls against maxConnections 1 / pending 1: most must overflow.
    const replies = await Promise.all(Array.from({ length: 12 }, () => httpGet(port, '/delay/0.2', 'httpbin:8000', 10_000)));
    const codes: Record<number, number> = {};
    for (const r of replies) codes[r.status] = (codes[r.status] ?? 0) + 1;
    assert.ok((codes[200] ?? 0) >= 1, JSON.stringify(codes));
    assert.ok((codes[503] ?? 0) >= 1, JSON.stringify(codes));
    const uo = replies.find((r) => r.status === 503)!;
    assert.equal(uo.body, 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
    assert.equal(uo.headers['x-envoy-overloaded'], 'true');

    const stats = await httpGet(mesh.adminPort, '/stats');
    const lines = stats.body.split('\n').filter((l) => l.includes('httpbin') && l.includes('pending'));
    const pre = 'cluster.outbound|8000||httpbin.default.svc.cluster.local.';
    // The seed's lines, in its order (sorted by name).
    const names = lines.map((l) => l.slice(0, l.indexOf(':', pre.length)));
    for (const want of [
      'circuit_breakers.default.rq_pending_open',
      'circuit_breakers.high.rq_pending_open',
      'upstream_rq_pending_active',
      'upstream_rq_pending_failure_eject',
      'upstream_rq_pending_overflow',
      'upstream_rq_pending_total',
    ]) {
      assert.ok(names.includes(pre + want), `missing ${want} in:\n${lines.join('\n')}`);
    }
    assert.deepEqual(names, [...names].sort());
    const overflow = Number(/upstream_rq_pending_overflow: (\d+)$/m.exec(stats.body)![1]);
    assert.ok(overflow >= 1 && overflow <= codes[503], `overflow ${overflow}, 503s ${codes[503]}`);
    // Legacy consecutiveErrors is ignored (spec §3.4): Envoy's default 5 consecutive 5xx, nothing ejected here.
    assert.match(stats.body, /outlier_detection\.ejections_active: 0$/m);
  } finally {
    await mesh.close();
  }
});
