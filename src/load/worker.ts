// A load worker thread (run by piscina): owns a share of the connections, sends
// with undici's Client.dispatch, records every call and posts interval deltas to
// the coordinator. Each connection object is also its own undici handler, so a
// call allocates nothing of ours; request options are built once.

import { connect as netConnect, type Socket } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client, type Dispatcher, type buildConnector } from 'undici';
import { FortioHistogram } from '../report/fortio-histogram.js';
import { fortioCodeIsOk as codeIsOK, fortioHistogramScales, FortioRunHistograms } from '../report/fortio-run.js';
import { createHdr, encodeHdr, recordMs, type Hdr } from './latency.js';
import type { ToCoordinator, ToWorker, WorkerDelta, WorkerFinal, WorkerTask } from './protocol.js';

/** fortio's -jitter: ±10 % of each sleep. */
const JITTER = 0.1;

class Connection {
  readonly client: Client;
  socket: Socket | null = null;
  sockets = 0;
  /** fortio's per-connection socket lines: address -> sockets, connect times. */
  readonly ipCounts: Record<string, number> = {};
  readonly connectTimes: FortioHistogram;
  /** Calls left (Infinity in duration mode). */
  remaining: number;
  /** Schedule origin (ms, performance clock) and index of the next call on it. */
  origin = 0;
  callIndex = 0;
  intended = 0;
  sent = 0;
  status = 0;
  headerBytes = 0;
  bodyBytes = 0;
  warmup = false;
  warmupBody = '';
  done = false;
  inFlight = false;
  due = 0;
  private connectStart = 0;
  readonly nextBound: () => void;

  constructor(
    readonly run: WorkerRun,
    readonly index: number,
    calls: number,
  ) {
    this.remaining = calls;
    const o = run.task.opts;
    const scale = fortioHistogramScales(o).connectionTimes;
    this.connectTimes = new FortioHistogram(scale.offset, scale.divider);
    this.client = new Client(`http://${bracket(run.task.connectHost)}:${run.task.connectPort}`, {
      // One call in flight per connection, as fortio. 2 (not 1) only so that undici writes
      // the next call at once from onComplete instead of waiting an event-loop turn:
      // the previous reply is complete by then, so nothing is ever pipelined.
      pipelining: 2,
      // undici's parser timers tick at ~1 s; the worker's sweep enforces -timeout precisely,
      // these are only a backstop.
      headersTimeout: o.timeoutMs > 0 ? o.timeoutMs * 2 + 1000 : 0,
      bodyTimeout: o.timeoutMs > 0 ? o.timeoutMs * 2 + 1000 : 0,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connect: this.openSocket as unknown as buildConnector.connector,
    });
    this.nextBound = () => this.run.next(this, performance.now());
  }

  /** undici connector: our own socket, so we can count it, time it and close it like fortio. */
  private openSocket = (_opts: unknown, cb: (err: Error | null, socket: Socket | null) => void): void => {
    const run = this.run;
    this.connectStart = performance.now();
    const s = netConnect({ host: run.task.connectHost, port: run.task.connectPort, noDelay: true });
    let settled = false;
    const timeoutMs = run.task.opts.timeoutMs;
    if (timeoutMs > 0) s.setTimeout(timeoutMs);
    const onTimeout = (): void => {
      s.destroy(Object.assign(new Error(`connect timeout after ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
    };
    const onError = (err: Error): void => {
      if (settled) return;
      settled = true;
      s.off('timeout', onTimeout);
      cb(err, null);
    };
    s.once('timeout', onTimeout);
    s.once('error', onError);
    s.once('connect', () => {
      settled = true;
      s.off('error', onError);
      s.off('timeout', onTimeout);
      s.setTimeout(0);
      this.sockets++;
      this.socket = s;
      const sec = nsSeconds(performance.now() - this.connectStart);
      const key = `${s.remoteAddress}:${s.remotePort}`;
      this.ipCounts[key] = (this.ipCounts[key] ?? 0) + 1;
      this.connectTimes.record(sec);
      run.onSocket(key, sec);
      cb(null, s);
    });
  };

  /** undici's abort for the call in flight (set when it is written). */
  abortCall: ((err: Error) => void) | null = null;

  // --- undici (legacy) dispatch handler; called for every call on this connection.
  onConnect(abort: (err: Error) => void): void {
    this.abortCall = abort;
  }
  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    // Bytes as they were on the wire: "HTTP/1.1 200 OK\r\n", "k: v\r\n"…, "\r\n".
    let n = 9 + 3 + 1 + statusText.length + 2 + 2;
    for (let i = 0; i < rawHeaders.length; i += 2) n += rawHeaders[i].length + 2 + rawHeaders[i + 1].length + 2;
    this.headerBytes = n;
    return true;
  }
  onData(chunk: Buffer): boolean {
    this.bodyBytes += chunk.length;
    if (this.warmup && this.warmupBody.length < 200) this.warmupBody += chunk.toString('utf8', 0, 200);
    return true;
  }
  onComplete(): void {
    this.inFlight = false;
    this.abortCall = null;
    this.run.completed(this, this.status, performance.now());
  }
  onError(err: Error): void {
    this.inFlight = false;
    this.abortCall = null;
    this.run.failed(this, err);
  }
}

class WorkerRun {
  readonly conns: Connection[] = [];
  readonly dispatchOpts: Dispatcher.DispatchOptions;
  readonly interval: number;
  private readonly hdrService: Hdr = createHdr();
  private readonly hdrCorrected: Hdr | null;
  private readonly hist: FortioRunHistograms;
  private codes: Record<number, number> = {};
  private calls = 0;
  private bytes = 0;
  private socketsOpened = 0;
  private sleeps = 0;
  private negativeSleeps = 0;
  private behindMs = 0;
  private readonly ipCountMap: Record<string, number> = {};
  private readonly lag = monitorEventLoopDelay({ resolution: 10 });
  private eluMark = performance.eventLoopUtilization();
  private eluStart = this.eluMark;
  private reportTimer: NodeJS.Timeout | null = null;
  private schedTimer: NodeJS.Timeout | null = null;
  private schedDue = Infinity;
  private readonly waiting: Connection[] = [];
  private readonly fireBound = (): void => this.fire();
  private sweepTimer: NodeJS.Timeout | null = null;
  private active = 0;
  private endAt = Infinity;
  private stopping = false;
  private abortedOnCode = false;
  private lastEnd = 0;
  private warmupPending = 0;
  private warmupError: string | undefined;
  private resolveDone!: (f: WorkerFinal) => void;
  readonly finished: Promise<WorkerFinal>;

  constructor(readonly task: WorkerTask) {
    const o = task.opts;
    this.hist = new FortioRunHistograms(o);
    this.hdrCorrected = task.perConnQps > 0 ? createHdr() : null;
    this.interval = task.perConnQps > 0 ? 1000 / task.perConnQps : 0;
    const u = new URL(o.url);
    const headers: string[] = ['host', task.hostHeader];
    let hasUA = false;
    for (const [k, v] of o.headers) {
      const lk = k.toLowerCase();
      if (lk === 'host') continue; // already in hostHeader
      if (lk === 'user-agent') hasUA = true;
      headers.push(k, v);
    }
    if (!hasUA) headers.push('user-agent', 'fortio.org/fortio-1.11.3-meshbench');
    if (o.payload && o.contentType) headers.push('content-type', o.contentType);
    this.dispatchOpts = {
      origin: `http://${bracket(task.connectHost)}:${task.connectPort}`,
      path: u.pathname + u.search,
      method: o.method as Dispatcher.HttpMethod,
      headers,
      body: o.payload ? Buffer.from(o.payload) : null,
      reset: !o.keepalive,
      blocking: false,
    };
    for (let i = 0; i < task.calls.length; i++) this.conns.push(new Connection(this, i, task.calls[i]));
    this.finished = new Promise((r) => (this.resolveDone = r));
  }

  /**
   * -timeout for calls in flight: one periodic sweep per worker instead of a timer
   * per call (fortio: connect + response within the timeout, else code -1).
   */
  private startSweep(): void {
    const t = this.task.opts.timeoutMs;
    if (t <= 0 || this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      const now = performance.now();
      for (const c of this.conns) {
        if (c.inFlight && c.abortCall && now - c.sent >= t) {
          const abort = c.abortCall;
          c.abortCall = null;
          abort(Object.assign(new Error(`timeout after ${t}ms`), { code: 'ETIMEDOUT' }));
        }
      }
    }, Math.max(2, Math.min(100, t / 20)));
  }

  /** fortio warmup: one call per connection, all at once, nothing recorded. */
  warmupAll(): Promise<void> {
    this.startSweep();
    if (!this.task.warmup || this.conns.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.warmupPending = this.conns.length;
      this.afterWarmup = resolve;
      for (const c of this.conns) {
        c.warmup = true;
        this.send(c, performance.now(), performance.now());
      }
    });
  }
  private afterWarmup: (() => void) | null = null;
  get warmupFailure(): string | undefined {
    return this.warmupError;
  }

  private warmupDone(c: Connection, code: number, err?: Error): void {
    c.warmup = false;
    // A stop during warmup destroys the clients: that is not the target's fault.
    if (!this.stopping && !codeIsOK(code) && !this.task.opts.allowInitialErrors && this.warmupError === undefined) {
      this.warmupError =
        code === -1
          ? `error ${code} for ${this.task.opts.url}: ${err?.message ?? 'connection failed'}`
          : `error ${code} for ${this.task.opts.url}: ${JSON.stringify(c.warmupBody)}`;
    }
    c.warmupBody = '';
    if (--this.warmupPending === 0) this.afterWarmup?.();
  }

  start(t0: number): void {
    const o = this.task.opts;
    this.lag.enable();
    this.eluMark = this.eluStart = performance.eventLoopUtilization();
    this.reportTimer = setInterval(() => this.post(), this.task.intervalMs);
    this.startSweep();
    if (o.exactly === 0 && o.durationMs > 0) this.endAt = t0 + o.durationMs;
    this.active = this.conns.length;
    if (this.active === 0) return this.finish();
    const now = performance.now();
    for (const c of this.conns) {
      // fortio: every connection's first call goes at once; with -uniform the later
      // calls of connection k are shifted by k/c of an interval.
      c.origin = t0;
      if (this.interval > 0 && o.uniform) {
        c.origin += ((this.task.firstConn + c.index) * this.interval) / this.task.totalConns;
      }
      c.callIndex = 0;
      if (c.remaining <= 0) this.connDone(c);
      else this.schedule(c, t0, now);
    }
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.schedTimer) clearTimeout(this.schedTimer);
    this.waiting.length = 0;
    for (const c of this.conns) {
      if (!c.done) {
        c.done = true;
        this.active--;
      }
      // In-flight calls are abandoned (not recorded): stop means now.
      c.client.destroy().catch(() => {});
    }
    this.finish();
  }

  send(c: Connection, intended: number, now: number): void {
    c.intended = intended;
    c.sent = now;
    c.status = -1;
    c.headerBytes = 0;
    c.bodyBytes = 0;
    c.inFlight = true;
    if (!c.warmup && this.interval > 0) {
      const late = now - intended;
      if (late > this.behindMs) this.behindMs = late;
    }
    c.client.dispatch(this.dispatchOpts, c);
  }

  completed(c: Connection, code: number, now: number): void {
    // fortio's fast client closes the socket after any reply that is not OK.
    if (!codeIsOK(code) && c.socket) {
      c.socket.destroy();
      c.socket = null;
    }
    if (c.warmup) {
      this.warmupDone(c, code);
      return;
    }
    if (this.stopping) return;
    this.record(c, code, now);
    if (this.task.opts.abortOn !== 0 && code === this.task.opts.abortOn) return this.abortOnCode(code);
    this.next(c, now);
  }

  failed(c: Connection, err: Error): void {
    if (c.socket && c.socket.destroyed) c.socket = null;
    if (c.warmup) {
      this.warmupDone(c, -1, err);
      return;
    }
    if (this.stopping) return;
    const now = performance.now();
    c.headerBytes = 0;
    c.bodyBytes = 0;
    this.record(c, -1, now);
    if (this.task.opts.abortOn === -1) return this.abortOnCode(-1);
    // undici may still be unwinding its connect/queue state: send the next call on the next turn.
    setImmediate(c.nextBound);
  }

  private abortOnCode(code: number): void {
    this.abortedOnCode = true;
    this.task.port.postMessage({ type: 'abort-on', code } satisfies ToCoordinator);
    this.stop();
  }

  private record(c: Connection, code: number, now: number): void {
    const ms = now - c.sent;
    const sec = nsSeconds(ms);
    this.calls++;
    this.lastEnd = now;
    recordMs(this.hdrService, ms);
    if (this.hdrCorrected) recordMs(this.hdrCorrected, now - c.intended);
    this.hist.duration.record(sec);
    if (!codeIsOK(code)) this.hist.errors.record(sec);
    // fortio stops parsing headers of a non-OK reply: its header size is 0.
    const headerBytes = codeIsOK(code) ? c.headerBytes : 0;
    const total = c.headerBytes + c.bodyBytes;
    this.hist.headerSizes.record(headerBytes);
    this.hist.sizes.record(total);
    this.bytes += total;
    this.codes[code] = (this.codes[code] ?? 0) + 1;
    c.remaining--;
  }

  /** Decide when connection `c` makes its next call. */
  next(c: Connection, now: number): void {
    if (this.stopping || c.done) return;
    if (c.remaining <= 0 || now >= this.endAt) return this.connDone(c);
    if (this.interval === 0) return this.send(c, now, now);
    c.callIndex++;
    this.schedule(c, c.origin + c.callIndex * this.interval, now);
  }

  private schedule(c: Connection, due: number, now: number): void {
    if (this.interval === 0) {
      if (now >= this.endAt) return this.connDone(c);
      return this.send(c, now, now);
    }
    let sleep = due - now;
    if (this.task.opts.jitter && sleep > 0) {
      const j = (Math.random() * 2 - 1) * JITTER * sleep;
      due += j;
      sleep += j;
    }
    if (c.callIndex > 0) {
      this.sleeps++;
      this.hist.sleepTimes.record(nsSeconds(sleep));
      if (sleep < 0) this.negativeSleeps++;
    }
    if (due >= this.endAt) return this.connDone(c);
    if (sleep <= 0) {
      if (this.task.opts.noCatchUp) {
        // -nocatchup: re-base the schedule on now instead of bursting to catch up.
        c.origin = now - c.callIndex * this.interval;
        due = now;
      }
      return this.send(c, due, now);
    }
    c.due = due;
    this.waiting.push(c);
    if (due < this.schedDue) this.arm(due, now);
  }

  private arm(due: number, now: number): void {
    if (this.schedTimer) clearTimeout(this.schedTimer);
    this.schedDue = due;
    this.schedTimer = setTimeout(this.fireBound, Math.max(0, due - now));
  }

  /** One timer per worker: wake every connection whose time has come. */
  private fire(): void {
    this.schedTimer = null;
    this.schedDue = Infinity;
    if (this.stopping) return;
    const now = performance.now();
    let min = Infinity;
    const w = this.waiting;
    for (let i = 0; i < w.length; ) {
      const c = w[i];
      if (c.due <= now + 0.5) {
        w[i] = w[w.length - 1];
        w.pop();
        if (c.due >= this.endAt) this.connDone(c);
        else this.send(c, c.due, now);
      } else {
        if (c.due < min) min = c.due;
        i++;
      }
    }
    if (min !== Infinity) this.arm(min, now);
  }

  private connDone(c: Connection): void {
    if (c.done) return;
    c.done = true;
    c.client.close().catch(() => {});
    if (--this.active === 0) this.finish();
  }

  onSocket(key: string, connectSec: number): void {
    this.socketsOpened++;
    this.hist.connectionTimes.record(connectSec);
    this.ipCountMap[key] = (this.ipCountMap[key] ?? 0) + 1;
  }

  private takeDelta(): WorkerDelta {
    const codes: Record<string, number> = {};
    for (const k of Object.keys(this.codes)) codes[k] = this.codes[k as unknown as number];
    const d: WorkerDelta = {
      calls: this.calls,
      hdrService: this.calls > 0 ? encodeHdr(this.hdrService) : '',
      hdrCorrected: this.hdrCorrected && this.calls > 0 ? encodeHdr(this.hdrCorrected) : '',
      ...this.hist.toStates(),
      codes,
      bytes: this.bytes,
      sockets: this.socketsOpened,
      sleeps: this.sleeps,
      negativeSleeps: this.negativeSleeps,
      behindMs: this.behindMs,
      eventLoopLagMs: this.lag.max > 0 ? Math.max(0, this.lag.max / 1e6 - 10) : 0,
      utilization: performance.eventLoopUtilization(this.eluMark).utilization,
    };
    this.eluMark = performance.eventLoopUtilization();
    this.calls = 0;
    this.bytes = 0;
    this.socketsOpened = 0;
    this.sleeps = 0;
    this.negativeSleeps = 0;
    this.behindMs = 0;
    this.codes = {};
    this.hdrService.reset();
    this.hdrCorrected?.reset();
    this.hist.reset();
    this.lag.reset();
    return d;
  }

  private post(): void {
    this.task.port.postMessage({ type: 'delta', delta: this.takeDelta() } satisfies ToCoordinator);
  }

  private finishedOnce = false;
  private finish(): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    if (this.reportTimer) clearInterval(this.reportTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.schedTimer) clearTimeout(this.schedTimer);
    this.lag.disable();
    for (const c of this.conns) if (!c.client.destroyed && !c.client.closed) c.client.close().catch(() => {});
    this.resolveDone({
      delta: this.takeDelta(),
      sockets: this.conns.map((c) => c.sockets),
      perConnection: this.conns.map((c) => ({ ipCounts: c.ipCounts, connectTimes: c.connectTimes.toState() })),
      ipCountMap: this.ipCountMap,
      endedAt: performance.timeOrigin + (this.lastEnd || performance.now()),
      abortedOnCode: this.abortedOnCode,
      runUtilization: performance.eventLoopUtilization(this.eluStart).utilization,
    });
  }
}

/** ms -> seconds at whole nanoseconds, as Go's time.Duration.Seconds() gives them (0.000407863, not 0.00040786349999). */
function nsSeconds(ms: number): number {
  return Math.round(ms * 1e6) / 1e9;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
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
    await run.warmupAll();
    port.postMessage({ type: 'ready', error: run.warmupFailure } satisfies ToCoordinator);
    if (startT0 === undefined && !stopped) await new Promise<void>((r) => (onStart = r));
    if (stopped || run.warmupFailure) run.stop();
    else run.start(Math.max(startT0! - performance.timeOrigin, 0));
    const final = await run.finished;
    port.postMessage({ type: 'final', final } satisfies ToCoordinator);
  } finally {
    // The coordinator closes the channel once it has read everything.
    port.unref();
  }
}
