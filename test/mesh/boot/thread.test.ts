// The mesh on a worker thread: snapshot round trip, close, errors keep their class (DESIGN.md "Threads").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startMeshThread, serializeError, deserializeError } from '../../../src/mesh/thread.js';
import { ConfigError, ConfigErrors, FlagError, RuntimeError, UserError } from '../../../src/errors.js';
import { httpGet, loadMesh, refused } from './helpers.js';

test('startMeshThread: requests flow, snapshot comes back over the port, close stops the worker', async () => {
  const config = await loadMesh('httpbin-sleep.yaml');
  const mesh = await startMeshThread(config, { fromWorkload: 'sleep', seed: 1 });
  try {
    const sleep = mesh.sidecars.find((s) => s.workload === 'sleep')!;
    for (let i = 0; i < 3; i++) assert.equal((await httpGet(sleep.listenPort, '/get', 'httpbin:8000')).status, 200);
    const snap = await mesh.snapshot();
    assert.equal(snap.instances[0].requests, 3);
    assert.equal(snap.instances[0].codes['200'], 3);
    const c = snap.sidecars.find((s) => s.workload === 'sleep')!.counters;
    assert.equal(c['cluster.outbound|8000||httpbin.default.svc.cluster.local;.upstream_rq_200'], 3);
    assert.equal((await httpGet(mesh.adminPort, '/ready')).body, 'LIVE\n');
  } finally {
    await mesh.close();
  }
  assert.equal(await refused(mesh.adminPort), true);
  await assert.rejects(mesh.snapshot(), RuntimeError);
  await mesh.close(); // idempotent
});

test('a boot error in the worker comes back as the same UserError class, code and message', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const config = await loadMesh('httpbin-sleep.yaml');
    await assert.rejects(startMeshThread(config, { listenPort: port }), (e: unknown) => {
      assert.ok(e instanceof RuntimeError, String(e));
      assert.equal(e.exitCode, 3);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*in use`));
      return true;
    });
    await assert.rejects(startMeshThread(config, { fromWorkload: 'ghost' }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.code, 'MB_ERR_UNKNOWN_WORKLOAD');
      assert.equal(e.exitCode, 2);
      return true;
    });
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});

test('serializeError/deserializeError keep classes and fields', () => {
  const ce = new ConfigError('expected an integer, got "one"', { file: 'dr.yaml', line: 9, col: 7 }, 'spec.x');
  const back = deserializeError(serializeError(ce));
  assert.ok(back instanceof ConfigError);
  assert.equal(back.message, ce.message);
  assert.deepEqual(back.location, ce.location);
  const many = deserializeError(serializeError(new ConfigErrors([ce, ce])));
  assert.ok(many instanceof ConfigErrors);
  assert.equal(many.errors.length, 2);
  assert.ok(many.errors[0] instanceof ConfigError);
  assert.ok(deserializeError(serializeError(new FlagError('-qps: bad'))) instanceof FlagError);
  const plain = deserializeError(serializeError(new TypeError('boom')));
  assert.ok(!(plain instanceof UserError));
  assert.equal(plain.message, 'boom');
});
