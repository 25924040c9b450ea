// `bench load [fortio flags] URL`: fortio's load command. Same streams as
// fortio (human text on stderr, `-json -` on stdout), a plain progress line per
// second on stderr for runs longer than a second, and a short meshbench block
// after the fortio report (achieved vs requested qps, corrected percentiles).

import { availableParallelism } from 'node:os';
import { ExitCode, FlagError } from '../errors.js';
import { defaultLoadOptions, LOAD_FLAGS, normalizeLoadFlags, type ParsedLoadFlags } from '../load/flags.js';
import { runLoad, type LoadRun } from '../load/coordinator.js';
import { toLoadResult } from '../load/result.js';
import type { LatencySummary, LoadSnapshot } from '../load/types.js';
import { formatFortioHeader } from '../load/call-plan.js';
import { formatFortioReport } from '../report/fortio-text.js';
import { MESHBENCH_FORTIO_VERSION } from '../report/fortio-version.js';
import { serializeJson } from '../report/fortio-json.js';
import { openMesh } from '../scenario/open-mesh.js';
import { timelineBucket, TimelineRecorder } from '../scenario/timeline.js';
import { statsRandom } from '../scenario/report.js';
import { formatFlagHelp, ISTIO_FLAG, parseFlags, parseIstio, parseSeed, SEED_FLAG, STRICT_IMAGES_FLAG } from './flags.js';
import type { IstioProfile } from '../mesh/config/istio-profile.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';
import { onInterrupt } from './signals.js';

const USAGE = 'usage: bench load [flags] URL';

/** fortio's flags, then meshbench's for a load through the embedded mesh. */
export const LOAD_COMMAND_FLAGS = [
  ...LOAD_FLAGS,
  { name: 'mesh', kind: 'string', repeatable: true, arg: 'FILE', help: 'boot the embedded mesh from these YAML files (or a comma separated list); the URL\'s host is then a mesh host' },
  { name: 'from', kind: 'string', arg: 'WORKLOAD', help: 'with --mesh: the Deployment whose sidecar sends the load (default: meshbench, outside any Deployment)' },
  { ...SEED_FLAG, help: `with --mesh: ${SEED_FLAG.help}` },
  { ...STRICT_IMAGES_FLAG, help: `with --mesh: ${STRICT_IMAGES_FLAG.help}` },
  { ...ISTIO_FLAG, help: `with --mesh: ${ISTIO_FLAG.help}` },
  { name: 'html', kind: 'string', arg: 'FILE', help: 'write a self-contained HTML report with charts (opens offline; - = stdout)' },
] as const;

export interface LoadArgs extends ParsedLoadFlags {
  /** -h: print the flags, run nothing. */
  help: boolean;
  mesh: { files: string[]; from?: string; seed?: number; strictImages: boolean; istio?: IstioProfile };
  html?: string;
}

export function parseLoadFlags(argv: string[]): LoadArgs {
  const { values: v, positional, help } = parseFlags(LOAD_COMMAND_FLAGS, argv);
  if (help) return { help, options: defaultLoadOptions(), output: { quiet: false }, mesh: { files: [], strictImages: false } };
  const files = v.mesh.flatMap((m) => m.split(',')).filter(Boolean);
  const seed = parseSeed('--seed', v.seed);
  const istio = parseIstio('--istio', v.istio);
  if (files.length === 0) {
    if (istio) throw new FlagError('--istio: only meaningful with --mesh');
    if (v.from !== undefined) throw new FlagError('--from: only meaningful with --mesh');
    if (seed !== undefined) throw new FlagError('--seed: only meaningful with --mesh (it seeds the proxy)');
    if (v['strict-images']) throw new FlagError('--strict-images: only meaningful with --mesh');
  }
  return {
    help,
    ...normalizeLoadFlags(v, positional),
    mesh: { files, strictImages: v['strict-images'] ?? false, ...(istio ? { istio } : {}), ...(v.from !== undefined ? { from: v.from } : {}), ...(seed !== undefined ? { seed } : {}) },
    ...(v.html !== undefined ? { html: v.html } : {}),
  };
}

/** `bench load`; with --mesh the URL's host is a mesh host reached through the source workload's sidecar. */
export async function loadCommand(argv: string[], io: CommandIO): Promise<number> {
  const args = parseLoadFlags(argv);
  if (args.help) {
    io.stdout.write(`${USAGE}\n${formatFlagHelp(LOAD_COMMAND_FLAGS)}`);
    return ExitCode.ok;
  }
  if (args.output.json !== undefined) await checkWritable('-json', args.output.json);
  if (args.html !== undefined) await checkWritable('--html', args.html);
  if (args.output.json === '-' && args.html === '-') throw new FlagError('-json - and --html -: only one can go to stdout');
  if (args.mesh.files.length === 0) return run(args, io);
  const { sidecar, mesh } = await openMesh(args.mesh.files, {
    from: args.mesh.from,
    compile: { strictImages: args.mesh.strictImages, istio: args.mesh.istio },
    onWarning: (line) => io.stderr.write(`${line}\n`),
    ...(args.mesh.seed !== undefined ? { boot: { seed: args.mesh.seed } } : {}),
  });
  try {
    args.options.connectTo = { host: '127.0.0.1', port: sidecar.listenPort };
    return await run(args, io);
  } finally {
    await mesh.close();
  }
}

async function run({ options, output, html }: ParsedLoadFlags & { html?: string }, io: CommandIO): Promise<number> {
  const err = io.stderr;
  err.write(formatFortioHeader(options, { version: MESHBENCH_FORTIO_VERSION, procs: availableParallelism() }));

  // Ctrl-C / SIGTERM stop the run; the partial report is still printed and written.
  const interrupt = onInterrupt(io.signal);

  const showProgress = options.logLevel !== 'Error' && options.logLevel !== 'Critical' && options.logLevel !== 'Fatal';
  // One plain line per second of the timed run, from its first second on (no escape codes: CI logs stay readable).
  let nextProgressMs = 1000;
  // The per-second series of an HTML report (no mesh counters here: the load's own view).
  const timeline = html !== undefined ? new TimelineRecorder(timelineBucket(options)) : undefined;
  const onSnapshot = (s: LoadSnapshot): void => {
    timeline?.tick(s, { counters: {}, perVersion: {} });
    if (!showProgress || s.done || s.elapsedMs < nextProgressMs) return;
    nextProgressMs = (Math.floor(s.elapsedMs / 1000) + 1) * 1000;
    err.write(progressLine(s) + '\n');
  };
  let result: LoadRun;
  try {
    result = await runLoad(options, { signal: interrupt.signal, onSnapshot: showProgress || timeline ? onSnapshot : undefined });
  } finally {
    interrupt.dispose();
  }

  err.write(formatFortioReport(result, { logLevel: options.logLevel }));
  err.write(meshbenchBlock(result));
  const lr = toLoadResult(result);
  // fortio's keys first (fortio report and scripts read them), meshbench's under MeshBench.
  const doc = { ...lr.fortio, MeshBench: lr.meshbench };
  if (output.json !== undefined) await writeOutput('-json', output.json, serializeJson(doc) + '\n', io);
  if (html !== undefined && timeline) {
    const calls = Object.values(lr.fortio.RetCodes).reduce((a, n) => a + n, 0);
    const series = timeline.finish({ calls, codes: lr.fortio.RetCodes, counters: {}, perVersion: {} }, lr.fortio.ActualDuration / 1e9);
    const { htmlReport } = await import('../report/html/report.js');
    await writeOutput('--html', html, await htmlReport([{ doc, file: 'bench load', timeline: series }], { randomFor: statsRandom }), io, 'HTML report');
  }
  return result.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function codesText(codes: Record<string, number>): string {
  return Object.keys(codes)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => `${k}:${codes[k]}`)
    .join(' ');
}

export function progressLine(s: LoadSnapshot): string {
  const planned =
    s.plannedCalls > 0 ? `/${s.plannedCalls}` : s.plannedDurationMs > 0 ? ` of ${(s.plannedDurationMs / 1000).toFixed(0)}s` : '';
  return (
    `progress ${(s.elapsedMs / 1000).toFixed(1)}s: ${s.calls}${planned} calls, ${s.windowQps.toFixed(1)} qps now` +
    `, p50 ${ms(s.window.p50)} ms p99 ${ms(s.window.p99)} ms, codes ${codesText(s.codes) || '-'}, sockets ${s.socketsOpened}` +
    (s.behindScheduleMs > 1 ? `, behind schedule ${ms(s.behindScheduleMs)} ms` : '')
  );
}

function pct(l: LatencySummary): string {
  return `p50 ${ms(l.p50)} ms, p90 ${ms(l.p90)} ms, p99 ${ms(l.p99)} ms, p99.9 ${ms(l.p999)} ms, max ${ms(l.max)} ms`;
}

/** meshbench's own lines after fortio's report. */
export function meshbenchBlock(r: LoadRun): string {
  const m = r.meshbench;
  const lines: string[] = [];
  const req = m.requestedQps > 0 ? `${m.requestedQps} qps requested, ` : 'max qps requested, ';
  const share = m.requestedQps > 0 ? ` (${((100 * m.achievedQps) / m.requestedQps).toFixed(1)} %)` : '';
  lines.push(`meshbench: ${req}${m.achievedQps.toFixed(1)} qps achieved${share}; ${m.workers} worker thread(s)${m.interrupted ? '; interrupted' : ''}${r.abortedOnCode ? `; stopped by -abort-on ${r.options.abortOn}` : ''}`);
  if (m.serviceTime.count > 0) lines.push(`meshbench: service time ${pct(m.serviceTime)}`);
  if (m.correctedTime && m.correctedTime.count > 0) lines.push(`meshbench: from intended send time (coordinated omission corrected) ${pct(m.correctedTime)}`);
  if (m.fellBehind) {
    lines.push(
      `meshbench: WARNING the load generator fell behind its schedule (${(100 * r.behindFraction).toFixed(1)} % of sleeps negative, up to ${ms(m.maxBehindScheduleMs)} ms late): ` +
        `achieved ${m.achievedQps.toFixed(1)} of ${m.requestedQps} qps; the corrected percentiles include that wait (more -c may help)`,
    );
  }
  const busy = m.workerUtilization ?? 0;
  if (busy > 0.9 || m.maxEventLoopLagMs > 50) {
    lines.push(
      `meshbench: note: the load generator may be the limit (busiest worker ${(100 * busy).toFixed(0)} % busy, event loop stalled up to ${ms(m.maxEventLoopLagMs)} ms)` +
        (m.workers === 1 ? '; try --workers 2 on a machine with spare cores' : ''),
    );
  }
  return lines.join('\n') + '\n';
}
