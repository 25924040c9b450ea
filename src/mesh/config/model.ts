// The normalized mesh model: what the config loader produces from Kubernetes/Istio
// YAML and what the proxy core and the built-in apps consume. Every field here is
// already validated, defaulted and converted (durations in ms, percentages as
// Envoy FractionalPercent, legacy spellings resolved), so the runtime never sees
// YAML shapes. Semantics: ../shared/spec/istio-semantics.md (section numbers below).

import type { IstioProfile } from './istio-profile.js';
import type { SourceLocation } from '../../errors.js';

export const DEFAULT_NAMESPACE = 'default';
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** Where a document (or a field in it) came from, for error messages and reports. */
export interface Origin {
  kind: string;
  name: string;
  namespace: string;
  loc?: SourceLocation;
}

// ---------------------------------------------------------------------------
// Workloads (Deployment) and their instances (pods)

/** The built-in app a Deployment's image maps to (DESIGN.md "Scenario files"). */
export type AppKind =
  | 'httpbin' // kennethreitz/httpbin, kong/httpbin, mccutchen/go-httpbin
  | 'fortio' // fortio/fortio: echo server on 8080 (and a load source)
  | 'productpage'
  | 'details'
  | 'reviews'
  | 'ratings'
  | 'client' // sleep / curl images: no server, only a source of calls
  | 'modeled'; // any image run by a ServiceModel (or the default model): behaviour is data

export interface Workload {
  name: string;
  namespace: string;
  app: AppKind;
  image: string;
  replicas: number;
  /** Pod template labels (become each instance's labels). */
  labels: Record<string, string>;
  /** The port the app listens on inside the "pod" (containerPort, else the app's default). */
  containerPort: number;
  /** Container env (bookinfo reads e.g. STAR_COLOR, ENABLE_RATINGS, SERVICE_VERSION). */
  env: Record<string, string>;
  serviceAccount: string;
  origin: Origin;
  /** What a `modeled` workload does (docs/service-model.md). */
  model?: ServiceModel;
}

/** One pod. Its real loopback port is assigned when the mesh boots. */
export interface InstanceSpec {
  /** Pod name, e.g. `httpbin-v1-0`. */
  pod: string;
  workload: string;
  namespace: string;
  app: AppKind;
  labels: Record<string, string>;
  containerPort: number;
  env: Record<string, string>;
  /**
   * The workload's container image (optional, additive): lets an app pick a
   * flavour, e.g. `mccutchen/go-httpbin` serves go-httpbin's JSON shapes
   * instead of kennethreitz/httpbin's (spec §12). Absent = the default flavour.
   */
  image?: string;
  /** The behaviour of a `modeled` instance (same object for every replica). */
  model?: ServiceModel;
}

// ---------------------------------------------------------------------------
// Modeled services (docs/service-model.md): behaviour as data, times in ms, sizes in bytes

/** A value drawn per request from the run's seeded RNG. */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; median: number; p99: number }
  | { kind: 'exponential'; mean: number }
  /** Empirical inverse CDF: points sorted by p (0..100), values non-decreasing, linear in between. */
  | { kind: 'percentiles'; points: Array<{ p: number; value: number }> };

/** `status: reset` closes the connection without an answer. */
export type ErrorStatus = number | 'reset';

export interface ErrorRule {
  status: ErrorStatus;
  /** Random share of requests, 0..1 … */
  share?: number;
  /** … or isotope's deterministic counter: every N-th request of a replica. */
  every?: number;
  /** Before the work (no latency, no calls) or after it. */
  when: 'before' | 'after';
}

export interface ModelCall {
  /** Authority called through the pod's own sidecar (`backend:8080`). */
  host: string;
  method: string;
  path: string;
  /** Request body bytes. */
  size: number;
  /** Chance the call is made at all (0..1); a skipped call counts as success. */
  probability: number;
  /** Per attempt; null = wait forever. */
  timeoutMs: number | null;
  /** App-level retries after a 5xx or a connection failure/timeout. */
  retries: number;
  headers: Record<string, string>;
}

export type ScriptCommand = { sleep: Distribution } | { call: ModelCall };

/** One step: a command, or a group run concurrently (the step waits for all). */
export type ScriptStep = ScriptCommand | ScriptCommand[];

export interface ServiceModel {
  /** The ServiceModel document's name, or `default` for an unknown image without one. */
  name: string;
  /** Service time spent holding a worker before the script runs. */
  latency?: Distribution;
  errors: ErrorRule[];
  response: { status: number; size: Distribution; headers: Record<string, string> };
  /** Per replica; absent = unlimited concurrency. */
  capacity?: { workers: number; queue: number; queueTimeoutMs: number | null };
  script: ScriptStep[];
  /** Request headers copied onto every call; absent = tracing headers + end-user (the app's default). */
  propagate?: string[];
  /** When a call counts as a success: any 2xx (default), or exactly 200 (isotope). */
  callSuccess?: '2xx' | 'exactly200';
}

// ---------------------------------------------------------------------------
// Services and ServiceEntries -> mesh hosts with endpoints

export interface ServicePort {
  name: string;
  port: number;
  /** Resolved container port number (named targetPort already looked up). */
  targetPort: number;
  protocol: string;
}

export interface MeshService {
  /** Short name (`httpbin`). */
  name: string;
  namespace: string;
  /** `httpbin.default.svc.cluster.local`, or the ServiceEntry host. */
  fqdn: string;
  ports: ServicePort[];
  /** Kubernetes Service: endpoints are the instances whose labels match. */
  selector?: Record<string, string>;
  /** ServiceEntry: fixed endpoints (a real server on loopback). */
  staticEndpoints?: StaticEndpoint[];
  /** Host names a request's Host header may use for this service (spec §2.1). */
  aliases: string[];
  origin: Origin;
}

export interface StaticEndpoint {
  address: string; // must be loopback (127.0.0.0/8 or ::1)
  /** Port by service port name, filled for every service port (endpoint port, else targetPort, else the port number). */
  ports: Record<string, number>;
  labels: Record<string, string>;
}

// ---------------------------------------------------------------------------
// Common value types

/** Envoy FractionalPercent (spec §1.2): hit when rand(0..denominator) < numerator. */
export interface FractionalPercent {
  numerator: number;
  denominator: 100 | 1_000_000;
}

/** spec §1.3. `present` is the `{}` / `regex: "*"` presence check. */
export type StringMatch =
  | { exact: string }
  | { prefix: string }
  | { regex: string }
  | { present: true };

export interface HeaderOps {
  set: Record<string, string>;
  add: Record<string, string>;
  remove: string[];
}

export interface Headers {
  request?: HeaderOps;
  response?: HeaderOps;
  /** `host` / `:authority` in request set/add become an authority rewrite (spec §2.9). */
  authorityRewrite?: string;
}

// ---------------------------------------------------------------------------
// VirtualService (spec §2)

export interface VirtualService {
  name: string;
  namespace: string;
  /** Fully qualified host names this VS binds (short names completed with the VS namespace). */
  hosts: string[];
  /** Omitted -> ['mesh']. A VS without 'mesh' does not apply to sidecars. */
  gateways: string[];
  http: HttpRoute[];
  /** Namespaces whose sidecars see this VS (`*` all, `.` its own, `~` none); absent = all. */
  exportTo?: string[];
  origin: Origin;
}

export interface HttpMatch {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  /** Lower-case header name -> match. */
  headers: Record<string, StringMatch>;
  withoutHeaders: Record<string, StringMatch>;
  queryParams: Record<string, StringMatch>;
  ignoreUriCase: boolean;
  /** Config-time selectors (spec §2.2): not runtime matches. */
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export interface Destination {
  /** Fully qualified host. */
  host: string;
  subset?: string;
  port?: number;
}

export interface RouteDestination {
  destination: Destination;
  /** Normalized weight; single destination -> 100. Zero-weight entries are dropped (spec §2.4). */
  weight: number;
  headers?: Headers;
}

export interface RetryPolicy {
  /** Number of retries (total tries = numRetries + 1). */
  numRetries: number;
  perTryTimeoutMs: number | null;
  /** Envoy retry_on tokens, e.g. ['connect-failure','refused-stream','unavailable','cancelled','retriable-status-codes']. */
  retryOn: string[];
  retriableStatusCodes: number[];
  /** Base backoff interval (default 25 ms); max is 10x (spec §5.3). */
  backoffBaseMs: number;
  /** previous_hosts predicate (default true). */
  retryIgnorePreviousHosts: boolean;
  hostSelectionRetryMaxAttempts: number;
}

export interface FaultDelay {
  fixedDelayMs: number;
  percentage: FractionalPercent;
}

export interface FaultAbort {
  /** 200 when `grpcStatus` is set (Envoy answers HTTP 200 with that grpc-status). */
  httpStatus: number;
  /** gRPC status name (`UNAVAILABLE`…) from `abort.grpcStatus`; absent for HTTP aborts. */
  grpcStatus?: string;
  percentage: FractionalPercent;
}

export interface MirrorPolicy {
  destination: Destination;
  percentage: FractionalPercent;
}

export interface Redirect {
  uri?: string;
  prefixRewrite?: string;
  authority?: string;
  scheme?: string;
  port?: number;
  derivePort?: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT';
  redirectCode: number; // default 301
}

export interface DirectResponse {
  status: number;
  body?: string;
}

export interface Rewrite {
  uri?: string;
  uriRegexRewrite?: { match: string; rewrite: string };
  authority?: string;
}

export interface HttpRoute {
  name?: string;
  /** Empty = catch-all. Items are OR-ed (spec §2.2). */
  match: HttpMatch[];
  route: RouteDestination[];
  redirect?: Redirect;
  directResponse?: DirectResponse;
  rewrite?: Rewrite;
  /** null = no timeout (Istio default, spec §2.5). */
  timeoutMs: number | null;
  /**
   * null = `retries` omitted -> the sidecar applies Istio's default retry policy
   * (spec §2.6); `{numRetries: 0}` = retries disabled.
   */
  retries: RetryPolicy | null;
  fault?: { delay?: FaultDelay; abort?: FaultAbort };
  /** `mirror` (+ mirrorPercentage / legacy mirrorPercent) or `mirrors[]`, normalized. */
  mirrors: MirrorPolicy[];
  headers?: Headers;
  origin: Origin;
}

// ---------------------------------------------------------------------------
// DestinationRule (spec §3)

export type LbPolicy =
  | { simple: 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'PASSTHROUGH' }
  | {
      consistentHash:
        | { httpHeaderName: string }
        | { httpCookie: { name: string; path?: string; ttlMs?: number } }
        | { useSourceIp: true }
        | { httpQueryParameterName: string };
      minimumRingSize?: number;
    };

/** Envoy circuit-breaker thresholds and pool settings (spec §3.3); unset -> Istio defaults. */
export interface ConnectionPool {
  maxConnections: number; // default 2^32-1
  connectTimeoutMs: number; // default 10000
  /** max_pending_requests */
  http1MaxPendingRequests: number; // default 2^32-1
  /** max_requests */
  http2MaxRequests: number; // default 2^32-1
  /** 0 = unlimited; 1 = no keep-alive */
  maxRequestsPerConnection: number;
  maxRetries: number; // default 2^32-1
  idleTimeoutMs: number; // default 3600000; 0 = disabled (tcp.idleTimeout: 0s)
}

/** spec §3.4, already mapped to Envoy's fields. */
export interface OutlierDetection {
  consecutive5xx: number; // Envoy default 5
  enforcingConsecutive5xx: number; // 0 or 100
  consecutiveGatewayFailure: number; // default 5
  enforcingConsecutiveGatewayFailure: number; // default 0
  splitExternalLocalOriginErrors: boolean;
  consecutiveLocalOriginFailure: number;
  enforcingConsecutiveLocalOriginFailure: number;
  intervalMs: number; // default 10000
  baseEjectionTimeMs: number; // default 30000
  maxEjectionTimeMs: number; // default max(300000, base)
  maxEjectionPercent: number; // default 10
  /** healthy_panic_threshold; Istio writes minHealthPercent (default 0 = panic disabled). */
  healthyPanicThreshold: number;
}

export interface TrafficPolicy {
  loadBalancer?: LbPolicy;
  connectionPool?: Partial<ConnectionPool>;
  outlierDetection?: OutlierDetection;
  portLevelSettings?: Array<{ port: number } & Omit<TrafficPolicy, 'portLevelSettings'>>;
}

export interface Subset {
  name: string;
  labels: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRule {
  name: string;
  namespace: string;
  /** Fully qualified host. */
  host: string;
  trafficPolicy?: TrafficPolicy;
  subsets: Subset[];
  origin: Origin;
}

/** A warning the loader found (deprecated or ignored fields), shown to the user, never fatal. */
export interface ConfigWarning {
  message: string;
  loc?: SourceLocation;
  path: string;
}

// ---------------------------------------------------------------------------
// The whole mesh

export interface MeshConfig {
  /** The Istio release emulated (istio-profile.ts): every version-dependent rule reads it. */
  istio: IstioProfile;
  workloads: Workload[];
  instances: InstanceSpec[];
  services: MeshService[];
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  warnings: ConfigWarning[];
}
