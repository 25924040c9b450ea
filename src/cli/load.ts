// `bench load [fortio flags] URL`: fortio's load command. Same streams as
// fortio (human text on stderr, `-json -` on stdout), a plain progress line per
// second on stderr for runs longer than a second, and a short meshbench block
// after the fortio report (achieved vs requested qps, corrected percentiles).

import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ExitCode, isUserError, UserError } from '../errors.js';
import { parseLoadFlags } from '../load/flags.js';
import { runLoad, type LoadRun } from '../load/coordinator.js';
import { toLoadResult } from '../load/result.js';
import type { LatencySummary, LoadOptions, LoadSnapshot } from '../load/types.js';
import { formatFortioHeader } from '../load/call-plan.js';
import { formatFortioReport } from '../report/fortio-text.js';
import { MESHBENCH_FORTIO_VERSION } from '../report/fortio-version.js';
import { serializeJson } from '../report/fortio-json.js';
import type { CommandIO } from './io.js';

export interface LoadCommandExtra {
  /** Open sockets here instead of the URL's host (the mesh sidecar, set by --mesh). */
  connectTo?: LoadOptions['connectTo'];
  /** Abort from outside (tests, embedding); SIGINT does the same. */
  signal?: AbortSignal;
}

export async function loadCommand(argv: string[], io: Pick<CommandIO, 'stdout' | 'stderr'>, extra: LoadCommandExtra = {}): Promise<number> {
  try {
    return await run(argv, io, extra);
  } catch (e) {
    if (!isUserError(e)) throw e;
    io.stderr.write(`bench: ${(e as UserError).message}\n`);
    return (e as UserError).exitCode;
  }
}

async function run(argv: string[], io: Pick<CommandIO, 'stdout' | 'stderr'>, extra: LoadCommandExtra): Promise<number> {
  const { options, output } = parseLoadFlags(argv);
  if (extra.connectTo) options.connectTo = extra.connectTo;
  const err = io.stderr;
  err.write(formatFortioHeader(options, { version: MESHBENCH_FORTIO_VERSION, procs: availableParallelism() }));

  const ac = new AbortController();
  // Ctrl-C / SIGTERM stop the run; the partial report is still printed and written.
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const onOuterAbort = (): void => ac.abort();
  extra.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (extra.signal?.aborted) ac.abort();

  const showProgress = options.logLevel !== 'Error' && options.logLevel !== 'Critical' && options.logLevel !== 'Fatal';
  // One plain line per second of the timed run, from its first second on (no escape codes: CI logs stay readable).
  let nextProgressMs = 1000;
  const onSnapshot = (s: LoadSnapshot): void => {
    if (s.done || s.elapsedMs < nextProgressMs) return;
    nextProgressMs = (Math.floor(s.elapsedMs / 1000) + 1) * 1000;
    err.write(progressLine(s) + '\n');
  };
  let result: LoadRun;
  try {
    result = await runLoad(options, { signal: ac.signal, onSnapshot: showProgress ? onSnapshot : undefined });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    extra.signal?.removeEventListener('abort', onOuterAbort);
  }

  err.write(formatFortioReport(result, { logLevel: options.logLevel }));
  err.write(meshbenchBlock(result));
  if (output.json !== undefined) {
    const lr = toLoadResult(result);
    // fortio's keys first (fortio report and scripts read them), meshbench's under MeshBench.
    const text = serializeJson({ ...lr.fortio, MeshBench: lr.meshbench }) + '\n';
    if (output.json === '-') io.stdout.write(text);
    else {
      try {
        await writeFile(output.json, text);
      } catch (e) {
        throw new UserError('MB_ERR_WRITE', `-json: cannot write "${output.json}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`, ExitCode.runtime);
      }
      err.write(`Successfully wrote ${Buffer.byteLength(text)} bytes of Json data to ${output.json}\n`);
    }
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
