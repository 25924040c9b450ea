// The sidecar's outbound HTTP listener on loopback: Host-header and absolute-form
// requests, downstream keep-alive. Each accepted connection is bound to one of the
// sidecar's worker "threads" round-robin, as Envoy's listener balances connections
// over workers; the worker picks which per-worker connection pools serve it.

import * as http from 'node:http';
import type { Socket } from 'node:net';
import { ActiveStream, type ListenerContext } from './active-stream.js';
import { WORKER_CONCURRENCY } from '../cluster/cluster.js';

const WORKER = Symbol('meshWorker');
const SOURCE_IP = Symbol('meshSourceIp');
type WorkerSocket = Socket & { [WORKER]?: number; [SOURCE_IP]?: string };

export class Listener {
  readonly server: http.Server;
  #nextWorker = 0;

  constructor(private readonly ctx: ListenerContext) {
    this.server = http.createServer({ requestTimeout: 0, headersTimeout: 0, noDelay: true }, this.#onRequest);
    // Envoy's downstream idle timeout is 1 h; 0 here also omits the `Keep-Alive` header.
    this.server.keepAliveTimeout = 0;
    this.server.on('connection', this.#onConnection);
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  readonly #onConnection = (socket: WorkerSocket): void => {
    socket[WORKER] = this.#nextWorker;
    // Read once per connection, not per request (consistentHash useSourceIp).
    socket[SOURCE_IP] = socket.remoteAddress ?? '127.0.0.1';
    this.#nextWorker = (this.#nextWorker + 1) % WORKER_CONCURRENCY;
  };

  readonly #onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const socket = req.socket as WorkerSocket;
    const stream = new ActiveStream(this.ctx, req, res, socket[WORKER] ?? 0, socket[SOURCE_IP] ?? '127.0.0.1');
    try {
      stream.start();
    } catch (e) {
      // A bug must not take the mesh down, nor vanish: counted, logged once, 500.
      stream.internalError(e);
    }
  };
}
