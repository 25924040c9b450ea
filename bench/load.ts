// Load engine throughput vs autocannon (and wrk when installed), closed loop,
// same connections and duration, against a minimal node:http upstream in its
// own process. Run directly: `node dist/bench/load.js [seconds] [conns,…] [rounds]`.

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { runLoad } from '../src/load/coordinator.js';
import { defaultLoadOptions } from '../src/load/flags.js';
import { startUpstream } from './peers/upstream-process.js';

export interface BenchRow {
  tool: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  /** rps / autocannon's rps at the same connections. */
  ratio: number;
  /**
   * CPU time of the generator (this process, all threads) per request, µs: robust
   * to a noisy shared box where rps is not. NaN for wrk (another process).
   */
  cpuUsPerReq: number;
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  non2xx: number;
  errors: number;
}
type Autocannon = (o: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;

const run = promisify(execFile);

async function meshbench(url: string, connections: number, seconds: number, workers: number): Promise<Omit<BenchRow, 'ratio'>> {
  const o = { ...defaultLoadOptions(url), connections, qps: 0, durationMs: seconds * 1000, workers, logLevel: 'Error' };
  const cpu = process.cpuUsage();
  const r = await runLoad(o);
  const used = process.cpuUsage(cpu);
  const s = r.meshbench.serviceTime;
  const w = r.meshbench.workers;
  return {
    tool: `meshbench (${w} worker${w > 1 ? 's' : ''})`,
    connections,
    rps: r.calls / (r.actualDurationNs / 1e9),
    p50: s.p50,
    p99: s.p99,
    cpuUsPerReq: (used.user + used.system) / r.calls,
  };
}

async function autocannon(url: string, connections: number, seconds: number): Promise<Omit<BenchRow, 'ratio'>> {
  const ac = createRequire(import.meta.url)('autocannon') as Autocannon;
  const cpu = process.cpuUsage();
  const r = await ac({ url, connections, duration: seconds });
  const used = process.cpuUsage(cpu);
  return {
    tool: 'autocannon',
    connections,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuUsPerReq: (used.user + used.system) / r.requests.total,
  };
}

async function wrkPath(): Promise<string | undefined> {
  try {
    return (await run('which', ['wrk'])).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function wrkMs(s: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function wrk(bin: string, url: string, connections: number, seconds: number): Promise<Omit<BenchRow, 'ratio'>> {
  const { stdout } = await run(bin, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = wrkMs(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
  const p99 = wrkMs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? '');
  return { tool: 'wrk (1 thread)', connections, rps, p50, p99, cpuUsPerReq: NaN };
}

function table(rows: BenchRow[]): string {
  const head = ['tool', 'connections', 'rps', 'p50 ms', 'p99 ms', 'vs autocannon', 'cpu µs/req'];
  const body = rows.map((r) => [
    r.tool,
    String(r.connections),
    r.rps.toFixed(0),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    `${r.ratio.toFixed(2)}x`,
    Number.isNaN(r.cpuUsPerReq) ? '-' : r.cpuUsPerReq.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

/** The run with the median rps of several rounds (the 2-core box is shared and noisy). */
function median(runs: Array<Omit<BenchRow, 'ratio'>>): Omit<BenchRow, 'ratio'> {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function benchLoad(
  seconds = 5,
  connectionSets = [10, 50],
  rounds = 3,
  log: (s: string) => void = (s) => process.stdout.write(s + '\n'),
): Promise<BenchRow[]> {
  const up = await startUpstream();
  const rows: BenchRow[] = [];
  try {
    const wrkBin = await wrkPath();
    log(`upstream: node:http in a child process at ${up.url}; ${availableParallelism()} cores; ${seconds}s per run, median of ${rounds} interleaved rounds; closed loop`);
    if (!wrkBin) log('wrk not installed');
    await autocannon(up.url, 10, 1); // warm the upstream's JIT before anything is measured
    for (const c of connectionSets) {
      const runs: Array<Array<Omit<BenchRow, 'ratio'>>> = [];
      for (let round = 0; round < rounds; round++) {
        const group: Array<Omit<BenchRow, 'ratio'>> = [await autocannon(up.url, c, seconds)];
        for (const w of [1, 2]) group.push(await meshbench(up.url, c, seconds, w));
        if (wrkBin) group.push(await wrk(wrkBin, up.url, c, seconds));
        group.forEach((g, i) => (runs[i] ??= []).push(g));
      }
      const meds = runs.map(median);
      for (const g of meds) rows.push({ ...g, ratio: g.rps / meds[0].rps });
    }
  } finally {
    await up.stop();
  }
  log(table(rows));
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 5);
  const conns = (process.argv[3] ?? '10,50').split(',').map(Number);
  await benchLoad(seconds, conns, Number(process.argv[4] ?? 3));
}
