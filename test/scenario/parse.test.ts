import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/mesh/config/source.js';
import { ConfigErrors, UserError } from '../../src/errors.js';
import { splitScenario } from '../../src/scenario/parse.js';

const MESH = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: fortio-deploy
spec:
  template:
    metadata:
      labels: { app: fortio }
    spec:
      containers:
      - image: fortio/fortio
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata:
  name: httpbin
spec:
  host: httpbin
`;

function parse(scenario: string) {
  const docs = parseSource(MESH + '---\n' + scenario, 's.yaml');
  return splitScenario(docs, ['s.yaml']);
}

function errorsOf(scenario: string): string[] {
  try {
    parse(scenario);
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  assert.fail('expected ConfigErrors');
}

// Line numbers below count from the first line of the scenario document, which is
// line 20 of the combined file (19 lines of MESH + the `---`).
const L = (n: number) => 19 + n;

test('a valid scenario parses with defaults and the seed-style expectations', () => {
  const { scenario, meshDocs } = parse(`apiVersion: meshbench/v1
kind: Scenario
metadata: { name: cb }
spec:
  load:
    from: fortio-deploy
    url: http://httpbin:8000/get
    headers: { end-user: jason }
    steps:
    - { name: c1, c: 1, qps: 0, n: 20 }
    - { name: t2, c: 2, qps: 50, t: 1.5s }
  variants:
  - name: seed-dr
  - name: pending-10
    patches:
    - target: { kind: DestinationRule, name: httpbin }
      merge: { spec: { trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10 } } } } }
  expect:
  - { step: c1, variant: seed-dr, code: 503, count: 0 }
  - { step: t2, code: 503, shareAtLeast: 0.1 }
  - { step: t2, counter: upstream_rq_pending_overflow, equalsCode: 503 }
  - { step: c1, p99: { lessThanMs: 50 } }
  - { variant: pending-10, upstream: { workload: httpbin-v2 }, requestsAtLeast: 20 }
`);
  assert.equal(meshDocs.length, 2);
  assert.equal(scenario.name, 'cb');
  assert.equal(scenario.load.from, 'fortio-deploy');
  assert.deepEqual(scenario.load.headers, [['end-user', 'jason']]);
  assert.deepEqual(
    scenario.load.steps.map((s) => [s.name, s.connections, s.qps, s.exactly, s.durationMs]),
    [
      ['c1', 1, 0, 20, 5000],
      ['t2', 2, 50, 0, 1500],
    ],
  );
  assert.deepEqual(scenario.variants.map((v) => v.name), ['seed-dr', 'pending-10']);
  assert.equal(scenario.variants[1].patches[0].target.kind, 'DestinationRule');
  assert.equal(scenario.expect.length, 5);
  assert.deepEqual(scenario.expect[0].subject, { type: 'code', code: 503 });
  assert.deepEqual(scenario.expect[0].bounds, [{ field: 'count', measure: 'count', op: 'eq', value: 0 }]);
  assert.deepEqual(scenario.expect[2].bounds[0].value, { code: 503 });
  assert.deepEqual(scenario.expect[3].subject, { type: 'latency', percentile: 'p99' });
  assert.deepEqual(scenario.expect[4].subject, { type: 'upstream', workload: 'httpbin-v2' });
  assert.deepEqual(scenario.expect[1].loc, { file: 's.yaml', line: L(20), col: 5 }); // the `{` of the flow map
});

test('no variants means one variant "base"; from defaults to the implicit meshbench workload', () => {
  const { scenario } = parse(`apiVersion: meshbench/v1
kind: Scenario
metadata: { name: x }
spec:
  load:
    url: http://httpbin:8000/get
    steps: [{ n: 5 }]
`);
  assert.deepEqual(scenario.variants, [{ name: 'base', patches: [] }]);
  assert.equal(scenario.load.from, 'meshbench');
  assert.equal(scenario.load.steps[0].name, 'step1');
  assert.equal(scenario.load.steps[0].connections, 4); // fortio's -c default
});

test('unknown fields, wrong types, unknown names and missing patch targets name file:line:col', () => {
  const errs = errorsOf(`apiVersion: meshbench/v1
kind: Scenario
metadata: { name: bad }
spec:
  load:
    from: nobody
    url: http://httpbin:8000/get
    stepz: []
    steps:
    - { name: c1, c: two, n: 20 }
    - { name: c1, n: 5 }
  variants:
  - name: v1
    patches:
    - target: { kind: DestinationRule, name: reviews }
      merge: { spec: {} }
  expect:
  - { step: c9, code: 503, count: 0 }
  - { variant: nope, p99: { lessThanMs: 5 } }
  - { code: 503, lessThanMs: 3 }
  - { code: 503, p50: { lessThanMs: 1 }, count: 0 }
  - { counter: upstream_rq_total }
`);
  const want = [
    `s.yaml:${L(6)}:5: spec.load.from: no Deployment named "nobody" (known: meshbench, fortio-deploy)`,
    `s.yaml:${L(8)}:5: spec.load.stepz: unknown field "stepz" (did you mean "steps"?); allowed: from, url, headers, method, payload, steps`,
    `s.yaml:${L(10)}:19: spec.load.steps[0].c: expected an integer, got "two"`,
    `s.yaml:${L(11)}:9: spec.load.steps[1].name: duplicate step name "c1"`,
    `s.yaml:${L(15)}:7: spec.variants[0].patches[0].target: no DestinationRule named "reviews" in the given files (DestinationRules: httpbin)`,
    `s.yaml:${L(18)}:7: spec.expect[0].step: unknown step "c9" (steps: c1, c1)`,
    `s.yaml:${L(19)}:7: spec.expect[1].variant: unknown variant "nope" (variants: v1)`,
    `s.yaml:${L(20)}:18: spec.expect[2].lessThanMs: unknown field "lessThanMs"; allowed: step, variant, code, p50,`,
    `s.yaml:${L(21)}:5: spec.expect[3]: one expectation checks one thing; found code and p50`,
    `s.yaml:${L(22)}:5: spec.expect[4]: no threshold given for counter`,
  ];
  for (const w of want) {
    assert.ok(
      errs.some((e) => e.startsWith(w)),
      `missing error:\n  ${w}\ngot:\n  ${errs.join('\n  ')}`,
    );
  }
  assert.equal(errs.length, want.length, errs.join('\n'));
});

test('a file without a Scenario document is a one-line user error', () => {
  const docs = parseSource(MESH, 'mesh.yaml');
  assert.throws(
    () => splitScenario(docs, ['mesh.yaml']),
    (e: unknown) => e instanceof UserError && /mesh\.yaml: no Scenario document/.test(e.message) && !e.message.includes('\n'),
  );
});

test('share thresholds must lie in 0..1', () => {
  const errs = errorsOf(`apiVersion: meshbench/v1
kind: Scenario
spec:
  load: { url: 'http://httpbin:8000/', steps: [{ n: 1 }] }
  expect:
  - { code: 503, shareAtLeast: 10 }
`);
  assert.deepEqual(errs, [`s.yaml:${L(6)}:18: spec.expect[0].shareAtLeast: must be between 0 and 1, got 10`]);
});

test('scenario messages read like the mesh config\'s: "a mapping", missing required fields, did-you-mean at every level', () => {
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v1
kind: Scenario
spec: [load]
`), [`s.yaml:${L(3)}:1: spec: expected a mapping, got a list`]);
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v1
kind: Scenario
spec:
  lod: { url: 'http://httpbin:8000/', steps: [{ n: 1 }] }
`), [
    `s.yaml:${L(4)}:3: spec.lod: unknown field "lod" (did you mean "load"?); allowed: include, istio, load, variants, expect, mirrorDiff, repeat`,
    `s.yaml:${L(3)}:1: spec: missing required field "load" (a mapping)`,
  ]);
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v1
kind: Scenario
spec:
  load:
    url: http://httpbin:8000/get
    headers: { x-count: 5, end-user: [jason] }
    steps: [5, { n: 1, headers: x }]
  variants:
  - name: v1
    patches:
    - target: { kind: DestinationRule, nam: httpbin }
    - { target: { kind: DestinationRule, name: httpbin }, merge: [1] }
  expect:
  - { p99: { lessThanMS: 5 } }
  - { upstream: { workloads: httpbin-v1 }, requests: 1 }
  - { code: five, count: 1 }
`), [
    `s.yaml:${L(6)}:16: spec.load.headers.x-count: expected a string, got 5 (quote it: "5")`,
    `s.yaml:${L(6)}:28: spec.load.headers.end-user: expected a string, got a list`,
    `s.yaml:${L(7)}:13: spec.load.steps[0]: expected a mapping, got 5`,
    `s.yaml:${L(7)}:24: spec.load.steps[1].headers: expected a mapping, got "x"`,
    `s.yaml:${L(11)}:7: spec.variants[0].patches[0]: missing required field "merge" (a JSON merge patch of the target document, RFC 7396)`,
    `s.yaml:${L(11)}:40: spec.variants[0].patches[0].target.nam: unknown field "nam" (did you mean "name"?); allowed: kind, name, namespace`,
    `s.yaml:${L(11)}:7: spec.variants[0].patches[0].target: missing required field "name" (a string)`,
    `s.yaml:${L(12)}:59: spec.variants[0].patches[1].merge: expected a mapping, got a list`,
    `s.yaml:${L(14)}:14: spec.expect[0].p99.lessThanMS: unknown field "lessThanMS" (did you mean "lessThanMs"?); allowed: lessThanMs, atMostMs, greaterThanMs, atLeastMs`,
    `s.yaml:${L(15)}:19: spec.expect[1].upstream.workloads: unknown field "workloads" (did you mean "workload"?); allowed: workload, version, app, pod`,
    `s.yaml:${L(15)}:7: spec.expect[1].upstream: name the instances: workload, version, app and/or pod`,
    `s.yaml:${L(16)}:7: spec.expect[2].code: expected an integer, got "five"`,
  ]);
});

test('step durations: Go syntax (µs, fractions, compounds) or seconds; bad, negative and open-ended ones are located', () => {
  const { scenario } = parse(`apiVersion: meshbench/v1
kind: Scenario
spec:
  load:
    url: http://httpbin:8000/get
    steps:
    - { t: 1m30s, timeout: 1.5s }
    - { t: 2 }
    - { t: 2500µs }
    - { n: 7, t: 0 }
`);
  assert.deepEqual(
    scenario.load.steps.map((s) => [s.durationMs, s.exactly, s.timeoutMs]),
    [
      [90_000, 0, 1500],
      [2000, 0, undefined],
      [2.5, 0, undefined],
      [0, 7, undefined],
    ],
  );
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v1
kind: Scenario
spec:
  load:
    url: http://httpbin:8000/get
    steps:
    - { t: 5x }
    - { t: -1s }
    - { n: 1, timeout: 3 s }
    - { t: 0 }
    - { c: 2 }
`), [
    `s.yaml:${L(7)}:9: spec.load.steps[0].t: invalid duration "5x": unknown unit "x" (one of ns, us, ms, s, m, h)`,
    `s.yaml:${L(8)}:9: spec.load.steps[1].t: invalid duration "-1s": must not be negative`,
    `s.yaml:${L(9)}:15: spec.load.steps[2].timeout: invalid duration "3 s": unknown unit " s" (one of ns, us, ms, s, m, h)`,
    `s.yaml:${L(10)}:9: spec.load.steps[3].t: an open-ended step (t: 0) never ends; give n or a duration`,
    `s.yaml:${L(11)}:7: spec.load.steps[4]: a step needs \`n\` (calls) or \`t\` (duration)`,
  ]);
});

test('step defaults are fortio\'s, taken from the load engine\'s defaults (one place)', async () => {
  const { defaultLoadOptions } = await import('../../src/load/flags.js');
  const d = defaultLoadOptions();
  const { scenario } = parse(`apiVersion: meshbench/v1
kind: Scenario
spec:
  load: { url: 'http://httpbin:8000/', steps: [{ n: 1 }] }
`);
  const s = scenario.load.steps[0];
  assert.deepEqual([s.connections, s.qps, s.durationMs], [d.connections, d.qps, d.durationMs]);
  assert.deepEqual([s.connections, s.qps, s.durationMs], [4, 8, 5000]); // fortio -c 4 -qps 8 -t 5s
});

test('a typo in kind or apiVersion still makes the Scenario document, and the typo is named', () => {
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v1
kind: Scenaro
spec:
  load: { url: 'http://httpbin:8000/', steps: [{ n: 1 }] }
`), [`s.yaml:${L(2)}:1: kind: expected "Scenario" (apiVersion meshbench/v1), got "Scenaro"`]);
  assert.deepEqual(errorsOf(`apiVersion: meshbench/v2
kind: Scenario
spec:
  load: { url: 'http://httpbin:8000/', steps: [{ n: 1 }] }
`), [`s.yaml:${L(1)}:1: apiVersion: expected "meshbench/v1", got "meshbench/v2"`]);
});

test('a search step: defaults filled in, its SLO read; search expectations need a search step', () => {
  const { scenario } = parse(`apiVersion: meshbench/v1
kind: Scenario
metadata: { name: s }
spec:
  load:
    url: http://httpbin:8000/get
    steps:
    - { name: cap, search: { slo: { p99LessThanMs: 50, errorShareAtMost: 0.01 }, probe: 500ms } }
    - { name: fixed, n: 5 }
  expect:
  - { step: cap, search: { maxQpsAtLeast: 100 } }
`);
  const cap = scenario.load.steps[0]!;
  assert.deepEqual(cap.search, {
    slo: { latencyLessThanMs: { p99: 50 }, errorShareAtMost: 0.01 },
    startQps: 10,
    maxQps: 5000,
    probeMs: 500,
    maxProbes: 12,
    precision: 0.1,
    maxConnections: 256,
  });
  assert.deepEqual(scenario.expect[0]!.subject, { type: 'search' });
  assert.deepEqual(scenario.expect[0]!.bounds.map((b) => [b.field, b.measure, b.op, b.value]), [['maxQpsAtLeast', 'maxQps', 'ge', 100]]);
  const errs = errorsOf(`apiVersion: meshbench/v1
kind: Scenario
metadata: { name: s }
spec:
  load:
    url: http://httpbin:8000/get
    steps:
    - { name: cap, t: 5s, search: { slo: { p99LessThanMs: 50 }, startQps: 100, maxQps: 50, probe: 100ms, maxProbes: 1 } }
    - { name: fixed, n: 5 }
  expect:
  - { step: fixed, search: { maxQpsAtLeast: 100 } }
  - { search: { maxQpsAtLeast: 100, p99: 3 } }
`);
  assert.deepEqual(errs, [
    's.yaml:27:20: spec.load.steps[0].t: does not apply to a search step (each probe sets its own rate, connections and duration)',
    's.yaml:27:80: spec.load.steps[0].search.maxQps: must be at least startQps (100), got 50',
    's.yaml:27:92: spec.load.steps[0].search.probe: a probe needs at least 200ms to measure anything, got 100ms',
    's.yaml:27:106: spec.load.steps[0].search.maxProbes: must be between 2 and 50, got 1',
    's.yaml:30:7: spec.expect[0].step: a search expectation needs step: naming a search step (search steps: cap)',
    's.yaml:31:37: spec.expect[1].search.p99: unknown field "p99"; allowed: maxQpsAtLeast, maxQpsAtMost',
    's.yaml:31:5: spec.expect[1]: a search expectation needs step: naming a search step (search steps: cap)',
  ]);
});
