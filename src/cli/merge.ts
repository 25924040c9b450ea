// `bench merge A.json B.json… -o M.json`: runs of the same load step spread
// over several machines or pods made one result, exactly (fortio's buckets,
// meshbench's HDR): src/scenario/merge-results.ts. fortio results stay fortio
// JSON (Go's formatting, so `fortio report` reads them); scenario results stay
// scenario results. What could not be merged is said on stderr.

import { ExitCode, FlagError } from '../errors.js';
import { serializeJson } from '../report/fortio-json.js';
import { mergeResults } from '../scenario/merge-results.js';
import { formatFlagHelp, parseFlags } from './flags.js';
import { readJson } from './gate.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';

const USAGE = 'usage: bench merge A.json B.json… -o MERGED.json';

export const MERGE_FLAGS = [
  { name: 'o', kind: 'string', arg: 'FILE', aliases: ['output'], dash: '-', help: 'where to write the merged result (- = stdout)' },
] as const;

export async function mergeCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positional: files, help } = parseFlags(MERGE_FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  one result from runs of the same steps: fortio JSON (fortio load -json, bench load -json) or bench --json results\n${formatFlagHelp(MERGE_FLAGS)}`);
    return ExitCode.ok;
  }
  if (files.length < 2) throw new FlagError(`at least two result files are needed (${USAGE})`);
  if (values.o === undefined) throw new FlagError(`-o: missing: where should the merged result go? (${USAGE})`);
  await checkWritable('-o', values.o);
  const inputs = [];
  for (const file of files) inputs.push({ doc: await readJson(file), file });
  const merged = mergeResults(inputs);
  for (const n of merged.notes) io.stderr.write(`note: ${n}\n`);
  const text = merged.kind === 'fortio' ? serializeJson(merged.doc) : JSON.stringify(merged.doc, null, 2);
  await writeOutput('-o', values.o, text + '\n', io);
  return ExitCode.ok;
}
