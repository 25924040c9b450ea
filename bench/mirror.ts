// Mirror diff overhead (docs/mirror-diff.md): the primary's qps and p99 through
// one sidecar when the route does not mirror, when it mirrors (Envoy's fire and
// forget), when it mirrors with the capture on as the scenario runner boots it
// (default bounds: sampled under load) and the diff computed after the run, and,
// for reference, when every mirrored request is captured (no sampling, no pair
// bound: the worst case). The meshes of scenarios/httpbin-mirror.yaml, each on
// its own thread (as in `bench`); autocannon drives /headers at a fixed
// connection count, closed loop.
// Rounds run the targets back to back, in rotating order (paired, interleaved);
// ratios are the median of per-round ratios to plain mirroring. Target: with the
// default capture, rps within 10 % of plain mirroring and p99 within 15 %.
// Run directly: `node dist/bench/mirror.js [seconds] [rounds] [connections]`.

import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prepareScenario } from '../src/scenario/runner.js';
import { startMeshThread, type MeshThreadHandle } from '../src/mesh/thread.js';
import { percentileMs } from '../src/report/hdr.js';
import { summarizeMirror } from '../src/scenario/mirror-diff.js';
import type { MirrorCaptureOptions } from '../src/mesh/api.js';
import { MirrorCapture } from '../src/mesh/router/mirror-capture.js';
import { autocannon, median } from './measure.js';

type Target = 'no mirror' | 'mirror' | 'mirror + capture + diff' | 'capture all (no sampling)';
const TARGETS: Target[] = ['no mirror', 'mirror', 'mirror + capture + diff', 'capture all (no sampling)'];
const CAPTURES: Partial<Record<Target, Partial<MirrorCaptureOptions>>> = {
  'mirror + capture + diff': {},
  'capture all (no sampling)': { maxPairs: 1_000_000, ratePerSecond: 0 },
};

interface Sample {
  rps: number;
  p99: number;
  /** Process CPU (all threads: client, sidecar, apps) per request, µs: steadier than rps on a shared box. */
  cpuUs: number;
  pairs?: number;
  skipped?: number;
  diffMs?: number;
}

export interface MirrorBenchRow {
  target: Target;
  rps: number;
  p99: number;
  /** Median of per-round rps ratios to plain mirroring. */
  rpsVsMirror: number;
  p99VsMirror: number;
  cpuUs: number;
  cpuVsMirror: number;
}

// The shipped mirroring scenario's two variants: v1-only (no mirror) and mirror.
const SCENARIO = fileURLToPath(new URL('../../scenarios/httpbin-mirror.yaml', import.meta.url));

async function boot(t: Target): Promise<MeshThreadHandle> {
  const p = await prepareScenario([SCENARIO], [t === 'no mirror' ? 'v1-only' : 'mirror']);
  const capture = CAPTURES[t];
  return startMeshThread(p.variants[0]!.config, { accessLog: 'none', ...(capture ? { mirrorCapture: capture } : {}) });
}

async function sample(m: MeshThreadHandle, t: Target, seconds: number, connections: number): Promise<Sample> {
  const port = m.sidecars.find((x) => x.workload === 'sleep')!.listenPort;
  await m.takeMirrorPairs(); // warm-up leftovers
  // The previous sample's garbage (a diff's pairs) is not this sample's cost (run with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage();
  const r = await autocannon(`http://127.0.0.1:${port}/headers`, connections, seconds, { host: 'httpbin:8000' });
  const cpu = process.cpuUsage(cpu0);
  const s: Sample = { rps: r.total / r.seconds, p99: percentileMs(r.latency, 99), cpuUs: (cpu.user + cpu.system) / r.total };
  if (CAPTURES[t]) {
    await new Promise((res) => setTimeout(res, 100));
    const take = await m.takeMirrorPairs();
    const t0 = performance.now();
    const sum = summarizeMirror(take, { ignore: ['$.headers.Host'] });
    s.diffMs = performance.now() - t0;
    s.pairs = sum.compared;
    s.skipped = take.skipped;
  }
  return s;
}

/**
 * The capture's own cost, free of the shared box's scheduling noise: µs of the
 * request path per captured pair (open, the two recorders fed a 500-byte answer),
 * ns per sampled-out request, and µs per pair at take() (off the request path).
 */
export function captureCost(n = 20_000): { pairUs: number; skipNs: number; takeUs: number } {
  const headers = ['content-type', 'application/json', 'content-length', '500', 'server', 'upstream', 'x-app', 'v1'];
  const body = Buffer.alloc(500, 'x');
  const all = new MirrorCapture('sleep', { ratePerSecond: 0, maxPairs: n, maxInFlight: n });
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const slot = all.open(`id-${i}`, '/headers')!;
    for (const rec of [slot.primary, slot.shadow]) {
      rec.headers(200, headers);
      rec.data(body);
      rec.complete();
    }
  }
  const pairUs = ((performance.now() - t0) * 1000) / n;
  t0 = performance.now();
  all.take();
  const takeUs = ((performance.now() - t0) * 1000) / n;
  const none = new MirrorCapture('sleep', { ratePerSecond: 1e-9, burst: 0 });
  none.open('warm', '/');
  const m = 50 * n;
  t0 = performance.now();
  for (let i = 0; i < m; i++) none.open('id', '/headers');
  const skipNs = ((performance.now() - t0) * 1e6) / m;
  return { pairUs, skipNs, takeUs };
}

export async function benchMirror(seconds = 3, rounds = 5, connections = 16): Promise<MirrorBenchRow[]> {
  const meshes = new Map<Target, MeshThreadHandle>();
  try {
    for (const t of TARGETS) meshes.set(t, await boot(t));
    // Warm-up: pools, JIT.
    for (const t of TARGETS) await sample(meshes.get(t)!, t, 1, connections);
    const samples = new Map<Target, Sample[]>(TARGETS.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      const order = TARGETS.map((_, i) => TARGETS[(i + r) % TARGETS.length]!);
      for (const t of order) samples.get(t)!.push(await sample(meshes.get(t)!, t, seconds, connections));
    }
    const base = samples.get('mirror')!;
    const rows = TARGETS.map((t): MirrorBenchRow => {
      const s = samples.get(t)!;
      return {
        target: t,
        rps: median(s.map((x) => x.rps)),
        p99: median(s.map((x) => x.p99)),
        rpsVsMirror: median(s.map((x, i) => x.rps / base[i]!.rps)),
        p99VsMirror: median(s.map((x, i) => x.p99 / base[i]!.p99)),
        cpuUs: median(s.map((x) => x.cpuUs)),
        cpuVsMirror: median(s.map((x, i) => x.cpuUs / base[i]!.cpuUs)),
      };
    });
    const lines = [`c=${connections}, ${rounds} rounds x ${seconds} s, GET /headers through the sidecar (mesh on its own thread)`];
    lines.push(
      `${'target'.padEnd(26)} ${'rps'.padStart(8)} ${'p99 ms'.padStart(8)} ${'rps vs mirror'.padStart(14)} ${'p99 vs mirror'.padStart(14)} ${'cpu µs/rq'.padStart(10)} ${'cpu vs mirror'.padStart(14)}`,
    );
    for (const row of rows) {
      lines.push(
        `${row.target.padEnd(26)} ${row.rps.toFixed(0).padStart(8)} ${row.p99.toFixed(2).padStart(8)} ${row.rpsVsMirror.toFixed(3).padStart(14)} ${row.p99VsMirror.toFixed(3).padStart(14)} ${row.cpuUs.toFixed(0).padStart(10)} ${row.cpuVsMirror.toFixed(3).padStart(14)}`,
      );
    }
    for (const t of Object.keys(CAPTURES) as Target[]) {
      const cap = samples.get(t)!;
      lines.push(`${t}: ${cap.map((c) => `${c.pairs} captured + ${c.skipped} not (${c.diffMs!.toFixed(0)} ms diff)`).join('; ')}`);
    }
    const cost = captureCost();
    lines.push(
      `capture cost on the request path: ${cost.pairUs.toFixed(2)} µs per captured pair, ${cost.skipNs.toFixed(0)} ns per sampled-out request; ` +
        `${cost.takeUs.toFixed(2)} µs per pair at take() (between steps)`,
    );
    const row = rows[2]!;
    const ok = row.rpsVsMirror >= 0.9 && row.p99VsMirror <= 1.15;
    lines.push(`capture + diff vs plain mirroring: target rps within 10 %, p99 within 15 %: ${ok ? 'OK' : 'OVER TARGET'}`);
    process.stdout.write(lines.join('\n') + '\n');
    return rows;
  } finally {
    await Promise.all([...meshes.values()].map((m) => m.close()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [s, r, c] = process.argv.slice(2).map(Number);
  benchMirror(s || 3, r || 5, c || 16).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
