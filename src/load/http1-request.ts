// The request every call of a run sends, decided once per run: its header
// list (shared by both clients) and, for the fast client, the finished
// HTTP/1.1 bytes — request line, Host, headers, Content-Length and body — that
// each call writes as they are, as fortio's fast client does.
import { FORTIO_VERSION } from '../report/fortio-version.js';
import type { Target } from './protocol.js';
import type { LoadOptions } from './types.js';

export const FORTIO_USER_AGENT = `fortio.org/fortio-${FORTIO_VERSION}-meshbench`;

/** The request's headers besides Host and Content-Length: -H in order, then fortio's User-Agent and -content-type. */
export function requestHeaders(opts: Pick<LoadOptions, 'headers' | 'payload' | 'contentType'>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let hasUA = false;
  for (const [k, v] of opts.headers) {
    const lk = k.toLowerCase();
    if (lk === 'host') continue; // the Target's hostHeader
    if (lk === 'user-agent') hasUA = true;
    out.push([k, v]);
  }
  if (!hasUA) out.push(['User-Agent', FORTIO_USER_AGENT]);
  if (opts.payload && opts.contentType) out.push(['Content-Type', opts.contentType]);
  return out;
}

/** Methods whose requests carry content by definition: they say "Content-Length: 0" when there is none (RFC 9110 §8.6). */
const CONTENT_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The whole request as written on the wire, built once for every call of a run. */
export function requestBytes(opts: LoadOptions, target: Target): Buffer {
  const u = new URL(opts.url);
  const lines = [`${opts.method} ${u.pathname}${u.search} HTTP/1.1`, `Host: ${target.hostHeader}`];
  if (!opts.keepalive) lines.push('Connection: close');
  for (const [k, v] of requestHeaders(opts)) lines.push(`${k}: ${v}`);
  const body = opts.payload;
  if (body !== null && body.length > 0) lines.push(`Content-Length: ${body.length}`);
  else if (CONTENT_METHODS.has(opts.method)) lines.push('Content-Length: 0');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body !== null && body.length > 0 ? Buffer.concat([head, body]) : head;
}
