// Shared by the boot tests: load the YAML fixtures, plain node:http requests.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';

/** Fixtures stay in the source tree (tsc does not copy YAML): dist/test/mesh/boot -> test/mesh/boot/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../../test/mesh/boot/fixtures/${name}`, import.meta.url));
}

export async function loadMesh(...names: string[]): Promise<MeshConfig> {
  const docs = await loadSourceFiles(names.map(fixture));
  return compileMesh(docs.filter((d) => d.kind !== 'Scenario'));
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET through a listener with an explicit Host header (or absolute-form with `proxy`). */
export function httpGet(port: number, path: string, host?: string, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: host ? { host } : {}, agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** True when nothing accepts connections on the port any more. */
export function refused(port: number): Promise<boolean> {
  return httpGet(port, '/', undefined, 1000).then(
    () => false,
    (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED',
  );
}
