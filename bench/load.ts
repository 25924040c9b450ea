// Load engine throughput vs autocannon (and wrk when installed) — the default
// fast client and -stdclient (undici) both — closed loop,
// same connections, duration and warm-up, against a minimal node:http upstream
// in its own process.
// Noise (2 shared cores): each round runs every tool back to back, in
// alternating order, and "vs autocannon" is the median of the per-round ratios
// to autocannon's rps in the same round (min..max beside it). Latencies are at
// µs resolution for every tool (autocannon's per-response times, meshbench's
// HDR); "cpu µs/req" is this process's CPU (all threads) per request: both
// generators run in it, and it is steadier than rps on a shared box.
// Run directly: `node dist/bench/load.js [seconds] [conns,…] [rounds]`.

import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runLoad } from '../src/load/coordinator.js';
import { defaultLoadOptions } from '../src/load/flags.js';
import { percentileMs } from '../src/report/hdr.js';
import { autocannon, median } from './measure.js';
import { startUpstream } from './peers/upstream-process.js';

export interface BenchRow {
  tool: string;
  connections: number;
  /** Medians over the rounds. */
  rps: number;
  /** ms, µs resolution. */
  p50: number;
  p99: number;
  /** CPU time of the generator (this process, all threads) per request, µs; NaN for wrk (another process). */
  cpuUsPerReq: number;
  /** Median over rounds of rps / autocannon's rps in the same round, and its range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  /** Median over rounds of cpu per request / autocannon's in the same round, and its range. */
  cpuRatio: number;
  cpuRatioMin: number;
  cpuRatioMax: number;
}

type Sample = Pick<BenchRow, 'rps' | 'p50' | 'p99' | 'cpuUsPerReq'>;

interface Tool {
  name: string;
  run(url: string, connections: number, seconds: number): Promise<Sample>;
}

const exec = promisify(execFile);

async function withCpu(run: () => Promise<Omit<Sample, 'cpuUsPerReq'> & { requests: number }>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const r = await run();
  const used = process.cpuUsage(cpu);
  return { rps: r.rps, p50: r.p50, p99: r.p99, cpuUsPerReq: (used.user + used.system) / r.requests };
}

function meshbench(workers: number, stdClient = false): Tool {
  return {
    name: `meshbench${stdClient ? ' -stdclient' : ''}${workers === 0 ? '' : ` (${workers} workers)`}`,
    run: (url, connections, seconds) =>
      withCpu(async () => {
        const o = { ...defaultLoadOptions(url), connections, qps: 0, durationMs: seconds * 1000, workers, logLevel: 'Error', stdClient };
        const r = await runLoad(o);
        if (r.retCodes['200'] !== r.calls) throw new Error(`meshbench: codes ${JSON.stringify(r.retCodes)}`);
        const s = r.meshbench.serviceTime;
        return { rps: r.calls / (r.actualDurationNs / 1e9), p50: s.p50, p99: s.p99, requests: r.calls };
      }),
  };
}

const autocannonTool: Tool = {
  name: 'autocannon',
  run: (url, connections, seconds) =>
    withCpu(async () => {
      const r = await autocannon(url, connections, seconds);
      return { rps: r.total / r.seconds, p50: percentileMs(r.latency, 50), p99: percentileMs(r.latency, 99), requests: r.total };
    }),
};

async function wrkPath(): Promise<string | undefined> {
  try {
    return (await exec('which', ['wrk'])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function wrkMs(s: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function wrk(bin: string): Tool {
  return {
    name: 'wrk (1 thread)',
    async run(url, connections, seconds) {
      const { stdout } = await exec(bin, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
      const p50 = wrkMs(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      const p99 = wrkMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
      return { rps, p50, p99, cpuUsPerReq: NaN };
    },
  };
}

function table(rows: BenchRow[]): string {
  const head = ['tool', 'connections', 'rps', 'p50 ms', 'p99 ms', 'cpu µs/req', 'vs autocannon (min..max)', 'cpu vs autocannon (min..max)'];
  const body = rows.map((r) => [
    r.tool,
    String(r.connections),
    r.rps.toFixed(0),
    r.p50.toFixed(3),
    r.p99.toFixed(3),
    Number.isNaN(r.cpuUsPerReq) ? '-' : r.cpuUsPerReq.toFixed(1),
    `${r.ratio.toFixed(3)}x (${r.ratioMin.toFixed(2)}..${r.ratioMax.toFixed(2)})`,
    Number.isNaN(r.cpuRatio) ? '-' : `${r.cpuRatio.toFixed(3)}x (${r.cpuRatioMin.toFixed(2)}..${r.cpuRatioMax.toFixed(2)})`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

export async function benchLoad(
  seconds = 3,
  connectionSets = [10, 50],
  rounds = 7,
  log: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<BenchRow[]> {
  const up = await startUpstream();
  const rows: BenchRow[] = [];
  try {
    // The default (fortio's fast client) and -stdclient (undici), both against the same autocannon rounds.
    const tools: Tool[] = [autocannonTool, meshbench(0), meshbench(0, true)];
    if (availableParallelism() > 2) tools.push(meshbench(2));
    const wrkBin = await wrkPath();
    if (wrkBin) tools.push(wrk(wrkBin));
    log(
      `upstream: node:http in a child process at ${up.url}; ${availableParallelism()} cores; closed loop; ` +
        `${rounds} rounds x ${seconds}s per tool, order alternating; 2 s warm-up per tool and connection count` +
        (wrkBin ? '' : '; wrk not installed'),
    );
    for (const c of connectionSets) {
      // The same warm-up for every tool: JIT, the upstream's sockets, meshbench's worker pool.
      for (const t of tools) await t.run(up.url, c, 2);
      const samples = new Map<string, Sample[]>(tools.map((t) => [t.name, []]));
      const ratios = new Map<string, { rps: number[]; cpu: number[] }>(tools.map((t) => [t.name, { rps: [], cpu: [] }]));
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? tools : [...tools].reverse();
        const got = new Map<string, Sample>();
        for (const t of order) got.set(t.name, await t.run(up.url, c, seconds));
        const ac = got.get(autocannonTool.name)!;
        for (const [name, s] of got) {
          samples.get(name)!.push(s);
          ratios.get(name)!.rps.push(s.rps / ac.rps);
          ratios.get(name)!.cpu.push(s.cpuUsPerReq / ac.cpuUsPerReq);
        }
      }
      for (const t of tools) {
        const ss = samples.get(t.name)!;
        const r = ratios.get(t.name)!;
        rows.push({
          tool: t.name,
          connections: c,
          rps: median(ss.map((s) => s.rps)),
          p50: median(ss.map((s) => s.p50)),
          p99: median(ss.map((s) => s.p99)),
          cpuUsPerReq: median(ss.map((s) => s.cpuUsPerReq)),
          ratio: median(r.rps),
          ratioMin: Math.min(...r.rps),
          ratioMax: Math.max(...r.rps),
          cpuRatio: median(r.cpu),
          cpuRatioMin: Math.min(...r.cpu),
          cpuRatioMax: Math.max(...r.cpu),
        });
      }
    }
  } finally {
    await up.stop();
  }
  log(table(rows));
  log('rps, latency and cpu: medians over rounds; ratios: median of the per-round ratios to autocannon (same round)');
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 3);
  const conns = (process.argv[3] ?? '10,50').split(',').map(Number);
  await benchLoad(seconds, conns, Number(process.argv[4] ?? 7));
}
