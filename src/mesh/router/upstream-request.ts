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
}

function perTryFired(up: UpstreamRequest): void {
  up.perTryTimer = undefined;
  if (!up.done) up.owner.onPerTryTimeout(up);
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
    this.owner.onPoolReady(this, cx);
  }

  onPoolFailure(reason: PoolFailureReason): void {
    this.pending = false;
    if (!this.done) this.owner.onPoolFailure(this, reason);
  }

  onResponseHeaders(status: number, headers: string[], contentLength: number): void {
    if (this.done) return;
    this.headersReceived = true;
    this.clearPerTry();
    this.owner.onUpstreamHeaders(this, status, headers, contentLength);
  }

  onResponseData(chunk: Buffer): void {
    if (!this.done) this.owner.onUpstreamData(this, chunk);
  }

  onResponseComplete(): void {
    this.cx = undefined;
    if (this.done) return;
    this.done = true;
    this.owner.onUpstreamComplete(this);
  }

  onStreamReset(reason: StreamResetReason): void {
    this.cx = undefined;
    this.clearPerTry();
    if (this.done) return;
    this.done = true;
    this.owner.onUpstreamReset(this, reason);
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
