// `bench validate FILES…`: load and compile Kubernetes/Istio YAML without booting
// anything. Warnings and errors one per line, file:line:col first, in file order;
// then a summary. Scenario documents (meshbench/v1) are checked by the scenario layer.

import { formatWarning } from '../mesh/config/warning.js';
import { ConfigError, ConfigErrors, ExitCode, FlagError, ReportedErrors } from '../errors.js';
import type { SourceLocation } from '../errors.js';
import type { ConfigWarning, MeshConfig } from '../mesh/config/model.js';
import { checkMesh, type CompileOptions } from '../mesh/config/compile.js';
import type { SourceDoc } from '../mesh/config/source.js';
import type { MeshFiles } from '../scenario/open-mesh.js';
import { formatFlagHelp, ISTIO_FLAG, parseFlags, parseIstio, STRICT_IMAGES_FLAG } from './flags.js';
import { chooseProfile } from '../mesh/config/istio-release.js';
import type { IstioProfile } from '../mesh/config/istio-profile.js';
import type { CommandIO } from './io.js';

const USAGE = 'usage: bench validate FILE.yaml [MORE.yaml…]';
const FLAGS = [STRICT_IMAGES_FLAG, ISTIO_FLAG] as const;

/** The release the documents are checked against; a bad `spec.istio` is the scenario parser's to report, in the list. */
function validationProfile(flag: IstioProfile | undefined, scenarioDocs: readonly SourceDoc[]): IstioProfile {
  try {
    return chooseProfile(flag, scenarioDocs);
  } catch (e) {
    if (e instanceof ConfigErrors) return chooseProfile(flag, []);
    throw e;
  }
}

/** Exit 0 with the summary on stdout; problems are listed on stderr, then thrown as ReportedErrors. */
export async function validateCommand(argv: string[], io: Pick<CommandIO, 'stdout' | 'stderr'>): Promise<number> {
  const { values, positional: files, help } = parseFlags(FLAGS, argv);
  const flagIstio = parseIstio('--istio', values.istio);
  if (help) {
    io.stdout.write(`${USAGE}\n  checks Deployment, Service, ServiceEntry, VirtualService, DestinationRule, ServiceModel and Scenario documents\n${formatFlagHelp(FLAGS)}`);
    return ExitCode.ok;
  }
  if (files.length === 0) throw new FlagError(`validate: no files given (${USAGE})`);

  let read: MeshFiles;
  try {
    // Follows a Scenario's spec.include like `bench run` (lazy: the scenario layer loads only when validating).
    read = await (await import('../scenario/open-mesh.js')).readMeshFiles(files);
  } catch (e) {
    if (e instanceof ConfigErrors) report(e.errors, [], io, files);
    throw e;
  }
  const { docs, scenarioDocs, meshDocs } = read;
  const compile: CompileOptions = { strictImages: values['strict-images'] ?? false, istio: validationProfile(flagIstio, scenarioDocs) };
  const { errors, warnings, config } = checkMesh(docs, compile);
  for (const d of scenarioDocs) errors.push(...(await checkScenario(d, meshDocs, errors, compile, config)));
  report(errors, warnings, io, files);
  const counts = new Map<string, number>();
  for (const d of docs) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) => `${n} ${n === 1 ? kind : plural(kind)}`);
  const w = warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : '';
  io.stdout.write(`${docs.length} document${docs.length === 1 ? '' : 's'} OK${parts.length ? `: ${parts.join(', ')}` : ''}${w}\n`);
  return ExitCode.ok;
}

/**
 * The scenario layer's own checks, then every variant's patched documents compiled
 * (a patch can break a document that is valid on its own).
 */
async function checkScenario(
  doc: SourceDoc,
  meshDocs: SourceDoc[],
  baseErrors: ConfigError[],
  compile: CompileOptions,
  base: MeshConfig | undefined,
): Promise<ConfigError[]> {
  const { parseScenarioDoc } = await import('../scenario/parse.js');
  const { applyVariant } = await import('../scenario/variants.js');
  const { instanceErrors } = await import('../scenario/events.js');
  let spec;
  try {
    spec = parseScenarioDoc(doc, meshDocs);
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors;
    throw e;
  }
  const errors: ConfigError[] = [];
  const meshes: Array<{ variant: string; config: MeshConfig }> = [];
  for (const variant of spec.variants) {
    if (variant.patches.length === 0) {
      if (base) meshes.push({ variant: variant.name, config: base });
      continue;
    }
    const checked = checkMesh(applyVariant(meshDocs, variant), compile);
    for (const err of checked.errors) {
      if (baseErrors.some((b) => b.message === err.message)) continue; // already reported once
      errors.push(new ConfigError(`variant "${variant.name}": ${err.detail}`, err.location, err.path));
    }
    if (checked.config) meshes.push({ variant: variant.name, config: checked.config });
  }
  errors.push(...instanceErrors(spec, meshes)); // events name the pods of the compiled meshes
  return errors;
}


/** Warnings and errors in reading order; with errors, throws their count (ReportedErrors, exit 2). */
function report(errors: ConfigError[], warnings: ConfigWarning[], io: Pick<CommandIO, 'stderr'>, files: string[]): void {
  const lines: Array<{ loc?: SourceLocation; text: string }> = [
    ...warnings.map((w) => ({ loc: w.loc, text: formatWarning(w) })),
    ...errors.map((e) => ({ loc: e.location, text: e.message })),
  ];
  // Files in the order given, each read top to bottom (sort is stable for unlocated lines).
  const fileOrder = new Map<string, number>(files.map((f, i) => [f, i]));
  for (const l of lines) if (l.loc && !fileOrder.has(l.loc.file)) fileOrder.set(l.loc.file, fileOrder.size);
  const key = (l: { loc?: SourceLocation }) => (l.loc ? [fileOrder.get(l.loc.file)!, l.loc.line, l.loc.col] : [-1, 0, 0]);
  lines.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
  for (const l of lines) io.stderr.write(`${l.text}\n`);
  if (errors.length === 0) return;
  throw new ReportedErrors(`${errors.length} error${errors.length === 1 ? '' : 's'}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}`);
}

function plural(kind: string): string {
  return kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}
