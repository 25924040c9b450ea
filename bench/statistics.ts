// Statistics cost (issue: "the statistics add no measurable cost to the load
// path"). The only statistics work done while load runs is the timeline
// recorder's tick (per-window calls, codes and call-weighted latency that the
// one-run intervals bootstrap later); the bootstrap itself (windows, repeats,
// verdicts) runs after the step. This bench runs a real max-qps scenario step and,
// in the same round, replays that step's ticks through a fresh recorder and
// recomputes its intervals and a 5-repeat comparison, then prints the recorder's
// CPU as a share of the step's CPU, and the post-run work in ms.
// Run directly: `node dist/bench/statistics.js [seconds] [rounds]`.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { prepareScenario, runPrepared } from '../src/scenario/runner.js';
import { TimelineRecorder } from '../src/scenario/timeline.js';
import { windowIntervals } from '../src/scenario/window-intervals.js';
import { compareRow, statsRandom } from '../src/scenario/report.js';
import { compareRowGroups } from '../src/report/metrics.js';
import type { LoadSnapshot } from '../src/load/types.js';
import { writeMaxQpsScenario } from './scenario.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export interface StatisticsBench {
  rounds: Array<{ stepCpuMs: number; ticks: number; recorderCpuMs: number; share: number; postRunMs: number; calls: number }>;
  medianShare: number;
  medianPostRunMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchStatistics(seconds = 3, rounds = 3): Promise<StatisticsBench> {
  const dir = await mkdtemp(join(tmpdir(), 'mb-bench-stats-'));
  const out: StatisticsBench['rounds'] = [];
  try {
    const file = await writeMaxQpsScenario(dir, seconds, 8);
    for (let r = 0; r < rounds; r++) {
      const prepared = await prepareScenario([here('../../scenarios/httpbin/httpbin.yaml'), file]);
      const ticks: LoadSnapshot[] = [];
      let cpu0 = process.cpuUsage();
      let stepCpuMs = 0;
      const run = await runPrepared(prepared, {
        files: [file],
        onEvent: (e) => {
          if (e.type === 'step-start') cpu0 = process.cpuUsage();
          else if (e.type === 'tick') ticks.push(e.tick.load);
          else if (e.type === 'step-end') {
            const d = process.cpuUsage(cpu0);
            stepCpuMs = (d.user + d.system) / 1000;
          }
        },
      });
      const step = run.variants[0]!.steps[0]!;
      // The recorder's share of the load path: the same ticks again, on a fresh recorder, repeated for a measurable time.
      const reps = 200;
      const totals = { counters: { 'upstream_rq_retry': 0 }, perVersion: { 'httpbin v1': 0 } };
      const t0 = process.cpuUsage();
      for (let k = 0; k < reps; k++) {
        const rec = new TimelineRecorder(1);
        for (const t of ticks) rec.tick(t, totals);
      }
      const rd = process.cpuUsage(t0);
      const recorderCpuMs = (rd.user + rd.system) / 1000 / reps;
      // After the step: its one-run intervals and a 5-repeat comparison against itself (bootstrap), as the table does.
      const p0 = performance.now();
      const row = compareRow(step);
      windowIntervals(row, statsRandom(1));
      const five = Array.from({ length: 5 }, () => row);
      compareRowGroups(five, five, statsRandom(1));
      const postRunMs = performance.now() - p0;
      out.push({ stepCpuMs, ticks: ticks.length, recorderCpuMs, share: recorderCpuMs / stepCpuMs, postRunMs, calls: step.timeline.reduce((a, s) => a + s.calls, 0) });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const res = { rounds: out, medianShare: median(out.map((x) => x.share)), medianPostRunMs: median(out.map((x) => x.postRunMs)) };
  process.stdout.write('round  calls   step CPU ms  ticks  recorder CPU ms  share of step CPU  post-run ms\n');
  out.forEach((x, i) =>
    process.stdout.write(
      `${String(i + 1).padEnd(5)}  ${String(x.calls).padStart(6)}  ${x.stepCpuMs.toFixed(0).padStart(11)}  ${String(x.ticks).padStart(5)}  ${x.recorderCpuMs.toFixed(4).padStart(15)}  ${(x.share * 100).toFixed(4).padStart(16)} %  ${x.postRunMs.toFixed(1).padStart(11)}\n`,
    ),
  );
  const ok = res.medianShare < 0.001;
  process.stdout.write(
    `statistics on the load path (timeline recorder): ${(res.medianShare * 100).toFixed(4)} % of the step's CPU (median; target < 0.1 %) ${ok ? 'OK' : 'MISSED'}; ` +
      `intervals + 5-repeat bootstrap after the step: ${res.medianPostRunMs.toFixed(1)} ms\n`,
  );
  return res;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [s, r] = process.argv.slice(2).map(Number);
  await benchStatistics(s || 3, r || 3);
}
