// Ctrl-C and SIGTERM, handled once for run, serve and load: the first one aborts
// the command's AbortSignal (the command then stops, prints what it has and
// returns "interrupted"); a second one, while that partial report is being
// written, exits at once.

import { ExitCode } from '../errors.js';

export interface Interrupt {
  /** Aborted by SIGINT, SIGTERM or the outer signal. */
  readonly signal: AbortSignal;
  /** Abort as if interrupted (the dashboard's `q`). */
  abort(): void;
  /** Removes the process handlers; call when the command is done. */
  dispose(): void;
}

/** `outer`: an embedding's (or a test's) own abort, treated like Ctrl-C. */
export function onInterrupt(outer?: AbortSignal): Interrupt {
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  let signals = 0;
  const onSignal = (): void => {
    if (++signals > 1) process.exit(ExitCode.interrupted);
    abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  outer?.addEventListener('abort', abort, { once: true });
  if (outer?.aborted) abort();
  return {
    signal: ac.signal,
    abort,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      outer?.removeEventListener('abort', abort);
    },
  };
}
