// Runs a capacity search step: asks capacity-search.ts for the next probe, runs
// it as a bounded fixed-qps load on the same mesh, judges it against the SLO,
// until the search answers. The step's outcome is the last probe at the answer
// (so its table row, counters and expectations describe the variant at its
// capacity) with the search result attached.

import { evaluateAll } from './expectations.js';
import { judgeProbe, nextProbe, probeConnections, type Probe, type ProbeMeasure, type SearchResult } from './capacity-search.js';
import type { ExpectationSpec, SearchSpec, StepSpec } from './model.js';
import type { ExpectationResult, StepOutcome } from './results.js';

/** The discarded warm-up before the first probe. */
export const WARMUP_MS = 1000;

/** Runs one probe: the step at a fixed rate, connections and duration. */
export type RunProbe = (probe: StepSpec) => Promise<StepOutcome>;

export async function runSearchStep(step: StepSpec & { search: SearchSpec }, runProbe: RunProbe, expect: ExpectationSpec[]): Promise<StepOutcome> {
  const spec = step.search;
  const probes: Probe[] = [];
  const passed = new Map<number, StepOutcome>(); // newest passing outcome per rate
  // Connections start staggered (fortio -uniform) unless the step says otherwise: in
  // step they would send bursts of c calls, and the search would measure burst size.
  const probeStep = (qps: number, connections: number, durationMs: number): StepSpec => ({
    ...step,
    qps,
    connections,
    exactly: 0,
    durationMs,
    allowInitialErrors: true,
    uniform: step.uniform ?? true,
  });
  // A freshly booted mesh is slow for its first second (JIT, first connections):
  // a discarded warm-up at the start rate keeps that out of the first probe.
  const warm = await runProbe(probeStep(spec.startQps, probeConnections(spec.startQps, spec, []), WARMUP_MS));
  if (warm.interrupted) return { ...warm, expectations: [] };
  let last: StepOutcome | undefined;
  for (;;) {
    const d = nextProbe(spec, probes);
    if (d.kind === 'done') {
      const so = passed.get(d.maxQps) ?? last!;
      const search: SearchResult = { maxQps: d.maxQps, interval: d.interval, confirmed: d.confirmed, clientLimited: probes.some((p) => p.clientLimited), note: d.note, slo: spec.slo, probes };
      const out: StepOutcome = { ...so, search };
      out.expectations = evaluateAll(expect, out) as ExpectationResult[];
      return out;
    }
    const connections = probeConnections(d.qps, spec, probes);
    const so = await runProbe(probeStep(d.qps, connections, spec.probeMs));
    last = so;
    if (so.interrupted) {
      // A partial probe proves nothing: report what the search had, unevaluated.
      const lo = Math.max(0, ...probes.filter((p) => p.pass).map((p) => p.qps));
      return { ...so, search: { maxQps: lo, interval: [lo, spec.maxQps], confirmed: false, clientLimited: probes.some((p) => p.clientLimited), note: 'interrupted', slo: spec.slo, probes }, expectations: [] };
    }
    const probe = judgeProbe(probeMeasure(so, d.qps, connections), d.phase, spec.slo);
    probes.push(probe);
    if (probe.pass) passed.set(d.qps, so);
  }
}

/** What the SLO judges, read from a probe's outcome. Errors: any status outside 2xx, socket errors (-1) included. */
export function probeMeasure(so: StepOutcome, qps: number, connections: number): ProbeMeasure {
  const codes = so.result.fortio.RetCodes;
  let calls = 0;
  let errors = 0;
  for (const [code, n] of Object.entries(codes)) {
    calls += n;
    const c = Number(code);
    if (!(c >= 200 && c <= 299)) errors += n;
  }
  const st = so.result.meshbench.serviceTime;
  return { qps, connections, achievedQps: so.result.meshbench.achievedQps, calls, errors, serviceTime: { p50: st.p50, p90: st.p90, p99: st.p99, p999: st.p999 } };
}
