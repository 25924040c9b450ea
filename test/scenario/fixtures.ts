// Recorded shapes for scenario/UI tests: a step outcome and a tick as the runner
// builds them from real runs (numbers from the seed's c=3 circuit-breaking run).

import type { LoadResult, LoadSnapshot, LatencySummary } from '../../src/load/types.js';
import type { StepOutcome } from '../../src/scenario/results.js';
import type { TickData } from '../../src/scenario/runner.js';
import type { ScenarioSpec, StepSpec } from '../../src/scenario/model.js';

export const CLUSTER = 'outbound|8000||httpbin.default.svc.cluster.local';

export function latency(p50: number, p90: number, p99: number, p999: number, count: number): LatencySummary {
  return { count, min: p50 / 4, mean: p50 * 1.2, max: p999 * 1.01, p50, p90, p99, p999 };
}

export function loadResult(codes: Record<string, number>, st: LatencySummary, achievedQps: number): LoadResult {
  const count = Object.values(codes).reduce((a, b) => a + b, 0);
  return {
    fortio: {
      RetCodes: codes,
      DurationHistogram: { Count: count, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: [] },
      ActualQPS: achievedQps,
      ActualDuration: 45_473_167,
      SocketCount: 12,
    },
    meshbench: {
      serviceTime: st,
      requestedQps: 0,
      achievedQps,
      fellBehind: false,
      maxBehindScheduleMs: 0,
      maxEventLoopLagMs: 1,
      workers: 1,
      interrupted: false,
      hdrServiceTime: '',
    },
  };
}

/** The seed's `-c 3 -qps 0 -n 30` outcome: 20 x 200, 10 x 503, 10 pending overflows. */
export function seedC3(variant = 'seed-dr'): StepOutcome {
  return {
    variant,
    step: 'c3',
    result: loadResult({ '200': 20, '503': 10 }, latency(2.45, 7, 21.2, 21.7, 30), 659.7),
    fortioText: 'Code 200 : 20 (66.7 %)\nCode 503 : 10 (33.3 %)\n',
    clusters: [CLUSTER],
    counters: {
      upstream_rq_total: 20,
      upstream_rq_pending_total: 29,
      upstream_rq_pending_overflow: 10,
      upstream_cx_total: 20,
      upstream_rq_retry: 0,
    },
    gauges: { upstream_rq_pending_active: 0, upstream_cx_active: 0 },
    clusterCounters: { [CLUSTER]: { upstream_rq_total: 20, upstream_rq_pending_overflow: 10 } },
    sidecarCounters: {
      [`cluster.${CLUSTER}.upstream_rq_total`]: 20,
      [`cluster.${CLUSTER}.upstream_rq_pending_overflow`]: 10,
    },
    perVersion: { 'httpbin v1': 20 },
    instances: [
      { pod: 'httpbin-0', workload: 'httpbin', app: 'httpbin', version: 'v1', requests: 20, shadowRequests: 0, codes: { '200': 20 } },
    ],
    timeline: [],
    serviceTimeCurve: [],
    expectations: [],
    interrupted: false,
  };
}

export const C3: StepSpec = { name: 'c3', connections: 3, qps: 0, exactly: 30, durationMs: 5000, headers: [], loc: { file: 's.yaml', line: 1, col: 1 } };

export function snapshot(over: Partial<LoadSnapshot> = {}): LoadSnapshot {
  return {
    elapsedMs: 1500,
    plannedCalls: 30,
    plannedDurationMs: 0,
    calls: 20,
    windowQps: 640.2,
    achievedQps: 659.7,
    requestedQps: 0,
    window: latency(2.2, 6.5, 20.1, 21.0, 8),
    cumulative: latency(2.45, 7, 21.2, 21.7, 20),
    codes: { '200': 14, '503': 6 },
    socketsOpened: 8,
    behindScheduleMs: 0,
    eventLoopLagMs: 1.4,
    workers: 1,
    done: false,
    ...over,
  };
}

/** A mirroring tick: v1 serves, v2 receives the -shadow copies. */
export function mirrorTick(): TickData {
  return {
    variant: 'mirror',
    step: C3,
    load: snapshot(),
    mesh: { uptimeMs: 1500, sidecars: [], instances: [] },
    dest: {
      counters: { upstream_rq_total: 40, upstream_rq_pending_overflow: 6, upstream_rq_retry: 2, upstream_rq_timeout: 1 },
      gauges: { upstream_rq_pending_active: 1, upstream_cx_active: 1 },
      clusters: {},
    },
    perVersion: { 'httpbin v1': 20, 'httpbin v2': 20 },
    instances: [
      { pod: 'httpbin-v1-0', workload: 'httpbin-v1', app: 'httpbin', version: 'v1', requests: 20, shadowRequests: 0, codes: { '200': 20 } },
      { pod: 'httpbin-v2-0', workload: 'httpbin-v2', app: 'httpbin', version: 'v2', requests: 20, shadowRequests: 20, codes: { '200': 20 } },
    ],
    shadowRequests: 20,
  };
}

/** The mirroring scenario the dashboard tests draw: variants seed-dr and mirror, steps c1 and c3. */
export const MIRROR_SCENARIO: ScenarioSpec = {
  name: 'httpbin-mirror',
  file: 's.yaml',
  load: { from: 'sleep', url: 'http://httpbin:8000/headers', headers: [], steps: [{ ...C3, name: 'c1' }, C3] },
  variants: [
    { name: 'seed-dr', patches: [] },
    { name: 'mirror', patches: [] },
  ],
  expect: [],
  loc: { file: 's.yaml', line: 1, col: 1 },
};
