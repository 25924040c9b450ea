// Seeded randomness for every draw the proxy makes (weights, fault and mirror
// percentages, LB picks, retry jitter), so a scenario run can be repeated.

/** Returns floats in [0, 1). mulberry32: tiny, fast, good enough for sampling. */
export function createRandom(seed?: number): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Envoy featureEnabled(FractionalPercent): uniform draw in [0, denominator) < numerator. */
export function percentHit(random: () => number, p: { numerator: number; denominator: number }): boolean {
  if (p.numerator <= 0) return false;
  if (p.numerator >= p.denominator) return true;
  return Math.floor(random() * p.denominator) < p.numerator;
}
