// isotope topology parsing: what the converter emits (Deployment, Service on
// 8080 named http-web, app/version labels added), isotope's value types and
// error quantisation, its validation errors at file:line:col, unknown keys as
// warnings, and the scenario's default load URL from the one isEntrypoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../../src/mesh/config/source.js';
import { checkMesh } from '../../../src/mesh/config/compile.js';
import { splitScenario } from '../../../src/scenario/parse.js';
import { ConfigErrors } from '../../../src/errors.js';

const check = (yaml: string) => checkMesh(parseSource(yaml, 'topo.yaml'));

test('a topology expands like isotope convert: Deployment + Service per node, port 8080 http-web, app/version pod labels, namespace and labels kept', () => {
  const r = check(`defaults: { numReplicas: 2 }
services:
- name: a
  namespace: demo1
  labels: { tier: front }
  script: [{ call: { service: b, hostname: b.demo2.svc.cluster.local:8080 } }]
- name: b
  namespace: demo2
  numReplicas: 3
`);
  assert.deepEqual(r.errors, []);
  const cfg = r.config!;
  assert.deepEqual(cfg.services.map((s) => `${s.fqdn} ${s.ports.map((p) => `${p.port}/${p.name}`)}`), [
    'a.demo1.svc.cluster.local 8080/http-web',
    'b.demo2.svc.cluster.local 8080/http-web',
  ]);
  const a = cfg.workloads.find((w) => w.name === 'a')!;
  assert.deepEqual(a.labels, { role: 'service', name: 'a', app: 'a', version: 'v1', tier: 'front' });
  assert.equal(a.replicas, 2);
  assert.equal(cfg.workloads.find((w) => w.name === 'b')!.replicas, 3);
  assert.equal(a.model!.script.length, 1);
  assert.equal((a.model!.script[0] as { call: { host: string } }).call.host, 'b.demo2.svc.cluster.local:8080');
  assert.equal(a.model!.callSuccess, 'exactly200');
  assert.ok(!a.model!.propagate!.includes('end-user'), 'only the tracing headers are forwarded');
});

test('errorRate quantisation is isotope\'s: N = 10000 / int(rate × 10000), so 29 % fails every 3rd and 51 % every request', () => {
  const every = (rate: string) => check(`services:\n- name: a\n  errorRate: ${rate}\n`).config!.workloads[0]!.model!.errors[0]?.every;
  assert.equal(every('25%'), 4);
  assert.equal(every('0.05'), 20);
  assert.equal(every('"29%"'), 3);
  assert.equal(every('34%'), 2);
  assert.equal(every('51%'), 1);
  assert.equal(every('0%'), undefined);
});

test('sizes are binary (1 KB = 1024), requestSize defaults every call, probability is a whole percent (0 = always)', () => {
  const w = check(`defaults: { requestSize: 1 KB, responseSize: 2KiB }
services:
- name: a
  script:
  - call: b
  - call: { service: b, size: 10, probability: 25 }
  - call: { service: b, probability: 0 }
- name: b
`).config!.workloads[0]!.model!;
  assert.deepEqual(w.response.size, { kind: 'fixed', value: 2048 });
  const calls = w.script.map((s) => (s as { call: { size: number; probability: number } }).call);
  assert.deepEqual(calls.map((c) => [c.size, c.probability]), [[1024, 1], [10, 0.25], [1024, 1]]);
});

test('isotope\'s validation errors at file:line:col; unknown keys only warn', () => {
  const r = check(`defaults:
  numRbacPolicies: 3
services:
- name: a
  errorRate: 5
  script:
  - call: nowhere
  - - - call: a
  - { sleep: 1ms, call: a }
  - call: { service: a, probability: 101 }
- numReplicas: 1
`);
  assert.deepEqual(r.errors.map((e) => e.message), [
    'topo.yaml:5:3: services[0].errorRate: expected a percentage such as "5%" or a fraction 0..1 such as 0.05, got 5',
    'topo.yaml:7:5: services[0].script[0].call: cannot call undefined service "nowhere"',
    'topo.yaml:8:7: services[0].script[1][0]: concurrent commands may not be nested',
    'topo.yaml:9:5: services[0].script[2]: multiple keys for command (a command has exactly one key, sleep or call; got sleep, call)',
    'topo.yaml:10:25: services[0].script[3].call.probability: must be between 0 and 100, got 101',
    'topo.yaml:11:3: services[1]: services must have a name',
  ]);
  assert.deepEqual(r.warnings.map((w) => w.path), ['defaults.numRbacPolicies']);
});

const scenario = (load: string) => `services:
- { name: front, isEntrypoint: true, script: [{ call: back }] }
- { name: back }
---
apiVersion: meshbench/v1
kind: Scenario
metadata: { name: s }
spec:
  load:
${load}    steps: [{ n: 1 }]
`;

test('a scenario without load.url targets the single isEntrypoint service; an explicit url still wins', () => {
  const docs = parseSource(scenario(''), 's.yaml');
  assert.equal(splitScenario(docs, ['s.yaml']).scenario.load.url, 'http://front:8080/');
  const explicit = parseSource(scenario('    url: http://back:8080/x\n'), 's.yaml');
  assert.equal(splitScenario(explicit, ['s.yaml']).scenario.load.url, 'http://back:8080/x');
  const two = parseSource(scenario('').replace('{ name: back }', '{ name: back, isEntrypoint: true }'), 's.yaml');
  assert.throws(() => splitScenario(two, ['s.yaml']), (e: unknown) => e instanceof ConfigErrors && /2 isEntrypoint services \(front, back\)/.test(e.message));
});

test('meshbench extensions in a topology: sleep distributions and a service `model:` (latency, capacity, extra error rules after errorRate)', () => {
  const r = check(`services:
- name: a
  errorRate: 10%
  script: [{ sleep: { uniform: { min: 1ms, max: 3ms } } }]
  model:
    latency: 5ms
    capacity: { workers: 2, queue: 1 }
    errors: [{ share: 0.5, status: 503 }]
    callSuccess: 2xx
`);
  assert.deepEqual(r.errors, []);
  const m = r.config!.workloads[0]!.model!;
  assert.deepEqual(m.script, [{ sleep: { kind: 'uniform', min: 1, max: 3 } }]);
  assert.deepEqual(m.latency, { kind: 'fixed', value: 5 });
  assert.deepEqual(m.capacity, { workers: 2, queue: 1, queueTimeoutMs: null });
  assert.deepEqual(m.errors, [{ status: 500, every: 10, when: 'before' }, { status: 503, share: 0.5, when: 'before' }]);
  assert.equal(m.callSuccess, '2xx');
  const bad = check('services:\n- name: a\n  model: { latncy: 5ms }\n');
  assert.match(bad.errors[0]!.message, /^topo\.yaml:3:12: services\[0\]\.model\.latncy: unknown field "latncy" \(did you mean "latency"\?\)/);
});
