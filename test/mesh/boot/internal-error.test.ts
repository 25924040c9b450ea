// A bug on the mesh thread reaches the CLI as an internal error: a plain Error
// with the mesh thread's stack, so `bench` prints it and exits 70 (README "Exit
// codes"), never a RuntimeError (exit 3, "runtime failure") that drops the stack.
// The bug is a real compiled config with one field corrupted, as a compiler bug
// would hand it over; the mesh is a real worker thread on 127.0.0.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startMeshThread } from '../../../src/mesh/thread.js';
import { parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import type { MeshConfig } from '../../../src/mesh/config/model.js';
import { isUserError } from '../../../src/errors.js';
import { reportError } from '../../../src/cli/main.js';
import { capture } from '../../helpers/io.js';
import { fixture } from './helpers.js';

async function mesh(extra = ''): Promise<MeshConfig> {
  const text = (await readFile(fixture('httpbin-sleep.yaml'), 'utf8')) + extra;
  return compileMesh(parseSource(text, 'mesh.yaml'));
}

/** The CLI's verdict on an error: exit code and what it prints. */
function cliReport(e: unknown): { code: number; err: string } {
  const c = capture();
  const code = reportError(e, c.io);
  return { code, err: c.err() };
}

test('a bug while the mesh boots: internal error with the worker stack, exit 70 (not 3)', async () => {
  const config = await mesh();
  (config as { workloads: unknown }).workloads = null;
  const err = await startMeshThread(config).then(
    () => assert.fail('booted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof Error && !isUserError(err), String(err));
  assert.match(err.message, /^mesh thread crashed during boot: Cannot read properties of null/);
  assert.match(err.stack ?? '', /at sourceWorkloads .*mesh\.js/);
  const r = cliReport(err);
  assert.equal(r.code, 70);
  assert.match(r.err, /^bench: internal error: Error: mesh thread crashed during boot/);
  assert.match(r.err, /at startMesh /);
});
