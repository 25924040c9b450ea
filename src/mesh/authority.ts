// A request authority `host[:port]` (the Host header, or an absolute-form
// URL's authority), parsed and formatted here only. Parsing follows Envoy's
// Http::Utility::parseAuthority: the last `:` separates a port only when what
// follows is a number 0..65535 (else the whole text is the host), and a
// bracketed IPv6 literal loses its brackets. A bare IPv6 address (`::1`) has no
// port, rather than Envoy's best-effort split at its last colon.

import { isIP } from 'node:net';

export interface Authority {
  /** Host as sent (case kept); an IPv6 literal without brackets. */
  host: string;
  port: number | undefined;
}

/** Ports a scheme implies when the authority has none (RFC 9110 §4.2). */
export const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({ http: 80, https: 443 });

/** The port a scheme implies (80 for anything but https, as Envoy's plaintext listeners assume). */
export function defaultPort(scheme = 'http'): number {
  return DEFAULT_PORTS[scheme.toLowerCase()] ?? DEFAULT_PORTS.http!;
}

export function parseAuthority(authority: string): Authority {
  const colon = authority.lastIndexOf(':');
  // Only a text with two colons can be a bare IPv6 literal: the common `host:port`
  // skips isIP's regex (it was ~1 % of an app's CPU per request).
  if (colon > 0 && authority.indexOf(':') !== colon && isIP(authority) === 6) return { host: authority, port: undefined };
  let host = authority;
  let port: number | undefined;
  if (colon >= 0 && !authority.endsWith(']')) {
    const p = authority.slice(colon + 1);
    if (/^\d{1,5}$/.test(p) && Number(p) <= 65535) {
      host = authority.slice(0, colon);
      port = Number(p);
    }
  }
  if (host.startsWith('[') && host.endsWith(']') && isIP(host.slice(1, -1)) === 6) host = host.slice(1, -1);
  return { host, port };
}

/** `host[:port]`, an IPv6 literal in brackets. */
export function formatAuthority(host: string, port?: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

/** The form Host values are compared in: DNS names are case-insensitive (Envoy lower-cases vhost domains). */
export function hostMatchKey(host: string): string {
  return host.toLowerCase();
}

/** The explicit port of an authority, else the scheme's default. */
export function authorityPort(authority: string, scheme = 'http'): number {
  return parseAuthority(authority).port ?? defaultPort(scheme);
}

/**
 * A request-target (RFC 9112 §3.2): absolute-form `http://host:port/p?q` gives its
 * authority and the origin-form `/p?q` (`/` when it has no path); origin-form comes back as is.
 */
export function splitRequestTarget(target: string): { authority: string | undefined; path: string } {
  if (target.charCodeAt(0) === 47 /* '/' */ || !/^https?:\/\//i.test(target)) return { authority: undefined, path: target };
  const start = target.indexOf('//') + 2;
  const slash = target.indexOf('/', start);
  const q = target.indexOf('?', start);
  const end = slash < 0 ? (q < 0 ? target.length : q) : q >= 0 && q < slash ? q : slash;
  const path = end === target.length ? '/' : target.charCodeAt(end) === 63 /* '?' */ ? `/${target.slice(end)}` : target.slice(end);
  return { authority: target.slice(start, end), path };
}

/** Envoy's mirror Host suffix (Istio <= 1.27 leaves it on, spec §6). */
const SHADOW_HOST_SUFFIX = '-shadow';

/** `httpbin:8000` -> `httpbin-shadow:8000`, `cluster-1` -> `cluster-1-shadow`: the suffix goes on the host. */
export function shadowAuthority(authority: string): string {
  const a = parseAuthority(authority);
  return formatAuthority(a.host + SHADOW_HOST_SUFFIX, a.port);
}

/** `httpbin-shadow:8000` / `httpbin-shadow` -> true: a mirrored copy, as the upstream app sees it. */
export function isShadowHost(authority: string): boolean {
  return parseAuthority(authority).host.endsWith(SHADOW_HOST_SUFFIX);
}
