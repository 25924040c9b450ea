// What every httpbin endpoint family works with: one request/response pair and
// the flavour of httpbin answering it. The Python app (kennethreitz/httpbin,
// Flask under gunicorn) and the Go port (mccutchen/go-httpbin) share the
// endpoints' logic; the flavour holds what differs between them: the JSON
// encoder, the request echo's shape, the default text type and the errors.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PyValue } from '../pyjson.js';
import type { AppServer, HeaderList } from '../server.js';
import { parseGoDuration } from '../../config/duration.js';
import { PY_STATUS_BODIES, sendStatusCode } from '../status-code.js';

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  app: AppServer;
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  method: string;
}

export type Json = PyValue;
export type JsonObject = { [k: string]: PyValue | undefined };

export interface Flavor {
  /** 'python' (httpbin 0.9.2) or 'go' (go-httpbin). */
  readonly kind: 'python' | 'go';
  /** Content-Type of plain answers (Flask's Response default vs go-httpbin's text). */
  readonly textType: string;
  /** Headers every answer starts with (CORS, Server), then this Content-Type. */
  headers(req: IncomingMessage, contentType: string): HeaderList;
  /** A JSON document in the app's encoding, with the app's JSON Content-Type. */
  json(x: Exchange, value: JsonObject, status?: number, extra?: HeaderList): void;
  /** The same JSON text, for bodies that are then compressed. */
  encode(value: JsonObject): string;
  /** One compact JSON line of a stream (Python json.dumps / Go json.Marshal), no newline. */
  line(value: JsonObject): string;
  /** An error answer: Flask/werkzeug's HTML page or go-httpbin's JSON error. */
  fail(x: Exchange, status: number, detail?: string, extra?: HeaderList): void;
  /** The GET echo: url, args, headers, origin (and method in go-httpbin). */
  echo(x: Exchange): JsonObject;
  /** Echo for /gzip, /deflate, /brotli: origin, headers, method (+ args in Go). */
  compressedEcho(x: Exchange): JsonObject;
  /** The request's query as the app shows it (semiflattened vs lists). */
  args(x: Exchange): JsonObject;
  /** Origin as the app reports it. */
  origin(x: Exchange): string;
}

/** Query parameter lookup (first value), lazily parsed once per exchange. */
const parsed = new WeakMap<Exchange, URLSearchParams>();
export function params(x: Exchange): URLSearchParams {
  let p = parsed.get(x);
  if (p === undefined) {
    p = new URLSearchParams(x.query);
    parsed.set(x, p);
  }
  return p;
}

/** Python CaseInsensitiveDict(request.args.items()).get(name): case-insensitive, last value wins. */
export function argCI(x: Exchange, name: string): string | undefined {
  let found: string | undefined;
  const want = name.toLowerCase();
  for (const [k, v] of params(x)) if (k.toLowerCase() === want) found = v;
  return found;
}

/** Send a complete answer with the flavour's base headers. */
export function sendText(x: Exchange, f: Flavor, status: number, contentType: string, body: string | Buffer, extra: HeaderList = []): void {
  const h = f.headers(x.req, contentType);
  for (const v of extra) h.push(v);
  x.app.send(x.req, x.res, status, h, body);
}

/** Python int() of a query value (blanks and sign allowed), else null. */
export function pyInt(s: string): number | null {
  return /^\s*[+-]?\d+\s*$/.test(s) ? Number(s) : null;
}

/** Python float(): decimal, exponent, inf, nan, surrounding blanks. */
export function pyFloat(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

/** Go strconv.Atoi, else null. */
export function goAtoi(s: string): number | null {
  return /^[+-]?\d+$/.test(s) ? Number(s) : null;
}

/** go-httpbin parseDuration: a Go duration, else seconds as a float; milliseconds, or null. */
export function goHttpbinDurationMs(s: string): number | null {
  const ns = parseGoDuration(s);
  if (typeof ns === 'bigint') return Number(ns) / 1e6;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) return null;
  return Math.trunc(Number(s) * 1000);
}

/** Python helpers.status_code(code): the code's own body and headers, Flask's default type. */
export function pyStatus(x: Exchange, f: Flavor, code: number, extra: HeaderList = []): void {
  sendStatusCode(x.req, x.res, x.app, code, [...f.headers(x.req, 'text/html; charset=utf-8'), ...extra], PY_STATUS_BODIES);
}
