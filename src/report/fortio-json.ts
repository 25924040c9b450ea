// fortio's JSON result (fhttp HTTPRunnerResults as of fortio 1.75): keys in Go
// struct order, Go encoding/json number and string formatting, MarshalIndent
// with two spaces. `bench load -json` output is meant to load in `fortio report`.
import { exportFortioHistogram as hist, type FortioHistogramData } from './fortio-histogram.js';
import { type FortioRunData, type FortioRunOptions, fortioLabels, fortioRunId } from './fortio-run.js';
import { goDuration, goGPrec, goJsonFloat } from './go-format.js';

/** fortio's result object; the keys meshbench reads itself are typed. */
export type FortioJson = Record<string, unknown> & {
  RetCodes: Record<string, number>;
  DurationHistogram: FortioHistogramData;
  ActualQPS: number;
  ActualDuration: number;
  SocketCount: number;
};

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * Go time.Time JSON (RFC 3339 with nanoseconds, trailing zeros dropped, local
 * offset or "Z"). `subMsNs` adds the nanoseconds below the Date's millisecond.
 */
export function goTimeJson(d: Date, subMsNs = 0): string {
  const offMin = -d.getTimezoneOffset();
  const ns = d.getMilliseconds() * 1_000_000 + Math.max(0, Math.min(999_999, Math.round(subMsNs)));
  const frac = ns === 0 ? '' : '.' + pad(ns, 9).replace(/0+$/, '');
  let zone = 'Z';
  if (offMin !== 0) {
    const a = Math.abs(offMin);
    zone = `${offMin < 0 ? '-' : '+'}${pad(Math.trunc(a / 60))}:${pad(a % 60)}`;
  }
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac}${zone}`;
}

/** fortio RequestedQPS: "max" or %.9g. */
function requestedQps(o: FortioRunOptions): string {
  return o.qps > 0 ? goGPrec(o.qps, 9) : 'max';
}

/** fortio RequestedDuration (before ", interrupted after N"); empty for an open-ended max-qps run. */
function requestedDuration(o: FortioRunOptions): string {
  if (o.exactly > 0) return `exactly ${o.exactly} calls`;
  if (o.durationMs > 0) return goDuration(Math.round(o.durationMs * 1e6));
  return o.qps > 0 ? 'until stop' : '';
}

/** Go sorts map keys by their string form when marshalling (serializeJson re-sorts integer-like keys). */
function sortedMap(m: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = m[k]!;
  return out;
}

/** The fortio-compatible result object (key order = Go struct order). */
export function buildFortioJson(r: FortioRunData): FortioJson {
  const o = r.options;
  const durationHistogram = hist(r.duration, o.percentiles);
  const elapsedS = r.actualDurationNs / 1e9;
  const actualQps = elapsedS > 0 ? durationHistogram.Count / elapsedS : 0;
  let duration = requestedDuration(o);
  if (o.exactly > 0 && durationHistogram.Count !== o.exactly) duration += `, interrupted after ${durationHistogram.Count}`;
  const labels = fortioLabels(o.url, o.labels);
  const impliedMethod = o.payload !== null && o.payload.length > 0 ? 'POST' : o.contentType !== '' ? 'POST' : 'GET';
  const socketCount = r.sockets.reduce((a, b) => a + b, 0);
  return {
    RunType: 'HTTP',
    Labels: labels,
    StartTime: goTimeJson(r.startTime),
    RequestedQPS: requestedQps(o),
    RequestedDuration: duration,
    ActualQPS: actualQps,
    ActualDuration: Math.round(r.actualDurationNs),
    NumThreads: r.numThreads,
    Version: r.version,
    DurationHistogram: durationHistogram,
    ErrorsDurationHistogram: hist(r.errors, o.percentiles),
    Exactly: o.exactly,
    Jitter: o.jitter,
    Uniform: o.uniform,
    NoCatchUp: o.noCatchUp,
    RunID: o.runId,
    AccessLoggerInfo: '',
    ID: fortioRunId(r.startTime, o.runId, labels),
    RetCodes: sortedMap(r.retCodes),
    IPCountMap: sortedMap(r.ipCountMap),
    // HTTPOptions, inlined (TLSOptions first)
    Insecure: false,
    MTLS: false,
    CACert: '',
    Cert: '',
    Key: '',
    UnixDomainSocket: '',
    URL: o.url,
    NumConnections: 1,
    Compression: false,
    DisableFastClient: o.stdClient === true,
    HTTP10: false,
    H2: false,
    DisableKeepAlive: !o.keepalive,
    AllowHalfClose: false,
    FollowRedirects: false,
    Resolve: '',
    HTTPReqTimeOut: Math.round(o.timeoutMs * 1e6),
    UserCredentials: '',
    ContentType: o.contentType,
    Payload: o.payload === null ? null : o.payload.toString('base64'),
    MethodOverride: o.method === impliedMethod ? '' : o.method,
    LogErrors: true,
    SequentialWarmup: false,
    ConnReuseRange: [0, 0],
    NoResolveEachConn: false,
    Offset: Math.round(o.offsetMs * 1e6),
    Resolution: o.resolution,
    Sizes: hist(r.sizes, []),
    HeaderSizes: hist(r.headerSizes, []),
    Sockets: r.sockets.slice(),
    SocketCount: socketCount,
    ConnectionStats: hist(r.connectionTimes, o.percentiles),
    AbortOn: o.abortOn,
  };
}

const HEX = '0123456789abcdef';

/** encoding/json string: HTML-safe escapes (<, >, &), U+2028/2029, short forms for \b\f\n\r\t. */
export function goJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : c === 0x08 ? '\\b' : c === 0x0c ? '\\f' : '\\u00' + HEX[c >> 4] + HEX[c & 15];
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c) esc = '\\u003c';
    else if (c === 0x3e) esc = '\\u003e';
    else if (c === 0x26) esc = '\\u0026';
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A valid pair passes through; a lone surrogate is invalid UTF-8 for Go → U+FFFD.
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

export interface SerializeOptions {
  /** Indent unit (MarshalIndent's indent); '' = compact like json.Marshal. Default two spaces. */
  indent?: string;
  /**
   * Keys whose empty array stands for a Go nil slice and prints as null
   * (fortio's HistogramData.Data and Sockets are nil when there is nothing).
   */
  nilWhenEmpty?: ReadonlySet<string>;
  /**
   * Keys whose object value is a Go map: its keys print sorted (byte order), as
   * encoding/json does. Needed because JS puts integer-like keys ("200") before
   * others ("-1") whatever the insertion order.
   */
  goMaps?: ReadonlySet<string>;
}

const FORTIO_NIL_SLICES: ReadonlySet<string> = new Set(['Data', 'Sockets']);
const FORTIO_MAPS: ReadonlySet<string> = new Set(['RetCodes', 'IPCountMap']);

/**
 * Serialize like Go's json.MarshalIndent(v, "", "  "): key order as given,
 * Go float formatting, Go string escapes. `undefined` members are skipped
 * (omitempty), Buffers become base64 strings, bigints integers.
 */
export function serializeJson(value: unknown, opts: SerializeOptions = {}): string {
  const indent = opts.indent ?? '  ';
  const nil = opts.nilWhenEmpty ?? FORTIO_NIL_SLICES;
  const maps = opts.goMaps ?? FORTIO_MAPS;
  const walk = (v: unknown, depth: number, key: string | null): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'number':
        return goJsonFloat(v);
      case 'bigint':
        return v.toString();
      case 'boolean':
        return v ? 'true' : 'false';
      case 'string':
        return goJsonString(v);
      case 'object':
        break;
      default:
        throw new TypeError(`json: unsupported type: ${typeof v}`);
    }
    if (Buffer.isBuffer(v)) return goJsonString(v.toString('base64'));
    if (v instanceof Date) return goJsonString(goTimeJson(v));
    const nl = indent === '' ? '' : '\n' + indent.repeat(depth + 1);
    const end = indent === '' ? '' : '\n' + indent.repeat(depth);
    const colon = indent === '' ? ':' : ': ';
    if (Array.isArray(v)) {
      if (v.length === 0) return key !== null && nil.has(key) ? 'null' : '[]';
      return '[' + v.map((x) => nl + walk(x, depth + 1, null)).join(',') + end + ']';
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (key !== null && maps.has(key)) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (entries.length === 0) return '{}';
    return '{' + entries.map(([k, x]) => nl + goJsonString(k) + colon + walk(x, depth + 1, k)).join(',') + end + '}';
  };
  return walk(value, 0, null);
}
