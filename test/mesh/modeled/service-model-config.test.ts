// The ServiceModel document as the compiler reads it: what attaches to which
// Deployment, the compiled values, and every mistake at its file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../../src/mesh/config/source.js';
import { checkMesh, compileMesh } from '../../../src/mesh/config/compile.js';
import { formatWarning } from '../../../src/mesh/config/warning.js';
import { model, service, workload } from './mesh-yaml.js';
import { errorsOf } from '../config/helpers.js';

const compile = (yaml: string, strictImages = false) => compileMesh(parseSource(yaml, 'mesh.yaml'), { strictImages });

const errors = (yaml: string) => errorsOf(() => compile(yaml));

test('a full model compiles to ms, bytes and fractions; every replica carries it', () => {
  const cfg = compile(
    workload('shop') +
      model(
        'shop',
        `target: { deployment: shop }
latency: { lognormal: { median: 20ms, p99: 250ms } }
errors:
- { share: 0.05, status: 503 }
- { every: 20, status: reset, when: after }
response: { status: 201, size: { uniform: { min: 1KiB, max: "2 KB" } }, headers: { x-shop: yes } }
capacity: { workers: 4, queue: 16, queueTimeout: 1.5s }
propagate: [End-User, x-request-id]
script:
- sleep: { percentiles: { p50: 1ms, p99: 9ms, p0: 500us } }
- call: cart:8080
- - call: { host: pricing:9080, path: /quote, method: POST, size: 128, probability: 0.25, timeout: 300ms, retries: 2, headers: { x-from: shop } }
  - sleep: { exponential: { mean: 5ms } }`,
      ),
  );
  const m = cfg.workloads[0].model!;
  assert.equal(cfg.workloads[0].app, 'modeled');
  assert.deepEqual(m.latency, { kind: 'lognormal', median: 20, p99: 250 });
  assert.deepEqual(m.errors, [
    { status: 503, when: 'before', share: 0.05 },
    { status: 'reset', when: 'after', every: 20 },
  ]);
  assert.deepEqual(m.response, { status: 201, size: { kind: 'uniform', min: 1024, max: 2048 }, headers: { 'x-shop': 'yes' } });
  assert.deepEqual(m.capacity, { workers: 4, queue: 16, queueTimeoutMs: 1500 });
  assert.deepEqual(m.propagate, ['end-user', 'x-request-id']);
  assert.deepEqual(m.script, [
    { sleep: { kind: 'percentiles', points: [{ p: 0, value: 0.5 }, { p: 50, value: 1 }, { p: 99, value: 9 }] } },
    { call: { host: 'cart:8080', method: 'GET', path: '/', size: 0, probability: 1, timeoutMs: null, retries: 0, headers: {} } },
    [
      { call: { host: 'pricing:9080', method: 'POST', path: '/quote', size: 128, probability: 0.25, timeoutMs: 300, retries: 2, headers: { 'x-from': 'shop' } } },
      { sleep: { kind: 'exponential', mean: 5 } },
    ],
  ]);
  assert.equal(cfg.instances[0].model, m);
});

test('selector per version, and the pod annotation naming a model', () => {
  const cfg = compile(
    workload('r-v1', { app: 'r', version: 'v1' }) +
      workload('r-v2', { app: 'r', version: 'v2' }) +
      workload('x', { annotations: { 'meshbench.io/service-model': 'slow' } }) +
      model('fast', 'target: { selector: { app: r, version: v1 } }\nlatency: 1ms') +
      model('slow', 'latency: 900ms'),
  );
  const byName = Object.fromEntries(cfg.workloads.map((w) => [w.name, w.model?.name]));
  // r-v2 matches no model: its unknown image runs the default one.
  assert.deepEqual(byName, { 'r-v1': 'fast', 'r-v2': 'default', x: 'slow' });
});

test('a model can replace a built-in app', () => {
  const cfg = compile(workload('httpbin', { image: 'kennethreitz/httpbin', port: 80 }) + model('hb', 'target: { deployment: httpbin }\nlatency: 5ms'));
  assert.equal(cfg.workloads[0].app, 'modeled');
});

test('unknown images: one warning lists them all; strictImages keeps the error per Deployment', () => {
  const yaml = workload('a', { image: 'nginx:1.25' }) + workload('b', { image: 'redis' }) + workload('c') + model('c', 'target: { deployment: c }') + service('a');
  const r = checkMesh(parseSource(yaml, 'mesh.yaml'));
  assert.deepEqual(r.warnings.map(formatWarning), [
    'mesh.yaml:12:9: warning: spec.template.spec.containers[0].image: 2 images are not a built-in app and have no ServiceModel, so they answer with the default model (200, small body, no delay): a (nginx:1.25), b (redis); give them a ServiceModel (docs/service-model.md), or use --strict-images to make this an error',
  ]);
  const strict = checkMesh(parseSource(yaml, 'mesh.yaml'), { strictImages: true });
  assert.equal(strict.errors.length, 2);
  assert.match(strict.errors[0].message, /^mesh\.yaml:12:9: spec\.template\.spec\.containers\[0\]\.image: image "nginx:1\.25" is not a built-in app/);
  assert.match(strict.errors[1].message, /^mesh\.yaml:26:9: spec\.template\.spec\.containers\[0\]\.image: image "redis" is not a built-in app/);
});

test('mistakes are reported at file:line:col, with did-you-mean', () => {
  const yaml =
    workload('a') +
    model(
      'a',
      `target: { deployment: a }
latncy: 5ms
latency: { lognormal: { median: 20ms, p99: 5ms } }
errors:
- { share: 0.5, every: 3, status: 500 }
- { every: 2, status: 302 }
capacity: { workers: 0, queue: 2, queueTimeout: 5 }
response: { size: "2 XB" }
script:
- sleep: { gamma: { k: 2 } }
- call: http://b:8080/x
- - - call: c:8080
- { call: { host: c:8080, retry: 2, path: x } }
- { sleep: 1ms, call: c:8080 }`,
    ) +
    model('b', 'target: { deployment: nobody }') +
    workload('z', { annotations: { 'meshbench.io/service-model': 'missing' } });
  assert.deepEqual(errors(yaml), [
    'mesh.yaml:20:3: spec.latncy: unknown field "latncy" (did you mean "latency"?); allowed: target, latency, errors, response, capacity, script, propagate, callSuccess',
    'mesh.yaml:21:41: spec.latency.lognormal.p99: must not be less than the median',
    'mesh.yaml:23:5: spec.errors[0]: set exactly one of share (random share of requests, 0..1) or every (every N-th request, as isotope errorRate)',
    'mesh.yaml:24:17: spec.errors[1].status: expected an HTTP status 400..599 or "reset" (close the connection), got 302',
    'mesh.yaml:25:15: spec.capacity.workers: must be at least 1, got 0',
    'mesh.yaml:25:37: spec.capacity.queueTimeout: expected a duration such as "50ms", got 5',
    'mesh.yaml:26:15: spec.response.size: invalid size "2 XB": expected bytes or a number with K, M or G (binary: 1K = 1024), e.g. "1KiB"',
    'mesh.yaml:28:14: spec.script[0].sleep.gamma: unknown field "gamma"; allowed: fixed, uniform, normal, lognormal, exponential, percentiles',
    'mesh.yaml:29:5: spec.script[1].call: expected a host[:port] such as "backend:8080" (no scheme or path), got "http://b:8080/x"',
    'mesh.yaml:30:7: spec.script[2][0]: concurrent groups may not be nested (one level of list only)',
    'mesh.yaml:31:29: spec.script[3].call.retry: unknown field "retry"; allowed: host, path, method, size, probability, timeout, retries, headers',
    'mesh.yaml:31:39: spec.script[3].call.path: must start with "/", got "x"',
    'mesh.yaml:32:5: spec.script[4]: a command has exactly one key, sleep or call (got sleep, call)',
    'mesh.yaml:49:9: spec.template.metadata.annotations.meshbench.io/service-model: no ServiceModel "missing" in namespace "default" (defined: a, b)',
  ]);
});

test('a model nobody uses is a warning, not silence', () => {
  const r = checkMesh(parseSource(workload('a') + model('a', 'target: { deployment: a }') + model('b', 'target: { deployment: nobody }') + model('c', 'latency: 1ms'), 'mesh.yaml'));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings.map(formatWarning), [
    'mesh.yaml:25:3: warning: spec.target: no Deployment "nobody" in namespace "default": this ServiceModel is not used',
    'mesh.yaml:29:13: warning: metadata.name: no target and no pod annotation meshbench.io/service-model: "c" is not used',
  ]);
});

test('a misspelt ServiceModel kind is named, not taken for a Scenario', () => {
  assert.deepEqual(errors('apiVersion: meshbench/v1\nkind: ServiceModle\nmetadata: { name: a }\nspec: {}\n'), [
    'mesh.yaml:2:1: kind: unknown kind "ServiceModle" (apiVersion meshbench/v1; did you mean "ServiceModel"?)',
  ]);
});
