// One upstream attempt of a routed request (Envoy Router::UpstreamRequest): waits
// in its pool, is attached to a connection, and relays what the connection
// reports to the router. After reset() nothing reaches the router any more.

import type { ConnPool, PoolCallbacks, PoolFailureReason } from '../cluster/conn-pool.js';
import type { UpstreamConnection, StreamCallbacks, StreamResetReason } from '../cluster/upstream-connection.js';
import type { Host } from '../cluster/host.js';

/** What the router implements to hear from its attempts. */
export interface UpstreamRequestOwner {
  onPoolReady(up: UpstreamRequest, cx: UpstreamConnection): void;
  onPoolFailure(up: UpstreamRequest, reason: PoolFailureReason): void;
  onUpstreamHeaders(up: UpstreamRequest, status: number, headers: string[], contentLength: number): void;
  onUpstreamData(up: UpstreamRequest, chunk: Buffer): void;
  onUpstreamComplete(up: UpstreamRequest): void;
  onUpstreamReset(up: UpstreamRequest, reason: StreamResetReason): void;
  onPerTryTimeout(up: UpstreamRequest): void;
  /** A callback above threw (a bug): the owner ends its stream with an internal error. */
  onInternalError(err: unknown): void;
}

// Every callback into the owner runs from a socket or timer event, where a throw
// would escape to the mesh thread (or be taken for an upstream protocol error):
// each one hands a bug to onInternalError instead.

function perTryFired(up: UpstreamRequest): void {
  up.perTryTimer = undefined;
  if (up.done) return;
  try {
    up.owner.onPerTryTimeout(up);
  } catch (e) {
    up.owner.onInternalError(e);
  }
}

export class UpstreamRequest implements PoolCallbacks, StreamCallbacks {
  cx: UpstreamConnection | undefined;
  pending = false;
  headersReceived = false;
  /** Reset or abandoned: callbacks are ignored. */
  done = false;
  perTryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly owner: UpstreamRequestOwner,
    readonly host: Host,
    readonly pool: ConnPool,
    readonly attempt: number,
  ) {}

  start(): void {
    this.pending = true;
    this.pool.newStream(this);
  }

  armPerTryTimeout(ms: number): void {
    this.perTryTimer = setTimeout(perTryFired, ms, this);
  }

  clearPerTry(): void {
    if (this.perTryTimer) {
      clearTimeout(this.perTryTimer);
      this.perTryTimer = undefined;
    }
  }

  onPoolReady(cx: UpstreamConnection): void {
    this.pending = false;
    this.cx = cx;
    try {
      this.owner.onPoolReady(this, cx);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  onPoolFailure(reason: PoolFailureReason): void {
    this.pending = false;
    if (this.done) return;
    try {
      this.owner.onPoolFailure(this, reason);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  onResponseHeaders(status: number, headers: string[], contentLength: number): void {
    if (this.done) return;
    this.headersReceived = true;
    this.clearPerTry();
    try {
      this.owner.onUpstreamHeaders(this, status, headers, contentLength);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  onResponseData(chunk: Buffer): void {
    if (this.done) return;
    try {
      this.owner.onUpstreamData(this, chunk);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  onResponseComplete(): void {
    this.cx = undefined;
    if (this.done) return;
    this.done = true;
    try {
      this.owner.onUpstreamComplete(this);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  onStreamReset(reason: StreamResetReason): void {
    this.cx = undefined;
    this.clearPerTry();
    if (this.done) return;
    this.done = true;
    try {
      this.owner.onUpstreamReset(this, reason);
    } catch (e) {
      this.owner.onInternalError(e);
    }
  }

  /**
   * Abandon this attempt. `letFinish`: the response has no more body to come, so
   * the connection can complete it and return to the pool instead of closing.
   */
  reset(letFinish = false): void {
    if (this.done && !this.cx && !this.pending) return;
    this.done = true;
    this.clearPerTry();
    if (this.pending) {
      this.pending = false;
      this.pool.cancelPending(this);
    } else if (this.cx && !letFinish) {
      const cx = this.cx;
      this.cx = undefined;
      cx.resetStream();
    }
  }
}
