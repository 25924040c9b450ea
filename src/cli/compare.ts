// `bench compare A.json B.json…`: the comparison table from saved results —
// scenario results (`bench … --json`) and plain fortio JSON (`bench load -json`,
// or fortio's own) alike. The first row of each step is the baseline.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ExitCode, FlagError, UserError } from '../errors.js';
import type { CompareRow } from '../report/compare.js';
import { formatCompareTable } from '../report/compare.js';
import { rowsOf } from '../report/result-rows.js';
import type { CommandIO } from './io.js';
import { parseFlags } from './flags.js';

const USAGE = 'usage: bench compare A.json B.json…';

export async function compareCommand(argv: string[], io: CommandIO): Promise<number> {
  const { positional: files, help } = parseFlags([], argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  the comparison table of saved results: bench --json files and fortio JSON alike\n`);
    return ExitCode.ok;
  }
  if (files.length === 0) throw new FlagError(`no result files given (${USAGE})`);
  const perFile: CompareRow[][] = [];
  for (const f of files) perFile.push(rowsOf(await readJson(f), f));
  const rows = label(perFile, files);
  const width = Math.max(60, Math.min(160, io.stdout.columns ?? 100));
  io.stdout.write(formatCompareTable(rows, { width }));
  return ExitCode.ok;
}

/** A JSON file given on the command line: unreadable or invalid is a user error naming the file. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError('MB_ERR_NO_FILE', `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError('MB_ERR_JSON', `${file}: not valid JSON (${(e as Error).message})`);
  }
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
