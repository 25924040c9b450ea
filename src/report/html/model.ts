// What the HTML report shows, read from result documents: scenario results
// (`bench --json`, format scenario-result/v1, docs/scenario-format.md) and fortio
// JSON results (`bench load -json`, fortio's own). The documents are files from
// disk: every field is checked for its type as it is read, and a missing
// optional field (older results) shows as absent, never as a made-up zero.

import { basename } from 'node:path';
import type { CompareRow } from '../compare.js';
import { percentileCurve } from '../percentile-curve.js';
import { isRec, rowsOf } from '../result-rows.js';
import type { Rec } from '../result-rows.js';
import { addHops, type VariantHops } from './hops.js';
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const recs = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRec(v)) for (const [k, x] of Object.entries(v)) if (num(x) !== undefined) out[k] = x as number;
  return out;
}

export interface TimelinePoint {
  t: number;
  qps: number;
  codes: Record<string, number>;
  counters: Record<string, number>;
}

/** One variant's run of a step: what the charts draw (the client script's input). */
export interface VariantSeries {
  name: string;
  /** [percentile, ms] of service time. */
  curve: Array<[number, number]>;
  /** [percentile, ms] from the intended send time (fixed qps only). */
  corrected: Array<[number, number]>;
  timeline: TimelinePoint[];
  /** Instance events of the step (`events:`), drawn as markers on the time charts. */
  events?: Array<{ t: number; label: string }>;
}

/** A step's mirror diff as the result holds it (`steps[].mirror`, docs/mirror-diff.md); absent numbers stay absent. */
export interface MirrorView {
  variant: string;
  compared?: number;
  identical?: number;
  differing?: number;
  differingShare?: number;
  noiseOnly?: number;
  shadowErrors?: number;
  /** Of shadowErrors, the copies that never answered (results before it existed: absent). */
  shadowTimeouts?: number;
  primaryErrors?: number;
  /** Mirrored requests captured and not captured (sampling and bounds of the capture). */
  captured?: number;
  skipped?: number;
  replayed?: number;
  latency?: { primary: { p50?: number; p99?: number }; shadow: { p50?: number; p99?: number } };
  fields: Array<{ field: string; count?: number; example?: { requestId?: string; path?: string; primary?: string; shadow?: string } }>;
  noise: Array<{ field: string; count?: number }>;
  ignored: Array<{ field: string; count?: number }>;
}

export interface StepView {
  /** Section title: step name, with the file when several results are shown. */
  title: string;
  name: string;
  variants: VariantSeries[];
  /** variant -> "httpbin v1" -> requests. */
  perVersion: Array<{ variant: string; versions: Record<string, number> }>;
  interrupted: string[];
  /** Per variant that mirrored in this step. */
  mirror: MirrorView[];
  /** Per variant, the per-hop view of a service graph (absent in older files). */
  hops?: VariantHops[];
}

export interface ExpectationView {
  variant: string;
  step: string;
  check: string;
  actual: string;
  pass: boolean;
  where: string;
}

export interface RunView {
  /** A scenario result, or a single fortio / `bench load` run (no seed, versions or expectations). */
  kind: 'scenario' | 'load';
  file: string;
  scenario: string;
  startedAt?: string;
  durationMs?: number;
  seed?: number;
  machine?: { cores?: number; node?: string; platform?: string; arch?: string; cpu?: string };
  status: string;
  files: string[];
  warnings: string[];
  steps: StepView[];
  compare: CompareRow[];
  expectations: ExpectationView[];
}

/**
 * Reads one result document; `file` names it in errors. A fortio result may come
 * with the per-second series its run recorded (`bench load --html`).
 */
export function readRun(input: unknown, file: string, timeline: TimelinePoint[] = []): RunView {
  const compare = rowsOf(input, file); // throws (exit 2) for anything but the two formats
  const doc = input as Rec;
  if (!Array.isArray(doc.variants)) return fortioRun(doc, file, compare, timeline);
  const steps = new Map<string, StepView>();
  for (const v of recs(doc.variants)) {
    // --repeat: each round is a run of its own in the charts.
    const variant = `${str(v.name) ?? '?'}${num(v.round) !== undefined ? ` #${v.round}` : ''}`;
    for (const s of recs(v.steps)) {
      const name = str(s.step) ?? '?';
      let view = steps.get(name);
      if (!view) steps.set(name, (view = { title: name, name, variants: [], perVersion: [], interrupted: [], mirror: [] }));
      view.variants.push(variantSeries(variant, s));
      view.perVersion.push({ variant, versions: numbers(s.perVersion) });
      addHops(view, variant, s.hops);
      if (s.interrupted === true) view.interrupted.push(variant);
      if (isRec(s.mirror)) view.mirror.push(mirrorView(variant, s.mirror));
    }
  }
  const m = isRec(doc.machine) ? doc.machine : undefined;
  const error = isRec(doc.error) ? str(doc.error.message) : undefined;
  const expectations = recs(doc.expectations).map((e) => {
    const loc = isRec(e.loc) ? e.loc : {};
    return {
      variant: str(e.variant) ?? '',
      step: str(e.step) ?? '',
      check: str(e.check) ?? '',
      actual: str(e.actual) ?? '',
      pass: e.pass === true,
      where: `${str(loc.file) ?? '?'}:${num(loc.line) ?? '?'}:${num(loc.col) ?? '?'}`,
    };
  });
  return {
    kind: 'scenario',
    file,
    scenario: str(doc.scenario) ?? '(unnamed)',
    ...(str(doc.startedAt) ? { startedAt: str(doc.startedAt) } : {}),
    ...(num(doc.durationMs) !== undefined ? { durationMs: num(doc.durationMs) } : {}),
    ...(num(doc.seed) !== undefined ? { seed: num(doc.seed) } : {}),
    ...(m
      ? { machine: { cores: num(m.cores), node: str(m.node), platform: str(m.platform), arch: str(m.arch), cpu: str(m.cpu) } }
      : {}),
    status: doc.interrupted === true ? 'interrupted, partial results' : error ? `failed: ${error}` : 'complete',
    files: Array.isArray(doc.files) ? doc.files.filter((f): f is string => typeof f === 'string') : [],
    warnings: Array.isArray(doc.warnings) ? doc.warnings.filter((w): w is string => typeof w === 'string') : [],
    steps: [...steps.values()],
    compare,
    expectations,
  };
}

/** One `bench load` / fortio run: a single step. */
function fortioRun(doc: Rec, file: string, compare: CompareRow[], timeline: TimelinePoint[]): RunView {
  const mb = isRec(doc.MeshBench) ? doc.MeshBench : {};
  const h = isRec(doc.DurationHistogram) ? doc.DurationHistogram : {};
  const name = compare[0].variant;
  let curve = typeof mb.hdrServiceTime === 'string' ? percentileCurve(mb.hdrServiceTime).map((c) => [c.p, c.ms] as [number, number]) : [];
  // fortio's own file: its percentiles, in seconds.
  if (!curve.length) {
    curve = recs(h.Percentiles).flatMap((x) =>
      num(x.Percentile) !== undefined && num(x.Value) !== undefined ? [[x.Percentile as number, 1000 * (x.Value as number)] as [number, number]] : [],
    );
    if (num(h.Min) !== undefined && curve.length) curve.unshift([0, 1000 * (h.Min as number)]);
  }
  const url = str(doc.URL);
  return {
    kind: 'load',
    file,
    scenario: str(doc.Labels)?.trim() || (url ? `load ${url}` : basename(file)),
    ...(str(doc.StartTime) ? { startedAt: str(doc.StartTime) } : {}),
    ...(num(doc.ActualDuration) !== undefined ? { durationMs: (doc.ActualDuration as number) / 1e6 } : {}),
    status: mb.interrupted === true ? 'interrupted, partial results' : 'complete',
    files: [],
    warnings: [],
    steps: [{ title: 'load', name: 'load', variants: [{ name, curve, corrected: summaryCurve(mb.correctedTime), timeline }], perVersion: [], interrupted: [], mirror: [] }],
    compare: compare.map((r) => ({ ...r, step: 'load' })),
    expectations: [],
  };
}

function variantSeries(name: string, s: Rec): VariantSeries {
  const mb = isRec(s.result) && isRec(s.result.meshbench) ? s.result.meshbench : {};
  let curve: Array<[number, number]> = recs(s.serviceTimeCurve).flatMap((c) =>
    num(c.p) !== undefined && num(c.ms) !== undefined ? [[c.p as number, c.ms as number] as [number, number]] : [],
  );
  // Results written before serviceTimeCurve existed: the curve from the HDR they hold.
  if (!curve.length && typeof mb.hdrServiceTime === 'string') curve = percentileCurve(mb.hdrServiceTime).map((c) => [c.p, c.ms]);
  return {
    name,
    curve: curve.length ? curve : summaryCurve(mb.serviceTime),
    corrected: summaryCurve(mb.correctedTime),
    timeline: recs(s.timeline).flatMap((p) =>
      num(p.t) !== undefined && num(p.qps) !== undefined
        ? [{ t: p.t as number, qps: p.qps as number, codes: numbers(p.codes), counters: numbers(p.counters) }]
        : [],
    ),
    events: recs(s.events).flatMap((e) => (num(e.t) !== undefined ? [{ t: e.t as number, label: `${String(e.action)} ${String(e.instance)}` }] : [])),
  };
}

/** The points a LatencySummary holds (min as p0, p50 … p99.9); results without a dense curve fall back to these. */
function summaryCurve(v: unknown): Array<[number, number]> {
  if (!isRec(v) || !num(v.count)) return [];
  const pts: Array<[number, string]> = [[0, 'min'], [50, 'p50'], [90, 'p90'], [99, 'p99'], [99.9, 'p999']];
  return pts.flatMap(([p, k]) => (num(v[k]) !== undefined ? [[p, v[k] as number] as [number, number]] : []));
}

function counted(v: unknown): Array<{ field: string; count?: number }> {
  return recs(v).flatMap((f) => (str(f.field) !== undefined ? [{ field: f.field as string, count: num(f.count) }] : []));
}

function mirrorView(variant: string, m: Rec): MirrorView {
  const lat = isRec(m.latencyMs) ? m.latencyMs : undefined;
  const pair = (v: unknown) => (isRec(v) ? { p50: num(v.p50), p99: num(v.p99) } : {});
  return {
    variant,
    compared: num(m.compared),
    identical: num(m.identical),
    differing: num(m.differing),
    differingShare: num(m.differingShare),
    noiseOnly: num(m.noiseOnly),
    shadowErrors: num(m.shadowErrors),
    shadowTimeouts: num(m.shadowTimeouts),
    primaryErrors: num(m.primaryErrors),
    captured: num(m.captured),
    skipped: num(m.skipped),
    replayed: num(m.replayed),
    ...(lat ? { latency: { primary: pair(lat.primary), shadow: pair(lat.shadow) } } : {}),
    fields: recs(m.fields).flatMap((f) => {
      if (str(f.field) === undefined) return [];
      const e = isRec(f.example) ? f.example : undefined;
      const example = e ? { requestId: str(e.requestId), path: str(e.path), primary: str(e.primary), shadow: str(e.shadow) } : undefined;
      return [{ field: f.field as string, count: num(f.count), ...(example ? { example } : {}) }];
    }),
    noise: counted(m.noise),
    ignored: counted(m.ignored),
  };
}
