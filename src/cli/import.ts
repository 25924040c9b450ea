// `bench import SCENARIO.yaml RESULTS_DIR [--json FILE]`: a scenario run on a
// real cluster (bench export k8s + collect.sh) read back: the pods' fortio
// results merged per step, the sidecars' stats read as meshbench's counters, the
// expectations evaluated. Prints the steps and verdicts; --json writes a result
// that bench compare and bench report take beside an emulated run. Exit 1 when
// an expectation fails on the real results.

import { ExitCode, FlagError } from '../errors.js';
import { importResults } from '../scenario/import-results.js';
import { formatSummary, formatStepReport } from '../scenario/report.js';
import type { StepOutcome } from '../scenario/results.js';
import { prepareScenario } from '../scenario/runner.js';
import { formatFlagHelp, parseFlags } from './flags.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';

const USAGE = 'usage: bench import SCENARIO.yaml [more.yaml…] RESULTS_DIR [--variant NAME]… [--json FILE]';

export const IMPORT_FLAGS = [
  { name: 'json', kind: 'string', arg: 'FILE', help: 'write the imported results as a scenario result (- = stdout; the text goes to stderr)' },
  { name: 'variant', kind: 'string', repeatable: true, arg: 'NAME', help: 'import only this variant (or a comma separated list)' },
] as const;

export async function importCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positional, help } = parseFlags(IMPORT_FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  RESULTS_DIR/<variant>/<step>/*.json (fortio JSON, one per pod) and *.stats (Envoy stats dumps), as collect.sh writes them\n${formatFlagHelp(IMPORT_FLAGS)}`);
    return ExitCode.ok;
  }
  if (positional.length < 2) throw new FlagError(`expected the scenario file(s) and a results directory (${USAGE})`);
  const files = positional.slice(0, -1);
  const dir = positional.at(-1)!;
  if (values.json !== undefined) await checkWritable('--json', values.json);
  const only = values.variant.flatMap((x) => x.split(',')).filter(Boolean);
  const prepared = await prepareScenario(files, only);
  const imported = await importResults(prepared, dir, files);
  const out = values.json === '-' ? io.stderr : io.stdout;
  for (const w of imported.warnings) io.stderr.write(`warning: ${w}\n`);
  const variants = imported.doc.variants as Array<{ steps: StepOutcome[] }>;
  for (const v of variants) for (const s of v.steps) out.write(formatStepReport(s, { from: prepared.scenario.load.from, variants: variants.length }) + '\n');
  out.write(formatSummary({ expectations: imported.expectations, interrupted: false }));
  if (values.json !== undefined) await writeOutput('--json', values.json, JSON.stringify(imported.doc, null, 2) + '\n', io);
  return imported.expectations.some((e) => !e.pass) ? ExitCode.expectationFailed : ExitCode.ok;
}
