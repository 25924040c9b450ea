// Go durations, parsed in this one place for the whole program: Istio fields
// (spec §1.1: time.ParseDuration syntax, then the validation webhook's rule of at
// least 1ms in whole milliseconds), scenario and fortio flags (-t, -timeout), the
// echo apps' `delay=` arguments.
//
// Failure convention for every parser here: the value, or a one-line error
// message (a string) saying what is wrong. Callers test `typeof r === 'string'`.

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.Duration is an int64 of nanoseconds: about 292 years either way. */
const MAX_NS = 2n ** 63n;

/** Go time.ParseDuration: nanoseconds, or an error message. */
export function parseGoDuration(s: string): bigint | string {
  const bad = (why: string) => `invalid duration ${JSON.stringify(s)}: ${why}`;
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return bad('empty');
  let total = 0n;
  const group = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (rest !== '') {
    const m = group.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return bad('expected a number followed by a unit, e.g. 5s, 100ms, 1m30s');
    const unit = m[3];
    if (unit === '') return bad('missing unit (one of ns, us, ms, s, m, h), e.g. 5s');
    const scale = UNIT_NS[unit];
    if (scale === undefined) return bad(`unknown unit "${unit}" (one of ns, us, ms, s, m, h)`);
    let v = BigInt(m[1] || '0') * scale;
    const frac = m[2] ?? '';
    if (frac !== '') v += (BigInt(frac) * scale) / 10n ** BigInt(frac.length);
    total += v;
    if (total > MAX_NS) return bad('out of range (at most 2562047h47m16.854775807s)');
    rest = rest.slice(m[0].length);
  }
  if (!neg && total === MAX_NS) return bad('out of range (at most 2562047h47m16.854775807s)');
  return neg ? -total : total;
}

/** A Go duration in milliseconds (fractions kept: `150us` is 0.15), or an error message. */
export function goDurationMs(s: string): number | string {
  const ns = parseGoDuration(s);
  return typeof ns === 'string' ? ns : Number(ns) / 1e6;
}

/** How a non-string duration reads in a message. */
function notAString(v: unknown): string {
  if (typeof v === 'number') return `invalid duration ${v}: expected a string with a unit, e.g. "${v}s"`;
  return `invalid duration: expected a string such as "5s", got ${Array.isArray(v) ? 'a list' : typeof v === 'object' && v !== null ? 'a mapping' : String(v)}`;
}

/** Istio-validated duration in whole ms, or an error message (allowZero: `tcp.idleTimeout: 0s`). */
export function parseIstioDuration(v: unknown, allowZero = false): number | string {
  if (typeof v !== 'string') return notAString(v);
  const ns = parseGoDuration(v);
  if (typeof ns === 'string') return ns;
  if (ns === 0n && allowZero) return 0;
  if (ns < 1_000_000n) return `invalid duration ${JSON.stringify(v)}: must be at least 1ms`;
  if (ns % 1_000_000n !== 0n) return `invalid duration ${JSON.stringify(v)}: only durations to ms precision are supported`;
  return Number(ns / 1_000_000n);
}

/**
 * A fortio flag duration (`-t`, `-timeout`) as a scenario writes it, in ms: Go
 * syntax and not negative; a bare number is seconds (docs/scenario-format.md).
 */
export function parseFlagDuration(v: unknown): number | string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `invalid duration ${v}: expected a number of seconds or a string such as "5s"`;
    return v < 0 ? `invalid duration ${v}: must not be negative` : v * 1000;
  }
  if (typeof v !== 'string') return notAString(v);
  const ms = goDurationMs(v);
  if (typeof ms === 'string') return ms;
  return ms < 0 ? `invalid duration ${JSON.stringify(v)}: must not be negative` : ms;
}
