// From YAML files to a running mesh, one way for run, serve, load --mesh and
// validate: read the files (a Scenario's `include:` brings its mesh; a file
// without documents is an error), split Scenario documents from the mesh's,
// compile, hand each warning out once, boot on the mesh thread.

import { FlagError, UserError } from '../errors.js';
import type { MeshBootOptions, SidecarInfo } from '../mesh/api.js';
import { compileMesh, type CompileOptions } from '../mesh/config/compile.js';
import type { MeshConfig } from '../mesh/config/model.js';
import type { SourceDoc } from '../mesh/config/source.js';
import { formatWarning } from '../mesh/config/warning.js';
import { defaultSource } from '../mesh/mesh.js';
import { startMeshThread, type MeshThreadHandle } from '../mesh/thread.js';
import { loadScenarioFiles } from './include.js';
import { isScenarioDoc } from '../mesh/config/scenario-doc.js';
import { chooseProfile } from '../mesh/config/istio-release.js';

export interface MeshFiles {
  /** Every document, included ones first, after kubectl-apply replacement. */
  docs: SourceDoc[];
  scenarioDocs: SourceDoc[];
  meshDocs: SourceDoc[];
}

/** Reads `files` and their includes; throws ConfigErrors / UserError (exit 2). */
export async function readMeshFiles(files: string[]): Promise<MeshFiles> {
  const docs = await loadScenarioFiles(files);
  return { docs, scenarioDocs: docs.filter(isScenarioDoc), meshDocs: docs.filter((d) => !isScenarioDoc(d)) };
}

/** Boots a compiled mesh; the defaults every command shares (no app access log). */
export function bootMesh(config: MeshConfig, boot: MeshBootOptions = {}): Promise<MeshThreadHandle> {
  return startMeshThread(config, { accessLog: 'none', ...boot });
}

export interface OpenMeshOptions {
  boot?: Omit<MeshBootOptions, 'fromWorkload'>;
  /** The `--from` flag: the workload whose sidecar takes the load; default the implicit `meshbench` source. */
  from?: string;
  /** Compiler options (`--strict-images`, `--istio`; without `--istio`, a Scenario's `spec.istio` decides). */
  compile?: CompileOptions;
  /** Each config warning, formatted (`file:line:col: warning: …`), before the mesh boots. */
  onWarning?: (line: string) => void;
}

export interface OpenMesh {
  config: MeshConfig;
  /** The source workload: `from`, or the implicit one. */
  from: string;
  /** That workload's outbound sidecar. */
  sidecar: SidecarInfo;
  mesh: MeshThreadHandle;
}

/** Read, compile and boot the mesh documents of `files` (Scenario documents are the runner's). */
export async function openMesh(files: string[], opts: OpenMeshOptions = {}): Promise<OpenMesh> {
  const { meshDocs, scenarioDocs } = await readMeshFiles(files);
  const config = compileMesh(meshDocs, { ...opts.compile, istio: chooseProfile(opts.compile?.istio, scenarioDocs) });
  for (const w of config.warnings) opts.onWarning?.(formatWarning(w));
  let from: string;
  try {
    from = defaultSource(config, opts.from);
  } catch (e) {
    if (e instanceof UserError) throw new FlagError(`--from: ${e.message}`);
    throw e;
  }
  const mesh = await bootMesh(config, { ...opts.boot, fromWorkload: from });
  const sidecar = mesh.sidecars.find((s) => s.workload === from);
  if (!sidecar) {
    await mesh.close();
    throw new Error(`mesh booted without a sidecar for source workload "${from}"`); // defaultSource vouched for it: a bug
  }
  return { config, from, sidecar, mesh };
}
