// Mirror capture (docs/mirror-diff.md): the sidecar keeps the shadow's response
// beside the primary's, paired by x-request-id, bounded, never delaying the
// primary. Real sidecar, real upstream sockets on 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MirrorPair } from '../../../src/mesh/api.js';
import { CaptureSampler } from '../../../src/mesh/router/mirror-capture.js';
import { HTTPBIN_V1_V2, meshOf, request, sleep, virtualService, withProxy, type Proxy } from './harness.js';

const MIRRORED = meshOf(
  HTTPBIN_V1_V2 +
    virtualService(`  - route: [{destination: {host: httpbin, subset: v1}}]
    mirror: {host: httpbin, subset: v2}
    mirrorPercentage: {value: 100.0}`),
  '1.27', // the `-shadow` suffix is part of what is compared below
);

/** Takes pairs until `n` have arrived (shadows finish after the primary answered). */
async function takeAtLeast(px: Proxy, n: number): Promise<{ pairs: MirrorPair[]; skipped: number }> {
  const pairs: MirrorPair[] = [];
  let skipped = 0;
  for (let i = 0; i < 200 && pairs.length < n; i++) {
    const t = px.sidecar.mirrorCapture!.take();
    pairs.push(...t.pairs);
    skipped += t.skipped;
    if (pairs.length < n) await sleep(5);
  }
  return { pairs, skipped };
}

const echoed = (r: { body: string }) => JSON.parse(r.body) as { pod: string; headers: Record<string, string> };

test('each mirrored request yields one pair: primary and shadow answers under the same x-request-id', async () => {
  await withProxy(MIRRORED, async (px) => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await request(px.port, { path: `/headers?i=${i}` });
      assert.equal(r.status, 200);
      ids.push(echoed(r).headers['x-request-id']!);
    }
    const { pairs, skipped } = await takeAtLeast(px, 4);
    assert.equal(skipped, 0);
    assert.deepEqual(pairs.map((p) => p.requestId).sort(), [...ids].sort());
    for (const p of pairs) {
      assert.equal(p.workload, 'sleep');
      assert.match(p.path, /^\/headers\?i=\d$/);
      assert.equal(p.primary.status, 200);
      assert.equal(p.shadow.status, 200);
      assert.equal(p.primary.error, undefined);
      assert.equal(p.shadow.error, undefined);
      assert.equal(p.replay, undefined);
      const primary = echoed(p.primary);
      const shadow = echoed(p.shadow);
      assert.equal(primary.pod, 'httpbin-v1-0');
      assert.equal(shadow.pod, 'httpbin-v2-0');
      assert.equal(shadow.headers.host, 'httpbin-shadow:8000');
      assert.equal(primary.headers['x-request-id'], p.requestId);
      assert.equal(shadow.headers['x-request-id'], p.requestId);
      // The app's own headers, as the upstream sent them (before Envoy's server rewrite).
      const ct = p.shadow.headers.indexOf('content-type');
      assert.equal(p.shadow.headers[ct + 1], 'application/json');
      assert.equal(p.primary.headers[p.primary.headers.indexOf('server') + 1], 'upstream');
      assert.ok(p.primary.latencyMs > 0 && p.shadow.latencyMs > 0);
    }
    assert.deepEqual(px.sidecar.mirrorCapture!.take(), { pairs: [], skipped: 0 }, 'take() empties the buffer');
  }, { mirrorCapture: {} });
});

test('no capture unless asked for: the sidecar keeps nothing', async () => {
  await withProxy(MIRRORED, async (px) => {
    assert.equal((await request(px.port, { path: '/headers' })).status, 200);
    assert.equal(px.sidecar.mirrorCapture, undefined);
  });
});

test('bounds: bodies cut at bodyCap, requests beyond maxInFlight or maxPairs skipped and counted', async () => {
  await withProxy(MIRRORED, async (px) => {
    assert.equal((await request(px.port, { path: '/headers' })).status, 200);
    const [p] = (await takeAtLeast(px, 1)).pairs;
    assert.equal(p!.primary.body.length, 16);
    assert.equal(p!.primary.truncated, true);
    assert.equal(p!.shadow.truncated, true);
    // Four at once, one may be open: the primaries all succeed, three are not captured.
    const rs = await Promise.all([0, 1, 2, 3].map(() => request(px.port, { path: '/delay/60' })));
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 200]);
    const t = await takeAtLeast(px, 1);
    assert.equal(t.pairs.length, 1);
    assert.equal(t.skipped, 3);
  }, { mirrorCapture: { bodyCap: 16, maxInFlight: 1 } });
  await withProxy(MIRRORED, async (px) => {
    for (let i = 0; i < 4; i++) assert.equal((await request(px.port, { path: '/headers' })).status, 200);
    await sleep(50);
    const t = px.sidecar.mirrorCapture!.take();
    assert.equal(t.pairs.length, 2);
    assert.equal(t.skipped, 2);
  }, { mirrorCapture: { maxPairs: 2 } });
});

test('a failed shadow is recorded as an error, the primary unaffected; replays go to the primary with its own Host', async () => {
  await withProxy(MIRRORED, async (px, up) => {
    up.handlers.set('httpbin-v2-0', (_req, res) => res.socket?.destroy());
    for (let i = 0; i < 3; i++) assert.equal((await request(px.port, { path: '/headers' })).status, 200);
    const { pairs } = await takeAtLeast(px, 3);
    assert.equal(pairs.length, 3);
    for (const p of pairs) {
      assert.equal(p.primary.error, undefined);
      assert.equal(typeof p.shadow.error, 'string');
      assert.ok(p.replay, 'replayPercent 100: every captured request is replayed');
      assert.equal(p.replay.error, undefined);
      const replay = echoed(p.replay);
      assert.equal(replay.pod, 'httpbin-v1-0');
      assert.equal(replay.headers.host, 'httpbin:8000');
      assert.equal(replay.headers['x-request-id'], p.requestId);
    }
    assert.equal(up.count('httpbin-v1-0'), 6, 'three primaries and three replays');
  }, { mirrorCapture: { replayPercent: 100 } });
});

test('sampling under load: a token bucket admits ratePerSecond captures (burst at once); the rest are counted, not captured', async () => {
  let now = 0;
  let reads = 0;
  const s = new CaptureSampler(100, 3, () => (reads++, now));
  assert.deepEqual([s.admit(), s.admit(), s.admit()], [true, true, true], 'the burst');
  assert.equal(reads, 1, 'admitting from a full bucket reads no clock');
  assert.equal(s.admit(), false, 'empty');
  assert.equal(reads, 2);
  now += 10; // 10 ms at 100/s: one token, seen at the next clock read (the 16th refused request)
  const next = Array.from({ length: CaptureSampler.CLOCK_EVERY }, () => s.admit());
  assert.deepEqual(next, [...Array<boolean>(CaptureSampler.CLOCK_EVERY - 1).fill(false), true]);
  assert.equal(reads, 3, 'refused requests read the clock once in 16');
  now += 1000; // a quiet second refills up to the burst, not beyond
  assert.deepEqual([s.admit(), s.admit(), s.admit(), s.admit()], [true, true, true, false]);
  const open = new CaptureSampler(0, 0, () => now);
  assert.ok([1, 2, 3, 4, 5].every(() => open.admit()), 'rate 0: no limit');
  // In a sidecar: one capture a minute, four requests back to back: one pair, three skipped, every primary served.
  await withProxy(MIRRORED, async (px) => {
    for (let i = 0; i < 4; i++) assert.equal((await request(px.port, { path: '/headers' })).status, 200);
    const t = await takeAtLeast(px, 1);
    await sleep(30);
    const rest = px.sidecar.mirrorCapture!.take();
    assert.equal(t.pairs.length + rest.pairs.length, 1);
    assert.equal(t.skipped + rest.skipped, 3);
  }, { mirrorCapture: { ratePerSecond: 1 / 60, burst: 1 } });
});
