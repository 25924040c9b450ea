// Modeled services (docs/service-model.md, docs/isotope.md) on one mesh process:
// - CPU per request of a modeled hop vs the built-in httpbin's /get hop, both
//   through the implicit sidecar (target: the modeled hop costs no more);
// - a 3-hop modeled chain (a -> b -> c, each hop through its caller's sidecar)
//   vs a single modeled hop: qps ratio (3 app hops + 3 sidecar hops per request);
// - boot times of isotope's big example graphs (tree-111: 222 pods, target < 3 s;
//   1000-svc: 2000 pods; the 10000-endpoint star), each in a fresh process.
// Rounds interleave the targets (order reversed every other round) and every
// ratio is the median of per-round ratios, so drift on the shared box hits
// both sides alike. Run directly: `node dist/bench/modeled.js [seconds] [rounds]`.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentileMs } from '../src/report/hdr.js';
import { autocannon, median } from './measure.js';
import { spawnPeer } from './peers/upstream-process.js';
import { cpuTicks, processTree, stop } from './proxy.js';

// The modeled services, beside the httpbin + sleep mesh the boot tests use
// (test/mesh/boot/fixtures/httpbin-sleep.yaml). httpbin's /get answer to
// autocannon is ~250 bytes: the modeled services answer as many.
const TOPOLOGY_YAML = `
defaults:
  requestSize: 0
  responseSize: 250
services:
- name: single
- name: chain-a
  script: [{call: chain-b}]
- name: chain-b
  script: [{call: chain-c}]
- name: chain-c
`;

interface Target {
  name: string;
  host: string;
  path: string;
}

const TARGETS: Target[] = [
  { name: 'built-in httpbin GET /get (1 hop)', host: 'httpbin:8000', path: '/get' },
  { name: 'modeled service (1 hop)', host: 'single:8080', path: '/' },
  { name: 'modeled chain a->b->c (3 hops)', host: 'chain-a:8080', path: '/' },
];

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRq: number | undefined;
}

async function load(port: number, t: Target, connections: number, seconds: number, pids: readonly number[]): Promise<Sample> {
  const c0 = cpuTicks(pids);
  const r = await autocannon(`http://127.0.0.1:${port}${t.path}`, connections, seconds, { host: t.host });
  const c1 = cpuTicks(pids);
  return {
    rps: r.total / r.seconds,
    p50: percentileMs(r.latency, 50),
    p99: percentileMs(r.latency, 99),
    cpuUsPerRq: c0 !== undefined && c1 !== undefined && r.total > 0 ? ((c1 - c0) * 10_000) / r.total : undefined,
  };
}

export interface ModeledBench {
  rows: Array<{ target: string } & Sample>;
  /** Median per-round CPU/request of the modeled hop over httpbin's (target <= 1). */
  cpuModeledVsHttpbin: number | undefined;
  /** Median per-round qps of the 3-hop chain over the single modeled hop. */
  chainVsSingleQps: number;
  boots: BootRow[];
}

export interface BootRow {
  graph: string;
  pods: number;
  compileMs: number;
  bootMs: number;
  firstAnswerMs: number;
  status: number;
  bytes: number;
}

const peer = fileURLToPath(new URL('./peers/mesh-process.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/isotope/${name}`, import.meta.url));

/** One fresh process: compile, boot, one call to the entry (bench/peers/mesh-process.ts --time). */
function timeBoot(file: string, host: string): Promise<Omit<BootRow, 'graph'>> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [peer, file, '--time', host], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`${file}: exit ${code}: ${out}`));
      const j = JSON.parse(line) as Omit<BootRow, 'graph' | 'pods'> & { instances: number };
      resolve({ pods: j.instances, compileMs: j.compileMs, bootMs: j.bootMs, firstAnswerMs: j.firstAnswerMs, status: j.status, bytes: j.bytes });
    });
  });
}

async function benchBoots(runs: number): Promise<BootRow[]> {
  const graphs = [
    { graph: 'tree-111 (222 pods)', file: fixture('tree-111-services.yaml'), host: 'svc-0:8080' },
    { graph: '1000-svc (2000 pods)', file: fixture('1000-svc_5000-end.yaml'), host: 'svc-0:8080' },
    { graph: '10-svc star (10000 pods)', file: fixture('10-svc_10000-end.yaml'), host: 'svc-0:8080' },
  ];
  const rows: BootRow[] = [];
  for (const g of graphs) {
    const rs: Array<Omit<BootRow, 'graph'>> = [];
    for (let i = 0; i < runs; i++) rs.push(await timeBoot(g.file, g.host));
    const m = (f: (r: Omit<BootRow, 'graph'>) => number) => median(rs.map(f));
    rows.push({ graph: g.graph, pods: rs[0]!.pods, compileMs: m((r) => r.compileMs), bootMs: m((r) => r.bootMs), firstAnswerMs: m((r) => r.firstAnswerMs), status: rs[0]!.status, bytes: rs[0]!.bytes });
  }
  return rows;
}

function table(head: string[], body: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((line) => line.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

export async function benchModeled(
  seconds = 3,
  rounds = 5,
  connections = 10,
  bootRuns = 3,
  log = (s: string): void => void process.stdout.write(s + '\n'),
): Promise<ModeledBench> {
  const dir = await mkdtemp(join(tmpdir(), 'meshbench-modeled-'));
  const topology = join(dir, 'modeled.yaml');
  await writeFile(topology, TOPOLOGY_YAML);
  const httpbin = fileURLToPath(new URL('../../test/mesh/boot/fixtures/httpbin-sleep.yaml', import.meta.url));
  const mesh = await spawnPeer(peer, [httpbin, topology]);
  try {
    const pids = processTree(mesh.child.pid);
    const samples = new Map(TARGETS.map((t) => [t.name, [] as Sample[]]));
    const cpuRatios: number[] = [];
    const qpsRatios: number[] = [];
    for (const t of TARGETS) await load(mesh.port, t, connections, 2, pids); // warm-up (JIT, pools)
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? TARGETS : [...TARGETS].reverse();
      const round = new Map<string, Sample>();
      for (const t of order) round.set(t.name, await load(mesh.port, t, connections, seconds, pids));
      for (const [name, s] of round) samples.get(name)!.push(s);
      const [httpbin, single, chain] = TARGETS.map((t) => round.get(t.name)!);
      if (httpbin!.cpuUsPerRq && single!.cpuUsPerRq !== undefined) cpuRatios.push(single!.cpuUsPerRq / httpbin!.cpuUsPerRq);
      qpsRatios.push(chain!.rps / single!.rps);
    }
    const rows = TARGETS.map((t) => {
      const ss = samples.get(t.name)!;
      const cpu = ss.map((s) => s.cpuUsPerRq).filter((c): c is number => c !== undefined);
      return { target: t.name, rps: median(ss.map((s) => s.rps)), p50: median(ss.map((s) => s.p50)), p99: median(ss.map((s) => s.p99)), cpuUsPerRq: cpu.length ? median(cpu) : undefined };
    });
    const cpuModeledVsHttpbin = cpuRatios.length ? median(cpuRatios) : undefined;
    const chainVsSingleQps = median(qpsRatios);
    for (const line of table(
      ['target', 'rps', 'p50 ms', 'p99 ms', 'cpu us/rq'],
      rows.map((r) => [r.target, r.rps.toFixed(0), r.p50.toFixed(3), r.p99.toFixed(3), r.cpuUsPerRq?.toFixed(1) ?? '-']),
    ))
      log(line);
    log(`modeled hop cpu/rq vs httpbin hop: ${cpuModeledVsHttpbin?.toFixed(2) ?? '-'}x (target <= 1.00); 3-hop chain qps vs single hop: ${chainVsSingleQps.toFixed(2)}x`);
    log(
      `${connections} connections, medians of ${rounds} interleaved rounds x ${seconds}s; cpu = the whole mesh process (sidecars + apps); ` +
        `load average ${loadavg()[0]!.toFixed(1)} (a chain waits on the scheduler 3 times per request: it suffers most on a busy box)`,
    );
    await stop(mesh.child);
    const boots = await benchBoots(bootRuns);
    log('');
    for (const line of table(
      ['isotope graph', 'pods', 'compile ms', 'boot ms', 'first answer ms', 'answer'],
      boots.map((b) => [b.graph, String(b.pods), b.compileMs.toFixed(0), b.bootMs.toFixed(0), b.firstAnswerMs.toFixed(0), `${b.status}, ${b.bytes} B`]),
    ))
      log(line);
    log(`medians of ${bootRuns} fresh processes each; boot = startMesh (sidecars, clusters, app listeners); target: tree-111 compile + boot < 3000 ms`);
    return { rows, cpuModeledVsHttpbin, chainVsSingleQps, boots };
  } finally {
    await stop(mesh.child);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchModeled(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 5));
}
