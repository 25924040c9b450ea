// Soak: boots the mesh of bench/soak.yaml (retries, timeouts, circuit breaker,
// outlier detection, mirroring, faults, all at once) and drives bounded loopback
// load through the implicit source's sidecar for N minutes, alternating a few
// URLs. Every minute it samples the process's RSS (main + load workers + mesh
// thread: one process), the main thread's V8 heap and the open file descriptors
// (/proc/self/fd). Verdict: after the first minute (warm-up), RSS and heap stay
// within 10 % of the first minute's sample and the fd count does not grow.
// Not in `npm run bench` (it takes minutes). Run:
//   npx tsc -p tsconfig.json && node dist/bench/soak.js [--minutes N] [-c N] [-qps N]
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closeLoadWorkers, runLoad } from '../src/load/coordinator.js';
import { defaultLoadOptions } from '../src/load/flags.js';
import { openMesh } from '../src/scenario/open-mesh.js';

export interface SoakSample {
  minute: number;
  calls: number;
  rssMb: number;
  heapUsedMb: number;
  fds: number;
  codes: Record<string, number>;
}

export interface SoakVerdict {
  flat: boolean;
  lines: string[];
}

const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Pure: RSS and heap within `tolerance` of the warm-up sample (minute 1), fds not above it. */
export function soakVerdict(samples: SoakSample[], tolerance = 0.1): SoakVerdict {
  const base = samples.find((s) => s.minute === 1);
  const later = samples.filter((s) => s.minute > 1);
  if (!base || later.length === 0) return { flat: false, lines: ['not enough samples: run at least 2 minutes'] };
  const lines: string[] = [];
  let flat = true;
  for (const key of ['rssMb', 'heapUsedMb'] as const) {
    const max = Math.max(...later.map((s) => s[key]));
    const growth = (max - base[key]) / base[key];
    const ok = growth <= tolerance;
    flat &&= ok;
    lines.push(`${key === 'rssMb' ? 'RSS' : 'heap'}: minute 1 ${base[key]} MB, max after ${max} MB (${(100 * growth).toFixed(1)} %) ${ok ? 'ok' : `> ${100 * tolerance} %`}`);
  }
  const maxFds = Math.max(...later.map((s) => s.fds));
  const fdsOk = maxFds <= base.fds;
  flat &&= fdsOk;
  lines.push(`fds: minute 1 ${base.fds}, max after ${maxFds} ${fdsOk ? 'ok' : 'grew'}`);
  return { flat, lines };
}

export async function benchSoak(minutes = 10, connections = 8, qps = 400, log = (s: string) => process.stdout.write(s + '\n')): Promise<{ samples: SoakSample[]; verdict: SoakVerdict }> {
  const { mesh, sidecar } = await openMesh([here('../../scenarios/httpbin/httpbin-v1-v2.yaml'), here('../../bench/soak.yaml')], { boot: { seed: 1 }, onWarning: (w) => log(w) });
  const urls = ['/get', '/status/200', '/status/503', '/bytes/2048', '/headers'];
  const samples: SoakSample[] = [];
  const codes: Record<string, number> = {};
  let calls = 0;
  const sample = (minute: number) => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    const s = { minute, calls, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), fds: openFds(), codes: { ...codes } };
    samples.push(s);
    log(`${String(minute).padStart(6)} ${String(calls).padStart(9)} ${String(s.rssMb).padStart(8)} ${String(s.heapUsedMb).padStart(8)} ${String(s.fds).padStart(5)}  ${JSON.stringify(s.codes)}`);
  };
  try {
    log(`soak: ${minutes} min, -c ${connections} -qps ${qps}, through ${sidecar.workload}'s sidecar (127.0.0.1:${sidecar.listenPort})`);
    log(`${'minute'.padStart(6)} ${'calls'.padStart(9)} ${'rss MB'.padStart(8)} ${'heap MB'.padStart(8)} ${'fds'.padStart(5)}  codes`);
    sample(0);
    const end = Date.now() + minutes * 60_000;
    let nextSample = 1;
    let i = 0;
    // 10 s runs, one URL each, so connections are opened and closed again all along.
    while (Date.now() < end) {
      const url = `http://httpbin:8000${urls[i++ % urls.length]}`;
      const r = await runLoad({
        ...defaultLoadOptions(url),
        connections,
        qps,
        durationMs: Math.min(10_000, Math.max(1, end - Date.now())),
        logLevel: 'Error',
        allowInitialErrors: true, // /status/503 and the abort fault answer 503 from the first call
        connectTo: { host: '127.0.0.1', port: sidecar.listenPort },
      });
      calls += r.calls;
      for (const [c, n] of Object.entries(r.retCodes)) codes[c] = (codes[c] ?? 0) + n;
      const elapsedMin = Math.floor((minutes * 60_000 - (end - Date.now())) / 60_000);
      while (nextSample <= elapsedMin && nextSample <= minutes) sample(nextSample++);
    }
    while (nextSample <= minutes) sample(nextSample++);
  } finally {
    await closeLoadWorkers();
    await mesh.close();
  }
  const verdict = soakVerdict(samples);
  for (const l of verdict.lines) log(l);
  log(`verdict: ${verdict.flat ? 'FLAT' : 'GROWING'} (after the first minute's warm-up; tolerance 10 %)`);
  return { samples, verdict };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: expected a positive number`);
    return v;
  };
  const { verdict } = await benchSoak(arg('--minutes', 10), arg('-c', 8), arg('-qps', 400));
  process.exitCode = verdict.flat ? 0 : 1;
}
