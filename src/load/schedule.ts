// When each connection of a worker sends, as fortio's periodic runner paces its
// goroutines: closed loop (max qps) or a fixed per-connection rate with
// -uniform staggering, ±10 % -jitter, catch-up bursts or -nocatchup re-basing,
// a call budget per connection (-n) and a deadline (-t); plus fortio's warm-up
// (one untimed call per connection, all at once). Pure decisions: time comes
// from an injected Clock, randomness from an injected RNG, and the calls go out
// through a SchedulerOutput, so tests run it on simulated time.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** One-shot timer after `ms`; returns a handle for clearTimer. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ScheduleSettings {
  /** Calls for each connection of this worker (Infinity: until the deadline or a stop). */
  calls: number[];
  /** Calls per second of each connection; 0 = closed loop (next call as soon as one ends). */
  perConnQps: number;
  /** -uniform: connection k's calls are shifted by k/totalConns of an interval. */
  uniform: boolean;
  /** -jitter: each sleep ±10 % at random. */
  jitter: boolean;
  /** -nocatchup: a late connection re-bases its schedule instead of bursting. */
  noCatchUp: boolean;
  /** Run length in ms from start (0 = no deadline). */
  durationMs: number;
  /** Global index of this worker's first connection and the run's connection count (for -uniform). */
  firstConn: number;
  totalConns: number;
}

/** What the scheduler drives (the connection runner and the recorder). */
export interface SchedulerOutput {
  /** Send one call on connection `conn` now; `intended` is when the schedule wanted it. */
  send(conn: number, intended: number, now: number, warmup: boolean): void;
  /** fortio's sleep before a paced call (negative when behind), ms; not for a connection's first call. */
  slept(ms: number): void;
  /** Every connection has made its last call (or the scheduler was stopped). */
  finished(): void;
}

/** fortio -jitter: ±10 % of each sleep. */
const JITTER = 0.1;
/** Node timers have whole-ms resolution and may fire a fraction early: treat that as on time. */
const TIMER_SLACK_MS = 0.5;

export class Scheduler {
  readonly interval: number;
  private readonly n: number;
  private readonly remaining: number[];
  /** Schedule origin (ms) and index of the next call, per connection. */
  private readonly origin: Float64Array;
  private readonly callIndex: Float64Array;
  private readonly due: Float64Array;
  private readonly done: Uint8Array;
  private readonly warming: Uint8Array;
  private warmupLeft = 0;
  private onWarm: (() => void) | null = null;
  private active = 0;
  private endAt = Infinity;
  private stopped = false;
  private finishedOnce = false;
  /** Connections waiting for their due time; one timer for the earliest. */
  private readonly waiting: number[] = [];
  private timer: unknown = null;
  private timerDue = Infinity;
  private readonly fireBound = (): void => this.fire();

  constructor(
    private readonly s: ScheduleSettings,
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly out: SchedulerOutput,
  ) {
    this.n = s.calls.length;
    this.remaining = s.calls.slice();
    this.interval = s.perConnQps > 0 ? 1000 / s.perConnQps : 0;
    this.origin = new Float64Array(this.n);
    this.callIndex = new Float64Array(this.n);
    this.due = new Float64Array(this.n);
    this.done = new Uint8Array(this.n);
    this.warming = new Uint8Array(this.n);
  }

  /** fortio warm-up: one call per connection, all at once; `then` runs when all have ended. */
  warmup(then: () => void): void {
    if (this.n === 0) return then();
    this.warmupLeft = this.n;
    this.onWarm = then;
    const now = this.clock.now();
    for (let i = 0; i < this.n; i++) {
      this.warming[i] = 1;
      this.out.send(i, now, now, true);
    }
  }

  /** Start the timed run at `t0` (ms, the clock's scale): every connection's first call goes at t0. */
  start(t0: number): void {
    if (this.s.durationMs > 0) this.endAt = t0 + this.s.durationMs;
    this.active = this.n;
    if (this.n === 0) return this.finish();
    const now = this.clock.now();
    for (let i = 0; i < this.n; i++) {
      this.origin[i] = t0;
      if (this.interval > 0 && this.s.uniform) this.origin[i] += ((this.s.firstConn + i) * this.interval) / this.s.totalConns;
      this.callIndex[i] = 0;
      if (this.remaining[i]! <= 0) this.connDone(i);
      else this.schedule(i, t0, now);
    }
  }

  /** Connection `conn`'s call ended at `now`: decide its next one. */
  completed(conn: number, now: number): void {
    if (this.warming[conn] === 1) {
      this.warming[conn] = 0;
      if (--this.warmupLeft === 0) this.onWarm?.();
      return;
    }
    if (this.stopped || this.done[conn] === 1) return;
    if (--this.remaining[conn]! <= 0 || now >= this.endAt) return this.connDone(conn);
    if (this.interval === 0) return this.out.send(conn, now, now, false);
    this.schedule(conn, this.origin[conn]! + ++this.callIndex[conn]! * this.interval, now);
  }

  /** Stop now: nothing more is sent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.waiting.length = 0;
    this.finish();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private schedule(conn: number, due: number, now: number): void {
    if (this.interval === 0) {
      if (due > now) return this.wait(conn, due, now);
      if (now >= this.endAt) return this.connDone(conn);
      return this.out.send(conn, now, now, false);
    }
    let sleep = due - now;
    if (this.s.jitter && sleep > 0) {
      const j = (this.random() * 2 - 1) * JITTER * sleep;
      due += j;
      sleep += j;
    }
    if (this.callIndex[conn]! > 0) this.out.slept(sleep);
    if (due >= this.endAt) return this.connDone(conn);
    if (sleep > 0) return this.wait(conn, due, now);
    if (this.s.noCatchUp) {
      // Re-base the schedule on now instead of bursting to catch up.
      this.origin[conn] = now - this.callIndex[conn]! * this.interval;
      due = now;
    }
    this.out.send(conn, due, now, false);
  }

  private wait(conn: number, due: number, now: number): void {
    this.due[conn] = due;
    this.waiting.push(conn);
    if (due < this.timerDue) this.arm(due, now);
  }

  private arm(due: number, now: number): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerDue = due;
    this.timer = this.clock.setTimer(this.fireBound, Math.max(0, due - now));
  }

  /** Wake every waiting connection whose time has come. */
  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    if (this.stopped) return;
    const now = this.clock.now();
    let min = Infinity;
    const w = this.waiting;
    for (let i = 0; i < w.length; ) {
      const conn = w[i]!;
      const due = this.due[conn]!;
      if (due <= now + TIMER_SLACK_MS) {
        w[i] = w[w.length - 1]!;
        w.pop();
        if (due >= this.endAt) this.connDone(conn);
        // A closed-loop connection waited for the start only: it is on time now.
        else this.out.send(conn, this.interval === 0 ? now : due, now, false);
      } else {
        if (due < min) min = due;
        i++;
      }
    }
    if (min !== Infinity) this.arm(min, now);
  }

  private connDone(conn: number): void {
    if (this.done[conn] === 1) return;
    this.done[conn] = 1;
    if (--this.active === 0) this.finish();
  }

  private finish(): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    this.out.finished();
  }
}
