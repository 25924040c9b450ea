// JSON as go-httpbin's encoding/json writes it: Encoder with SetIndent("", "  ")
// and SetEscapeHTML(false) for documents, json.Marshal (compact) for stream lines.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

/**
 * encoding/json Encoder with SetIndent("", "  ") and SetEscapeHTML(false):
 * the top-level struct keeps its field order, every nested map is sorted.
 */
export function goJson(v: Json, top = true): string {
  return enc(v, '', top) + '\n';
}

/** json.Marshal: one line, struct order at the top, nested maps sorted, HTML escaped. */
export function goJsonCompact(v: Json): string {
  return enc(v, null, true).replace(/[<>&]/g, (c) => '\\u00' + c.charCodeAt(0).toString(16));
}

/** `pad` null: compact. */
export function enc(v: Json, pad: string | null, ordered: boolean): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return goString(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (pad === null) return '[' + v.map((x) => enc(x, null, false)).join(',') + ']';
    const inner = pad + '  ';
    return '[\n' + v.map((x) => inner + enc(x, inner, false)).join(',\n') + '\n' + pad + ']';
  }
  const keys = Object.keys(v).filter((k) => v[k] !== undefined);
  if (!ordered) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '{}';
  if (pad === null) return '{' + keys.map((k) => goString(k) + ':' + enc(v[k] as Json, null, false)).join(',') + '}';
  const inner = pad + '  ';
  return '{\n' + keys.map((k) => inner + goString(k) + ': ' + enc(v[k] as Json, inner, false)).join(',\n') + '\n' + pad + '}';
}

function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

