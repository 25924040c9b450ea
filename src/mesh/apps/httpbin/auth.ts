// Authentication endpoints: /basic-auth, /hidden-basic-auth, /bearer and
// /digest-auth (core.py + helpers.py check_basic_auth / check_digest_auth /
// digest_challenge_response; go-httpbin BasicAuth, Bearer, DigestAuth).

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { peerAddress } from '../server.js';
import type { Exchange, Flavor } from './exchange.js';
import { params, pyStatus, sendText } from './exchange.js';
import { parseCookies, setCookieHeader } from './cookies.js';

/** Basic credentials of the request, or null (werkzeug request.authorization / Go r.BasicAuth()). */
export function basicCredentials(req: IncomingMessage): { user: string; pass: string } | null {
  const h = req.headers.authorization;
  if (h === undefined) return null;
  const m = /^\s*basic\s+(\S+)\s*$/i.exec(h);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

/** /basic-auth/<user>/<passwd> and /hidden-basic-auth (404 instead of 401). */
export function basicAuth(x: Exchange, f: Flavor, user: string, passwd: string, hidden: boolean): void {
  const given = basicCredentials(x.req);
  const ok = given !== null && given.user === user && given.pass === passwd;
  if (f.kind === 'go') {
    const body = { authenticated: ok, authorized: ok, user: given?.user ?? '' };
    if (ok) return f.json(x, body);
    if (hidden) return f.fail(x, 404);
    return f.json(x, body, 401, ['WWW-Authenticate', 'Basic realm="Fake Realm"']);
  }
  if (!ok) return pyStatus(x, f, hidden ? 404 : 401);
  f.json(x, { authenticated: true, user });
}

/** /bearer: any `Bearer <token>` passes. */
export function bearer(x: Exchange, f: Flavor): void {
  const auth = x.req.headers.authorization ?? '';
  if (f.kind === 'go') {
    const fields = auth.split(/\s+/).filter((s) => s !== '');
    if (fields.length !== 2 || fields[0] !== 'Bearer') {
      return f.fail(x, 401, undefined, ['WWW-Authenticate', 'Bearer']);
    }
    return f.json(x, { authenticated: true, token: fields[1] });
  }
  if (!auth.startsWith('Bearer ')) return sendText(x, f, 401, 'text/html; charset=utf-8', '', ['WWW-Authenticate', 'Bearer']);
  f.json(x, { authenticated: true, token: auth.slice(7) });
}

// ---------------------------------------------------------------------------
// Digest (RFC 2617 / 7616)

type Algorithm = 'MD5' | 'SHA-256' | 'SHA-512';
const HASH: Record<Algorithm, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512': 'sha512' };

function H(data: string | Buffer, algorithm: Algorithm): string {
  return createHash(HASH[algorithm]).update(data).digest('hex');
}

/** werkzeug parse_authorization_header for Digest: null unless every required field is there. */
export function parseDigest(header: string | undefined): Record<string, string> | null {
  if (header === undefined) return null;
  const m = /^\s*(\S+)\s+(.*)$/s.exec(header);
  if (!m || m[1].toLowerCase() !== 'digest') return null;
  const out: Record<string, string> = {};
  const re = /\s*([^\s=,]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*,?/gy;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null) out[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3].trim();
  for (const k of ['username', 'realm', 'nonce', 'uri', 'response']) if (out[k] === undefined) return null;
  if (out.qop !== undefined && (out.nc === undefined || out.cnonce === undefined)) return null;
  return out;
}

/** helpers.response(): the response hash the client must have sent. */
export function digestResponse(c: Record<string, string>, password: string, method: string, uri: string, body: Buffer, algorithm: Algorithm): string {
  const ha1 = H(`${c.username}:${c.realm ?? ''}:${password}`, algorithm);
  const ha2 = c.qop === 'auth-int' ? H(`${method}:${uri}:${H(body, algorithm)}`, algorithm) : H(`${method}:${uri}`, algorithm);
  if (c.qop === undefined) return H(`${ha1}:${c.nonce}:${ha2}`, algorithm);
  return H(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`, algorithm);
}

function challenge(x: Exchange, qop: string | null, algorithm: Algorithm, stale: boolean, realm: string): string {
  const nonce = H(Buffer.concat([Buffer.from(`${peerAddress(x.req)}:${Date.now() / 1000}:`), randomBytes(10)]), algorithm);
  const opaque = H(randomBytes(10), algorithm);
  const q = qop === null ? 'auth, auth-int' : qop;
  return `Digest realm="${realm}", nonce="${nonce}", qop="${q}", opaque="${opaque}", algorithm=${algorithm}, stale=${stale ? 'TRUE' : 'FALSE'}`;
}

/** /digest-auth/<qop>/<user>/<passwd>[/<algorithm>[/<stale_after>]] */
export function digestAuth(x: Exchange, f: Flavor, rawQop: string, user: string, passwd: string, rawAlg = 'MD5', staleAfter = 'never'): void {
  if (f.kind === 'go') return goDigest(x, f, rawQop, user, passwd, rawAlg);
  const algorithm: Algorithm = rawAlg === 'SHA-256' || rawAlg === 'SHA-512' ? rawAlg : 'MD5';
  const qop = rawQop === 'auth' || rawQop === 'auth-int' ? rawQop : null;
  const requireCookie = ['1', 't', 'true'].includes((params(x).get('require-cookie') ?? '').toLowerCase());
  const cookies = parseCookies(x.req);
  const creds = parseDigest(x.req.headers.authorization);
  const challengeReply = (stale: boolean, cookies: Array<[string, string]>) => {
    const h = ['WWW-Authenticate', challenge(x, qop, algorithm, stale, 'me@kennethreitz.com')];
    for (const [k, v] of cookies) h.push('Set-Cookie', setCookieHeader(k, v));
    h.push('Set-Cookie', setCookieHeader('fake', 'fake_value'));
    sendText(x, f, 401, 'text/html; charset=utf-8', '', h);
  };
  if (creds === null || (requireCookie && x.req.headers.cookie === undefined)) return challengeReply(false, [['stale_after', staleAfter]]);
  if (requireCookie && cookies.get('fake') !== 'fake_value') {
    return f.json(x, { errors: ['missing cookie set on challenge'] }, 403, ['Set-Cookie', setCookieHeader('fake', 'fake_value')]);
  }
  const staleValue = cookies.get('stale_after');
  if ((cookies.has('last_nonce') && creds.nonce === cookies.get('last_nonce')) || staleValue === '0') {
    return challengeReply(true, [['stale_after', staleAfter], ['last_nonce', creds.nonce]]);
  }
  // The body only matters for auth-int; readBody is skipped otherwise (GET has none).
  readDigestBody(x, (body) => {
    const uri = x.path + (x.query ? '?' + x.query : '');
    const algo = (['MD5', 'SHA-256', 'SHA-512'] as const).find((a) => a === creds.algorithm) ?? 'MD5';
    if (digestResponse(creds, passwd, x.method, uri, body, algo) !== creds.response || creds.username !== user) {
      return challengeReply(false, [['stale_after', staleAfter], ['last_nonce', creds.nonce]]);
    }
    const h = ['Set-Cookie', setCookieHeader('fake', 'fake_value')];
    if (staleValue) h.push('Set-Cookie', setCookieHeader('stale_after', /^[+-]?\d+$/.test(staleValue) ? String(Number(staleValue) - 1) : 'never'));
    f.json(x, { authenticated: true, user }, 200, h);
  });
}

function readDigestBody(x: Exchange, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  x.req.on('data', (c: Buffer) => chunks.push(c));
  x.req.on('end', () => {
    try {
      then(Buffer.concat(chunks));
    } catch {
      x.app.internalError(x.req, x.res);
    }
  });
  x.req.resume();
}

/** go-httpbin: qop must be auth, MD5 or SHA-256, realm go-httpbin, errors as JSON. */
function goDigest(x: Exchange, f: Flavor, rawQop: string, user: string, passwd: string, rawAlg: string): void {
  const qop = rawQop.toLowerCase();
  const alg = rawAlg.toUpperCase();
  if (qop !== 'auth') return f.fail(x, 400, `invalid QOP directive: "${qop}" != "auth"`);
  if (alg !== 'MD5' && alg !== 'SHA-256') return f.fail(x, 400, `invalid algorithm: ${alg} must be one of MD5 or SHA-256`);
  const creds = parseDigest(x.req.headers.authorization);
  const uri = x.path + (x.query ? '?' + x.query : '');
  const ok = creds !== null && creds.username === user && digestResponse(creds, passwd, x.method, uri, Buffer.alloc(0), alg) === creds.response;
  if (!ok) {
    const nonce = H(randomBytes(16), 'MD5');
    const h = ['WWW-Authenticate', `Digest realm="go-httpbin", qop="auth", nonce="${nonce}", algorithm=${alg}`];
    return f.fail(x, 401, undefined, h);
  }
  f.json(x, { authenticated: true, authorized: true, user });
}
