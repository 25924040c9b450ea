// fortio's echo server (`fortio server`, port 8080): every path echoes the
// request body; query arguments shape the reply (peers.md §2.6). Parsing and
// probability rolls follow fortio fhttp/http_server.go EchoHandler and
// http_utils.go generateStatus/generateDelay/generateSize/generateClose:
// percentages are cumulative, rolled once per request with 100*rand <= w.

import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { FORTIO_VERSION as VERSION } from '../../report/fortio-version.js';
import { goDurationMs } from '../config/duration.js';
import { AppServer, type HeaderList, peerAddress, readBody, serve, splitTarget } from './server.js';
import { formatAuthority } from '../authority.js';

/** fortio -max-echo-delay default. */
export const MAX_ECHO_DELAY_MS = 1500;
/** fortio -maxpayloadsizekb default (256 KiB). */
export const MAX_PAYLOAD = 256 * 1024;

// fnet.Payload: one random buffer generated at start, sliced for size= replies.
let payload: Buffer | undefined;

export function startFortioEcho(ctx: AppContext): Promise<RunningApp> {
  const started = Date.now();
  return serve(ctx, (req, res, app) => {
    const { path, query } = splitTarget(req.url);
    // ServeMux pattern "/debug" is exact; "/debug/..." falls through to the echo handler.
    if (path === '/debug') {
      debug(req, res, app, query, started);
      return;
    }
    echo(req, res, app, query);
  });
}

/** Go's url.Values.Get: first value of a query argument ('' when absent). */
function formValues(query: string): URLSearchParams | null {
  return query === '' ? null : new URLSearchParams(query);
}

function echo(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string): void {
  readBody(req).then(
    (data) => {
      const q = formValues(query);
      const delay = q ? generateDelay(q.get('delay') ?? '') : -1;
      if (delay > 0) app.later(delay, req, res, () => reply(req, res, app, q, data));
      else reply(req, res, app, q, data);
    },
    () => res.destroy(),
  ).catch(() => app.internalError(req, res));
}

function reply(req: IncomingMessage, res: ServerResponse, app: AppServer, q: URLSearchParams | null, data: Buffer): void {
  const statusStr = q?.get('status') ?? '';
  const status = statusStr !== '' ? generateStatus(statusStr) : 200;
  const h: HeaderList = [];
  if (q && generateProbability(q.get('close') ?? '')) h.push('Connection', 'close');
  if (q) {
    for (const hdr of q.getAll('header')) {
      if (hdr === '') continue;
      const colon = hdr.indexOf(':');
      if (colon < 0) continue; // fortio logs "invalid extra header" and skips it
      const name = hdr.slice(0, colon);
      const value = hdr.slice(colon + 1).trim();
      if (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) && /^[\t\x20-\x7e]*$/.test(value)) h.push(canonicalHeaderKey(name), value);
    }
  }
  const size = q ? generateSize(q.get('size') ?? '') : -1;
  let body: Buffer;
  if (size >= 0) {
    payload ??= randomBytes(MAX_PAYLOAD);
    h.push('Content-Type', 'application/octet-stream');
    body = payload.subarray(0, size);
  } else {
    // echo back Content-Type (Go sniffs one when the client sent none)
    const ct = req.headers['content-type'];
    if (ct !== undefined) h.push('Content-Type', ct);
    else if (data.length > 0) h.push('Content-Type', sniff(data));
    body = data;
  }
  if (q && generateProbability(q.get('gzip') ?? '') && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
    h.push('Content-Encoding', 'gzip');
    body = gzipSync(body);
  }
  if (status < 200 || status > 999) {
    // Go would write any 3-digit code; Node cannot send 1xx as final. Answer 400 like a bad status= does.
    app.send(req, res, 400, h, body);
    return;
  }
  if (status === 204 || status === 304) {
    if (!res.destroyed) {
      res.writeHead(status, h);
      res.end();
    }
    app.account(req, status, 0);
    return;
  }
  app.send(req, res, status, h, body);
}

function sniff(data: Buffer): string {
  const head = data.subarray(0, 512);
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return 'application/octet-stream';
  }
  const s = head.toString('latin1').trimStart().toLowerCase();
  if (s.startsWith('<!doctype html') || s.startsWith('<html')) return 'text/html; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

/** Go textproto.CanonicalMIMEHeaderKey: `x-my-header` -> `X-My-Header`. */
export function canonicalHeaderKey(name: string): string {
  let out = '';
  let upper = true;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

// ---------------------------------------------------------------------------
// Probability tables: `v` (100 %) or `v1:p1,v2:p2` (cumulative %, remainder = default)

function removeTrailingPercent(s: string): string {
  return s.endsWith('%') ? s.slice(0, -1) : s;
}

/** stats.Round: 3 decimals, so 33.333+33.333+33.334 is exactly 100. */
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

interface Table<T> {
  values: T[];
  cum: number[];
}

/** Parses `a:p,b:q`; null when malformed or the sum exceeds 100. */
function parseTable<T>(input: string, parseValue: (s: string) => T | null): Table<T> | null {
  const values: T[] = [];
  const cum: number[] = [];
  let last = 0;
  for (const entry of input.split(',')) {
    const parts = entry.split(':');
    if (parts.length !== 2) return null;
    const v = parseValue(parts[0]);
    if (v === null) return null;
    const p = goParseFloat(removeTrailingPercent(parts[1]));
    if (p === null || p < 0 || p > 100) return null;
    last += p;
    const c = round3(last);
    if (c > 100) return null;
    values.push(v);
    cum.push(c);
  }
  return { values, cum };
}

function roll<T>(t: Table<T>, fallback: T, random: () => number): T {
  const r = 100 * random();
  for (let i = 0; i < t.cum.length; i++) if (r <= t.cum[i]) return t.values[i];
  return fallback;
}

function goAtoi(s: string): number | null {
  return /^[+-]?\d+$/.test(s) ? Number(s) : null;
}

function goParseFloat(s: string): number | null {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    const l = s.toLowerCase();
    if (l === 'inf' || l === '+inf' || l === 'infinity') return Infinity;
    return null;
  }
  return Number(s);
}

/** `503` or `503:20,429:1.5` -> a status; 400 when malformed (fortio's answer to bad input). */
export function generateStatus(input: string, random: () => number = Math.random): number {
  if (!input.includes(',') && !input.includes(':')) {
    const s = goAtoi(input);
    return s === null ? 400 : s;
  }
  const t = parseTable(input, goAtoi);
  return t ? roll(t, 200, random) : 400;
}

/** `10ms` or `10ms:50,1s:5` -> milliseconds (capped at 1.5 s); -1 when absent/malformed, 0 for the remainder. */
export function generateDelay(input: string, random: () => number = Math.random, maxMs = MAX_ECHO_DELAY_MS): number {
  if (input === '') return -1;
  const cap = (d: number) => (d > maxMs ? maxMs : d);
  if (!input.includes(',') && !input.includes(':')) {
    const d = goDurationMs(input);
    return typeof d === 'string' ? -1 : cap(d);
  }
  const t = parseTable(input, (s) => {
    const d = goDurationMs(s);
    return typeof d === 'string' ? null : cap(d);
  });
  return t ? roll(t, 0, random) : -1;
}

/** `1024` or `1024:10,512:5` -> payload bytes; -1 = echo the request body. */
export function generateSize(input: string, random: () => number = Math.random): number {
  if (input === '') return -1;
  const valid = (n: number) => (n < 0 ? 0 : n > MAX_PAYLOAD ? MAX_PAYLOAD : n);
  if (!input.includes(',') && !input.includes(':')) {
    const s = goAtoi(input);
    return s === null ? -1 : valid(s);
  }
  const t = parseTable(input, (s) => {
    const n = goAtoi(s);
    return n === null ? null : valid(n);
  });
  return t ? roll(t, -1, random) : -1;
}

/** `close=` / `gzip=`: '' or false -> no; true or unparsable -> yes; a number -> that % chance. */
export function generateProbability(value: string, random: () => number = Math.random): boolean {
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const p = goParseFloat(removeTrailingPercent(value));
  if (p === null) return true;
  return 100 * random() <= p;
}

// ---------------------------------------------------------------------------
// /debug: the request as text (DebugHandler)

function debug(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string, started: number): void {
  readBody(req).then(
    (data) => {
      const up = Math.round((Date.now() - started) / 100) / 10;
      let out =
        `Φορτίο version ${VERSION} meshbench echo debug server up for ${up}s on ${app.ctx.instance.pod} - request from ` +
        `${formatAuthority(peerAddress(req), req.socket.remotePort ?? 0)}\n\n${req.method} ${req.url} HTTP/${req.httpVersion}\n\nheaders:\n\nHost: ${req.headers.host ?? ''}`;
      const byName = new Map<string, string>();
      const raw = req.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) {
        const k = canonicalHeaderKey(raw[i]);
        if (k === 'Host') continue;
        const prev = byName.get(k);
        byName.set(k, prev === undefined ? raw[i + 1] : prev + ',' + raw[i + 1]);
      }
      for (const k of [...byName.keys()].sort()) out += '\n' + k + ': ' + byName.get(k);
      out += '\n\nbody:\n\n' + debugSummary(data, 512) + '\n';
      if (formValues(query)?.get('env') === 'dump') {
        out += '\nenvironment:\n\n';
        for (const [k, v] of Object.entries(app.ctx.instance.env)) out += `${k}=${v}\n`;
      }
      app.send(req, res, 200, ['Content-Type', 'text/plain; charset=UTF-8'], out);
    },
    () => res.destroy(),
  ).catch(() => app.internalError(req, res));
}

function debugSummary(buf: Buffer, max: number): string {
  if (buf.length <= max + 3) return buf.toString('utf8');
  const half = max / 2;
  return `${buf.length}: ${buf.subarray(0, half).toString('utf8')}...${buf.subarray(buf.length - half).toString('utf8')}`;
}
