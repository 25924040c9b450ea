// Go's number and duration formatting (fmt %g/%.Ng/%.Nf, time.Duration.String,
// encoding/json floats), so text and JSON match fortio byte for byte.
// Digits come from the exact binary value of the double and ties round to even,
// as Go's strconv does (JS toPrecision/toFixed round ties up).

interface Decimal {
  /** Significant digits, no leading zeros ("" for zero). */
  d: string;
  /** Decimal point position: value = 0.d × 10^dp. */
  dp: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Exact decimal expansion of |x| (finite). */
function exactDecimal(x: number): Decimal {
  f64[0] = Math.abs(x);
  const hi = u32[LITTLE ? 1 : 0]!;
  const lo = u32[LITTLE ? 0 : 1]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) {
    e = -1074;
  } else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (mant === 0n) return { d: '', dp: 0 };
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e; // divide by 10^-e
  }
  const trimmed = digits.replace(/0+$/, '');
  return { d: trimmed, dp };
}

/** Round to nd significant digits, half to even on the exact value. */
function roundDigits(dec: Decimal, nd: number): Decimal {
  if (nd < 0) nd = 0;
  if (dec.d.length <= nd) return dec;
  const keep = dec.d.slice(0, nd);
  const next = dec.d.charCodeAt(nd) - 48;
  let up: boolean;
  if (next > 5) up = true;
  else if (next < 5) up = false;
  else if (dec.d.length > nd + 1) up = true; // more nonzero digits follow (trailing zeros were trimmed)
  else up = nd > 0 && (keep.charCodeAt(nd - 1) - 48) % 2 === 1; // exact half: to even
  if (!up) {
    const t = keep.replace(/0+$/, '');
    return { d: t, dp: t === '' ? 0 : dec.dp };
  }
  // increment keep
  const arr = keep.split('');
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === '9') {
    arr[i] = '0';
    i--;
  }
  if (i < 0) return { d: '1', dp: dec.dp + 1 };
  arr[i] = String.fromCharCode(arr[i]!.charCodeAt(0) + 1);
  return { d: arr.join('').replace(/0+$/, ''), dp: dec.dp };
}

/** Round to `frac` digits after the decimal point. */
function roundFixed(dec: Decimal, frac: number): Decimal {
  const nd = dec.dp + frac;
  if (nd < 0) return { d: '', dp: 0 };
  if (nd === 0) {
    // Only a possible round-up to 1 × 10^-frac: > half rounds up, exact half goes to even (0).
    if (dec.d === '') return dec;
    const first = dec.d.charCodeAt(0) - 48;
    const up = first > 5 || (first === 5 && dec.d.length > 1);
    return up ? { d: '1', dp: dec.dp + 1 } : { d: '', dp: 0 };
  }
  return roundDigits(dec, nd);
}

/** Shortest round-trip digits (what JS toString and Go's shortest both produce). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const s = Math.abs(x).toExponential(); // "d.ddde±n", shortest digits
  const ePos = s.indexOf('e');
  const mant = s.slice(0, ePos).replace('.', '');
  const exp = Number(s.slice(ePos + 1));
  const d = mant.replace(/0+$/, '');
  return { d, dp: exp + 1 };
}

function special(x: number, plus = false): string | null {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return plus ? '+Inf' : '+Inf';
  if (x === -Infinity) return '-Inf';
  return null;
}

function isNeg(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

function fmtE(neg: boolean, dec: Decimal, prec: number): string {
  // prec = digits after the point
  let s = neg ? '-' : '';
  const d = dec.d === '' ? '0' : dec.d;
  s += d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += i < d.length ? d[i] : '0';
  }
  let exp = dec.d === '' ? 0 : dec.dp - 1;
  s += 'e';
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  s += exp < 10 ? '0' + exp : String(exp);
  return s;
}

function fmtF(neg: boolean, dec: Decimal, prec: number): string {
  let s = neg ? '-' : '';
  if (dec.dp > 0) {
    for (let i = 0; i < dec.dp; i++) s += i < dec.d.length ? dec.d[i] : '0';
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = dec.dp + i;
      s += j >= 0 && j < dec.d.length ? dec.d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(x, 'g', prec, 64); prec < 0 = shortest. Also fmt's %g / %.Ng. */
function formatG(x: number, prec: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const neg = isNeg(x);
  const shortest = prec < 0;
  let dec: Decimal;
  if (shortest) {
    dec = shortestDecimal(x);
    prec = dec.d.length;
  } else {
    if (prec === 0) prec = 1;
    dec = roundDigits(exactDecimal(x), prec);
  }
  const nd = dec.d.length;
  const dp = dec.d === '' ? 1 : dec.dp; // Go treats zero as "0" with dp 1 for the exponent test
  let eprec = prec;
  if (eprec > nd && nd >= dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    let p = prec;
    if (p > nd) p = nd;
    return fmtE(neg, dec, Math.max(p - 1, 0));
  }
  let p = prec;
  if (p > dp) p = nd;
  return fmtF(neg, dec.d === '' ? { d: '', dp: 1 } : dec, Math.max(p - dp, 0));
}

/** Go fmt `%g` (shortest representation). */
export function goG(x: number): string {
  return formatG(x, -1);
}

/** Go fmt `%.Ng`. */
export function goGPrec(x: number, n: number): string {
  return formatG(x, n);
}

/** Go fmt `%.Nf`. */
export function goF(x: number, n: number): string {
  const sp = special(x);
  if (sp !== null) return sp;
  const dec = roundFixed(exactDecimal(x), n);
  return fmtF(isNeg(x), dec, n);
}

/** Go fmt `%Nd` / `%d` for an integer (right-aligned in width). */
export function goD(x: number, width = 0): string {
  const s = String(Math.trunc(x));
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}

function fmtFrac(v: bigint, prec: number): { frac: string; v: bigint } {
  // Go time.fmtFrac: prec digits, trailing zeros (and the point) omitted.
  let print = false;
  let out = '';
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = String(digit) + out;
    v /= 10n;
  }
  return { frac: print ? '.' + out : '', v };
}

/** Go time.Duration(ns).String(): "50.09084ms", "1m0.02s", "2.5µs", "0s". */
export function goDuration(ns: number | bigint): string {
  let u = typeof ns === 'bigint' ? ns : BigInt(Math.round(ns));
  const neg = u < 0n;
  if (neg) u = -u;
  let s: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const f = fmtFrac(u, prec);
    s = String(f.v) + f.frac + unit;
  } else {
    const f = fmtFrac(u, 9);
    let v = f.v;
    s = String(v % 60n) + f.frac + 's';
    v /= 60n;
    if (v > 0n) {
      s = String(v % 60n) + 'm' + s;
      v /= 60n;
      if (v > 0n) s = String(v) + 'h' + s;
    }
  }
  return neg ? '-' + s : s;
}

/**
 * encoding/json float64: shortest digits, plain decimal unless |x| < 1e-6 or
 * >= 1e21, exponent "e-7" (no zero padding). Same as JS String(x) except -0.
 */
export function goJsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`json: unsupported value: ${x}`);
  if (Object.is(x, -0)) return '-0';
  return String(x);
}
