// `search:` of a step (a capacity search, capacity-search.ts) read from the
// scenario document, defaults filled in. A search step sets its own rate,
// connections and duration per probe: `c`, `qps`, `n`, `t` and `sweep` beside it
// are errors, not silently overridden.

import type { Fields } from '../mesh/config/fields.js';
import { SEARCH_DEFAULTS } from './capacity-search.js';
import { PERCENTILES, type SearchSlo, type SearchSpec } from './model.js';

const SEARCH = ['slo', 'startQps', 'maxQps', 'probe', 'maxProbes', 'precision', 'maxConnections'];
const LATENCY_KEYS = PERCENTILES.map((p) => `${p}LessThanMs`);
const SLO = [...LATENCY_KEYS, 'errorShareAtMost'];
/** Step fields the probes set themselves. */
export const SEARCH_SETS = ['c', 'qps', 'n', 't', 'sweep'];

export function parseSearch(s: Fields): SearchSpec | undefined {
  const f = s.obj('search')?.allow(SEARCH);
  if (!f) return undefined;
  for (const k of SEARCH_SETS) if (s.has(k)) s.error(k, `does not apply to a search step (each probe sets its own rate, connections and duration)`);
  const slo = parseSlo(f);
  const startQps = f.num('startQps', { min: 0.1 }) ?? SEARCH_DEFAULTS.startQps;
  const maxQps = f.num('maxQps', { min: 0.1, max: 1e6 }) ?? SEARCH_DEFAULTS.maxQps;
  if (maxQps < startQps) f.error('maxQps', `must be at least startQps (${startQps}), got ${maxQps}`);
  const probeMs = f.flagDuration('probe') ?? SEARCH_DEFAULTS.probeMs;
  if (probeMs < 200) f.error('probe', `a probe needs at least 200ms to measure anything, got ${probeMs}ms`);
  const spec: SearchSpec = {
    slo: slo ?? { latencyLessThanMs: {} },
    startQps,
    maxQps,
    probeMs,
    maxProbes: f.int('maxProbes', { min: 2, max: 50 }) ?? SEARCH_DEFAULTS.maxProbes,
    precision: f.num('precision', { min: 0.01, max: 1 }) ?? SEARCH_DEFAULTS.precision,
    maxConnections: f.int('maxConnections', { min: 1, max: 10_000 }) ?? SEARCH_DEFAULTS.maxConnections,
  };
  return slo ? spec : undefined;
}

function parseSlo(f: Fields): SearchSlo | undefined {
  const o = f.obj('slo', { required: true })?.allow(SLO);
  if (!o) return undefined;
  const latencyLessThanMs: SearchSlo['latencyLessThanMs'] = {};
  for (const p of PERCENTILES) {
    const v = o.num(`${p}LessThanMs`, { min: 0.001 });
    if (v !== undefined) latencyLessThanMs[p] = v;
  }
  const errorShareAtMost = o.num('errorShareAtMost', { min: 0, max: 1 });
  const slo: SearchSlo = { latencyLessThanMs, ...(errorShareAtMost !== undefined ? { errorShareAtMost } : {}) };
  if (Object.keys(latencyLessThanMs).length === 0 && errorShareAtMost === undefined) {
    if (Object.keys(o.value).length === 0) o.error(null, `an SLO needs at least one of ${SLO.join(', ')}`);
    return undefined;
  }
  return slo;
}
