// Scenario document -> ScenarioSpec, with every problem reported at its
// file:line:col (unknown fields, wrong types, unknown step/variant names, patch
// targets that do not exist). Read with the mesh config's Fields, so a scenario's
// messages read like a VirtualService's. The other documents are returned
// untouched for the mesh compiler.

import { readIstio } from '../mesh/config/istio-release.js';
import { ConfigError, ConfigErrors, UserError } from '../errors.js';
import { defaultLoadOptions } from '../load/flags.js';
import { Diagnostics, Fields } from '../mesh/config/fields.js';
import { isScenarioDoc, SCENARIO_API_VERSION, SCENARIO_KIND } from '../mesh/config/scenario-doc.js';
import { entrypointUrl, topologyServices } from '../mesh/config/isotope.js';
import type { SourceDoc } from '../mesh/config/source.js';
import { PERCENTILES } from './model.js';
import { expandSweep, parseSweep } from './sweep.js';
import { parseSearch } from './search-spec.js';
import { parseStepEvents } from './events.js';
import { IMPLICIT_SOURCE } from '../mesh/api.js';
import type { Bound, ExpectationSpec, LoadSpec, MirrorDiffSpec, PatchSpec, ScenarioSpec, StepSpec, Subject, VariantSpec } from './model.js';

export interface ParsedInput {
  scenario: ScenarioSpec;
  /** Every non-scenario document, in file order. */
  meshDocs: SourceDoc[];
}

export function splitScenario(docs: SourceDoc[], files: string[]): ParsedInput {
  const scenarioDocs = docs.filter(isScenarioDoc);
  const meshDocs = docs.filter((d) => !isScenarioDoc(d));
  if (scenarioDocs.length === 0) {
    throw new UserError(
      'MB_ERR_NO_SCENARIO',
      `${files.join(', ')}: no Scenario document (apiVersion: ${SCENARIO_API_VERSION}, kind: ${SCENARIO_KIND}); see docs/scenario-format.md`,
    );
  }
  if (scenarioDocs.length > 1) {
    const second = scenarioDocs[1];
    throw new ConfigErrors([
      new ConfigError(
        `a second Scenario document (the first is in ${scenarioDocs[0].file}); give one Scenario per run`,
        second.locate([]),
      ),
    ]);
  }
  return { scenario: parseScenarioDoc(scenarioDocs[0], meshDocs), meshDocs };
}

/** Runs per variant: enough for any interval, bounded so a typo cannot run all night. */
export const MAX_REPEAT = 100;

const TOP = ['apiVersion', 'kind', 'metadata', 'spec'];
const SPEC = ['include', 'istio', 'load', 'variants', 'expect', 'mirrorDiff', 'repeat']; // include: src/scenario/include.ts
const MIRROR_DIFF = ['headers', 'ignore', 'replayPercent', 'bodyBytes'];
const LOAD = ['from', 'url', 'headers', 'method', 'payload', 'steps'];
const STEP = ['name', 'c', 'qps', 'n', 't', 'timeout', 'uniform', 'jitter', 'headers', 'sweep', 'search', 'events'];
const VARIANT = ['name', 'patches'];
const PATCH = ['target', 'merge'];
const TARGET = ['kind', 'name', 'namespace'];
const UPSTREAM = ['workload', 'version', 'app', 'pod'];

/** A step's defaults are fortio's, as `bench load` has them. */
const FORTIO = defaultLoadOptions();
const NON_EMPTY = { nonEmpty: true } as const;

export function parseScenarioDoc(doc: SourceDoc, meshDocs: SourceDoc[]): ScenarioSpec {
  const diag = new Diagnostics();
  const root = Fields.root(doc, diag);
  if (doc.apiVersion !== SCENARIO_API_VERSION) root.error('apiVersion', `expected "${SCENARIO_API_VERSION}", got ${JSON.stringify(doc.apiVersion)}`);
  if (doc.kind !== SCENARIO_KIND) root.error('kind', `expected "${SCENARIO_KIND}" (apiVersion ${SCENARIO_API_VERSION}), got ${JSON.stringify(doc.kind)}`);
  root.allow(TOP);
  const spec = root.obj('spec', { required: true })?.allow(SPEC);
  if (!spec) throw new ConfigErrors(diag.errors);

  const graph = topologyServices(meshDocs);
  const workloads = [IMPLICIT_SOURCE, ...meshDocs.filter((d) => d.kind === 'Deployment').map((d) => d.name), ...graph.map((s) => s.name)];
  const load = parseLoad(spec, workloads, graph.filter((s) => s.entry));
  const variants = parseVariants(spec, meshDocs);
  const expect = parseExpect(spec, load, variants.map((x) => x.name), workloads);
  const mirrorDiff = parseMirrorDiff(spec);
  const repeat = spec.int('repeat', { min: 1, max: MAX_REPEAT });
  const istio = readIstio(spec); // the Istio release whose rules the mesh follows (--istio overrides)
  if (!load || diag.errors.length) throw new ConfigErrors(diag.errors);
  return { name: doc.name || 'scenario', file: doc.file, load, ...(mirrorDiff ? { mirrorDiff } : {}), variants, expect, ...(repeat !== undefined ? { repeat } : {}), ...(istio ? { istio } : {}), loc: root.loc() };
}

function parseMirrorDiff(spec: Fields): MirrorDiffSpec | undefined {
  const f = spec.obj('mirrorDiff')?.allow(MIRROR_DIFF);
  if (!f) return undefined;
  const headers = f.strList('headers');
  const bodyBytes = f.int('bodyBytes', { min: 0, max: 1 << 20 });
  return {
    ...(headers ? { headers } : {}),
    ignore: f.strList('ignore') ?? [],
    replayPercent: f.num('replayPercent', { min: 0, max: 100 }) ?? 0,
    ...(bodyBytes !== undefined ? { bodyBytes } : {}),
  };
}

function headers(f: Fields): Array<[string, string]> {
  return Object.entries(f.strMap('headers') ?? {});
}

/** Undefined when `load:` is missing or not a mapping (reported). */
function parseLoad(spec: Fields, workloads: string[], entrypoints: Array<{ name: string; namespace: string }>): LoadSpec | undefined {
  const f = spec.obj('load', { required: true })?.allow(LOAD);
  if (!f) return undefined;
  const from = f.str('from', NON_EMPTY) ?? IMPLICIT_SOURCE;
  if (!workloads.includes(from)) f.error('from', `no Deployment named "${from}" (known: ${workloads.join(', ')})`);
  // An isotope graph with exactly one isEntrypoint service gives the URL (docs/isotope.md).
  const entryUrl = entrypoints.length === 1 ? entrypointUrl(entrypoints[0]) : undefined;
  if (!f.has('url') && entryUrl === undefined && entrypoints.length > 1) {
    f.error(null, `missing required field "url": the isotope graph has ${entrypoints.length} isEntrypoint services (${entrypoints.map((e) => e.name).join(', ')}), name one`);
  }
  const url = f.has('url') || entryUrl === undefined ? f.str('url', { required: entrypoints.length <= 1, nonEmpty: true }) : entryUrl;
  if (url !== undefined && !/^http:\/\/[^/\s]+/i.test(url)) f.error('url', `expected an http:// URL, got ${JSON.stringify(url)}`);
  const method = f.str('method', NON_EMPTY);
  const payload = f.str('payload', NON_EMPTY);
  const loadHeaders = headers(f);
  const items = f.list('steps', { required: true });
  if (Array.isArray(f.raw('steps')) && items.length === 0) f.error('steps', 'needs at least one step');
  const steps: StepSpec[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const s = f.item(item)?.allow(STEP);
    if (!s) continue;
    const name = s.str('name', NON_EMPTY) ?? `step${item.index + 1}`;
    if (seen.has(name)) s.error('name', `duplicate step name "${name}"`);
    if (name.includes('@')) s.error('name', `"@" is reserved for the points of a sweep (NAME@c=4); rename the step`);
    seen.add(name);
    const search = s.has('search') ? parseSearch(s) : undefined;
    const sweep = s.has('sweep') && !s.has('search') ? parseSweep(s) : undefined;
    const exactly = s.int('n', { min: 0 });
    const t = s.flagDuration('t');
    // A wrong n or t has its own error; only a step with neither written gets this one.
    const badValue = (s.has('n') && exactly === undefined) || (s.has('t') && t === undefined);
    if (!badValue && !exactly && t === undefined && !s.has('search')) s.error(null, 'a step needs `n` (calls) or `t` (duration)');
    if (!exactly && t === 0) s.error('t', 'an open-ended step (t: 0) never ends; give n or a duration');
    const timeoutMs = s.flagDuration('timeout');
    const uniform = s.bool('uniform');
    const jitter = s.bool('jitter');
    const events = parseStepEvents(s, exactly ? undefined : t);
    const written: StepSpec = {
      name,
      connections: s.int('c', { min: 1, max: 10_000 }) ?? FORTIO.connections,
      qps: s.num('qps', { min: -1 }) ?? FORTIO.qps,
      exactly: exactly ?? 0,
      durationMs: t ?? FORTIO.durationMs,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(uniform !== undefined ? { uniform } : {}),
      ...(jitter !== undefined ? { jitter } : {}),
      headers: headers(s),
      ...(search ? { search } : {}),
      ...(events?.length ? { events } : {}),
      loc: s.loc(),
    };
    steps.push(...(sweep ? expandSweep(written, sweep) : [written]));
  }
  return {
    from,
    url: url ?? '',
    headers: loadHeaders,
    steps,
    ...(method ? { method } : {}),
    ...(payload !== undefined ? { payload } : {}),
  };
}

function parseVariants(spec: Fields, meshDocs: SourceDoc[]): VariantSpec[] {
  const items = spec.list('variants');
  if (items.length === 0) return [{ name: 'base', patches: [] }];
  const out: VariantSpec[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const v = spec.item(item)?.allow(VARIANT);
    if (!v) continue;
    const name = v.str('name', { required: true, nonEmpty: true }) ?? `variant${item.index + 1}`;
    if (seen.has(name)) v.error('name', `duplicate variant name "${name}"`);
    seen.add(name);
    const patches = v.objects('patches').flatMap((p) => parsePatch(p.allow(PATCH), meshDocs) ?? []);
    out.push({ name, patches, loc: v.loc() });
  }
  return out;
}

function parsePatch(p: Fields, meshDocs: SourceDoc[]): PatchSpec | undefined {
  if (!p.has('merge')) p.error(null, 'missing required field "merge" (a JSON merge patch of the target document, RFC 7396)');
  p.obj('merge'); // reports a merge that is not a mapping
  const t = p.obj('target', { required: true })?.allow(TARGET);
  if (!t) return undefined;
  const kind = t.str('kind', { required: true, nonEmpty: true });
  const name = t.str('name', { required: true, nonEmpty: true });
  const namespace = t.str('namespace', NON_EMPTY);
  if (!kind || !name) return undefined;
  const hits = meshDocs.filter((d) => d.kind === kind && d.name === name && (namespace === undefined || d.namespace === namespace));
  if (hits.length === 0) {
    const same = meshDocs.filter((d) => d.kind === kind).map((d) => d.name);
    p.error(
      'target',
      `no ${kind} named "${name}"${namespace ? ` in namespace ${namespace}` : ''} in the given files` +
        (same.length ? ` (${kind}s: ${same.join(', ')})` : ''),
    );
  } else if (hits.length > 1 && namespace === undefined) {
    p.error('target', `${kind} "${name}" exists in several namespaces; add target.namespace`);
  }
  return { target: { kind, name, ...(namespace ? { namespace } : {}) }, merge: p.raw('merge'), loc: p.loc() };
}

type BoundSpec = [field: string, measure: Bound['measure'], op: Bound['op']];

const CODE_BOUNDS: BoundSpec[] = [
  ['count', 'count', 'eq'],
  ['countAtLeast', 'count', 'ge'],
  ['countAtMost', 'count', 'le'],
  ['shareAtLeast', 'share', 'ge'],
  ['shareAtMost', 'share', 'le'],
];
const COUNTER_BOUNDS: BoundSpec[] = [
  ['equals', 'value', 'eq'],
  ['atLeast', 'value', 'ge'],
  ['atMost', 'value', 'le'],
  ['equalsCode', 'value', 'eq'],
];
const UPSTREAM_BOUNDS: BoundSpec[] = [
  ['requests', 'requests', 'eq'],
  ['requestsAtLeast', 'requests', 'ge'],
  ['requestsAtMost', 'requests', 'le'],
  ['shadowRequests', 'shadowRequests', 'eq'],
  ['shadowRequestsAtLeast', 'shadowRequests', 'ge'],
  ['shadowRequestsAtMost', 'shadowRequests', 'le'],
  ['shareAtLeast', 'share', 'ge'],
  ['shareAtMost', 'share', 'le'],
];
const LATENCY_BOUNDS: BoundSpec[] = [
  ['lessThanMs', 'value', 'lt'],
  ['atMostMs', 'value', 'le'],
  ['greaterThanMs', 'value', 'gt'],
  ['atLeastMs', 'value', 'ge'],
];
const RANGE_BOUNDS: BoundSpec[] = [
  ['equals', 'value', 'eq'],
  ['atLeast', 'value', 'ge'],
  ['atMost', 'value', 'le'],
];
const MIRROR_BOUNDS: BoundSpec[] = [
  ['compared', 'compared', 'eq'],
  ['comparedAtLeast', 'compared', 'ge'],
  ['identicalAtLeast', 'identical', 'ge'],
  ['differing', 'differing', 'eq'],
  ['differingAtMost', 'differing', 'le'],
  ['differingAtLeast', 'differing', 'ge'],
  ['differingShareAtMost', 'differingShare', 'le'],
  ['differingShareAtLeast', 'differingShare', 'ge'],
  ['shadowErrorsAtMost', 'shadowErrors', 'le'],
];
const SEARCH_BOUNDS: BoundSpec[] = [
  ['maxQpsAtLeast', 'maxQps', 'ge'],
  ['maxQpsAtMost', 'maxQps', 'le'],
];
const MIRROR_FIELD_BOUNDS: BoundSpec[] = [
  ['count', 'fieldCount', 'eq'],
  ['countAtLeast', 'fieldCount', 'ge'],
  ['countAtMost', 'fieldCount', 'le'],
];
const SUBJECT_KEYS = ['code', ...PERCENTILES, 'qps', 'calls', 'counter', 'upstream', 'mirror', 'search'];
/** Thresholds written beside the subject (`{ code: 503, count: 0 }`). */
const FLAT_BOUND_KEYS = [...new Set([...CODE_BOUNDS, ...COUNTER_BOUNDS, ...UPSTREAM_BOUNDS].map((b) => b[0]))];
const NON_BOUND_KEYS = ['step', 'variant', ...SUBJECT_KEYS, 'subset', 'sidecar'];
const EXPECT_KEYS = [...NON_BOUND_KEYS, ...FLAT_BOUND_KEYS];

function parseExpect(spec: Fields, load: LoadSpec | undefined, variants: string[], workloads: string[]): ExpectationSpec[] {
  const steps = load?.steps.map((s) => s.name);
  const searchSteps = load?.steps.filter((s) => s.search).map((s) => s.name);
  return spec.objects('expect').flatMap((e) => parseExpectation(e.allow(EXPECT_KEYS), steps, searchSteps, variants, workloads) ?? []);
}

/** `steps` undefined: `load:` is broken (reported), so step names are not checked. */
function parseExpectation(e: Fields, steps: string[] | undefined, searchSteps: string[] | undefined, variants: string[], workloads: string[]): ExpectationSpec | undefined {
  const step = e.str('step', NON_EMPTY);
  // A swept step's name reaches all its points; NAME@c=4 one point.
  const named = steps?.flatMap((n, i) => {
    const at = n.indexOf('@');
    const first = at > 0 && !steps.slice(0, i).some((m) => m.startsWith(n.slice(0, at + 1)));
    return first ? [n.slice(0, at), n] : [n];
  });
  if (step !== undefined && named && !named.includes(step)) e.error('step', `unknown step "${step}" (steps: ${named.join(', ')})`);
  const variant = e.str('variant', NON_EMPTY);
  if (variant !== undefined && !variants.includes(variant)) e.error('variant', `unknown variant "${variant}" (variants: ${variants.join(', ')})`);
  const subjects = SUBJECT_KEYS.filter((k) => e.has(k));
  if (subjects.length !== 1) {
    // A misspelt subject (`p95:`) was already reported by allow(): "nothing to check" would say it twice.
    const misspelt = Object.keys(e.value).some((k) => !EXPECT_KEYS.includes(k));
    if (subjects.length > 1 || !misspelt) {
      e.error(null, subjects.length ? `one expectation checks one thing; found ${subjects.join(' and ')}` : `nothing to check: give one of ${SUBJECT_KEYS.join(', ')}`);
    }
    return undefined;
  }
  const key = subjects[0];
  let subject: Subject | undefined;
  // Where the thresholds are written: beside the subject, or in its own map (`p99: { lessThanMs: 50 }`).
  let thresholds: Fields | undefined = e;
  let bounds: Bound[] = [];
  if (key === 'code') {
    const code = e.int('code', { min: -1, max: 999 });
    if (code !== undefined) subject = { type: 'code', code };
    bounds = flatBounds(e, CODE_BOUNDS, 'code');
  } else if (key === 'counter') {
    const counter = e.str('counter', NON_EMPTY);
    // subset "" is the cluster without a subset (outbound|8000||host).
    const subset = e.str('subset');
    // sidecar: read another workload's sidecar (faults injected on a later hop).
    const sidecar = e.str('sidecar', NON_EMPTY);
    if (sidecar !== undefined && !workloads.includes(sidecar)) e.error('sidecar', `no Deployment named "${sidecar}" (known: ${workloads.join(', ')})`);
    if (counter) {
      subject = { type: 'counter', counter, ...(subset !== undefined ? { subset } : {}), ...(sidecar !== undefined ? { sidecar } : {}) };
    }
    bounds = flatBounds(e, COUNTER_BOUNDS, 'counter');
  } else if (key === 'upstream') {
    const u = e.obj('upstream')?.allow(UPSTREAM);
    if (u) {
      const workload = u.str('workload', NON_EMPTY);
      const version = u.str('version', NON_EMPTY);
      const app = u.str('app', NON_EMPTY);
      const pod = u.str('pod', NON_EMPTY); // checked against the compiled mesh's pods (events.ts)
      if (!workload && !version && !app && !pod) u.error(null, 'name the instances: workload, version, app and/or pod');
      subject = { type: 'upstream', ...(workload ? { workload } : {}), ...(version ? { version } : {}), ...(app ? { app } : {}), ...(pod ? { pod } : {}) };
    }
    bounds = flatBounds(e, UPSTREAM_BOUNDS, 'upstream');
  } else if (key === 'search') {
    thresholds = e.obj('search')?.allow(SEARCH_BOUNDS.map((b) => b[0]));
    if (thresholds) bounds = readBounds(thresholds, SEARCH_BOUNDS);
    subject = { type: 'search' };
    for (const k of [...FLAT_BOUND_KEYS, 'subset', 'sidecar']) if (e.has(k)) e.error(k, 'does not apply to a search expectation (write search: { … })');
    if (searchSteps && (step === undefined || !searchSteps.includes(step))) {
      e.error(step === undefined ? null : 'step', `a search expectation needs step: naming a search step (${searchSteps.length ? `search steps: ${searchSteps.join(', ')}` : 'the scenario has none'})`);
    }
  } else if (key === 'mirror') {
    ({ subject, bounds, thresholds } = parseMirrorExpectation(e));
  } else {
    // p50/p90/p99/p999/qps/calls: `{ lessThanMs: 50 }` / `{ atLeast: 100 }` maps.
    const percentile = PERCENTILES.find((p) => p === key);
    const allowed = percentile ? LATENCY_BOUNDS : RANGE_BOUNDS;
    thresholds = e.obj(key)?.allow(allowed.map((b) => b[0]));
    if (thresholds) bounds = readBounds(thresholds, allowed);
    subject = percentile ? { type: 'latency', percentile } : key === 'qps' ? { type: 'qps' } : { type: 'calls' };
    for (const k of [...FLAT_BOUND_KEYS, 'subset', 'sidecar']) {
      if (e.has(k)) e.error(k, `does not apply to a ${key} expectation (write ${key}: { … })`);
    }
  }
  if (key === 'code' || key === 'upstream') {
    for (const k of ['subset', 'sidecar']) if (e.has(k)) e.error(k, 'only applies to a counter expectation');
  }
  if (!subject) return undefined;
  if (bounds.length === 0) {
    // Only when nothing was written: a bad threshold has its own error already.
    const t = thresholds;
    if (t && !Object.keys(t.value).some((k) => t.has(k) && !NON_BOUND_KEYS.includes(k))) e.error(null, `no threshold given for ${key}`);
    return undefined;
  }
  return { ...(step ? { step } : {}), ...(variant ? { variant } : {}), subject, bounds, loc: e.loc() };
}

/** `mirror: { differingShareAtMost: 0.01 }` or `mirror: { field: $.headers.Host, countAtMost: 0 }`. */
function parseMirrorExpectation(e: Fields): { subject: Subject | undefined; bounds: Bound[]; thresholds: Fields | undefined } {
  const m = e.obj('mirror');
  for (const k of [...FLAT_BOUND_KEYS, 'subset', 'sidecar']) if (e.has(k)) e.error(k, 'does not apply to a mirror expectation (write mirror: { … })');
  if (!m) return { subject: undefined, bounds: [], thresholds: undefined };
  const perField = m.has('field');
  const allowed = perField ? MIRROR_FIELD_BOUNDS : MIRROR_BOUNDS;
  m.allow(['field', ...allowed.map((b) => b[0])]);
  const field = perField ? m.str('field', NON_EMPTY) : undefined;
  const bounds = readBounds(m, allowed);
  if (perField && Object.keys(m.value).length === 1) m.error(null, `no threshold given for mirror field (use: ${allowed.map((b) => b[0]).join(', ')})`);
  return { subject: { type: 'mirror', ...(field ? { field } : {}) }, bounds, thresholds: m };
}

/** Thresholds beside the subject; another subject's threshold there is an error (other unknown keys are allow()'s). */
function flatBounds(e: Fields, allowed: BoundSpec[], what: string): Bound[] {
  const names = allowed.map((b) => b[0]);
  for (const k of Object.keys(e.value)) {
    if (e.has(k) && FLAT_BOUND_KEYS.includes(k) && !names.includes(k)) {
      e.error(k, `does not apply to a ${what} expectation (use: ${names.join(', ')})`);
    }
  }
  return readBounds(e, allowed);
}

/** The `allowed` thresholds of `f`, in the order written so messages read like the YAML. */
function readBounds(f: Fields, allowed: BoundSpec[]): Bound[] {
  const out: Bound[] = [];
  for (const k of Object.keys(f.value)) {
    const spec = allowed.find((b) => b[0] === k);
    if (!spec || !f.has(k)) continue;
    if (k === 'equalsCode') {
      const code = f.int(k, { min: -1, max: 999 });
      if (code !== undefined) out.push({ field: k, measure: spec[1], op: spec[2], value: { code } });
      continue;
    }
    const n = f.num(k, spec[1] === 'share' || spec[1] === 'differingShare' ? { min: 0, max: 1 } : { min: 0 });
    if (n !== undefined) out.push({ field: k, measure: spec[1], op: spec[2], value: n });
  }
  return out;
}
