// Istio version profiles: every rule that changed between the releases meshbench
// emulates is decided here, once, as plain data (it travels to the mesh thread
// inside MeshConfig). Code that depends on the release reads a field of the
// profile; no other module compares versions. Boundaries are the first release
// tag containing the change (docs/behaviour.md "Istio version profiles").

/** Oldest and newest minor release of Istio 1.x emulated. */
export const OLDEST_ISTIO_MINOR = 5;
export const CURRENT_ISTIO_MINOR = 28;
export const CURRENT_ISTIO = `1.${CURRENT_ISTIO_MINOR}`;
export const SUPPORTED_ISTIO = `1.${OLDEST_ISTIO_MINOR} … ${CURRENT_ISTIO}`;

export interface IstioProfile {
  /** `1.28`: the release emulated. */
  version: string;
  /**
   * DestinationRule `outlierDetection.consecutiveErrors`: 1.1–1.6 map it to Envoy's
   * consecutive_gateway_failure (enforcing 100, 5xx enforcement off); 1.7+ ignore it
   * (Istio commits af73923d620, a291ab60276).
   */
  consecutiveErrors: 'gateway-failure' | 'ignored';
  /** The release that stopped honouring `consecutiveErrors` (for the warning). */
  consecutiveErrorsIgnoredSince: string;
  /**
   * The built-in outbound retry policy (2 retries): retry_on and the retriable status
   * codes. 503 is retried up to 1.23 (EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY, 1.24);
   * `resource-exhausted` was dropped in 1.6 (commit 82e860adc16).
   */
  defaultRetryOn: string[];
  defaultRetriableStatusCodes: number[];
  /** Mirrored requests get `-shadow` appended to the host (off by default from 1.28, DISABLE_SHADOW_HOST_SUFFIX). */
  shadowHostSuffix: boolean;
  /** `loadBalancer` unset: ROUND_ROBIN up to 1.13, LEAST_REQUEST from 1.14 (commit e048ab8b983). */
  defaultLb: 'ROUND_ROBIN' | 'LEAST_REQUEST';
  /**
   * Circuit-breaker thresholds when the DestinationRule sets none: 2^32-1 from 1.5
   * (commit 636b8f0a845 "Disable circuit breaking by default"); 1.4 kept Envoy's 1024,
   * outside the emulated range, so every profile has 2^32-1.
   */
  defaultCircuitBreakerThreshold: number;
  /** Cluster stat scope delimiter: `cluster.<name>.<stat>` up to 1.22, `cluster.<name>;.<stat>` from 1.23 (commit 26d671821a3). */
  clusterStatDelimiter: '.' | ';.';
  /** Weights of a route's destinations must add up to 100 up to 1.14; relative from 1.15. */
  weightsMustSumTo100: boolean;
}

/** Istio's "no circuit breaking" threshold, 2^32-1 (spec §3.3). */
export const UNLIMITED_THRESHOLD = 4_294_967_295;

const RETRY_ON_1_6 = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];

/** The profile of a supported `1.N` release; undefined for anything else. */
export function profileFor(version: string): IstioProfile | undefined {
  const m = /^1\.(\d{1,2})$/.exec(version.trim());
  if (!m) return undefined;
  const minor = Number(m[1]);
  if (minor < OLDEST_ISTIO_MINOR || minor > CURRENT_ISTIO_MINOR) return undefined;
  return {
    version: `1.${minor}`,
    consecutiveErrors: minor <= 6 ? 'gateway-failure' : 'ignored',
    consecutiveErrorsIgnoredSince: '1.7',
    defaultRetryOn: minor <= 5 ? ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'resource-exhausted', 'retriable-status-codes'] : [...RETRY_ON_1_6],
    defaultRetriableStatusCodes: minor <= 23 ? [503] : [],
    shadowHostSuffix: minor <= 27,
    defaultLb: minor <= 13 ? 'ROUND_ROBIN' : 'LEAST_REQUEST',
    defaultCircuitBreakerThreshold: UNLIMITED_THRESHOLD,
    clusterStatDelimiter: minor <= 22 ? '.' : ';.',
    weightsMustSumTo100: minor <= 14,
  };
}

/** The current release's profile: what a mesh gets when nothing names a release. */
export function currentProfile(): IstioProfile {
  return profileFor(CURRENT_ISTIO)!;
}

/** Why `raw` names no emulated release (one line, without the flag or field name). */
export function unsupportedIstio(raw: string): string {
  return `unsupported Istio release "${raw}": expected one of ${SUPPORTED_ISTIO} (major.minor, e.g. 1.6)`;
}
