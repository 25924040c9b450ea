// Scenario overhead: wall time of `bench scenarios/httpbin-cb.yaml` (plain mode),
// and how much CPU the main thread (coordinator merge + dashboard rendering)
// takes during a max-qps step while the live dashboard draws to a fake 160x48
// terminal. Main-thread busy time comes from its event-loop utilization; the whole
// process's CPU (main + load workers + mesh thread) from process.cpuUsage().
// Target: main thread < 10 % of the process CPU.
// Run directly: `node dist/bench/scenario.js [seconds]`.

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runCommand } from '../src/cli/run.js';
import { prepareScenario, runPrepared } from '../src/scenario/runner.js';

export interface ScenarioBench {
  /** Wall time of the whole httpbin-cb scenario (2 variants x 3 steps), ms. */
  cbWallMs: number;
  cbExitCode: number;
  /** Max-qps step with the dashboard drawing. */
  step: {
    seconds: number;
    calls: number;
    qps: number;
    frames: number;
    /** Main thread CPU ms (/proc per-thread times on Linux, else event-loop busy time). */
    mainBusyMs: number;
    mainCpuSource: 'thread-cpu' | 'event-loop';
    processCpuMs: number;
    mainShareOfCpu: number;
    /** Main thread busy / wall. */
    mainUtilization: number;
  };
}

/**
 * CPU time of the main thread alone (ms): Linux exposes it per task in
 * /proc/self/task/<tid>/stat (utime + stime, in clock ticks of 10 ms); the main
 * thread's tid is the pid. Elsewhere: undefined (event-loop busy time is used).
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after "(comm)": state is [0], utime is field 14 overall -> [11], stime [12].
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// A 160x48 terminal that discards frames. isTTY stays false: on a "TTY" Ink
// hides the cursor through cli-cursor, whose process-wide exit hook then writes
// ESC[?25h to the real stderr although this bench never drew there. Ink renders
// the same frames either way (without synchronized-output brackets), one write
// per frame.
class NullTty extends EventEmitter {
  columns = 160;
  rows = 48;
  isTTY = false;
  frames = 0;
  write(): boolean {
    this.frames++;
    return true;
  }
}

async function cbWallTime(): Promise<{ ms: number; code: number }> {
  const sink = () => {
    const s = new PassThrough();
    s.resume();
    return s;
  };
  const t0 = performance.now();
  const code = await runCommand([here('../../scenarios/httpbin-cb.yaml'), '--no-tui'], { stdout: sink(), stderr: sink(), isTTY: false });
  return { ms: performance.now() - t0, code };
}

/** A scenario of one max-qps step at the built-in httpbin (`scenarios/httpbin/httpbin.yaml` beside it), written into `dir`. */
export async function writeMaxQpsScenario(dir: string, seconds: number, connections: number): Promise<string> {
  const file = join(dir, 'max.yaml');
  await writeFile(
    file,
    `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: max-qps }
spec:
  load:
    url: http://httpbin:8000/get
    steps: [{ name: max, c: ${connections}, qps: 0, t: ${seconds}s }]
`,
  );
  return file;
}

async function maxQpsStep(seconds: number): Promise<ScenarioBench['step']> {
  const dir = await mkdtemp(join(tmpdir(), 'mb-bench-scenario-'));
  try {
    const file = await writeMaxQpsScenario(dir, seconds, 16);
    const prepared = await prepareScenario([here('../../scenarios/httpbin/httpbin.yaml'), file]);
    process.env.NODE_ENV ??= 'production'; // as `bench` does on a TTY (src/cli/run.ts)
    const { startLiveView } = await import('../src/ui/live.js');
    const tty = new NullTty();
    const view = startLiveView({ stdout: tty as unknown as NodeJS.WriteStream, onQuit: () => {}, width: 159 });
    let elu0 = performance.eventLoopUtilization();
    let cpu0 = process.cpuUsage();
    let main0 = mainThreadCpuMs();
    let t0 = performance.now();
    let measured: ScenarioBench['step'] | undefined;
    const out = await runPrepared(prepared, {
      files: [file],
      onEvent: (e) => {
        view.handle(e);
        if (e.type === 'step-start') {
          elu0 = performance.eventLoopUtilization();
          cpu0 = process.cpuUsage();
          main0 = mainThreadCpuMs();
          t0 = performance.now();
        } else if (e.type === 'step-end') {
          const elu = performance.eventLoopUtilization(elu0);
          const cpu = process.cpuUsage(cpu0);
          const wall = performance.now() - t0;
          const processCpuMs = (cpu.user + cpu.system) / 1000;
          const r = e.outcome.result;
          const main1 = mainThreadCpuMs();
          const mainMs = main0 !== undefined && main1 !== undefined ? main1 - main0 : elu.active;
          measured = {
            seconds: wall / 1000,
            calls: r.meshbench.serviceTime.count,
            qps: r.meshbench.achievedQps,
            frames: tty.frames,
            mainBusyMs: mainMs,
            mainCpuSource: main1 !== undefined ? 'thread-cpu' : 'event-loop',
            processCpuMs,
            mainShareOfCpu: mainMs / processCpuMs,
            mainUtilization: mainMs / wall,
          };
        }
      },
    });
    await view.stop();
    if (!measured || out.interrupted || out.error) {
      throw new Error(`max-qps step did not complete${out.error ? `: ${out.error.message}` : ''}`);
    }
    return measured;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchScenario(seconds = 5): Promise<ScenarioBench> {
  const cb = await cbWallTime();
  const step = await maxQpsStep(seconds);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `httpbin-cb.yaml (2 variants x 3 steps, plain mode): ${cb.ms.toFixed(0)} ms wall, exit ${cb.code}`,
    `max-qps step (c=16, ${step.seconds.toFixed(1)} s, dashboard at 160x48): ${step.calls} calls, ${step.qps.toFixed(0)} qps, ${step.frames} frames drawn`,
    `  main thread CPU ${step.mainBusyMs.toFixed(0)} ms (${step.mainCpuSource}) = ${pct(step.mainUtilization)} of wall`,
    `  process CPU ${step.processCpuMs.toFixed(0)} ms (main + load workers + mesh thread)`,
    `  main thread share of process CPU: ${pct(step.mainShareOfCpu)} (target < 10 %) ${step.mainShareOfCpu < 0.1 ? 'OK' : 'OVER TARGET'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return { cbWallMs: cb.ms, cbExitCode: cb.code, step };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const seconds = Number(process.argv[2] ?? 5) || 5;
  benchScenario(seconds).then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
