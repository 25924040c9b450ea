// A plain node:http GET on 127.0.0.1 for tests that talk to a listener: fresh
// connection, optional Host header, utf-8 body, bounded by a timeout.
import { request, type IncomingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Wall time from the call to the end of the body. */
  ms: number;
}

export function httpGet(
  port: number,
  path: string,
  o: { host?: string; headers?: Record<string, string>; timeoutMs: number },
): Promise<Reply> {
  const t0 = performance.now();
  const headers = { ...(o.host ? { host: o.host } : {}), ...o.headers };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false, timeout: o.timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${o.host ?? ''}${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}
