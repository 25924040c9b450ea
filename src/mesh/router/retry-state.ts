// Envoy RetryStateImpl (spec §5.2, §5.3, §4.4): which failures are retriable under
// a retry_on policy, the retry budget of one request, the max_retries circuit
// breaker and fully jittered exponential backoff.

import type { RetryPolicy } from '../config/model.js';
import { ENVOY_RETRY_BASE_INTERVAL_MS } from '../config/policy.js';
import type { Cluster } from '../cluster/cluster.js';

const enum On {
  FiveXx = 1,
  GatewayError = 2,
  Reset = 4,
  ConnectFailure = 8,
  RetriableStatusCodes = 16,
  Retriable4xx = 32,
  RefusedStream = 64,
  EnvoyRateLimited = 128,
  ResetBeforeRequest = 256,
  RetriableHeaders = 512,
}

const GRPC_TOKENS: Record<string, string> = {
  cancelled: '1',
  'deadline-exceeded': '4',
  internal: '13',
  'resource-exhausted': '8',
  unavailable: '14',
};

/** retry_on parsed once per policy object (routes share theirs across requests). */
const parsedPolicies = new WeakMap<RetryPolicy, { on: number; grpc: readonly string[] }>();

function parseRetryOn(policy: RetryPolicy): { on: number; grpc: readonly string[] } {
  const hit = parsedPolicies.get(policy);
  if (hit) return hit;
  let on = 0;
  const grpc: string[] = [];
  for (const t of policy.retryOn) {
    switch (t.trim()) {
      case '5xx':
        on |= On.FiveXx;
        break;
      case 'gateway-error':
        on |= On.GatewayError;
        break;
      case 'reset':
        on |= On.Reset;
        break;
      case 'reset-before-request':
        on |= On.ResetBeforeRequest;
        break;
      case 'connect-failure':
        on |= On.ConnectFailure;
        break;
      case 'retriable-status-codes':
        on |= On.RetriableStatusCodes;
        break;
      case 'retriable-4xx':
        on |= On.Retriable4xx;
        break;
      case 'refused-stream':
        on |= On.RefusedStream;
        break;
      case 'envoy-ratelimited':
        on |= On.EnvoyRateLimited;
        break;
      case 'retriable-headers':
        on |= On.RetriableHeaders;
        break;
      default: {
        const g = GRPC_TOKENS[t.trim()];
        if (g) grpc.push(g);
      }
    }
  }
  const out = { on, grpc };
  parsedPolicies.set(policy, out);
  return out;
}

export type RetryDecision = 'retry' | 'no' | 'limit_exceeded' | 'overflow';

/** Failure kinds a retry decision is taken on. */
export type ResetKind = 'connect_failure' | 'reset' | 'reset_before_request' | 'per_try_timeout';

/** The request headers a retry state reads (Envoy RetryStateImpl's constructor consumes them). */
export type RetryRequestHeaders = Record<string, string | string[] | undefined>;

/** A comma list header split, trimmed, empty items dropped (Envoy StringUtil::splitToken). */
function commaList(v: string | string[] | undefined): string[] {
  if (typeof v !== 'string') return [];
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export class RetryState {
  readonly #on: number;
  readonly #codes: readonly number[];
  /**
   * Lower-case response header names that make a response retriable under
   * `retriable-headers`. Istio's HTTPRetry has no retriable_headers field, so only
   * the request's `x-envoy-retriable-header-names` (name-only matchers) fills it.
   */
  readonly #headerNames: readonly string[];
  readonly #grpc: readonly string[];
  readonly #baseMs: number;
  readonly #maxMs: number;
  #remaining: number;
  /** Retries scheduled so far (k for the backoff of retry k). */
  #scheduled = 0;
  /** Holds one max_retries resource from scheduling until the next decision or the end. */
  #holding = false;

  constructor(
    readonly policy: RetryPolicy,
    private readonly cluster: Cluster,
    private readonly random: () => number,
    requestHeaders: RetryRequestHeaders,
  ) {
    const parsed = parseRetryOn(policy);
    const on = parsed.on;
    const grpc = parsed.grpc;
    this.#on = on;
    const headerCodes = commaList(requestHeaders['x-envoy-retriable-status-codes']).map(Number).filter((n) => n > 0);
    this.#codes = headerCodes.length ? [...policy.retriableStatusCodes, ...headerCodes] : policy.retriableStatusCodes;
    this.#headerNames = commaList(requestHeaders['x-envoy-retriable-header-names']).map((n) => n.toLowerCase());
    this.#grpc = grpc;
    this.#baseMs = policy.backoffBaseMs > 0 ? policy.backoffBaseMs : ENVOY_RETRY_BASE_INTERVAL_MS;
    this.#maxMs = 10 * this.#baseMs;
    this.#remaining = policy.numRetries;
  }

  get retried(): boolean {
    return this.#scheduled > 0;
  }

  /** Envoy wouldRetryFromHeaders; `headers` is the flat lower-case name/value list of the response. */
  wouldRetryHeaders(status: number, headers: readonly string[]): boolean {
    // Names arrive lower-cased from the codec: plain comparisons, one pass.
    let grpcStatus: string | undefined;
    let rateLimited = false;
    let named = false;
    const names = this.#headerNames;
    for (let i = 0; i < headers.length; i += 2) {
      const n = headers[i]!;
      if (n === 'grpc-status') grpcStatus ??= headers[i + 1];
      else if (n === 'x-envoy-ratelimited') rateLimited = true;
      if (names.length > 0 && names.includes(n)) named = true;
    }
    const on = this.#on;
    // Rate-limited responses are only retried under envoy-ratelimited.
    if (rateLimited) return (on & On.EnvoyRateLimited) !== 0;
    if (on & On.FiveXx && status >= 500) return true;
    if (on & On.GatewayError && (status === 502 || status === 503 || status === 504)) return true;
    if (on & On.Retriable4xx && status === 409) return true;
    if (on & On.RetriableStatusCodes && this.#codes.includes(status)) return true;
    if (on & On.RetriableHeaders && named) return true;
    if (grpcStatus !== undefined && this.#grpc.includes(grpcStatus)) return true;
    return false;
  }

  /** Envoy wouldRetryFromReset (overflow is never retried and never reaches here). */
  wouldRetryReset(kind: ResetKind): boolean {
    const on = this.#on;
    // Any reset (incl. a per-try timeout) retries under 5xx / gateway-error / reset.
    if (on & (On.FiveXx | On.GatewayError | On.Reset)) return true;
    if (kind === 'connect_failure') return (on & (On.ConnectFailure | On.ResetBeforeRequest)) !== 0;
    if (kind === 'reset_before_request') return (on & On.ResetBeforeRequest) !== 0;
    return false;
  }

  /**
   * Envoy shouldRetry: counts retry_success when a scheduled retry is followed by
   * a "no retry" decision, releases the previous retry resource, then checks the
   * budget and the max_retries breaker. On 'retry' the caller waits backoffMs().
   */
  decide(would: boolean): RetryDecision {
    const stats = this.cluster.stats;
    if (this.#holding && !would) stats.upstream_rq_retry_success.inc();
    this.release();
    if (!would) return 'no';
    if (this.#remaining === 0) {
      stats.upstream_rq_retry_limit_exceeded.inc();
      return 'limit_exceeded';
    }
    this.#remaining--;
    const rm = this.cluster.resources.retries;
    if (!rm.canCreate()) {
      stats.upstream_rq_retry_overflow.inc();
      return 'overflow';
    }
    rm.inc();
    this.#holding = true;
    stats.upstream_rq_retry.inc();
    this.#scheduled++;
    return 'retry';
  }

  /**
   * Envoy JitteredExponentialBackOffStrategy: retry k waits a uniform integer in
   * [0, (2^k - 1) * base), then min(that, 10 x base); k stops growing past the max.
   */
  backoffMs(): number {
    const k = Math.min(this.#scheduled, 31);
    const ceiling = (2 ** k - 1) * this.#baseMs;
    return Math.min(Math.floor(this.random() * ceiling), this.#maxMs);
  }

  /** Frees the max_retries resource (request done, or next decision). */
  release(): void {
    if (this.#holding) {
      this.cluster.resources.retries.dec();
      this.#holding = false;
    }
  }
}
