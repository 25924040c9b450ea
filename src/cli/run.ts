// `bench <scenario.yaml> [more.yaml…] [--variant NAME]... [--json FILE] [--no-tui] [--seed N]`
// Validates everything first (exit 2), runs every variant's steps with the live
// dashboard on a TTY or plain progress lines otherwise, then prints the report.
// Exit: 0 ok, 1 an expectation failed, 2 bad input, 3 runtime, 130 interrupted
// (the partial report and JSON are still written).

import { parseSeed } from './seed.js';
import { writeFile } from 'node:fs/promises';
import { ExitCode, FlagError, UserError } from '../errors.js';
import { prepareScenario, runPrepared } from '../scenario/runner.js';
import type { ScenarioEvent } from '../scenario/runner.js';
import { formatScenarioReport, toJsonDocument } from '../scenario/report.js';
import type { ScenarioOutcome } from '../scenario/results.js';
import { plainProgress } from '../ui/plain.js';
import type { CommandIO } from './io.js';
import { reportError } from './main.js';

export interface RunFlags {
  files: string[];
  variants: string[];
  json?: string;
  noTui: boolean;
  seed?: number;
}

export function parseRunFlags(argv: string[]): RunFlags {
  const f: RunFlags = { files: [], variants: [], noTui: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('-') ? (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '') : '';
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new FlagError(`--${name}: needs a value`);
      return v;
    };
    if (!a.startsWith('-') || a === '-') {
      f.files.push(a);
      continue;
    }
    switch (name) {
      case 'variant':
        f.variants.push(...value().split(',').filter(Boolean));
        break;
      case 'json':
        f.json = value();
        break;
      case 'no-tui':
        f.noTui = true;
        break;
      case 'seed':
        f.seed = parseSeed('--seed', value());
        break;
      default:
        throw new FlagError(`${a.slice(0, eq > 0 ? eq : undefined)}: unknown flag (bench <scenario.yaml>… [--variant NAME] [--json FILE] [--no-tui] [--seed N])`);
    }
  }
  if (f.files.length === 0) throw new FlagError('no scenario file given (bench <scenario.yaml> [more.yaml…])');
  return f;
}

export interface RunIO extends CommandIO {
  /** Overrides stdout.isTTY (tests). */
  isTTY?: boolean;
  /** Aborts the run like Ctrl-C (tests, embedding). */
  signal?: AbortSignal;
}

export async function runCommand(argv: string[], io: RunIO): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function run(argv: string[], io: RunIO): Promise<number> {
  const flags = parseRunFlags(argv);
  const prepared = await prepareScenario(flags.files, flags.variants);

  const ac = new AbortController();
  const abort = () => ac.abort();
  io.signal?.addEventListener('abort', abort, { once: true });
  if (io.signal?.aborted) ac.abort();
  let sigints = 0;
  const onSignal = () => {
    // A second Ctrl-C while the partial report is being written exits at once.
    if (++sigints > 1) process.exit(ExitCode.interrupted);
    abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // In CI (CI / CONTINUOUS_INTEGRATION set) Ink shows only the final frame, so a
  // TTY there gets the plain progress lines too.
  const tty = !flags.noTui && (io.isTTY ?? (io.stdout.isTTY === true && !inCi()));
  let handle: (e: ScenarioEvent) => void;
  let stopView: () => Promise<void> = async () => {};
  if (tty) {
    // React's development build costs the main thread several times more per frame;
    // set before React is first loaded (it reads NODE_ENV once, at require time).
    process.env.NODE_ENV ??= 'production';
    // The dashboard redraws in place: config warnings go out first, as plain lines.
    for (const w of prepared.warnings) io.stderr.write(`${w}\n`);
    const { startLiveView } = await import('../ui/live.js');
    const view = startLiveView({
      stdout: io.stdout as unknown as NodeJS.WriteStream,
      ...(io.stdin ? { stdin: io.stdin } : {}),
      onQuit: abort,
    });
    handle = (e) => view.handle(e);
    stopView = () => view.stop();
  } else {
    const plain = plainProgress(io.stderr);
    handle = (e) => plain.handle(e);
  }

  let outcome: ScenarioOutcome;
  try {
    outcome = await runPrepared(prepared, {
      files: flags.files,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      signal: ac.signal,
      onEvent: handle,
    });
  } finally {
    await stopView();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    io.signal?.removeEventListener('abort', abort);
  }

  const width = Math.max(60, Math.min(160, io.stdout.columns ?? 100));
  // With `--json -` stdout carries the JSON alone; the text report goes to stderr.
  const reportTo = flags.json === '-' ? io.stderr : io.stdout;
  reportTo.write(formatScenarioReport(outcome, { from: prepared.scenario.load.from, width }));
  if (flags.json) await writeJson(flags.json, outcome, io);

  if (outcome.interrupted) return ExitCode.interrupted;
  if (outcome.error) {
    io.stderr.write(`bench: ${outcome.error.message}\n`);
    return outcome.error.exitCode;
  }
  if (outcome.expectations.some((e) => !e.pass)) return ExitCode.expectationFailed;
  return ExitCode.ok;
}

async function writeJson(file: string, outcome: ScenarioOutcome, io: RunIO): Promise<void> {
  const text = JSON.stringify(toJsonDocument(outcome), null, 2) + '\n';
  if (file === '-') {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new UserError('MB_ERR_JSON', `--json ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  io.stderr.write(`Successfully wrote ${Buffer.byteLength(text)} bytes of Json data to ${file}\n`);
}

/** The rule Ink itself applies (package is-in-ci). */
function inCi(): boolean {
  const on = (k: string) => k in process.env && process.env[k] !== '0' && process.env[k] !== 'false';
  return on('CI') || on('CONTINUOUS_INTEGRATION');
}
