// Circular block bootstrap (Politis & Romano) for a run's consecutive time
// windows: neighbouring seconds of one run are correlated (a slow second tends to
// follow a slow second), so windows are resampled in blocks of consecutive ones,
// wrapping around the end, rather than one by one. Pure: RNG injected.

import type { Random } from './bootstrap.js';

/** Block length for n windows: about n^(1/3) (2 for 6..26 windows, 3 from 27). */
export function blockLength(n: number): number {
  return Math.max(1, Math.round(Math.cbrt(n)));
}

/** One resample: n window indices made of circular blocks of `len` consecutive windows. */
export function blockResample(n: number, len: number, random: Random): number[] {
  const idx: number[] = [];
  while (idx.length < n) {
    const start = Math.floor(random() * n);
    for (let k = 0; k < len && idx.length < n; k++) idx.push((start + k) % n);
  }
  return idx;
}
