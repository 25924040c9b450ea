// fortio's `load` flags, spelled as fortio spells them (single dash), plus
// meshbench's `--workers`: the flag table and fortio's rules that turn the
// parsed values into LoadOptions. Parsing argv is the CLI's (src/cli/flags.ts).

import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { FlagError } from '../errors.js';
import type { LoadOptions } from './types.js';

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
    stdClient: false,
    labels: '',
    runId: 0,
    workers: 0,
    logLevel: 'Info',
  };
}

/**
 * fortio's load flags, as data: the CLI parses argv with its one flag parser
 * (src/cli/flags.ts) and hands the values to normalizeLoadFlags. Not given =
 * undefined: fortio's defaults are defaultLoadOptions().
 */
export const LOAD_FLAGS = [
  { name: 'c', dash: '-', kind: 'int', arg: 'N', help: 'number of connections (default 4)' },
  { name: 'qps', dash: '-', kind: 'number', arg: 'QPS', help: 'queries per second in total, 0 or negative = max (default 8)' },
  { name: 'n', dash: '-', kind: 'int', arg: 'N', help: 'run for exactly this many calls instead of a duration' },
  { name: 't', dash: '-', kind: 'duration', arg: 'DURATION', help: 'how long to run (default 5s)' },
  { name: 'H', dash: '-', kind: 'string', repeatable: true, arg: '"NAME: VALUE"', help: 'add a request header' },
  { name: 'payload', dash: '-', kind: 'string', arg: 'TEXT', help: 'request body (switches GET to POST)' },
  { name: 'payload-file', dash: '-', kind: 'string', arg: 'FILE', help: 'request body from a file' },
  { name: 'payload-size', dash: '-', kind: 'int', arg: 'BYTES', help: 'random request body of this size' },
  { name: 'content-type', dash: '-', kind: 'string', arg: 'TYPE', help: 'Content-Type of the body (switches GET to POST)' },
  { name: 'X', dash: '-', kind: 'string', arg: 'METHOD', help: 'HTTP method' },
  { name: 'p', dash: '-', kind: 'string', arg: 'LIST', help: 'percentiles to report (default "50,75,90,99,99.9")' },
  { name: 'r', dash: '-', kind: 'number', arg: 'SECONDS', help: 'histogram resolution (default 0.001)' },
  { name: 'offset', dash: '-', kind: 'duration', arg: 'DURATION', help: 'offset of the histogram data' },
  { name: 'uniform', dash: '-', kind: 'bool', help: 'spread the calls of each connection uniformly' },
  { name: 'jitter', dash: '-', kind: 'bool', help: 'add +/-10% jitter to the sleep between calls' },
  { name: 'nocatchup', dash: '-', kind: 'bool', help: 'do not catch up with the schedule after a slow call' },
  { name: 'timeout', dash: '-', kind: 'duration', arg: 'DURATION', help: 'per-call timeout (default 3s)' },
  { name: 'allow-initial-errors', dash: '-', kind: 'bool', help: 'do not abort on errors of the warmup calls' },
  { name: 'abort-on', dash: '-', kind: 'int', arg: 'CODE', help: 'stop the run at the first response with this code (-1 = socket errors)' },
  { name: 'json', dash: '-', kind: 'string', arg: 'FILE', help: 'write fortio JSON results to FILE (- = stdout)' },
  { name: 'labels', dash: '-', kind: 'string', arg: 'TEXT', help: 'labels of the run, in the report and JSON' },
  { name: 'runid', dash: '-', kind: 'int', arg: 'N', help: 'run id, in the JSON' },
  { name: 'loglevel', dash: '-', kind: 'string', arg: 'LEVEL', help: `log level (${LOG_LEVELS.join(', ')}; default Info)` },
  { name: 'quiet', dash: '-', kind: 'bool', help: 'only errors (log level Error)' },
  { name: 'keepalive', dash: '-', kind: 'bool', help: 'reuse connections (default true)' },
  { name: 'stdclient', dash: '-', kind: 'bool', help: 'use the standard HTTP client (undici) instead of the fast raw-socket one' },
  { name: 'workers', dash: '--', kind: 'int', arg: 'N', help: 'load worker threads (meshbench; default: by connections and cores)' },
] as const;

/** What the parser hands over: LOAD_FLAGS' values by name (undefined = not given). */
export interface LoadFlagValues {
  c?: number;
  qps?: number;
  n?: number;
  t?: number;
  H: string[];
  payload?: string;
  'payload-file'?: string;
  'payload-size'?: number;
  'content-type'?: string;
  X?: string;
  p?: string;
  r?: number;
  offset?: number;
  uniform?: boolean;
  jitter?: boolean;
  nocatchup?: boolean;
  timeout?: number;
  'allow-initial-errors'?: boolean;
  'abort-on'?: number;
  json?: string;
  labels?: string;
  runid?: number;
  loglevel?: string;
  quiet?: boolean;
  keepalive?: boolean;
  stdclient?: boolean;
  workers?: number;
}

/**
 * fortio's rules on top of the parsed values: ranges, header and method syntax,
 * -quiet, the payload sources and GET -> POST. `url` is the one positional argument.
 */
export function normalizeLoadFlags(v: LoadFlagValues, positional: string[]): ParsedLoadFlags {
  const o = defaultLoadOptions();
  const set = <K extends keyof LoadOptions>(k: K, x: LoadOptions[K] | undefined) => {
    if (x !== undefined) o[k] = x;
  };
  set('connections', v.c === undefined ? undefined : atLeast('-c', v.c, 1));
  if (v.qps !== undefined) o.qps = Math.max(0, v.qps);
  set('exactly', v.n === undefined ? undefined : atLeast('-n', v.n, 0));
  set('durationMs', v.t);
  o.headers = v.H.map((h) => header('-H', h));
  set('contentType', v['content-type']);
  set('method', v.X === undefined ? undefined : method('-X', v.X));
  set('percentiles', v.p === undefined ? undefined : percentiles('-p', v.p));
  if (v.r !== undefined && !(v.r > 0)) throw new FlagError(`-r: invalid value "${v.r}": expected a number > 0`);
  set('resolution', v.r);
  set('offsetMs', v.offset);
  set('uniform', v.uniform);
  set('jitter', v.jitter);
  set('noCatchUp', v.nocatchup);
  set('timeoutMs', v.timeout);
  set('allowInitialErrors', v['allow-initial-errors']);
  set('abortOn', v['abort-on']);
  set('labels', v.labels);
  set('runId', v.runid);
  set('logLevel', v.loglevel === undefined ? undefined : logLevel('-loglevel', v.loglevel));
  set('keepalive', v.keepalive);
  set('stdClient', v.stdclient);
  set('workers', v.workers === undefined ? undefined : atLeast('--workers', v.workers, 0));
  const quiet = v.quiet ?? false;
  if (quiet) o.logLevel = 'Error';
  if (positional.length === 0) throw new FlagError('missing URL (usage: bench load [flags] URL)');
  if (positional.length > 1) {
    throw new FlagError(`unexpected argument "${positional[1]}": exactly one URL expected (flags go before it)`);
  }
  o.url = checkUrl(positional[0]);
  const payloadSize = v['payload-size'] === undefined ? 0 : atLeast('-payload-size', v['payload-size'], 0);
  applyPayload(o, { file: v['payload-file'], text: v.payload, size: payloadSize, methodSet: v.X !== undefined });
  return { options: o, output: { json: v.json, quiet } };
}

function atLeast(flag: string, n: number, min: number): number {
  if (n < min) throw new FlagError(`${flag}: invalid value "${n}": expected a number >= ${min}`);
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

function applyPayload(o: LoadOptions, p: { file?: string; text?: string; size: number; methodSet: boolean }): void {
  if (p.file !== undefined) {
    try {
      o.payload = readFileSync(p.file);
    } catch (e) {
      throw new FlagError(`-payload-file: cannot read "${p.file}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  } else if (p.text !== undefined && p.text !== '') {
    o.payload = Buffer.from(p.text, 'utf8');
  } else if (p.size > 0) {
    o.payload = randomBytes(p.size);
  }
  // fortio: any payload or content type switches the default GET to POST.
  if (!p.methodSet && (o.payload !== null || o.contentType !== '')) o.method = 'POST';
}
