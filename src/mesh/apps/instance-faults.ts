// Faults of one app instance ("pod") during a run: stopped (the process is gone),
// slow (the app answers late) or failing (the app answers a share of requests with
// an error status). The state and the per-request decision are pure (the RNG is
// injected); server.ts applies them to the real listener and requests.

import type { InstanceAction } from '../api.js';

/** What the app does with one request. */
export interface RequestFault {
  /** Added before the app handles (or fails) the request. */
  delayMs: number;
  /** Answer with this status instead of handling the request. */
  status?: number;
}

/** The listener operations a stop/start needs (bound by serve()). */
export interface InstanceLifecycle {
  /** Close the listener and reset every connection, as a dead process does. */
  stop(): Promise<void>;
  /** Listen again on the same address. */
  start(): Promise<void>;
}

const NO_FAULT: RequestFault = { delayMs: 0 };

export class InstanceFaults {
  stopped = false;
  delayMs = 0;
  fail: { status: number; share: number } | undefined;
  #lifecycle: InstanceLifecycle | undefined;

  /** `random`: this instance's own stream of the run's seeded RNG (fail draws only). */
  constructor(readonly random: () => number = Math.random) {}

  bind(lifecycle: InstanceLifecycle): void {
    this.#lifecycle = lifecycle;
  }

  /** Per request: one draw only while a fail share below 1 is active. */
  decide(): RequestFault {
    if (this.delayMs === 0 && this.fail === undefined) return NO_FAULT;
    return failDecision(this.delayMs, this.fail, this.random);
  }

  /** Apply an event; a restarted pod comes back without faults (a fresh process). */
  async apply(action: InstanceAction): Promise<void> {
    switch (action.kind) {
      case 'stop':
        if (this.stopped) return;
        this.stopped = true;
        this.delayMs = 0;
        this.fail = undefined;
        await this.#need().stop();
        return;
      case 'start':
        if (!this.stopped) return;
        await this.#need().start();
        this.stopped = false;
        return;
      case 'slow':
        this.delayMs = action.delayMs;
        return;
      case 'fail':
        this.fail = { status: action.status, share: action.share };
        return;
      case 'recover':
        this.delayMs = 0;
        this.fail = undefined;
        return;
    }
  }

  #need(): InstanceLifecycle {
    if (!this.#lifecycle) throw new Error('instance faults: stop/start before the app was serving');
    return this.#lifecycle;
  }
}

/** The pure decision: fail with `status` when a uniform draw falls below `share`. */
export function failDecision(delayMs: number, fail: { status: number; share: number } | undefined, random: () => number): RequestFault {
  if (fail && (fail.share >= 1 || random() < fail.share)) return { delayMs, status: fail.status };
  return { delayMs };
}
