// Envoy's HTTP/1.1 connection pool for one (host, worker) pair, the exact
// algorithm of spec §4.2 (conn_pool_base.cc): READY connections are reused,
// otherwise the request waits in a FIFO pending queue bounded by the cluster's
// max_pending_requests, and connections are created while the queue is longer
// than the capacity already being established, bounded by max_connections with
// the per-pool exemption (a pool with no connection at all always gets one).

import { CxState, UpstreamConnection } from './upstream-connection.js';
import type { Host } from './host.js';
import type { ClusterStats } from './cluster-stats.js';
import type { ResourceManager } from './resource-manager.js';
import type { OutlierDetector } from '../outlier/detector.js';

export type PoolFailureReason = 'overflow' | 'connection_failure' | 'timeout';

/** The requester of a stream (the router's upstream request). */
export interface PoolCallbacks {
  onPoolReady(cx: UpstreamConnection): void;
  onPoolFailure(reason: PoolFailureReason): void;
}

export interface PoolSettings {
  connectTimeoutMs: number;
  maxRequestsPerConnection: number;
  idleTimeoutMs: number;
}

export class ConnPool {
  /** READY connections; the most recently freed is reused first (Envoy's ready list front). */
  readonly #ready: UpstreamConnection[] = [];
  readonly #pending: PoolCallbacks[] = [];
  #connecting = 0;
  #destroyed = false;
  readonly #all = new Set<UpstreamConnection>();
  /** Every connection of this pool that is not CLOSED (connecting, ready, busy, draining). */
  #total = 0;

  constructor(
    readonly host: Host,
    readonly stats: ClusterStats,
    private readonly resources: ResourceManager,
    private readonly settings: PoolSettings,
    private readonly outlier: OutlierDetector | undefined,
  ) {}

  get connectionCount(): number {
    return this.#total;
  }
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Envoy newStreamImpl. Calls back synchronously on immediate attach or overflow. */
  newStream(cb: PoolCallbacks): void {
    if (this.#destroyed) {
      cb.onPoolFailure('connection_failure');
      return;
    }
    if (this.#ready.length > 0) {
      this.#attach(this.#ready[this.#ready.length - 1]!, cb);
      return;
    }
    const rm = this.resources;
    if (!rm.pendingRequests.canCreate()) {
      this.stats.upstream_rq_pending_overflow.inc();
      cb.onPoolFailure('overflow');
      return;
    }
    this.#pending.push(cb);
    rm.pendingRequests.inc();
    this.stats.upstream_rq_pending_total.inc();
    this.stats.upstream_rq_pending_active.inc();
    // After queuing: the queue length decides whether a connection is needed.
    this.#tryCreateNewConnections();
  }

  /** Downstream gave up (timeout, disconnect) while the request was pending. */
  cancelPending(cb: PoolCallbacks): boolean {
    const i = this.#pending.indexOf(cb);
    if (i < 0) return false;
    this.#pending.splice(i, 1);
    this.#pendingGone();
    this.stats.upstream_rq_cancelled.inc();
    return true;
  }

  /** Closes every connection and fails nothing (sidecar shutdown). */
  destroy(): void {
    this.#destroyed = true;
    for (const cb of this.#pending.splice(0)) {
      this.#pendingGone();
      cb.onPoolFailure('connection_failure');
    }
    for (const cx of [...this.#all]) cx.close();
  }

  // -- connection lifecycle, called by UpstreamConnection --------------------

  onConnected(cx: UpstreamConnection): void {
    this.#transition(cx, CxState.Ready);
    this.#onUpstreamReady();
  }

  onStreamDone(cx: UpstreamConnection, closeAfter: boolean): void {
    this.#streamGone();
    if (cx.state === CxState.Draining || closeAfter) {
      cx.close();
      return;
    }
    this.#transition(cx, CxState.Ready);
    this.#onUpstreamReady();
  }

  onConnectionClosed(cx: UpstreamConnection, connectFailed: boolean, hadStream: boolean): void {
    if (hadStream) {
      // The connection died (or was reset) under its attached stream.
      this.#streamGone();
    }
    this.#transition(cx, CxState.Closed);
    if (connectFailed && !this.#destroyed) {
      this.stats.upstream_cx_connect_fail.inc();
      this.host.stats.cx_connect_fail++;
      this.outlier?.putResult(this.host.id, 'connect_failed');
      // Envoy purges every pending stream of the pool on a connect failure.
      const purged = this.#pending.splice(0);
      for (const p of purged) {
        this.#pendingGone();
        this.stats.upstream_rq_pending_failure_eject.inc();
      }
      for (const p of purged) p.onPoolFailure('connection_failure');
    }
    if (this.#pending.length > 0 && !this.#destroyed) this.#tryCreateNewConnections();
  }

  // -- internals --------------------------------------------------------------

  /** The one place connection states change, with the gauges and lists that follow them. */
  #transition(cx: UpstreamConnection, to: CxState): void {
    const from = cx.state;
    if (from === to) return;
    if (from === CxState.Ready) {
      const i = cx.readyIndex;
      const last = this.#ready.pop()!;
      if (last !== cx) {
        this.#ready[i] = last;
        last.readyIndex = i;
      }
      cx.readyIndex = -1;
    } else if (from === CxState.Connecting) this.#connecting--;
    cx.state = to;
    if (to === CxState.Ready) {
      cx.readyIndex = this.#ready.length;
      this.#ready.push(cx);
      cx.armIdleTimer(this.settings.idleTimeoutMs);
    } else if (to === CxState.Closed) {
      this.#all.delete(cx);
      this.#total--;
      this.resources.connections.dec();
      this.stats.upstream_cx_active.dec();
      this.stats.upstream_cx_destroy.inc();
      this.host.stats.cx_active--;
    }
  }

  #attach(cx: UpstreamConnection, cb: PoolCallbacks): void {
    const rm = this.resources;
    if (!rm.requests.canCreate()) {
      // max_requests overflow, charged to pending_overflow as in Envoy <= 1.37 (spec §4.1).
      this.stats.upstream_rq_pending_overflow.inc();
      cb.onPoolFailure('overflow');
      return;
    }
    rm.requests.inc();
    this.stats.upstream_rq_total.inc();
    this.stats.upstream_rq_active.inc();
    this.host.activeRequests++;
    this.host.stats.rq_total++;
    if (--cx.remainingRequests <= 0) {
      this.stats.upstream_cx_max_requests.inc();
      this.#transition(cx, CxState.Draining);
    } else this.#transition(cx, CxState.Busy);
    cb.onPoolReady(cx);
  }

  #onUpstreamReady(): void {
    while (this.#pending.length > 0 && this.#ready.length > 0) {
      const cb = this.#pending.shift()!;
      this.#pendingGone();
      this.#attach(this.#ready[this.#ready.length - 1]!, cb);
    }
  }

  #pendingGone(): void {
    this.resources.pendingRequests.dec();
    this.stats.upstream_rq_pending_active.dec();
  }

  /** Undoes #attach's accounting when a stream ends, normally or with its connection. */
  #streamGone(): void {
    this.resources.requests.dec();
    this.stats.upstream_rq_active.dec();
    this.host.activeRequests--;
  }

  /** Envoy tryCreateNewConnections: up to 3 per call. */
  #tryCreateNewConnections(): void {
    for (let i = 0; i < 3; i++) if (!this.#tryCreateNewConnection()) break;
  }

  #tryCreateNewConnection(): boolean {
    // Enough connections are already being established for the queued streams.
    if (this.#pending.length <= this.#connecting) return false;
    const rm = this.resources;
    const canCreate = rm.connections.canCreate();
    if (!canCreate) this.stats.upstream_cx_overflow.inc();
    // Per-pool exemption: a pool with no connection at all always gets one, so its
    // pending streams are not stranded by other hosts' (or workers') connections.
    if (!canCreate && this.#total > 0) return false;
    this.#total++;
    this.#connecting++;
    rm.connections.inc();
    this.stats.upstream_cx_total.inc();
    this.stats.upstream_cx_active.inc();
    this.host.stats.cx_total++;
    this.host.stats.cx_active++;
    const cx = new UpstreamConnection(
      this,
      this.host.port(),
      this.host.address,
      this.settings.connectTimeoutMs,
      this.settings.maxRequestsPerConnection,
      this.host.endpoint,
    );
    this.#all.add(cx);
    return canCreate;
  }
}
