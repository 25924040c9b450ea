// Percentages (spec §1.2) converted the way pilot writes them for Envoy.

import type { FractionalPercent } from './model.js';
import type { Fields } from './fields.js';

/** `percentage: {value: 12.5}` → {125000, MILLION}; valid: 0 or [0.0001, 100]. */
export function fromPercentValue(value: number): FractionalPercent | string {
  if (value !== 0 && (value < 0.0001 || value > 100)) {
    return `percentage must be 0 or between 0.0001 and 100, got ${value}`;
  }
  // pilot: uint32(value * 10000) — truncation, not rounding.
  return { numerator: Math.trunc(value * 10000), denominator: 1_000_000 };
}

/** Legacy integer percents (`delay.percent`, `mirrorPercent`) → {N, HUNDRED}. */
export function fromIntegerPercent(n: number): FractionalPercent | string {
  if (!Number.isInteger(n) || n < 0 || n > 100) return `percentage must be an integer between 0 and 100, got ${n}`;
  return { numerator: n, denominator: 100 };
}

export const HUNDRED_PERCENT: FractionalPercent = { numerator: 100, denominator: 100 };

/** `percentage: {value: N}` → FractionalPercent (errors recorded). */
export function readPercentage(f: Fields, name: string): FractionalPercent | undefined {
  const p = f.obj(name);
  if (!p) return undefined;
  p.allow(['value']);
  const v = p.num('value') ?? 0;
  const fp = fromPercentValue(v);
  if (typeof fp === 'string') {
    p.error('value', fp);
    return undefined;
  }
  return fp;
}
