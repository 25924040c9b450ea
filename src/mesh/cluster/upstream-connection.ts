// One HTTP/1.1 connection to an upstream host (Envoy's ActiveClient + codec client):
// one stream at a time, states moved only by its pool's transition().

import * as net from 'node:net';
import { ParseError, ResponseParser, type ResponseSink } from './http1-codec.js';
import type { ConnPool } from './conn-pool.js';
import { endpointHeaderLine } from '../endpoint-header.js';

export const enum CxState {
  Connecting = 0,
  Ready = 1,
  Busy = 2,
  Draining = 3,
  Closed = 4,
}

export type StreamResetReason = 'connection_failure' | 'connection_termination' | 'local_reset' | 'protocol_error';

/** What an attached stream hears back from its connection. */
export interface StreamCallbacks extends ResponseSink {
  onStreamReset(reason: StreamResetReason): void;
}

export class UpstreamConnection {
  state: CxState = CxState.Connecting;
  /** Requests this connection may still carry (max_requests_per_connection; Infinity = unlimited). */
  remainingRequests: number;
  /** Index in the pool's ready list while READY, else -1. */
  readyIndex = -1;
  idleSince = 0;
  readonly socket: net.Socket;
  readonly #parser = new ResponseParser();
  #stream: StreamCallbacks | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Names the pod to its Deployment's shared app listener, on every request (undefined for static endpoints). */
  readonly #endpointLine: string | undefined;

  constructor(
    readonly pool: ConnPool,
    port: number | undefined,
    address: string,
    connectTimeoutMs: number,
    maxRequests: number,
    endpoint?: string,
  ) {
    this.remainingRequests = maxRequests > 0 ? maxRequests : Infinity;
    this.#endpointLine = endpoint === undefined ? undefined : endpointHeaderLine(endpoint);
    // A pod that is not running behaves like a refused connection.
    this.socket = net.connect({ host: address, port: port ?? 1 });
    if (port === undefined) this.socket.destroy(new Error('instance not running'));
    this.socket.setNoDelay(true);
    this.#connectTimer = setTimeout(this.#onConnectTimeout, connectTimeoutMs);
    this.socket.on('connect', this.#onConnect);
    this.socket.on('data', this.#onData);
    this.socket.on('end', this.#onEnd);
    this.socket.on('error', this.#onError);
    this.socket.on('close', this.#onClose);
  }

  get hasStream(): boolean {
    return this.#stream !== undefined;
  }

  /** Sends one request (the pool already attached the stream). */
  send(head: string, body: Buffer | undefined, stream: StreamCallbacks, noResponseBody: boolean): void {
    this.#stream = stream;
    this.#parser.start(this.#sink, noResponseBody);
    if (this.#endpointLine !== undefined) head = head.slice(0, -2) + this.#endpointLine;
    if (body && body.length > 0) {
      this.socket.cork();
      this.socket.write(head, 'latin1');
      this.socket.write(body);
      this.socket.uncork();
    } else {
      this.socket.write(head, 'latin1');
    }
  }

  /** Local reset of the attached stream: HTTP/1.1 can only close the connection. */
  resetStream(): void {
    if (this.state === CxState.Closed) return;
    this.socket.destroy();
    this.#closed(false, false);
  }

  close(): void {
    if (this.state === CxState.Closed) return;
    this.socket.destroy();
    // 'close' follows asynchronously; account for it now so limits free at once.
    this.#closed(false);
  }

  armIdleTimer(ms: number): void {
    this.idleSince = performance.now();
    if (!Number.isFinite(ms) || ms <= 0) return;
    if (this.#idleTimer) this.#idleTimer.refresh();
    else {
      this.#idleTimer = setTimeout(this.#onIdleTimer, ms, ms);
      this.#idleTimer.unref();
    }
  }

  // The parser calls the sink, which forwards to the current stream; when the
  // response completes the pool learns first so it can reuse the connection.
  readonly #sink: ResponseSink = {
    onResponseHeaders: (status, headers, contentLength) => {
      this.#stream?.onResponseHeaders(status, headers, contentLength);
    },
    onResponseData: (chunk) => {
      this.#stream?.onResponseData(chunk);
    },
    onResponseComplete: () => {
      // Reset while the parser was still running over this chunk: already accounted.
      if (this.state === CxState.Closed) return;
      const s = this.#stream;
      this.#stream = undefined;
      const closeAfter = this.#parser.closeAfter;
      this.pool.onStreamDone(this, closeAfter);
      s?.onResponseComplete();
    },
  };

  readonly #onConnect = (): void => {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    if (this.state === CxState.Connecting) this.pool.onConnected(this);
  };

  readonly #onConnectTimeout = (): void => {
    this.#connectTimer = undefined;
    if (this.state !== CxState.Connecting) return;
    this.pool.stats.upstream_cx_connect_timeout.inc();
    this.socket.destroy();
    this.#closed(false);
  };

  readonly #onIdleTimer = (ms: number): void => {
    if (this.state !== CxState.Ready) return;
    const idle = performance.now() - this.idleSince;
    if (idle >= ms - 1) {
      this.pool.stats.upstream_cx_idle_timeout.inc();
      this.close();
    } else this.#idleTimer?.refresh();
  };

  readonly #onData = (data: Buffer): void => {
    if (this.state === CxState.Closed) return;
    if (this.#stream === undefined && this.#parser.idle) {
      // Bytes without a request: the upstream is broken; drop the connection.
      this.close();
      return;
    }
    try {
      this.#parser.execute(data);
    } catch (e) {
      // Only the codec's own verdict is an upstream protocol error; anything else is a bug.
      if (!(e instanceof ParseError)) throw e;
      const s = this.#stream;
      this.socket.destroy();
      this.#closed(false, false);
      s?.onStreamReset('protocol_error');
    }
  };

  readonly #onEnd = (): void => {
    if (this.#parser.readsUntilClose) this.#parser.finish();
  };

  readonly #onError = (): void => {
    // 'close' follows and does the accounting.
  };

  readonly #onClose = (): void => {
    if (this.state === CxState.Closed) return;
    if (this.#parser.readsUntilClose) this.#parser.finish();
    this.#closed(true);
  };

  #closed(remote: boolean, notify = true): void {
    if (this.state === CxState.Closed) return;
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const wasConnecting = this.state === CxState.Connecting;
    const s = this.#stream;
    this.#stream = undefined;
    this.pool.onConnectionClosed(this, wasConnecting, s !== undefined);
    if (s && notify) s.onStreamReset(remote ? 'connection_termination' : 'local_reset');
  }
}
