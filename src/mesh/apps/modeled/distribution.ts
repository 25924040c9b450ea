// Drawing one value of a modeled service's distribution (latency ms, size bytes).
// Pure: the RNG is injected (the run's seeded one), so a run repeats draw for draw.

import type { Distribution } from '../../config/model.js';

/** z of the standard normal at 0.99: lognormal's sigma from its median and p99. */
export const Z99 = 2.3263478740408408;

/** One draw, never negative (a normal's left tail is cut at 0, as a sleep cannot be). */
export function sample(d: Distribution, random: () => number): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + random() * (d.max - d.min);
    case 'normal':
      return Math.max(0, d.mean + d.sd * standardNormal(random));
    case 'lognormal': {
      const mu = Math.log(d.median);
      const sigma = (Math.log(d.p99) - mu) / Z99;
      return Math.exp(mu + sigma * standardNormal(random));
    }
    case 'exponential':
      // 1 - u is in (0, 1]: the log stays finite.
      return -d.mean * Math.log(1 - random());
    case 'percentiles':
      return fromTable(d.points, random() * 100);
  }
}

/** Box-Muller (one of the pair; the other is dropped to keep draws independent of call order). */
function standardNormal(random: () => number): number {
  const u = 1 - random(); // (0, 1]
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Inverse CDF of an empirical table: linear between points, flat beyond the first and last. */
export function fromTable(points: ReadonlyArray<{ p: number; value: number }>, p: number): number {
  if (p <= points[0].p) return points[0].value;
  for (let i = 1; i < points.length; i++) {
    const b = points[i];
    if (p <= b.p) {
      const a = points[i - 1];
      return a.value + ((p - a.p) / (b.p - a.p)) * (b.value - a.value);
    }
  }
  return points[points.length - 1].value;
}

/** The distribution's median, for docs and reports (critical-path estimates). */
export function median(d: Distribution): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return Math.max(0, d.mean);
    case 'lognormal':
      return d.median;
    case 'exponential':
      return d.mean * Math.LN2;
    case 'percentiles':
      return fromTable(d.points, 50);
  }
}
