// Envoy local replies (spec §9): status, exact body, `content-type: text/plain`
// when the body is non-empty, `content-length`, `date` (node adds it) and
// `server: envoy`; never `x-envoy-upstream-service-time`.

import type { ServerResponse } from 'node:http';
import type { HeaderOps } from '../config/model.js';
import { applyResponseOps } from './header-ops.js';

export const BODY_OVERFLOW = 'upstream connect error or disconnect/reset before headers. reset reason: overflow';
export const BODY_OVERFLOW_RETRIED =
  'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: overflow';
export const BODY_TIMEOUT = 'upstream request timeout';
export const BODY_NO_HEALTHY = 'no healthy upstream';

/** Body of a 503 after an upstream reset or connect failure. */
export function resetBody(reason: string, retried: boolean): string {
  return retried
    ? `upstream connect error or disconnect/reset before headers. retried and the latest reset reason: ${reason}`
    : `upstream connect error or disconnect/reset before headers. reset reason: ${reason}`;
}

/** Envoy's reset reason strings (spec §9; exact wording varies by Envoy version). */
export function resetReasonText(reason: string): string {
  switch (reason) {
    case 'connection_failure':
      return 'remote connection failure, transport failure reason: delayed connect error: Connection refused';
    case 'connection_termination':
      return 'connection termination';
    case 'protocol_error':
      return 'protocol error';
    case 'overflow':
      return 'overflow';
    default:
      return 'local reset';
  }
}

export function sendLocalReply(
  res: ServerResponse,
  status: number,
  body: string,
  extra?: readonly string[],
  responseOps?: readonly HeaderOps[],
): void {
  if (res.headersSent) {
    // Too late for a reply: Envoy resets the stream.
    res.destroy();
    return;
  }
  let h: string[] = ['server', 'envoy'];
  if (body.length > 0) h.push('content-type', 'text/plain');
  h.push('content-length', String(Buffer.byteLength(body)));
  if (extra) for (const x of extra) h.push(x);
  if (responseOps) for (const ops of responseOps) h = applyResponseOps(h, ops);
  res.writeHead(status, h);
  res.end(body);
}
