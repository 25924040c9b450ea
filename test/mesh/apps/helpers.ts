// Test helpers for the built-in apps: start an app on an ephemeral loopback
// port and talk to it with plain node:http (no mocks).

import http from 'node:http';
import net from 'node:net';
import { InstanceCounter, type AppContext, type RunningApp } from '../../../src/mesh/apps/app.js';
import type { AppKind, InstanceSpec } from '../../../src/mesh/config/model.js';
import { startApp } from '../../../src/mesh/apps/index.js';

export interface Started {
  app: RunningApp;
  ctx: AppContext;
  counter: InstanceCounter;
  log: string[];
}

export function instance(
  app: AppKind,
  opts: { pod?: string; labels?: Record<string, string>; env?: Record<string, string>; image?: string } = {},
): InstanceSpec {
  const labels = opts.labels ?? { app, version: 'v1' };
  const spec: InstanceSpec = {
    pod: opts.pod ?? `${app}-${labels.version ?? 'v1'}-0`,
    workload: `${app}-${labels.version ?? 'v1'}`,
    namespace: 'default',
    app,
    labels,
    containerPort: 9080,
    env: opts.env ?? {},
  };
  if (opts.image !== undefined) spec.image = opts.image;
  return spec;
}

export async function start(
  spec: InstanceSpec,
  outbound: { host: string; port: number } = { host: '127.0.0.1', port: 9 },
): Promise<Started> {
  const counter = new InstanceCounter();
  const log: string[] = [];
  const ctx: AppContext = { instance: spec, host: '127.0.0.1', port: 0, outbound, counter, accessLog: (l) => log.push(l) };
  const app = await startApp(ctx);
  return { app, ctx, counter, log };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

export function request(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent; timeoutMs?: number } = {},
): Promise<Reply> {
  const headers = { ...opts.headers };
  if (opts.body !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('test request timed out')));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/**
 * The "outbound sidecar" stand-in for bookinfo tests: a loopback forwarder that
 * routes by Host header to an app port (NOT the product's proxy). `hold` makes
 * a host hang (never answer) to exercise the apps' own timeouts.
 */
export class ForwardStub {
  readonly routes = new Map<string, number>();
  readonly hold = new Set<string>();
  readonly status = new Map<string, number>();
  /** Status for the next N requests to a host: [status, remaining]. */
  readonly statusNext = new Map<string, [number, number]>();
  readonly seen: Array<{ host: string; path: string; headers: http.IncomingHttpHeaders; clientPort: number }> = [];
  private server = http.createServer((req, res) => this.forward(req, res));
  port = 0;

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    this.seen.push({ host, path: req.url ?? '', headers: req.headers, clientPort: req.socket.remotePort ?? 0 });
    if (this.hold.has(host)) return; // hang: the caller's timeout must fire
    let forced = this.status.get(host);
    const next = this.statusNext.get(host);
    if (next && next[1] > 0) {
      forced = next[0];
      next[1]--;
    }
    if (forced !== undefined) {
      res.writeHead(forced, { 'content-type': 'text/plain' });
      res.end('fault filter abort');
      return;
    }
    const port = this.routes.get(host);
    if (port === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    const up = http.request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers, agent: false }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(503);
      res.end('upstream connect error');
    });
    req.pipe(up);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * One request written byte for byte on a raw socket (node:http's client always
 * adds a Connection header, which httpbin would echo back).
 */
export function rawRequest(port: number, head: string, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => sock.destroy(new Error('raw request timed out')), 10_000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0].split(' ')[1]);
      const headers: http.IncomingHttpHeaders = {};
      for (const l of lines.slice(1)) {
        const c2 = l.indexOf(':');
        headers[l.slice(0, c2).toLowerCase()] = l.slice(c2 + 1).trim();
      }
      const len = Number(headers['content-length'] ?? 0);
      if (buf.length - end - 4 < len) return;
      const raw = buf.subarray(end + 4, end + 4 + len);
      clearTimeout(timer);
      sock.destroy();
      resolve({ status, headers, body: raw.toString('utf8'), raw });
    });
    sock.write(head + '\r\n' + body);
  });
}
