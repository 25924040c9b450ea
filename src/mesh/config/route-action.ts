// The non-routing parts of an HTTP route: header operations (spec §2.9), rewrite,
// redirect (spec §2.10).

import type { Headers, HeaderOps, Redirect, Rewrite } from './model.js';
import type { Fields } from './fields.js';
import { checkRegex } from './string-match.js';

const REDIRECT_CODES = [301, 302, 303, 307, 308];


export function compileHeaders(f: Fields | undefined): Headers | undefined {
  if (!f) return undefined;
  f.allow(['request', 'response']);
  const out: Headers = {};
  for (const side of ['request', 'response'] as const) {
    const s = f.obj(side);
    if (!s) continue;
    s.allow(['set', 'add', 'remove']);
    const ops: HeaderOps = { set: {}, add: {}, remove: [] };
    for (const op of ['set', 'add'] as const) {
      const map = s.strMap(op) ?? {};
      for (const [k, v] of Object.entries(map)) {
        const key = k.toLowerCase();
        if (side === 'request' && (key === 'host' || key === ':authority')) {
          if (out.authorityRewrite !== undefined) s.obj(op)!.error(k, 'the authority is set twice; set it once');
          out.authorityRewrite = v;
        } else if (key === 'host' || key.startsWith(':')) {
          s.obj(op)!.warn(k, `header "${k}" cannot be ${op === 'set' ? 'set' : 'added'} and is ignored (Istio drops it)`);
        } else ops[op][key] = v;
      }
    }
    for (const h of s.strList('remove') ?? []) {
      const key = h.toLowerCase();
      if (key === 'host' || key.startsWith(':')) s.warn('remove', `header "${h}" cannot be removed and is ignored (Istio drops it)`);
      else ops.remove.push(key);
    }
    out[side] = ops;
  }
  return out;
}

export function compileRewrite(f: Fields): Rewrite | undefined {
  f.allow(['uri', 'uriRegexRewrite', 'authority']);
  const out: Rewrite = {};
  const uri = f.str('uri');
  if (uri !== undefined) out.uri = uri;
  const authority = f.str('authority');
  if (authority !== undefined) out.authority = authority;
  const rr = f.obj('uriRegexRewrite');
  if (rr) {
    rr.allow(['match', 'rewrite']);
    const match = rr.str('match', { required: true });
    const rewrite = rr.str('rewrite', { required: true });
    if (match !== undefined) {
      const problem = checkRegex(match);
      if (problem) rr.error('match', `invalid regex ${JSON.stringify(match)}: ${problem}`);
    }
    if (match !== undefined && rewrite !== undefined) out.uriRegexRewrite = { match, rewrite };
    if (uri !== undefined) f.error('uriRegexRewrite', 'uri and uriRegexRewrite cannot both be set');
  }
  if (Object.keys(out).length === 0 && Object.keys(f.value).length === 0) f.error(null, 'rewrite must set uri, uriRegexRewrite or authority');
  return out;
}

export function compileRedirect(f: Fields): Redirect | undefined {
  f.allow(['uri', 'prefixRewrite', 'authority', 'scheme', 'port', 'derivePort', 'redirectCode']);
  const out: Redirect = { redirectCode: 301 };
  const uri = f.str('uri');
  const prefixRewrite = f.str('prefixRewrite');
  if (uri !== undefined && prefixRewrite !== undefined) f.error('prefixRewrite', 'uri and prefixRewrite cannot both be set');
  if (uri !== undefined) out.uri = uri;
  if (prefixRewrite !== undefined) out.prefixRewrite = prefixRewrite;
  const authority = f.str('authority');
  if (authority !== undefined) out.authority = authority;
  const scheme = f.str('scheme');
  if (scheme !== undefined) out.scheme = scheme;
  const port = f.int('port', { min: 1, max: 65535 });
  const derive = f.str('derivePort');
  if (port !== undefined && derive !== undefined) f.error('derivePort', 'port and derivePort cannot both be set');
  if (port !== undefined) out.port = port;
  if (derive !== undefined) {
    if (derive === 'FROM_PROTOCOL_DEFAULT' || derive === 'FROM_REQUEST_PORT') out.derivePort = derive;
    else f.error('derivePort', `unknown derivePort "${derive}" (one of FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT)`);
  }
  const code = f.int('redirectCode');
  if (code !== undefined && code !== 0) {
    if (!REDIRECT_CODES.includes(code)) {
      f.error('redirectCode', `unsupported redirect code ${code} (one of ${REDIRECT_CODES.join(', ')}; 0 or omitted = 301)`);
      return undefined;
    }
    out.redirectCode = code;
  }
  return out;
}

