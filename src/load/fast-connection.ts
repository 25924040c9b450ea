// fortio's fast client, the default: a keep-alive HTTP/1.1 connection over a
// plain socket that writes the run's request bytes (built once) and reads the
// reply with a small parser straight from one read buffer per worker — no
// HTTP library or stream machinery per call. Like fortio's: the socket is
// closed after a reply that is not 2xx/418 or that asks for it; a reused
// socket found dead before any byte of the reply is replaced once, silently
// (the server may close an idle connection); anything else is code -1.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Connection, type ConnectionContext } from './connection.js';
import { fortioCodeIsOk } from './fortio-histogram.js';
import { requestBytes } from './http1-request.js';
import { MALFORMED, NEED_MORE, ResponseParser } from './http1-response.js';

/** What a worker's fast connections share: the request and the buffer the sockets read into. */
interface FastShared {
  readonly request: Buffer;
  /** HEAD: replies have no body. */
  readonly noBody: boolean;
  readonly readBuffer: Buffer;
}

/** Size of the read buffer (fortio's -httpbufferkb default is 128). */
const READ_BUFFER_BYTES = 64 * 1024;

/** `n` fast connections sending the run's request. */
export function fastConnections(ctx: ConnectionContext, n: number): Connection[] {
  const shared: FastShared = {
    request: requestBytes(ctx.opts, ctx.target),
    noBody: ctx.opts.method === 'HEAD',
    // One per worker: replies are parsed as they are read, partial heads copied out.
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
  };
  return Array.from({ length: n }, (_, i) => new FastConnection(ctx, i, shared));
}

const stoppedError = (): Error => new Error('load stopped');

class FastConnection extends Connection {
  private socket: Socket | null = null;
  private connected = false;
  /** The call in flight went out on a socket that had carried a call before. */
  private reused = false;
  private retried = false;
  private stopped = false;
  /** The run is over: no socket is kept after the call in flight. */
  private closing = false;
  private readonly parser = new ResponseParser();
  private readonly onWarmupBody = (data: Buffer, start: number, end: number): void => this.keepWarmupBody(data, start, end);

  constructor(
    ctx: ConnectionContext,
    index: number,
    private readonly shared: FastShared,
  ) {
    super(ctx, index);
  }

  send(intended: number, now: number, warmup: boolean): void {
    this.begin(intended, now, warmup);
    this.retried = false;
    this.parser.onBody = warmup ? this.onWarmupBody : null;
    if (this.stopped) {
      setImmediate(() => this.fail(stoppedError()));
      return;
    }
    this.write();
  }

  expire(now: number, timeoutMs: number): void {
    if (!this.inFlight || now - this.sent < timeoutMs) return;
    this.fail(Object.assign(new Error(`timeout after ${timeoutMs}ms`), { code: 'ETIMEDOUT' }));
  }

  close(): void {
    // A call still in flight (a stop during warm-up) ends first, through its socket's events.
    this.closing = true;
    if (!this.inFlight) this.drop();
  }

  destroy(): void {
    this.stopped = true;
    // The call in flight ends (as an error) when its socket reports the close.
    this.socket?.destroy();
  }

  private write(): void {
    this.parser.begin(this.shared.noBody);
    const s = this.socket;
    if (s !== null) {
      this.reused = true;
      s.write(this.shared.request);
    } else {
      this.reused = false;
      this.dial();
    }
  }

  private dial(): void {
    const s: Socket = this.openSocket({ buffer: this.shared.readBuffer, callback: (n) => this.onRead(s, n) }, (err) => {
      if (s !== this.socket) return; // given up meanwhile (timeout, stop)
      if (err !== null) return this.socketFailed(s, err);
      this.connected = true;
      s.write(this.shared.request);
    });
    this.socket = s;
    this.connected = false;
    s.on('error', (err) => this.socketFailed(s, err));
    s.on('end', () => this.socketEnded(s));
    s.on('close', () => this.socketEnded(s));
  }

  /** `n` bytes arrived in the shared read buffer; true = keep reading. */
  private onRead(s: Socket, n: number): boolean {
    if (s !== this.socket) return true;
    if (!this.inFlight) {
      // Bytes nobody asked for: the stream can't be trusted for the next call.
      this.drop();
      return true;
    }
    const r = this.parser.execute(this.shared.readBuffer, 0, n);
    if (r === MALFORMED) this.fail(new Error(`malformed HTTP response: ${this.parser.error}`));
    else if (r !== NEED_MORE) this.complete(r < n);
    return true;
  }

  /** The reply is complete; `extra`: more bytes followed it. */
  private complete(extra: boolean): void {
    const p = this.parser;
    const code = p.status;
    this.status = code;
    this.headerBytes = p.headerBytes;
    this.bodyBytes = p.bodyBytes;
    if (extra || this.closing || !p.keepAlive || !this.ctx.opts.keepalive || !fortioCodeIsOk(code)) this.drop();
    this.inFlight = false;
    this.ctx.events.ended(this, code, performance.now());
  }

  private socketEnded(s: Socket): void {
    if (s !== this.socket) return;
    this.drop();
    if (!this.inFlight) return; // an idle connection closed by the server: the next call opens another
    if (this.parser.endsAtClose()) return this.complete(false);
    this.socketFailed(
      null,
      Object.assign(new Error(this.connected ? 'connection closed before the reply was complete' : 'connection closed while connecting'), {
        code: 'ECONNRESET',
      }),
    );
  }

  /** `s` failed (null: the current socket, already dropped). */
  private socketFailed(s: Socket | null, err: Error): void {
    if (s !== null) {
      if (s !== this.socket) return;
      this.drop();
    }
    if (!this.inFlight) return;
    if (this.stopped) return this.fail(stoppedError());
    // fortio: a reused socket may have died while idle; one more try on a new one.
    if (this.reused && !this.retried && !this.parser.started()) {
      this.retried = true;
      return this.write();
    }
    this.fail(err);
  }

  private fail(err: Error): void {
    if (!this.inFlight) return;
    this.drop();
    this.inFlight = false;
    this.status = -1;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.ctx.events.ended(this, -1, performance.now(), err);
  }

  private drop(): void {
    const s = this.socket;
    if (s === null) return;
    this.socket = null;
    s.destroy();
  }
}
