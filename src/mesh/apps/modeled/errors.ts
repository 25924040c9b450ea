// A modeled service's injected errors: a random share of requests (Bernoulli,
// from the seeded RNG) or isotope's deterministic counter (every N-th request
// of this replica fails). Rules are tried in order at their point (before or
// after the work); the first that fires answers. Pure: the RNG is injected.

import type { ErrorRule, ErrorStatus } from '../../config/model.js';

export class ErrorRules {
  private readonly counts: number[];

  constructor(
    private readonly rules: readonly ErrorRule[],
    private readonly random: () => number,
  ) {
    this.counts = rules.map(() => 0);
  }

  /** The error to answer with at this point of a request, or undefined. */
  decide(when: ErrorRule['when']): ErrorStatus | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i];
      if (r.when !== when) continue;
      if (r.every !== undefined) {
        // isotope: count, and on the N-th reset the counter and fail.
        if (++this.counts[i] >= r.every) {
          this.counts[i] = 0;
          return r.status;
        }
      } else if (r.share !== undefined && this.random() < r.share) {
        return r.status;
      }
    }
    return undefined;
  }
}
