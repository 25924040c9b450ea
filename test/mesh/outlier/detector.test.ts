// Outlier detection with a fake clock: thresholds, gate, backoff (spec §7, §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutlierDetector, type OutlierClock } from '../../../src/mesh/outlier/detector.js';
import { StatsStore } from '../../../src/mesh/stats/store.js';
import type { OutlierDetection } from '../../../src/mesh/config/model.js';
import { defaultOutlierDetection } from '../../../src/mesh/config/policy.js';

const PREFIX = 'cluster.outbound|8000||httpbin.default.svc.cluster.local';
const OD = `${PREFIX}.outlier_detection`;

/** Envoy defaults as Istio writes them (the ones the DR compiler starts from), overridable. */
function od(over: Partial<OutlierDetection> = {}): OutlierDetection {
  return { ...defaultOutlierDetection(), ...over };
}

/** Manual clock: advance() fires interval ticks at their exact due times. */
class FakeClock implements OutlierClock {
  t = 0;
  timers = new Map<number, { fn: () => void; ms: number; next: number }>();
  #id = 0;
  now(): number {
    return this.t;
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.timers.set(id, { fn, ms, next: this.t + ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.timers.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let due: { fn: () => void; ms: number; next: number } | undefined;
      for (const tm of this.timers.values()) if (tm.next <= end && (!due || tm.next < due.next)) due = tm;
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.t = end;
  }
}

function setup(cfg: OutlierDetection, hosts: string[]) {
  const stats = new StatsStore();
  const clock = new FakeClock();
  const d = new OutlierDetector(cfg, hosts, stats, PREFIX, clock);
  const c = (n: string) => stats.snapshot().counters[`${OD}.${n}`];
  const g = (n: string) => stats.snapshot().gauges[`${OD}.${n}`];
  return { d, clock, stats, c, g };
}

test('§7.2: consecutive5xx ejects exactly when the counter reaches the threshold', () => {
  const { d, c, g } = setup(od({ consecutive5xx: 3, maxEjectionPercent: 100 }), ['a']);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 500);
  assert.equal(d.isEjected('a'), false, 'limit-1 errors: still healthy');
  d.putHttpResponseCode('a', 500);
  assert.equal(d.isEjected('a'), true, 'limit errors: ejected immediately, no tick needed');
  assert.equal(d.ejectedCount(), 1);
  assert.equal(g('ejections_active'), 1);
  assert.equal(c('ejections_enforced_total'), 1);
  assert.equal(c('ejections_detected_consecutive_5xx'), 1);
  assert.equal(c('ejections_enforced_consecutive_5xx'), 1);
  assert.equal(c('ejections_total'), 1);
  assert.equal(c('ejections_consecutive_5xx'), 1);
  assert.equal(c('ejections_overflow'), 0);
  d.close();
});

test('§7.1: a non-5xx response resets the streak; 4xx is not an error', () => {
  const { d } = setup(od({ consecutive5xx: 3, maxEjectionPercent: 100 }), ['a']);
  d.putHttpResponseCode('a', 503);
  d.putHttpResponseCode('a', 503);
  d.putHttpResponseCode('a', 404);
  d.putHttpResponseCode('a', 503);
  d.putHttpResponseCode('a', 503);
  assert.equal(d.isEjected('a'), false);
  d.putHttpResponseCode('a', 503);
  assert.equal(d.isEjected('a'), true);
  d.close();
});

test('§7.1: non-split mode maps connect failure/reset to 503 and timeout to 504', () => {
  const { d, c } = setup(od({ consecutive5xx: 3, maxEjectionPercent: 100 }), ['a']);
  d.putResult('a', 'connect_failed');
  d.putResult('a', 'reset');
  assert.equal(d.isEjected('a'), false);
  d.putResult('a', 'timeout');
  assert.equal(d.isEjected('a'), true);
  assert.equal(c('ejections_enforced_consecutive_5xx'), 1);
  // The gateway counter reached 3 too but it is not enforcing by default: nothing extra.
  assert.equal(c('ejections_enforced_consecutive_gateway_failure'), 0);
  d.close();
});

test('§7.1: gateway failure counts 502/503/504 only, 500 resets it; enforcing 0 detects but never ejects', () => {
  const { d, c } = setup(od({ consecutive5xx: 100, consecutiveGatewayFailure: 2, maxEjectionPercent: 100 }), ['a', 'b']);
  d.putHttpResponseCode('a', 502);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 504);
  assert.equal(c('ejections_detected_consecutive_gateway_failure'), 0);
  d.putHttpResponseCode('a', 503);
  assert.equal(c('ejections_detected_consecutive_gateway_failure'), 1);
  assert.equal(c('ejections_enforced_consecutive_gateway_failure'), 0);
  assert.equal(d.isEjected('a'), false);
  d.close();

  const e = setup(
    od({ consecutive5xx: 100, consecutiveGatewayFailure: 2, enforcingConsecutiveGatewayFailure: 100, maxEjectionPercent: 100 }),
    ['a'],
  );
  e.d.putHttpResponseCode('a', 503);
  e.d.putHttpResponseCode('a', 503);
  assert.equal(e.d.isEjected('a'), true);
  assert.equal(e.c('ejections_enforced_consecutive_gateway_failure'), 1);
  assert.equal(e.c('ejections_total'), 0, 'deprecated ejections_total counts 5xx type only');
  e.d.close();
});

test('§7.1 split mode: local-origin failures feed only their own counter', () => {
  const { d, c } = setup(
    od({ consecutive5xx: 2, splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailure: 3, maxEjectionPercent: 100 }),
    ['a'],
  );
  d.putResult('a', 'connect_failed');
  d.putResult('a', 'timeout');
  assert.equal(d.isEjected('a'), false, 'two local failures do not touch the 5xx counter (threshold 2)');
  d.putHttpResponseCode('a', 200); // a response = successful connection: local streak restarts
  d.putResult('a', 'reset');
  d.putResult('a', 'reset');
  assert.equal(d.isEjected('a'), false);
  d.putResult('a', 'reset');
  assert.equal(d.isEjected('a'), true);
  assert.equal(c('ejections_detected_consecutive_local_origin_failure'), 1);
  assert.equal(c('ejections_enforced_consecutive_local_origin_failure'), 1);
  d.close();
});

test('§7.2 worked examples: max_ejection_percent gate is checked before ejecting with strict <', () => {
  // 1 host, default 10%: 0% < 10% -> ejectable.
  const one = setup(od({ consecutive5xx: 1 }), ['a']);
  one.d.putHttpResponseCode('a', 500);
  assert.equal(one.d.isEjected('a'), true);
  one.d.close();

  // 2 hosts, 10%: first ejectable, second blocked (50% >= 10%) -> overflow.
  const two = setup(od({ consecutive5xx: 1 }), ['a', 'b']);
  two.d.putHttpResponseCode('a', 500);
  two.d.putHttpResponseCode('b', 500);
  assert.equal(two.d.isEjected('a'), true);
  assert.equal(two.d.isEjected('b'), false);
  assert.equal(two.c('ejections_overflow'), 1);
  assert.equal(two.c('ejections_detected_consecutive_5xx'), 2, 'detected counts even when blocked');
  assert.equal(two.c('ejections_enforced_total'), 1);
  two.d.close();

  // 100%: all hosts one after another.
  const all = setup(od({ consecutive5xx: 1, maxEjectionPercent: 100 }), ['a', 'b', 'c']);
  for (const h of ['a', 'b', 'c']) all.d.putHttpResponseCode(h, 503);
  assert.equal(all.d.ejectedCount(), 3);
  assert.equal(all.c('ejections_overflow'), 0);
  all.d.close();

  // 3 hosts, 50%: 0% and 33.3% pass, 66.7% does not.
  const half = setup(od({ consecutive5xx: 1, maxEjectionPercent: 50 }), ['a', 'b', 'c']);
  for (const h of ['a', 'b', 'c']) half.d.putHttpResponseCode(h, 503);
  assert.equal(half.d.ejectedCount(), 2);
  assert.equal(half.c('ejections_overflow'), 1);
  half.d.close();
});

test('§7.2: the counter resets after a blocked ejection, so the next attempt needs a full streak', () => {
  const { d, c } = setup(od({ consecutive5xx: 2 }), ['a', 'b']);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 500); // a ejected
  d.putHttpResponseCode('b', 500);
  d.putHttpResponseCode('b', 500); // blocked
  assert.equal(c('ejections_overflow'), 1);
  d.putHttpResponseCode('b', 500); // streak restarted at 0 -> 1: nothing
  assert.equal(c('ejections_overflow'), 1);
  d.putHttpResponseCode('b', 500);
  assert.equal(c('ejections_overflow'), 2);
  d.close();
});

test('§7.2: an already-ejected host is ignored', () => {
  const { d, c } = setup(od({ consecutive5xx: 1, maxEjectionPercent: 100 }), ['a']);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 500);
  assert.equal(c('ejections_enforced_total'), 1);
  assert.equal(c('ejections_detected_consecutive_5xx'), 1);
  d.close();
});

test('§7.3 worked example: interval 1s, base 3m -> 180-181 s, re-fail -> 300 s cap', () => {
  const { d, clock, g } = setup(
    od({ consecutive5xx: 1, intervalMs: 1000, baseEjectionTimeMs: 180_000, maxEjectionTimeMs: 300_000, maxEjectionPercent: 100 }),
    ['a'],
  );
  clock.advance(500); // eject between ticks
  d.putHttpResponseCode('a', 503);
  const t0 = clock.now();
  clock.advance(180_000 - 500 - 1);
  assert.equal(d.isEjected('a'), true, 'still ejected just before 180 s');
  // Find the moment of return at 1 ms resolution.
  let back = -1;
  for (let i = 0; i < 3000 && back < 0; i++) {
    clock.advance(1);
    if (!d.isEjected('a')) back = clock.now() - t0;
  }
  assert.ok(back >= 180_000 && back <= 181_000, `first ejection lasted ${back} ms`);
  assert.equal(g('ejections_active'), 0);

  // Re-fails right after return (before the next tick): backoff 2 -> min(360 s, 300 s).
  d.putHttpResponseCode('a', 503);
  const t1 = clock.now();
  clock.advance(299_000);
  assert.equal(d.isEjected('a'), true, 'second ejection is longer than the base');
  back = -1;
  for (let i = 0; i < 3000 && back < 0; i++) {
    clock.advance(1);
    if (!d.isEjected('a')) back = clock.now() - t1;
  }
  assert.ok(back >= 300_000 && back <= 301_000, `second ejection lasted ${back} ms`);
  d.close();
});

test('§7.3: the multiplier decays by one per healthy interval', () => {
  const { d, clock } = setup(
    od({ consecutive5xx: 1, intervalMs: 1000, baseEjectionTimeMs: 10_000, maxEjectionTimeMs: 300_000, maxEjectionPercent: 100 }),
    ['a'],
  );
  d.putHttpResponseCode('a', 500); // backoff 1, 10 s
  clock.advance(10_000);
  assert.equal(d.isEjected('a'), false);
  d.putHttpResponseCode('a', 500); // backoff 2, 20 s
  clock.advance(19_000);
  assert.equal(d.isEjected('a'), true);
  clock.advance(1_000);
  assert.equal(d.isEjected('a'), false);
  clock.advance(1_000); // healthy through one tick: backoff 2 -> 1
  d.putHttpResponseCode('a', 500); // backoff 1 -> 2: 20 s, not 30 s
  clock.advance(20_000);
  assert.equal(d.isEjected('a'), false, 'decayed multiplier gives 2x base, not 3x');
  clock.advance(5_000); // 5 healthy ticks: backoff back to 0
  d.putHttpResponseCode('a', 500);
  clock.advance(10_000);
  assert.equal(d.isEjected('a'), false, 'fully decayed: base again');
  d.close();
});

test('§7.3: un-ejection resets the streaks', () => {
  const { d, clock } = setup(
    od({ consecutive5xx: 3, intervalMs: 100, baseEjectionTimeMs: 1000, maxEjectionPercent: 100 }),
    ['a'],
  );
  for (let i = 0; i < 3; i++) d.putHttpResponseCode('a', 500);
  assert.equal(d.isEjected('a'), true);
  clock.advance(1000);
  assert.equal(d.isEjected('a'), false);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('a', 500);
  assert.equal(d.isEjected('a'), false);
  d.close();
});

test('close() stops the interval timer; unknown hosts are ignored', () => {
  const { d, clock } = setup(od(), ['a']);
  assert.equal(clock.timers.size, 1);
  d.putHttpResponseCode('gone', 500);
  d.putResult('gone', 'timeout');
  assert.equal(d.isEjected('gone'), false);
  d.close();
  assert.equal(clock.timers.size, 0);
});

test('real clock: ejected host returns after base time (short durations)', async () => {
  const stats = new StatsStore();
  const d = new OutlierDetector(
    od({ consecutive5xx: 1, intervalMs: 20, baseEjectionTimeMs: 60, maxEjectionPercent: 100 }),
    ['a'],
    stats,
    PREFIX,
  );
  d.putHttpResponseCode('a', 503);
  assert.equal(d.isEjected('a'), true);
  const start = Date.now();
  while (d.isEjected('a') && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(d.isEjected('a'), false);
  d.close();
});

test('§7.3: un-ejection resets the 5xx and gateway streaks only (Envoy checkHostForUneject)', () => {
  const { d, clock } = setup(
    od({
      consecutive5xx: 3,
      splitExternalLocalOriginErrors: true,
      consecutiveLocalOriginFailure: 3,
      intervalMs: 100,
      baseEjectionTimeMs: 1000,
      maxEjectionPercent: 100,
    }),
    ['a'],
  );
  d.putResult('a', 'timeout');
  d.putResult('a', 'timeout'); // local-origin streak 2
  for (let i = 0; i < 3; i++) d.putHttpResponseCode('a', 500); // 5xx ejection (responses reset local streak)
  assert.equal(d.isEjected('a'), true);
  d.putResult('a', 'connect_failed');
  d.putResult('a', 'connect_failed'); // streak 2 while ejected (in-flight requests still report)
  clock.advance(1000);
  assert.equal(d.isEjected('a'), false);
  d.putResult('a', 'connect_failed');
  assert.equal(d.isEjected('a'), true, 'local-origin streak survived the un-ejection');
  d.close();
});

test('close() takes this cluster\'s ejections off ejections_active (Envoy ~DetectorImpl)', () => {
  const { d, g } = setup(od({ consecutive5xx: 1, maxEjectionPercent: 100 }), ['a', 'b']);
  d.putHttpResponseCode('a', 500);
  d.putHttpResponseCode('b', 500);
  assert.equal(g('ejections_active'), 2);
  d.close();
  assert.equal(g('ejections_active'), 0);
  d.close();
  assert.equal(g('ejections_active'), 0, 'close is idempotent');
});
