// Evaluating `expect:` entries against one step's outcome. Each verdict carries a
// readable form of the check and what was measured, so a failure says why.

import { formatLocation } from '../errors.js';
import type { MeshSnapshot } from '../mesh/api.js';
import type { Bound, ExpectationSpec, Subject } from './model.js';
import type { ExpectationResult, StepOutcome } from './results.js';
import { counterDelta, sidecarOf } from './stats-view.js';
import { isFullStatName, parseClusterName, parseClusterStat, parseStatName } from '../mesh/stats/stat-names.js';

/** `step: NAME` of a swept step reaches all its points (`NAME@c=4`, sweep.ts). */
export function appliesTo(e: ExpectationSpec, variant: string, step: string): boolean {
  return (e.variant === undefined || e.variant === variant) && (e.step === undefined || e.step === step || step.startsWith(`${e.step}@`));
}

const OP: Record<Bound['op'], string> = { eq: '==', ge: '>=', le: '<=', lt: '<', gt: '>' };

function compare(op: Bound['op'], a: number, b: number): boolean {
  // Shares and ms come from divisions: compare with a tiny tolerance.
  const eps = 1e-9 * Math.max(1, Math.abs(b));
  switch (op) {
    case 'eq':
      return Math.abs(a - b) <= eps;
    case 'ge':
      return a >= b - eps;
    case 'le':
      return a <= b + eps;
    case 'lt':
      return a < b;
    case 'gt':
      return a > b;
  }
}

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(Math.abs(n) < 1 ? 4 : 3)));
}

function subjectText(s: Subject): string {
  switch (s.type) {
    case 'code':
      return `code ${s.code}`;
    case 'latency':
      return s.percentile === 'p999' ? 'p99.9' : s.percentile;
    case 'qps':
      return 'achieved qps';
    case 'calls':
      return 'calls';
    case 'counter':
      return `counter ${s.counter}${s.sidecar !== undefined ? ` of ${s.sidecar}'s sidecar` : ''}${s.subset !== undefined ? ` (subset ${s.subset || '""'})` : ''}`;
    case 'upstream': {
      const parts = [s.app && `app=${s.app}`, s.workload && `workload=${s.workload}`, s.version && `version=${s.version}`, s.pod && `pod=${s.pod}`];
      return `upstream ${parts.filter(Boolean).join(',')}`;
    }
    case 'mirror':
      return s.field !== undefined ? `mirror field ${s.field}` : 'mirror';
    case 'search':
      return 'search';
  }
}

function boundText(b: Bound, o: StepOutcome): string {
  const measure = b.measure === 'value' ? '' : b.measure === 'fieldCount' ? 'pairs ' : `${b.measure} `;
  if (typeof b.value === 'object') {
    return `${measure}${OP[b.op]} code ${b.value.code} count (${o.result.fortio.RetCodes[String(b.value.code)] ?? 0})`;
  }
  return `${measure}${OP[b.op]} ${fmt(b.value)}${b.field.endsWith('Ms') ? ' ms' : ''}`;
}

interface Measured {
  value: number;
  text: string;
  /** Set when the subject cannot be measured at all (unknown counter…): always a failure. */
  missing?: string;
}

function measure(s: Subject, m: Bound['measure'], o: StepOutcome): Measured {
  const calls = o.result.fortio.DurationHistogram.Count;
  switch (s.type) {
    case 'code': {
      const n = o.result.fortio.RetCodes[String(s.code)] ?? 0;
      if (m === 'share') {
        const share = calls ? n / calls : 0;
        return { value: share, text: `${fmt(share)} (${n} of ${calls})` };
      }
      return { value: n, text: `${n} of ${calls}` };
    }
    case 'latency': {
      const ms = o.result.meshbench.serviceTime[s.percentile];
      return { value: ms, text: `${fmt(ms)} ms` };
    }
    case 'qps': {
      const q = o.result.meshbench.achievedQps;
      return { value: q, text: `${fmt(q)} qps` };
    }
    case 'calls':
      return { value: calls, text: String(calls) };
    case 'counter': {
      if (s.sidecar !== undefined) return otherSidecarCounter(s.counter, s.subset, s.sidecar, o);
      let v: number | undefined;
      if (isFullStatName(s.counter)) {
        // Zero deltas are dropped from sidecarCounters: absent means 0.
        v = fullCounter(o.sidecarCounters, s.counter) ?? 0;
      } else if (s.subset !== undefined) {
        for (const [cluster, stats] of Object.entries(o.clusterCounters)) {
          if (parseClusterName(cluster)?.subset === s.subset && stats[s.counter] !== undefined) v = (v ?? 0) + stats[s.counter];
        }
      } else {
        v = o.counters[s.counter];
      }
      if (v === undefined) {
        // Envoy creates a cluster's counters with the cluster: a name no destination
        // cluster has is a typo, not a zero (else `atMost` checks would pass silently).
        const known = Object.keys(o.counters);
        if (known.length) {
          return { value: NaN, text: 'not found', missing: `no counter "${s.counter}" on ${o.clusters.join(', ') || 'the destination'}` };
        }
        v = 0;
      }
      return { value: v, text: String(v) };
    }
    case 'upstream': {
      const hit = o.instances.filter(
        (i) =>
          (s.workload === undefined || i.workload === s.workload) &&
          (s.version === undefined || i.version === s.version) &&
          (s.app === undefined || i.app === s.app) &&
          (s.pod === undefined || i.pod === s.pod),
      );
      const req = hit.reduce((a, i) => a + i.requests, 0);
      const shadow = hit.reduce((a, i) => a + i.shadowRequests, 0);
      if (m === 'shadowRequests') return { value: shadow, text: `${shadow} shadow requests` };
      if (m === 'share') {
        const apps = new Set(hit.map((i) => i.app));
        const total = o.instances.filter((i) => apps.has(i.app)).reduce((a, i) => a + i.requests, 0);
        const share = total ? req / total : 0;
        return { value: share, text: `${fmt(share)} (${req} of ${total})` };
      }
      return { value: req, text: `${req} requests${shadow ? ` (${shadow} mirrored)` : ''}` };
    }
    case 'mirror':
      return mirrorMeasure(s.field, m, o);
    case 'search': {
      const r = o.search;
      if (!r) return { value: NaN, text: 'not found', missing: 'not a search step' };
      return { value: r.maxQps, text: `${fmt(r.maxQps)} qps (interval [${r.interval.map(fmt).join(', ')}], ${r.probes.length} probes)` };
    }
  }
}

/** A mirror check with no compared pair proves nothing: a failure, never a vacuous pass. */
function mirrorMeasure(field: string | undefined, m: Bound['measure'], o: StepOutcome): Measured {
  const d = o.mirror;
  if (!d || d.compared === 0) {
    const why = !d ? 'no mirror pairs captured (does the route mirror?)' : `no pair compared (${d.shadowErrors} shadow errors, ${d.primaryErrors} primary errors)`;
    return { value: NaN, text: 'not found', missing: why };
  }
  if (field !== undefined) {
    // Pairs that differed on the field, whether it counts as a difference, noise or ignored.
    const kinds = [['', d.fields], [' (noise)', d.noise], [' (ignored)', d.ignored]] as const;
    for (const [kind, list] of kinds) {
      const hit = list.find((f) => f.field === field);
      if (hit) return { value: hit.count, text: `${hit.count} of ${d.compared} pairs${kind}` };
    }
    return { value: 0, text: `0 of ${d.compared} pairs` };
  }
  switch (m) {
    case 'differingShare':
      return { value: d.differingShare, text: `${fmt(d.differingShare)} (${d.differing} of ${d.compared})` };
    case 'compared':
    case 'identical':
    case 'differing':
    case 'shadowErrors':
      return { value: d[m], text: `${d[m]} ${m === 'shadowErrors' ? 'shadow errors' : m} (of ${d.compared} compared)` };
    default:
      throw new Error(`mirror expectation with measure ${m}`);
  }
}

/**
 * A counter of another workload's sidecar (`sidecar: reviews-v2`). That sidecar has
 * no single destination, so a short cluster stat is summed over ALL its outbound
 * clusters (or those of `subset`); `http.<name>` sums its HCM stats; a full Envoy
 * name is read verbatim. A name it does not have at all is a failure, like a typo.
 */
function otherSidecarCounter(name: string, subset: string | undefined, sidecar: string, o: StepOutcome): Measured {
  const counters = o.sidecars?.[sidecar];
  if (!counters) return { value: NaN, text: 'not found', missing: `no sidecar for workload "${sidecar}" in the mesh` };
  let v: number | undefined;
  if (isFullStatName(name)) {
    v = fullCounter(counters, name) ?? 0;
  } else {
    const hcm = name.startsWith('http.') ? name.slice('http.'.length) : undefined;
    for (const [key, n] of Object.entries(counters)) {
      let hit: boolean;
      if (hcm !== undefined) {
        const p = parseStatName(key);
        hit = p?.kind === 'http' && p.stat === hcm;
      } else {
        // cluster.outbound|9080|v1|ratings.default.svc.cluster.local.upstream_rq_total
        const c = parseClusterStat(key);
        hit = c?.parts.direction === 'outbound' && c.stat === name && (subset === undefined || c.parts.subset === subset);
      }
      if (hit) v = (v ?? 0) + n;
    }
  }
  // HCM and filter stats (fault.*) appear with their first use: absent is 0 there;
  // so are cluster stats of a sidecar that has sent nothing yet (no cluster.* at all).
  if (v === undefined && (name.startsWith('http.') || !Object.keys(counters).some((k) => parseClusterStat(k)?.parts.direction === 'outbound'))) v = 0;
  if (v === undefined) return { value: NaN, text: 'not found', missing: `no counter "${name}" in ${sidecar}'s sidecar` };
  return { value: v, text: String(v) };
}

/**
 * A full Envoy name's value, in either cluster stat form: `cluster.<name>.<stat>`
 * (Istio up to 1.22) or `cluster.<name>;.<stat>` (1.23+), whichever release the
 * run emulated, so a scenario reads the same under every `--istio` profile.
 */
function fullCounter(counters: Record<string, number>, name: string): number | undefined {
  const exact = counters[name];
  if (exact !== undefined) return exact;
  const want = parseStatName(name);
  if (want?.kind !== 'cluster') return undefined;
  for (const [key, n] of Object.entries(counters)) {
    const p = parseStatName(key);
    if (p?.kind === 'cluster' && p.cluster === want.cluster && p.stat === want.stat) return n;
  }
  return undefined;
}

/** Step deltas of the sidecars that `sidecar:` counter expectations name (for StepOutcome.sidecars). */
export function namedSidecars(
  expect: ExpectationSpec[],
  before: MeshSnapshot,
  after: MeshSnapshot,
): { sidecars?: Record<string, Record<string, number>> } {
  const names = new Set<string>();
  for (const e of expect) if (e.subject.type === 'counter' && e.subject.sidecar !== undefined) names.add(e.subject.sidecar);
  if (names.size === 0) return {};
  const sidecars: Record<string, Record<string, number>> = {};
  for (const w of names) {
    const a = sidecarOf(after, w);
    if (a) sidecars[w] = counterDelta(sidecarOf(before, w)?.counters, a.counters);
  }
  return { sidecars };
}

export function evaluate(e: ExpectationSpec, o: StepOutcome): ExpectationResult {
  const checks: string[] = [];
  const actuals: string[] = [];
  let pass = true;
  for (const b of e.bounds) {
    const m = measure(e.subject, b.measure, o);
    const target = typeof b.value === 'object' ? (o.result.fortio.RetCodes[String(b.value.code)] ?? 0) : b.value;
    checks.push(boundText(b, o));
    if (!actuals.includes(m.missing ?? m.text)) actuals.push(m.missing ?? m.text);
    if (m.missing || !compare(b.op, m.value, target)) pass = false;
  }
  return {
    variant: o.variant,
    step: o.step,
    check: `${subjectText(e.subject)} ${checks.join(' and ')}`,
    pass,
    actual: actuals.join('; '),
    loc: e.loc,
  };
}

export function evaluateAll(expect: ExpectationSpec[], o: StepOutcome): ExpectationResult[] {
  return expect.filter((e) => appliesTo(e, o.variant, o.step)).map((e) => evaluate(e, o));
}

/** `FAIL c3 / seed-dr: code 503 share >= 0.1 — got 0 (0 of 30)  [scenario.yaml:40:5]` */
export function formatVerdict(r: ExpectationResult): string {
  return `${r.pass ? 'ok  ' : 'FAIL'} ${r.variant} / ${r.step}: ${r.check} — got ${r.actual}  [${formatLocation(r.loc)}]`;
}
