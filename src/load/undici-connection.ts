// The standard client (-stdclient, as fortio's flag selects Go's net/http):
// one undici Client per fortio connection, one call in flight on it at a time
// (Client.dispatch with the connection itself as the reused handler, request
// options built once, so a call allocates nothing of ours), sockets from our
// own connector (to count, time and close them as fortio does: after any reply
// that is not 2xx/418), and -timeout for calls in flight.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher, type buildConnector } from 'undici';
import { Connection, type ConnectionContext } from './connection.js';
import { fortioCodeIsOk } from './fortio-histogram.js';
import { requestHeaders } from './http1-request.js';

/** `n` undici connections sending the run's request. */
export function undiciConnections(ctx: ConnectionContext, n: number): Connection[] {
  const { opts, target } = ctx;
  const origin = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const u = new URL(opts.url);
  // undici writes "host: <the origin's host>" itself when none is given: one header less
  // to validate on every call when that is already the right value.
  const headers: string[] = target.hostHeader === new URL(origin).host ? [] : ['host', target.hostHeader];
  for (const [k, v] of requestHeaders(opts)) headers.push(k, v);
  const dispatchOpts: Dispatcher.DispatchOptions = {
    origin,
    path: u.pathname + u.search,
    method: opts.method as Dispatcher.HttpMethod,
    headers,
    body: opts.payload ? Buffer.from(opts.payload) : null,
    reset: !opts.keepalive,
    blocking: false,
  };
  return Array.from({ length: n }, (_, i) => new UndiciConnection(ctx, i, origin, dispatchOpts));
}

class UndiciConnection extends Connection {
  private readonly client: Client;
  private socket: Socket | null = null;
  /** undici's abort for the call in flight (set when it is written). */
  private abortCall: ((err: Error) => void) | null = null;

  constructor(
    ctx: ConnectionContext,
    index: number,
    origin: string,
    private readonly dispatchOpts: Dispatcher.DispatchOptions,
  ) {
    super(ctx, index);
    this.client = new Client(origin, {
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
      connect: this.connector as unknown as buildConnector.connector,
    });
  }

  send(intended: number, now: number, warmup: boolean): void {
    this.begin(intended, now, warmup);
    this.client.dispatch(this.dispatchOpts, this);
  }

  expire(now: number, timeoutMs: number): void {
    if (!this.inFlight || this.abortCall === null || now - this.sent < timeoutMs) return;
    const abort = this.abortCall;
    this.abortCall = null;
    abort(Object.assign(new Error(`timeout after ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
  }

  close(): void {
    if (!this.client.destroyed && !this.client.closed) this.client.close().catch(() => {});
  }

  destroy(): void {
    this.client.destroy().catch(() => {});
  }

  /** undici connector: our own socket, so we can count it, time it and close it like fortio. */
  private connector = (_opts: unknown, cb: (err: Error | null, socket: Socket | null) => void): void => {
    this.openSocket(undefined, (err, s) => {
      if (s !== null) this.socket = s;
      cb(err, s);
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
    if (this.warmup) this.keepWarmupBody(chunk, 0, chunk.length);
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
    this.ctx.events.ended(this, code, performance.now());
  }
  onError(err: Error): void {
    this.inFlight = false;
    this.abortCall = null;
    if (this.socket !== null && this.socket.destroyed) this.socket = null;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.ctx.events.ended(this, -1, performance.now(), err);
  }
}
