// Cookies: /cookies shows the request's, /cookies/set and /cookies/delete
// answer 302 to /cookies with Set-Cookie lines (core.py view_cookies &
// set_cookies, werkzeug dump_cookie; go-httpbin Cookies, SetCookies with its
// attr[Name] query parameters).

import type { IncomingMessage } from 'node:http';
import type { Exchange, Flavor, JsonObject } from './exchange.js';
import { params } from './exchange.js';
import { redirect } from './redirects.js';

/** core.ENV_COOKIES: analytics cookies hidden from /cookies unless `show_env`. */
const ENV_COOKIES = new Set([
  '_gauges_unique',
  '_gauges_unique_year',
  '_gauges_unique_month',
  '_gauges_unique_day',
  '_gauges_unique_hour',
  '__utmz',
  '__utma',
  '__utmb',
]);

/** The Cookie header as name -> value (the last repeat wins, as a dict built in order). */
export function parseCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  const raw = req.headers.cookie;
  if (raw === undefined) return out;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name !== '') out.set(name, value);
  }
  return out;
}

/** werkzeug dump_cookie(key, value) with Flask's defaults: `name=value; Path=/`, odd values quoted. */
export function setCookieHeader(name: string, value: string): string {
  const plain = /^[A-Za-z0-9!#$%&'*+\-.^_`|~:]*$/.test(value);
  const v = plain ? value : '"' + value.replace(/(["\\])/g, '\\$1') + '"';
  return `${name}=${v}; Path=/`;
}

/** /cookies */
export function showCookies(x: Exchange, f: Flavor): void {
  const cookies: JsonObject = {};
  const showEnv = f.kind === 'python' && params(x).has('show_env');
  for (const [k, v] of parseCookies(x.req)) if (f.kind === 'go' || showEnv || !ENV_COOKIES.has(k)) cookies[k] = v;
  f.json(x, { cookies });
}

/** /cookies/set?name=value (also /cookies/set/<name>/<value>) and /cookies/delete?name. */
export function changeCookies(x: Exchange, f: Flavor, op: 'set' | 'delete', only?: [string, string]): void {
  const pairs = only ? [only] : uniqueArgs(x);
  const lines: string[] = [];
  if (f.kind === 'go') {
    const attrs = goCookieAttrs(x);
    for (const [k, v] of pairs) {
      if (/^attr\[.+\]$/.test(k)) continue;
      const del = op === 'delete' ? `; Expires=${new Date(Date.now() - 365 * 86400_000).toUTCString()}; Max-Age=0` : '';
      lines.push('Set-Cookie', `${k}=${goCookieValue(v)}${attrs.path}${attrs.domain}${del}${attrs.flags}`);
    }
  } else {
    for (const [k, v] of pairs) {
      lines.push('Set-Cookie', op === 'set' ? setCookieHeader(k, v) : `${k}=; Expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=0; Path=/`);
    }
  }
  redirect(x, f, '/cookies', 302, f.kind === 'python', lines);
}

/** dict(request.args.items()) / url.Values.Get: one value per name (the first). */
function uniqueArgs(x: Exchange): Array<[string, string]> {
  const seen = new Map<string, string>();
  for (const [k, v] of params(x)) if (!seen.has(k)) seen.set(k, v);
  return [...seen];
}

/** net/http sanitizeCookieValue: quoted when it has a space or a comma. */
function goCookieValue(v: string): string {
  const clean = v.replace(/[^\x20-\x7e]|[";\\]/g, '');
  return /[ ,]/.test(clean) ? `"${clean}"` : clean;
}

function goCookieAttrs(x: Exchange): { path: string; domain: string; flags: string } {
  let path = '/';
  let domain = '';
  let httpOnly = true;
  let secure = false;
  let sameSite = '';
  const truthy = (s: string) => s === '1' || s.toLowerCase() === 'true';
  for (const [k, v] of params(x)) {
    const m = /^attr\[(.+)\]$/.exec(k);
    if (!m) continue;
    switch (m[1].toLowerCase()) {
      case 'domain':
        domain = v;
        break;
      case 'httponly':
        httpOnly = truthy(v);
        break;
      case 'path':
        path = v;
        break;
      case 'secure':
        secure = truthy(v);
        break;
      case 'samesite': {
        const s = v.toLowerCase();
        sameSite = s === 'strict' ? 'Strict' : s === 'lax' ? 'Lax' : s === 'none' ? 'None' : sameSite;
        break;
      }
    }
  }
  return {
    path: path ? `; Path=${path}` : '',
    domain: domain ? `; Domain=${domain}` : '',
    flags: (httpOnly ? '; HttpOnly' : '') + (secure ? '; Secure' : '') + (sameSite ? `; SameSite=${sameSite}` : ''),
  };
}
