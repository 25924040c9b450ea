// `bench <scenario.yaml> [more.yaml…] [--variant NAME]... [--json FILE] [--no-tui] [--seed N]`
// Validates everything first (exit 2), runs every variant's steps with the live
// dashboard on a TTY or plain progress lines otherwise, then prints the report.
// Returns 0 ok, 1 an expectation failed, 130 interrupted (the partial report and
// JSON are still written); bad input and runtime failures are thrown.

import { ExitCode, FlagError, UserError } from '../errors.js';
import { prepareScenario, runPrepared } from '../scenario/runner.js';
import type { ScenarioEvent } from '../scenario/runner.js';
import type { ScenarioOutcome } from '../scenario/results.js';
import { compareRows, formatScenarioReport, statsRandom, toJsonDocument } from '../scenario/report.js';
import { MAX_REPEAT } from '../scenario/parse.js';
import { rowsOf } from '../report/result-rows.js';
import { GATE_FLAGS, gateActive, gateFlags, readJson, runGate, type GateFlags } from './gate.js';
import { plainProgress } from '../ui/plain.js';
import { formatFlagHelp, ISTIO_FLAG, parseFlags, parseIstio, parseSeed, SEED_FLAG, STRICT_IMAGES_FLAG } from './flags.js';
import type { IstioProfile } from '../mesh/config/istio-profile.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';
import { onInterrupt } from './signals.js';

const USAGE = 'usage: bench <scenario.yaml> [more.yaml…] [--variant NAME] [--json FILE] [--html FILE] [--no-tui] [--seed N] [--repeat N] [--baseline FILE --fail-on RULE]';

export const RUN_FLAGS = [
  { name: 'variant', kind: 'string', repeatable: true, arg: 'NAME', help: 'run only this variant (or a comma separated list)' },
  { name: 'json', kind: 'string', arg: 'FILE', help: 'write the results as JSON (- = stdout; the text report then goes to stderr)' },
  { name: 'html', kind: 'string', arg: 'FILE', help: 'write a self-contained HTML report with charts (opens offline; - = stdout)' },
  { name: 'no-tui', kind: 'bool', help: 'plain progress lines instead of the live dashboard' },
  SEED_FLAG,
  STRICT_IMAGES_FLAG,
  ISTIO_FLAG,
  { name: 'repeat', kind: 'int', arg: 'N', help: `run every variant N times on fresh meshes, order shuffled per round from --seed; intervals and verdicts from the repeats (1..${MAX_REPEAT}, default spec.repeat or 1)` },
  ...GATE_FLAGS,
] as const;

export interface RunFlags {
  /** -h: print the flags, run nothing. */
  help: boolean;
  files: string[];
  variants: string[];
  json?: string;
  html?: string;
  noTui: boolean;
  seed?: number;
  strictImages: boolean;
  /** --istio: overrides the scenario's spec.istio. */
  istio?: IstioProfile;
  repeat?: number;
  gate: GateFlags;
}

export async function parseRunFlags(argv: string[]): Promise<RunFlags> {
  const { values: v, positional, help } = parseFlags(RUN_FLAGS, argv);
  if (help) return { help, files: [], variants: [], noTui: false, strictImages: false, gate: { rules: [] } };
  if (positional.length === 0) throw new FlagError(`no scenario file given (${USAGE})`);
  const seed = parseSeed('--seed', v.seed);
  const istio = parseIstio('--istio', v.istio);
  if (v.repeat !== undefined && (v.repeat < 1 || v.repeat > MAX_REPEAT)) throw new FlagError(`--repeat: invalid value "${v.repeat}": expected 1..${MAX_REPEAT}`);
  const gate = await gateFlags(v);
  return {
    gate,
    ...(v.repeat !== undefined ? { repeat: v.repeat } : {}),
    help,
    files: positional,
    variants: v.variant.flatMap((x) => x.split(',')).filter(Boolean),
    ...(v.json !== undefined ? { json: v.json } : {}),
    ...(v.html !== undefined ? { html: v.html } : {}),
    noTui: v['no-tui'] ?? false,
    strictImages: v['strict-images'] ?? false,
    ...(istio ? { istio } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

export async function runCommand(argv: string[], io: CommandIO): Promise<number> {
  const flags = await parseRunFlags(argv);
  if (flags.help) {
    io.stdout.write(`${USAGE}\n${formatFlagHelp(RUN_FLAGS)}`);
    return ExitCode.ok;
  }
  if (flags.json !== undefined) await checkWritable('--json', flags.json);
  if (flags.html !== undefined) await checkWritable('--html', flags.html);
  if (flags.json === '-' && flags.html === '-') throw new FlagError('--json - and --html -: only one can go to stdout');
  // Read before the run: a bad baseline file fails in a second, not after the load.
  const baseRows = flags.gate.baseline !== undefined ? rowsOf(await readJson(flags.gate.baseline), flags.gate.baseline) : undefined;
  const prepared = await prepareScenario(flags.files, flags.variants, { strictImages: flags.strictImages, istio: flags.istio });

  const interrupt = onInterrupt(io.signal);
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
      onQuit: interrupt.abort,
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
      ...(flags.repeat !== undefined ? { repeat: flags.repeat } : {}),
      signal: interrupt.signal,
      onEvent: handle,
    });
  } finally {
    await stopView();
    interrupt.dispose();
  }

  const width = Math.max(60, Math.min(160, io.stdout.columns ?? 100));
  // With `--json -` (or `--html -`) stdout carries that file alone; the text report goes to stderr.
  const reportTo = flags.json === '-' || flags.html === '-' ? io.stderr : io.stdout;
  reportTo.write(formatScenarioReport(outcome, { from: prepared.scenario.load.from, width }));
  const doc = toJsonDocument(outcome);
  if (flags.json !== undefined) {
    await writeOutput('--json', flags.json, JSON.stringify(doc, null, 2) + '\n', io);
  }
  if (flags.html !== undefined) {
    // The HTML is a rendering of the JSON document, nothing else.
    const { htmlReport } = await import('../report/html/report.js');
    await writeOutput('--html', flags.html, await htmlReport([{ doc, file: flags.files.join(' ') }], { randomFor: statsRandom }), io, 'HTML report');
  }

  if (outcome.interrupted) return ExitCode.interrupted;
  // A runtime failure ended the run: raised after the partial report, with its own code.
  if (outcome.error) throw new UserError(outcome.error.code, outcome.error.message, outcome.error.exitCode);
  const gate = gateActive(flags.gate) ? await runGate(flags.gate, compareRows(outcome), baseRows, { ...io, stdout: reportTo }, flags.seed) : ExitCode.ok;
  if (outcome.expectations.some((e) => !e.pass) || gate !== ExitCode.ok) return ExitCode.expectationFailed;
  return ExitCode.ok;
}

/** The rule Ink itself applies (package is-in-ci). */
function inCi(): boolean {
  const on = (k: string) => k in process.env && process.env[k] !== '0' && process.env[k] !== 'false';
  return on('CI') || on('CONTINUOUS_INTEGRATION');
}
