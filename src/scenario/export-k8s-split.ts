// How one load step is spread over P load pods, the way k6-operator spreads a
// test over its runners: every pod gets the even share, and the remainder goes
// one by one to the first pods, so the pods sum exactly to the step's -c,
// -qps and -n. Pods that end up with the same flags form one Indexed Job
// (a Job's pods share one template; the fortio image has no shell to pick its
// share from JOB_COMPLETION_INDEX), so the common even split is a single Job.

import { FlagError } from '../errors.js';
import { splitConnections } from '../load/call-plan.js';
import type { StepSpec } from './model.js';

export interface PodLoad {
  connections: number;
  /** 0 = max speed on every pod. */
  qps: number;
  /** 0 = run for the step's duration. */
  exactly: number;
}

/** A run of consecutive pods with the same flags: pods first .. first+count-1. */
export interface LoadSlice extends PodLoad {
  first: number;
  count: number;
}

/** An integer split like the connections; a fractional qps is divided evenly. */
function splitQps(qps: number, pods: number): number[] {
  if (Number.isInteger(qps)) return splitConnections(qps, pods);
  return Array.from({ length: pods }, () => qps / pods);
}

export function splitStep(step: Pick<StepSpec, 'name' | 'connections' | 'qps' | 'exactly'>, pods: number): PodLoad[] {
  if (!Number.isInteger(pods) || pods < 1) throw new FlagError(`--pods: invalid value "${pods}": expected a whole number >= 1`);
  if (pods > step.connections) {
    throw new FlagError(`--pods: ${pods} pods for step "${step.name}" with c=${step.connections}: every pod needs at least one connection (use --pods ${step.connections} or fewer)`);
  }
  if (step.exactly > 0 && pods > step.exactly) {
    throw new FlagError(`--pods: ${pods} pods for step "${step.name}" with n=${step.exactly}: every pod needs at least one call`);
  }
  const c = splitConnections(step.connections, pods);
  const q = step.qps > 0 ? splitQps(step.qps, pods) : new Array<number>(pods).fill(0);
  const n = step.exactly > 0 ? splitConnections(step.exactly, pods) : new Array<number>(pods).fill(0);
  return c.map((connections, i) => ({ connections, qps: q[i]!, exactly: n[i]! }));
}

/** Consecutive pods with identical flags, in pod order. */
export function loadSlices(pods: PodLoad[]): LoadSlice[] {
  const out: LoadSlice[] = [];
  pods.forEach((p, i) => {
    const last = out[out.length - 1];
    if (last && last.connections === p.connections && last.qps === p.qps && last.exactly === p.exactly) last.count++;
    else out.push({ ...p, first: i, count: 1 });
  });
  return out;
}
