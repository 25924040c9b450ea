// The plumbing every built-in app shares: a keep-alive node:http server bound
// on loopback, per-response accounting (InstanceCounter + access log) and a
// close() that really lets the process exit (open sockets and pending app
// timers are destroyed, not waited for).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { splitRequestTarget } from '../authority.js';
import { EndpointListener } from './endpoint-listener.js';

export type Handler = (req: IncomingMessage, res: ServerResponse, app: AppServer) => void;

/** Header list in writeHead's flat form: [name, value, name, value, ...]. */
export type HeaderList = string[];

export class AppServer {
  readonly ctx: AppContext;
  /** App-owned timers (delays) cleared on close so nothing keeps the loop alive. */
  private readonly timers = new Set<NodeJS.Timeout>();
  closed = false;

  constructor(ctx: AppContext) {
    this.ctx = ctx;
  }

  /** setTimeout that close() cancels; a throw answers 500 instead of killing the mesh thread. */
  later(ms: number, req: IncomingMessage, res: ServerResponse, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      try {
        fn();
      } catch {
        this.internalError(req, res);
      }
    }, ms);
    this.timers.add(t);
  }

  /** Last-resort answer to a bug in an app (never an unhandled exception/rejection). */
  internalError(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (!res.headersSent) this.send(req, res, 500, ['Content-Type', 'text/plain'], 'Internal Server Error\n');
      else res.destroy();
    } catch {
      res.destroy();
    }
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Send a complete response and account for it (once per response, as the
   * contract asks). `body` may be a string (utf-8) or bytes.
   */
  send(req: IncomingMessage, res: ServerResponse, status: number, headers: HeaderList, body: string | Buffer): void {
    // A stopped pod's late work dies with its process: no answer, nothing counted.
    if (res.headersSent || this.closed) return;
    const len = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    headers.push('Content-Length', String(len));
    // A caller that gave up (e.g. a sidecar timeout reset the connection) still
    // had its request served: the app counts and logs it, as gunicorn would.
    if (!res.destroyed) {
      res.writeHead(status, headers);
      res.end(body);
    }
    this.account(req, status, req.method === 'HEAD' ? 0 : len);
  }

  /** In-flight outbound calls (bookinfo), destroyed on close so nothing lingers. */
  readonly outbound = new Set<{ destroy(): unknown }>();

  /** Arrival times of requests the inbound stats still wait an answer for. */
  readonly #arrivals = new WeakMap<IncomingMessage, number>();

  /** A request reached the app: the inbound sidecar counts it until it is answered, reset or abandoned. */
  arrive(req: IncomingMessage, res: ServerResponse): void {
    const inbound = this.ctx.inbound;
    if (!inbound) return;
    this.#arrivals.set(req, inbound.arrive(performance.now()));
    res.once('close', () => {
      // Closed before the app answered (the caller gave up): Envoy resets its
      // upstream request too, so a later answer is never seen inbound.
      if (this.#arrivals.delete(req)) inbound.abandon();
    });
  }

  /** Close the connection without an answer (a modeled `reset` error); the caller's sidecar sees 503 UC. */
  reset(req: IncomingMessage, res: ServerResponse): void {
    if (this.#arrivals.delete(req)) this.ctx.inbound?.reset();
    res.destroy();
  }

  /** Count a response the app wrote itself (streaming / custom paths). */
  account(req: IncomingMessage, status: number, bytes: number): void {
    if (this.closed) return;
    this.ctx.counter.record(status, req.headers.host);
    const arrivedAt = this.#arrivals.get(req);
    if (arrivedAt !== undefined) {
      this.#arrivals.delete(req);
      this.ctx.inbound?.complete(arrivedAt, performance.now(), status);
    }
    const log = this.ctx.accessLog;
    if (log) log(accessLine(req, status, bytes));
  }
}

/**
 * Starts `handler` as the replica `ctx.instance.pod` of its Deployment's shared
 * listener (`ctx.listener`), or on its own listener at ctx.host:ctx.port.
 */
export function serve(ctx: AppContext, handler: Handler): Promise<RunningApp> {
  const app = new AppServer(ctx);
  const faults = ctx.faults;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      handler(req, res, app);
    } catch {
      // A bug in an app answers 500 like a WSGI/Java server would, never throws.
      app.internalError(req, res);
    }
  };
  const replica = (req: IncomingMessage, res: ServerResponse): void => {
    // A client that vanishes mid-request must not crash the mesh thread.
    req.on('error', ignore);
    res.on('error', ignore);
    app.arrive(req, res);
    const fault = faults?.decide();
    if (!fault || (fault.delayMs === 0 && fault.status === undefined)) return handle(req, res);
    const status = fault.status;
    const act = status === undefined ? () => handle(req, res) : () => app.send(req, res, status, ['Content-Type', 'text/plain'], FAULT_BODY);
    if (fault.delayMs > 0) app.later(fault.delayMs, req, res, act);
    else act();
  };
  const listener = ctx.listener ?? createAppListener();
  const bound = ctx.listener ? Promise.resolve(ctx.listener.port) : listener.listen(ctx.host, ctx.port);
  return bound.then((port) => {
    let detach: (() => void) | undefined = listener.attach(ctx.instance.pod, replica);
    /** The pod's process dies: its pending work is dropped and its connections reset. */
    const stop = (): void => {
      app.closed = true;
      app.clearTimers();
      for (const o of app.outbound) o.destroy();
      app.outbound.clear();
      detach?.();
      detach = undefined;
    };
    faults?.bind({
      stop: async () => stop(),
      start: async () => {
        app.closed = false;
        detach ??= listener.attach(ctx.instance.pod, replica);
      },
    });
    return {
      port,
      close: async () => {
        stop();
        if (!ctx.listener) await listener.close();
      },
    };
  });
}

/** A loopback app listener with the server settings every built-in app runs with. */
export function createAppListener(): EndpointListener {
  const listener = new EndpointListener();
  const server = listener.server;
  // Upstream pools keep idle connections for a long time (Envoy default 1 h);
  // Node's 5 s default would race them into resets. close() destroys sockets anyway.
  server.keepAliveTimeout = 300_000;
  server.headersTimeout = 310_000;
  server.requestTimeout = 0;
  server.on('connection', rememberPeer);
  // Malformed requests (bad framing, oversized headers) get a plain 400 like a
  // WSGI/Go server's, then the connection closes; never an exception.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    socket.destroy();
  });
  return listener;
}

function ignore(): void {}

/** What a `fail` event answers with (the status is the event's). */
const FAULT_BODY = 'meshbench: failure injected by a scenario event\n';

// ---------------------------------------------------------------------------
// Request helpers

/** Reads the whole request body (empty without a body, no listener work for GETs). */
export function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.destroy();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

export const EMPTY = Buffer.alloc(0);

/** Path and raw query of a request target (origin-form or absolute-form). */
export function splitTarget(url: string | undefined): { path: string; query: string } {
  const u = splitRequestTarget(url ?? '/').path;
  const q = u.indexOf('?');
  return q < 0 ? { path: u, query: '' } : { path: u.slice(0, q), query: u.slice(q + 1) };
}

/** Percent-decoded path segment, or the raw text when it is not valid percent-encoding. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Peer address per connection, kept because a destroyed socket forgets it (late access-log lines). */
const peers = new WeakMap<object, string>();

function unmappedAddress(socket: { remoteAddress?: string }): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function rememberPeer(socket: { remoteAddress?: string }): void {
  peers.set(socket, unmappedAddress(socket));
}

/** Peer IP without the IPv4-mapped prefix. */
export function peerAddress(req: IncomingMessage): string {
  return peers.get(req.socket) ?? unmappedAddress(req.socket);
}

// ---------------------------------------------------------------------------
// Access log: gunicorn's default `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let stampSecond = -1;
let stampText = '';

/** `[18/Jan/2021:01:37:23 +0000]`, formatted once per second. */
export function clfTimestamp(now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  if (sec !== stampSecond) {
    const d = new Date(sec * 1000);
    stampText =
      '[' +
      pad2(d.getUTCDate()) +
      '/' +
      MONTHS[d.getUTCMonth()] +
      '/' +
      d.getUTCFullYear() +
      ':' +
      pad2(d.getUTCHours()) +
      ':' +
      pad2(d.getUTCMinutes()) +
      ':' +
      pad2(d.getUTCSeconds()) +
      ' +0000]';
    stampSecond = sec;
  }
  return stampText;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function accessLine(req: IncomingMessage, status: number, bytes: number): string {
  const ua = req.headers['user-agent'];
  const ref = req.headers.referer;
  return (
    peerAddress(req) +
    ' - - ' +
    clfTimestamp() +
    ' "' +
    req.method +
    ' ' +
    req.url +
    ' HTTP/' +
    req.httpVersion +
    '" ' +
    status +
    ' ' +
    (bytes > 0 ? String(bytes) : '-') +
    ' "' +
    (ref ?? '-') +
    '" "' +
    (ua ?? '-') +
    '"'
  );
}

// ---------------------------------------------------------------------------
// Timeout scaling for tests (documented in README of the apps: MESHBENCH_TIMEOUT_SCALE)

/**
 * The bookinfo apps' timeouts and delays are fixed by the real apps. The
 * instance env `MESHBENCH_TIMEOUT_SCALE` (default 1) multiplies them, so tests
 * can run the 3 s / 10 s / 7 s arithmetic in tenths of the time.
 */
export function timeoutScale(env: Record<string, string>): number {
  const raw = env.MESHBENCH_TIMEOUT_SCALE;
  if (raw === undefined) return 1;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 1;
}
