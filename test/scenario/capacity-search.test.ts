// The capacity search's decisions (src/scenario/capacity-search.ts) on synthetic
// outcomes: a target that sustains everything up to a true capacity and nothing
// above it, driven probe by probe exactly as the runner drives it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeProbe, nextProbe, probeConnections, roundRate, type Probe, type SearchDecision } from '../../src/scenario/capacity-search.js';
import type { SearchSpec } from '../../src/scenario/model.js';

const SPEC: SearchSpec = {
  slo: { latencyLessThanMs: { p99: 50 }, errorShareAtMost: 0.01 },
  startQps: 10,
  maxQps: 5000,
  probeMs: 1000,
  maxProbes: 12,
  precision: 0.1,
  maxConnections: 256,
};

/** Runs the search against a target whose verdict at each rate is `passes(qps, nth probe at that rate)`. */
function search(spec: SearchSpec, passes: (qps: number, nth: number) => boolean): { done: Extract<SearchDecision, { kind: 'done' }>; probes: Array<Pick<Probe, 'qps' | 'pass' | 'phase'>> } {
  const probes: Array<Pick<Probe, 'qps' | 'pass' | 'phase'>> = [];
  for (;;) {
    const d = nextProbe(spec, probes);
    if (d.kind === 'done') return { done: d, probes };
    const nth = probes.filter((p) => p.qps === d.qps).length;
    probes.push({ qps: d.qps, phase: d.phase, pass: passes(d.qps, nth) });
    assert.ok(probes.length <= spec.maxProbes, 'never more probes than maxProbes');
  }
}

test('ramp doubles until a failure, bisects to the precision, then confirms the answer', () => {
  const { done, probes } = search(SPEC, (q) => q <= 230);
  assert.deepEqual(
    probes.map((p) => [p.phase, p.qps, p.pass]),
    [
      ['ramp', 10, true],
      ['ramp', 20, true],
      ['ramp', 40, true],
      ['ramp', 80, true],
      ['ramp', 160, true],
      ['ramp', 320, false],
      ['bisect', 240, false],
      ['bisect', 200, true],
      ['bisect', 220, true],
      ['confirm', 220, true],
    ],
  );
  assert.equal(done.maxQps, 220);
  assert.deepEqual(done.interval, [220, 240]);
  assert.equal(done.confirmed, true);
  // The true capacity (230) lies inside the bracket.
  assert.ok(done.interval[0] <= 230 && 230 < done.interval[1]);
});

test('a failed confirmation turns the rate into a broken one and the bisection goes on below it', () => {
  // 220 passes the first time only (a noisy machine): the answer must drop below it.
  const { done, probes } = search(SPEC, (q, nth) => q < 220 || (q === 220 && nth === 0));
  const confirm = probes.filter((p) => p.phase === 'confirm');
  assert.deepEqual(confirm[0], { qps: 220, phase: 'confirm', pass: false });
  assert.equal(done.maxQps, 200);
  assert.deepEqual(done.interval, [200, 220]);
  assert.equal(done.confirmed, true);
});

test('the bounds: maxQps sustained stops the ramp; a first probe that fails ends it; the probe budget ends it', () => {
  const capped = search({ ...SPEC, maxQps: 100 }, () => true);
  assert.equal(capped.done.maxQps, 100);
  assert.deepEqual(capped.done.interval, [100, 100]);
  assert.match(capped.done.note, /maxQps bound/);
  assert.deepEqual(capped.probes.map((p) => p.qps), [10, 20, 40, 80, 100, 100]);

  const none = search(SPEC, () => false);
  assert.deepEqual(none.probes.map((p) => p.qps), [10, 5, 3, 2, 1]); // halving down to startQps / 8
  assert.equal(none.done.maxQps, 0);
  assert.deepEqual(none.done.interval, [0, 1]);
  assert.equal(none.done.confirmed, false);
  assert.match(none.done.note, /^1 qps already breaks the SLO: lower startQps$/);

  // A busy first probe: the search goes down, then bisects back up from what passed.
  const busy = search(SPEC, (q, nth) => q <= 60 && !(q === 10 && nth === 0));
  assert.deepEqual(busy.probes.slice(0, 3).map((p) => [p.qps, p.pass]), [[10, false], [5, true], [8, true]]);
  // A rate is sustained only if every probe at it passed: 10 stays broken (conservative).
  assert.deepEqual([busy.done.maxQps, busy.done.interval], [9, [9, 10]]);

  const short = search({ ...SPEC, maxProbes: 4 }, (q) => q <= 230);
  assert.equal(short.probes.length, 4);
  assert.equal(short.done.maxQps, 80);
  assert.equal(short.done.confirmed, false);
  assert.match(short.done.note, /probe budget \(maxProbes 4\) used up while ramping/);
});

test('judging a probe: latency, error share and a rate the client could not deliver each fail it, with the reason', () => {
  const m = { qps: 100, connections: 10, achievedQps: 99, calls: 200, errors: 1, serviceTime: { p50: 5, p90: 9, p99: 20, p999: 30 } };
  assert.equal(judgeProbe(m, 'ramp', SPEC.slo).pass, true);
  const slow = judgeProbe({ ...m, serviceTime: { ...m.serviceTime, p99: 50 } }, 'ramp', SPEC.slo);
  assert.deepEqual([slow.pass, slow.reason], [false, 'p99 50 ms >= 50 ms']);
  const errors = judgeProbe({ ...m, errors: 3 }, 'bisect', SPEC.slo);
  assert.deepEqual([errors.pass, errors.reason], [false, 'error share 0.015 > 0.01']);
  const limited = judgeProbe({ ...m, achievedQps: 85 }, 'ramp', SPEC.slo);
  assert.equal(limited.clientLimited, true);
  assert.equal(limited.pass, false);
  assert.match(limited.reason, /^client-limited: achieved 85 of 100 qps with 10 connections$/);
});

test('connections: twice qps × the expected latency (2 × the passed probes\' p50; the SLO bound until one passed), capped', () => {
  assert.equal(probeConnections(100, SPEC, []), 10); // 2 × 100/s × 50 ms
  const passed = [judgeProbe({ qps: 100, connections: 10, achievedQps: 100, calls: 100, errors: 0, serviceTime: { p50: 5, p90: 8, p99: 20, p999: 25 } }, 'ramp', SPEC.slo)];
  assert.equal(probeConnections(400, SPEC, passed), 8); // 2 × 400/s × (2 × p50 5 ms, at least 10 ms)
  const slower = [{ ...passed[0]!, serviceTime: { ...passed[0]!.serviceTime, p50: 15 } }];
  assert.equal(probeConnections(400, SPEC, slower), 24); // 2 × 400/s × 2 × 15 ms
  assert.equal(probeConnections(100_000, SPEC, []), 256);
  assert.equal(probeConnections(1, { slo: { latencyLessThanMs: {} }, maxConnections: 8 }, []), 1);
});

test('rates are rounded to 3 significant digits', () => {
  assert.deepEqual([roundRate(0.4), roundRate(15), roundRate(1234.5), roundRate(99.96)], [1, 15, 1230, 100]);
});
