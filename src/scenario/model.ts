// The Scenario document (`apiVersion: meshbench/v1`, `kind: Scenario`; recognised
// by mesh/config/scenario-doc.ts) once validated: what load to run, which variants
// of the Istio/K8s documents to run it against, and what must hold afterwards.
// Format: docs/scenario-format.md.

import type { IstioProfile } from '../mesh/config/istio-profile.js';
import type { SourceLocation } from '../errors.js';

export interface StepSpec {
  name: string;
  /** -c */
  connections: number;
  /** -qps (0 = max speed). */
  qps: number;
  /** -n (0 = use duration). */
  exactly: number;
  /** -t in ms (used when exactly = 0). */
  durationMs: number;
  timeoutMs?: number;
  uniform?: boolean;
  jitter?: boolean;
  /** Extra headers for this step, after the load's headers. */
  headers: Array<[string, string]>;
  /** One point of a `sweep:` (the step is named `NAME@c=4,qps=200`; sweep.ts). */
  sweep?: SweepPoint;
  /** fortio's -allow-initial-errors: set for search probes, whose warm-up calls may well overflow a small pool. */
  allowInitialErrors?: boolean;
  /** A capacity search instead of one fixed load (capacity-search.ts). */
  search?: SearchSpec;
  /** Instance faults during the step, in time order (events.ts). */
  events?: InstanceEventSpec[];
  loc: SourceLocation;
}

/** The swept values of one point; the rest of the step is as written. */
export interface SweepPoint {
  /** The step's name as written (the points are named `of@…`). */
  of: string;
  c?: number;
  qps?: number;
}

/** What a probe must meet to count as sustained (`search.slo`). */
export interface SearchSlo {
  /** Latency bounds (service time, ms): the probe's percentile must stay below. */
  latencyLessThanMs: Partial<Record<Percentile, number>>;
  /** Largest share (0..1) of calls with a non-2xx status or a socket error. */
  errorShareAtMost?: number;
}

/** `search:` of a step: find the highest fixed qps that still meets the SLO. */
export interface SearchSpec {
  slo: SearchSlo;
  /** First probe's qps (the ramp doubles from here). */
  startQps: number;
  /** Never probe above this. */
  maxQps: number;
  /** Each probe's duration (ms). */
  probeMs: number;
  /** Probes at most (ramp + bisect + confirm). */
  maxProbes: number;
  /** Stop bisecting when (hi - lo) / lo is at most this. */
  precision: number;
  /** Client connections at most for one probe. */
  maxConnections: number;
}

/** What an event does to one instance (pod); mirrors the mesh's InstanceAction. */
export type InstanceEventAction = 'stop' | 'start' | 'slow' | 'fail' | 'recover';

/** `{ at: 2s, stop: httpbin-v1-0 }`, `{ at: 1s, fail: httpbin-v2-0, status: 503, share: 0.5 }`. */
export interface InstanceEventSpec {
  /** ms after the step's timed load started. */
  atMs: number;
  action: InstanceEventAction;
  /** Pod name as `bench serve` prints it (`httpbin-v1-0`). */
  instance: string;
  /** slow: added latency (ms). */
  delayMs?: number;
  /** fail: the status answered, and the share of requests (0..1] answered with it. */
  status?: number;
  share?: number;
  loc: SourceLocation;
  /** Where the instance name is written (unknown-instance errors point there). */
  instanceLoc: SourceLocation;
  instancePath: string;
}

export interface LoadSpec {
  from: string;
  url: string;
  method?: string;
  payload?: string;
  headers: Array<[string, string]>;
  steps: StepSpec[];
}

export interface PatchSpec {
  target: { kind: string; name: string; namespace?: string };
  merge: unknown;
  loc: SourceLocation;
}

export interface VariantSpec {
  name: string;
  patches: PatchSpec[];
  loc?: SourceLocation;
}

/** A number to compare with, or the step's count of one status code (`equalsCode: 503`). */
export type BoundValue = number | { code: number };

export interface Bound {
  /** Field name as written (for messages): count, shareAtLeast, lessThanMs… */
  field: string;
  /** Which quantity of the subject this bound is about. */
  measure: 'count' | 'share' | 'value' | 'requests' | 'shadowRequests' | 'maxQps' | MirrorMeasure;
  op: 'eq' | 'ge' | 'le' | 'lt' | 'gt';
  value: BoundValue;
}

/** What a `mirror:` expectation can bound (docs/mirror-diff.md). */
export type MirrorMeasure = 'compared' | 'identical' | 'differing' | 'differingShare' | 'shadowErrors' | 'fieldCount';

/** Latency percentiles an expectation can check (p999 = p99.9). */
export const PERCENTILES = ['p50', 'p90', 'p99', 'p999'] as const;
export type Percentile = (typeof PERCENTILES)[number];

export type Subject =
  | { type: 'code'; code: number }
  | { type: 'latency'; percentile: Percentile }
  | { type: 'qps' }
  | { type: 'calls' }
  /** `sidecar`: another workload's sidecar instead of the `from` one (e.g. reviews-v2's, for faults it injects). */
  | { type: 'counter'; counter: string; subset?: string; sidecar?: string }
  | { type: 'upstream'; workload?: string; version?: string; app?: string; pod?: string }
  /** The step's mirror diff; `field`: one differing field's pair count. */
  | { type: 'mirror'; field?: string }
  /** A capacity search step's answer (`search: { maxQpsAtLeast: 200 }`). */
  | { type: 'search' };

export interface ExpectationSpec {
  /** Omitted -> every step. */
  step?: string;
  /** Omitted -> every variant. */
  variant?: string;
  subject: Subject;
  bounds: Bound[];
  loc: SourceLocation;
}

/** `spec.mirrorDiff`: how mirrored responses are compared (docs/mirror-diff.md). */
export interface MirrorDiffSpec {
  /** Response headers to compare; omitted -> all but the per-hop ones. */
  headers?: string[];
  /** Fields never compared (`$.headers.X-Amzn-Trace-Id`, `headers.etag`, `body`). */
  ignore: string[];
  /** Percent of captured requests replayed to the primary to learn noisy fields. */
  replayPercent: number;
  /** Body bytes kept per response. */
  bodyBytes?: number;
}

export interface ScenarioSpec {
  name: string;
  file: string;
  load: LoadSpec;
  mirrorDiff?: MirrorDiffSpec;
  variants: VariantSpec[];
  expect: ExpectationSpec[];
  /** spec.repeat: runs per variant (--repeat overrides). */
  repeat?: number;
  /** spec.istio: the Istio release emulated (--istio overrides). */
  istio?: IstioProfile;
  loc: SourceLocation;
}
