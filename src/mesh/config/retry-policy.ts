// VirtualService `retries` → Envoy retry policy, as pilot's retry.ConvertPolicy and
// Istio's ValidateHTTPRetry do it (spec §2.6).

import type { RetryPolicy } from './model.js';
import type { Fields } from './fields.js';
import { ENVOY_RETRY_BASE_INTERVAL_MS } from './policy.js';
import type { IstioProfile } from './istio-profile.js';

/** Istio's supportedRetryOnPolicies (pkg/config/validation/agent/validation.go). */
export const RETRY_ON_POLICIES = [
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted',
  'unavailable', 'reset-before-request', 'http3-post-connect-failure',
];

/** Codes Go's http.StatusText knows: Istio accepts a numeric retryOn token only for these. */
const GO_STATUS_TEXT_CODES = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** spec §2.6. `null` = omitted = Istio's default policy at runtime. */
export function compileRetries(r: Fields, istio: IstioProfile): RetryPolicy | null {
  const f = r.obj('retries');
  if (!f) return null;
  f.allow(['attempts', 'perTryTimeout', 'retryOn', 'retryRemoteLocalities', 'retryIgnorePreviousHosts', 'backoff']);
  const attempts = f.int('attempts');
  const perTryTimeoutMs = f.duration('perTryTimeout') ?? null;
  const retryOnRaw = f.str('retryOn');
  f.bool('retryRemoteLocalities');
  const ignorePrevious = f.bool('retryIgnorePreviousHosts') ?? true;
  const backoffBaseMs = f.duration('backoff') ?? ENVOY_RETRY_BASE_INTERVAL_MS;
  if (attempts !== undefined && attempts < 0) {
    f.error('attempts', `attempts must not be negative, got ${attempts}`);
    return null;
  }
  const disabled = attempts === undefined || attempts === 0;
  if (disabled && (f.has('perTryTimeout') || f.has('retryOn') || f.has('retryRemoteLocalities'))) {
    f.error(
      attempts === undefined ? null : 'attempts',
      'http retry policy configured when attempts are set to 0 (disabled): set attempts > 0 or drop perTryTimeout/retryOn/retryRemoteLocalities',
    );
    return null;
  }
  const base: RetryPolicy = {
    numRetries: 0,
    perTryTimeoutMs: null,
    retryOn: [],
    retriableStatusCodes: [],
    backoffBaseMs,
    retryIgnorePreviousHosts: ignorePrevious,
    hostSelectionRetryMaxAttempts: 5,
  };
  if (disabled) return base;
  // Without retryOn the release's default conditions apply, its default codes too (503 up to 1.23).
  let retryOn = [...istio.defaultRetryOn];
  const codes: number[] = retryOnRaw === undefined ? [...istio.defaultRetriableStatusCodes] : [];
  if (retryOnRaw !== undefined) {
    // Validation splits without trimming ("5xx, reset" is rejected, as istioctl does).
    retryOn = [];
    for (const tok of retryOnRaw.split(',')) {
      if (/^\d+$/.test(tok)) {
        const code = Number(tok);
        if (!GO_STATUS_TEXT_CODES.has(code)) f.error('retryOn', `${JSON.stringify(tok)} is not an HTTP status code`);
        else if (!codes.includes(code)) codes.push(code);
      } else if (RETRY_ON_POLICIES.includes(tok)) {
        if (!retryOn.includes(tok)) retryOn.push(tok);
      } else {
        f.error('retryOn', `unknown retryOn policy ${JSON.stringify(tok)} (one of ${RETRY_ON_POLICIES.join(', ')}, or an HTTP status code; no spaces after commas)`);
      }
    }
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  }
  return { ...base, numRetries: attempts, perTryTimeoutMs, retryOn, retriableStatusCodes: codes };
}

