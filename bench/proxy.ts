// The sidecar's request path vs a bare node:http + undici pass-through proxy and
// vs nginx (when installed), same upstream (bench/peers/upstream.js in its own
// process), same load (autocannon's programmatic API, closed loop). Each proxy
// under test runs in its own child process so it never shares an event loop with
// the load generator. The sidecar carries a full policy: a VirtualService with a
// header match and a catch-all, default retries, a DestinationRule with a
// connection pool and outlier detection.
// Noise (2 shared cores; throughput of one target can halve for seconds when
// other work runs): each round runs every target back to back, in alternating
// order, and "vs bare" is the median of the per-round ratios to the bare proxy
// of the same round. Latencies come from autocannon's per-response times (float
// ms) in our own HDR histogram at µs resolution; autocannon's summary holds
// whole milliseconds. "cpu us/rq" is the proxy process's user+system CPU per
// request (/proc, Linux), steadier than rps on a shared box.
// Run directly: `node dist/bench/proxy.js [seconds] [conns,...] [rounds]`.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { percentileMs } from '../src/report/hdr.js';
import { autocannon, median } from './measure.js';
import { startUpstream } from './peers/upstream-process.js';

export interface ProxyBenchRow {
  target: string;
  connections: number;
  rps: number;
  /** ms, µs resolution (per-response times, not autocannon's whole-ms summary). */
  p50: number;
  p99: number;
  /** Proxy process CPU (user+system) per request in µs; undefined when not measurable. */
  cpuUsPerRq?: number;
  /** Median over rounds of rps / bare pass-through rps of the same round and connections. */
  ratio: number;
}

type Sample = Omit<ProxyBenchRow, 'target' | 'ratio'>;

const SIDECAR_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curlimages/curl}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin}
spec:
  replicas: 1
  selector: {matchLabels: {app: httpbin, version: v1}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec: {containers: [{name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin}
spec:
  ports: [{name: http, port: 8000, targetPort: 80}]
  selector: {app: httpbin}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 1000, connectTimeout: 2s}
      http: {http1MaxPendingRequests: 1000, http2MaxRequests: 1000}
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin}
spec:
  hosts: [httpbin]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: httpbin, subset: v1}}]
  - route: [{destination: {host: httpbin, subset: v1}}]
`;

// ---------------------------------------------------------------------------
// Child side: `node dist/bench/proxy.js --serve <sidecar|bare> <upstreamPort>`

async function serveSidecar(upstreamPort: number): Promise<number> {
  const { parseSource } = await import('../src/mesh/config/source.js');
  const { compileMesh } = await import('../src/mesh/config/compile.js');
  const { Sidecar } = await import('../src/mesh/sidecar.js');
  const { StatsStore } = await import('../src/mesh/stats/store.js');
  const { createRandom } = await import('../src/mesh/random.js');
  const config = compileMesh(parseSource(SIDECAR_YAML, 'bench-proxy.yaml'));
  const sidecar = new Sidecar({
    workload: 'sleep',
    namespace: 'default',
    labels: { app: 'sleep' },
    config,
    instancePort: () => upstreamPort,
    stats: new StatsStore(),
    random: createRandom(1),
  });
  return sidecar.listen('127.0.0.1', 0);
}

async function serveBare(upstreamPort: number): Promise<number> {
  const { Pool } = createRequire(import.meta.url)('undici') as typeof import('undici');
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, { connections: 512, pipelining: 1 });
  const server = http.createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive') headers[k] = v;
    pool.request({ path: req.url ?? '/', method: (req.method ?? 'GET') as 'GET', headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }).then(
      async (r) => {
        const out: string[] = [];
        for (const [k, v] of Object.entries(r.headers)) {
          if (k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding' || v === undefined) continue;
          for (const x of Array.isArray(v) ? v : [v]) out.push(k, x);
        }
        res.writeHead(r.statusCode, out);
        for await (const c of r.body) res.write(c);
        res.end();
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

// ---------------------------------------------------------------------------
// Parent side

function spawnProxy(kind: 'sidecar' | 'bare', upstreamPort: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', kind, String(upstreamPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c;
      const m = /^(\d+)\n/.exec(buf);
      if (m) resolve({ port: Number(m[1]), child });
    });
    child.once('exit', (code) => reject(new Error(`${kind} proxy exited with ${code}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

async function nginxPath(): Promise<string | undefined> {
  try {
    return (await promisify(execFile)('which', ['nginx'])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function startNginx(bin: string, upstreamPort: number): Promise<{ port: number; child: ChildProcess; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'meshbench-nginx-'));
  const port = await freePort();
  const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream u { server 127.0.0.1:${upstreamPort}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / { proxy_pass http://u; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, child, dir };
}

/** utime+stime of a process and its direct children (nginx's worker), in clock ticks (100/s). */
export function cpuTicks(pids: readonly number[]): number | undefined {
  try {
    let t = 0;
    for (const pid of pids) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      t += Number(rest[11]) + Number(rest[12]);
    }
    return t;
  } catch {
    return undefined;
  }
}

/** `pid` and its direct children (read once, after start-up). */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const out = [pid];
  try {
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const f = readFileSync(`/proc/${d}/stat`, 'utf8');
        if (Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc: CPU column stays empty
  }
  return out;
}

export async function load(port: number, connections: number, seconds: number, pids: readonly number[] = []): Promise<Sample> {
  const cpu0 = cpuTicks(pids);
  const r = await autocannon(`http://127.0.0.1:${port}/get`, connections, seconds, { host: 'httpbin:8000' });
  const cpu1 = cpuTicks(pids);
  const total = r.total;
  return {
    connections,
    rps: total / r.seconds,
    p50: percentileMs(r.latency, 50),
    p99: percentileMs(r.latency, 99),
    ...(pids.length && cpu0 !== undefined && cpu1 !== undefined && total > 0 ? { cpuUsPerRq: ((cpu1 - cpu0) * 10_000) / total } : {}),
  };
}

function table(rows: ProxyBenchRow[]): string {
  const head = ['target', 'connections', 'rps', 'p50 ms', 'p99 ms', 'cpu us/rq', 'vs bare'];
  const body = rows.map((r) => [
    r.target,
    String(r.connections),
    r.rps.toFixed(0),
    r.p50.toFixed(3),
    r.p99.toFixed(3),
    r.cpuUsPerRq === undefined ? '-' : r.cpuUsPerRq.toFixed(1),
    `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

interface Target {
  name: string;
  port: number;
  /** Processes whose CPU is charged to this target (empty: not measured). */
  pids: number[];
  stop(): Promise<void>;
}

export async function benchProxy(
  seconds = 3,
  connectionsList: number[] = [10, 50],
  rounds = 5,
  log = (s: string): void => void process.stdout.write(s + '\n'),
): Promise<ProxyBenchRow[]> {
  const up = await startUpstream();
  const rows: ProxyBenchRow[] = [];
  const nginx = await nginxPath();
  const targets: Target[] = [{ name: 'upstream direct (reference)', port: up.port, pids: processTree(up.child.pid), stop: async () => {} }];
  try {
    for (const kind of ['bare', 'sidecar'] as const) {
      const p = await spawnProxy(kind, up.port);
      targets.push({
        name: kind === 'bare' ? 'bare node:http+undici proxy' : 'meshbench sidecar (full policy)',
        port: p.port,
        pids: processTree(p.child.pid),
        stop: () => stop(p.child),
      });
    }
    if (nginx) {
      const n = await startNginx(nginx, up.port);
      targets.push({
        name: 'nginx (1 worker)',
        port: n.port,
        pids: processTree(n.child.pid),
        stop: async () => {
          await stop(n.child);
          await rm(n.dir, { recursive: true, force: true });
        },
      });
    }
    for (const connections of connectionsList) {
      // Rounds interleave the targets (order reversed every other round, so a
      // drift hits them alike); two seconds of warm-up (JIT, pools) per target.
      const runs = new Map<string, Sample[]>();
      const ratios = new Map<string, number[]>();
      for (const t of targets) {
        await load(t.port, connections, 2);
        runs.set(t.name, []);
        ratios.set(t.name, []);
      }
      const bareName = targets.find((t) => t.name.startsWith('bare'))!.name;
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? targets : [...targets].reverse();
        const round = new Map<string, Sample>();
        for (const t of order) round.set(t.name, await load(t.port, connections, seconds, t.pids));
        const bare = round.get(bareName)!.rps;
        for (const [name, s] of round) {
          runs.get(name)!.push(s);
          ratios.get(name)!.push(s.rps / bare);
        }
      }
      for (const t of targets) {
        const ss = runs.get(t.name)!;
        const cpu = ss.map((s) => s.cpuUsPerRq).filter((c): c is number => c !== undefined);
        rows.push({
          target: t.name,
          connections,
          rps: median(ss.map((s) => s.rps)),
          p50: median(ss.map((s) => s.p50)),
          p99: median(ss.map((s) => s.p99)),
          ...(cpu.length ? { cpuUsPerRq: median(cpu) } : {}),
          ratio: median(ratios.get(t.name)!),
        });
      }
    }
    log(table(rows));
    log(
      `medians of ${rounds} interleaved rounds x ${seconds}s per row; "vs bare" = median of per-round rps ratios; ` +
        'p50/p99 from per-response times at µs resolution; cpu = the process under test (the upstream row: the upstream itself)',
    );
    if (!nginx) log('nginx not installed');
    return rows;
  } finally {
    for (const t of targets) await t.stop();
    await up.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') {
    const upstreamPort = Number(args[2]);
    const port = args[1] === 'sidecar' ? await serveSidecar(upstreamPort) : await serveBare(upstreamPort);
    process.stdout.write(`${port}\n`);
    process.on('SIGTERM', () => process.exit(0));
  } else {
    const seconds = Number(args[0] ?? 3);
    const conns = (args[1] ?? '10,50').split(',').map(Number);
    await benchProxy(seconds, conns, Number(args[2] ?? 5));
  }
}
