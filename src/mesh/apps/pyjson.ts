// JSON exactly as Flask's pretty jsonify writes it (httpbin's responses):
// indent 2, separators (', ', ': ') so lines end in ", ", keys sorted by code
// point, non-ASCII escaped as \uXXXX (JSON_AS_ASCII), and a trailing newline
// (httpbin's jsonify wrapper). Byte counts then match the real gunicorn logs.

export type PyValue = null | boolean | number | string | PyValue[] | { [k: string]: PyValue | undefined };

export function pyJsonDumps(value: PyValue): string {
  return write(value, '') + '\n';
}

function write(v: PyValue | undefined, pad: string): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? String(v) : v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    case 'string':
      return pyString(v);
  }
  const inner = pad + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = '[\n';
    for (let i = 0; i < v.length; i++) {
      s += inner + write(v[i], inner) + (i < v.length - 1 ? ', \n' : '\n');
    }
    return s + pad + ']';
  }
  const keys = Object.keys(v).sort(byCodePoint);
  if (keys.length === 0) return '{}';
  let s = '{\n';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    s += inner + pyString(k) + ': ' + write(v[k], inner) + (i < keys.length - 1 ? ', \n' : '\n');
  }
  return s + pad + '}';
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Printable ASCII except '"' and '\' needs no escaping: the common case is a plain copy.
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Python json.dumps(str) with ensure_ascii=True. */
export function pyString(s: string): string {
  if (PLAIN.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

/**
 * Python json.dumps(value) with default arguments (simplejson too): one line,
 * separators (', ', ': '), keys in insertion order, ensure_ascii. What
 * productpage's API routes return.
 */
export function pyJsonCompact(v: PyValue | undefined): string {
  if (v === null || v === undefined || typeof v !== 'object') return write(v, '');
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ', ' : '') + pyJsonCompact(v[i]);
    return s + ']';
  }
  let s = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    s += (first ? '' : ', ') + pyString(k) + ': ' + pyJsonCompact(v[k]);
    first = false;
  }
  return s + '}';
}
