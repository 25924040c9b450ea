import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../../src/mesh/config/source.js';
import { ConfigErrors } from '../../src/errors.js';
import { splitScenario } from '../../src/scenario/parse.js';
import { applyVariant } from '../../src/scenario/variants.js';
import { prepareScenario } from '../../src/scenario/runner.js';
import { repo } from '../helpers/io.js';


const YAML = `apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: httpbin }
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp: { maxConnections: 1 }
      http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 }
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: { name: httpbin }
spec:
  hosts: [httpbin]
  http:
  - route:
    - destination: { host: httpbin }
---
apiVersion: meshbench/v1
kind: Scenario
metadata: { name: isolation }
spec:
  load: { url: 'http://httpbin:8000/get', steps: [{ n: 1 }] }
  variants:
  - name: a
  - name: b
    patches:
    - target: { kind: DestinationRule, name: httpbin }
      merge: { spec: { trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10, maxRequestsPerConnection: null } } } } }
  - name: c
    patches:
    - target: { kind: VirtualService, name: httpbin }
      merge: { spec: { http: [{ route: [{ destination: { host: httpbin } }], timeout: 1s }] } }
`;

type Pool = { http: Record<string, unknown>; tcp: Record<string, unknown> };
const pool = (docs: { kind: string; value: Record<string, unknown> }[]) =>
  ((docs.find((d) => d.kind === 'DestinationRule')!.value.spec as Record<string, unknown>).trafficPolicy as Record<string, unknown>)
    .connectionPool as Pool;

test('a patch in variant b does not leak into a, c or the source documents', () => {
  const docs = parseSource(YAML, 'v.yaml');
  const { scenario, meshDocs } = splitScenario(docs, ['v.yaml']);
  const original = JSON.stringify(meshDocs.map((d) => d.value));
  const [a, b, c] = scenario.variants.map((v) => applyVariant(meshDocs, v));
  assert.deepEqual(pool(b).http, { http1MaxPendingRequests: 10 }); // null deleted maxRequestsPerConnection
  assert.deepEqual(pool(a).http, { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 });
  assert.deepEqual(pool(c).http, { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 });
  // c patched the VirtualService only.
  const vs = (d: typeof a) => (d.find((x) => x.kind === 'VirtualService')!.value.spec as { http: Array<Record<string, unknown>> }).http[0];
  assert.equal(vs(c).timeout, '1s');
  assert.equal(vs(a).timeout, undefined);
  assert.equal(vs(b).timeout, undefined);
  // Even mutating one variant's copy cannot reach another's or the source.
  pool(b).tcp.maxConnections = 99;
  assert.equal(pool(a).tcp.maxConnections, 1);
  assert.equal(JSON.stringify(meshDocs.map((d) => d.value)), original);
  // Locations still point into the original file.
  assert.deepEqual(b[0].locate(['spec', 'host']), meshDocs[0].locate(['spec', 'host']));
});

test('prepareScenario compiles each variant of the real httpbin-cb scenario separately', async () => {
  const p = await prepareScenario([repo('scenarios/httpbin-cb.yaml')]);
  assert.deepEqual(p.variants.map((v) => v.spec.name), ['seed-dr', 'pending-10']);
  const pending = (i: number) => {
    const dr = p.variants[i].config.destinationRules.find((d) => d.name === 'httpbin')!;
    return dr.trafficPolicy?.connectionPool?.http1MaxPendingRequests;
  };
  assert.equal(pending(0), 1);
  assert.equal(pending(1), 10);
  assert.equal(p.destination.port, 8000);
  assert.equal(p.destination.fqdns[0], 'httpbin.default.svc.cluster.local');
  // --variant picks a subset, unknown names are bad input.
  const only = await prepareScenario([repo('scenarios/httpbin-cb.yaml')], ['pending-10']);
  assert.deepEqual(only.variants.map((v) => v.spec.name), ['pending-10']);
  await assert.rejects(prepareScenario([repo('scenarios/httpbin-cb.yaml')], ['nope']), (e: unknown) => {
    return e instanceof ConfigErrors && /--variant nope: no such variant \(variants: seed-dr, pending-10\)/.test(e.message);
  });
});

test('a patch that makes a document invalid is reported with the variant name and location', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-variant-'));
  try {
    const file = join(dir, 's.yaml');
    await writeFile(
      file,
      YAML.replace(
        'merge: { spec: { http: [{ route: [{ destination: { host: httpbin } }], timeout: 1s }] } }',
        'merge: { spec: { trafficPolicy: { connectionPool: { tcp: { maxConnections: one } } } } }',
      ).replace('kind: VirtualService, name: httpbin }\n      merge', 'kind: DestinationRule, name: httpbin }\n      merge'),
    );
    await assert.rejects(prepareScenario([file]), (e: unknown) => {
      assert.ok(e instanceof ConfigErrors);
      const m = e.errors.map((x) => x.message).join('\n');
      assert.match(m, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:\\d+: .*maxConnections.*\\(with the patches of variant "c"\\)`, 'm'));
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
