// The connection runner: one undici Client per fortio connection, one call in
// flight on it at a time (Client.dispatch with the connection itself as the
// reused handler, request options built once, so a call allocates nothing of
// ours), our own socket connector (to count, time and close sockets as fortio
// does: after any reply that is not 2xx/418), and -timeout for calls in flight.
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher, type buildConnector } from 'undici';
import { FORTIO_VERSION } from '../report/fortio-version.js';
import { FortioHistogram, fortioCodeIsOk, fortioHistogramScales } from './fortio-histogram.js';
import { nsSeconds } from './recorder.js';
import type { Target } from './protocol.js';
import type { LoadOptions } from './types.js';

export const FORTIO_USER_AGENT = `fortio.org/fortio-${FORTIO_VERSION}-meshbench`;

/** Where the runner reports what happened on its connections. */
export interface ConnectionEvents {
  /** A call ended: its reply is complete (`code` = status) or it failed (`code` -1, `err` set). */
  ended(c: Connection, code: number, now: number, err?: Error): void;
  /** A socket opened to "ip:port" in `connectSec`. */
  socket(key: string, connectSec: number): void;
}

export class Connection {
  private readonly client: Client;
  private socket: Socket | null = null;
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
  /** undici's abort for the call in flight (set when it is written). */
  private abortCall: ((err: Error) => void) | null = null;
  private connectStart = 0;

  constructor(
    private readonly runner: ConnectionRunner,
    readonly index: number,
  ) {
    const o = runner.opts;
    const scale = fortioHistogramScales(o).connectionTimes;
    this.connectTimes = new FortioHistogram(scale.offset, scale.divider);
    this.client = new Client(runner.origin, {
      // One call in flight per connection, as fortio. 2 (not 1) only so that undici writes
      // the next call at once from onComplete instead of waiting an event-loop turn:
      // the previous reply is complete by then, so nothing is ever pipelined.
      pipelining: 2,
      // Off: the runner's sweep enforces -timeout (undici's parser timers tick at ~1 s
      // and would be re-armed on every call).
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connect: this.openSocket as unknown as buildConnector.connector,
    });
  }

  send(intended: number, now: number, warmup: boolean): void {
    this.intended = intended;
    this.sent = now;
    this.warmup = warmup;
    this.status = -1;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.inFlight = true;
    this.client.dispatch(this.runner.dispatchOpts, this);
  }

  /** -timeout: abort the call in flight if it started `timeoutMs` before `now`. */
  expire(now: number, timeoutMs: number): void {
    if (!this.inFlight || this.abortCall === null || now - this.sent < timeoutMs) return;
    const abort = this.abortCall;
    this.abortCall = null;
    abort(Object.assign(new Error(`timeout after ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
  }

  close(): void {
    if (!this.client.destroyed && !this.client.closed) this.client.close().catch(() => {});
  }

  /** Abandon the call in flight (not recorded): a stop means now. */
  destroy(): void {
    this.client.destroy().catch(() => {});
  }

  /** undici connector: our own socket, so we can count it, time it and close it like fortio. */
  private openSocket = (_opts: unknown, cb: (err: Error | null, socket: Socket | null) => void): void => {
    const { target, opts } = this.runner;
    this.connectStart = performance.now();
    const s = netConnect({ host: target.host, port: target.port, noDelay: true });
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
      this.socket = s;
      const sec = nsSeconds(performance.now() - this.connectStart);
      const key = `${s.remoteAddress}:${s.remotePort}`;
      this.ipCounts[key] = (this.ipCounts[key] ?? 0) + 1;
      this.connectTimes.record(sec);
      this.runner.events.socket(key, sec);
      cb(null, s);
    });
  };

  // --- undici (legacy) dispatch handler; called for every call on this connection.
  onConnect(abort: (err: Error) => void): void {
    this.abortCall = abort;
  }
  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.status = statusCode;
    // Bytes as they were on the wire: "HTTP/1.1 200 OK\r\n", "k: v\r\n"…, "\r\n".
    let n = 9 + 3 + 1 + statusText.length + 2 + 2;
    for (let i = 0; i < rawHeaders.length; i += 2) n += rawHeaders[i]!.length + 2 + rawHeaders[i + 1]!.length + 2;
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
    const code = this.status;
    // fortio's fast client closes the socket after any reply that is not OK.
    if (!fortioCodeIsOk(code) && this.socket !== null) {
      this.socket.destroy();
      this.socket = null;
    }
    this.runner.events.ended(this, code, performance.now());
  }
  onError(err: Error): void {
    this.inFlight = false;
    this.abortCall = null;
    if (this.socket !== null && this.socket.destroyed) this.socket = null;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.runner.events.ended(this, -1, performance.now(), err);
  }
}

/** A worker's connections, the request they all send, and the -timeout sweep. */
export class ConnectionRunner {
  readonly conns: Connection[] = [];
  readonly origin: string;
  readonly dispatchOpts: Dispatcher.DispatchOptions;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly opts: LoadOptions,
    readonly target: Target,
    connections: number,
    readonly events: ConnectionEvents,
  ) {
    this.origin = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const u = new URL(opts.url);
    // undici writes "host: <the origin's host>" itself when none is given: one header less
    // to validate on every call when that is already the right value.
    const headers: string[] = target.hostHeader === new URL(this.origin).host ? [] : ['host', target.hostHeader];
    let hasUA = false;
    for (const [k, v] of opts.headers) {
      const lk = k.toLowerCase();
      if (lk === 'host') continue; // already in hostHeader
      if (lk === 'user-agent') hasUA = true;
      headers.push(k, v);
    }
    if (!hasUA) headers.push('user-agent', FORTIO_USER_AGENT);
    if (opts.payload && opts.contentType) headers.push('content-type', opts.contentType);
    this.dispatchOpts = {
      origin: this.origin,
      path: u.pathname + u.search,
      method: opts.method as Dispatcher.HttpMethod,
      headers,
      body: opts.payload ? Buffer.from(opts.payload) : null,
      reset: !opts.keepalive,
      blocking: false,
    };
    for (let i = 0; i < connections; i++) this.conns.push(new Connection(this, i));
  }

  /**
   * -timeout for calls in flight (fortio: connect + response within the timeout,
   * else code -1): one periodic sweep per worker instead of a timer per call.
   */
  startTimeouts(): void {
    const t = this.opts.timeoutMs;
    if (t <= 0 || this.sweepTimer !== null) return;
    this.sweepTimer = setInterval(() => {
      const now = performance.now();
      for (const c of this.conns) c.expire(now, t);
    }, Math.max(2, Math.min(100, t / 20)));
  }

  /** Stop now: calls in flight are abandoned. */
  destroy(): void {
    for (const c of this.conns) c.destroy();
  }

  /** The run is over: stop the sweep and let the sockets go. */
  close(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const c of this.conns) c.close();
  }
}
