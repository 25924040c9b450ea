import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FortioHistogram } from '../../src/load/fortio-histogram.js';
import {
  calcPercentile,
  exportFortioHistogram,
  FORTIO_BUCKET_BOUNDS,
  FORTIO_NUM_BUCKETS,
  type FortioHistogramData,
} from '../../src/report/fortio-histogram.js';
import { goG, goGPrec, goF } from '../../src/report/go-format.js';

/** Render rows and targets exactly as fortio's HistogramData.Print does. */
function rows(d: FortioHistogramData): string[] {
  const out = d.Data.map(
    (b, i) => `${i === 0 ? '>=' : '>'} ${goGPrec(b.Start, 6)} <= ${goGPrec(b.End, 6)} , ${goGPrec((b.Start + b.End) / 2, 6)} , ${goF(b.Percent, 2)}, ${b.Count}`,
  );
  for (const p of d.Percentiles ?? []) out.push(`# target ${goG(p.Percentile)}% ${goGPrec(p.Value, 6)}`);
  return out;
}

test('bucket bounds are fortio histogramBucketValues (peers.md §2.2)', () => {
  assert.equal(FORTIO_BUCKET_BOUNDS.length, 56);
  assert.equal(FORTIO_NUM_BUCKETS, 57);
  assert.deepEqual(FORTIO_BUCKET_BOUNDS.slice(0, 17), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20]);
  assert.deepEqual(FORTIO_BUCKET_BOUNDS.slice(-12), [2000, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 40000, 50000, 75000, 100000]);
});

test('seed run 1 (fortio 1.11.3, -c 2 -n 20): rows and # target lines', () => {
  // A sample set with the seed's bucket counts, min and max (seed lines 399-414).
  const values = [
    0.000407863, 0.0005, 0.0006, 0.0008, // (min, 0.001]
    0.0021, 0.0022, 0.0025, 0.0027, 0.0029, // (0.002, 0.003]
    0.0035, // (0.003, 0.004]
    0.0041, 0.0048, // (0.004, 0.005]
    0.0055, // (0.005, 0.006]
    0.0061, 0.0063, 0.0068, // (0.006, 0.007]
    0.0095, // (0.009, 0.01]
    0.0102, 0.0108, // (0.01, 0.011]
    0.015076906, // (0.014, max]
  ];
  const h = new FortioHistogram(0, 0.001);
  for (const v of values) h.record(v);
  const d = exportFortioHistogram(h.toState(), [50, 75, 90, 99, 99.9]);
  assert.equal(d.Count, 20);
  assert.equal(goG(d.Min), '0.000407863');
  assert.equal(goG(d.Max), '0.015076906');
  assert.deepEqual(rows(d), [
    '>= 0.000407863 <= 0.001 , 0.000703932 , 20.00, 4',
    '> 0.002 <= 0.003 , 0.0025 , 45.00, 5',
    '> 0.003 <= 0.004 , 0.0035 , 50.00, 1',
    '> 0.004 <= 0.005 , 0.0045 , 60.00, 2',
    '> 0.005 <= 0.006 , 0.0055 , 65.00, 1',
    '> 0.006 <= 0.007 , 0.0065 , 80.00, 3',
    '> 0.009 <= 0.01 , 0.0095 , 85.00, 1',
    '> 0.01 <= 0.011 , 0.0105 , 95.00, 2',
    '> 0.014 <= 0.0150769 , 0.0145385 , 100.00, 1',
    '# target 50% 0.004',
    '# target 75% 0.00666667',
    '# target 90% 0.0105',
    '# target 99% 0.0148615',
    '# target 99.9% 0.0150554',
  ]);
});

test('seed run 2 (fortio 1.11.3, -c 3 -n 30): rows and # target lines', () => {
  const values = [
    0.00024028, 0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.00095, // 9 in (min, 0.001]
    0.0015, // (0.001, 0.002]
    ...Array.from({ length: 11 }, (_, i) => 0.0021 + i * 0.00008), // 11 in (0.002, 0.003]
    0.0031, 0.0033, 0.0035, 0.0037, // (0.003, 0.004]
    0.0045,
    0.0065,
    0.0075,
    0.0085,
    0.021725863,
  ];
  const h = new FortioHistogram(0, 0.001);
  for (const v of values) h.record(v);
  const d = exportFortioHistogram(h.toState(), [50, 75, 90, 99, 99.9]);
  assert.deepEqual(rows(d), [
    '>= 0.00024028 <= 0.001 , 0.00062014 , 30.00, 9',
    '> 0.001 <= 0.002 , 0.0015 , 33.33, 1',
    '> 0.002 <= 0.003 , 0.0025 , 70.00, 11',
    '> 0.003 <= 0.004 , 0.0035 , 83.33, 4',
    '> 0.004 <= 0.005 , 0.0045 , 86.67, 1',
    '> 0.006 <= 0.007 , 0.0065 , 90.00, 1',
    '> 0.007 <= 0.008 , 0.0075 , 93.33, 1',
    '> 0.008 <= 0.009 , 0.0085 , 96.67, 1',
    '> 0.02 <= 0.0217259 , 0.0208629 , 100.00, 1',
    '# target 50% 0.00245455',
    '# target 75% 0.003375',
    '# target 90% 0.007',
    '# target 99% 0.0212081',
    '# target 99.9% 0.0216741',
  ]);
});

test('peers.md §2.5 worked example: function time, error cases, header sizes', () => {
  const lat = [0.000412, 0.00052, 0.00061, 0.0007, 0.00081, 0.00095, 0.00118, 0.00142, 0.00171, 0.00213];
  const h = new FortioHistogram(0, 0.001);
  for (const v of lat) h.record(v);
  const d = exportFortioHistogram(h.toState(), [50, 90, 99]);
  assert.equal(
    `count ${d.Count} avg ${goGPrec(d.Avg, 8)} +/- ${goGPrec(d.StdDev, 4)} min ${goG(d.Min)} max ${goG(d.Max)} sum ${goGPrec(d.Sum, 9)}`,
    'count 10 avg 0.0010442 +/- 0.0005317 min 0.000412 max 0.00213 sum 0.010442',
  );
  assert.deepEqual(rows(d), [
    '>= 0.000412 <= 0.001 , 0.000706 , 60.00, 6',
    '> 0.001 <= 0.002 , 0.0015 , 90.00, 3',
    '> 0.002 <= 0.00213 , 0.002065 , 100.00, 1',
    '# target 50% 0.0008824',
    '# target 90% 0.002',
    '# target 99% 0.002117',
  ]);
  const e = new FortioHistogram(0, 0.001);
  e.record(0.000412);
  e.record(0.00052);
  const ed = exportFortioHistogram(e.toState(), [50, 90, 99]);
  assert.equal(`avg ${goGPrec(ed.Avg, 8)} +/- ${goGPrec(ed.StdDev, 4)}`, 'avg 0.000466 +/- 5.4e-05');
  assert.deepEqual(rows(ed).slice(1), ['# target 50% 0.000412', '# target 90% 0.0004984', '# target 99% 0.00051784']);
  // Header sizes: divider 5, error replies count 0 bytes.
  const hs = new FortioHistogram(0, 5);
  for (let i = 0; i < 2; i++) hs.record(0);
  for (let i = 0; i < 8; i++) hs.record(120);
  const hd = exportFortioHistogram(hs.toState(), []);
  assert.equal(hd.Percentiles, undefined);
  assert.deepEqual(hd.Data, [
    { Start: 0, End: 0, Percent: 20, Count: 2 },
    { Start: 100, End: 120, Percent: 100, Count: 8 },
  ]);
  assert.equal(`avg ${goGPrec(hd.Avg, 8)} +/- ${goGPrec(hd.StdDev, 4)}`, 'avg 96 +/- 48');
});

test('percentile edge rules: <= 100/n gives min, >= 100 gives max, overflow bucket ends at max', () => {
  const h = new FortioHistogram(0, 0.001);
  h.record(150); // above 100000 units
  h.record(0.0005);
  const d = exportFortioHistogram(h.toState(), [10, 50, 100]);
  assert.equal(d.Data.length, 2);
  assert.deepEqual(d.Data[1], { Start: 100, End: 150, Percent: 100, Count: 1 });
  assert.deepEqual(d.Percentiles, [
    { Percentile: 10, Value: 0.0005 },
    { Percentile: 50, Value: 0.0005 },
    { Percentile: 100, Value: 150 },
  ]);
  assert.equal(calcPercentile({ ...d, Data: [] }, 50), 0);
});

test('empty histogram exports no rows and no percentiles', () => {
  const d = exportFortioHistogram(new FortioHistogram(0, 0.001).toState(), [50]);
  assert.deepEqual(d, { Count: 0, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: [] });
});

