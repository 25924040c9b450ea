// Streamed answers: /stream/<n> (JSON lines), /stream-bytes/<n>, /drip (bytes
// spread over a duration), /range/<n> (byte ranges, optionally paced) and
// go-httpbin's /sse and /jsonl. Pieces really go out one by one with their
// pauses (pace.ts), so a route timeout meets a slow drip as it would meet the
// real app. core.py stream_n_messages, stream_random_bytes, drip,
// range_request; go-httpbin Stream, StreamBytes, Drip, Range, SSE, JSONL.

import type { Exchange, Flavor } from './exchange.js';
import { argCI, goAtoi, goHttpbinDurationMs, params, pyFloat, pyInt, sendText } from './exchange.js';
import { paced } from './pace.js';
import { randomBytes } from './random-bytes.js';

/** go-httpbin's limits: DefaultMaxDuration and DefaultMaxBodySize. */
export const GO_MAX_DURATION_MS = 10_000;
export const GO_MAX_BODY = 1024 * 1024;
const PY_MAX_BYTES = 100 * 1024;

/** /stream/<n>: n copies of the echo (n at most 100), one JSON document per line, each with its id. */
export function streamLines(x: Exchange, f: Flavor, raw: string): void {
  let n: number;
  if (f.kind === 'go') {
    const g = goAtoi(raw);
    if (g === null) return f.fail(x, 400, `invalid count: strconv.Atoi: parsing "${raw}": invalid syntax`);
    n = Math.min(Math.max(g, 1), 100);
  } else n = Math.min(Number(raw), 100);
  const line = lineMaker(x, f);
  const type = f.kind === 'go' ? 'application/json; charset=utf-8' : 'application/json';
  paced(x, 200, f.headers(x.req, type), { count: n, pauseMs: 0 }, (i) => line(i) + '\n');
}

/** One streamed echo line: Python keeps get_dict's key order then id, Go's struct puts id first. */
function lineMaker(x: Exchange, f: Flavor): (id: number) => string {
  const echo = f.echo(x);
  if (f.kind === 'python') return (id) => f.line({ ...echo, id });
  const base = { args: echo.args, headers: echo.headers, origin: echo.origin, url: echo.url };
  return (id) => f.line({ id, ...base });
}

/** /stream-bytes/<n>?seed=&chunk_size= */
export function streamBytes(x: Exchange, f: Flavor, raw: string): void {
  let n: number;
  let seed: number | undefined;
  let chunk = 10 * 1024;
  if (f.kind === 'go') {
    const g = goAtoi(raw);
    if (g === null) return f.fail(x, 400, `invalid byte count: strconv.Atoi: parsing "${raw}": invalid syntax`);
    const s = params(x).get('seed');
    if (s) {
      if (goAtoi(s) === null) return f.fail(x, 400, `invalid seed: strconv.ParseInt: parsing "${s}": invalid syntax`);
      seed = Number(s);
    }
    if (g < 0) return f.fail(x, 400, `invalid byte count: ${g} must be greater than 0`);
    if (g === 0) return x.app.send(x.req, x.res, 200, f.headers(x.req, f.textType).slice(0, 4), '');
    if (g > GO_MAX_BODY) return f.fail(x, 400, `invalid byte count: ${g} not in range [1, ${GO_MAX_BODY}]`);
    const c = params(x).get('chunk_size');
    if (c) {
      const cn = goAtoi(c);
      if (cn === null) return f.fail(x, 400, `invalid chunk_size: strconv.Atoi: parsing "${c}": invalid syntax`);
      chunk = Math.max(cn, 1);
    }
    n = g;
  } else {
    n = Math.min(Number(raw), PY_MAX_BYTES);
    const s = argCI(x, 'seed');
    const c = argCI(x, 'chunk_size');
    // int() of a bad seed or chunk_size is an unhandled ValueError: 500.
    if ((s !== undefined && pyInt(s) === null) || (c !== undefined && pyInt(c) === null)) return f.fail(x, 500);
    if (s !== undefined) seed = pyInt(s) ?? undefined;
    if (c !== undefined) chunk = Math.max(1, pyInt(c) ?? 1);
  }
  const bytes = randomBytes(n, seed);
  const pieces = Math.ceil(n / chunk);
  paced(x, 200, f.headers(x.req, 'application/octet-stream'), { count: pieces, pauseMs: 0 }, (i) => bytes.subarray(i * chunk, (i + 1) * chunk));
}

/** go-httpbin computePausePerWrite: no pause after the last write, rounded up. */
function pausePerWrite(durationMs: number, count: number): number {
  return count > 1 ? Math.ceil((durationMs * 1e6) / (count - 1)) / 1e6 : durationMs;
}

function serverTiming(entries: Array<[string, number, string]>): string {
  return entries.map(([name, ms, desc]) => `${name};dur=${ms.toFixed(2)};desc="${desc}"`).join(', ');
}

/** /drip?duration=&numbytes=&code=&delay=: numbytes '*' spread over duration seconds. */
export function drip(x: Exchange, f: Flavor): void {
  if (f.kind === 'go') return goDrip(x, f);
  const num = (name: string, dflt: number, parse: (s: string) => number | null) => {
    const v = argCI(x, name);
    return v === undefined ? dflt : parse(v);
  };
  const duration = num('duration', 2, pyFloat);
  const rawBytes = num('numbytes', 10, pyInt);
  const code = num('code', 200, pyInt);
  if (duration === null || rawBytes === null || code === null) return f.fail(x, 500);
  const numbytes = Math.min(rawBytes, 10 * 1024 * 1024);
  if (numbytes <= 0) return sendText(x, f, 400, 'text/html; charset=utf-8', 'number of bytes must be positive');
  const delay = num('delay', 0, pyFloat);
  // Node writes only final statuses 200..999 (werkzeug would send any integer).
  if (delay === null || !(code >= 200 && code <= 999) || Number.isNaN(duration)) return f.fail(x, 500);
  const h = f.headers(x.req, 'application/octet-stream');
  h.push('Content-Length', String(numbytes));
  // Flask sleeps after every byte, the last one too: the answer ends after `duration`.
  const pauseMs = Math.max(0, (duration * 1000) / numbytes);
  paced(x, code, h, { count: numbytes, pauseMs, pauseAfterLast: true, delayMs: delay > 0 ? delay * 1000 : 0 }, () => '*');
}

function goDrip(x: Exchange, f: Flavor): void {
  const q = params(x);
  let duration = 2000;
  let delay = 2000;
  let numBytes = 10;
  let code = 200;
  const d = q.get('duration');
  if (d) {
    const v = boundedDuration(d, 0);
    if (typeof v === 'string') return f.fail(x, 400, `invalid duration: ${v}`);
    duration = v;
  }
  const dl = q.get('delay');
  if (dl) {
    const v = boundedDuration(dl, 0);
    if (typeof v === 'string') return f.fail(x, 400, `invalid delay: ${v}`);
    delay = v;
  }
  const nb = q.get('numbytes');
  if (nb) {
    const v = goAtoi(nb);
    if (v === null) return f.fail(x, 400, `invalid numbytes: strconv.ParseInt: parsing "${nb}": invalid syntax`);
    if (v < 1 || v > GO_MAX_BODY) return f.fail(x, 400, `invalid numbytes: ${v} not in range [1, ${GO_MAX_BODY}]`);
    numBytes = v;
  }
  const c = q.get('code');
  if (c) {
    const v = goAtoi(c);
    if (v === null || v < 100 || v > 599) return f.fail(x, 400, `invalid status code: ${c}`);
    code = Math.max(v, 200);
  }
  if (duration + delay > GO_MAX_DURATION_MS) return f.fail(x, 400, `too much time: ${duration}ms+${delay}ms > 10s`);
  const pause = pausePerWrite(duration, numBytes);
  const h = f.headers(x.req, f.textType);
  h.push(
    'Content-Length',
    String(numBytes),
    'Server-Timing',
    serverTiming([
      ['total_duration', delay + duration, 'total request duration'],
      ['initial_delay', delay, 'initial delay'],
      ['write_duration', duration, 'duration of writes after initial delay'],
      ['pause_per_write', pause, 'computed pause between writes'],
    ]),
  );
  paced(x, code, h, { count: numBytes, pauseMs: pause, delayMs: delay }, () => '*');
}

/** go-httpbin parseBoundedDuration against [min, 10s]: ms, or the error text. */
function boundedDuration(s: string, minMs: number): number | string {
  const ms = goHttpbinDurationMs(s);
  if (ms === null) return `time: invalid duration "${s}"`;
  if (ms > GO_MAX_DURATION_MS) return `duration ${s} longer than 10s`;
  if (ms < minMs) return `duration ${s} shorter than ${minMs}ms`;
  return ms;
}

// ---------------------------------------------------------------------------
// /range/<n>

/** helpers.get_request_range: [first, last] of a `Range: bytes=a-b` (open ends filled in). */
export function requestRange(header: string | undefined, size: number): [number, number] {
  let left: number | null = null;
  let right: number | null = null;
  const t = (header ?? '').trim();
  if (t.startsWith('bytes')) {
    const parts = t.split('=');
    if (parts.length === 2) {
      const ends = parts[1].split('-');
      left = pyInt(ends[0]);
      right = ends.length > 1 ? pyInt(ends[1]) : null;
    }
  }
  if (left === null && right === null) return [0, size - 1];
  if (left === null) return [Math.max(0, size - (right as number)), size - 1];
  if (right === null) return [left, size - 1];
  return [left, right];
}

/** /range/<n>?duration=&chunk_size=: the bytes a..z repeating, honouring Range. */
export function range(x: Exchange, f: Flavor, raw: string): void {
  const go = f.kind === 'go';
  const n = go ? goAtoi(raw) : Number(raw);
  if (n === null) return f.fail(x, 400, `invalid count: strconv.ParseInt: parsing "${raw}": invalid syntax`);
  let durationMs = 0;
  let chunk = 10 * 1024;
  if (go) {
    const d = params(x).get('duration');
    if (d) {
      const v = boundedDuration(d, 0);
      if (typeof v === 'string') return f.fail(x, 400, `invalid duration: ${v}`);
      durationMs = v;
    }
  } else {
    const c = argCI(x, 'chunk_size');
    const d = argCI(x, 'duration');
    const cn = c === undefined ? chunk : pyInt(c);
    const dn = d === undefined ? 0 : pyFloat(d);
    if (cn === null || dn === null) return f.fail(x, 500);
    chunk = Math.max(1, cn);
    durationMs = dn * 1000;
  }
  const head = ['ETag', `range${n}`, 'Accept-Ranges', 'bytes'];
  const maxN = go ? GO_MAX_BODY : PY_MAX_BYTES;
  if (n <= 0 || n > maxN) {
    if (go) return f.fail(x, 400, `invalid count: ${n} not in range [1, ${maxN}]`, head);
    return sendText(x, f, 404, 'text/html; charset=utf-8', 'number of bytes must be in the range (0, 102400]', head);
  }
  const [first, last] = requestRange(x.req.headers.range, n);
  if (first > last || first < 0 || first >= n || last < 0 || last >= n) {
    if (go && (first < n && first <= last)) {
      // Go clamps an end past the size; fall through with the clamped range.
    } else {
      const h = f.headers(x.req, go ? f.textType : 'text/html; charset=utf-8');
      h.push(...head, 'Content-Range', `bytes */${n}`);
      return x.app.send(x.req, x.res, 416, h, go ? 'invalid range: failed to overlap\n' : '');
    }
  }
  const end = Math.min(last, n - 1);
  const length = end + 1 - first;
  const whole = first === 0 && end === n - 1;
  const h = f.headers(x.req, go ? f.textType : 'application/octet-stream');
  h.push(...head, 'Content-Length', String(length));
  if (!go || !whole) h.push('Content-Range', `bytes ${first}-${end}/${n}`);
  const pieces = Math.ceil(length / chunk);
  const pauseMs = (durationMs / n) * chunk;
  paced(x, whole ? 200 : 206, h, { count: pieces, pauseMs, pauseAfterLast: durationMs > 0 }, (i) => {
    const from = first + i * chunk;
    const to = Math.min(from + chunk, end + 1);
    const b = Buffer.allocUnsafe(to - from);
    for (let k = from; k < to; k++) b[k - from] = 97 + (k % 26);
    return b;
  });
}

// ---------------------------------------------------------------------------
// go-httpbin: /sse and /jsonl

interface Cadence {
  count: number;
  durationMs: number;
  delayMs: number;
  jitter: number;
}

/** count/duration/delay/jitter as /sse and /jsonl read them; null after answering 400. */
function cadence(x: Exchange, f: Flavor, dflt: Cadence, maxCount: number, clampCount: boolean): Cadence | null {
  const q = params(x);
  const out = { ...dflt };
  const c = q.get('count');
  if (c) {
    const v = goAtoi(c);
    if (v === null) return fail(x, f, `invalid count: strconv.Atoi: parsing "${c}": invalid syntax`);
    if (clampCount) out.count = Math.min(Math.max(v, 1), maxCount);
    else if (v < 1 || v > maxCount) return fail(x, f, `invalid count: must in range [1, ${maxCount}]`);
    else out.count = v;
  }
  for (const [key, min] of [['duration', 1e-6], ['delay', 0]] as const) {
    const raw = q.get(key);
    if (!raw) continue;
    const v = boundedDuration(raw, min);
    if (typeof v === 'string') return fail(x, f, `invalid ${key}: ${v}`);
    out[key === 'duration' ? 'durationMs' : 'delayMs'] = v;
  }
  const j = q.get('jitter');
  if (j) {
    const v = Number(j);
    if (j.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) return fail(x, f, 'invalid jitter: must be a float in [0, 1]');
    out.jitter = v;
  }
  if (out.durationMs + out.delayMs > GO_MAX_DURATION_MS) {
    sendText(x, f, 400, 'text/plain; charset=utf-8', 'Too much time\n', ['X-Content-Type-Options', 'nosniff']);
    return null;
  }
  return out;
}

function fail(x: Exchange, f: Flavor, detail: string): null {
  f.fail(x, 400, detail);
  return null;
}

/** Pause with go-httpbin's jitter: uniformly within ±jitter of the pause. */
function jittered(pause: number, jitter: number): number {
  return jitter > 0 ? pause * (1 + jitter * (2 * Math.random() - 1)) : pause;
}

/** Roughly MaxBodySize / one message's size, as go-httpbin bounds /sse and /jsonl. */
const MAX_SSE = Math.floor(GO_MAX_BODY / sseEvent(0, Date.now()).length);

function sseEvent(id: number, ts: number): string {
  return `event: ping\ndata: {"id":${id},"timestamp":${ts}}\n\n`;
}

/** /sse?count=&duration=&delay=&jitter=: `event: ping` server-sent events, paced. */
export function sse(x: Exchange, f: Flavor): void {
  const c = cadence(x, f, { count: 10, durationMs: 5000, delayMs: 0, jitter: 0 }, MAX_SSE, false);
  if (c === null) return;
  const start = Date.now();
  const pause = pausePerWrite(c.durationMs, c.count);
  const h = f.headers(x.req, 'text/event-stream; charset=utf-8');
  h.push('Trailer', 'Server-Timing');
  paced(
    x,
    200,
    h,
    {
      count: c.count,
      pauseMs: jittered(pause, c.jitter),
      delayMs: c.delayMs,
      trailers: () => ({
        'Server-Timing': serverTiming([
          ['total_duration', Date.now() - start, 'total request duration'],
          ['initial_delay', c.delayMs, 'initial delay'],
          ['write_duration', c.durationMs, 'duration of writes after initial delay'],
          ['pause_per_write', pause, 'computed pause between writes'],
        ]),
      }),
    },
    (i) => sseEvent(i, Date.now()),
  );
}

/** /jsonl?count=&duration=&delay=&jitter=: the stream echo as JSON Lines, paced. */
export function jsonl(x: Exchange, f: Flavor): void {
  const c = cadence(x, f, { count: 10, durationMs: 0, delayMs: 0, jitter: 0 }, MAX_SSE, true);
  if (c === null) return;
  const line = lineMaker(x, f);
  const pause = pausePerWrite(c.durationMs, c.count);
  const h = f.headers(x.req, 'application/x-ndjson; charset=utf-8');
  paced(x, 200, h, { count: c.count, pauseMs: jittered(pause, c.jitter), delayMs: c.delayMs }, (i) => line(i) + '\n');
}
