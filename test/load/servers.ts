// Real node:http upstreams on 127.0.0.1 (port 0) for the load tests, counting
// what they saw: requests, TCP connections, Host headers.
import http from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

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

const started: Array<{ close(): Promise<void> }> = [];

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

export interface RawServer {
  port: number;
  url: string;
  /** Request heads read, in all. */
  requests: number;
  connections: number;
  close(): Promise<void>;
}

/**
 * A bare TCP server (no HTTP library) that answers by hand, for replies node:http
 * never sends: `reply` gets the socket, the request number (from 1), the
 * request's number on its socket (from 1) and its head. Requests carry no body.
 * Closed by closeServers.
 */
export async function rawServer(reply: (sock: Socket, n: number, onSocket: number, head: string) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const srv = createNetServer((sock) => {
    s.connections++;
    sockets.add(sock);
    sock.setNoDelay(true);
    let buf = '';
    let onSocket = 0;
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i + 4);
        buf = buf.slice(i + 4);
        reply(sock, ++s.requests, ++onSocket, head);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  const s: RawServer = {
    port: 0,
    url: '',
    requests: 0,
    connections: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const x of sockets) x.destroy();
        srv.close(() => r());
      }),
  };
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  s.port = (srv.address() as AddressInfo).port;
  s.url = `http://127.0.0.1:${s.port}`;
  started.push(s);
  return s;
}

/** Writes `text` one byte per write, a millisecond apart (so the reader gets it in many pieces); `then` after the last. */
export function dribble(sock: Socket, text: string, then?: () => void): void {
  const bytes = Buffer.from(text, 'latin1');
  let i = 0;
  const next = (): void => {
    if (sock.destroyed) return;
    if (i === bytes.length) return then?.();
    sock.write(bytes.subarray(i, ++i));
    setTimeout(next, 1);
  };
  next();
}
