// A fortio connection of the load engine, whichever client carries it: the
// call in flight (when its schedule wanted it, when it went out, what came
// back), the sockets it opened (counted and timed as fortio reports them), and
// what the runner asks of it. The fast client (fast-connection.ts) and the
// standard one (undici-connection.ts, -stdclient) fill in the sending.
import { connect as netConnect, type OnReadOpts, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FortioHistogram, fortioHistogramScales } from './fortio-histogram.js';
import { nsSeconds } from './recorder.js';
import type { Target } from './protocol.js';
import type { LoadOptions } from './types.js';

/** Where a connection reports what happened on it. */
export interface ConnectionEvents {
  /** A call ended: its reply is complete (`code` = status) or it failed (`code` -1, `err` set). */
  ended(c: Connection, code: number, now: number, err?: Error): void;
  /** A socket opened to "ip:port" in `connectSec`. */
  socket(key: string, connectSec: number): void;
}

/** What every connection of a worker shares. */
export interface ConnectionContext {
  readonly opts: LoadOptions;
  readonly target: Target;
  readonly events: ConnectionEvents;
}

export abstract class Connection {
  /** Sockets opened, per "ip:port" and in all, and their connect times (fortio's per-connection lines). */
  sockets = 0;
  readonly ipCounts: Record<string, number> = {};
  readonly connectTimes: FortioHistogram;
  /** The call in flight: when its schedule wanted it, when it went out, what came back so far. */
  intended = 0;
  sent = 0;
  inFlight = false;
  warmup = false;
  /** Start of a warm-up reply's body, for fortio's warm-up error message. */
  warmupBody = '';
  status = 0;
  headerBytes = 0;
  bodyBytes = 0;

  constructor(
    protected readonly ctx: ConnectionContext,
    readonly index: number,
  ) {
    const scale = fortioHistogramScales(ctx.opts).connectionTimes;
    this.connectTimes = new FortioHistogram(scale.offset, scale.divider);
  }

  /** Send the run's request now; `ended` follows, never synchronously. */
  abstract send(intended: number, now: number, warmup: boolean): void;
  /** -timeout: fail the call in flight if it started `timeoutMs` before `now`. */
  abstract expire(now: number, timeoutMs: number): void;
  /** The run is over: let the sockets go. */
  abstract close(): void;
  /** Stop now: the call in flight ends as an error (not recorded once the worker stops). */
  abstract destroy(): void;

  protected begin(intended: number, now: number, warmup: boolean): void {
    this.intended = intended;
    this.sent = now;
    this.warmup = warmup;
    this.status = -1;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.inFlight = true;
  }

  /** Keeps the start of a warm-up reply's body (fortio quotes it when the warm-up fails). */
  protected keepWarmupBody(data: Buffer, start: number, end: number): void {
    if (this.warmupBody.length < 200) this.warmupBody += data.toString('utf8', start, Math.min(end, start + 200));
  }

  /**
   * A new socket to the target, counted and timed like fortio's once connected;
   * -timeout bounds the connect. `cb` gets the socket or the connect error.
   */
  protected openSocket(onread: OnReadOpts | undefined, cb: (err: Error | null, socket: Socket | null) => void): Socket {
    const { target, opts } = this.ctx;
    const start = performance.now();
    const s = netConnect({ host: target.host, port: target.port, noDelay: true, ...(onread ? { onread } : {}) });
    let settled = false;
    const timeoutMs = opts.timeoutMs;
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
      const sec = nsSeconds(performance.now() - start);
      const key = `${s.remoteAddress}:${s.remotePort}`;
      this.ipCounts[key] = (this.ipCounts[key] ?? 0) + 1;
      this.connectTimes.record(sec);
      this.ctx.events.socket(key, sec);
      cb(null, s);
    });
    return s;
  }
}
