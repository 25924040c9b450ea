// What the dashboard shows, folded from runner events. Pure data: the Ink view
// renders it, tests build it from recorded snapshots, nothing here touches a socket.

import type { ScenarioEvent, TickData } from '../scenario/runner.js';
import type { StepSpec } from '../scenario/model.js';
import type { AppliedEvent } from '../scenario/events.js';

export interface DoneStep {
  variant: string;
  step: string;
  calls: number;
  qps: number;
  p99: number;
  codes: Record<string, number>;
  failed: number;
  interrupted: boolean;
  /** Mirror diff of the step (docs/mirror-diff.md), when its route mirrored. */
  mirror?: { compared: number; differing: number };
}

export interface DashboardState {
  scenario: string;
  from: string;
  url: string;
  variants: string[];
  variantIndex: number;
  /** Runs in all (variants × repeats) and the running variant's name. */
  runCount: number;
  variant: string;
  steps: StepSpec[];
  stepIndex: number;
  step?: StepSpec;
  tick?: TickData;
  /** Window qps of the current step, oldest first (sparkline). */
  qpsHistory: number[];
  /** Beside qpsHistory: whether an instance event happened during that tick (markers under the sparkline). */
  eventMarks: boolean[];
  /** Instance events of the current step so far. */
  events: AppliedEvent[];
  eventSinceTick: boolean;
  done: DoneStep[];
  phase: 'starting' | 'booting' | 'running' | 'finished' | 'stopping';
  warnings: string[];
}

export const QPS_HISTORY = 60;

export function initialState(): DashboardState {
  return {
    scenario: '',
    from: '',
    url: '',
    variants: [],
    variantIndex: 0,
    runCount: 0,
    variant: '',
    steps: [],
    stepIndex: 0,
    qpsHistory: [],
    eventMarks: [],
    events: [],
    eventSinceTick: false,
    done: [],
    phase: 'starting',
    warnings: [],
  };
}

/** Mutates and returns `s` (the live view folds many ticks; no copies per tick). */
export function reduce(s: DashboardState, e: ScenarioEvent): DashboardState {
  switch (e.type) {
    case 'run-start':
      s.scenario = e.scenario.name;
      s.from = e.scenario.load.from;
      s.url = e.scenario.load.url;
      s.variants = e.variants;
      s.variant = e.variants[0] ?? '';
      s.steps = e.scenario.load.steps;
      s.warnings = e.warnings;
      break;
    case 'variant-start':
      s.variantIndex = e.index;
      s.runCount = e.count;
      s.variant = e.variant;
      s.phase = 'booting';
      s.tick = undefined;
      break;
    case 'step-start':
      s.stepIndex = e.index;
      s.step = e.step;
      s.tick = undefined;
      s.qpsHistory = [];
      s.eventMarks = [];
      s.events = [];
      s.eventSinceTick = false;
      s.phase = 'running';
      break;
    case 'tick':
      s.tick = e.tick;
      s.qpsHistory.push(e.tick.load.windowQps);
      s.eventMarks.push(s.eventSinceTick);
      s.eventSinceTick = false;
      if (s.qpsHistory.length > QPS_HISTORY) s.qpsHistory.shift();
      if (s.eventMarks.length > QPS_HISTORY) s.eventMarks.shift();
      break;
    case 'instance-event':
      s.events.push(e.event);
      s.eventSinceTick = true;
      break;
    case 'step-end': {
      const o = e.outcome;
      s.done.push({
        variant: o.variant,
        step: o.step,
        calls: o.result.meshbench.serviceTime.count,
        qps: o.result.meshbench.achievedQps,
        p99: o.result.meshbench.serviceTime.p99,
        codes: { ...o.result.fortio.RetCodes },
        failed: o.expectations.filter((x) => !x.pass).length,
        interrupted: o.interrupted,
        ...(o.mirror ? { mirror: { compared: o.mirror.compared, differing: o.mirror.differing } } : {}),
      });
      break;
    }
    case 'variant-end':
      break;
    case 'run-end':
      s.phase = 'finished';
      break;
  }
  return s;
}
