// One loopback listener (one node:http server) for all the replicas of a
// Deployment: replicas are cheap endpoints (a request handler each), so a
// 1000-replica service costs one listening socket, not a thousand. The sidecar
// names the pod it picked in a last request header (endpoint-header.ts), taken
// off here before the replica sees the request; a request without one (curl
// straight at the app port) goes to the first running replica. Connections are
// remembered per replica, so stopping one pod drops its connections only.

import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ENDPOINT_HEADER } from '../endpoint-header.js';

export type ReplicaHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Replica {
  handle: ReplicaHandler;
  sockets: Set<Socket>;
}

/** The replica a socket last served (a sidecar's connection always serves one pod). */
const servedBy = new WeakMap<Socket, Replica>();

export class EndpointListener {
  readonly server: http.Server;
  readonly #replicas = new Map<string, Replica>();
  #port = 0;

  constructor() {
    this.server = http.createServer({ keepAlive: true, noDelay: true }, (req, res) => this.#dispatch(req, res));
  }

  get port(): number {
    return this.#port;
  }

  /** Binds host:port (0 = ephemeral); resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.server.on('error', ignore);
        const addr = this.server.address();
        this.#port = typeof addr === 'object' && addr ? addr.port : port;
        resolve(this.#port);
      });
    });
  }

  /** Serves `pod`'s requests with `handle`; the returned function stops them (its connections are destroyed). */
  attach(pod: string, handle: ReplicaHandler): () => void {
    const replica: Replica = { handle, sockets: new Set() };
    this.#replicas.set(pod, replica);
    return () => {
      if (this.#replicas.get(pod) === replica) this.#replicas.delete(pod);
      for (const s of replica.sockets) s.destroy();
      replica.sockets.clear();
    };
  }

  /** Stops listening and destroys every connection. */
  close(): Promise<void> {
    this.#replicas.clear();
    return new Promise((done) => {
      if (!this.server.listening) return done();
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    const pod = takeEndpoint(req);
    const replica = pod === undefined ? this.#replicas.values().next().value : this.#replicas.get(pod);
    // A stopped (or unknown) pod: the connection is dropped, as by a pod that went away.
    if (!replica) return void req.socket.destroy();
    const socket = req.socket;
    if (servedBy.get(socket) !== replica) {
      servedBy.set(socket, replica);
      replica.sockets.add(socket);
      socket.once('close', () => replica.sockets.delete(socket));
    }
    replica.handle(req, res);
  }
}

/**
 * The pod named by the sidecar's endpoint header, removed from the request
 * (raw and parsed forms) so the app never sees it. It is the last header: its
 * property was added last, and V8 deletes that one without leaving fast mode.
 */
export function takeEndpoint(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  const n = raw.length;
  if (n < 2 || raw[n - 2] !== ENDPOINT_HEADER) return undefined;
  const pod = raw[n - 1];
  raw.length = n - 2;
  delete req.headers[ENDPOINT_HEADER];
  return pod;
}

function ignore(): void {}
