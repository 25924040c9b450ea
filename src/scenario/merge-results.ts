// `bench merge`: runs of the same load spread over several machines or pods,
// made one, exactly. fortio JSON (fortio's own, or `bench load -json`) merges
// by fortio's buckets (fortio-merge.ts); meshbench's block by its HDR
// histogram (added count by count). Scenario results (`bench --json`) merge
// step by step: each (variant, step, round) of every file, counters summed.
// What cannot be merged exactly (corrected latency without its HDR, per-second
// timelines, mirror diffs, expectation verdicts) is dropped with a note.

import { UserError } from '../errors.js';
import { addHdr, createHdr, encodeHdr, summarize } from '../load/latency.js';
import type { LoadResult } from '../load/types.js';
import { readFortioResult } from '../report/fortio-json-read.js';
import { percentileCurve } from '../report/percentile-curve.js';
import { isRec, type Rec } from '../report/result-rows.js';
import { mergeFortioResults } from './fortio-merge.js';
import { mergedFortioText } from './import-results.js';
import { compareRow } from './report.js';
import type { StepOutcome } from './results.js';

export interface MergeInput {
  doc: unknown;
  file: string;
}

export interface Merged {
  /** 'fortio': a fortio JSON result (print it Go-style); 'scenario': a scenario result. */
  kind: 'fortio' | 'scenario';
  doc: Record<string, unknown>;
  notes: string[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** meshbench's block of several runs: HDR added, rates recomputed; undefined when any run lacks its HDR. */
function mergeMeshbench(blocks: Array<Rec | undefined>, durationsNs: number[], notes: string[]): LoadResult['meshbench'] | undefined {
  if (blocks.some((b) => !b || typeof b.hdrServiceTime !== 'string')) {
    if (blocks.some((b) => b)) notes.push("meshbench's block dropped: not every input carries its HDR histogram (hdrServiceTime)");
    return undefined;
  }
  const bs = blocks as Rec[];
  const h = createHdr();
  for (const b of bs) addHdr(h, b.hdrServiceTime as string);
  const longestMs = Math.max(...durationsNs) / 1e6;
  const maxOf = (k: string) => Math.max(...bs.map((b) => num(b[k]) ?? 0));
  if (bs.some((b) => isRec(b.correctedTime))) notes.push('correctedTime dropped: it is a summary without its histogram, so it cannot be merged exactly');
  const utilizations = bs.map((b) => num(b.workerUtilization)).filter((x): x is number => x !== undefined);
  return {
    serviceTime: summarize(h),
    requestedQps: bs.reduce((a, b) => a + (num(b.requestedQps) ?? 0), 0),
    achievedQps: longestMs > 0 ? h.totalCount / (longestMs / 1000) : 0,
    fellBehind: bs.some((b) => b.fellBehind === true),
    maxBehindScheduleMs: maxOf('maxBehindScheduleMs'),
    maxEventLoopLagMs: maxOf('maxEventLoopLagMs'),
    ...(utilizations.length === bs.length ? { workerUtilization: Math.max(...utilizations) } : {}),
    workers: bs.reduce((a, b) => a + (num(b.workers) ?? 0), 0),
    interrupted: bs.some((b) => b.interrupted === true),
    hdrServiceTime: encodeHdr(h),
  };
}

function mergeFortioDocs(inputs: MergeInput[], notes: string[]): Merged {
  const read = inputs.map((i) => readFortioResult(i.doc, i.file));
  const fortio: Record<string, unknown> = mergeFortioResults(read);
  const mb = mergeMeshbench(read.map((r) => (isRec(r.doc.MeshBench) ? r.doc.MeshBench : undefined)), read.map((r) => r.actualDurationNs), notes);
  if (mb) fortio.MeshBench = mb;
  return { kind: 'fortio', doc: fortio, notes };
}

function sum(maps: unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) if (isRec(m)) for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out;
}

function sumNested(maps: unknown[]): Record<string, Record<string, number>> {
  const keys = new Set(maps.flatMap((m) => (isRec(m) ? Object.keys(m) : [])));
  return Object.fromEntries([...keys].map((k) => [k, sum(maps.map((m) => (isRec(m) ? m[k] : undefined)))]));
}

interface StepRef {
  variant: string;
  round?: number;
  step: Rec;
  file: string;
}

function stepsOf(doc: Rec, file: string): StepRef[] {
  const out: StepRef[] = [];
  for (const v of Array.isArray(doc.variants) ? doc.variants.filter(isRec) : []) {
    for (const s of Array.isArray(v.steps) ? v.steps.filter(isRec) : []) {
      out.push({ variant: String(v.name), ...(num(v.round) !== undefined ? { round: v.round as number } : {}), step: s, file });
    }
  }
  return out;
}

function mergeStep(parts: StepRef[], notes: string[]): StepOutcome {
  const key = `${parts[0]!.variant} / ${String(parts[0]!.step.step)}`;
  const results = parts.map((p) => (isRec(p.step.result) ? p.step.result : undefined));
  if (results.some((r) => !r || !isRec(r.fortio))) throw new UserError('MB_ERR_JSON', `${parts.find((_, i) => !results[i])!.file}: ${key}: no result.fortio to merge`);
  const read = results.map((r, i) => readFortioResult(r!.fortio, `${parts[i]!.file}: ${key}: result.fortio`));
  const fortio = mergeFortioResults(read);
  const mb = mergeMeshbench(results.map((r) => (isRec(r!.meshbench) ? r!.meshbench : undefined)), read.map((r) => r.actualDurationNs), notes);
  if (!mb) throw new UserError('MB_ERR_JSON', `${parts[0]!.file}: ${key}: result.meshbench.hdrServiceTime missing: this result cannot be merged exactly`);
  const steps = parts.map((p) => p.step);
  if (steps.some((s) => Array.isArray(s.timeline) && s.timeline.length)) notes.push(`${key}: per-second timelines dropped (the runs' clocks differ)`);
  if (steps.some((s) => isRec(s.mirror))) notes.push(`${key}: mirror diffs dropped (not mergeable from summaries)`);
  if (steps.some((s) => Array.isArray(s.expectations) && s.expectations.length)) notes.push(`${key}: expectation verdicts dropped: run bench import or the scenario again to evaluate them`);
  const first = steps[0]!;
  const clusters = [...new Set(steps.flatMap((s) => (Array.isArray(s.clusters) ? s.clusters.map(String) : [])))];
  const sidecars = steps.some((s) => isRec(s.sidecars)) ? { sidecars: sumNested(steps.map((s) => s.sidecars)) } : {};
  return {
    variant: parts[0]!.variant,
    step: String(first.step),
    ...(parts[0]!.round !== undefined ? { round: parts[0]!.round } : {}),
    result: { fortio, meshbench: mb },
    fortioText: mergedFortioText(parts.length, fortio),
    clusters,
    counters: sum(steps.map((s) => s.counters)),
    gauges: {},
    clusterCounters: sumNested(steps.map((s) => s.clusterCounters)),
    sidecarCounters: sum(steps.map((s) => s.sidecarCounters)),
    ...sidecars,
    perVersion: sum(steps.map((s) => s.perVersion)),
    instances: [],
    timeline: [],
    serviceTimeCurve: percentileCurve(mb.hdrServiceTime),
    expectations: [],
    interrupted: steps.some((s) => s.interrupted === true),
  };
}

function mergeScenarioDocs(inputs: MergeInput[], notes: string[]): Merged {
  const docs = inputs.map((i) => i.doc as Rec);
  const name = docs[0]!.scenario;
  for (const [i, d] of docs.entries()) {
    if (d.scenario !== name) throw new UserError('MB_ERR_JSON', `${inputs[i]!.file}: scenario ${JSON.stringify(d.scenario)} is not ${inputs[0]!.file}'s ${JSON.stringify(name)}: not runs of the same steps`);
  }
  const byKey = new Map<string, StepRef[]>();
  const keyOf = (s: StepRef) => `${s.variant}\u0000${s.round ?? ''}\u0000${String(s.step.step)}`;
  const perFile = inputs.map((i) => stepsOf(i.doc as Rec, i.file));
  for (const refs of perFile) for (const r of refs) (byKey.get(keyOf(r)) ?? byKey.set(keyOf(r), []).get(keyOf(r))!).push(r);
  for (const [k, refs] of byKey) {
    if (refs.length !== inputs.length) {
      const [variant, , step] = k.split('\u0000');
      const missing = inputs.filter((i) => !refs.some((r) => r.file === i.file)).map((i) => i.file);
      throw new UserError('MB_ERR_JSON', `${missing[0]}: has no ${variant} / ${step}: every file must hold the same variants and steps`);
    }
  }
  const variants: Array<{ name: string; round?: number; steps: StepOutcome[] }> = [];
  for (const refs of byKey.values()) {
    const s = mergeStep(refs, notes);
    let v = variants.find((x) => x.name === s.variant && x.round === s.round);
    if (!v) variants.push((v = { name: s.variant, ...(s.round !== undefined ? { round: s.round } : {}), steps: [] }));
    v.steps.push(s);
  }
  const doc = {
    meshbench: 'scenario-result/v1',
    scenario: name,
    files: [...new Set(docs.flatMap((d) => (Array.isArray(d.files) ? d.files.map(String) : [])))],
    mergedFrom: inputs.map((i) => i.file),
    interrupted: docs.some((d) => d.interrupted === true),
    warnings: [...new Set(docs.flatMap((d) => (Array.isArray(d.warnings) ? d.warnings.map(String) : [])))],
    variants,
    expectations: [],
    compare: variants.flatMap((v) => v.steps.map(compareRow)),
  };
  return { kind: 'scenario', doc, notes: [...new Set(notes)] };
}

/** Every input must be of one kind: all fortio results, or all scenario results. */
export function mergeResults(inputs: MergeInput[]): Merged {
  if (inputs.length < 2) throw new UserError('MB_ERR_JSON', 'bench merge needs at least two result files');
  const kindOf = (i: MergeInput): 'fortio' | 'scenario' => {
    if (isRec(i.doc) && Array.isArray(i.doc.variants)) return 'scenario';
    if (isRec(i.doc) && isRec(i.doc.DurationHistogram)) return 'fortio';
    throw new UserError('MB_ERR_JSON', `${i.file}: neither a meshbench scenario result (bench --json) nor a fortio JSON result`);
  };
  const kinds = inputs.map(kindOf);
  const odd = kinds.findIndex((k) => k !== kinds[0]);
  if (odd >= 0) throw new UserError('MB_ERR_JSON', `${inputs[odd]!.file}: a ${kinds[odd]} result cannot be merged with ${inputs[0]!.file}, a ${kinds[0]} result`);
  const notes: string[] = [];
  return kinds[0] === 'fortio' ? mergeFortioDocs(inputs, notes) : mergeScenarioDocs(inputs, notes);
}
