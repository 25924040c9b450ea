// `--seed N` for run, serve and load --mesh: one rule everywhere. The proxy's
// RNG (src/mesh/random.ts) takes a 32-bit unsigned seed.

import { FlagError } from '../errors.js';

export function parseSeed(flag: string, v: string | undefined): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 0xffffffff) {
    throw new FlagError(`${flag}: invalid value "${v ?? ''}": expected a whole number 0..4294967295`);
  }
  return Number(v);
}
