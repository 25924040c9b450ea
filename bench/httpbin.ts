// The built-in httpbin's /get against a bare node:http server answering a
// fixed body of the same size, both in their own processes, same closed-loop
// load (autocannon, bench/proxy.ts's load()). "vs bare" is the median of the
// per-round rps ratios (rounds interleave the targets, order alternating), so
// a drift on the shared 2-core box hits both alike. The ratio is what must
// not drop when the app grows endpoints: /get's request path is the one every
// load test uses. Run directly: `node dist/bench/httpbin.js [seconds] [rounds]`.

import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnPeer } from './peers/upstream-process.js';
import { median } from './measure.js';
import { load, processTree, stop } from './proxy.js';

export interface HttpbinBenchRow {
  target: string;
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRq?: number;
  ratio: number;
}

function spawnTarget(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  return spawnPeer(fileURLToPath(new URL('./peers/httpbin-app.js', import.meta.url)), args);
}

/** Size of the app's /get answer to the bench's request (the bare server answers as many bytes). */
function getSize(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/get', headers: { host: 'httpbin:8000' }, agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => resolve(n));
      })
      .on('error', reject);
  });
}

export async function benchHttpbin(
  seconds = 3,
  rounds = 3,
  connections = 10,
  log = (s: string): void => void process.stdout.write(s + '\n'),
): Promise<HttpbinBenchRow[]> {
  const app = await spawnTarget(['httpbin']);
  const targets = [{ name: 'built-in httpbin GET /get', ...app }];
  try {
    const bare = await spawnTarget(['bare', String(await getSize(app.port))]);
    targets.push({ name: 'bare node:http, same body size', ...bare });
    const samples = new Map(targets.map((t) => [t.name, [] as Awaited<ReturnType<typeof load>>[]]));
    const ratios: number[] = [];
    for (const t of targets) await load(t.port, connections, 1); // warm-up (JIT)
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      const round = new Map<string, number>();
      for (const t of order) {
        const s = await load(t.port, connections, seconds, processTree(t.child.pid));
        samples.get(t.name)!.push(s);
        round.set(t.name, s.rps);
      }
      ratios.push(round.get(targets[0].name)! / round.get(targets[1].name)!);
    }
    const rows: HttpbinBenchRow[] = targets.map((t, i) => {
      const ss = samples.get(t.name)!;
      const cpu = ss.map((s) => s.cpuUsPerRq).filter((c): c is number => c !== undefined);
      return {
        target: t.name,
        rps: median(ss.map((s) => s.rps)),
        p50: median(ss.map((s) => s.p50)),
        p99: median(ss.map((s) => s.p99)),
        ...(cpu.length ? { cpuUsPerRq: median(cpu) } : {}),
        ratio: i === 0 ? median(ratios) : 1,
      };
    });
    const head = ['target', 'rps', 'p50 ms', 'p99 ms', 'cpu us/rq', 'vs bare'];
    const body = rows.map((r) => [r.target, r.rps.toFixed(0), r.p50.toFixed(3), r.p99.toFixed(3), r.cpuUsPerRq?.toFixed(1) ?? '-', `${r.ratio.toFixed(2)}x`]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    for (const line of [head, ...body]) log(line.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
    log(`${connections} connections, medians of ${rounds} interleaved rounds x ${seconds}s; cpu = the server process`);
    return rows;
  } finally {
    for (const t of targets) await stop(t.child);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchHttpbin(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 3));
}
