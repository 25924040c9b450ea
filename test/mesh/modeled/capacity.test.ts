// Workers + bounded queue on simulated time: FIFO hand-over, queue full and
// queue timeout refusals, and the queueing delay a request sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Capacity, type Job, type Refusal, type Timers } from '../../../src/mesh/apps/modeled/capacity.js';

/** Simulated clock: timers fire only when advance() passes their deadline. */
class SimTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  set(ms: number, fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

function job(log: string[], name: string, clock: SimTimers): Job & { startedAt?: number; refused?: Refusal } {
  const j: Job & { startedAt?: number; refused?: Refusal } = {
    start: () => {
      j.startedAt = clock.now;
      log.push(`start ${name}`);
    },
    refuse: (why) => {
      j.refused = why;
      log.push(`${why} ${name}`);
    },
  };
  return j;
}

test('two workers, queue of 2: the 5th request is refused at once, queued ones start in order as workers free', () => {
  const clock = new SimTimers();
  const cap = new Capacity({ workers: 2, queue: 2, queueTimeoutMs: null }, clock);
  const log: string[] = [];
  const jobs = ['a', 'b', 'c', 'd', 'e'].map((n) => job(log, n, clock));
  for (const j of jobs) cap.submit(j);
  assert.deepEqual(log, ['start a', 'start b', 'queue-full e']);
  assert.equal(cap.active, 2);
  assert.equal(cap.queued, 2);
  clock.advance(50);
  cap.release(); // a done at t=50
  clock.advance(30);
  cap.release(); // b done at t=80
  assert.deepEqual(log.slice(3), ['start c', 'start d']);
  assert.equal(jobs[2].startedAt, 50, 'c waited 50 ms in the queue');
  assert.equal(jobs[3].startedAt, 80);
  cap.release();
  cap.release();
  assert.equal(cap.active, 0);
  assert.equal(cap.queued, 0);
});

test('queue timeout: a request waiting longer than queueTimeout is refused; the others keep their place', () => {
  const clock = new SimTimers();
  const cap = new Capacity({ workers: 1, queue: 10, queueTimeoutMs: 100 }, clock);
  const log: string[] = [];
  const [a, b] = [job(log, 'a', clock), job(log, 'b', clock)];
  cap.submit(a);
  cap.submit(b);
  clock.advance(60);
  const c = job(log, 'c', clock);
  cap.submit(c);
  clock.advance(40); // b has waited 100 ms
  assert.equal(b.refused, 'queue-timeout');
  assert.equal(c.refused, undefined);
  cap.release(); // a done at 100: c (waited 40) starts, its timer is cancelled
  assert.equal(c.startedAt, 100);
  clock.advance(500);
  assert.equal(c.refused, undefined);
  assert.deepEqual(log, ['start a', 'queue-timeout b', 'start c']);
});

test('queue 0: busy workers refuse at once', () => {
  const clock = new SimTimers();
  const cap = new Capacity({ workers: 1, queue: 0, queueTimeoutMs: null }, clock);
  const log: string[] = [];
  cap.submit(job(log, 'a', clock));
  cap.submit(job(log, 'b', clock));
  assert.deepEqual(log, ['start a', 'queue-full b']);
});
