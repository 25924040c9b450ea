// `bench validate`: output lines, summary and exit codes, run in-process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCommand } from '../../../src/cli/validate.js';
import { main } from '../../../src/cli/main.js';
import { FlagError } from '../../../src/errors.js';
import { fixture, scenario } from './helpers.js';
import { capture } from '../../helpers/io.js';

test('valid files: summary by kind on stdout, exit 0, nothing on stderr', async () => {
  const { io, out, err } = capture();
  const code = await validateCommand([scenario('httpbin/httpbin.yaml'), scenario('httpbin/fortio-deploy.yaml')], io);
  assert.equal(code, 0);
  assert.equal(out(), '5 documents OK: 1 ServiceAccount, 2 Services, 2 Deployments\n');
  assert.equal(err(), '');
});

test('warnings: one line each, file:line:col: warning: path: message, still exit 0', async () => {
  const { io, out, err } = capture();
  const f = fixture('seed-httpbin-dr-circuit-breaking.yaml');
  const code = await validateCommand([f], io);
  assert.equal(code, 0);
  const lines = err().trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], `${f}:7:3: warning: spec.host: host httpbin.istio-demo.svc.cluster.local is not a Service or ServiceEntry in this mesh`);
  assert.ok(lines[1].startsWith(`${f}:16:7: warning: spec.trafficPolicy.outlierDetection.consecutiveErrors: consecutiveErrors is ignored since Istio 1.7 (profile 1.28)`));
  assert.equal(out(), '1 document OK: 1 DestinationRule (2 warnings)\n');
});

test('errors: every error and warning in reading order, a count, exit 2', async () => {
  const { io, out, err } = capture();
  const f = fixture('bad-wrong-type.yaml');
  const code = await main(['validate', f], io);
  assert.equal(code, 2);
  assert.equal(out(), '');
  assert.deepEqual(err().trimEnd().split('\n'), [
    `${f}:7:3: warning: spec.host: host httpbin.default.svc.cluster.local is not a Service or ServiceEntry in this mesh`,
    `${f}:12:9: spec.trafficPolicy.connectionPool.tcp.maxConnections: expected an integer, got "one"`,
    `${f}:14:9: spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests: must not be negative, got -1`,
    'bench: 2 errors, 1 warning',
  ]);
});

test('syntax errors of several files are all reported', async () => {
  const { io, err } = capture();
  const a = fixture('bad-syntax.yaml');
  const code = await main(['validate', a, fixture('seed-reviews-v2.yaml')], io);
  assert.equal(code, 2);
  assert.deepEqual(err().trimEnd().split('\n'), [
    `${a}:7:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    'bench: 1 error',
  ]);
});

test('Scenario documents are accepted beside the mesh documents', async () => {
  const { io, out, err } = capture();
  const code = await validateCommand([fixture('with-scenario.yaml')], io);
  assert.equal(err(), '');
  assert.equal(code, 0);
  assert.equal(out(), '3 documents OK: 1 Service, 1 Deployment, 1 Scenario\n');
});

test('no files, unknown flag: FlagError; missing file through `bench`: one line, exit 2', async () => {
  const { io } = capture();
  await assert.rejects(validateCommand([], io), FlagError);
  await assert.rejects(validateCommand(['--strict', 'a.yaml'], io), /^FlagError: unknown flag --strict \(did you mean --strict-images\?\)$/);
  const c = capture();
  const code = await main(['validate', 'no-such-scenario.yaml'], c.io);
  assert.equal(code, 2);
  assert.equal(c.err(), 'bench: no-such-scenario.yaml: no such file\n');
});

test('every scenarios/ base file validates without errors', async () => {
  const sets = [
    ['bookinfo/bookinfo.yaml', 'bookinfo/networking/destination-rule-all.yaml', 'bookinfo/networking/virtual-service-all-v1.yaml'],
    ['httpbin/httpbin-v1-v2.yaml', 'httpbin/sleep.yaml'],
  ];
  for (const set of sets) {
    const { io, err } = capture();
    const code = await validateCommand(set.map(scenario), io);
    assert.equal(code, 0, err());
    assert.equal(err(), '');
  }
});

test('Scenario variants: each patched variant is compiled and its errors are named', async () => {
  const { io, err } = capture();
  const f = fixture('bad-variant.yaml');
  const code = await main(['validate', f], io);
  assert.equal(code, 2);
  assert.deepEqual(err().trimEnd().split('\n'), [
    `${f}:40:9: spec.trafficPolicy.connectionPool.tcp.maxConnections: variant "typo": expected an integer, got "one"`,
    'bench: 1 error',
  ]);
});
