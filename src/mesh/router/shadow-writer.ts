// Request mirroring (spec §6, Envoy ShadowWriterImpl): a fire-and-forget copy of
// the routed request (after header mutations and rewrites, attempt count 1) sent
// through the mirror cluster's own LB, pool, circuit breakers and outlier
// detector; its response is discarded and its failures are invisible to the caller.
// With a ResponseRecorder (mirror capture, docs/mirror-diff.md) the response is
// also recorded for the mirror diff; the request itself is unchanged.

import type { Cluster } from '../cluster/cluster.js';
import type { ConnPool, PoolCallbacks, PoolFailureReason } from '../cluster/conn-pool.js';
import type { StreamCallbacks, UpstreamConnection } from '../cluster/upstream-connection.js';
import type { Host } from '../cluster/host.js';
import type { ResponseRecorder } from './mirror-capture.js';

function shadowTimedOut(s: ShadowRequest): void {
  s.timer = undefined;
  if (s.done) return;
  s.cluster.stats.upstream_rq_timeout.inc();
  if (!s.pending) s.host.stats.rq_timeout++;
  s.cluster.outlier?.putResult(s.host.id, 'timeout');
  s.finish(true, 'timeout');
}

export class ShadowRequest implements PoolCallbacks, StreamCallbacks {
  done = false;
  pending = false;
  timer: NodeJS.Timeout | undefined;
  #cx: UpstreamConnection | undefined;

  constructor(
    readonly cluster: Cluster,
    readonly host: Host,
    private readonly pool: ConnPool,
    private readonly head: string,
    private readonly body: Buffer | undefined,
    private readonly noResponseBody: boolean,
    private readonly rec: ResponseRecorder | undefined,
  ) {}

  static send(
    cluster: Cluster,
    worker: number,
    hashKey: string | undefined,
    head: string,
    body: Buffer | undefined,
    noResponseBody: boolean,
    timeoutMs: number,
    rec?: ResponseRecorder,
  ): void {
    const host = cluster.chooseHost(hashKey, undefined, 1);
    if (!host) {
      cluster.stats.upstream_cx_none_healthy.inc();
      rec?.fail('no healthy upstream');
      return;
    }
    const pool = cluster.pool(host, worker);
    const s = new ShadowRequest(cluster, host, pool, head, body, noResponseBody, rec);
    if (timeoutMs > 0) s.timer = setTimeout(shadowTimedOut, timeoutMs, s);
    s.pending = true;
    pool.newStream(s);
  }

  onPoolReady(cx: UpstreamConnection): void {
    this.pending = false;
    if (this.done) return;
    this.#cx = cx;
    cx.send(this.head, this.body, this, this.noResponseBody);
  }

  onPoolFailure(reason: PoolFailureReason): void {
    this.pending = false;
    this.finish(false, reason);
  }

  onResponseHeaders(status: number, headers: string[]): void {
    if (this.done) return;
    this.rec?.headers(status, headers);
    this.cluster.outlier?.putHttpResponseCode(this.host.id, status);
    this.host.stats.chargeResponse(status);
    this.cluster.codes.charge(status, false);
  }

  onResponseData(chunk: Buffer): void {
    // discarded, unless captured for the mirror diff
    if (!this.done) this.rec?.data(chunk);
  }

  onResponseComplete(): void {
    this.#cx = undefined;
    if (!this.done) this.rec?.complete();
    this.finish(false, 'complete');
  }

  onStreamReset(): void {
    this.#cx = undefined;
    if (!this.done) this.cluster.outlier?.putResult(this.host.id, 'reset');
    this.finish(false, 'reset');
  }

  /** `why` names the failure for a recorder that has not completed. */
  finish(reset: boolean, why: string): void {
    if (this.done) return;
    this.done = true;
    this.rec?.fail(why);
    if (this.timer) clearTimeout(this.timer);
    if (reset) {
      if (this.pending) {
        this.pending = false;
        this.pool.cancelPending(this);
      } else if (this.#cx) {
        const cx = this.#cx;
        this.#cx = undefined;
        cx.resetStream();
      }
    }
  }
}
