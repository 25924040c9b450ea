// A bug on the request path (an exception out of the HCM, fault filter or router)
// must neither take the mesh down nor vanish. Envoy has no exceptions on its data
// path; its nearest equivalents are ENVOY_BUG (logged with back-off, counted in
// `server.envoy_bug_failures`) and a filter answering its own failure with
// sendLocalReply(InternalServerError, "") (e.g. the ratelimit filter). meshbench does
// both: the client gets an empty 500 local reply (or a reset once the response has
// started), the sidecar counts `meshbench.internal_errors`, and the first error of
// each kind (name + throw site) is written to stderr with its stack.

import type { Counter, StatsStore } from '../stats/store.js';

/** meshbench's own counter (no Envoy stat has this meaning); documented in docs/internal-errors.md. */
export const INTERNAL_ERRORS_STAT = 'meshbench.internal_errors';

/** Kinds already logged on this thread: a bug hit by every request logs once, not per request. */
const logged = new Set<string>();

function kindOf(e: Error): string {
  const frame = (e.stack ?? '').split('\n').find((l) => l.trimStart().startsWith('at ')) ?? '';
  return `${e.name}|${frame.trim()}`;
}

export class InternalErrors {
  readonly #count: Counter;

  constructor(
    stats: StatsStore,
    private readonly workload: string,
    private readonly log: (text: string) => void = (t) => void process.stderr.write(t),
  ) {
    this.#count = stats.counter(INTERNAL_ERRORS_STAT);
  }

  /** Counts the error and logs its first occurrence per kind with the stack. */
  record(err: unknown): void {
    this.#count.inc();
    const e = err instanceof Error ? err : new Error(String(err));
    const kind = kindOf(e);
    if (logged.has(kind)) return;
    logged.add(kind);
    this.log(
      `meshbench: internal error on the request path of sidecar ${this.workload} (a bug: please report it; ` +
        `later errors of this kind are only counted in ${INTERNAL_ERRORS_STAT}):\n${e.stack ?? e.message}\n`,
    );
  }
}
