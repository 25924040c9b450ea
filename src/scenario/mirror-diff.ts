// The mirror diff (docs/mirror-diff.md): pure comparison of captured primary and
// shadow responses. A response becomes a set of fields (`status`, `headers.<name>`,
// JSON leaves as `$.a.b[0]`, or `body` for text); a field is noise when two answers
// of the primary itself to the same request (the replay) differ on it, as Diffy does.
// Noise and user ignore paths are reported apart from real differences.

import type { CapturedResponse, MirrorPair, MirrorTake } from '../mesh/api.js';

export interface MirrorDiffOptions {
  /** Response headers to compare (any case); omitted -> all but DEFAULT_IGNORED_HEADERS. */
  headers?: string[];
  /** Fields never compared: exact, or a prefix ending at a path boundary (`$.headers` covers `$.headers.Host`). */
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

/** Where two responses differ: status, headers, body (JSON-aware), minus ignored fields. */
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
  const ignore = opts.ignore ?? [];
  if (ignore.length) for (const f of [...out.keys()]) if (isIgnored(f, ignore)) out.delete(f);
  return out;
}

/** Fields on which the primary disagreed with its own replay: noise. */
export function noisyFields(pairs: readonly MirrorPair[], opts: MirrorDiffOptions = {}): Set<string> {
  const noisy = new Set<string>();
  for (const p of pairs) {
    if (!p.replay || p.replay.error !== undefined || p.primary.error !== undefined) continue;
    for (const f of diffResponses(p.primary, p.replay, opts).keys()) noisy.add(f);
  }
  return noisy;
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
  /** Noisy fields (learnt from replays) with the number of primary/shadow pairs that differed on them. */
  noise: Array<{ field: string; count: number }>;
  /** Pairs that carried a primary replay. */
  replayed: number;
  shadowErrors: number;
  primaryErrors: number;
  /** Mirrored requests not captured (bounds of the capture). */
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
  const noisy = noisyFields(take.pairs, opts);
  const fields = new Map<string, MirrorFieldCount>();
  const noise = new Map<string, number>();
  const lat = { primary: [] as number[], shadow: [] as number[] };
  const s = { compared: 0, identical: 0, differing: 0, noiseOnly: 0, replayed: 0, shadowErrors: 0, primaryErrors: 0 };
  for (const p of take.pairs) {
    if (p.replay) s.replayed++;
    if (p.primary.error !== undefined) {
      s.primaryErrors++;
      continue;
    }
    if (p.shadow.error !== undefined) {
      s.shadowErrors++;
      continue;
    }
    s.compared++;
    lat.primary.push(p.primary.latencyMs);
    lat.shadow.push(p.shadow.latencyMs);
    const diffs = diffResponses(p.primary, p.shadow, opts);
    let real = false;
    for (const [f, [a, b]] of diffs) {
      if (noisy.has(f)) {
        noise.set(f, (noise.get(f) ?? 0) + 1);
        continue;
      }
      real = true;
      const seen = fields.get(f);
      if (seen) seen.count++;
      else fields.set(f, { field: f, count: 1, example: { requestId: p.requestId, path: p.path, primary: clip(a), shadow: clip(b) } });
    }
    if (real) s.differing++;
    else {
      s.identical++;
      if (diffs.size) s.noiseOnly++;
    }
  }
  const byCount = <T extends { field: string; count: number }>(a: T, b: T) => b.count - a.count || a.field.localeCompare(b.field);
  return {
    compared: s.compared,
    identical: s.identical,
    differing: s.differing,
    differingShare: s.compared ? s.differing / s.compared : 0,
    noiseOnly: s.noiseOnly,
    fields: [...fields.values()].sort(byCount),
    noise: [...noisy].map((field) => ({ field, count: noise.get(field) ?? 0 })).sort(byCount),
    replayed: s.replayed,
    shadowErrors: s.shadowErrors,
    primaryErrors: s.primaryErrors,
    skipped: take.skipped,
    latencyMs: { primary: latencies(lat.primary), shadow: latencies(lat.shadow) },
  };
}
