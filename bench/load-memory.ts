// Bounded memory over a long run: 2,000,000 closed-loop calls at -c 50 against
// the child-process upstream, printing RSS (main thread + workers: one process)
// at the start, the middle and the end. Interval HDR deltas and fixed fortio
// buckets mean nothing grows with the call count.
// Run: `node dist/bench/load-memory.js [calls] [connections]`.
import { pathToFileURL } from 'node:url';
import { runLoad } from '../src/load/coordinator.js';
import { defaultLoadOptions } from '../src/load/flags.js';
import { startUpstream } from './peers/upstream-process.js';

export interface MemoryPoint {
  calls: number;
  rssMb: number;
  heapUsedMb: number;
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

export async function benchLoadMemory(calls = 2_000_000, connections = 50, log = (s: string) => process.stdout.write(s + '\n')): Promise<MemoryPoint[]> {
  const up = await startUpstream();
  const points: MemoryPoint[] = [];
  const mark = (n: number) => {
    const m = process.memoryUsage();
    const p = { calls: n, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) };
    points.push(p);
    return p;
  };
  try {
    const start = mark(0);
    log(`start: rss ${start.rssMb} MB`);
    let next = 0.1;
    const t = performance.now();
    const r = await runLoad(
      { ...defaultLoadOptions(up.url), connections, qps: 0, exactly: calls, logLevel: 'Error' },
      {
        snapshotIntervalMs: 500,
        onSnapshot: (s) => {
          if (s.calls >= next * calls && !s.done) {
            const p = mark(s.calls);
            log(`${Math.round(next * 100)}% (${s.calls} calls): rss ${p.rssMb} MB, heap ${p.heapUsedMb} MB, ${s.achievedQps.toFixed(0)} qps`);
            next += 0.1;
          }
        },
      },
    );
    const end = mark(r.calls);
    const mid = points.reduce((best, p) => (Math.abs(p.calls - calls / 2) < Math.abs(best.calls - calls / 2) ? p : best));
    const s = r.meshbench.serviceTime;
    log(`end: ${r.calls} calls in ${((performance.now() - t) / 1000).toFixed(1)} s, codes ${JSON.stringify(r.retCodes)}, p50 ${s.p50} ms p99 ${s.p99} ms`);
    log(`RSS MB: start ${start.rssMb}, middle ${mid.rssMb} (at ${mid.calls} calls), end ${end.rssMb}; growth middle->end ${(end.rssMb - mid.rssMb).toFixed(1)} MB`);
  } finally {
    await up.stop();
  }
  return points;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchLoadMemory(Number(process.argv[2] ?? 2_000_000), Number(process.argv[3] ?? 50));
}
