import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapMean, bootstrapMeanDiff, mean, quantile, streamSeed } from '../../src/stats/bootstrap.js';
import { compareSamples, verdictOf } from '../../src/stats/verdict.js';
import { createRandom } from '../../src/mesh/random.js';

/** Returns the given draws in a loop: resamples computable by hand. */
function scripted(draws: number[]): () => number {
  let i = 0;
  return () => draws[i++ % draws.length]!;
}

test('quantile interpolates between closest ranks (numpy linear)', () => {
  const xs = [1, 2, 3, 4];
  assert.equal(quantile(xs, 0), 1);
  assert.equal(quantile(xs, 1), 4);
  assert.equal(quantile(xs, 0.5), 2.5);
  assert.equal(quantile(xs, 0.25), 1.75);
  assert.equal(quantile([7], 0.9), 7);
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.throws(() => mean([]), RangeError);
});

test('bootstrapMean with scripted draws: the hand-computed percentile interval', () => {
  // Samples [0, 10]; draws pick index floor(u * 2): resamples (0,0) (0,10) (10,0) (10,10)
  // -> means 0, 5, 5, 10. At level 0.5 the interval is the 25th..75th percentile:
  // sorted [0,5,5,10], q=0.25 -> pos 0.75 -> 3.75; q=0.75 -> pos 2.25 -> 6.25.
  const iv = bootstrapMean([0, 10], scripted([0, 0, 0, 0.6, 0.6, 0, 0.6, 0.6]), { resamples: 4, level: 0.5 });
  assert.deepEqual(iv, { estimate: 5, lo: 3.75, hi: 6.25 });
});

test('bootstrapMeanDiff with scripted draws: candidate minus baseline, each resampled', () => {
  // Each resample draws the candidate (2 draws) then the baseline (2 draws).
  // cand [10, 20], base [0, 2]: resample 1 cand (10,10) base (0,0) -> 10; resample 2 cand (20,20) base (2,2) -> 18.
  const iv = bootstrapMeanDiff([0, 2], [10, 20], scripted([0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9]), { resamples: 2, level: 0 });
  // level 0: both bounds are the median of [10, 18].
  assert.deepEqual(iv, { estimate: 14, lo: 14, hi: 14 });
  const wide = bootstrapMeanDiff([0, 2], [10, 20], scripted([0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9]), { resamples: 2, level: 1 });
  assert.deepEqual(wide, { estimate: 14, lo: 10, hi: 18 });
});

test('constant samples give a zero-width interval; separated groups an interval away from 0', () => {
  const r = createRandom(42);
  assert.deepEqual(bootstrapMean([3, 3, 3], r), { estimate: 3, lo: 3, hi: 3 });
  const d = bootstrapMeanDiff([1, 2, 3], [11, 12, 13], r);
  assert.equal(d.estimate, 10);
  // Resampled means of 3 values stay within [min, max]: the difference within [8, 12].
  assert.ok(d.lo >= 8 && d.lo < 10 && d.hi > 10 && d.hi <= 12, JSON.stringify(d));
});

test('the 95% interval of the mean covers the true mean about 95% of the time (seeded)', () => {
  // Samples of 30 from uniform[0,1) (true mean 0.5): the percentile bootstrap
  // is known to under-cover slightly at small n, so 0.88..0.99 is the band.
  const data = createRandom(7);
  const draws = createRandom(8);
  let covered = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    const xs = Array.from({ length: 30 }, () => data());
    const iv = bootstrapMean(xs, draws, { resamples: 400 });
    if (iv.lo <= 0.5 && 0.5 <= iv.hi) covered++;
  }
  const rate = covered / trials;
  assert.ok(rate >= 0.88 && rate <= 0.99, `coverage ${rate}`);
});

test('verdict rule: the side of zero the interval lies on, or spread too large', () => {
  const iv = (lo: number, hi: number) => ({ estimate: (lo + hi) / 2, lo, hi });
  const cases: Array<[string, ReturnType<typeof iv>, 'up' | 'down' | 'none', number, string]> = [
    ['latency up, interval above 0', iv(1, 3), 'down', 5, 'worse'],
    ['latency down, interval below 0', iv(-3, -1), 'down', 5, 'better'],
    ['qps up', iv(1, 3), 'up', 5, 'better'],
    ['qps down', iv(-3, -1), 'up', 5, 'worse'],
    ['zero inside, narrow', iv(-1, 2), 'down', 5, 'same'],
    ['zero inside, reaches beyond the conclusive band', iv(-1, 6), 'down', 5, 'inconclusive'],
    ['zero inside, reaches below the band', iv(-6, 1), 'up', 5, 'inconclusive'],
    ['zero exactly at the edge is not significant', iv(0, 3), 'down', 5, 'same'],
  ];
  for (const [name, d, dir, within, want] of cases) assert.equal(verdictOf(d, dir, within), want, name);
});

test('compareSamples: one run per side has no interval and no verdict but equality', () => {
  const r = createRandom(1);
  const one = compareSamples([10], [12], r, 'down', 1);
  assert.equal(one.hasInterval, false);
  assert.equal(one.verdict, 'inconclusive');
  assert.deepEqual(one.diff, { estimate: 2, lo: 2, hi: 2 });
  assert.equal(compareSamples([10], [10], r, 'down', 1).verdict, 'same');
  const many = compareSamples([10, 11, 10.5], [20, 21, 20.5], r, 'down', 2);
  assert.equal(many.hasInterval, true);
  assert.equal(many.verdict, 'worse');
  assert.equal(many.diff.estimate, 10);
});

test('streamSeed: the same key and seed the same stream, another key or seed another', () => {
  assert.equal(streamSeed(1, 'p99|1,2|3,4'), streamSeed(1, 'p99|1,2|3,4'));
  assert.notEqual(streamSeed(1, 'p99|1,2|3,4'), streamSeed(1, 'p50|1,2|3,4'));
  assert.notEqual(streamSeed(1, 'p99'), streamSeed(2, 'p99'));
  assert.ok(Number.isInteger(streamSeed(0xffffffff, 'x')) && streamSeed(0xffffffff, 'x') >= 0);
});
