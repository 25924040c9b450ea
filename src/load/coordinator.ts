// The coordinator (main thread): splits connections, calls and qps over a
// piscina pool of load workers the way fortio splits them over goroutines,
// merges the workers' interval deltas exactly (HDR add, fortio bucket sums —
// percentiles are never averaged) and publishes LoadSnapshots for the UI.

import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { RuntimeError } from '../errors.js';
import type { FortioRunData } from '../report/fortio-run.js';
import { MESHBENCH_FORTIO_VERSION } from '../report/fortio-version.js';
import { Aggregate } from './aggregate.js';
import { fortioCallPlan, splitConnections } from './call-plan.js';
import type { Target } from './protocol.js';
import { encodeHdr, summarize, type Hdr } from './latency.js';
import type { ToCoordinator, ToWorker, WorkerFinal, WorkerTask } from './protocol.js';
import type { LoadOptions, LoadResult, LoadSnapshot } from './types.js';

/** Everything a run measured: fortio's result data plus meshbench's own block. */
export interface LoadRun extends FortioRunData {
  options: LoadOptions;
  /** Fraction (0..1) of sleeps that were negative (behind schedule); qps mode. */
  behindFraction: number;
  /** Set when -abort-on stopped the run. */
  abortedOnCode: boolean;
  meshbench: LoadResult['meshbench'];
}

export interface RunLoadControl {
  signal?: AbortSignal;
  onSnapshot?: (s: LoadSnapshot) => void;
  /** Snapshot (and worker delta) period; default 250 ms. */
  snapshotIntervalMs?: number;
  /** The timed run starts at this instant (epoch ms): the clock a scenario's events run on. */
  onStart?: (t0EpochMs: number) => void;
}

/**
 * Worker threads to use when the user did not say. Measured on the 2-core box
 * (bench/load.ts, target in another process on the same cores): one worker
 * costs ~18-21 µs CPU per call, two cost ~22-38 µs (more threads, less
 * batching per event-loop turn) and leave less CPU to the target. With spare
 * cores, one more worker per 32 connections.
 */
export function defaultWorkers(connections: number, cores = availableParallelism()): number {
  const byCores = cores <= 2 ? 1 : Math.min(cores - 1, Math.ceil(connections / 32));
  return Math.max(1, Math.min(byCores, connections));
}

/**
 * Worker pools outlive a run: the next step of a scenario (or the next run of a
 * bench) finds undici loaded and its hot paths already optimized, instead of
 * paying a fresh isolate's start-up and JIT warm-up on every run. Idle piscina
 * threads are unref'd, so they never keep the process alive.
 */
const pools = new Map<number, Piscina>();

function workerPool(threads: number): Piscina {
  let pool = pools.get(threads);
  if (!pool) {
    pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
    });
    pools.set(threads, pool);
  }
  return pool;
}

/** Stop the load worker threads now (they would otherwise idle out after a minute). */
export async function closeLoadWorkers(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

/**
 * Phases of a run. starting: resolving the target, handing tasks to the workers;
 * warmup: waiting for every worker's "ready"; running: the timed run, snapshots
 * published; draining: the run is ending (every worker finished, or all were
 * told to stop) and the finals are awaited; done: the result is assembled;
 * aborted: stopped (or failed) before the timed run began.
 */
export type LoadPhase = 'starting' | 'warmup' | 'running' | 'draining' | 'done' | 'aborted';

const NEXT: Record<LoadPhase, readonly LoadPhase[]> = {
  starting: ['warmup', 'aborted'],
  warmup: ['running', 'aborted'],
  running: ['draining'],
  draining: ['done'],
  done: [],
  aborted: [],
};

/** One run: splits the work over the pool, follows the workers' messages, merges their deltas. */
class LoadCoordinator {
  private phase: LoadPhase = 'starting';
  private readonly intervalMs: number;
  private readonly agg: Aggregate;
  private readonly ports: MessagePortLike[] = [];
  private readonly finals: WorkerFinal[] = [];
  private finalCount = 0;
  private readyCount = 0;
  private nWorkers = 0;
  private perConnQps = 0;
  private warmupError: string | undefined;
  private abortedOnCode = false;
  /** A stop was requested (signal, -abort-on, a failing worker, a warm-up error). */
  private stopped = false;
  private t0 = 0;
  private lastSnap = 0;
  private snapTimer: NodeJS.Timeout | null = null;
  private readonly allReady = deferred();
  private readonly allFinal = deferred();
  private readonly onAbort = (): void => this.stop();

  constructor(
    private readonly opts: LoadOptions,
    private readonly ctl: RunLoadControl,
  ) {
    this.intervalMs = ctl.snapshotIntervalMs ?? 250;
    this.agg = new Aggregate(opts);
  }

  private transition(to: LoadPhase): void {
    assert.ok(NEXT[this.phase].includes(to), `load run: no transition ${this.phase} -> ${to}`);
    this.phase = to;
  }

  async run(): Promise<LoadRun> {
    const o = this.opts;
    const url = new URL(o.url);
    const addr = o.connectTo ?? { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
    const hostOverride = o.headers.find(([k]) => k.toLowerCase() === 'host');
    const target: Target = { host: await resolveHost(addr.host), port: addr.port, hostHeader: hostOverride ? hostOverride[1] : url.host };
    const plan = fortioCallPlan(o);
    const c = plan.numThreads;
    this.nWorkers = Math.max(1, Math.min(o.workers > 0 ? o.workers : defaultWorkers(c), c));
    this.perConnQps = o.qps > 0 ? o.qps / c : 0;
    this.ctl.signal?.addEventListener('abort', this.onAbort, { once: true });
    try {
      const settled = this.startWorkers(target, plan.calls);
      this.transition('warmup');
      if (this.ctl.signal?.aborted) this.stop();
      await Promise.race([this.allReady.promise, settled]);
      if (this.warmupError !== undefined) this.stop();
      if (this.phase === 'warmup') this.begin();
      await settled;
      if (this.phase === 'running') this.transition('draining');
      // Deltas and finals travel on the coordinator's ports, in order; the task results do not.
      await this.allFinal.promise;
    } finally {
      if (this.snapTimer) clearInterval(this.snapTimer);
      this.ctl.signal?.removeEventListener('abort', this.onAbort);
      for (const p of this.ports) p.close();
    }
    if (this.warmupError !== undefined) throw new RuntimeError('MB_ERR_WARMUP', `Aborting because of ${this.warmupError}`);
    const started = this.phase === 'draining';
    if (started) this.transition('done');
    return this.result(c, started);
  }

  /** Hand each worker its connections; resolves when every task has ended (rejects if one threw). */
  private startWorkers(target: Target, calls: number[]): Promise<unknown> {
    const pool = workerPool(this.nWorkers);
    const perWorker = splitConnections(calls.length, this.nWorkers);
    const tasks: Promise<void>[] = [];
    let first = 0;
    for (let w = 0; w < this.nWorkers; w++) {
      const { port1, port2 } = new MessageChannel();
      this.ports.push(port1);
      port1.on('message', (m: ToCoordinator) => this.onMessage(w, m));
      const task: WorkerTask = {
        opts: this.opts,
        target,
        firstConn: first,
        totalConns: calls.length,
        calls: calls.slice(first, first + perWorker[w]!),
        perConnQps: this.perConnQps,
        warmup: this.opts.exactly <= 0,
        // Nobody reads snapshots: the final delta alone (no HDR encoding and posting every interval).
        deltaIntervalMs: this.ctl.onSnapshot ? this.intervalMs : 0,
        port: port2,
      };
      first += perWorker[w]!;
      tasks.push(pool.run(task, { transferList: [port2] as never }));
    }
    // A worker that throws must not leave the others running.
    const settled = Promise.all(tasks.map((t) => t.catch((e: unknown) => (this.stop(), Promise.reject(e)))));
    settled.catch(() => {});
    return settled;
  }

  private onMessage(worker: number, m: ToCoordinator): void {
    switch (m.type) {
      case 'delta':
        return this.agg.add(m.delta);
      case 'ready':
        if (m.error && this.warmupError === undefined) this.warmupError = m.error;
        if (++this.readyCount === this.nWorkers) this.allReady.resolve();
        return;
      case 'abort-on':
        this.abortedOnCode = true;
        return this.stop();
      case 'final':
        this.finals[worker] = m.final; // indexed by worker, so Sockets keeps connection order
        if (++this.finalCount === this.nWorkers) this.allFinal.resolve();
        return;
    }
  }

  /** Every worker is warm: start the timed run on all of them at one instant. */
  private begin(): void {
    this.transition('running');
    const t0Epoch = performance.timeOrigin + performance.now() + 2;
    this.t0 = this.lastSnap = t0Epoch - performance.timeOrigin;
    for (const p of this.ports) p.postMessage({ type: 'start', t0: t0Epoch } satisfies ToWorker);
    this.ctl.onStart?.(t0Epoch);
    if (this.ctl.onSnapshot) this.snapTimer = setInterval(() => this.publish(false), this.intervalMs);
  }

  /** Stop every worker now (idempotent). */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.phase === 'starting' || this.phase === 'warmup') this.transition('aborted');
    else if (this.phase === 'running') this.transition('draining');
    for (const p of this.ports) p.postMessage({ type: 'stop' } satisfies ToWorker);
    this.allReady.resolve();
  }

  private publish(done: boolean): void {
    if (!this.ctl.onSnapshot) return;
    const { agg, opts } = this;
    const now = performance.now();
    const elapsedMs = now - this.t0;
    const windowMs = Math.max(1, now - this.lastSnap);
    this.lastSnap = now;
    const snap: LoadSnapshot = {
      elapsedMs,
      plannedCalls: opts.exactly,
      plannedDurationMs: opts.exactly > 0 ? 0 : opts.durationMs,
      calls: agg.calls,
      windowQps: (agg.windowCalls * 1000) / windowMs,
      achievedQps: elapsedMs > 0 ? (agg.calls * 1000) / elapsedMs : 0,
      requestedQps: opts.qps > 0 ? opts.qps : 0,
      window: summarize(agg.windowService),
      cumulative: summarize(agg.hdrService),
      codes: { ...agg.codes },
      socketsOpened: agg.sockets,
      behindScheduleMs: agg.behindMs,
      eventLoopLagMs: agg.lagMs,
      workerUtilization: agg.utilization,
      workers: this.nWorkers,
      done,
    };
    if (this.perConnQps > 0) snap.correctedCumulative = summarize(agg.hdrCorrected);
    agg.resetWindow();
    this.ctl.onSnapshot(snap);
  }

  /** The run's data from the merged finals; `started`: the timed run began (else an empty, interrupted run). */
  private result(numThreads: number, started: boolean): LoadRun {
    const { agg, opts, finals } = this;
    for (const f of finals) {
      agg.add(f.delta);
      if (f.abortedOnCode) this.abortedOnCode = true;
    }
    const startTime = new Date(performance.timeOrigin + (started ? this.t0 : performance.now()));
    const endPerf = finals.reduce((m, f) => Math.max(m, f.endedAt - performance.timeOrigin), 0);
    const actualMs = started ? Math.max(0.001, endPerf - this.t0) : 0;
    if (started) this.publish(true);
    const ipCountMap: Record<string, number> = {};
    for (const f of finals) for (const k in f.ipCountMap) ipCountMap[k] = (ipCountMap[k] ?? 0) + f.ipCountMap[k]!;
    const achievedQps = actualMs > 0 ? (agg.calls * 1000) / actualMs : 0;
    const interrupted = this.stopped && !this.abortedOnCode;
    const behindFraction = agg.sleeps > 0 ? agg.negativeSleeps / agg.sleeps : 0;
    const meshbench: LoadResult['meshbench'] = {
      serviceTime: summarize(agg.hdrService),
      requestedQps: opts.qps > 0 ? opts.qps : 0,
      achievedQps,
      fellBehind: behindFraction > 0.05,
      maxBehindScheduleMs: agg.maxBehindMs,
      maxEventLoopLagMs: agg.maxLagMs,
      workerUtilization: finals.reduce((m, f) => Math.max(m, f.runUtilization), 0),
      workers: this.nWorkers,
      interrupted,
      hdrServiceTime: '',
    };
    // Encoded when first read (the JSON, the HTML report): encoding costs milliseconds a run
    // that nobody reads it from (a bench, a scenario step's own summary) need not pay.
    let hdr: Hdr | null = agg.hdrService;
    let encoded = '';
    Object.defineProperty(meshbench, 'hdrServiceTime', {
      enumerable: true,
      get: () => {
        if (hdr !== null) [encoded, hdr] = [encodeHdr(hdr), null];
        return encoded;
      },
    });
    if (this.perConnQps > 0) meshbench.correctedTime = summarize(agg.hdrCorrected);
    const { sleepTimes, ...histograms } = agg.hist.toStates();
    const run: LoadRun = {
      options: opts,
      version: MESHBENCH_FORTIO_VERSION,
      startTime,
      actualDurationNs: Math.round(actualMs * 1e6),
      calls: agg.calls,
      retCodes: sortCodes(agg.codes),
      ...histograms,
      sockets: finals.flatMap((f) => f.sockets),
      ipCountMap,
      perConnection: finals.flatMap((f) => f.perConnection),
      numThreads,
      interrupted,
      behindFraction,
      abortedOnCode: this.abortedOnCode,
      meshbench,
    };
    if (this.perConnQps > 0) run.sleepTimes = sleepTimes;
    return run;
  }
}

/** Run one fortio-style load. Resolves with the (possibly partial) result; abort via `signal`. */
export function runLoad(opts: LoadOptions, ctl: RunLoadControl = {}): Promise<LoadRun> {
  return new LoadCoordinator(opts, ctl).run();
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

type MessagePortLike = InstanceType<typeof MessageChannel>['port1'];

function sortCodes(codes: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(codes).sort((a, b) => Number(a) - Number(b))) out[k] = codes[k];
  return out;
}

/** Resolve once, as fortio does; a name that does not resolve stops the run before it starts. */
async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new RuntimeError('MB_ERR_RESOLVE', `unable to resolve host "${host}" (${code})`);
  }
}
