// `bench report RESULT.json [more.json…] -o report.html`: the self-contained HTML
// report (charts, tables, verdicts) of saved scenario results (`bench … --json`).
// Several files make one page, one section per file.

import { ExitCode, FlagError } from '../errors.js';
import { htmlReport } from '../report/html/report.js';
import { statsRandom } from '../scenario/report.js';
import { readJson } from './gate.js';
import { formatFlagHelp, parseFlags } from './flags.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';

const USAGE = 'usage: bench report RESULT.json [more.json…] -o FILE';

export const REPORT_FLAGS = [
  { name: 'o', kind: 'string', arg: 'FILE', aliases: ['output'], dash: '-', help: 'where to write the HTML report (- = stdout)' },
] as const;

export async function reportCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positional: files, help } = parseFlags(REPORT_FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  one self-contained HTML page (works offline) from bench --json results\n${formatFlagHelp(REPORT_FLAGS)}`);
    return ExitCode.ok;
  }
  if (files.length === 0) throw new FlagError(`no result files given (${USAGE})`);
  if (values.o === undefined) throw new FlagError(`-o: missing: where should the report go? (${USAGE})`);
  await checkWritable('-o', values.o);
  const inputs = [];
  for (const file of files) inputs.push({ doc: await readJson(file), file });
  await writeOutput('-o', values.o, await htmlReport(inputs, { randomFor: statsRandom }), io, 'HTML report');
  return ExitCode.ok;
}
