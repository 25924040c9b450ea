// A replica's capacity: a fixed number of workers and a bounded FIFO queue in
// front of them, like a thread-pool server (Tomcat maxThreads + acceptCount,
// gunicorn workers + backlog). A request that finds the queue full, or waits
// longer than the queue timeout, is refused (the app answers 503). Pure: the
// timer is injected, so tests run it on simulated time.

export interface Timers {
  set(ms: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

export interface CapacityLimits {
  workers: number;
  /** Most requests waiting for a worker; 0 = refuse when all workers are busy. */
  queue: number;
  /** Longest wait for a worker; null = no limit. */
  queueTimeoutMs: number | null;
}

export type Refusal = 'queue-full' | 'queue-timeout';

export interface Job {
  /** Runs on a worker; the job must call `release()` exactly once when done. */
  start(): void;
  refuse(why: Refusal): void;
}

interface Waiting {
  job: Job;
  timer: unknown;
}

export class Capacity {
  private busy = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly limits: CapacityLimits,
    private readonly timers: Timers,
  ) {}

  get active(): number {
    return this.busy;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Starts the job now, queues it, or refuses it at once (queue full). */
  submit(job: Job): void {
    if (this.busy < this.limits.workers) {
      this.busy++;
      job.start();
      return;
    }
    if (this.waiting.length >= this.limits.queue) {
      job.refuse('queue-full');
      return;
    }
    const w: Waiting = { job, timer: undefined };
    const t = this.limits.queueTimeoutMs;
    if (t !== null) {
      w.timer = this.timers.set(t, () => {
        const i = this.waiting.indexOf(w);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        job.refuse('queue-timeout');
      });
    }
    this.waiting.push(w);
  }

  /** A worker finished: the oldest waiting job takes it. */
  release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.busy = Math.max(0, this.busy - 1);
      return;
    }
    if (next.timer !== undefined) this.timers.clear(next.timer);
    next.job.start();
  }

  /** Drop every waiting job without answering (the server is closing). */
  clear(): void {
    for (const w of this.waiting.splice(0)) if (w.timer !== undefined) this.timers.clear(w.timer);
  }
}
