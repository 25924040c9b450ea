// `sweep:` of a step: the same step at several connection counts and/or rates,
// one row per point, so a curve (p99 vs qps, 503 share vs c) comes out of one
// scenario. `c` and `qps` together sweep their cross product, c outermost. Each
// point becomes a step of its own named `NAME@c=4` / `NAME@qps=200` /
// `NAME@c=4,qps=200`: unique names keep the comparison table, `bench compare`,
// the gate and expectations keyed by step as before, and `step: NAME` in an
// expectation still reaches every point (expectations.ts appliesTo).

import type { Fields } from '../mesh/config/fields.js';
import type { StepSpec, SweepPoint } from './model.js';

/** Points per sweep at most: a typo should not queue a night of load. */
export const MAX_SWEEP_POINTS = 64;

const SWEEP = ['c', 'qps'];

/** A point's step name. `@` is not allowed in written step names, so these never collide. */
export function pointName(of: string, p: Omit<SweepPoint, 'of'>): string {
  const parts = [...(p.c !== undefined ? [`c=${p.c}`] : []), ...(p.qps !== undefined ? [`qps=${p.qps}`] : [])];
  return `${of}@${parts.join(',')}`;
}

/** The swept values of `s.sweep` (errors reported at their item); undefined when absent or broken. */
export function parseSweep(s: Fields): { c?: number[]; qps?: number[] } | undefined {
  const f = s.obj('sweep')?.allow(SWEEP);
  if (!f) return undefined;
  const read = (key: 'c' | 'qps', min: number, max: number, int: boolean): number[] | undefined => {
    if (!f.has(key)) return undefined;
    const items = f.list(key);
    if (Array.isArray(f.raw(key)) && items.length === 0) f.error(key, 'needs at least one value');
    const out: number[] = [];
    for (const item of items) {
      const v = item.value;
      const ok = typeof v === 'number' && Number.isFinite(v) && (!int || Number.isInteger(v)) && v >= min && v <= max;
      if (!ok) f.diag.error(f.doc, item.path, `expected ${int ? 'an integer' : 'a number'} between ${min} and ${max}, got ${JSON.stringify(v)}`);
      else if (out.includes(v)) f.diag.error(f.doc, item.path, `${key} ${v} is swept twice`);
      else out.push(v);
    }
    return out;
  };
  const c = read('c', 1, 10_000, true);
  const qps = read('qps', -1, 1e9, false);
  if (c === undefined && qps === undefined) {
    f.error(null, 'sweep needs c and/or qps, e.g. sweep: { c: [1, 2, 4, 8] }');
    return undefined;
  }
  for (const [key, written] of [['c', 'c'], ['qps', 'qps']] as const) {
    if ((key === 'c' ? c : qps) !== undefined && s.has(written)) s.error(written, `the step sweeps ${key}; drop the fixed ${written}`);
  }
  const points = (c?.length ?? 1) * (qps?.length ?? 1);
  if (points > MAX_SWEEP_POINTS) f.error(null, `${points} points; a sweep has at most ${MAX_SWEEP_POINTS}`);
  return { ...(c ? { c } : {}), ...(qps ? { qps } : {}) };
}

/** The step once per point (cross product of c and qps, c outermost). */
export function expandSweep(step: StepSpec, sweep: { c?: number[]; qps?: number[] }): StepSpec[] {
  const out: StepSpec[] = [];
  for (const c of sweep.c ?? [undefined]) {
    for (const qps of sweep.qps ?? [undefined]) {
      const point: SweepPoint = { of: step.name, ...(c !== undefined ? { c } : {}), ...(qps !== undefined ? { qps } : {}) };
      out.push({
        ...step,
        name: pointName(step.name, point),
        ...(c !== undefined ? { connections: c } : {}),
        ...(qps !== undefined ? { qps } : {}),
        sweep: point,
      });
    }
  }
  return out;
}
