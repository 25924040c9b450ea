import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FortioHistogram, FortioRunHistograms } from '../../src/load/fortio-histogram.js';
import { defaultLoadOptions } from '../../src/load/flags.js';
import { exportFortioHistogram, FORTIO_BUCKET_BOUNDS, FORTIO_NUM_BUCKETS } from '../../src/report/fortio-histogram.js';

test('buckets are right-closed; <= 0 goes to bucket 0; overflow bucket above 100000', () => {
  const h = new FortioHistogram(0, 0.001);
  assert.equal(h.bucketIndex(-5), 0);
  assert.equal(h.bucketIndex(0), 0);
  assert.equal(h.bucketIndex(0.0005), 1); // (0, 1]
  assert.equal(h.bucketIndex(0.001), 1); // exactly on the bound: stays in (0, 1]
  assert.equal(h.bucketIndex(0.0010001), 2);
  assert.equal(h.bucketIndex(0.012), 12); // (11, 12]
  assert.equal(h.bucketIndex(0.0125), 13); // (12, 14]
  assert.equal(h.bucketIndex(0.014), 13);
  assert.equal(h.bucketIndex(1.0), FORTIO_BUCKET_BOUNDS.indexOf(1000));
  assert.equal(h.bucketIndex(1.5), FORTIO_BUCKET_BOUNDS.indexOf(2000));
  assert.equal(h.bucketIndex(7.5), FORTIO_BUCKET_BOUNDS.indexOf(7500));
  assert.equal(h.bucketIndex(7.6), FORTIO_BUCKET_BOUNDS.indexOf(10000));
  assert.equal(h.bucketIndex(100), FORTIO_BUCKET_BOUNDS.indexOf(100000));
  assert.equal(h.bucketIndex(100.1), FORTIO_NUM_BUCKETS - 1);
  // offset shifts the scale (fortio's sleep histogram uses offset -0.001, divider 0.001)
  const s = new FortioHistogram(-0.001, 0.001);
  assert.equal(s.bucketIndex(-0.001), 0);
  assert.equal(s.bucketIndex(-0.0005), 1);
  assert.equal(s.bucketIndex(0), 1);
});

test('mergeState of per-thread states equals recording everything in one histogram', () => {
  const all = new FortioHistogram(0, 0.001);
  const parts = [new FortioHistogram(0, 0.001), new FortioHistogram(0, 0.001), new FortioHistogram(0, 0.001)];
  let x = 12345;
  for (let i = 0; i < 3000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = (x / 2147483648) * 0.2;
    all.record(v);
    parts[i % 3]!.record(v);
  }
  const merged = new FortioHistogram(0, 0.001);
  merged.mergeState(new FortioHistogram(0, 0.001).toState()); // empty merge is a no-op
  for (const p of parts) merged.mergeState(structuredClone(p.toState()));
  const a = exportFortioHistogram(all.toState(), [50, 99]);
  const m = exportFortioHistogram(merged.toState(), [50, 99]);
  assert.deepEqual(m.Data, a.Data);
  assert.equal(m.Count, 3000);
  assert.equal(m.Min, a.Min);
  assert.equal(m.Max, a.Max);
  assert.ok(Math.abs(m.Sum - a.Sum) < 1e-9);
  assert.ok(Math.abs(m.StdDev - a.StdDev) < 1e-12);
  const round = new FortioHistogram(0, 0.001);
  round.mergeState(merged.toState());
  assert.deepEqual(round.toState(), merged.toState());
  round.reset();
  assert.equal(exportFortioHistogram(round.toState(), [50]).Data.length, 0);
  assert.equal(round.toState().buckets.reduce((s, c) => s + c, 0), 0);
});

test('divider must be positive', () => {
  assert.throws(() => new FortioHistogram(0, 0), RangeError);
});

test('a state carries its scale: merging a state of another scale is refused', () => {
  const runs = new FortioRunHistograms({ ...defaultLoadOptions('http://x/'), offsetMs: 0, resolution: 0.001 });
  runs.sizes.record(140);
  const s = runs.sizes.toState();
  assert.deepEqual([s.offset, s.divider], [0, 100]);
  assert.deepEqual([runs.sleepTimes.toState().offset, runs.sleepTimes.toState().divider], [-0.001, 0.001]);
  assert.throws(() => runs.duration.mergeState(s), RangeError);
  assert.deepEqual(exportFortioHistogram(s, []).Data, [{ Start: 140, End: 140, Percent: 100, Count: 1 }]);
});
