// Shared by the boot tests: load the YAML fixtures, plain node:http requests.
import { fileURLToPath } from 'node:url';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import { profileFor } from '../../../src/mesh/config/istio-profile.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';
import { httpGet as get, type Reply } from '../../helpers/http.js';

/** Fixtures stay in the source tree (tsc does not copy YAML): dist/test/mesh/boot -> test/mesh/boot/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../../test/mesh/boot/fixtures/${name}`, import.meta.url));
}

export async function loadMesh(...names: string[]): Promise<MeshConfig> {
  const docs = await loadSourceFiles(names.map(fixture));
  return compileMesh(docs);
}

/** As the seed ran it: under Istio 1.6 (pre-1.23 stat names), like the shipped seed scenarios. */
export async function loadSeedMesh(...names: string[]): Promise<MeshConfig> {
  const docs = await loadSourceFiles(names.map(fixture));
  return compileMesh(docs, { istio: profileFor('1.6')! });
}

export type { Reply } from '../../helpers/http.js';

/** GET through a listener with an explicit Host header. */
export function httpGet(port: number, path: string, host?: string, timeoutMs = 5000): Promise<Reply> {
  return get(port, path, { host, timeoutMs });
}

/** True when nothing accepts connections on the port any more. */
export function refused(port: number): Promise<boolean> {
  return httpGet(port, '/', undefined, 1000).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  );
}
