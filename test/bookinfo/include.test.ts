// `spec.include` and the kubectl-apply replacement rule (docs/scenario-format.md),
// plus the `sidecar:` option of counter expectations, on real YAML files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigErrors } from '../../src/errors.js';
import { loadScenarioFiles } from '../../src/scenario/include.js';
import { prepareScenario } from '../../src/scenario/runner.js';
import { validateCommand } from '../../src/cli/validate.js';
import { main } from '../../src/cli/main.js';
import { evaluate } from '../../src/scenario/expectations.js';
import type { StepOutcome } from '../../src/scenario/results.js';
import { seedC3 } from '../scenario/fixtures.js';
import { repo } from './helpers.js';
import { capture } from '../helpers/io.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-include-'));
  await mkdir(join(dir, 'base'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const APP = `apiVersion: v1
kind: Service
metadata: { name: httpbin }
spec:
  ports: [{ name: http, port: 8000, targetPort: 80 }]
  selector: { app: httpbin }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: httpbin-v1 }
spec:
  selector: { matchLabels: { app: httpbin, version: v1 } }
  template:
    metadata: { labels: { app: httpbin, version: v1 } }
    spec: { containers: [{ name: httpbin, image: docker.io/kennethreitz/httpbin }] }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: httpbin }
spec:
  host: httpbin
  subsets: [{ name: v1, labels: { version: v1 } }]
`;
const vs = (timeout: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: httpbin }
spec:
  hosts: [httpbin]
  http:
  - route: [{ destination: { host: httpbin, subset: v1 } }]
    timeout: ${timeout}
`;
const scenario = (include: string, extra = '') => `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: inc }
spec:
  include:${include}
  load:
    url: http://httpbin:8000/get
    steps: [{ n: 1 }]
${extra}`;

async function write(name: string, text: string): Promise<string> {
  const f = join(dir, name);
  await writeFile(f, text);
  return f;
}

async function configErrors(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConfigErrors, String(e));
    return e.errors.map((x) => x.message);
  }
  assert.fail('expected ConfigErrors');
}

test('included files load before the scenario file, in order; a later file replaces an earlier document', async () => {
  await write('base/app.yaml', APP);
  await write('base/vs-1s.yaml', vs('1s'));
  await write('base/vs-2s.yaml', vs('2s'));
  const s = await write('s1.yaml', scenario('\n  - base/app.yaml\n  - base/vs-1s.yaml\n  - base/vs-2s.yaml', '---\n' + vs('3s')));
  const docs = await loadScenarioFiles([s]);
  assert.deepEqual(
    docs.map((d) => `${d.kind}/${d.name}@${d.file.slice(dir.length + 1)}`),
    [
      'Service/httpbin@base/app.yaml',
      'Deployment/httpbin-v1@base/app.yaml',
      'DestinationRule/httpbin@base/app.yaml',
      'Scenario/inc@s1.yaml',
      'VirtualService/httpbin@s1.yaml', // the scenario file's own VS wins over both included ones
    ],
  );
  // Compiles without a duplicate error, and variants can patch included documents.
  const patched = await write(
    's1b.yaml',
    scenario(
      '\n  - base/app.yaml\n  - base/vs-1s.yaml\n  - base/vs-2s.yaml',
      `  variants:
  - name: base
  - name: slow
    patches:
    - target: { kind: DestinationRule, name: httpbin }
      merge: { spec: { trafficPolicy: { connectionPool: { tcp: { maxConnections: 7 } } } } }
`,
    ),
  );
  const p = await prepareScenario([patched]);
  assert.deepEqual(p.variants.map((v) => v.spec.name), ['base', 'slow']);
  const vsDocs = p.variants[0].docs.filter((d) => d.kind === 'VirtualService');
  assert.equal(vsDocs.length, 1);
  assert.equal((vsDocs[0].value.spec as { http: Array<{ timeout: string }> }).http[0].timeout, '2s');
});

test('the same rule holds between command-line files; two documents in ONE file stay a duplicate error', async () => {
  const a = await write('a.yaml', APP + '---\n' + vs('1s'));
  const b = await write('b.yaml', vs('2s') + '---\n' + scenario(' []'));
  const docs = await loadScenarioFiles([a, b]);
  assert.deepEqual(docs.filter((d) => d.kind === 'VirtualService').map((d) => d.file), [b]);

  const dup = await write('dup.yaml', scenario(' [base/app.yaml]', '---\n' + vs('1s') + '---\n' + vs('2s')));
  const errs = await configErrors(prepareScenario([dup]));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^.*dup\.yaml:\d+:\d+: metadata\.name: duplicate VirtualService "httpbin" in namespace "default" \(first defined at .*dup\.yaml:\d+:1\)$/);
});

test('a missing include is an error at its entry; bad entries and Scenarios in included files are located', async () => {
  await write('base/app.yaml', APP);
  const s = await write('s2.yaml', scenario('\n  - base/app.yaml\n  - base/nope.yaml\n  - 42\n  - ""'));
  const errs = await configErrors(loadScenarioFiles([s]));
  assert.deepEqual(errs, [
    `${s}:8:5: spec.include[2]: expected a file path, got 42`,
    `${s}:9:5: spec.include[3]: expected a file path, got ""`,
    `${s}:7:5: include: ${join(dir, 'base/nope.yaml')}: no such file`,
  ]);
  const notList = await write('s3.yaml', scenario(' base/app.yaml'));
  assert.deepEqual(await configErrors(loadScenarioFiles([notList])), [
    `${notList}:5:3: spec.include: expected a list of file paths (relative to the scenario file), got "base/app.yaml"`,
  ]);
  await write('base/has-scenario.yaml', scenario(' []'));
  const nested = await write('s4.yaml', scenario(' [base/has-scenario.yaml]'));
  const n = await configErrors(loadScenarioFiles([nested]));
  assert.equal(n.length, 1);
  assert.match(n[0], /has-scenario\.yaml:1:1: an included file cannot hold a Scenario document \(included from .*s4\.yaml:5:13\)/);
});

test('bench validate follows includes: every bookinfo scenario is valid; a missing include exits 2', async () => {
  for (const f of ['routing', 'fault-delay', 'fault-abort', 'timeout', 'shift']) {
    const c = capture();
    const code = await validateCommand([repo(`scenarios/bookinfo-${f}.yaml`)], c.io);
    assert.equal(code, 0, `${f}: ${c.err()}`);
    // bookinfo.yaml's 4 Services, 6 Deployments, 4 ServiceAccounts and the DestinationRules come along.
    assert.match(c.out(), /documents OK: .*6 Deployments/);
    assert.match(c.out(), /1 Scenario/);
  }
  const bad = await write('s5.yaml', scenario(' [gone.yaml]'));
  const c = capture();
  assert.equal(await main(['validate', bad], c.io), 2);
  assert.match(c.err(), /s5\.yaml:5:13: include: .*gone\.yaml: no such file\nbench: 1 error\n$/);
});

test('sidecar: on a counter expectation names a Deployment, reads that sidecar, and only applies to counters', async () => {
  await write('base/app.yaml', APP);
  const s = await write(
    's6.yaml',
    scenario(
      ' [base/app.yaml]',
      `  expect:
  - { counter: http.fault.aborts_injected, sidecar: httpbin-v1, equals: 0 }
  - { counter: upstream_rq_total, sidecar: nobody, equals: 0 }
  - { code: 200, sidecar: httpbin-v1, count: 1 }
`,
    ),
  );
  const errs = await configErrors(prepareScenario([s]));
  assert.deepEqual(errs, [
    `${s}:11:35: spec.expect[1].sidecar: no Deployment named "nobody" (known: meshbench, httpbin-v1)`,
    `${s}:12:18: spec.expect[2].sidecar: only applies to a counter expectation`,
  ]);

  // Evaluation against a step outcome holding reviews-v2's counters.
  const o: StepOutcome = {
    ...seedC3(),
    sidecars: {
      'reviews-v2': {
        'http.outbound_0.0.0.0_9080.fault.aborts_injected': 40,
        'cluster.outbound|9080|v1|ratings.default.svc.cluster.local.upstream_rq_total': 3,
        'cluster.outbound|9080|v2|ratings.default.svc.cluster.local;.upstream_rq_total': 2,
      },
    },
  };
  const loc = { file: 's.yaml', line: 1, col: 1 };
  const check = (counter: string, equals: number, subset?: string) =>
    evaluate(
      {
        subject: { type: 'counter', counter, sidecar: 'reviews-v2', ...(subset !== undefined ? { subset } : {}) },
        bounds: [{ field: 'equals', measure: 'value', op: 'eq', value: equals }],
        loc,
      },
      o,
    );
  const r = check('http.fault.aborts_injected', 40);
  assert.ok(r.pass, r.actual);
  assert.equal(r.check, "counter http.fault.aborts_injected of reviews-v2's sidecar == 40");
  assert.ok(check('upstream_rq_total', 5).pass); // all that sidecar's clusters
  assert.ok(check('upstream_rq_total', 3, 'v1').pass);
  assert.ok(check('http.fault.delays_injected', 0).pass); // filter stats appear with first use
  assert.ok(check('cluster.outbound|9080|v1|ratings.default.svc.cluster.local.upstream_rq_total', 3).pass);
  const typo = check('upstream_rq_totl', 0);
  assert.equal(typo.pass, false);
  assert.equal(typo.actual, `no counter "upstream_rq_totl" in reviews-v2's sidecar`);
  const gone = evaluate({ subject: { type: 'counter', counter: 'x', sidecar: 'ghost' }, bounds: [{ field: 'atMost', measure: 'value', op: 'le', value: 1 }], loc }, o);
  assert.equal(gone.pass, false);
});
