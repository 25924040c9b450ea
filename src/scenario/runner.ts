// Runs a scenario: validate and compile every variant first (bad input fails
// before anything boots), then per variant boot a fresh mesh thread, run each
// step's load through the `from` workload's sidecar, diff mesh snapshots around
// the step and evaluate the expectations. Progress goes out as typed events; the
// mesh is polled a few times a second, never on the request path.

import { arch, cpus, platform } from 'node:os';
import { formatWarning } from '../mesh/config/warning.js';
import { ConfigError, ConfigErrors, RuntimeError, UserError } from '../errors.js';
import type { MeshHandle, MeshSnapshot } from '../mesh/api.js';
import type { MeshConfig } from '../mesh/config/model.js';
import type { SourceDoc } from '../mesh/config/source.js';
import { compileMesh, type CompileOptions } from '../mesh/config/compile.js';
import { createRandom } from '../mesh/random.js';
import { runLoad } from '../load/coordinator.js';
import { toLoadResult } from '../load/result.js';
import type { LoadSnapshot } from '../load/types.js';
import { formatFortioHeader } from '../load/call-plan.js';
import { formatFortioReport } from '../report/fortio-text.js';
import { evaluateAll, namedSidecars } from './expectations.js';
import { bootMesh, readMeshFiles } from './open-mesh.js';
import { stepLoadOptions } from './load-step.js';
import type { ScenarioSpec, StepSpec, VariantSpec } from './model.js';
import { splitScenario } from './parse.js';
import type { ExpectationResult, ScenarioOutcome, StepOutcome, VariantOutcome } from './results.js';
import {
  destinationOf,
  destinationStats,
  instanceDeltas,
  perVersion,
  sidecarDelta,
  sidecarOf,
} from './stats-view.js';
import type { Destination, DestinationStats, InstanceDelta } from './stats-view.js';
import { applyVariant } from './variants.js';
import { runSearchStep } from './search-step.js';
import { windowIntervals } from './window-intervals.js';
import { compareRow, statsRandom } from './report.js';
import { percentileCurve } from '../report/percentile-curve.js';
import { timelineBucket, TimelineRecorder } from './timeline.js';
import { perHop, type HopStat } from './hops.js';
import { summarizeMirror, type MirrorSummary } from './mirror-diff.js';
import type { MeshBootOptions } from '../mesh/api.js';
import { EventSchedule, instanceErrors, meshAction, type AppliedEvent } from './events.js';

/** Live view of the running step, built from snapshots only (what the dashboard draws). */
export interface TickData {
  variant: string;
  step: StepSpec;
  load: LoadSnapshot;
  /** Newest raw mesh snapshot (cumulative since boot; polled every tickMs). */
  mesh: MeshSnapshot;
  /** Destination cluster stats since the step started (counters as deltas, gauges now). */
  dest: DestinationStats;
  perVersion: Record<string, number>;
  instances: InstanceDelta[];
  /** Mirror copies received since the step started (all instances). */
  shadowRequests: number;
  /** Per-service inbound view since the step started (busiest/slowest services). */
  hops?: HopStat[];
}

export type ScenarioEvent =
  | { type: 'run-start'; scenario: ScenarioSpec; variants: string[]; warnings: string[] }
  | { type: 'variant-start'; variant: string; index: number; count: number }
  | { type: 'step-start'; variant: string; step: StepSpec; index: number; count: number }
  | { type: 'tick'; tick: TickData }
  | { type: 'instance-event'; variant: string; step: string; event: AppliedEvent }
  | { type: 'step-end'; outcome: StepOutcome }
  | { type: 'variant-end'; variant: VariantOutcome }
  | { type: 'run-end'; outcome: ScenarioOutcome };

export interface RunScenarioOptions {
  files: string[];
  seed?: number;
  signal?: AbortSignal;
  onEvent?: (e: ScenarioEvent) => void;
  /** Runs of every variant (fresh mesh each), default spec.repeat or 1. */
  repeat?: number;
  /** Load snapshot / mesh poll period (ms), default 250. */
  tickMs?: number;
}

export interface PreparedVariant {
  spec: VariantSpec;
  docs: SourceDoc[];
  config: MeshConfig;
}

export interface PreparedScenario {
  scenario: ScenarioSpec;
  variants: PreparedVariant[];
  warnings: string[];
  destination: Destination;
}

/** Load, validate and compile everything; throws ConfigErrors/UserError (exit 2). */
export async function prepareScenario(files: string[], only: string[] = [], compile: CompileOptions = {}): Promise<PreparedScenario> {
  const { docs } = await readMeshFiles(files); // + spec.include files, later documents replacing earlier ones
  const { scenario, meshDocs } = splitScenario(docs, files);
  const unknown = only.filter((n) => !scenario.variants.some((v) => v.name === n));
  if (unknown.length) {
    throw new ConfigErrors(
      unknown.map(
        (n) => new ConfigError(`--variant ${n}: no such variant (variants: ${scenario.variants.map((v) => v.name).join(', ')})`),
      ),
    );
  }
  compile = { ...compile, istio: compile.istio ?? scenario.istio }; // --istio, else spec.istio, else current
  const base = compileMesh(meshDocs, compile); // errors in the unpatched documents, reported once
  const warnings = base.warnings.map(formatWarning);
  const chosen = scenario.variants.filter((v) => only.length === 0 || only.includes(v.name));
  const variants: PreparedVariant[] = [];
  const errors: ConfigError[] = [];
  for (const spec of chosen) {
    const vdocs = applyVariant(meshDocs, spec);
    try {
      variants.push({ spec, docs: vdocs, config: spec.patches.length ? compileMesh(vdocs, compile) : base });
    } catch (e) {
      if (!(e instanceof ConfigErrors)) throw e;
      for (const c of e.errors) errors.push(new ConfigError(`${c.detail} (with the patches of variant "${spec.name}")`, c.location, c.path));
    }
  }
  errors.push(...instanceErrors(scenario, variants.map((v) => ({ variant: v.spec.name, config: v.config }))));
  if (errors.length) throw new ConfigErrors(errors);
  const from = meshDocs.find((d) => d.kind === 'Deployment' && d.name === scenario.load.from);
  return { scenario, variants, warnings, destination: destinationOf(scenario.load.url, from?.namespace) };
}

export async function runPrepared(p: PreparedScenario, opts: RunScenarioOptions): Promise<ScenarioOutcome> {
  const emit = opts.onEvent ?? (() => {});
  const started = Date.now();
  const outcome: ScenarioOutcome = {
    scenario: p.scenario.name,
    files: opts.files,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    machine: machineInfo(),
    interrupted: false,
    warnings: p.warnings,
    variants: [],
    expectations: [],
  };
  emit({ type: 'run-start', scenario: p.scenario, variants: p.variants.map((v) => v.spec.name), warnings: p.warnings });
  const repeat = opts.repeat ?? p.scenario.repeat ?? 1;
  if (repeat > 1) outcome.repeat = repeat;
  const runs = repeatOrder(p.variants.length, repeat, opts.seed);
  for (const [vi, { variant: index, round }] of runs.entries()) {
    const variant = p.variants[index]!;
    if (opts.signal?.aborted) {
      outcome.interrupted = true;
      break;
    }
    emit({ type: 'variant-start', variant: variant.spec.name, index: vi, count: runs.length });
    const vo: VariantOutcome = { name: variant.spec.name, ...(repeat > 1 ? { round } : {}), steps: [] };
    outcome.variants.push(vo);
    try {
      // Each repeat draws its own proxy randomness (seed + round - 1), on a fresh mesh.
      const roundOpts = repeat > 1 && opts.seed !== undefined ? { ...opts, seed: (opts.seed + round - 1) >>> 0 } : opts;
      await runVariant(p, variant, roundOpts, emit, vo);
      if (repeat > 1) for (const s of vo.steps) s.round = round;
    } catch (e) {
      // A runtime failure (mesh boot, port in use…) ends the run; what completed so
      // far is still reported. Bugs propagate as they are.
      if (!(e instanceof UserError)) throw e;
      outcome.error = { code: e.code, message: e.message, exitCode: e.exitCode };
    }
    for (const s of vo.steps) outcome.expectations.push(...s.expectations);
    emit({ type: 'variant-end', variant: vo });
    if (outcome.error) break;
    if (vo.steps.some((s) => s.interrupted)) {
      outcome.interrupted = true;
      break;
    }
  }
  if (opts.signal?.aborted) outcome.interrupted = true;
  // Reported in scenario order (the first variant is the comparison's baseline), repeats in round order.
  const rank = new Map(p.variants.map((v, i) => [v.spec.name, i]));
  outcome.variants.sort((a, b) => rank.get(a.name)! - rank.get(b.name)! || (a.round ?? 1) - (b.round ?? 1));
  // One run per variant: each step's intervals come from its time windows (docs/statistics.md).
  if (repeat === 1) for (const v of outcome.variants) for (const s of v.steps) s.intervals = windowIntervals(compareRow(s), statsRandom(opts.seed));
  outcome.durationMs = Date.now() - started;
  emit({ type: 'run-end', outcome });
  return outcome;
}

/**
 * The runs of a repeated scenario: round after round, every variant once per
 * round in an order shuffled from the seed, so drift of a shared machine hits
 * all variants alike. One round keeps the scenario's order.
 */
export function repeatOrder(variants: number, rounds: number, seed: number | undefined): Array<{ variant: number; round: number }> {
  const random = createRandom(seed);
  const out: Array<{ variant: number; round: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    const order = Array.from({ length: variants }, (_, i) => i);
    if (rounds > 1) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1)); // Fisher–Yates
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    for (const variant of order) out.push({ variant, round });
  }
  return out;
}

async function runVariant(
  p: PreparedScenario,
  variant: PreparedVariant,
  opts: RunScenarioOptions,
  emit: (e: ScenarioEvent) => void,
  vo: VariantOutcome,
): Promise<void> {
  const { scenario } = p;
  // A fresh mesh per variant: no pools, breakers, ejections or counters carry over.
  const mesh = await bootMesh(variant.config, { ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...mirrorCaptureOptions(scenario) });
  try {
    const sidecar = mesh.sidecars.find((s) => s.workload === scenario.load.from);
    if (!sidecar) {
      throw new RuntimeError(
        'MB_ERR_NO_SIDECAR',
        `load.from: the mesh has no sidecar for workload "${scenario.load.from}" (sidecars: ${mesh.sidecars.map((s) => s.workload).join(', ')})`,
      );
    }
    for (const [si, step] of scenario.load.steps.entries()) {
      if (opts.signal?.aborted) break;
      emit({ type: 'step-start', variant: vo.name, step, index: si, count: scenario.load.steps.length });
      const run = (s: StepSpec) => runStep(p, vo.name, s, mesh, sidecar.listenPort, opts, emit);
      const so = step.search ? await runSearchStep({ ...step, search: step.search }, run, scenario.expect) : await run(step);
      vo.steps.push(so);
      emit({ type: 'step-end', outcome: so });
      if (so.interrupted) break;
    }
  } finally {
    await mesh.close();
  }
}

async function runStep(
  p: PreparedScenario,
  variant: string,
  step: StepSpec,
  mesh: MeshHandle,
  listenPort: number,
  opts: RunScenarioOptions,
  emit: (e: ScenarioEvent) => void,
): Promise<StepOutcome> {
  const from = p.scenario.load.from;
  const dest = p.destination;
  // Short steps tick faster, so their series has 100 ms samples (timeline.ts).
  const bucketS = timelineBucket(step);
  const tickMs = opts.tickMs ?? (bucketS < 1 ? 100 : 250);
  const before = await mesh.snapshot();
  await mesh.takeMirrorPairs(); // pairs still settling from the previous step are not this step's
  const sidecarBefore = sidecarOf(before, from);
  let latest: MeshSnapshot = before;
  let polling = false;
  // Poll the mesh thread on its own timer; ticks pair the newest load snapshot with
  // the newest mesh snapshot.
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    mesh
      .snapshot()
      .then((s) => (latest = s))
      .catch(() => {})
      .finally(() => (polling = false));
  }, tickMs);
  poll.unref?.();
  const timeline = new TimelineRecorder(bucketS);
  const onSnapshot = (load: LoadSnapshot) => {
    const delta = sidecarDelta(sidecarBefore, sidecarOf(latest, from));
    const inst = instanceDeltas(before, latest);
    const ds = destinationStats(delta, dest);
    const pv = perVersion(inst);
    timeline.tick(load, { counters: ds.counters, perVersion: pv });
    emit({
      type: 'tick',
      tick: {
        variant,
        step,
        load,
        mesh: latest,
        dest: ds,
        perVersion: pv,
        instances: inst,
        shadowRequests: inst.reduce((a, i) => a + i.shadowRequests, 0),
        hops: perHop(before, latest, load.calls),
      },
    });
  };
  const schedule = step.events?.length
    ? new EventSchedule(step.events, (e) => mesh.instanceEvent(e.instance, meshAction(e)), (event) =>
        emit({ type: 'instance-event', variant, step: step.name, event }),
      )
    : undefined;
  let run;
  try {
    run = await runLoad(stepLoadOptions(p.scenario.load, step, listenPort), {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onSnapshot,
      snapshotIntervalMs: tickMs,
      ...(schedule ? { onStart: (t0: number) => schedule.start(t0) } : {}),
    });
  } catch (e) {
    schedule?.cancel();
    throw e;
  } finally {
    clearInterval(poll);
  }
  const events = await schedule?.finish();
  const after = await settledSnapshot(mesh);
  const result = toLoadResult(run);
  const delta = sidecarDelta(sidecarBefore, sidecarOf(after, from));
  const ds = destinationStats(delta, dest);
  const instances = instanceDeltas(before, after);
  const sidecarCounters: Record<string, number> = {};
  for (const [k, v] of Object.entries(delta?.counters ?? {})) if (v !== 0) sidecarCounters[k] = v;
  const interrupted = result.meshbench.interrupted || !!opts.signal?.aborted;
  const versions = perVersion(instances);
  const calls = Object.values(result.fortio.RetCodes).reduce((a, n) => a + n, 0);
  const series = timeline.finish(
    { calls, codes: result.fortio.RetCodes, counters: ds.counters, perVersion: versions },
    result.fortio.ActualDuration / 1e9,
  );
  const so: StepOutcome = {
    variant,
    step: step.name,
    result,
    // What `fortio load … -loglevel Warning` prints, header lines included (seed §3).
    fortioText: formatFortioHeader(run.options, { version: run.version }) + formatFortioReport(run, { logLevel: 'Warning' }),
    clusters: Object.keys(ds.clusters),
    counters: ds.counters,
    gauges: ds.gauges,
    clusterCounters: ds.clusters,
    sidecarCounters,
    ...namedSidecars(p.scenario.expect, before, after),
    perVersion: versions,
    instances: instances.filter((i) => i.requests || i.shadowRequests),
    timeline: series,
    ...stepHops(before, after, calls),
    serviceTimeCurve: percentileCurve(result.meshbench.hdrServiceTime),
    ...(step.sweep ? { sweep: step.sweep } : {}),
    ...(events ? { events } : {}),
    ...(await stepMirror(p.scenario, mesh)),
    expectations: [],
    interrupted,
  };
  // A partial step proves nothing either way: its expectations are not evaluated.
  if (!interrupted) so.expectations = evaluateAll(p.scenario.expect, so) as ExpectationResult[];
  return so;
}

/** `hops` of a step whose load reached at least one service with an inbound sidecar. */
function stepHops(before: MeshSnapshot, after: MeshSnapshot, calls: number): { hops?: HopStat[] } {
  const hops = perHop(before, after, calls);
  return hops.length ? { hops } : {};
}

function machineInfo(): ScenarioOutcome['machine'] {
  const c = cpus();
  return { cores: c.length, node: process.version, platform: platform(), arch: arch(), cpu: c[0]?.model.trim() ?? 'unknown' };
}

/** Every scenario captures mirrored responses; only routes that mirror produce pairs. */
function mirrorCaptureOptions(s: ScenarioSpec): Pick<MeshBootOptions, 'mirrorCapture'> {
  const d = s.mirrorDiff;
  return { mirrorCapture: { replayPercent: d?.replayPercent ?? 0, ...(d?.bodyBytes !== undefined ? { bodyCap: d.bodyBytes } : {}) } };
}

/** The step's mirror diff, computed here on the main thread from the pairs the sidecars kept. */
async function stepMirror(s: ScenarioSpec, mesh: MeshHandle): Promise<{ mirror?: MirrorSummary }> {
  const take = await mesh.takeMirrorPairs();
  if (take.pairs.length === 0 && take.skipped === 0) return {};
  const d = s.mirrorDiff;
  return { mirror: summarizeMirror(take, { ...(d?.headers ? { headers: d.headers } : {}), ignore: d?.ignore ?? [] }) };
}

/**
 * Mirrored copies are fire-and-forget: some may still be in flight when the last
 * primary response arrives. Wait (briefly) until two snapshots agree on what the
 * instances served, so a step's counts include its own mirror traffic.
 */
async function settledSnapshot(mesh: MeshHandle, maxWaitMs = 300): Promise<MeshSnapshot> {
  const served = (s: MeshSnapshot) => s.instances.reduce((a, i) => a + i.requests, 0);
  const deadline = Date.now() + maxWaitMs;
  let prev = await mesh.snapshot();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const next = await mesh.snapshot();
    if (served(next) === served(prev) || Date.now() >= deadline) return next;
    prev = next;
  }
}
