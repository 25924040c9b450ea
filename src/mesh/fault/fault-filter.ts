// Envoy's HTTP fault filter as Istio configures it per route (spec §2.7): on
// request headers draw the delay percentage and hold the request; afterwards
// (or at once) draw the abort percentage independently and answer locally with
// `fault filter abort`. It runs before the router, so an abort is never retried,
// touches no cluster stats and never feeds outlier detection.

import type { FaultAbort, FaultDelay } from '../config/model.js';
import { percentHit } from '../random.js';

export const FAULT_ABORT_BODY = 'fault filter abort';

/** Delay to inject for this request in ms, or 0. */
export function drawDelay(delay: FaultDelay | undefined, random: () => number): number {
  if (!delay || delay.fixedDelayMs <= 0) return 0;
  return percentHit(random, delay.percentage) ? delay.fixedDelayMs : 0;
}

/** HTTP status to abort with, or 0 to let the request through. */
export function drawAbort(abort: FaultAbort | undefined, random: () => number): number {
  if (!abort) return 0;
  return percentHit(random, abort.percentage) ? abort.httpStatus : 0;
}
