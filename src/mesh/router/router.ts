// Envoy's router filter for one downstream request (router.cc): direct response,
// redirect, cluster lookup, request header mutations and rewrites, route and
// per-try timeouts, retries, mirroring, the upstream attempts, and every local
// reply of spec §9. It starts after the fault filter, so its timers never see a
// fault delay.

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { HeaderOps, RetryPolicy, RouteDestination } from '../config/model.js';
import { percentHit } from '../random.js';
import { ENVOY_RETRY_BASE_INTERVAL_MS } from '../config/policy.js';
import type { Cluster } from '../cluster/cluster.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { PoolFailureReason } from '../cluster/conn-pool.js';
import type { Host } from '../cluster/host.js';
import type { StreamResetReason, UpstreamConnection } from '../cluster/upstream-connection.js';
import { HOP_BY_HOP } from '../cluster/http1-codec.js';
import { destinationPort, type RouteEntry } from '../route/route-entry.js';
import { chargeDownstream, type HcmStats } from '../listener/hcm-stats.js';
import { applyRequestOps, applyResponseOps, getHeader } from './header-ops.js';
import {
  BODY_NO_HEALTHY,
  BODY_OVERFLOW,
  BODY_OVERFLOW_RETRIED,
  BODY_TIMEOUT,
  resetBody,
  resetReasonText,
  sendLocalReply,
} from './local-reply.js';
import { RetryState, type ResetKind } from './retry-state.js';
import { ShadowRequest } from './shadow-writer.js';
import type { MirrorCapture, PairSlot } from './mirror-capture.js';
import { shadowAuthority } from '../authority.js';
import { UpstreamRequest, type UpstreamRequestOwner } from './upstream-request.js';
import { authorityRewrite, buildRedirectLocation, rewritePath } from './rewrite.js';

/** What the router needs from its sidecar. */
export interface RouterContext {
  clusters: ClusterManager;
  random: () => number;
  shadowHostSuffix: boolean;
  /** Keeps mirrored responses beside the primary's (docs/mirror-diff.md). */
  mirrorCapture?: MirrorCapture;
}

/** The downstream request as the router receives it (complete, body buffered). */
export interface DownstreamRequest {
  method: string;
  path: string;
  authority: string;
  /** Always `http` (plain-text outbound listener); lets the request serve as a RequestView. */
  scheme: string;
  /** Request port the virtual host was selected for (spec §2.4 port fallback). */
  port: number;
  /** Lower-case name -> value (node:http req.headers). */
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: readonly string[];
  body: Buffer | undefined;
  worker: number;
  /** Source address for consistentHash.useSourceIp. */
  sourceIp: string;
}

// Headers the router consumes (spec §5.4) and never forwards.
const CONSUMED = new Set([
  'x-envoy-upstream-rq-timeout-ms',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-max-retries',
  'x-envoy-retry-on',
  'x-envoy-retry-grpc-on',
  'x-envoy-retriable-status-codes',
  'x-envoy-retriable-header-names',
  'x-envoy-hedge-on-per-try-timeout',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-attempt-count',
  'x-envoy-original-path',
  'host',
  // The HCM answers `Expect: 100-continue` itself and strips it (proxy_100_continue off).
  'expect',
]);

// Response headers Envoy sets itself.
const RESPONSE_SKIP = new Set([...HOP_BY_HOP, 'server', 'x-envoy-upstream-service-time']);

/** The downstream stream a router serves: where a bug in the router ends up. */
export interface RouterStream {
  internalError(err: unknown): void;
}

function routeTimedOut(r: Router): void {
  r.routeTimer = undefined;
  try {
    r.onRouteTimeout();
  } catch (e) {
    r.onInternalError(e);
  }
}

function backoffDone(r: Router): void {
  r.backoffTimer = undefined;
  if (r.finished) return;
  try {
    r.startAttempt();
  } catch (e) {
    r.onInternalError(e);
  }
}

function num(v: string | string[] | undefined): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

export class Router implements UpstreamRequestOwner {
  finished = false;
  routeTimer: NodeJS.Timeout | undefined;
  backoffTimer: NodeJS.Timeout | undefined;
  #cluster!: Cluster;
  #dest!: RouteDestination;
  #retry: RetryState | undefined;
  #upstream: UpstreamRequest | undefined;
  #previousHosts: Host[] = [];
  #attempts = 0;
  #timeoutMs = 0;
  #perTryMs = 0;
  #start = 0;
  #attemptElapsed = 0;
  #headBase = '';
  #bodyLine = '';
  #hashKey: string | undefined;
  #responseOps: HeaderOps[] = [];
  #downstreamStarted = false;
  /** Set when this request's mirror is captured: the primary's recorder and the pair's others. */
  #pair: PairSlot | undefined;

  constructor(
    private readonly ctx: RouterContext,
    private readonly entry: RouteEntry,
    private readonly rq: DownstreamRequest,
    private readonly res: ServerResponse,
    private readonly hcm: HcmStats,
    private readonly stream: RouterStream,
  ) {}

  /** Envoy Filter::decodeHeaders + onRequestComplete. */
  start(): void {
    const route = this.entry.route;
    const rq = this.rq;
    if (route.headers?.response) this.#responseOps.push(route.headers.response);
    if (route.directResponse) {
      this.hcm.rq_direct_response.inc();
      this.#local(route.directResponse.status, route.directResponse.body ?? '');
      return;
    }
    if (route.redirect) {
      this.hcm.rq_redirect.inc();
      const loc = buildRedirectLocation(route.redirect, this.entry, rq.authority, rq.path, rq.port);
      this.#finish();
      let h = ['server', 'envoy', 'location', loc, 'content-length', '0'];
      for (const ops of this.#responseOps) h = applyResponseOps(h, ops);
      chargeDownstream(this.hcm, route.redirect.redirectCode);
      this.res.writeHead(route.redirect.redirectCode, h);
      this.res.end();
      return;
    }
    const di = this.entry.pickIndex(this.ctx.random);
    const dest = di < 0 ? undefined : this.entry.destinations[di];
    let cluster: Cluster | null | undefined;
    if (dest) {
      cluster = this.entry.clusters[di];
      if (cluster === undefined) cluster = this.entry.clusters[di] = this.#clusterFor(dest) ?? null;
    }
    if (!dest || !cluster) {
      // Undefined subset / unknown destination: no such cluster (spec §2.4).
      this.hcm.no_cluster.inc();
      this.#local(503, '');
      return;
    }
    this.#dest = dest;
    this.#cluster = cluster;
    if (dest.headers?.response) this.#responseOps.unshift(dest.headers.response);

    // Timeouts (spec §5.1): header override replaces the route timeout.
    const hdrTimeout = num(rq.headers['x-envoy-upstream-rq-timeout-ms']);
    this.#timeoutMs = hdrTimeout ?? route.timeoutMs ?? 0;
    const policy = this.#retryPolicy();
    let perTry = num(rq.headers['x-envoy-upstream-rq-per-try-timeout-ms']) ?? policy?.perTryTimeoutMs ?? 0;
    if (this.#timeoutMs > 0 && perTry >= this.#timeoutMs) perTry = 0;
    this.#perTryMs = perTry;

    this.#hashKey = this.#computeHashKey();
    this.#buildHead();

    if (policy) this.#retry = new RetryState(policy, cluster, this.ctx.random, rq.headers);

    this.#start = performance.now();
    if (this.#timeoutMs > 0) this.routeTimer = setTimeout(routeTimedOut, this.#timeoutMs, this);

    // Mirrors are decided after header mutations, each policy sampled on its own.
    for (const m of route.mirrors) {
      if (!percentHit(this.ctx.random, m.percentage)) continue;
      this.#shadow(m.destination);
    }
    if (this.#pair?.replay) this.#replay(this.#pair);
    this.startAttempt();
  }

  startAttempt(): void {
    const cluster = this.#cluster;
    const policy = this.#retry?.policy;
    const usePrevious = policy !== undefined && policy.retryIgnorePreviousHosts && !cluster.isConsistentHash;
    const host = cluster.chooseHost(
      this.#hashKey,
      usePrevious ? this.#previousHosts : undefined,
      policy?.hostSelectionRetryMaxAttempts ?? 1,
    );
    if (!host) {
      // All hosts ejected (panic disabled) or an empty subset (spec §7.4).
      cluster.stats.upstream_cx_none_healthy.inc();
      cluster.codes.charge(503, false);
      this.#local(503, BODY_NO_HEALTHY);
      return;
    }
    this.#previousHosts.push(host);
    this.#attemptElapsed = this.#attempts === 0 ? 0 : Math.round(performance.now() - this.#start);
    const up = new UpstreamRequest(this, host, cluster.pool(host, this.rq.worker), ++this.#attempts);
    this.#upstream = up;
    up.start();
  }

  // -- UpstreamRequestOwner -------------------------------------------------

  onPoolReady(up: UpstreamRequest, cx: UpstreamConnection): void {
    let head = `${this.#headBase}x-envoy-attempt-count: ${up.attempt}\r\n`;
    if (this.#timeoutMs > 0 || this.#perTryMs > 0) {
      // Envoy computes it when the attempt is created: the full budget on the first try.
      const remaining = this.#timeoutMs > 0 ? Math.max(1, this.#timeoutMs - this.#attemptElapsed) : Infinity;
      head += `x-envoy-expected-rq-timeout-ms: ${Math.min(remaining, this.#perTryMs > 0 ? this.#perTryMs : Infinity)}\r\n`;
    }
    head += this.#bodyLine;
    if (this.#perTryMs > 0) up.armPerTryTimeout(this.#perTryMs);
    cx.send(head, this.rq.body, up, this.rq.method === 'HEAD');
  }

  onPoolFailure(up: UpstreamRequest, reason: PoolFailureReason): void {
    if (up !== this.#upstream || this.finished) return;
    this.#upstream = undefined;
    if (reason === 'overflow') {
      // Never retried, never fed to outlier detection (spec §4.3); a pending
      // retry decision still closes (Envoy counts retry_success here).
      const retried = this.#retry?.retried ?? false;
      this.#retry?.decide(false);
      this.#cluster.codes.charge(503, false);
      this.#local(503, retried ? BODY_OVERFLOW_RETRIED : BODY_OVERFLOW, ['x-envoy-overloaded', 'true']);
      return;
    }
    // Connect failure: the pool already fed the outlier detector.
    this.#onReset(up, 'connect_failure', 'connection_failure', 503);
  }

  onUpstreamHeaders(up: UpstreamRequest, status: number, headers: string[], contentLength: number): void {
    if (up !== this.#upstream || this.finished) return;
    const cluster = this.#cluster;
    cluster.outlier?.putHttpResponseCode(up.host.id, status);
    up.host.stats.chargeResponse(status);
    const retry = this.#retry;
    if (retry) {
      if (retry.decide(retry.wouldRetryHeaders(status, headers)) === 'retry') {
        cluster.codes.charge(status, true);
        this.#upstream = undefined;
        // A response with no more body can finish on its connection; otherwise reset it.
        up.reset(contentLength === 0);
        this.#scheduleRetry();
        return;
      }
    }
    cluster.codes.charge(status, false);
    this.#pair?.primary.headers(status, headers);
    // Names are lower case (the codec's job, as in Envoy); `server` is overwritten in
    // place (so it keeps the upstream's position), x-envoy-upstream-service-time is
    // appended, and a missing `server` is added last (the HCM sets it after the router).
    const out: string[] = [];
    let sawServer = false;
    for (let i = 0; i < headers.length; i += 2) {
      const lower = headers[i]!;
      if (lower === 'server') {
        if (!sawServer) out.push('server', 'envoy');
        sawServer = true;
        continue;
      }
      if (lower === 'content-length') {
        // Kept in place; a HEAD response keeps the upstream's value.
        if (contentLength >= 0) out.push('content-length', this.rq.method === 'HEAD' ? headers[i + 1]! : String(contentLength));
        continue;
      }
      if (RESPONSE_SKIP.has(lower)) continue;
      out.push(lower, headers[i + 1]!);
    }
    out.push('x-envoy-upstream-service-time', String(Math.floor(performance.now() - this.#start)));
    if (!sawServer) out.push('server', 'envoy');
    let h = out;
    for (const ops of this.#responseOps) h = applyResponseOps(h, ops);
    this.#downstreamStarted = true;
    chargeDownstream(this.hcm, status);
    this.res.writeHead(status, h);
  }

  onUpstreamData(up: UpstreamRequest, chunk: Buffer): void {
    if (up !== this.#upstream || this.finished) return;
    this.#pair?.primary.data(chunk);
    // Flow control (Envoy watermarks): a slow client pauses the upstream socket.
    if (!this.res.write(chunk) && up.cx && this.#readDisabled === undefined) {
      this.#readDisabled = up.cx.socket;
      this.#readDisabled.pause();
      this.res.once('drain', this.#readEnable);
    }
  }

  onUpstreamComplete(up: UpstreamRequest): void {
    if (up !== this.#upstream || this.finished) return;
    this.#upstream = undefined;
    // The whole response is read: the connection goes back to its pool readable,
    // not waiting for a 'drain' that a finished response may never emit.
    this.res.off('drain', this.#readEnable);
    this.#readEnable();
    this.#pair?.primary.complete();
    this.#finish();
    this.res.end();
  }

  /** The upstream socket paused by a full downstream buffer, if any. */
  #readDisabled: { pause(): unknown; resume(): unknown } | undefined;

  readonly #readEnable = (): void => {
    this.#readDisabled?.resume();
    this.#readDisabled = undefined;
  };

  onUpstreamReset(up: UpstreamRequest, reason: StreamResetReason): void {
    if (up !== this.#upstream || this.finished) return;
    this.#upstream = undefined;
    if (this.#downstreamStarted) {
      // Response already under way: nothing to retry, reset downstream too.
      this.#finish();
      this.res.destroy();
      return;
    }
    this.#cluster.outlier?.putResult(up.host.id, 'reset');
    this.#onReset(up, 'reset', reason, reason === 'protocol_error' ? 502 : 503);
  }

  onPerTryTimeout(up: UpstreamRequest): void {
    if (up !== this.#upstream || this.finished) return;
    const cluster = this.#cluster;
    cluster.stats.upstream_rq_per_try_timeout.inc();
    // Retried or answered 504, the attempt is the host's error too (router.cc).
    up.host.stats.rq_timeout++;
    up.host.stats.rq_error++;
    cluster.outlier?.putResult(up.host.id, 'timeout');
    this.#upstream = undefined;
    up.reset();
    // A per-try timeout is retried only under 5xx / gateway-error / reset (spec §5.1).
    if (this.#retry && this.#retry.decide(this.#retry.wouldRetryReset('per_try_timeout')) === 'retry') {
      this.#scheduleRetry();
      return;
    }
    cluster.codes.charge(504, false);
    this.#local(504, BODY_TIMEOUT);
  }

  /** A bug in a callback: drop the attempt, stop the timers, let the stream answer 500. */
  onInternalError(err: unknown): void {
    const up = this.#upstream;
    this.#upstream = undefined;
    up?.reset();
    this.#finish();
    this.stream.internalError(err);
  }

  // -- timers and downstream events ------------------------------------------

  /** Route timeout: covers every attempt and backoff; never retried (spec §5.1). */
  onRouteTimeout(): void {
    if (this.finished) return;
    const cluster = this.#cluster;
    cluster.stats.upstream_rq_timeout.inc();
    const up = this.#upstream;
    this.#upstream = undefined;
    if (up) {
      if (!up.pending) up.host.stats.rq_timeout++;
      if (!up.headersReceived) {
        // Awaiting headers: charged 504; the host (stats, detector) only once attached.
        if (!up.pending) {
          up.host.stats.rq_error++;
          cluster.outlier?.putResult(up.host.id, 'timeout');
        }
        cluster.codes.charge(504, false);
      }
      up.reset();
    }
    if (this.#downstreamStarted) {
      this.#finish();
      this.res.destroy();
      return;
    }
    this.#local(504, BODY_TIMEOUT);
  }

  /** The downstream client went away: cancel everything (pending -> upstream_rq_cancelled). */
  onDownstreamClose(): void {
    if (this.finished) return;
    const up = this.#upstream;
    this.#upstream = undefined;
    up?.reset();
    this.#finish();
  }

  // -- internals ---------------------------------------------------------------

  /** An attempt that failed without a response: the host's rq_error whether it is retried or answered locally (router.cc). */
  #onReset(up: UpstreamRequest, kind: ResetKind, reason: string, status: number): void {
    up.host.stats.rq_error++;
    const retry = this.#retry;
    if (retry && retry.decide(retry.wouldRetryReset(kind)) === 'retry') {
      this.#scheduleRetry();
      return;
    }
    this.#cluster.codes.charge(status, false);
    this.#local(status, resetBody(resetReasonText(reason), retry?.retried ?? false));
  }

  #scheduleRetry(): void {
    this.backoffTimer = setTimeout(backoffDone, this.#retry!.backoffMs(), this);
  }

  #local(status: number, body: string, extra?: readonly string[]): void {
    const rec = this.#pair?.primary;
    if (rec) {
      // A local reply is the primary's answer as the client sees it.
      rec.headers(status, []);
      rec.data(Buffer.from(body));
      rec.complete();
    }
    this.#finish();
    chargeDownstream(this.hcm, status);
    sendLocalReply(this.res, status, body, extra, this.#responseOps);
  }

  #finish(): void {
    this.finished = true;
    // Still open here: reset or cancelled mid-response (no-op once complete).
    this.#pair?.primary.fail('reset');
    if (this.routeTimer) clearTimeout(this.routeTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.routeTimer = this.backoffTimer = undefined;
    this.#retry?.release();
  }

  /**
   * The route's retry policy, adjusted by `x-envoy-retry-on` (OR-ed into retry_on;
   * enables retries with Envoy's default of 1 when the route has none) and
   * `x-envoy-max-retries` (overrides num_retries), both consumed (spec §5.4).
   */
  #retryPolicy(): RetryPolicy | undefined {
    let p = this.entry.retry;
    const h = this.rq.headers;
    const on = h['x-envoy-retry-on'];
    if (typeof on === 'string' && on !== '') {
      const base: RetryPolicy = p ?? {
        numRetries: 1,
        perTryTimeoutMs: null,
        retryOn: [],
        retriableStatusCodes: [],
        backoffBaseMs: ENVOY_RETRY_BASE_INTERVAL_MS,
        retryIgnorePreviousHosts: false,
        hostSelectionRetryMaxAttempts: 1,
      };
      p = { ...base, retryOn: [...base.retryOn, ...on.split(',').map((t) => t.trim())] };
    }
    const max = num(h['x-envoy-max-retries']);
    if (p && max !== undefined) p = { ...p, numRetries: max };
    return p && p.numRetries > 0 ? p : undefined;
  }

  #clusterFor(dest: RouteDestination): Cluster | undefined {
    const d = dest.destination;
    return this.ctx.clusters.get(d.host, this.#destPort(d.host, d.port), d.subset);
  }

  #destPort(fqdn: string, port: number | undefined): number {
    return destinationPort(this.ctx.clusters.service(fqdn), port, this.rq.port);
  }

  #computeHashKey(): string | undefined {
    const lb = this.#cluster.hashPolicy;
    if (!('consistentHash' in lb)) return undefined;
    const ch = lb.consistentHash;
    const h = this.rq.headers;
    if ('httpHeaderName' in ch) {
      const v = h[ch.httpHeaderName.toLowerCase()];
      return typeof v === 'string' ? v : v?.join(',');
    }
    if ('useSourceIp' in ch) return this.rq.sourceIp;
    if ('httpQueryParameterName' in ch) {
      const q = this.rq.path.indexOf('?');
      if (q < 0) return undefined;
      return new URLSearchParams(this.rq.path.slice(q + 1)).get(ch.httpQueryParameterName) ?? undefined;
    }
    const cookie = h.cookie;
    if (typeof cookie !== 'string') return undefined;
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === ch.httpCookie.name) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  /**
   * The upstream request head shared by every attempt (Envoy finalizeRequestHeaders):
   * downstream headers minus hop-by-hop and consumed ones, destination- then
   * route-level header ops, rewrites, x-request-id, x-forwarded-proto.
   */
  #buildHead(): void {
    const rq = this.rq;
    const route = this.entry.route;
    const raw = rq.rawHeaders;
    const h: string[] = [];
    // Where x-request-id / x-forwarded-proto sit, noted in the copy loop so the
    // common case (no header ops) needs no second scan.
    let requestId = false;
    let xfp = -1;
    for (let i = 0; i < raw.length; i += 2) {
      const lower = raw[i]!.toLowerCase();
      if (HOP_BY_HOP.has(lower) || CONSUMED.has(lower)) continue;
      if (lower === 'x-request-id') requestId = true;
      else if (lower === 'x-forwarded-proto' && xfp < 0) xfp = h.length;
      h.push(lower, raw[i + 1]!);
    }
    const destOps = this.#dest.headers?.request;
    const routeOps = route.headers?.request;
    if (destOps || routeOps) {
      if (destOps) applyRequestOps(h, destOps);
      if (routeOps) applyRequestOps(h, routeOps);
      requestId = getHeader(h, 'x-request-id') !== undefined;
      xfp = indexOfName(h, 'x-forwarded-proto');
    }
    let authority = rq.authority;
    const ar = authorityRewrite(route, this.#dest);
    if (ar) authority = ar;
    let path = rq.path;
    if (route.rewrite && (route.rewrite.uri !== undefined || route.rewrite.uriRegexRewrite)) {
      // Envoy records the original path whenever a path rewrite applies, even a no-op one.
      h.push('x-envoy-original-path', path);
      path = rewritePath(route.rewrite, this.entry, path);
    }
    if (!requestId) h.push('x-request-id', randomUUID());
    if (xfp >= 0) h[xfp + 1] = 'http';
    else h.push('x-forwarded-proto', 'http');
    let s = `${rq.method} ${path} HTTP/1.1\r\nhost: ${authority}\r\n`;
    for (let i = 0; i < h.length; i += 2) s += `${h[i]}: ${h[i + 1]}\r\n`;
    this.#headBase = s;
    // Envoy's HTTP/1 codec frames a headers-only request with an explicit
    // `content-length: 0` (the seed's httpbin echoes "Content-Length": "0" on a GET).
    const body = rq.body;
    this.#bodyLine = `content-length: ${body ? body.length : 0}\r\n\r\n`;
    this.#mirrorAuthority = authority;
    this.#mirrorPath = path;
    this.#mirrorHeaders = h;
  }

  #mirrorAuthority = '';
  #mirrorPath = '';
  #mirrorHeaders: string[] = [];

  /** The request head of a copy (shadow or replay): first attempt, given authority. */
  #copyHead(authority: string): string {
    let head = `${this.rq.method} ${this.#mirrorPath} HTTP/1.1\r\nhost: ${authority}\r\n`;
    const h = this.#mirrorHeaders;
    for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
    return head + `x-envoy-attempt-count: 1\r\n${this.#bodyLine}`;
  }

  #shadow(d: { host: string; subset?: string; port?: number }): void {
    // A mirror to a missing cluster is silently skipped (spec §6).
    const cluster = this.ctx.clusters.get(d.host, this.#destPort(d.host, d.port), d.subset);
    if (!cluster) return;
    const authority = this.ctx.shadowHostSuffix ? shadowAuthority(this.#mirrorAuthority) : this.#mirrorAuthority;
    const head = this.#copyHead(authority);
    // Only the first mirror of a request is captured (one pair per x-request-id).
    const capture = this.ctx.mirrorCapture;
    const slot = capture && !this.#pair ? capture.open(getHeader(this.#mirrorHeaders, 'x-request-id') ?? '', this.#mirrorPath) : undefined;
    if (slot) this.#pair = slot;
    ShadowRequest.send(cluster, this.rq.worker, this.#hashKey, head, this.rq.body, this.rq.method === 'HEAD', this.#timeoutMs, slot?.shadow);
  }

  /**
   * Noise learning (Diffy's way): the same request once more to the primary cluster,
   * fire-and-forget like a shadow but with the primary's authority; fields where two
   * primary answers differ are noise, not a difference of the shadow.
   */
  #replay(slot: PairSlot): void {
    const head = this.#copyHead(this.#mirrorAuthority);
    ShadowRequest.send(this.#cluster, this.rq.worker, this.#hashKey, head, this.rq.body, this.rq.method === 'HEAD', this.#timeoutMs, slot.replay);
  }
}

/** Index of the first `name` in a lower-case flat header list, -1 if absent. */
function indexOfName(h: readonly string[], name: string): number {
  for (let i = 0; i < h.length; i += 2) if (h[i] === name) return i;
  return -1;
}
