// The coordinator (main thread): splits connections, calls and qps over a
// piscina pool of load workers the way fortio splits them over goroutines,
// merges the workers' interval deltas exactly (HDR add, fortio bucket sums —
// percentiles are never averaged) and publishes LoadSnapshots for the UI.

import { availableParallelism } from 'node:os';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { RuntimeError } from '../errors.js';
import { fortioCallPlan, MESHBENCH_FORTIO_VERSION, FortioRunHistograms, type FortioRunData } from '../report/fortio-run.js';
import { createHdr, addEncoded, encodeHdr, summarize } from './latency.js';
import type { ToCoordinator, ToWorker, WorkerDelta, WorkerFinal, WorkerTask } from './protocol.js';
import type { LoadOptions, LoadResult, LoadSnapshot } from './types.js';

/** Everything a run measured: fortio's result data plus meshbench's own block. */
export interface LoadRun extends FortioRunData {
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

/** fortio: -n is split n/c per connection, the remainder going to connection 0. */
export function splitCalls(exactly: number, connections: number): number[] {
  const out: number[] = new Array(connections);
  if (exactly <= 0) return out.fill(Infinity);
  const each = Math.floor(exactly / connections);
  out.fill(each);
  out[0] += exactly - each * connections;
  return out;
}

/** Connections per worker, as even as possible, earlier workers taking the extra. */
export function splitConnections(connections: number, workers: number): number[] {
  const base = Math.floor(connections / workers);
  const extra = connections % workers;
  return Array.from({ length: workers }, (_, i) => base + (i < extra ? 1 : 0));
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

class Aggregate {
  readonly hdrService = createHdr();
  readonly hdrCorrected = createHdr();
  readonly windowService = createHdr();
  readonly hist: FortioRunHistograms;
  codes: Record<string, number> = {};
  calls = 0;
  windowCalls = 0;
  bytes = 0;
  sockets = 0;
  sleeps = 0;
  negativeSleeps = 0;
  behindMs = 0;
  maxBehindMs = 0;
  lagMs = 0;
  maxLagMs = 0;
  utilization = 0;

  constructor(o: LoadOptions) {
    this.hist = new FortioRunHistograms(o);
  }

  add(d: WorkerDelta): void {
    this.calls += d.calls;
    this.windowCalls += d.calls;
    addEncoded(this.hdrService, d.hdrService);
    addEncoded(this.windowService, d.hdrService);
    addEncoded(this.hdrCorrected, d.hdrCorrected);
    this.hist.mergeStates(d);
    for (const k in d.codes) this.codes[k] = (this.codes[k] ?? 0) + d.codes[k];
    this.bytes += d.bytes;
    this.sockets += d.sockets;
    this.sleeps += d.sleeps;
    this.negativeSleeps += d.negativeSleeps;
    if (d.behindMs > this.behindMs) this.behindMs = d.behindMs;
    if (d.behindMs > this.maxBehindMs) this.maxBehindMs = d.behindMs;
    if (d.eventLoopLagMs > this.lagMs) this.lagMs = d.eventLoopLagMs;
    if (d.eventLoopLagMs > this.maxLagMs) this.maxLagMs = d.eventLoopLagMs;
    if (d.utilization > this.utilization) this.utilization = d.utilization;
  }
}

/** Run one fortio-style load. Resolves with the (possibly partial) result; abort via `signal`. */
export async function runLoad(opts: LoadOptions, ctl: RunLoadControl = {}): Promise<LoadRun> {
  const intervalMs = ctl.snapshotIntervalMs ?? 250;
  const url = new URL(opts.url);
  const target = opts.connectTo ?? { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
  const connectHost = await resolveHost(target.host);
  const hostOverride = opts.headers.find(([k]) => k.toLowerCase() === 'host');
  const hostHeader = hostOverride ? hostOverride[1] : url.host;

  // fortio lowers the connection count at fixed qps when there are < 2 calls per connection,
  // and at fixed qps for a duration plans int(qps × duration) calls, perThread each.
  const plan = fortioCallPlan(opts, availableParallelism());
  const c = plan.numThreads;
  const nWorkers = Math.max(1, Math.min(opts.workers > 0 ? opts.workers : defaultWorkers(c), c));
  const calls =
    opts.qps > 0 && opts.exactly <= 0 && opts.durationMs > 0 ? new Array<number>(c).fill(plan.perThread) : splitCalls(opts.exactly, c);
  const perConnQps = opts.qps > 0 ? opts.qps / c : 0;
  const warmup = opts.exactly <= 0;

  const pool = workerPool(nWorkers);
  const agg = new Aggregate(opts);
  const ports: MessagePortLike[] = [];
  const tasks: Promise<void>[] = [];
  const finals: WorkerFinal[] = [];
  let finalCount = 0;
  let onAllFinal!: () => void;
  const allFinal = new Promise<void>((r) => (onAllFinal = r));
  let ready = 0;
  let warmupError: string | undefined;
  let started = false;
  let stopped = false;
  let abortedOnCode = false;
  let t0Perf = 0;
  let lastSnap = 0;
  let onAllReady!: () => void;
  const allReady = new Promise<void>((r) => (onAllReady = r));

  const stopAll = (): void => {
    if (stopped) return;
    stopped = true;
    for (const p of ports) p.postMessage({ type: 'stop' } satisfies ToWorker);
    onAllReady();
  };
  const onAbort = (): void => stopAll();
  ctl.signal?.addEventListener('abort', onAbort, { once: true });

  let first = 0;
  const perWorker = splitConnections(c, nWorkers);
  for (let w = 0; w < nWorkers; w++) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    port1.on('message', (m: ToCoordinator) => {
      if (m.type === 'delta') agg.add(m.delta);
      else if (m.type === 'ready') {
        if (m.error && warmupError === undefined) warmupError = m.error;
        if (++ready === nWorkers) onAllReady();
      } else if (m.type === 'abort-on') {
        abortedOnCode = true;
        stopAll();
      } else if (m.type === 'final') {
        finals[w] = m.final; // indexed by worker, so Sockets keeps connection order
        if (++finalCount === nWorkers) onAllFinal();
      }
    });
    const task: WorkerTask = {
      opts,
      connectHost,
      connectPort: target.port,
      hostHeader,
      firstConn: first,
      totalConns: c,
      calls: calls.slice(first, first + perWorker[w]),
      perConnQps,
      warmup,
      intervalMs,
      port: port2,
    };
    first += perWorker[w];
    tasks.push(pool.run(task, { transferList: [port2] as never }));
  }
  // A worker that throws must not leave the others running.
  const settled = Promise.all(tasks.map((t) => t.catch((e: unknown) => (stopAll(), Promise.reject(e)))));
  settled.catch(() => {});

  let snapTimer: NodeJS.Timeout | null = null;
  const publish = (done: boolean): void => {
    if (!ctl.onSnapshot || !started) return;
    const now = performance.now();
    const elapsedMs = now - t0Perf;
    const windowMs = Math.max(1, now - lastSnap);
    lastSnap = now;
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
      workers: nWorkers,
      done,
    };
    if (perConnQps > 0) snap.correctedCumulative = summarize(agg.hdrCorrected);
    agg.windowService.reset();
    agg.windowCalls = 0;
    agg.behindMs = 0;
    agg.lagMs = 0;
    agg.utilization = 0;
    ctl.onSnapshot(snap);
  };

  try {
    if (ctl.signal?.aborted) stopAll();
    await Promise.race([allReady, settled]);
    if (warmupError !== undefined && !stopped) stopAll();
    if (!stopped) {
      const t0Epoch = performance.timeOrigin + performance.now() + 2;
      t0Perf = t0Epoch - performance.timeOrigin;
      lastSnap = t0Perf;
      for (const p of ports) p.postMessage({ type: 'start', t0: t0Epoch } satisfies ToWorker);
      started = true;
      if (ctl.onSnapshot) snapTimer = setInterval(() => publish(false), intervalMs);
    }
    await settled;
    // Deltas and finals travel on the coordinator's ports, in order; the task results do not.
    await allFinal;
  } finally {
    if (snapTimer) clearInterval(snapTimer);
    ctl.signal?.removeEventListener('abort', onAbort);
    for (const p of ports) p.close();
  }
  if (warmupError !== undefined) throw new RuntimeError('MB_ERR_WARMUP', `Aborting because of ${warmupError}`);
  const startTime = new Date(performance.timeOrigin + (t0Perf || performance.now()));
  for (const f of finals) {
    agg.add(f.delta);
    if (f.abortedOnCode) abortedOnCode = true;
  }
  const endPerf = finals.reduce((m, f) => Math.max(m, f.endedAt - performance.timeOrigin), 0);
  const actualMs = started ? Math.max(0.001, endPerf - t0Perf) : 0;
  publish(true);

  const ipCountMap: Record<string, number> = {};
  for (const f of finals) for (const k in f.ipCountMap) ipCountMap[k] = (ipCountMap[k] ?? 0) + f.ipCountMap[k];
  const sockets = finals.flatMap((f) => f.sockets);
  const perConnection = finals.flatMap((f) => f.perConnection);
  const achievedQps = actualMs > 0 ? (agg.calls * 1000) / actualMs : 0;
  const interrupted = stopped && !abortedOnCode;
  const behindFraction = agg.sleeps > 0 ? agg.negativeSleeps / agg.sleeps : 0;
  const meshbench: LoadResult['meshbench'] = {
    serviceTime: summarize(agg.hdrService),
    requestedQps: opts.qps > 0 ? opts.qps : 0,
    achievedQps,
    fellBehind: behindFraction > 0.05,
    maxBehindScheduleMs: agg.maxBehindMs,
    maxEventLoopLagMs: agg.maxLagMs,
    workerUtilization: finals.reduce((m, f) => Math.max(m, f.runUtilization), 0),
    workers: nWorkers,
    interrupted,
    hdrServiceTime: encodeHdr(agg.hdrService),
  };
  if (perConnQps > 0) meshbench.correctedTime = summarize(agg.hdrCorrected);
  const run: LoadRun = {
    options: opts,
    version: MESHBENCH_FORTIO_VERSION,
    startTime,
    actualDurationNs: Math.round(actualMs * 1e6),
    calls: agg.calls,
    retCodes: sortCodes(agg.codes),
    duration: agg.hist.duration.toState(),
    errors: agg.hist.errors.toState(),
    sizes: agg.hist.sizes.toState(),
    headerSizes: agg.hist.headerSizes.toState(),
    connectionTimes: agg.hist.connectionTimes.toState(),
    sockets,
    ipCountMap,
    perConnection,
    numThreads: c,
    interrupted,
    behindFraction,
    abortedOnCode,
    meshbench,
  };
  if (perConnQps > 0) run.sleepTimes = agg.hist.sleepTimes.toState();
  return run;
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

export { toLoadResult } from './result.js';
