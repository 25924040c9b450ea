// `bench load … [--mesh FILE]… [--from WORKLOAD] URL`: fortio's load command, and
// with --mesh the URL's host is a mesh host reached through the source
// workload's sidecar (the embedded mesh boots on its own thread first).

import { IMPLICIT_SOURCE } from '../mesh/api.js';
import { parseSeed } from './seed.js';
import { FlagError } from '../errors.js';
import type { CommandIO } from './io.js';

export async function loadWithMeshCommand(argv: string[], io: CommandIO): Promise<number> {
  const meshFiles: string[] = [];
  let from: string | undefined;
  let seed: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = splitFlag(a);
    if (flag === '--mesh' || flag === '-mesh') {
      const v = inline ?? argv[++i];
      if (!v) throw new FlagError(`${flag}: missing value (a YAML file with the mesh documents)`);
      meshFiles.push(...v.split(',').filter(Boolean));
    } else if (flag === '--from' || flag === '-from') {
      const v = inline ?? argv[++i];
      if (!v) throw new FlagError(`${flag}: missing value (a workload name)`);
      from = v;
    } else if (flag === '--seed' || flag === '-seed') {
      seed = parseSeed(flag, inline ?? argv[++i]);
    } else {
      rest.push(a);
    }
  }
  const { loadCommand } = await import('./load.js');
  if (meshFiles.length === 0) {
    if (from !== undefined) throw new FlagError('--from: only meaningful with --mesh');
    return loadCommand(rest, io);
  }
  const { loadScenarioFiles } = await import('../scenario/include.js');
  const { compileMesh } = await import('../mesh/config/compile.js');
  const { startMeshThread } = await import('../mesh/thread.js');
  const { formatWarning } = await import('../mesh/config/warning.js');
  // Scenario documents in the same files say what a scenario run does; load needs only the mesh.
  const config = compileMesh((await loadScenarioFiles(meshFiles)).filter((d) => d.kind !== 'Scenario'));
  for (const w of config.warnings) io.stderr.write(`${formatWarning(w)}\n`);
  const mesh = await startMeshThread(config, { seed, accessLog: 'none' });
  try {
    const source = from ?? IMPLICIT_SOURCE;
    const sidecar = mesh.sidecars.find((s) => s.workload === source);
    if (!sidecar) {
      throw new FlagError(
        `--from: no workload "${source}" in the mesh (have: ${mesh.sidecars.map((s) => s.workload).join(', ')})`,
      );
    }
    return await loadCommand(rest, io, { connectTo: { host: '127.0.0.1', port: sidecar.listenPort } });
  } finally {
    await mesh.close();
  }
}

function splitFlag(a: string): [string, string | undefined] {
  const eq = a.indexOf('=');
  return a.startsWith('-') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
}
