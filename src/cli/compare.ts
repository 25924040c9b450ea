// `bench compare A.json B.json…`: the comparison table from saved results —
// scenario results (`bench … --json`) and plain fortio JSON (`bench load -json`,
// or fortio's own) alike. The first row of each step is the baseline.

import { basename } from 'node:path';
import { ExitCode, FlagError, UserError } from '../errors.js';
import { STATS_SEED, statsRandom } from '../scenario/report.js';
import type { CompareRow } from '../report/compare.js';
import { formatCompareTable } from '../report/compare.js';
import { rowsOf } from '../report/result-rows.js';
import type { CommandIO } from './io.js';
import { formatFlagHelp, parseFlags, parseSeed, SEED_FLAG } from './flags.js';
import { GATE_FLAGS, gateActive, gateFlags, readJson, runGate } from './gate.js';

const USAGE = 'usage: bench compare [--baseline BASE.json] [--fail-on RULE]… [--junit FILE] [--markdown FILE] A.json B.json…';

const COMPARE_FLAGS = [...GATE_FLAGS, { ...SEED_FLAG, help: 'seed the bootstrap of the intervals (default 1: the same table every time)' }] as const;

export async function compareCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positional: files, help } = parseFlags(COMPARE_FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  the comparison table of saved results: bench --json files and fortio JSON alike\n${formatFlagHelp(COMPARE_FLAGS)}`);
    return ExitCode.ok;
  }
  if (files.length === 0) throw new FlagError(`no result files given (${USAGE})`);
  const seed = parseSeed('--seed', values.seed) ?? STATS_SEED;
  const gate = await gateFlags(values);
  const baseRows = gate.baseline !== undefined ? rowsOf(await readJson(gate.baseline), gate.baseline) : undefined;
  const perFile: CompareRow[][] = [];
  for (const f of files) perFile.push(rowsOf(await readJson(f), f));
  // The baseline file's rows come first in the table: they are its baseline.
  const shown = gate.baseline !== undefined ? label([baseRows!, ...perFile], [gate.baseline, ...files]) : label(perFile, files);
  const width = Math.max(60, Math.min(160, io.stdout.columns ?? 100));
  io.stdout.write(formatCompareTable(shown, { width, randomFor: statsRandom(seed) }));
  if (!gateActive(gate)) return ExitCode.ok;
  return runGate(gate, baseRows ? perFile.flat() : shown, baseRows, io, seed);
}

/** Same variant name in several files (e.g. two runs of "base"): prefix the file name. */
function label(perFile: CompareRow[][], files: string[]): CompareRow[] {
  const owners = new Map<string, Set<number>>();
  perFile.forEach((rows, i) => rows.forEach((r) => (owners.get(r.variant) ?? owners.set(r.variant, new Set()).get(r.variant)!).add(i)));
  const out: CompareRow[] = [];
  perFile.forEach((rows, i) => {
    for (const r of rows) {
      const clash = (owners.get(r.variant)?.size ?? 0) > 1;
      const name = basename(files[i]).replace(/\.json$/i, '');
      // The same file twice (or two files of one name): number them.
      const dup = files.findIndex((f) => basename(f) === basename(files[i])) !== i ? `#${i + 1}` : '';
      const variant = r.variant === name ? `${name}${dup}` : `${name}${dup}:${r.variant}`;
      out.push(clash ? { ...r, variant } : r);
    }
  });
  return out;
}
