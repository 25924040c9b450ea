// The per-second series of a step (src/scenario/timeline.ts): one sample per whole
// second crossed by the live snapshots, increments not totals, and the final
// remainder folded in so every series sums to the step's totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perSecond, timelineBucket, TimelineRecorder } from '../../src/scenario/timeline.js';
import { latency, snapshot } from './fixtures.js';

const COUNTER = 'upstream_rq_pending_overflow';

function tick(r: TimelineRecorder, ms: number, calls: number, ok: number, bad: number, overflow: number, v1: number, windowP99 = 5): void {
  r.tick(snapshot({ elapsedMs: ms, calls, codes: { '200': ok, '503': bad }, window: latency(1, 2, windowP99, windowP99, 3) }), {
    counters: { [COUNTER]: overflow, upstream_rq_total: ok },
    perVersion: { 'httpbin v1': v1 },
  });
}

test('one sample per second crossed, holding the increments of that second', () => {
  const r = new TimelineRecorder();
  tick(r, 250, 10, 10, 0, 0, 10);
  tick(r, 500, 20, 20, 0, 0, 20, 9);
  tick(r, 1000, 40, 35, 5, 5, 35);
  tick(r, 1250, 50, 45, 5, 5, 45);
  tick(r, 2000, 80, 70, 10, 10, 70);
  const s = r.finish({ calls: 80, codes: { '200': 70, '503': 10 }, counters: { [COUNTER]: 10 }, perVersion: { 'httpbin v1': 70 } }, 2);
  assert.equal(s.length, 2);
  assert.deepEqual(
    s.map((x) => [x.t, x.calls, x.qps, x.codes, x.counters, x.perVersion]),
    [
      [1, 40, 40, { '200': 35, '503': 5 }, { [COUNTER]: 5 }, { 'httpbin v1': 35 }],
      [2, 40, 40, { '200': 35, '503': 5 }, { [COUNTER]: 5 }, { 'httpbin v1': 35 }],
    ],
  );
  // Only the drawn counters are kept (upstream_rq_total is not one of them).
  assert.equal(s[0].counters.upstream_rq_total, undefined);
  // The slowest window of the second, the newest window's percentiles.
  assert.equal(s[0].max, latency(1, 2, 9, 9, 3).max);
  assert.equal(s[0].p99, 5);
});

test('what the ticks had not seen yet (late responses, the last mesh poll) goes into the last sample', () => {
  const r = new TimelineRecorder();
  tick(r, 1000, 30, 30, 0, 0, 28);
  tick(r, 1900, 55, 50, 5, 3, 50);
  const s = r.finish({ calls: 60, codes: { '200': 52, '503': 8 }, counters: { [COUNTER]: 8 }, perVersion: { 'httpbin v1': 52 } }, 1.95);
  assert.equal(s.length, 2);
  assert.deepEqual(s[1].codes, { '200': 22, '503': 8 });
  assert.deepEqual(s[1].counters, { [COUNTER]: 8 });
  assert.equal(s[1].calls, 30);
  assert.equal(s[1].t, 1.95); // the step's end, not the last tick's
  assert.equal(s[1].qps, 31.579); // 30 calls over 0.95 s
  const sum = (k: string) => s.reduce((a, x) => a + (x.codes[k] ?? 0), 0);
  assert.equal(sum('200'), 52);
  assert.equal(sum('503'), 8);
  assert.equal(s.reduce((a, x) => a + x.calls, 0), 60);
});

test('a step shorter than a second still has one sample, from the final totals', () => {
  const r = new TimelineRecorder();
  tick(r, 90, 30, 25, 5, 5, 25);
  const s = r.finish({ calls: 30, codes: { '200': 25, '503': 5 }, counters: { [COUNTER]: 5 }, perVersion: { 'httpbin v1': 25 } }, 0.1);
  assert.equal(s.length, 1);
  assert.equal(s[0].t, 0.1);
  assert.equal(s[0].calls, 30);
  assert.equal(s[0].qps, 300);
  assert.deepEqual(s[0].codes, { '200': 25, '503': 5 });
});

test('a remainder just after the last sample (no tick since) is folded into it, not a sliver of its own', () => {
  const r = new TimelineRecorder();
  tick(r, 1000, 40, 40, 0, 0, 40);
  tick(r, 2000, 80, 76, 4, 4, 76);
  const s = r.finish({ calls: 84, codes: { '200': 78, '503': 6 }, counters: { [COUNTER]: 6 }, perVersion: { 'httpbin v1': 78 } }, 2.05);
  assert.equal(s.length, 2);
  assert.equal(s[1].t, 2);
  assert.equal(s[1].calls, 44);
  assert.equal(s[1].qps, 44);
  assert.deepEqual(s[1].codes, { '200': 38, '503': 6 });
  assert.deepEqual(s[1].counters, { [COUNTER]: 6 });
  assert.deepEqual(s[1].perVersion, { 'httpbin v1': 38 });
});

test('short steps: 100 ms samples, so a half-second step draws a curve, not one point', () => {
  assert.equal(timelineBucket({ exactly: 0, durationMs: 500 }), 0.1);
  assert.equal(timelineBucket({ exactly: 0, durationMs: 4999 }), 0.1);
  assert.equal(timelineBucket({ exactly: 0, durationMs: 5000 }), 1);
  assert.equal(timelineBucket({ exactly: 60, durationMs: 30_000 }), 0.1, 'a count step: its length is unknown until it ends');
  const r = new TimelineRecorder(0.1);
  for (let i = 1; i <= 5; i++) tick(r, 100 * i + 2, 10 * i, 9 * i, i, i, 9 * i);
  const s = r.finish({ calls: 50, codes: { '200': 45, '503': 5 }, counters: { [COUNTER]: 5 }, perVersion: { 'httpbin v1': 45 } }, 0.5);
  assert.deepEqual(s.map((x) => x.t), [0.102, 0.202, 0.302, 0.402, 0.502]);
  assert.deepEqual(s.map((x) => x.calls), [10, 10, 10, 10, 10]);
  assert.deepEqual(s.map((x) => x.counters[COUNTER]), [1, 1, 1, 1, 1]);
  assert.ok(Math.abs(s[1]!.qps - 100) < 1e-9, String(s[1]!.qps));
});

test('a fine-grained step that ran 5 s or more is merged into whole seconds at the end, totals kept', () => {
  const r = new TimelineRecorder(0.1);
  // 6 s, a tick every 250 ms, 10 calls per tick, one 503 per second.
  for (let i = 1; i <= 24; i++) tick(r, 250 * i, 10 * i, 10 * i - Math.floor(i / 4), Math.floor(i / 4), 0, 10 * i, i);
  const s = r.finish({ calls: 240, codes: { '200': 234, '503': 6 }, counters: {}, perVersion: { 'httpbin v1': 240 } }, 6);
  assert.deepEqual(s.map((x) => x.t), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.map((x) => x.calls), [40, 40, 40, 40, 40, 40]);
  assert.deepEqual(s.map((x) => x.qps), [40, 40, 40, 40, 40, 40]);
  assert.deepEqual(s.map((x) => x.codes['503']), [1, 1, 1, 1, 1, 1]);
  assert.equal(s[0]!.p99, 4, "the newest window's percentile in that second");
  assert.equal(s[0]!.max, latency(1, 2, 4, 4, 3).max, 'the slowest window of the second');
  assert.deepEqual(perSecond([]), []);
});
