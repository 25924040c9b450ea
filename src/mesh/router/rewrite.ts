// Path/authority rewrites and redirect locations (spec §2.10).

import type { HttpRoute, Redirect, Rewrite, RouteDestination } from '../config/model.js';
import type { RouteEntry } from '../route/route-entry.js';
import { DEFAULT_PORTS, formatAuthority, parseAuthority } from '../authority.js';

const regexCache = new Map<string, RegExp | null>();

function rewriteRegex(src: string): RegExp | null {
  let re = regexCache.get(src);
  if (re === undefined) {
    try {
      re = new RegExp(src, 'g');
    } catch {
      re = null;
    }
    regexCache.set(src, re);
  }
  return re;
}

function splitQuery(path: string): [string, string] {
  const q = path.indexOf('?');
  return q < 0 ? [path, ''] : [path.slice(0, q), path.slice(q)];
}

/**
 * Envoy prefix_rewrite replaces the matched prefix; after an exact match the whole
 * path (query kept). A route without a uri match matched prefix `/`. Regex uri
 * match + prefix rewrite is UNCONFIRMED (spec §14.4): treated like exact.
 */
function replacePrefix(newPrefix: string, entry: RouteEntry, path: string): string {
  const m = entry.match;
  if (m?.uriKind === 'prefix') return newPrefix + path.slice(m.uriLiteral!.length);
  if (m?.uriKind === 'exact' || m?.uriKind === 'regex') return newPrefix + splitQuery(path)[1];
  return newPrefix + path.slice(1);
}

export function rewritePath(rw: Rewrite, entry: RouteEntry, path: string): string {
  if (rw.uriRegexRewrite) {
    // regex_rewrite: RE2 GlobalReplace on the path without its query; \1 -> $1.
    const re = rewriteRegex(rw.uriRegexRewrite.match);
    if (!re) return path;
    const [p, q] = splitQuery(path);
    re.lastIndex = 0;
    return p.replace(re, rw.uriRegexRewrite.rewrite.replace(/\\(\d)/g, '$$$1')) + q;
  }
  if (rw.uri !== undefined) return replacePrefix(rw.uri, entry, path);
  return path;
}

/** The `location` of a redirect route (Envoy RouteEntryImplBase::newUri). */
export function buildRedirectLocation(r: Redirect, entry: RouteEntry, authority: string, path: string, requestPort: number): string {
  const scheme = r.scheme ?? 'http';
  const req = parseAuthority(authority);
  const to = r.authority ? parseAuthority(r.authority) : req;
  let port = to.port;
  if (r.port !== undefined) port = r.port;
  else if (r.derivePort === 'FROM_PROTOCOL_DEFAULT') port = undefined;
  else if (r.derivePort === 'FROM_REQUEST_PORT') port = req.port ?? requestPort;
  // A default port is omitted, except one FROM_REQUEST_PORT took from the Host
  // header as sent: `Host: b:80` redirects to `http://b:80/…` (Istio's
  // TestTraffic/virtualservice/redirect request port, "to default with host port").
  const keptFromHost = r.port === undefined && r.derivePort === 'FROM_REQUEST_PORT' && req.port !== undefined;
  if (!keptFromHost && port === DEFAULT_PORTS[scheme]) port = undefined;
  let newPath = path;
  if (r.uri !== undefined) newPath = r.uri.includes('?') ? r.uri : r.uri + splitQuery(path)[1];
  else if (r.prefixRewrite !== undefined) newPath = replacePrefix(r.prefixRewrite, entry, path);
  return `${scheme}://${formatAuthority(to.host, port)}${newPath}`;
}

/** The authority sent upstream instead of the request's: rewrite.authority, else a route-level, else a destination-level Host/:authority set. */
export function authorityRewrite(route: HttpRoute, dest: RouteDestination): string | undefined {
  return route.rewrite?.authority ?? route.headers?.authorityRewrite ?? dest.headers?.authorityRewrite;
}
