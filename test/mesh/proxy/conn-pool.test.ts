// Envoy HTTP/1.1 pool arithmetic (spec §4.2) on a real upstream socket: pending
// limit at limit-1 / limit / limit+1, max_connections with cx_overflow, the
// per-pool exemption, max_requests checked at attach, max_requests_per_connection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { StatsStore } from '../../../src/mesh/stats/store.js';
import { bindClusterStats } from '../../../src/mesh/cluster/cluster-stats.js';
import { ResourceManager } from '../../../src/mesh/cluster/resource-manager.js';
import { ConnPool, type PoolCallbacks, type PoolFailureReason } from '../../../src/mesh/cluster/conn-pool.js';
import { Host } from '../../../src/mesh/cluster/host.js';
import type { UpstreamConnection } from '../../../src/mesh/cluster/upstream-connection.js';
import { DEFAULT_CONNECTION_POOL } from '../../../src/mesh/config/policy.js';
import type { ConnectionPool } from '../../../src/mesh/config/model.js';

async function server(delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const s = http.createServer((_req, res) => setTimeout(() => res.end('ok'), delayMs));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as { port: number }).port,
    close: () =>
      new Promise((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}

class Req implements PoolCallbacks {
  failed: PoolFailureReason | undefined;
  done = false;
  constructor(readonly onDone?: () => void) {}
  onPoolReady(cx: UpstreamConnection): void {
    cx.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n', undefined, {
      onResponseHeaders: () => {},
      onResponseData: () => {},
      onResponseComplete: () => {
        this.done = true;
        this.onDone?.();
      },
      onStreamReset: () => {},
    }, false);
  }
  onPoolFailure(reason: PoolFailureReason): void {
    this.failed = reason;
  }
}

function setup(port: number, limits: Partial<ConnectionPool>) {
  const store = new StatsStore();
  const stats = bindClusterStats(store, 'outbound|8000||t', '.');
  const pool = { ...DEFAULT_CONNECTION_POOL, ...limits };
  const rm = new ResourceManager(pool, stats);
  const host = new Host('t-0', 0, {}, '127.0.0.1', () => port);
  const settings = { connectTimeoutMs: 1000, maxRequestsPerConnection: pool.maxRequestsPerConnection, idleTimeoutMs: limits.idleTimeoutMs ?? 60_000 };
  const mk = (): ConnPool => new ConnPool(host, stats, rm, settings, undefined);
  return { stats, rm, mk };
}

const waitFor = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

for (const [k, overflow] of [
  [1, 0],
  [2, 0],
  [3, 1],
] as const) {
  test(`pending limit 2, maxConnections 1: ${k} concurrent streams -> ${overflow} overflow (limit${k - 2 >= 0 ? '+' : ''}${k - 2 === 0 ? '' : k - 2})`, async () => {
    const up = await server(50);
    const { stats, mk } = setup(up.port, { maxConnections: 1, http1MaxPendingRequests: 2 });
    const pool = mk();
    try {
      const reqs = Array.from({ length: k }, () => new Req());
      for (const r of reqs) pool.newStream(r);
      // Synchronous decisions: everything is pending on the one connecting connection.
      assert.equal(stats.upstream_rq_pending_overflow.value, overflow);
      assert.equal(reqs.filter((r) => r.failed === 'overflow').length, overflow);
      assert.equal(stats.upstream_cx_total.value, 1);
      assert.equal(stats.upstream_cx_overflow.value, k >= 2 ? k - 1 - overflow : 0);
      assert.equal(stats['circuit_breakers.default.rq_pending_open'].value, k >= 2 ? 1 : 0);
      await waitFor(() => reqs.every((r) => r.done || r.failed));
      assert.equal(stats.upstream_rq_total.value, k - overflow);
      assert.equal(stats.upstream_rq_pending_total.value, k - overflow);
      assert.equal(stats.upstream_rq_pending_active.value, 0);
      assert.equal(stats['circuit_breakers.default.remaining_pending'].value, 2);
    } finally {
      pool.destroy();
      await up.close();
    }
  });
}

test('per-pool exemption: a second pool with no connection opens one past max_connections', async () => {
  const up = await server(30);
  const { stats, mk } = setup(up.port, { maxConnections: 1 });
  const a = mk();
  const b = mk();
  try {
    const r1 = new Req();
    const r2 = new Req();
    a.newStream(r1);
    b.newStream(r2);
    assert.equal(stats.upstream_cx_total.value, 2);
    assert.equal(stats.upstream_cx_overflow.value, 1);
    assert.equal(stats['circuit_breakers.default.cx_open'].value, 1);
    await waitFor(() => r1.done && r2.done);
    // A third stream on pool a waits for a's connection instead of opening another.
    const r3 = new Req();
    const r4 = new Req();
    a.newStream(r3);
    a.newStream(r4);
    await waitFor(() => r3.done && r4.done);
    assert.equal(stats.upstream_cx_total.value, 2);
  } finally {
    a.destroy();
    b.destroy();
    await up.close();
  }
});

test('max_requests is checked at attach: limit+1 concurrent streams -> 1 overflow', async () => {
  const up = await server(80);
  const { stats, mk } = setup(up.port, { http2MaxRequests: 2 });
  const pool = mk();
  try {
    const reqs = Array.from({ length: 3 }, () => new Req());
    for (const r of reqs) pool.newStream(r);
    assert.equal(stats.upstream_cx_total.value, 3);
    await waitFor(() => reqs.every((r) => r.done || r.failed));
    assert.equal(reqs.filter((r) => r.failed === 'overflow').length, 1);
    assert.equal(stats.upstream_rq_pending_overflow.value, 1);
    assert.equal(stats.upstream_rq_total.value, 2);
  } finally {
    pool.destroy();
    await up.close();
  }
});

test('maxRequestsPerConnection 1: a new connection per request, upstream_cx_max_requests', async () => {
  const up = await server(1);
  const { stats, mk } = setup(up.port, { maxRequestsPerConnection: 1 });
  const pool = mk();
  try {
    for (let i = 0; i < 3; i++) {
      const r = new Req();
      pool.newStream(r);
      await waitFor(() => r.done);
    }
    assert.equal(stats.upstream_cx_total.value, 3);
    assert.equal(stats.upstream_cx_max_requests.value, 3);
    await waitFor(() => stats.upstream_cx_active.value === 0);
  } finally {
    pool.destroy();
    await up.close();
  }
});

test('connect failure fails every pending stream of the pool', async () => {
  const up = await server(1);
  const port = up.port;
  await up.close(); // nothing listens there now
  const { stats, mk } = setup(port, {});
  const pool = mk();
  const reqs = [new Req(), new Req()];
  for (const r of reqs) pool.newStream(r);
  await waitFor(() => reqs.every((r) => r.failed));
  assert.deepEqual(
    reqs.map((r) => r.failed),
    ['connection_failure', 'connection_failure'],
  );
  assert.ok(stats.upstream_cx_connect_fail.value >= 1);
  assert.equal(stats.upstream_rq_pending_failure_eject.value, 2);
  assert.equal(stats.upstream_rq_pending_active.value, 0);
});

test('idleTimeout closes a READY connection that stays unused; a busy one is kept', async () => {
  const up = await server(150);
  const { stats, mk } = setup(up.port, { idleTimeoutMs: 80 });
  const pool = mk();
  try {
    const r = new Req();
    pool.newStream(r);
    // Busy for 150 ms (longer than the idle timeout): not closed under the request.
    await waitFor(() => r.done);
    assert.equal(stats.upstream_cx_idle_timeout.value, 0);
    assert.equal(stats.upstream_cx_active.value, 1);
    await waitFor(() => stats.upstream_cx_active.value === 0, 2000);
    assert.equal(stats.upstream_cx_idle_timeout.value, 1);
    assert.equal(pool.connectionCount, 0);
  } finally {
    pool.destroy();
    await up.close();
  }
});

// A loopback listener that never accepts, with its accept queue already full:
// further SYNs are dropped, so a connect hangs until the pool's connect timeout.
const HANG = `
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
print(port, flush=True)
time.sleep(20)
`;

test('connect timeout: the connection is abandoned and its pending streams fail (upstream_cx_connect_timeout)', async (t) => {
  const { spawn } = await import('node:child_process');
  const py = spawn('python3', ['-c', HANG], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number | undefined>((resolve) => {
    py.once('error', () => resolve(undefined));
    py.stdout!.once('data', (c: Buffer) => resolve(Number(String(c).trim())));
  });
  if (port === undefined) {
    t.skip('python3 not available to hold a connect open');
    return;
  }
  const store = new StatsStore();
  const stats = bindClusterStats(store, 'outbound|8000||hang', '.');
  const rm = new ResourceManager({ ...DEFAULT_CONNECTION_POOL, connectTimeoutMs: 150 }, stats);
  const host = new Host('hang-0', 0, {}, '127.0.0.1', () => port);
  const pool = new ConnPool(host, stats, rm, { connectTimeoutMs: 150, maxRequestsPerConnection: 0, idleTimeoutMs: 60_000 }, undefined);
  try {
    const t0 = performance.now();
    const r = new Req();
    pool.newStream(r);
    await waitFor(() => r.failed !== undefined, 3000);
    const ms = performance.now() - t0;
    assert.equal(r.failed, 'connection_failure');
    assert.ok(ms >= 140 && ms < 2000, `failed after ${ms}`);
    assert.equal(stats.upstream_cx_connect_timeout.value, 1);
    assert.equal(stats.upstream_cx_connect_fail.value, 1);
    assert.equal(stats.upstream_rq_pending_failure_eject.value, 1);
    assert.equal(stats.upstream_cx_active.value, 0);
  } finally {
    pool.destroy();
    py.kill();
  }
});
