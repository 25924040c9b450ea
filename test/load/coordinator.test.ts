import { test as nodeTest, after } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../../src/load/coordinator.js';
import { parseLoadFlags } from '../../src/cli/load.js';
import type { LoadSnapshot } from '../../src/load/types.js';
import { RuntimeError } from '../../src/errors.js';
import { closedPort, closeServers, server } from './servers.js';

after(closeServers);
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

// Every behaviour here holds for both of fortio's clients: the fast one (default) and -stdclient.
const CLIENTS = [
  { name: 'fast client', flags: [] as string[] },
  { name: '-stdclient', flags: ['-stdclient'] },
];
for (const client of CLIENTS) {
  const test = (name: string, fn: () => Promise<void>) => nodeTest(`${name} [${client.name}]`, fn);
  const opts = (line: string) => parseLoadFlags([...client.flags, ...line.split(' ').filter(Boolean)]).options;

  test('exactly -n across several workers: the server sees exactly 103 calls', async () => {
    const s = await server();
    const r = await runLoad(opts(`-c 5 -qps 0 -n 103 --workers 2 ${s.url}/get`));
    assert.equal(s.requests, 103);
    assert.equal(r.calls, 103);
    assert.deepEqual(r.retCodes, { '200': 103 });
    assert.equal(r.duration.count, 103);
    assert.equal(r.meshbench.serviceTime.count, 103);
    assert.equal(r.meshbench.workers, 2);
    const busy = r.meshbench.workerUtilization ?? -1;
    assert.ok(busy > 0 && busy <= 1, `worker utilization ${busy}`);
    assert.equal(r.sockets.length, 5);
    assert.equal(sum(r.sockets), 5, 'keep-alive: one socket per connection');
    assert.equal(r.numThreads, 5);
    assert.equal(r.interrupted, false);
  });

  test("closed loop, the seed's line: -c 2 -qps 0 -n 20 -loglevel Warning", async () => {
    const s = await server();
    const r = await runLoad(opts(`-c 2 -qps 0 -n 20 -loglevel Warning ${s.url}/get`));
    assert.equal(s.requests, 20);
    assert.deepEqual(r.retCodes, { '200': 20 });
    assert.deepEqual(r.sockets, [1, 1]);
    assert.equal(s.connections, 2);
    assert.equal(r.meshbench.correctedTime, undefined, 'no corrected latency in closed loop');
    assert.equal(r.meshbench.requestedQps, 0);
    assert.ok(r.actualDurationNs > 0);
    assert.equal(Object.values(r.ipCountMap)[0], 2);
    assert.deepEqual(new Set(s.hosts), new Set([`127.0.0.1:${s.port}`]), 'Host is the URL authority');
  });

  test('a run stopped before its timed part makes no timed call and reports an interrupted empty run', async () => {
    const s = await server();
    const ac = new AbortController();
    ac.abort();
    const r = await runLoad(opts(`-c 3 -qps 0 -t 5s ${s.url}/`), { signal: ac.signal });
    assert.equal(r.interrupted, true);
    assert.equal(r.calls, 0);
    assert.equal(r.duration.count, 0);
    assert.equal(r.actualDurationNs, 0);
    assert.ok(s.requests <= 3, `at most the warm-up calls reached the server (${s.requests})`);
  });

  test('fixed qps: 200 qps for 1.5 s achieves the rate, keeps the schedule, records corrected latency', async () => {
    const s = await server();
    const snaps: LoadSnapshot[] = [];
    const r = await runLoad(opts(`-c 4 -qps 200 -t 1.5s ${s.url}/get`), { onSnapshot: (x) => snaps.push(x) });
    // 4 warmup calls + 300 scheduled calls (each connection's last due time is < 1.5 s).
    assert.ok(r.calls >= 290 && r.calls <= 302, `calls ${r.calls}`);
    assert.equal(s.requests, r.calls + 4);
    const qps = r.calls / (r.actualDurationNs / 1e9);
    assert.ok(Math.abs(qps - 200) / 200 < 0.06, `achieved ${qps}`);
    assert.ok(r.meshbench.correctedTime, 'corrected latency kept beside service time');
    assert.equal(r.meshbench.correctedTime.count, r.calls);
    assert.ok(r.meshbench.correctedTime.p50 >= r.meshbench.serviceTime.p50 * 0.9);
    assert.ok(r.sleepTimes && r.sleepTimes.count > 0);
    assert.ok(snaps.length >= 3, 'several snapshots a second');
    assert.equal(snaps.at(-1)!.done, true);
    assert.equal(snaps.at(-1)!.calls, r.calls);
    for (let i = 1; i < snaps.length; i++) assert.ok(snaps[i].calls >= snaps[i - 1].calls);
    assert.ok(snaps.at(-1)!.correctedCumulative);
  });

  test('connection refused: every call is code -1 (fortio), no sockets', async () => {
    const port = await closedPort();
    const r = await runLoad(opts(`-c 2 -qps 0 -n 10 http://127.0.0.1:${port}/`));
    assert.deepEqual(r.retCodes, { '-1': 10 });
    assert.equal(r.errors.count, 10);
    assert.equal(sum(r.sockets), 0);
  });

  test('fortio closes the socket after a non-2xx reply: 503 everywhere -> one socket per call', async () => {
    const s = await server((_q, res) => {
      res.statusCode = 503;
      res.end('overflow');
    });
    const r = await runLoad(opts(`-c 2 -qps 0 -n 10 ${s.url}/`));
    assert.deepEqual(r.retCodes, { '503': 10 });
    assert.deepEqual(r.sockets, [5, 5]);
    assert.equal(s.connections, 10);
    assert.deepEqual(
      r.perConnection?.map((p) => [Object.values(p.ipCounts)[0], p.connectTimes.count]),
      [[5, 5], [5, 5]],
    );
    assert.equal(r.connectionTimes.count, 10);
    assert.equal(r.headerSizes.sum, 0, 'fortio: header size 0 for error replies');
    assert.ok(r.sizes.min > 0, 'total bytes still counted');
  });

  test('mixed codes like the seed: sockets = connections + non-2xx replies not at the end', async () => {
    const s = await server((_q, res, n) => {
      res.statusCode = n % 4 === 0 ? 503 : 200;
      res.end('x');
    });
    const r = await runLoad(opts(`-c 1 -qps 0 -n 12 ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 9, '503': 3 });
    // 503s at calls 4, 8, 12; the last one needs no new socket.
    assert.deepEqual(r.sockets, [3]);
    assert.equal(s.connections, 3);
  });

  test('a server that closes every connection: one socket per call, all 200', async () => {
    const s = await server((_q, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const r = await runLoad(opts(`-c 2 -qps 0 -n 10 ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 10 });
    assert.equal(sum(r.sockets), 10);
    assert.equal(s.connections, 10);
  });

  test('abort mid-run returns the partial result promptly', async () => {
    const s = await server();
    const ac = new AbortController();
    let abortedAt = 0;
    // Abort once the timed run is under way (worker start-up time varies on a busy box).
    const r = await runLoad(opts(`-c 2 -qps 0 -t 20s ${s.url}/`), {
      signal: ac.signal,
      snapshotIntervalMs: 100,
      onSnapshot: (x) => {
        if (x.calls > 0 && !abortedAt) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    });
    const took = performance.now() - abortedAt;
    assert.ok(abortedAt > 0 && took < 3000, `stopped ${took} ms after the abort`);
    assert.equal(r.interrupted, true);
    assert.equal(r.meshbench.interrupted, true);
    assert.ok(r.calls > 0);
    assert.equal(r.duration.count, r.calls);
    assert.ok(r.actualDurationNs < 5e9);
  });

  test('-abort-on 503 stops the run on the first 503', async () => {
    const s = await server((_q, res, n) => {
      res.statusCode = n > 5 ? 503 : 200;
      res.end();
    });
    const r = await runLoad(opts(`-c 1 -qps 0 -n 100 -abort-on 503 ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 5, '503': 1 });
    assert.equal(r.abortedOnCode, true);
    assert.equal(r.interrupted, false);
  });

  test('duration mode warms up each connection; a non-2xx warmup aborts unless -allow-initial-errors', async () => {
    const s = await server((_q, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    await assert.rejects(runLoad(opts(`-c 2 -qps 0 -t 1s ${s.url}/`)), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.match(e.message, /^Aborting because of error 500 for http:\/\/127\.0\.0\.1:\d+\/: "boom"$/);
      return true;
    });
    const r = await runLoad(opts(`-c 1 -qps 50 -t 200ms -allow-initial-errors ${s.url}/`));
    assert.ok(r.calls >= 5 && (r.retCodes['500'] ?? 0) === r.calls);
  });

  test('connectTo: sockets go to 127.0.0.1:PORT, the URL authority goes in Host', async () => {
    const s = await server();
    const o = opts('-c 1 -qps 0 -n 3 http://httpbin.mesh.invalid:8000/get');
    o.connectTo = { host: '127.0.0.1', port: s.port };
    const r = await runLoad(o);
    assert.deepEqual(r.retCodes, { '200': 3 });
    assert.deepEqual(s.hosts, ['httpbin.mesh.invalid:8000', 'httpbin.mesh.invalid:8000', 'httpbin.mesh.invalid:8000']);
  });

  test('-H Host replaces the authority; payload is POSTed with its content type', async () => {
    const bodies: string[] = [];
    const s = await server((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.headers['content-type']} ${req.headers['x-a']} ${b}`);
        res.end();
      });
    });
    const o = parseLoadFlags([...client.flags, '-c', '1', '-qps', '0', '-n', '2', '-H', 'Host: reviews:9080', '-H', 'X-A: 1', '-payload', 'hi', '-content-type', 'text/plain', `${s.url}/p`]).options;
    await runLoad(o);
    assert.deepEqual(s.hosts, ['reviews:9080', 'reviews:9080']);
    assert.deepEqual(bodies, ['POST text/plain 1 hi', 'POST text/plain 1 hi']);
  });

  test('a host that does not resolve fails before the run with a RuntimeError', async () => {
    await assert.rejects(runLoad(opts('-c 1 -n 1 http://no-such-host.invalid/')), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /unable to resolve host "no-such-host\.invalid"/);
      return true;
    });
  });

  test('-timeout: a reply that never comes is code -1 after the timeout (fortio)', async () => {
    const s = await server(() => {
      /* never answers */
    });
    const t = performance.now();
    const r = await runLoad(opts(`-c 1 -qps 0 -n 2 -timeout 150ms ${s.url}/`));
    assert.deepEqual(r.retCodes, { '-1': 2 });
    assert.ok(performance.now() - t < 5000);
    assert.ok(r.duration.min >= 0.15 && r.duration.max < 0.6, `timed out after ${r.duration.min}..${r.duration.max} s`);
  });

  test('-keepalive=false: a new socket for every call', async () => {
    const s = await server();
    const r = await runLoad(opts(`-c 1 -qps 0 -n 5 -keepalive=false ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 5 });
    assert.deepEqual(r.sockets, [5]);
    assert.equal(s.connections, 5);
  });

  test('-uniform -jitter -nocatchup at fixed qps with -n still make exactly n calls, n/c per connection', async () => {
    const s = await server();
    const r = await runLoad(opts(`-c 3 -qps 150 -n 31 -uniform -jitter -nocatchup --workers 2 ${s.url}/`));
    assert.equal(r.calls, 31);
    assert.equal(s.requests, 31, 'no warmup with -n');
    assert.equal(r.meshbench.correctedTime?.count, 31);
    assert.ok(r.actualDurationNs / 1e9 > 0.1, 'paced, not closed loop');
  });

  test('never more than one call in flight per connection (fortio: write, then read the reply)', async () => {
    const { createServer } = await import('node:net');
    let violations = 0;
    let requests = 0;
    const reply = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
    const srv = createServer((sock) => {
      let buf = '';
      let pending = false;
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        let i;
        while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
          buf = buf.slice(i + 4);
          requests++;
          if (pending) violations++;
          pending = true;
          setTimeout(() => {
            pending = false;
            sock.write(reply);
          }, 1);
        }
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (srv.address() as { port: number }).port;
      const r = await runLoad(opts(`-c 3 -qps 0 -n 150 http://127.0.0.1:${port}/`));
      assert.deepEqual(r.retCodes, { '200': 150 });
      assert.equal(requests, 150);
      assert.equal(violations, 0);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
}
