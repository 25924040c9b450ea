// `bench import`: a scenario run on a real cluster (bench export k8s, then
// collect.sh) read back as a scenario result. RESULTS_DIR/<variant>/<step>/
// holds one fortio JSON per Job pod (*.json) and optionally each pod
// sidecar's Envoy stats dump (*.stats). The pods of a step are merged exactly
// (fortio-merge.ts), the dumps summed and read into the counters meshbench
// reports, and the scenario's expectations evaluated on the real numbers. The
// result has the `bench --json` shape, so `bench compare` and `bench report`
// put it beside an emulated run.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { LoadResult, LatencySummary } from '../load/types.js';
import { calcPercentile, type FortioHistogramData } from '../report/fortio-histogram.js';
import { readFortioResult } from '../report/fortio-json-read.js';
import { fortioCounterLine, fortioHistogramLines } from '../report/fortio-text.js';
import { goGPrec } from '../report/go-format.js';
import { percentileLadder } from '../report/percentile-curve.js';
import type { CompareRow } from '../report/compare.js';
import { appliesTo, evaluate } from './expectations.js';
import { parseStatsDump, sumStats } from './envoy-stats-dump.js';
import { mergeFortioResults } from './fortio-merge.js';
import type { ExpectationSpec, StepSpec } from './model.js';
import { compareRow } from './report.js';
import type { ExpectationResult, StepOutcome, VariantOutcome } from './results.js';
import type { PreparedScenario } from './runner.js';
import { destinationStats } from './stats-view.js';

/** Format tag of the document `bench import` writes (a scenario result with `source`). */
export const IMPORT_SOURCE = 'kubernetes';

/** Expectations about what only the embedded mesh sees (its pods, its mirror capture). */
const NOT_MEASURABLE: ReadonlySet<string> = new Set(['upstream', 'mirror']);

export interface ImportedScenario {
  doc: Record<string, unknown>;
  expectations: ExpectationResult[];
  warnings: string[];
}

async function listDir(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UserError('MB_ERR_NO_FILE', `${dir}: cannot read (${code ?? (e as Error).message})`);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UserError('MB_ERR_NO_FILE', `${file}: cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
}

async function readJsonFile(file: string): Promise<unknown> {
  const text = await readText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError('MB_ERR_JSON', `${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** Percentiles in ms, computed from fortio's buckets the way fortio does. */
function fortioSummary(h: FortioHistogramData): LatencySummary {
  const ms = (p: number) => 1000 * calcPercentile(h, p);
  return { count: h.Count, min: 1000 * h.Min, mean: 1000 * h.Avg, max: 1000 * h.Max, p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9) };
}

/** The text report of a step merged from several fortio runs (pods or machines). */
export function mergedFortioText(pods: number, fortio: LoadResult['fortio']): string {
  const h = fortio.DurationHistogram;
  const calls = h.Count;
  const lines = [`Merged fortio results of ${pods} run${pods === 1 ? '' : 's'}: ${goGPrec(fortio.ActualQPS, 6)} qps over ${goGPrec(fortio.ActualDuration / 1e9, 6)} s`];
  lines.push(...fortioHistogramLines('Aggregated Function Time', h));
  if (fortio.ErrorsDurationHistogram && (fortio.ErrorsDurationHistogram as FortioHistogramData).Count > 0) lines.push(fortioCounterLine('Error cases', fortio.ErrorsDurationHistogram as FortioHistogramData));
  for (const [code, n] of Object.entries(fortio.RetCodes)) lines.push(`Code ${code} : ${n} (${((100 * n) / (calls || 1)).toFixed(1)} %)`);
  return lines.join('\n') + '\n';
}

/** One step of one variant from its directory, or undefined when the directory is absent. */
async function importStep(p: PreparedScenario, variant: string, step: StepSpec, dir: string, warnings: string[]): Promise<StepOutcome | undefined> {
  const names = await listDir(dir);
  if (!names) return undefined;
  const jsons = names.filter((n) => n.endsWith('.json'));
  const dumps = names.filter((n) => n.endsWith('.stats'));
  if (jsons.length === 0) throw new UserError('MB_ERR_NO_FILE', `${dir}: no fortio results (*.json); collect.sh writes pod-<i>.json there`);
  const inputs = [];
  for (const n of jsons) inputs.push(readFortioResult(await readJsonFile(join(dir, n)), join(dir, n)));
  // Another URL is most likely another scenario's results (a cluster may also spell the host out: said, not refused).
  if (inputs[0]!.url !== p.scenario.load.url) warnings.push(`${dir}: the pods called ${inputs[0]!.url}, the scenario's load.url is ${p.scenario.load.url}`);
  const fortio = mergeFortioResults(inputs);
  const h = fortio.DurationHistogram;
  const st = fortioSummary(h);
  const achievedQps = fortio.ActualQPS;
  const meshbench = {
    serviceTime: st,
    requestedQps: fortio.RequestedQPS === 'max' ? 0 : Number(fortio.RequestedQPS),
    achievedQps,
    // The generator-health numbers (behind schedule, event-loop lag) and the HDR
    // are meshbench's own; fortio measured none of them: absent, not zero.
    workers: inputs.length,
    interrupted: false,
  } as unknown as LoadResult['meshbench'];
  const outcome: StepOutcome = {
    variant,
    step: step.name,
    result: { fortio, meshbench },
    fortioText: mergedFortioText(inputs.length, fortio),
    clusters: [],
    counters: {},
    gauges: {},
    clusterCounters: {},
    sidecarCounters: {},
    perVersion: {},
    instances: [],
    timeline: [],
    serviceTimeCurve: percentileLadder(h.Count).map((pct) => ({ p: pct, ms: 1000 * calcPercentile(h, pct) })),
    expectations: [],
    interrupted: false,
  };
  if (dumps.length) {
    const parsed = [];
    for (const n of dumps) parsed.push(parseStatsDump(await readText(join(dir, n)), join(dir, n)));
    const all = sumStats(parsed);
    // A real dump has gauges too; Envoy's text form does not say which is which,
    // so every stat is read as a count (the ones meshbench reports are counters).
    const dest = destinationStats({ workload: p.scenario.load.from, counters: all, gauges: {} }, p.destination);
    outcome.counters = dest.counters;
    outcome.clusterCounters = dest.clusters;
    outcome.clusters = Object.keys(dest.clusters).sort();
    outcome.sidecarCounters = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== 0));
    if (outcome.clusters.length === 0) warnings.push(`${dir}: the stats dumps have no cluster for ${p.destination.fqdns[0]}:${p.destination.port} (was the sidecar injected?)`);
  } else {
    warnings.push(`${dir}: no Envoy stats dump (*.stats): counter expectations and columns are left out`);
  }
  return outcome;
}

function evaluateImported(expect: ExpectationSpec[], o: StepOutcome, hasStats: boolean, warnings: string[]): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const e of expect) {
    if (!appliesTo(e, o.variant, o.step)) continue;
    const kind = e.subject.type;
    if (NOT_MEASURABLE.has(kind) || (kind === 'counter' && (!hasStats || e.subject.sidecar !== undefined))) {
      const why = NOT_MEASURABLE.has(kind)
        ? `${kind} expectations need the embedded mesh's own view`
        : e.subject.type === 'counter' && e.subject.sidecar !== undefined
          ? `only the load pods' sidecar stats are collected, not ${e.subject.sidecar}'s`
          : 'no stats dump';
      warnings.push(`${e.loc.file}:${e.loc.line}:${e.loc.col}: not evaluated on ${o.variant} / ${o.step}: ${why}`);
      continue;
    }
    out.push(evaluate(e, o));
  }
  return out;
}

/** Every variant/step directory under `dir` the scenario knows; unknown directories are reported, not ignored. */
export async function importResults(p: PreparedScenario, dir: string, files: string[]): Promise<ImportedScenario> {
  const top = await listDir(dir);
  if (!top) throw new UserError('MB_ERR_NO_FILE', `${dir}: no such directory`);
  const warnings: string[] = [];
  const known = new Set(p.variants.map((v) => v.spec.name));
  for (const d of top) if (!known.has(d) && !d.startsWith('.')) warnings.push(`${join(dir, d)}: no variant "${d}" in the scenario: skipped`);
  const variants: VariantOutcome[] = [];
  const expectations: ExpectationResult[] = [];
  const rows: CompareRow[] = [];
  for (const v of p.variants) {
    const steps: StepOutcome[] = [];
    const vdir = join(dir, v.spec.name);
    const stepDirs = await listDir(vdir);
    if (!stepDirs) {
      warnings.push(`${vdir}: no results for variant ${v.spec.name}`);
      continue;
    }
    for (const d of stepDirs) if (!p.scenario.load.steps.some((s) => s.name === d)) warnings.push(`${join(vdir, d)}: no step "${d}" in the scenario: skipped`);
    for (const step of p.scenario.load.steps) {
      const o = await importStep(p, v.spec.name, step, join(vdir, step.name), warnings);
      if (!o) {
        warnings.push(`${join(vdir, step.name)}: no results for ${v.spec.name} / ${step.name}`);
        continue;
      }
      const hasStats = o.clusters.length > 0 || Object.keys(o.sidecarCounters).length > 0;
      o.expectations = evaluateImported(p.scenario.expect, o, hasStats, warnings);
      expectations.push(...o.expectations);
      const row = compareRow(o);
      rows.push(hasStats ? row : { ...row, counters: {} });
      steps.push(o);
    }
    if (steps.length) variants.push({ name: v.spec.name, steps });
  }
  if (variants.length === 0) throw new UserError('MB_ERR_NO_FILE', `${dir}: no results for any variant/step of ${p.scenario.name} (expected ${dir}/<variant>/<step>/pod-<i>.json)`);
  const doc = {
    meshbench: 'scenario-result/v1',
    source: IMPORT_SOURCE,
    scenario: p.scenario.name,
    files,
    resultsDir: dir,
    interrupted: false,
    warnings: [...p.warnings, ...warnings],
    variants,
    expectations,
    compare: rows,
  };
  return { doc, expectations, warnings };
}
