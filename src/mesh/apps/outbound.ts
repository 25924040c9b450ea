// Calls a bookinfo app makes to another service. Every call goes to the
// workload's own outbound sidecar (ctx.outbound) with the service's Host
// header, exactly as the app would call `http://reviews:9080/...` in a pod.

import http from 'node:http';
import type { IncomingMessage } from 'node:http';

export interface UpstreamReply {
  status: number;
  body: Buffer;
}

/**
 * GET `path` on `host` (a `name:port` Host header) via the sidecar listener.
 * `timeoutMs` is the client's connect/read inactivity timeout (Python
 * requests `timeout=`, JAX-RS connection+receive timeout). Resolves null on
 * any exception (refused, reset, timeout) — the apps treat those like the
 * real ones treat an exception. With a keep-alive agent, a request that dies
 * on a reused idle connection before any response is sent once more on a
 * fresh one, as the JVM's HttpURLConnection does for a stale cached socket.
 */
export function get(
  outbound: { host: string; port: number },
  host: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
  agent: http.Agent | false,
  inflight?: Set<{ destroy(): unknown }>,
): Promise<UpstreamReply | null> {
  return send(outbound, { host, method: 'GET', path, headers }, timeoutMs, agent, inflight);
}

/** Any method, with an optional body; otherwise as get() (`timeoutMs` 0 = none). */
export function send(
  outbound: { host: string; port: number },
  call: { host: string; method: string; path: string; headers: Record<string, string>; body?: Buffer },
  timeoutMs: number,
  agent: http.Agent | false,
  inflight?: Set<{ destroy(): unknown }>,
): Promise<UpstreamReply | null> {
  const { path, headers, method, body } = call;
  headers.host = call.host;
  if (body && body.length > 0) headers['content-length'] = String(body.length);
  return attempt(outbound, path, headers, timeoutMs, agent, inflight, agent !== false, method, body);
}

function attempt(
  outbound: { host: string; port: number },
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
  agent: http.Agent | false,
  inflight: Set<{ destroy(): unknown }> | undefined,
  retryStale: boolean,
  method: string,
  body: Buffer | undefined,
): Promise<UpstreamReply | null> {
  return new Promise((resolve) => {
    let settled = false;
    let responded = false;
    const done = (v: UpstreamReply | null) => {
      if (!settled) {
        settled = true;
        inflight?.delete(req);
        resolve(v);
      }
    };
    const req = http.request({ host: outbound.host, port: outbound.port, path, method, headers, agent }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
      res.on('error', () => done(null));
      res.on('aborted', () => done(null));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error('timeout'));
      done(null);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retryStale && !responded && !settled && req.reusedSocket && err.code === 'ECONNRESET') {
        settled = true;
        inflight?.delete(req);
        resolve(attempt(outbound, path, headers, timeoutMs, agent, inflight, false, method, body));
        return;
      }
      done(null);
    });
    inflight?.add(req);
    req.end(body);
  });
}

/**
 * Headers reviews (LibertyRestEndpoint.headers_to_propagate) copies from its
 * request to the ratings call; productpage and details use the same list (spec §11).
 */
export const PROPAGATED_HEADERS = [
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'sw8',
  'end-user',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
] as const;

/** Copies the listed request headers that are present (first value, as getHeaderString/`headers.get`). */
export function copyHeaders(req: IncomingMessage, names: readonly string[], into: Record<string, string> = {}): Record<string, string> {
  for (const n of names) {
    const v = req.headers[n];
    if (v !== undefined) into[n] = Array.isArray(v) ? v.join(', ') : v;
  }
  return into;
}
