import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrors, UserError } from '../../../src/errors.js';
import { formatPath, loadSourceFiles, parseSource } from '../../../src/mesh/config/source.js';
import { fixture } from './helpers.js';

test('multi-document text: empty documents skipped, namespace defaults to "default"', () => {
  const docs = parseSource('---\n# nothing\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: demo}\n', 'x.yaml');
  assert.deepEqual(docs.map((d) => [d.kind, d.name, d.namespace, d.index]), [
    ['Service', 'a', 'default', 1],
    ['Service', 'b', 'demo', 3],
  ]);
});

test('locate() points at the key of a field, or the nearest ancestor that exists', () => {
  const [d] = parseSource('apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n    name: http\n', 'svc.yaml');
  assert.deepEqual(d.locate(['spec', 'ports', 0, 'name']), { file: 'svc.yaml', line: 8, col: 5 });
  assert.deepEqual(d.locate(['spec', 'ports', 0]), { file: 'svc.yaml', line: 7, col: 5 });
  assert.deepEqual(d.locate(['spec', 'selector', 'app']), { file: 'svc.yaml', line: 5, col: 1 });
  assert.equal(formatPath(['spec', 'http', 0, 'route', 1, 'weight']), 'spec.http[0].route[1].weight');
});

test('kind: List (kubectl get -o yaml) expands into its items, each locating within itself', async () => {
  const docs = await loadSourceFiles([fixture('seed-virtualservices-list.yaml')]);
  assert.deepEqual(docs.map((d) => d.name), ['bookinfo', 'details', 'productpage', 'ratings', 'reviews']);
  assert.ok(docs.every((d) => d.kind === 'VirtualService' && d.namespace === 'istio-demo' && d.apiVersion === 'networking.istio.io/v1beta1'));
  const details = docs[1];
  assert.equal(details.locate(['spec', 'hosts']).line, 36);
  assert.equal(details.locate(['spec', 'hosts']).col, 5);
});

test('YAML syntax error: ConfigError at file:line:col from the parser', () => {
  assert.throws(
    () => parseSource('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigErrors);
      assert.equal(e.errors.length, 1);
      assert.match(e.errors[0].message, /^bad\.yaml:\d+:\d+: YAML syntax error: /);
      assert.equal(e.errors[0].location?.file, 'bad.yaml');
      return true;
    },
  );
});

test('syntax error fixture: exact location and message', async () => {
  const f = fixture('bad-syntax.yaml');
  await assert.rejects(loadSourceFiles([f]), (e: unknown) => {
    assert.ok(e instanceof ConfigErrors);
    assert.deepEqual(e.errors.map((x) => x.message), [
      `${f}:7:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    ]);
    return true;
  });
});

test('duplicate keys are syntax errors (as kubectl rejects them)', () => {
  assert.throws(() => parseSource('apiVersion: v1\nkind: Service\nkind: Service\n', 'dup.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigErrors);
    assert.match(e.errors[0].message, /^dup\.yaml:3:1: YAML syntax error: Map keys must be unique/);
    return true;
  });
});

test('a missing file is one UserError line naming the file', async () => {
  await assert.rejects(loadSourceFiles(['scenario.yaml-does-not-exist']), (e: unknown) => {
    assert.ok(e instanceof UserError && !(e instanceof ConfigErrors));
    assert.equal(e.message, 'scenario.yaml-does-not-exist: no such file');
    assert.equal(e.exitCode, 2);
    return true;
  });
});

test('documents without apiVersion/kind, or that are not mappings, are errors', () => {
  assert.throws(() => parseSource('metadata: {name: x}\n---\n- 1\n', 'm.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigErrors);
    assert.deepEqual(e.errors.map((x) => x.message), [
      'm.yaml:1:1: missing apiVersion',
      'm.yaml:1:1: missing kind',
      'm.yaml:3:1: expected a mapping (a Kubernetes object with apiVersion and kind)',
    ]);
    return true;
  });
});

test('Scenario documents (meshbench/v1) come back as SourceDocs', () => {
  const docs = parseSource('apiVersion: meshbench/v1\nkind: Scenario\nmetadata: {name: s}\nspec: {}\n', 's.yaml');
  assert.equal(docs[0].kind, 'Scenario');
  assert.deepEqual(docs[0].value.spec, {});
});
