// A worker's connections — fortio's fast client by default, the standard
// (undici) one with -stdclient — and the -timeout sweep over their calls.
import { performance } from 'node:perf_hooks';
import type { Connection, ConnectionContext, ConnectionEvents } from './connection.js';
import { fastConnections } from './fast-connection.js';
import type { Target } from './protocol.js';
import type { LoadOptions } from './types.js';
import { undiciConnections } from './undici-connection.js';

export class ConnectionRunner implements ConnectionContext {
  readonly conns: Connection[];
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly opts: LoadOptions,
    readonly target: Target,
    connections: number,
    readonly events: ConnectionEvents,
  ) {
    this.conns = (opts.stdClient ? undiciConnections : fastConnections)(this, connections);
  }

  /**
   * -timeout for calls in flight (fortio: connect + response within the timeout,
   * else code -1): one periodic sweep per worker instead of a timer per call.
   */
  startTimeouts(): void {
    const t = this.opts.timeoutMs;
    if (t <= 0 || this.sweepTimer !== null) return;
    this.sweepTimer = setInterval(() => {
      const now = performance.now();
      for (const c of this.conns) c.expire(now, t);
    }, Math.max(2, Math.min(100, t / 20)));
  }

  /** Stop now: calls in flight are abandoned. */
  destroy(): void {
    for (const c of this.conns) c.destroy();
  }

  /** The run is over: stop the sweep and let the sockets go. */
  close(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const c of this.conns) c.close();
  }
}
