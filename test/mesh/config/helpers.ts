// Shared by the config tests: fixture paths and a compile-or-throw helper.

import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ConfigErrors } from '../../../src/errors.js';
import { loadSourceFiles, parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';

/** Repo root (tests run from dist/test/mesh/config). */
export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures/config');
export const fixture = (name: string): string => join(FIXTURES, name);
export const scenario = (name: string): string => join(ROOT, 'scenarios', name);

export async function compileFiles(...files: string[]): Promise<MeshConfig> {
  return compileMesh(await loadSourceFiles(files));
}

export function compileText(text: string, file = 'mesh.yaml'): MeshConfig {
  return compileMesh(parseSource(text, file));
}

/** The error lines a compile produces (throws if it compiles). */
export function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  throw new Error('expected ConfigErrors, but it compiled');
}

export async function errorsOfAsync(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  throw new Error('expected ConfigErrors, but it compiled');
}

/** Minimal valid documents to build tests from. */
export const HTTPBIN = `
apiVersion: v1
kind: Service
metadata:
  name: httpbin
spec:
  ports:
  - name: http
    port: 8000
    targetPort: 80
  selector:
    app: httpbin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin-v1
spec:
  selector:
    matchLabels: {app: httpbin, version: v1}
  template:
    metadata:
      labels: {app: httpbin, version: v1}
    spec:
      containers:
      - name: httpbin
        image: docker.io/kennethreitz/httpbin
        ports:
        - containerPort: 80
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: httpbin
spec:
  host: httpbin
  subsets:
  - name: v1
    labels: {version: v1}
`;
