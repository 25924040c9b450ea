// What a scenario run produces: one StepOutcome per (variant, step), the
// expectation verdicts, and the whole run. This is also the `--json` file
// format (plus the fortio-compatible result of each step).

import type { SidecarStats } from '../mesh/api.js';
import type { LoadResult } from '../load/types.js';
import type { SourceLocation } from '../errors.js';
import type { InstanceDelta } from './stats-view.js';
import type { PercentilePoint } from '../report/percentile-curve.js';
import type { TimelineSample } from './timeline.js';
import type { MirrorSummary } from './mirror-diff.js';
import type { HopStat } from './hops.js';
import type { SweepPoint } from './model.js';
import type { SearchResult } from './capacity-search.js';
import type { WindowIntervals } from './window-intervals.js';
import type { AppliedEvent } from './events.js';

export interface ExpectationResult {
  variant: string;
  step: string;
  /** Human form of the check, e.g. `code 503 share >= 0.1`. */
  check: string;
  pass: boolean;
  /** What was measured, e.g. `0.333 (10 of 30)`. */
  actual: string;
  loc: SourceLocation;
}

export interface StepOutcome {
  variant: string;
  step: string;
  /** 1-based repeat (--repeat N > 1 only). */
  round?: number;
  /** The swept values when the step is one point of a `sweep:` (step is then `NAME@c=4`). */
  sweep?: SweepPoint;
  /** A capacity search's answer and probes; the rest of the outcome is the last probe at maxQps. */
  search?: SearchResult;
  /** With a single run: every metric's 95 % interval from the step's one-second windows (or why none). */
  intervals?: WindowIntervals;
  /** fortio-compatible result (+ meshbench block). */
  result: LoadResult;
  /** fortio's text report of this step. */
  fortioText: string;
  /** Destination cluster(s) the load went to, e.g. `outbound|8000||httpbin.default.svc.cluster.local`. */
  clusters: string[];
  /** Short counter name -> delta over the step, summed over the destination clusters. */
  counters: Record<string, number>;
  /** Destination gauges at the end of the step. */
  gauges: Record<string, number>;
  /** Full cluster name -> short counter -> delta. */
  clusterCounters: Record<string, Record<string, number>>;
  /** The `from` sidecar's counters (full Envoy names), deltas over the step, zeros dropped. */
  sidecarCounters: Record<string, number>;
  /** Sidecars named by `sidecar:` counter expectations: workload -> full Envoy name -> delta (zeros kept). */
  sidecars?: Record<string, Record<string, number>>;
  /** "httpbin v1" -> requests served during the step; mirrored copies apart as "httpbin v2 mirror". */
  perVersion: Record<string, number>;
  instances: InstanceDelta[];
  /** Per-second time series of the step (qps, codes, latency, counters, versions); see timeline.ts. */
  timeline: TimelineSample[];
  /** Service-time percentile distribution from the merged HDR histogram (HdrHistogram style, ~10 points per nine). */
  serviceTimeCurve: PercentilePoint[];
  /** Per service on the request path, what its inbound sidecar measured (docs/per-hop.md); absent in older files. */
  hops?: HopStat[];
  /** Instance events applied during the step (`events:`), in order; absent without events. */
  events?: AppliedEvent[];
  /** Primary vs shadow responses of the step, when the route mirrors (docs/mirror-diff.md). */
  mirror?: MirrorSummary;
  expectations: ExpectationResult[];
  interrupted: boolean;
}

export interface VariantOutcome {
  name: string;
  /** 1-based repeat (--repeat N > 1 only); variants are listed in scenario order, then by round. */
  round?: number;
  steps: StepOutcome[];
}

export interface MachineInfo {
  cores: number;
  /** process.version, e.g. v20.19.0. */
  node: string;
  platform: string;
  arch: string;
  cpu: string;
}

export interface ScenarioOutcome {
  scenario: string;
  files: string[];
  seed?: number;
  /** Runs per variant when more than one (--repeat, spec.repeat). */
  repeat?: number;
  startedAt: string;
  durationMs: number;
  /** Where it ran: a report's header. */
  machine: MachineInfo;
  interrupted: boolean;
  /** Config warnings (deprecated or ignored fields), file:line:col first. */
  warnings: string[];
  variants: VariantOutcome[];
  /** Set when a runtime failure ended the run early (results up to it are kept). */
  error?: { code: string; message: string; exitCode: number };
  /** All verdicts, in evaluation order. */
  expectations: ExpectationResult[];
}

export type { SidecarStats };
