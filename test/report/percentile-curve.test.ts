// The service-time percentile distribution drawn by the HTML report: HdrHistogram's
// ladder (10 points per nine) read from the merged HDR histogram, as far as the
// sample count reaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHdr, encodeHdr, recordMs } from '../../src/load/latency.js';
import { percentileMs } from '../../src/report/hdr.js';
import { percentileCurve, percentileLadder } from '../../src/report/percentile-curve.js';

test('the ladder: 0, 50, 75, 90, 95, 99, 99.9 present; nothing past 1 - 1/count', () => {
  const l = percentileLadder(1000);
  for (const p of [0, 50, 75, 90, 95, 99, 99.9]) assert.ok(l.includes(p), `${p} in ${l.join(' ')}`);
  assert.equal(Math.max(...l), 99.9);
  assert.ok(l.every((p, i) => i === 0 || p > l[i - 1]), 'sorted, no duplicates');
  assert.ok(!l.some((p) => p > 49 && p < 50), '49.88 gives way to 50');
  // 10 points per nine: 90 -> 99 has 9 points strictly between.
  assert.equal(l.filter((p) => p > 90 && p < 99).length, 9); // 95 in place of 94.99
  const top30 = Math.max(...percentileLadder(30)); // 1 - 1/30 = 96.7 %: 97.5 and 99 are beyond the samples
  assert.ok(top30 >= 95 && top30 <= 100 - 100 / 30, String(top30));
  assert.deepEqual(percentileLadder(1), [0]);
});

test('the curve reads the merged HDR: 1..1000 ms uniform gives p50 ≈ 500 ms, p99 ≈ 990 ms', () => {
  const h = createHdr();
  for (let ms = 1; ms <= 1000; ms++) recordMs(h, ms);
  const curve = percentileCurve(encodeHdr(h));
  const at = (p: number) => curve.find((c) => c.p === p)?.ms;
  assert.equal(at(50), percentileMs(h, 50));
  assert.ok(Math.abs(at(50)! - 500) < 1, String(at(50)));
  assert.ok(Math.abs(at(99)! - 990) < 1, String(at(99)));
  assert.ok(curve.every((c, i) => i === 0 || c.ms >= curve[i - 1].ms), 'non-decreasing');
  assert.deepEqual(percentileCurve(''), []);
});
