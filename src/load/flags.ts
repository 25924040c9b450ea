// fortio's `load` flags, spelled as fortio spells them (single dash, Go's flag
// package rules: `-c 4`, `-c=4`, `--c 4`; booleans take `-x` or `-x=false`),
// plus meshbench's `--workers`. Parsed and normalized once into LoadOptions.

import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { FlagError } from '../errors.js';
import type { LoadOptions } from './types.js';
import { parseGoDuration } from '../mesh/config/duration.js';

/** What the CLI needs beside the run options. */
export interface LoadOutputOptions {
  /** -json: undefined = no JSON, '-' = stdout, else a file path. */
  json?: string;
  quiet: boolean;
}

export interface ParsedLoadFlags {
  options: LoadOptions;
  output: LoadOutputOptions;
}

/** fortio's log levels, in order (fortio log package). */
export const LOG_LEVELS = ['Debug', 'Verbose', 'Info', 'Warning', 'Error', 'Critical', 'Fatal'] as const;

export function defaultLoadOptions(url = ''): LoadOptions {
  return {
    url,
    connections: 4,
    qps: 8,
    exactly: 0,
    durationMs: 5000,
    headers: [],
    method: 'GET',
    payload: null,
    contentType: '',
    percentiles: [50, 75, 90, 99, 99.9],
    resolution: 0.001,
    offsetMs: 0,
    uniform: false,
    jitter: false,
    noCatchUp: false,
    timeoutMs: 3000,
    allowInitialErrors: false,
    abortOn: 0,
    keepalive: true,
    labels: '',
    runId: 0,
    workers: 0,
    logLevel: 'Info',
  };
}

type Kind = 'bool' | 'int' | 'float' | 'duration' | 'string';
interface FlagSpec {
  kind: Kind;
  apply(st: State, v: string | boolean, flag: string): void;
}
interface State {
  o: LoadOptions;
  out: LoadOutputOptions;
  payloadSize: number;
  payloadFile?: string;
  payloadText?: string;
  methodSet: boolean;
}

const SPECS: Record<string, FlagSpec> = {
  c: { kind: 'int', apply: (s, v, f) => (s.o.connections = positive(f, v as string)) },
  qps: { kind: 'float', apply: (s, v) => (s.o.qps = Math.max(0, num(v))) },
  n: { kind: 'int', apply: (s, v, f) => (s.o.exactly = nonNegative(f, v as string)) },
  t: { kind: 'duration', apply: (s, v) => (s.o.durationMs = num(v)) },
  H: { kind: 'string', apply: (s, v, f) => s.o.headers.push(header(f, v as string)) },
  payload: { kind: 'string', apply: (s, v) => (s.payloadText = v as string) },
  'payload-file': { kind: 'string', apply: (s, v) => (s.payloadFile = v as string) },
  'payload-size': { kind: 'int', apply: (s, v, f) => (s.payloadSize = nonNegative(f, v as string)) },
  'content-type': { kind: 'string', apply: (s, v) => (s.o.contentType = v as string) },
  X: { kind: 'string', apply: (s, v, f) => ((s.o.method = method(f, v as string)), (s.methodSet = true)) },
  p: { kind: 'string', apply: (s, v, f) => (s.o.percentiles = percentiles(f, v as string)) },
  r: { kind: 'float', apply: (s, v, f) => (s.o.resolution = positiveFloat(f, v as string)) },
  offset: { kind: 'duration', apply: (s, v) => (s.o.offsetMs = num(v)) },
  uniform: { kind: 'bool', apply: (s, v) => (s.o.uniform = v as boolean) },
  jitter: { kind: 'bool', apply: (s, v) => (s.o.jitter = v as boolean) },
  nocatchup: { kind: 'bool', apply: (s, v) => (s.o.noCatchUp = v as boolean) },
  timeout: { kind: 'duration', apply: (s, v) => (s.o.timeoutMs = num(v)) },
  'allow-initial-errors': { kind: 'bool', apply: (s, v) => (s.o.allowInitialErrors = v as boolean) },
  'abort-on': { kind: 'int', apply: (s, v) => (s.o.abortOn = Number(v)) },
  json: { kind: 'string', apply: (s, v) => (s.out.json = v as string) },
  labels: { kind: 'string', apply: (s, v) => (s.o.labels = v as string) },
  runid: { kind: 'int', apply: (s, v) => (s.o.runId = Number(v)) },
  loglevel: { kind: 'string', apply: (s, v, f) => (s.o.logLevel = logLevel(f, v as string)) },
  quiet: { kind: 'bool', apply: (s, v) => (s.out.quiet = v as boolean) },
  keepalive: { kind: 'bool', apply: (s, v) => (s.o.keepalive = v as boolean) },
  workers: { kind: 'int', apply: (s, v, f) => (s.o.workers = nonNegative(f, v as string)) },
};

/**
 * Parse `bench load` arguments. Flags and the URL may come in any order (fortio
 * wants the URL last; we are lenient). Exactly one URL is required.
 */
export function parseLoadFlags(argv: string[]): ParsedLoadFlags {
  const st: State = { o: defaultLoadOptions(), out: { quiet: false }, payloadSize: 0, methodSet: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const flag = `-${name}`;
    const spec = Object.hasOwn(SPECS, name) ? SPECS[name] : undefined;
    if (!spec) throw new FlagError(`${flag}: unknown flag (fortio load flags: ${Object.keys(SPECS).map((k) => '-' + k).join(' ')})`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.kind === 'bool') {
      let b = true;
      if (raw !== undefined) {
        if (/^(true|t|1)$/i.test(raw)) b = true;
        else if (/^(false|f|0)$/i.test(raw)) b = false;
        else throw new FlagError(`${flag}: invalid value "${raw}": expected true or false`);
      }
      spec.apply(st, b, flag);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(`${flag}: missing value`);
      raw = argv[++i];
    }
    spec.apply(st, convert(spec.kind, flag, raw), flag);
  }
  if (positional.length === 0) throw new FlagError('missing URL (usage: bench load [flags] URL)');
  if (positional.length > 1) {
    throw new FlagError(`unexpected argument "${positional[1]}": exactly one URL expected (flags go before it)`);
  }
  st.o.url = checkUrl(positional[0]);
  if (st.out.quiet) st.o.logLevel = 'Error';
  applyPayload(st);
  return { options: st.o, output: st.out };
}

function convert(kind: Kind, flag: string, raw: string): string {
  switch (kind) {
    case 'int':
      if (!/^[-+]?\d+$/.test(raw.trim())) throw new FlagError(`${flag}: invalid value "${raw}": expected a whole number`);
      return String(Number(raw));
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new FlagError(`${flag}: invalid value "${raw}": expected a number`);
      return String(v);
    }
    case 'duration': {
      const ms = parseGoDurationMs(raw);
      if (ms === undefined || ms < 0) {
        throw new FlagError(`${flag}: invalid value "${raw}": expected a duration like 5s, 100ms, 1m30s`);
      }
      return String(ms);
    }
    default:
      return raw;
  }
}

/** Go's time.ParseDuration, in milliseconds; undefined when malformed. "0" alone needs no unit. */
export function parseGoDurationMs(s: string): number | undefined {
  const ns = parseGoDuration(s.trim());
  return typeof ns === 'string' ? undefined : Number(ns) / 1e6;
}

function num(v: string | boolean): number {
  return Number(v);
}
function positive(flag: string, v: string): number {
  const n = Number(v);
  if (n < 1) throw new FlagError(`${flag}: invalid value "${v}": expected a number >= 1`);
  return n;
}
function nonNegative(flag: string, v: string): number {
  const n = Number(v);
  if (n < 0) throw new FlagError(`${flag}: invalid value "${v}": expected a number >= 0`);
  return n;
}
function positiveFloat(flag: string, v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new FlagError(`${flag}: invalid value "${v}": expected a number > 0`);
  return n;
}

function header(flag: string, v: string): [string, string] {
  const colon = v.indexOf(':');
  const name = colon > 0 ? v.slice(0, colon).trim() : '';
  if (!name || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new FlagError(`${flag}: invalid value "${v}": expected "Name: value"`);
  }
  return [name, v.slice(colon + 1).trim()];
}

function method(flag: string, v: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v)) throw new FlagError(`${flag}: invalid value "${v}": expected an HTTP method`);
  return v.toUpperCase();
}

function percentiles(flag: string, v: string): number[] {
  const parts = v.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n) || n < 0 || n > 100) {
      throw new FlagError(`${flag}: invalid value "${v}": expected comma separated percentiles between 0 and 100`);
    }
    out.push(n);
  }
  return out;
}

function logLevel(flag: string, v: string): string {
  const hit = LOG_LEVELS.find((l) => l.toLowerCase() === v.trim().toLowerCase());
  if (!hit) throw new FlagError(`${flag}: invalid value "${v}": expected one of ${LOG_LEVELS.join(', ')}`);
  return hit;
}

function checkUrl(raw: string): string {
  // fortio adds http:// when the scheme is missing.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new FlagError(`invalid URL "${raw}"`);
  }
  if (u.protocol !== 'http:') throw new FlagError(`URL "${raw}": only http:// is supported (got ${u.protocol})`);
  if (!u.hostname) throw new FlagError(`invalid URL "${raw}": no host`);
  return withScheme;
}

function applyPayload(st: State): void {
  const o = st.o;
  if (st.payloadFile !== undefined) {
    try {
      o.payload = readFileSync(st.payloadFile);
    } catch (e) {
      throw new FlagError(`-payload-file: cannot read "${st.payloadFile}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  } else if (st.payloadText !== undefined && st.payloadText !== '') {
    o.payload = Buffer.from(st.payloadText, 'utf8');
  } else if (st.payloadSize > 0) {
    o.payload = randomBytes(st.payloadSize);
  }
  // fortio: any payload or content type switches the default GET to POST.
  if (!st.methodSet && (o.payload !== null || o.contentType !== '')) o.method = 'POST';
}
