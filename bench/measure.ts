// Measuring helpers shared by the benchmarks: autocannon (programmatic API) with
// its per-response times in our own HDR histogram at µs resolution (its summary
// holds whole milliseconds), and the median the noisy shared box calls for.
import { createRequire } from 'node:module';
import { createHdr, recordMs, type Hdr } from '../src/load/latency.js';

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
}
interface AutocannonInstance {
  on(ev: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (
  o: { url: string; connections: number; duration: number; headers?: Record<string, string> },
  cb: (err: Error | null, r: AutocannonResult) => void,
) => AutocannonInstance;

export interface AutocannonRun {
  /** Responses received. */
  total: number;
  /** Seconds the run lasted (autocannon's own measure). */
  seconds: number;
  /** Every response's time, µs resolution. */
  latency: Hdr;
}

/** One closed-loop autocannon run; any non-2xx reply or error fails it. */
export async function autocannon(url: string, connections: number, seconds: number, headers?: Record<string, string>): Promise<AutocannonRun> {
  const ac = createRequire(import.meta.url)('autocannon') as Autocannon;
  const latency = createHdr();
  const r = await new Promise<AutocannonResult>((resolve, reject) => {
    const inst = ac({ url, connections, duration: seconds, ...(headers ? { headers } : {}) }, (err, res) => (err ? reject(err) : resolve(res)));
    inst.on('response', (_c, _status, _bytes, ms) => recordMs(latency, ms));
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { total: r.requests.total, seconds: r.duration, latency };
}

/** Median of each column on its own (the 2-core box is shared and noisy). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
