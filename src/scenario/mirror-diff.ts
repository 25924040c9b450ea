// The mirror diff (docs/mirror-diff.md): pure comparison of captured primary and
// shadow responses. A response becomes a set of fields (`status`, `headers.<name>`,
// JSON leaves as `$.a.b[0]`, or `body` for text); a field is noise when two answers
// of the primary itself to the same request (the replay) differ on it about as often
// as primary and shadow do, as Diffy decides it.
// Noise and user ignore paths are counted apart from real differences.

import type { CapturedResponse, MirrorPair, MirrorTake } from '../mesh/api.js';

export interface MirrorDiffOptions {
  /** Response headers to compare (any case); omitted -> all but DEFAULT_IGNORED_HEADERS. */
  headers?: string[];
  /** Fields whose differences are expected: exact, or a prefix ending at a path boundary (`$.headers` covers `$.headers.Host`). */
  ignore?: string[];
}

/** Headers that differ per response or per hop by nature: not compared unless named in `headers`. */
export const DEFAULT_IGNORED_HEADERS = ['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'server'];

const ABSENT = '<absent>';
const EXAMPLE_CHARS = 120;

/** Field -> [value in a, value in b], for the fields where they differ. */
export type FieldDiffs = Map<string, [string, string]>;

/** `$.headers.Host`, `$.args["a b"]`, `$.list[2]`. */
function childPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Every leaf of a JSON value by path; empty containers are leaves. */
export function flattenJson(v: unknown, path = '$', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(v) && v.length) v.forEach((x, i) => flattenJson(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object' && Object.keys(v).length) {
    for (const [k, x] of Object.entries(v)) flattenJson(x, childPath(path, k), out);
  } else out.set(path, JSON.stringify(v));
  return out;
}

/** The body as JSON, or undefined when it is not (or was cut at the cap). */
function parseJsonBody(r: CapturedResponse): unknown {
  if (r.truncated) return undefined;
  const t = r.body.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

export function isIgnored(field: string, ignore: readonly string[]): boolean {
  return ignore.some((p) => field === p || (field.startsWith(p) && (field[p.length] === '.' || field[p.length] === '[')));
}

function headerMap(h: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!.toLowerCase();
    const prev = m.get(name);
    m.set(name, prev === undefined ? h[i + 1]! : `${prev}, ${h[i + 1]}`);
  }
  return m;
}

function diffMaps(a: Map<string, string>, b: Map<string, string>, names: Iterable<string>, field: (n: string) => string, out: FieldDiffs): void {
  for (const n of names) {
    const x = a.get(n) ?? ABSENT;
    const y = b.get(n) ?? ABSENT;
    if (x !== y) out.set(field(n), [x, y]);
  }
}

/** Where two responses differ: status, headers, body (JSON-aware). */
export function diffResponses(a: CapturedResponse, b: CapturedResponse, opts: MirrorDiffOptions = {}): FieldDiffs {
  const out: FieldDiffs = new Map();
  if (a.status !== b.status) out.set('status', [String(a.status), String(b.status)]);
  const ha = headerMap(a.headers);
  const hb = headerMap(b.headers);
  const names = opts.headers
    ? opts.headers.map((n) => n.toLowerCase())
    : [...new Set([...ha.keys(), ...hb.keys()])].filter((n) => !DEFAULT_IGNORED_HEADERS.includes(n));
  diffMaps(ha, hb, names, (n) => `headers.${n}`, out);
  const ja = parseJsonBody(a);
  const jb = parseJsonBody(b);
  if (ja !== undefined && jb !== undefined) {
    const fa = flattenJson(ja);
    const fb = flattenJson(jb);
    diffMaps(fa, fb, new Set([...fa.keys(), ...fb.keys()]), (p) => p, out);
  } else if (a.body !== b.body) {
    out.set('body', [a.body, b.body]);
  }
  return out;
}

/** How often each field differed between the primary and its own replay, over `replays` usable replays. */
export interface NoiseRates {
  replays: number;
  counts: Map<string, number>;
}

export function noiseRates(pairs: readonly MirrorPair[], opts: MirrorDiffOptions = {}): NoiseRates {
  const counts = new Map<string, number>();
  let replays = 0;
  for (const p of pairs) {
    if (!p.replay || p.replay.error !== undefined || p.primary.error !== undefined) continue;
    replays++;
    for (const f of diffResponses(p.primary, p.replay, opts).keys()) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  return { replays, counts };
}

/**
 * Diffy's thresholds: a field the primary disagrees with itself on is a real
 * difference only if the shadow differs on it clearly more often than the noise
 * (by more than 3 points absolute and 20 % relative); otherwise it is noise.
 */
export const NOISE_ABSOLUTE = 0.03;
export const NOISE_RELATIVE = 0.2;

export function isNoise(shadowRate: number, noiseRate: number): boolean {
  if (noiseRate <= 0) return false;
  return !(shadowRate - noiseRate > NOISE_ABSOLUTE && shadowRate > noiseRate * (1 + NOISE_RELATIVE));
}

export interface MirrorFieldCount {
  field: string;
  /** Pairs that differed on this field. */
  count: number;
  /** One such pair. */
  example: { requestId: string; path: string; primary: string; shadow: string };
}

export interface LatencyPair {
  p50: number;
  p99: number;
}

export interface MirrorSummary {
  /** Pairs where both primary and shadow answered. */
  compared: number;
  /** Compared pairs with no difference outside noise. */
  identical: number;
  /** Compared pairs with at least one difference outside noise. */
  differing: number;
  /** differing / compared. */
  differingShare: number;
  /** Compared pairs whose only differences were noisy fields (counted in identical). */
  noiseOnly: number;
  /** Every differing field, most frequent first (reports show the top ones). */
  fields: MirrorFieldCount[];
  /** Noisy fields (learnt from replays): primary/shadow pairs that differed on them. */
  noise: Array<{ field: string; count: number }>;
  /** Differences on the user's ignore paths, with their pair counts. */
  ignored: Array<{ field: string; count: number }>;
  /** Pairs that carried a primary replay. */
  replayed: number;
  shadowErrors: number;
  /** Of shadowErrors, the copies that never answered in time (the route timeout). */
  shadowTimeouts: number;
  primaryErrors: number;
  /** Mirrored requests captured (pairs taken, compared or not). */
  captured: number;
  /** Mirrored requests not captured (sampled out under load, or bounds of the capture). */
  skipped: number;
  /** Of the compared pairs, as the sidecar timed them. */
  latencyMs: { primary: LatencyPair; shadow: LatencyPair };
}

/** Nearest-rank percentile of sorted values (0 for none). */
function rank(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function latencies(xs: number[]): LatencyPair {
  const s = xs.sort((a, b) => a - b);
  return { p50: rank(s, 50), p99: rank(s, 99) };
}

function clip(s: string): string {
  return s.length > EXAMPLE_CHARS ? `${s.slice(0, EXAMPLE_CHARS)}…` : s;
}

export function summarizeMirror(take: MirrorTake, opts: MirrorDiffOptions = {}): MirrorSummary {
  const ignore = opts.ignore ?? [];
  const lat = { primary: [] as number[], shadow: [] as number[] };
  const s = { compared: 0, identical: 0, differing: 0, noiseOnly: 0, replayed: 0, shadowErrors: 0, shadowTimeouts: 0, primaryErrors: 0 };
  // Pass 1: each compared pair's differences, and how many pairs differ per field.
  const compared: Array<{ pair: MirrorPair; diffs: FieldDiffs }> = [];
  const perField = new Map<string, number>();
  for (const p of take.pairs) {
    if (p.replay) s.replayed++;
    if (p.primary.error !== undefined) s.primaryErrors++;
    else if (p.shadow.error !== undefined) {
      s.shadowErrors++;
      if (p.shadow.error === 'timeout') s.shadowTimeouts++;
    } else {
      const diffs = diffResponses(p.primary, p.shadow, opts);
      compared.push({ pair: p, diffs });
      for (const f of diffs.keys()) perField.set(f, (perField.get(f) ?? 0) + 1);
      lat.primary.push(p.primary.latencyMs);
      lat.shadow.push(p.shadow.latencyMs);
    }
  }
  s.compared = compared.length;
  // Pass 2: classify fields (ignored, noise, real), then pairs.
  const rates = noiseRates(take.pairs, opts);
  const noisy = new Set<string>();
  for (const [f, n] of perField) {
    const noiseN = rates.counts.get(f) ?? 0;
    if (!isIgnored(f, ignore) && rates.replays && isNoise(n / s.compared, noiseN / rates.replays)) noisy.add(f);
  }
  const fields = new Map<string, MirrorFieldCount>();
  const noise = new Map<string, number>();
  const ignored = new Map<string, number>();
  const bump = (m: Map<string, number>, f: string) => m.set(f, (m.get(f) ?? 0) + 1);
  for (const { pair: p, diffs } of compared) {
    let real = false;
    let noiseSeen = false;
    for (const [f, [a, b]] of diffs) {
      if (isIgnored(f, ignore)) bump(ignored, f);
      else if (noisy.has(f)) {
        bump(noise, f);
        noiseSeen = true;
      } else {
        real = true;
        const seen = fields.get(f);
        if (seen) seen.count++;
        else fields.set(f, { field: f, count: 1, example: { requestId: p.requestId, path: p.path, primary: clip(a), shadow: clip(b) } });
      }
    }
    if (real) s.differing++;
    else {
      s.identical++;
      if (noiseSeen) s.noiseOnly++;
    }
  }
  const byCount = <T extends { field: string; count: number }>(a: T, b: T) => b.count - a.count || a.field.localeCompare(b.field);
  const counted = (m: Map<string, number>) => [...m].map(([field, count]) => ({ field, count })).sort(byCount);
  return {
    compared: s.compared,
    identical: s.identical,
    differing: s.differing,
    differingShare: s.compared ? s.differing / s.compared : 0,
    noiseOnly: s.noiseOnly,
    fields: [...fields.values()].sort(byCount),
    noise: counted(noise),
    ignored: counted(ignored),
    replayed: s.replayed,
    shadowErrors: s.shadowErrors,
    shadowTimeouts: s.shadowTimeouts,
    primaryErrors: s.primaryErrors,
    captured: take.pairs.length,
    skipped: take.skipped,
    latencyMs: { primary: latencies(lat.primary), shadow: latencies(lat.shadow) },
  };
}
