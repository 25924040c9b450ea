// The scheduler on simulated time: a fake clock whose timers fire exactly when
// due and fake calls of a given latency, so every send time is an exact
// expectation (fortio periodic semantics), not a real-clock tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type Clock, type ScheduleSettings } from '../../src/load/schedule.js';

class SimClock implements Clock {
  t = 0;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const t = { at: this.t + ms, seq: this.seq++, fn };
    this.timers.push(t);
    return t;
  }
  /** Timers not fired or cleared yet. */
  get pending(): number {
    return this.timers.length;
  }
  clearTimer(h: unknown): void {
    this.timers = this.timers.filter((t) => t !== h);
  }
  /** Fire timers in time order (ties in creation order) until none is left. */
  run(limit = 10_000): void {
    for (let i = 0; i < limit && this.timers.length > 0; i++) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const t = this.timers.shift()!;
      this.t = t.at;
      t.fn();
    }
    assert.equal(this.timers.length, 0, 'simulation ran away');
  }
}

interface Sim {
  sends: Array<[conn: number, intended: number, at: number]>;
  warmups: Array<[conn: number, at: number]>;
  sleeps: number[];
  finishedAt: number[];
  sched: Scheduler;
  clock: SimClock;
}

const BASE: ScheduleSettings = { calls: [Infinity], perConnQps: 0, uniform: false, jitter: false, noCatchUp: false, durationMs: 0, firstConn: 0, totalConns: 1 };

/** A scheduler whose calls take `latency(conn, n)` ms of simulated time (n = the connection's nth call, from 0). */
function sim(settings: Partial<ScheduleSettings>, latency: (conn: number, n: number) => number, random: () => number = () => 0.5): Sim {
  const clock = new SimClock();
  const made = new Map<number, number>();
  const s: Sim = { sends: [], warmups: [], sleeps: [], finishedAt: [], clock, sched: null as unknown as Scheduler };
  s.sched = new Scheduler({ ...BASE, ...settings }, clock, random, {
    send(conn, intended, now, warmup) {
      assert.equal(now, clock.now());
      if (warmup) s.warmups.push([conn, now]);
      else s.sends.push([conn, intended, now]);
      const n = made.get(conn) ?? 0;
      made.set(conn, n + 1);
      clock.setTimer(() => s.sched.completed(conn, clock.now()), warmup ? 1 : latency(conn, n));
    },
    slept: (ms) => s.sleeps.push(ms),
    finished: () => s.finishedAt.push(clock.now()),
  });
  return s;
}

const at = (s: Sim, conn: number) => s.sends.filter((x) => x[0] === conn).map((x) => x[2]);

test('closed loop with -n split [3, 2]: first calls wait for t0, each next one goes as the previous ends', () => {
  const s = sim({ calls: [3, 2], totalConns: 2 }, () => 1);
  s.sched.start(10);
  s.clock.run();
  assert.deepEqual(s.sends, [
    [0, 10, 10],
    [1, 10, 10],
    [0, 11, 11],
    [1, 11, 11],
    [0, 12, 12],
  ]);
  assert.deepEqual(s.sleeps, [], 'no sleeps in closed loop');
  assert.deepEqual(s.finishedAt, [13]);
});

test('closed loop for a duration: no call starts at or after t0 + duration', () => {
  const s = sim({ durationMs: 10 }, () => 3);
  s.sched.start(0);
  s.clock.run();
  assert.deepEqual(at(s, 0), [0, 3, 6, 9]);
  assert.deepEqual(s.finishedAt, [12]);
});

test('fixed qps with -uniform: connection k is shifted by k/c of an interval, first calls go at once', () => {
  // 2 connections at 10 qps each (interval 100 ms), 5 ms calls, 450 ms run.
  const s = sim({ perConnQps: 10, uniform: true, totalConns: 2, calls: [Infinity, Infinity], durationMs: 450 }, () => 5);
  s.sched.start(0);
  s.clock.run();
  assert.deepEqual(at(s, 0), [0, 100, 200, 300, 400]);
  assert.deepEqual(at(s, 1), [0, 150, 250, 350]);
  // fortio records the sleep before every call but a connection's first (also the one that ends it).
  assert.deepEqual(s.sleeps, [95, 145, 95, 95, 95, 95, 95, 95, 95]);
  assert.deepEqual(s.finishedAt, [405]);
  // Without -uniform both connections keep the same phase.
  const n = sim({ perConnQps: 10, totalConns: 2, calls: [Infinity, Infinity], durationMs: 450 }, () => 5);
  n.sched.start(0);
  n.clock.run();
  assert.deepEqual(at(n, 1), [0, 100, 200, 300, 400]);
});

test('-uniform in a worker that holds connections 2..3 of 4 uses their global index', () => {
  const s = sim({ perConnQps: 10, uniform: true, firstConn: 2, totalConns: 4, calls: [3, 3] }, () => 5);
  s.sched.start(0);
  s.clock.run();
  assert.deepEqual(at(s, 0), [0, 150, 250]);
  assert.deepEqual(at(s, 1), [0, 175, 275]);
});

test('catch-up (default) bursts after a slow call; -nocatchup re-bases the schedule instead', () => {
  const slowFirst = (_c: number, n: number) => (n === 0 ? 250 : 10);
  const catchUp = sim({ perConnQps: 10, calls: [4] }, slowFirst);
  catchUp.sched.start(0);
  catchUp.clock.run();
  assert.deepEqual(catchUp.sends, [
    [0, 0, 0],
    [0, 100, 250],
    [0, 200, 260],
    [0, 300, 300],
  ]);
  assert.deepEqual(catchUp.sleeps, [-150, -60, 30]);
  const noCatchUp = sim({ perConnQps: 10, calls: [4], noCatchUp: true }, slowFirst);
  noCatchUp.sched.start(0);
  noCatchUp.clock.run();
  assert.deepEqual(noCatchUp.sends, [
    [0, 0, 0],
    [0, 250, 250],
    [0, 350, 350],
    [0, 450, 450],
  ]);
  assert.deepEqual(noCatchUp.sleeps, [-150, 90, 90]);
});

test('-jitter moves each sleep by up to ±10 % with the injected RNG', () => {
  const rolls = [1, 0, 0.75];
  const s = sim({ perConnQps: 10, calls: [4], jitter: true }, () => 0, () => rolls.shift()!);
  s.sched.start(0);
  s.clock.run();
  // sleep 100 → +10 % = 110; next due 200: sleep 90 → -10 % = 81 (at 191); next due 300: sleep 109 → +5 %.
  const times = at(s, 0);
  assert.equal(times.length, 4);
  assert.deepEqual(times.slice(0, 2), [0, 110]);
  assert.ok(Math.abs(times[2]! - 191) < 1e-9, `third call at ${times[2]}`);
  assert.ok(Math.abs(times[3]! - (191 + 109 * 1.05)) < 1e-9, `fourth call at ${times[3]}`);
  assert.deepEqual(rolls, [], 'one roll per positive sleep');
  // Without -jitter the RNG is never used.
  const plain = sim({ perConnQps: 10, calls: [3] }, () => 0, () => assert.fail('RNG used without -jitter'));
  plain.sched.start(0);
  plain.clock.run();
  assert.deepEqual(at(plain, 0), [0, 100, 200]);
});

test('warm-up: one untimed call per connection at once; the run starts only after all ended', () => {
  const s = sim({ calls: [2, 2], totalConns: 2 }, () => 1);
  let warm = -1;
  s.sched.warmup(() => {
    warm = s.clock.now();
    s.sched.start(5);
  });
  s.clock.run();
  assert.deepEqual(s.warmups, [
    [0, 0],
    [1, 0],
  ]);
  assert.equal(warm, 1);
  assert.deepEqual(at(s, 0), [5, 6], 'warm-up calls do not count against -n');
  assert.deepEqual(at(s, 1), [5, 6]);
  assert.deepEqual(s.finishedAt, [7]);
});

test('stop: nothing more is sent, waiting timers are cancelled, finished is reported once', () => {
  const s = sim({ perConnQps: 10, calls: [Infinity] }, () => 5);
  s.sched.start(0);
  let pendingAfterStop = -1;
  s.clock.setTimer(() => {
    s.sched.stop();
    pendingAfterStop = s.clock.pending;
  }, 250);
  s.clock.run();
  assert.deepEqual(at(s, 0), [0, 100, 200]);
  assert.equal(pendingAfterStop, 0, "the wait for the call due at 300 is cancelled");
  assert.deepEqual(s.finishedAt, [250]);
  s.sched.stop();
  assert.deepEqual(s.finishedAt, [250]);
});

test('a connection with no calls is done at start; none at all finishes at once', () => {
  const s = sim({ calls: [0, 1], totalConns: 2 }, () => 1);
  s.sched.start(0);
  s.clock.run();
  assert.deepEqual(s.sends, [[1, 0, 0]]);
  assert.deepEqual(s.finishedAt, [1]);
  const none = sim({ calls: [] }, () => 1);
  none.sched.start(0);
  assert.deepEqual(none.finishedAt, [0]);
});
