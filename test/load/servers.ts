// Real node:http upstreams on 127.0.0.1 (port 0) for the load tests, counting
// what they saw: requests, TCP connections, Host headers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  port: number;
  url: string;
  requests: number;
  connections: number;
  hosts: string[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export async function startServer(handler: Handler = (_q, res) => res.end('hello')): Promise<TestServer> {
  const s: TestServer = {
    port: 0,
    url: '',
    requests: 0,
    connections: 0,
    hosts: [],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const server = http.createServer((req, res) => {
    s.requests++;
    if (s.hosts.length < 50) s.hosts.push(req.headers.host ?? '');
    handler(req, res, s.requests);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => s.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.port = (server.address() as AddressInfo).port;
  s.url = `http://127.0.0.1:${s.port}`;
  return s;
}

const started: TestServer[] = [];

/** startServer, remembered for closeServers (register it with node:test's `after`). */
export async function server(handler?: Handler): Promise<TestServer> {
  const s = await startServer(handler);
  started.push(s);
  return s;
}

/** Closes every server started with server() in this test file. */
export async function closeServers(): Promise<void> {
  for (const s of started.splice(0)) await s.close();
}

/** A port with nothing listening (bound then released). */
export async function closedPort(): Promise<number> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
