import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FortioHistogram } from '../../src/load/fortio-histogram.js';
import { createHdr, recordMs, encodeHdr, addHdr, summarize } from '../../src/load/latency.js';
import { decodeHdr } from '../../src/report/hdr.js';
import { exportFortioHistogram } from '../../src/report/fortio-histogram.js';

// Deterministic samples (ms) with a long tail, split unevenly over 3 "workers".
function samples(n: number): number[] {
  let x = 12345;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(0.2 + (u < 0.95 ? u * 3 : u * 400));
  }
  return out;
}

test('merged per-worker HDR deltas equal one histogram of all samples (never averaged)', () => {
  const all = samples(20_000);
  const single = createHdr();
  for (const v of all) recordMs(single, v);
  const merged = createHdr();
  // Each worker posts several interval deltas (encode + reset), as in a run.
  const workers = [createHdr(), createHdr(), createHdr()];
  all.forEach((v, i) => {
    const w = workers[i % 7 === 0 ? 0 : i % 2 ? 1 : 2];
    recordMs(w, v);
    if (i % 1000 === 999) for (const h of workers) (addHdr(merged, encodeHdr(h)), h.reset());
  });
  for (const h of workers) addHdr(merged, encodeHdr(h));
  assert.equal(merged.totalCount, all.length);
  for (const p of [1, 50, 75, 90, 99, 99.9, 99.99, 100]) {
    assert.equal(merged.getValueAtPercentile(p), single.getValueAtPercentile(p), `p${p}`);
  }
  assert.deepEqual(summarize(merged), summarize(single));
  assert.equal(decodeHdr(encodeHdr(single)).totalCount, all.length);
});

test('merged fortio histogram states equal one fortio histogram of all samples', () => {
  const all = samples(5_000).map((ms) => ms / 1000);
  const single = new FortioHistogram(0, 0.001);
  for (const v of all) single.record(v);
  const parts = [new FortioHistogram(0, 0.001), new FortioHistogram(0, 0.001)];
  all.forEach((v, i) => parts[i % 3 === 0 ? 0 : 1].record(v));
  const merged = new FortioHistogram(0, 0.001);
  for (const p of parts) merged.mergeState(structuredClone(p.toState()));
  const pcts = [50, 75, 90, 99, 99.9];
  const a = exportFortioHistogram(merged.toState(), pcts);
  const b = exportFortioHistogram(single.toState(), pcts);
  assert.equal(a.Count, b.Count);
  assert.equal(a.Min, b.Min);
  assert.equal(a.Max, b.Max);
  assert.deepEqual(a.Data, b.Data);
  assert.deepEqual(a.Percentiles, b.Percentiles);
  assert.ok(Math.abs(a.Sum - b.Sum) < 1e-9 && Math.abs(a.StdDev - b.StdDev) < 1e-9);
});
