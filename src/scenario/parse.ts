// Scenario document -> ScenarioSpec, with every problem reported at its
// file:line:col (unknown fields, wrong types, unknown step/variant names, patch
// targets that do not exist). The other documents are returned untouched for the
// mesh compiler.

import { ConfigError, ConfigErrors, UserError } from '../errors.js';
import type { FieldPath, SourceDoc } from '../mesh/config/source.js';
import { FieldReader, isObj } from './fields.js';
import type { Obj } from './fields.js';
import { SCENARIO_API_VERSION, SCENARIO_KIND } from './model.js';
import { IMPLICIT_SOURCE } from '../mesh/api.js';
import type { Bound, ExpectationSpec, LoadSpec, PatchSpec, ScenarioSpec, StepSpec, Subject, VariantSpec } from './model.js';

export interface ParsedInput {
  scenario: ScenarioSpec;
  /** Every non-scenario document, in file order. */
  meshDocs: SourceDoc[];
}

export function isScenarioDoc(d: SourceDoc): boolean {
  return d.apiVersion === SCENARIO_API_VERSION || d.kind === SCENARIO_KIND;
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

const TOP = ['apiVersion', 'kind', 'metadata', 'spec'] as const;
const SPEC = ['include', 'load', 'variants', 'expect'] as const; // include: src/scenario/include.ts
const LOAD = ['from', 'url', 'headers', 'method', 'payload', 'steps'] as const;
const STEP = ['name', 'c', 'qps', 'n', 't', 'timeout', 'uniform', 'jitter', 'headers'] as const;
const VARIANT = ['name', 'patches'] as const;
const PATCH = ['target', 'merge'] as const;
const TARGET = ['kind', 'name', 'namespace'] as const;

export function parseScenarioDoc(doc: SourceDoc, meshDocs: SourceDoc[]): ScenarioSpec {
  const r = new FieldReader(doc);
  const v = doc.value;
  if (doc.apiVersion !== SCENARIO_API_VERSION) r.error(['apiVersion'], `expected "${SCENARIO_API_VERSION}"`);
  if (doc.kind !== SCENARIO_KIND) r.error(['kind'], `expected "${SCENARIO_KIND}" for apiVersion ${SCENARIO_API_VERSION}`);
  r.known(v, [], TOP);
  const spec = r.obj(v.spec, ['spec'], true) ?? {};
  r.known(spec, ['spec'], SPEC);

  const load = parseLoad(r, spec.load, meshDocs);
  const variants = parseVariants(r, spec.variants, meshDocs);
  const workloads = [IMPLICIT_SOURCE, ...meshDocs.filter((d) => d.kind === 'Deployment').map((d) => d.name)];
  const expect = parseExpect(r, spec.expect, load.steps.map((s) => s.name), variants.map((x) => x.name), workloads);
  if (r.errors.length) throw new ConfigErrors(r.errors);
  return { name: doc.name || 'scenario', file: doc.file, load, variants, expect, loc: doc.locate([]) };
}

function headerList(r: FieldReader, v: unknown, path: FieldPath): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const o = r.obj(v, path);
  if (!o) return out;
  for (const [k, x] of Object.entries(o)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.push([k, String(x)]);
    else r.error([...path, k], 'expected a header value (string)');
  }
  return out;
}

function parseLoad(r: FieldReader, v: unknown, meshDocs: SourceDoc[]): LoadSpec {
  const path = ['spec', 'load'];
  const o = r.obj(v, path, true) ?? {};
  r.known(o, path, LOAD);
  const from = r.str(o.from, [...path, 'from']) ?? IMPLICIT_SOURCE;
  if (from !== IMPLICIT_SOURCE && !meshDocs.some((d) => d.kind === 'Deployment' && d.name === from)) {
    const names = meshDocs.filter((d) => d.kind === 'Deployment').map((d) => d.name);
    r.error([...path, 'from'], `no Deployment named "${from}" (known: ${[IMPLICIT_SOURCE, ...names].join(', ')})`);
  }
  const url = r.str(o.url, [...path, 'url'], true) ?? 'http://invalid/';
  if (o.url !== undefined && !/^http:\/\/[^/\s]+/i.test(url)) r.error([...path, 'url'], `expected an http:// URL, got ${JSON.stringify(url)}`);
  const method = r.str(o.method, [...path, 'method']);
  const payload = r.str(o.payload, [...path, 'payload']);
  const headers = headerList(r, o.headers, [...path, 'headers']);
  const steps: StepSpec[] = [];
  const list = r.list(o.steps, [...path, 'steps'], true) ?? [];
  if (o.steps !== undefined && Array.isArray(o.steps) && list.length === 0) r.error([...path, 'steps'], 'needs at least one step');
  const seen = new Set<string>();
  list.forEach((s, i) => {
    const sp = [...path, 'steps', i];
    const so = r.obj(s, sp);
    if (!so) return;
    r.known(so, sp, STEP);
    const name = r.str(so.name, [...sp, 'name']) ?? `step${i + 1}`;
    if (seen.has(name)) r.error([...sp, 'name'], `duplicate step name "${name}"`);
    seen.add(name);
    const n = r.num(so.n, [...sp, 'n'], { integer: true, min: 0 }) ?? 0;
    const dur = r.duration(so.t, [...sp, 't']);
    if (n === 0 && dur === undefined) r.error(sp, 'a step needs `n` (calls) or `t` (duration)');
    if (n === 0 && dur === 0) r.error([...sp, 't'], 'an open-ended step (t: 0) never ends; give n or a duration');
    const timeoutMs = r.duration(so.timeout, [...sp, 'timeout']);
    const uniform = r.bool(so.uniform, [...sp, 'uniform']);
    const jitter = r.bool(so.jitter, [...sp, 'jitter']);
    steps.push({
      name,
      connections: r.num(so.c, [...sp, 'c'], { integer: true, min: 1, max: 10_000 }) ?? 4,
      qps: r.num(so.qps, [...sp, 'qps'], { min: -1 }) ?? 8,
      exactly: n,
      durationMs: dur ?? 5000,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(uniform !== undefined ? { uniform } : {}),
      ...(jitter !== undefined ? { jitter } : {}),
      headers: headerList(r, so.headers, [...sp, 'headers']),
      loc: r.doc.locate(sp),
    });
  });
  return { from, url, headers, steps, ...(method ? { method } : {}), ...(payload !== undefined ? { payload } : {}) };
}

function parseVariants(r: FieldReader, v: unknown, meshDocs: SourceDoc[]): VariantSpec[] {
  const path = ['spec', 'variants'];
  const list = r.list(v, path);
  if (!list || list.length === 0) return [{ name: 'base', patches: [] }];
  const out: VariantSpec[] = [];
  const seen = new Set<string>();
  list.forEach((x, i) => {
    const vp = [...path, i];
    const vo = r.obj(x, vp);
    if (!vo) return;
    r.known(vo, vp, VARIANT);
    const name = r.str(vo.name, [...vp, 'name'], true) ?? `variant${i + 1}`;
    if (seen.has(name)) r.error([...vp, 'name'], `duplicate variant name "${name}"`);
    seen.add(name);
    const patches: PatchSpec[] = [];
    (r.list(vo.patches, [...vp, 'patches']) ?? []).forEach((p, j) => {
      const pp = [...vp, 'patches', j];
      const po = r.obj(p, pp);
      if (!po) return;
      r.known(po, pp, PATCH);
      const t = r.obj(po.target, [...pp, 'target'], true);
      if (!t) return;
      r.known(t, [...pp, 'target'], TARGET);
      const kind = r.str(t.kind, [...pp, 'target', 'kind'], true);
      const tname = r.str(t.name, [...pp, 'target', 'name'], true);
      const namespace = r.str(t.namespace, [...pp, 'target', 'namespace']);
      if (po.merge === undefined) r.error(pp, 'required field `merge` is missing (a JSON merge patch, RFC 7396)');
      else if (!isObj(po.merge)) r.error([...pp, 'merge'], 'expected a map (a JSON merge patch of the target document)');
      if (!kind || !tname) return;
      const hits = meshDocs.filter(
        (d) => d.kind === kind && d.name === tname && (namespace === undefined || d.namespace === namespace),
      );
      if (hits.length === 0) {
        const same = meshDocs.filter((d) => d.kind === kind).map((d) => d.name);
        r.error(
          [...pp, 'target'],
          `no ${kind} named "${tname}"${namespace ? ` in namespace ${namespace}` : ''} in the given files` +
            (same.length ? ` (${kind}s: ${same.join(', ')})` : ''),
        );
      } else if (hits.length > 1 && namespace === undefined) {
        r.error([...pp, 'target'], `${kind} "${tname}" exists in several namespaces; add target.namespace`);
      }
      patches.push({
        target: { kind, name: tname, ...(namespace ? { namespace } : {}) },
        merge: po.merge,
        loc: r.doc.locate(pp),
      });
    });
    out.push({ name, patches, loc: r.doc.locate(vp) });
  });
  return out;
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
const PERCENTILES = ['p50', 'p90', 'p99', 'p999'] as const;
const SUBJECT_KEYS = ['code', ...PERCENTILES, 'qps', 'calls', 'counter', 'upstream'];
const ALL_BOUND_KEYS = [...new Set([...CODE_BOUNDS, ...COUNTER_BOUNDS, ...UPSTREAM_BOUNDS].map((b) => b[0]))];
const NON_BOUND_KEYS = ['step', 'variant', ...SUBJECT_KEYS, 'subset', 'sidecar'];
const EXPECT_KEYS = [...NON_BOUND_KEYS, ...ALL_BOUND_KEYS];

function parseExpect(r: FieldReader, v: unknown, steps: string[], variants: string[], workloads: string[]): ExpectationSpec[] {
  const path = ['spec', 'expect'];
  const out: ExpectationSpec[] = [];
  (r.list(v, path) ?? []).forEach((x, i) => {
    const ep = [...path, i];
    const eo = r.obj(x, ep);
    if (!eo) return;
    r.known(eo, ep, EXPECT_KEYS);
    const step = r.str(eo.step, [...ep, 'step']);
    if (step !== undefined && !steps.includes(step)) r.error([...ep, 'step'], `unknown step "${step}" (steps: ${steps.join(', ')})`);
    const variant = r.str(eo.variant, [...ep, 'variant']);
    if (variant !== undefined && !variants.includes(variant)) {
      r.error([...ep, 'variant'], `unknown variant "${variant}" (variants: ${variants.join(', ')})`);
    }
    const subjects = SUBJECT_KEYS.filter((k) => eo[k] !== undefined);
    if (subjects.length !== 1) {
      r.error(ep, subjects.length ? `one expectation checks one thing; found ${subjects.join(' and ')}` : `nothing to check: give one of ${SUBJECT_KEYS.join(', ')}`);
      return;
    }
    const key = subjects[0];
    let subject: Subject | undefined;
    let bounds: Bound[] = [];
    if (key === 'code') {
      const code = r.num(eo.code, [...ep, 'code'], { integer: true, min: -1, max: 999 });
      if (code !== undefined) subject = { type: 'code', code };
      bounds = readBounds(r, eo, ep, CODE_BOUNDS, 'code');
    } else if (key === 'counter') {
      const counter = r.str(eo.counter, [...ep, 'counter']);
      // subset "" is the cluster without a subset (outbound|8000||host).
      let subset: string | undefined;
      if (typeof eo.subset === 'string') subset = eo.subset;
      else if (eo.subset !== undefined) r.error([...ep, 'subset'], 'expected a subset name (string)');
      // sidecar: read another workload's sidecar (faults injected on a later hop).
      const sidecar = r.str(eo.sidecar, [...ep, 'sidecar']);
      if (sidecar !== undefined && !workloads.includes(sidecar)) {
        r.error([...ep, 'sidecar'], `no Deployment named "${sidecar}" (known: ${workloads.join(', ')})`);
      }
      if (counter) {
        subject = { type: 'counter', counter, ...(subset !== undefined ? { subset } : {}), ...(sidecar !== undefined ? { sidecar } : {}) };
      }
      bounds = readBounds(r, eo, ep, COUNTER_BOUNDS, 'counter');
    } else if (key === 'upstream') {
      const uo = r.obj(eo.upstream, [...ep, 'upstream']);
      if (uo) {
        r.known(uo, [...ep, 'upstream'], ['workload', 'version', 'app']);
        const workload = r.str(uo.workload, [...ep, 'upstream', 'workload']);
        const version = r.str(uo.version, [...ep, 'upstream', 'version']);
        const app = r.str(uo.app, [...ep, 'upstream', 'app']);
        if (!workload && !version && !app) r.error([...ep, 'upstream'], 'name the instances: workload, version and/or app');
        subject = { type: 'upstream', ...(workload ? { workload } : {}), ...(version ? { version } : {}), ...(app ? { app } : {}) };
      }
      bounds = readBounds(r, eo, ep, UPSTREAM_BOUNDS, 'upstream');
    } else {
      // p50/p90/p99/p999/qps/calls: `{ lessThanMs: 50 }` / `{ atLeast: 100 }` maps.
      const isLatency = (PERCENTILES as readonly string[]).includes(key);
      const mo = r.obj(eo[key], [...ep, key]);
      if (mo) bounds = readBounds(r, mo, [...ep, key], isLatency ? LATENCY_BOUNDS : RANGE_BOUNDS, key, true);
      subject = isLatency
        ? { type: 'latency', percentile: key as (typeof PERCENTILES)[number] }
        : key === 'qps'
          ? { type: 'qps' }
          : { type: 'calls' };
      for (const k of [...ALL_BOUND_KEYS, 'subset', 'sidecar']) {
        if (eo[k] !== undefined) r.error([...ep, k], `does not apply to a ${key} expectation (write ${key}: { … })`);
      }
    }
    if ((key === 'code' || key === 'upstream') && eo.subset !== undefined) {
      r.error([...ep, 'subset'], 'only applies to a counter expectation');
    }
    if ((key === 'code' || key === 'upstream') && eo.sidecar !== undefined) {
      r.error([...ep, 'sidecar'], 'only applies to a counter expectation');
    }
    if (!subject) return;
    if (bounds.length === 0) {
      // Only when nothing was written: a bad threshold has its own error already.
      const written = isObj(eo[key]) ? Object.keys(eo[key] as Obj) : Object.keys(eo).filter((k) => !NON_BOUND_KEYS.includes(k));
      if (written.length === 0) r.error(ep, `no threshold given for ${key}`);
      return;
    }
    out.push({ ...(step ? { step } : {}), ...(variant ? { variant } : {}), subject, bounds, loc: r.doc.locate(ep) });
  });
  return out;
}

function readBounds(r: FieldReader, o: Obj, path: FieldPath, allowed: BoundSpec[], what: string, closed = false): Bound[] {
  const out: Bound[] = [];
  const names = allowed.map((b) => b[0]);
  if (closed) r.known(o, path, names);
  // In the order written, so messages read like the YAML.
  const candidates = new Set([...ALL_BOUND_KEYS, ...(closed ? names : [])]);
  for (const k of Object.keys(o)) {
    if (!candidates.has(k) || o[k] === undefined) continue;
    const spec = allowed.find((b) => b[0] === k);
    if (!spec) {
      if (!closed) r.error([...path, k], `does not apply to a ${what} expectation (use: ${names.join(', ')})`);
      continue;
    }
    if (out.some((b) => b.field === k)) continue;
    if (k === 'equalsCode') {
      const code = r.num(o[k], [...path, k], { integer: true, min: -1, max: 999 });
      if (code !== undefined) out.push({ field: k, measure: spec[1], op: spec[2], value: { code } });
      continue;
    }
    const isShare = spec[1] === 'share';
    const n = r.num(o[k], [...path, k], isShare ? { min: 0, max: 1 } : { min: 0 });
    if (n !== undefined) out.push({ field: k, measure: spec[1], op: spec[2], value: n });
  }
  return out;
}
