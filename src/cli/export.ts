// `bench export k8s SCENARIO.yaml [--variant NAME]… [--step NAME]… [--pods P] -o DIR`:
// the scenario as files for a real cluster with Istio (src/scenario/export-k8s.ts):
// per variant its manifests and its steps as Indexed fortio Jobs, plus a README,
// collect.sh and run.sh. Bad input (unknown variant or step, P > c) is exit 2
// before anything is written.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, FlagError } from '../errors.js';
import { exportK8s } from '../scenario/export-k8s.js';
import { prepareScenario } from '../scenario/runner.js';
import { formatFlagHelp, parseFlags } from './flags.js';
import type { CommandIO } from './io.js';

const USAGE = 'usage: bench export k8s SCENARIO.yaml [more.yaml…] [--variant NAME]… [--step NAME]… [--pods P] [--keep-images] -o DIR';

export const EXPORT_FLAGS = [
  { name: 'o', kind: 'string', arg: 'DIR', aliases: ['output'], dash: '-', help: 'directory to write into (created; existing files of the same names are replaced)' },
  { name: 'variant', kind: 'string', repeatable: true, arg: 'NAME', help: 'export only this variant (or a comma separated list)' },
  { name: 'step', kind: 'string', repeatable: true, arg: 'NAME', help: 'export only this step (or a comma separated list)' },
  { name: 'pods', kind: 'int', arg: 'P', default: 1, help: "load pods per step; each step's connections and qps are split over them (P <= c)" },
  { name: 'keep-images', kind: 'bool', help: "keep the scenario's own images for modeled workloads instead of the fortio echo stand-in" },
] as const;

export async function exportCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values, positional, help } = parseFlags(EXPORT_FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  Kubernetes manifests per variant and fortio Indexed Jobs per step, with a README and collect.sh\n${formatFlagHelp(EXPORT_FLAGS)}`);
    return ExitCode.ok;
  }
  const [target, ...files] = positional;
  if (target !== 'k8s') throw new FlagError(target === undefined ? `what to export? (${USAGE})` : `unknown export target "${target}" (only k8s; ${USAGE})`);
  if (files.length === 0) throw new FlagError(`no scenario file given (${USAGE})`);
  if (values.o === undefined) throw new FlagError(`-o: missing: which directory should the manifests go to? (${USAGE})`);
  if (values.pods < 1) throw new FlagError(`--pods: invalid value "${values.pods}": expected a whole number >= 1`);
  const list = (xs: string[]) => xs.flatMap((x) => x.split(',')).filter(Boolean);
  const prepared = await prepareScenario(files, list(values.variant));
  const out = exportK8s(prepared, { pods: values.pods, steps: list(values.step), keepImages: values['keep-images'] ?? false, scenarioFile: files.join(' ') });
  const dir = values.o;
  try {
    for (const f of out.files) {
      const path = join(dir, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.text);
      if (f.executable) await chmod(path, 0o755);
    }
  } catch (e) {
    throw new FlagError(`-o: cannot write "${dir}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const n of out.notes) io.stderr.write(`note: ${n}\n`);
  io.stdout.write(`wrote ${out.files.length} files to ${dir}: ${prepared.variants.length} variant${prepared.variants.length === 1 ? '' : 's'}, ${out.documents.length} documents; see ${join(dir, 'README.md')}\n`);
  return ExitCode.ok;
}
