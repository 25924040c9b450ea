// N=1 intervals: with one run per variant, each metric's interval comes from the
// run's one-second windows (circular block bootstrap), centred on the run's value;
// too few windows give no interval at all; capacity searches compare brackets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLength, blockResample } from '../../src/stats/block-bootstrap.js';
import { compareRowGroups, type CompareRow, type RowWindow } from '../../src/report/metrics.js';
import { statsRandom } from '../../src/scenario/report.js';
import { windowIntervals } from '../../src/scenario/window-intervals.js';
import { createRandom } from '../../src/mesh/random.js';
import { formatCompareTable } from '../../src/report/compare.js';

/** n windows of ~100 calls at p99 ≈ base ms, with a seeded wobble. */
function windows(n: number, p99: number, seed: number, errorsEvery = 0): RowWindow[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const calls = 95 + Math.floor(r() * 10);
    const errs = errorsEvery && i % errorsEvery === 0 ? 2 : 0;
    const lat = p99 * (0.9 + 0.2 * r());
    return { s: 1, calls, codes: { '200': calls - errs, ...(errs ? { '503': errs } : {}) }, counters: { overflow: errs }, perVersion: {}, p50: lat / 4, p90: lat / 2, p99: lat, p999: lat * 1.1 };
  });
}

function row(variant: string, ws: RowWindow[]): CompareRow {
  const calls = ws.reduce((a, w) => a + w.calls, 0);
  const codes: Record<string, number> = {};
  for (const w of ws) for (const [k, v] of Object.entries(w.codes)) codes[k] = (codes[k] ?? 0) + v;
  const p99 = ws.reduce((a, w) => a + w.calls * w.p99!, 0) / calls;
  return { variant, step: 's', qps: calls / ws.length, p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 1.1, codes, calls, counters: { overflow: codes['503'] ?? 0 }, perVersion: {}, windows: ws };
}

test('circular blocks: n indices, runs of consecutive windows wrapping at the end', () => {
  assert.deepEqual([blockLength(1), blockLength(6), blockLength(26), blockLength(27)], [1, 2, 3, 3]);
  const idx = blockResample(6, 2, () => 5.5 / 6); // start at window 5: 5, 0, 5, 0, …
  assert.deepEqual(idx, [5, 0, 5, 0, 5, 0]);
});

test('two runs of the same target: no significant difference on qps and p99, intervals from the windows', () => {
  const res = compareRowGroups([row('a', windows(8, 20, 1))], [row('b', windows(8, 20, 2))], statsRandom(1));
  const by = new Map(res.map((r) => [r.def.name, r]));
  for (const name of ['qps', 'p99']) {
    const r = by.get(name)!;
    assert.equal(r.from, 'windows');
    assert.deepEqual(r.windows, [8, 8]);
    assert.equal(r.hasInterval, true);
    assert.equal(r.verdict, 'same', `${name}: ${JSON.stringify(r.diff)}`);
    assert.ok(r.diff.lo < r.diff.estimate && r.diff.estimate < r.diff.hi);
  }
});

test('a run 20 ms slower: p99 significantly worse, the interval of the difference contains 20 ms', () => {
  const res = compareRowGroups([row('a', windows(8, 20, 1))], [row('b', windows(8, 40, 2))], statsRandom(1));
  const p99 = res.find((r) => r.def.name === 'p99')!;
  assert.equal(p99.verdict, 'worse');
  assert.ok(p99.diff.lo > 0 && p99.diff.lo <= 20 && p99.diff.hi >= 20, JSON.stringify(p99.diff));
  // Centred on the run's own value.
  assert.equal(p99.cand.estimate, row('b', windows(8, 40, 2)).p99);
});

test('too few windows: no interval (not a faked one), and the JSON note says why', () => {
  const res = compareRowGroups([row('a', windows(4, 20, 1))], [row('b', windows(8, 40, 2))], statsRandom(1));
  const p99 = res.find((r) => r.def.name === 'p99')!;
  assert.deepEqual([p99.from, p99.hasInterval, p99.verdict], ['none', false, 'inconclusive']);
  const few = windowIntervals(row('a', windows(4, 20, 1)), statsRandom(1));
  assert.deepEqual(few, { from: 'windows', windows: 4, note: 'no interval: 4 one-second windows, at least 5 needed (a longer step or --repeat gives one)' });
  const six = windowIntervals(row('a', windows(6, 20, 1, 3)), statsRandom(1));
  assert.equal(six.note, 'interval from 6 one-second windows, not repeats');
  const q = six.metrics!.qps!;
  assert.ok(q.lo < q.estimate && q.estimate < q.hi);
  assert.ok(six.metrics!['code.503']!.hi > 0);
});

test('the table: single runs with enough windows are judged with intervals and say where they come from', () => {
  const text = formatCompareTable([row('a', windows(6, 20, 1)), row('b', windows(6, 40, 2))], { randomFor: statsRandom(1), width: 200 });
  assert.match(text, /^step s \(baseline: a\) — interval from 6 one-second windows, not repeats$/m);
  assert.match(text, /^b .* \+\d+\.\d% \[\+\d+\.\d%,\+\d+\.\d%\] worse/m);
  assert.match(text, /one run, not repeats/);
  const short = formatCompareTable([row('a', windows(3, 20, 1)), row('b', windows(3, 40, 2))], { randomFor: statsRandom(1) });
  assert.match(short, /^no interval: 3 one-second windows \(at least 5 needed; longer steps or --repeat give intervals\); ≈ is the fixed noise rule$/m);
});

test('capacity searches compare maxQps by their brackets', () => {
  const a = { ...row('a', windows(6, 20, 1)), maxQps: 100, maxQpsInterval: [100, 110] as [number, number] };
  const b = { ...row('b', windows(6, 20, 2)), maxQps: 160, maxQpsInterval: [160, 200] as [number, number] };
  const same = { ...row('c', windows(6, 20, 3)), maxQps: 105, maxQpsInterval: [105, 115] as [number, number] };
  const r = compareRowGroups([a], [b], statsRandom(1)).find((m) => m.def.name === 'maxQps')!;
  assert.deepEqual([r.from, r.verdict, r.diff.lo, r.diff.hi], ['search', 'better', 50, 100]);
  assert.equal(compareRowGroups([a], [same], statsRandom(1)).find((m) => m.def.name === 'maxQps')!.verdict, 'same');
  assert.match(formatCompareTable([a, b], { randomFor: statsRandom(1), width: 300 }), /max qps/);
});
