// A load worker thread (run by piscina): owns a share of the connections and
// wires the three parts of fortio's loop together — the Scheduler (when to
// send), the ConnectionRunner (undici sends) and the Recorder (what to count) —
// posting interval deltas to the coordinator and a final one at the end.
import { performance } from 'node:perf_hooks';
import type { Connection, ConnectionEvents } from './connection.js';
import { ConnectionRunner } from './connection-runner.js';
import { fortioCodeIsOk } from './fortio-histogram.js';
import type { ToCoordinator, ToWorker, WorkerFinal, WorkerTask } from './protocol.js';
import { Recorder } from './recorder.js';
import { realClock, Scheduler, type SchedulerOutput } from './schedule.js';

class WorkerRun implements SchedulerOutput, ConnectionEvents {
  private readonly runner: ConnectionRunner;
  private readonly scheduler: Scheduler;
  private readonly recorder: Recorder;
  private readonly paced: boolean;
  private reportTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private abortedOnCode = false;
  private warmupError: string | undefined;
  private resolveDone!: (f: WorkerFinal) => void;
  readonly done: Promise<WorkerFinal>;

  constructor(readonly task: WorkerTask) {
    const o = task.opts;
    this.paced = task.perConnQps > 0;
    this.recorder = new Recorder(o, this.paced);
    this.runner = new ConnectionRunner(o, task.target, task.calls.length, this);
    this.scheduler = new Scheduler(
      {
        calls: task.calls,
        perConnQps: task.perConnQps,
        uniform: o.uniform,
        jitter: o.jitter,
        noCatchUp: o.noCatchUp,
        durationMs: o.exactly === 0 ? o.durationMs : 0,
        firstConn: task.firstConn,
        totalConns: task.totalConns,
      },
      realClock,
      Math.random,
      this,
    );
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  /** fortio warm-up (duration mode): one untimed call per connection, all at once. */
  warmup(): Promise<string | undefined> {
    this.runner.startTimeouts();
    if (!this.task.warmup) return Promise.resolve(undefined);
    return new Promise((resolve) => this.scheduler.warmup(() => resolve(this.warmupError)));
  }

  start(t0: number): void {
    this.recorder.start();
    if (this.task.deltaIntervalMs > 0) this.reportTimer = setInterval(() => this.post(), this.task.deltaIntervalMs);
    this.scheduler.start(t0);
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.runner.destroy();
    this.scheduler.stop();
  }

  // --- SchedulerOutput
  send(conn: number, intended: number, now: number, warmup: boolean): void {
    if (this.paced && !warmup) this.recorder.sent(intended, now);
    this.runner.conns[conn]!.send(intended, now, warmup);
  }
  slept(ms: number): void {
    this.recorder.slept(ms);
  }
  finished(): void {
    this.finish();
  }

  // --- ConnectionEvents
  ended(c: Connection, code: number, now: number, err?: Error): void {
    if (c.warmup) {
      this.warmedUp(c, code, err);
      return this.scheduler.completed(c.index, now);
    }
    if (this.stopping) return;
    this.recorder.call(code, c.intended, c.sent, now, c.headerBytes, c.bodyBytes);
    const abortOn = this.task.opts.abortOn;
    if (abortOn !== 0 && code === abortOn) return this.abortOnCode(code);
    // After an error undici may still be unwinding its connect/queue state: send the next call on the next turn.
    if (err !== undefined) setImmediate(() => this.scheduler.completed(c.index, performance.now()));
    else this.scheduler.completed(c.index, now);
  }
  socket(key: string, connectSec: number): void {
    this.recorder.socket(key, connectSec);
  }

  private warmedUp(c: Connection, code: number, err?: Error): void {
    // A stop during warm-up destroys the clients: that is not the target's fault.
    if (!this.stopping && !fortioCodeIsOk(code) && !this.task.opts.allowInitialErrors && this.warmupError === undefined) {
      const url = this.task.opts.url;
      this.warmupError =
        code === -1 ? `error ${code} for ${url}: ${err?.message ?? 'connection failed'}` : `error ${code} for ${url}: ${JSON.stringify(c.warmupBody)}`;
    }
    c.warmupBody = '';
  }

  private abortOnCode(code: number): void {
    this.abortedOnCode = true;
    this.task.port.postMessage({ type: 'abort-on', code } satisfies ToCoordinator);
    this.stop();
  }

  private post(): void {
    this.task.port.postMessage({ type: 'delta', delta: this.recorder.takeDelta() } satisfies ToCoordinator);
  }

  private finishedOnce = false;
  private finish(): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.recorder.stop();
    this.runner.close();
    const conns = this.runner.conns;
    this.resolveDone({
      delta: this.recorder.takeDelta(),
      sockets: conns.map((c) => c.sockets),
      perConnection: conns.map((c) => ({ ipCounts: c.ipCounts, connectTimes: c.connectTimes.toState() })),
      ipCountMap: this.recorder.ipCountMap,
      endedAt: performance.timeOrigin + (this.recorder.lastEnd || performance.now()),
      abortedOnCode: this.abortedOnCode,
      runUtilization: this.recorder.runUtilization(),
    });
  }
}

/** piscina entry point: warm up, wait for the coordinator's start, run, post the final delta. */
export default async function runWorker(task: WorkerTask): Promise<void> {
  const run = new WorkerRun(task);
  const port = task.port;
  let startT0: number | undefined;
  let stopped = false;
  let onStart: (() => void) | null = null;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'start') {
      startT0 = m.t0;
      onStart?.();
    } else if (m.type === 'stop') {
      stopped = true;
      onStart?.();
      run.stop();
    }
  });
  try {
    const warmupError = await run.warmup();
    port.postMessage({ type: 'ready', error: warmupError } satisfies ToCoordinator);
    if (startT0 === undefined && !stopped) await new Promise<void>((r) => (onStart = r));
    if (stopped || warmupError !== undefined) run.stop();
    else run.start(Math.max(startT0! - performance.timeOrigin, 0));
    const final = await run.done;
    port.postMessage({ type: 'final', final } satisfies ToCoordinator);
  } finally {
    // The coordinator closes the channel once it has read everything.
    port.unref();
  }
}
