// Durations as Istio reads them (spec §1.1): Go time.ParseDuration syntax, then the
// validation webhook's rule: at least 1ms and a whole number of milliseconds.

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
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

/** Istio-validated duration in whole ms, or an error message (allowZero: `tcp.idleTimeout: 0s`). */
export function parseIstioDuration(v: unknown, allowZero = false): number | string {
  if (typeof v === 'number') {
    return `invalid duration ${v}: expected a string with a unit, e.g. "${v}s"`;
  }
  if (typeof v !== 'string') return `invalid duration: expected a string such as "5s", got ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : String(v)}`;
  const ns = parseGoDuration(v);
  if (typeof ns === 'string') return ns;
  if (ns === 0n && allowZero) return 0;
  if (ns < 1_000_000n) return `invalid duration ${JSON.stringify(v)}: must be at least 1ms`;
  if (ns % 1_000_000n !== 0n) return `invalid duration ${JSON.stringify(v)}: only durations to ms precision are supported`;
  return Number(ns / 1_000_000n);
}
