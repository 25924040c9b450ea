// Statistical checks of the modeled-service distributions with a fixed seed:
// 20k draws each, quantiles within a few percent of the parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../src/mesh/random.js';
import { fromTable, median, sample } from '../../../src/mesh/apps/modeled/distribution.js';
import type { Distribution } from '../../../src/mesh/config/model.js';

const N = 20_000;

function draws(d: Distribution, seed = 7): number[] {
  const r = createRandom(seed);
  const out = Array.from({ length: N }, () => sample(d, r));
  return out.sort((a, b) => a - b);
}
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function near(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * expected, `${what}: ${actual} not within ${rel * 100}% of ${expected}`);
}

test('lognormal by median and p99: both quantiles within 3% over 20k draws', () => {
  const xs = draws({ kind: 'lognormal', median: 20, p99: 200 });
  near(q(xs, 0.5), 20, 0.03, 'median');
  near(q(xs, 0.99), 200, 0.05, 'p99');
  assert.ok(xs[0] > 0);
});

test('normal: mean and sd; never negative', () => {
  const xs = draws({ kind: 'normal', mean: 50, sd: 5 });
  near(mean(xs), 50, 0.01, 'mean');
  const sd = Math.sqrt(mean(xs.map((x) => (x - 50) ** 2)));
  near(sd, 5, 0.03, 'sd');
  const cut = draws({ kind: 'normal', mean: 1, sd: 10 });
  assert.equal(cut[0], 0, 'left tail cut at 0');
});

test('exponential: mean and median ln2 * mean', () => {
  const xs = draws({ kind: 'exponential', mean: 10 });
  near(mean(xs), 10, 0.03, 'mean');
  near(q(xs, 0.5), 10 * Math.LN2, 0.04, 'median');
  assert.equal(median({ kind: 'exponential', mean: 10 }), 10 * Math.LN2);
});

test('uniform stays in [min, max) and fills it evenly; fixed is fixed', () => {
  const xs = draws({ kind: 'uniform', min: 10, max: 30 });
  assert.ok(xs[0] >= 10 && xs[N - 1] < 30);
  near(q(xs, 0.25), 15, 0.03, 'p25');
  near(q(xs, 0.75), 25, 0.03, 'p75');
  assert.deepEqual(new Set(draws({ kind: 'fixed', value: 50 })), new Set([50]));
});

test('empirical percentile table: quantiles of the draws follow the table, linear in between', () => {
  const points = [
    { p: 0, value: 1 },
    { p: 50, value: 10 },
    { p: 90, value: 30 },
    { p: 99, value: 80 },
    { p: 100, value: 100 },
  ];
  assert.equal(fromTable(points, 70), 20);
  assert.equal(fromTable(points, 0), 1);
  assert.equal(fromTable([{ p: 50, value: 10 }], 10), 10, 'flat below the first point');
  const xs = draws({ kind: 'percentiles', points });
  near(q(xs, 0.5), 10, 0.03, 'p50');
  near(q(xs, 0.9), 30, 0.03, 'p90');
  near(q(xs, 0.99), 80, 0.03, 'p99');
});

test('the same seed gives the same draws; another seed differs', () => {
  const d: Distribution = { kind: 'lognormal', median: 5, p99: 50 };
  const a = createRandom(1);
  const b = createRandom(1);
  const c = createRandom(2);
  const xa = Array.from({ length: 5 }, () => sample(d, a));
  assert.deepEqual(Array.from({ length: 5 }, () => sample(d, b)), xa);
  assert.notDeepEqual(Array.from({ length: 5 }, () => sample(d, c)), xa);
});
