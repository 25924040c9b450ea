// Instance faults during a step (`events:` of a step, docs/scenario-format.md):
// reading and checking them (through the one field reader, so errors name
// file:line:col), and delivering them to the mesh thread on the step's clock.

import { ConfigError } from '../errors.js';
import type { Fields } from '../mesh/config/fields.js';
import { suggest } from '../mesh/config/fields.js';
import type { InstanceAction } from '../mesh/api.js';
import type { MeshConfig } from '../mesh/config/model.js';
import { formatPath } from '../mesh/config/source.js';
import type { InstanceEventAction, InstanceEventSpec, ScenarioSpec } from './model.js';

const ACTIONS: readonly InstanceEventAction[] = ['stop', 'start', 'slow', 'fail', 'recover'];
/** Fields each action takes besides `at` and itself. */
const ACTION_FIELDS: Record<InstanceEventAction, readonly string[]> = {
  stop: [],
  start: [],
  slow: ['delay'],
  fail: ['status', 'share'],
  recover: [],
};

/** What an instance is doing at a point of the scenario (events carry over to the next steps of a variant). */
interface InstanceState {
  stopped: boolean;
  faulty: boolean;
}

/**
 * The `events:` of one step. `durationMs`: the step's `t` (undefined when the step
 * runs `n` calls: events need a timed step). Whether each event can happen then
 * (a start needs a stopped pod…) is checked with the pod names: instanceErrors().
 */
export function parseStepEvents(s: Fields, durationMs: number | undefined): InstanceEventSpec[] | undefined {
  if (!s.has('events')) return undefined;
  const items = s.list('events');
  if (items.length && durationMs === undefined) {
    s.error('events', 'events need a step timed with `t` (a step of `n` calls has no timeline to place them on)');
    return undefined;
  }
  const out: InstanceEventSpec[] = [];
  let prevAt = 0;
  for (const item of items) {
    const e = s.item(item);
    if (!e) continue;
    const actions = ACTIONS.filter((a) => e.has(a));
    if (actions.length !== 1) {
      if (actions.length > 1) e.error(null, `one event does one thing; found ${actions.join(' and ')}`);
      else {
        const unknown = Object.keys(e.value).filter((k) => k !== 'at' && !ACTIONS.includes(k as InstanceEventAction));
        const hint = unknown.length ? suggest(unknown[0], ACTIONS) : undefined;
        e.error(unknown.length ? unknown[0] : null, `an event needs one of ${ACTIONS.join(', ')}: NAME${hint ? ` (did you mean "${hint}"?)` : ''}`);
      }
      continue;
    }
    const action = actions[0];
    e.allow(['at', action, ...ACTION_FIELDS[action]]);
    const atMs = e.flagDuration('at');
    if (!e.has('at')) e.error(null, 'missing required field "at" (when, after the step started: 1s, 1500ms)');
    const instance = e.str(action, { nonEmpty: true });
    if (atMs !== undefined) {
      if (durationMs !== undefined && atMs >= durationMs) {
        e.error('at', `${atMs / 1000}s is not within the step (t: ${durationMs / 1000}s)`);
      } else if (atMs < prevAt) {
        e.error('at', `events are listed in time order; ${atMs / 1000}s comes before the previous event's ${prevAt / 1000}s`);
      } else prevAt = atMs;
    }
    const ev: Partial<InstanceEventSpec> = {};
    if (action === 'slow') {
      if (!e.has('delay')) e.error(null, 'missing required field "delay" (latency the app adds: 200ms)');
      const d = e.flagDuration('delay');
      if (d === 0) e.error('delay', 'must be more than 0 (recover ends a slow instance)');
      else if (d !== undefined) ev.delayMs = d;
    } else if (action === 'fail') {
      ev.status = e.int('status', { min: 400, max: 599 }) ?? 503;
      ev.share = e.num('share', { min: 0, max: 1 }) ?? 1;
      if (ev.share === 0) e.error('share', 'must be more than 0 (recover ends a failing instance)');
    }
    if (instance === undefined || atMs === undefined) continue;
    out.push({
      atMs,
      action,
      instance,
      ...ev,
      loc: e.loc(),
      instanceLoc: e.loc(action),
      instancePath: formatPath(e.at(action)),
    });
  }
  return out;
}

/** Applies `action` to the instance's state; a message when it cannot happen then. */
function transition(state: Map<string, InstanceState>, pod: string, action: InstanceEventAction): string | undefined {
  const st = state.get(pod) ?? { stopped: false, faulty: false };
  state.set(pod, st);
  switch (action) {
    case 'stop':
      if (st.stopped) return `${pod} is already stopped`;
      st.stopped = true;
      st.faulty = false;
      return undefined;
    case 'start':
      if (!st.stopped) return `${pod} is running (start follows a stop)`;
      st.stopped = false;
      return undefined;
    case 'slow':
    case 'fail':
      if (st.stopped) return `${pod} is stopped; start it first`;
      st.faulty = true;
      return undefined;
    case 'recover':
      if (st.stopped) return `${pod} is stopped; start brings it back`;
      if (!st.faulty) return `${pod} has no slow or fail to recover from`;
      st.faulty = false;
      return undefined;
  }
}

/**
 * Events (and `upstream: { pod }` expectations) naming a pod a variant's compiled
 * mesh does not have, or a client pod, which serves nothing: one error per place,
 * naming the variants when only some of them lack it (a patch can change
 * `replicas`). Then, for the pods that exist, whether each event can happen at
 * that point: the state carries over to the later steps of a variant, so `start`
 * of a running pod, `stop` twice or `slow` of a stopped pod is an error.
 */
export function instanceErrors(scenario: ScenarioSpec, meshes: Array<{ variant: string; config: MeshConfig }>): ConfigError[] {
  const events = scenario.load.steps.flatMap((s) => s.events ?? []);
  const named = [
    ...events.map((e) => ({ pod: e.instance, verb: e.action, loc: e.instanceLoc, path: e.instancePath })),
    ...scenario.expect.flatMap((x) => (x.subject.type === 'upstream' && x.subject.pod !== undefined ? [{ pod: x.subject.pod, verb: 'serve', loc: x.loc, path: 'upstream.pod' }] : [])),
  ];
  const errors: ConfigError[] = [];
  const unknown = new Set<string>();
  for (const n of named) {
    const lacking = meshes.filter((m) => !m.config.instances.some((i) => i.pod === n.pod && i.app !== 'client'));
    if (lacking.length === 0) continue;
    unknown.add(n.pod);
    const config = lacking[0].config;
    const servers = config.instances.filter((i) => i.app !== 'client').map((i) => i.pod);
    const hint = nearestPod(n.pod, servers);
    const what = config.instances.some((i) => i.pod === n.pod)
      ? `"${n.pod}" is a client pod (it has no server to ${n.verb})`
      : `no instance "${n.pod}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
    const which = lacking.length < meshes.length ? ` in variant ${lacking.map((m) => `"${m.variant}"`).join(', ')}` : '';
    errors.push(new ConfigError(`${what}${which}; instances: ${servers.join(', ')}`, n.loc, n.path));
  }
  const state = new Map<string, InstanceState>();
  for (const e of events) {
    if (unknown.has(e.instance)) continue;
    const why = transition(state, e.instance, e.action);
    if (why) errors.push(new ConfigError(why, e.instanceLoc, e.instancePath));
  }
  return errors;
}

/** suggest() ignores `-` in the typed name only; pod names are compared without them on both sides. */
function nearestPod(pod: string, pods: string[]): string | undefined {
  const bare = pods.map((p) => p.replace(/[_-]/g, ''));
  const hit = suggest(pod, bare);
  return hit === undefined ? undefined : pods[bare.indexOf(hit)];
}

/** The mesh's action for an event. */
export function meshAction(e: InstanceEventSpec): InstanceAction {
  switch (e.action) {
    case 'slow':
      return { kind: 'slow', delayMs: e.delayMs ?? 0 };
    case 'fail':
      return { kind: 'fail', status: e.status ?? 503, share: e.share ?? 1 };
    default:
      return { kind: e.action };
  }
}

/** An event as it happened, in the result JSON (`StepOutcome.events`). */
export interface AppliedEvent {
  /** Planned time (s after the step's load started). */
  at: number;
  /** When the mesh thread applied it (s after the step's load started). */
  t: number;
  action: InstanceEventAction;
  instance: string;
  delayMs?: number;
  status?: number;
  share?: number;
}

/** `stop httpbin-v1-0`, `slow httpbin-v1-1 +200ms`, `fail httpbin-v2-0 503 x 50%`. */
export function eventLabel(e: Pick<AppliedEvent, 'action' | 'instance' | 'delayMs' | 'status' | 'share'>): string {
  if (e.action === 'slow') return `slow ${e.instance} +${e.delayMs}ms`;
  if (e.action === 'fail') return `fail ${e.instance} ${e.status} x ${Math.round((e.share ?? 1) * 1000) / 10}%`;
  return `${e.action} ${e.instance}`;
}

/** Epoch-ms clock and timers (injected so the schedule is testable without waiting). */
export interface EventClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export const realEventClock: EventClock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Delivers a step's events at `t0 + at` (t0 = the load's start, epoch ms), one
 * after the other (a stop then a start of the same pod never overtake each other).
 * `deliver` resolves with the epoch ms the mesh applied the event.
 */
export class EventSchedule {
  readonly applied: AppliedEvent[] = [];
  #timers: unknown[] = [];
  #chain: Promise<void> = Promise.resolve();
  #fired = new Set<InstanceEventSpec>();
  #t0 = 0;
  #failure: unknown;

  constructor(
    readonly events: readonly InstanceEventSpec[],
    readonly deliver: (e: InstanceEventSpec) => Promise<number>,
    readonly onApplied: (e: AppliedEvent) => void = () => {},
    readonly clock: EventClock = realEventClock,
  ) {}

  start(t0EpochMs: number): void {
    this.#t0 = t0EpochMs;
    for (const e of this.events) {
      this.#timers.push(this.clock.setTimeout(() => this.#fire(e), Math.max(0, t0EpochMs + e.atMs - this.clock.now())));
    }
  }

  /** The step failed: drop every pending delivery. */
  cancel(): void {
    for (const h of this.#timers) this.clock.clearTimeout(h);
    this.#timers = [];
  }

  /**
   * The step's load ended: events already due are still delivered (a timer may be
   * a little late), later ones (an interrupted step) are dropped. Resolves with
   * what was applied; a delivery failure is thrown here.
   */
  async finish(): Promise<AppliedEvent[]> {
    this.cancel();
    if (this.#t0 > 0) {
      const elapsed = this.clock.now() - this.#t0;
      for (const e of this.events) if (e.atMs <= elapsed) this.#fire(e);
    }
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
    return this.applied;
  }

  #fire(e: InstanceEventSpec): void {
    if (this.#fired.has(e)) return;
    this.#fired.add(e);
    this.#chain = this.#chain.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        const at = await this.deliver(e);
        const a: AppliedEvent = {
          at: e.atMs / 1000,
          t: Math.round(at - this.#t0) / 1000,
          action: e.action,
          instance: e.instance,
          ...(e.delayMs !== undefined ? { delayMs: e.delayMs } : {}),
          ...(e.status !== undefined ? { status: e.status } : {}),
          ...(e.share !== undefined ? { share: e.share } : {}),
        };
        this.applied.push(a);
        this.onApplied(a);
      } catch (err) {
        this.#failure = err;
      }
    });
  }
}
