// scenario-doc.ts: the one test for "is this meshbench's Scenario document". The
// mesh compiler skips what it accepts; the scenario parser reads the same set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMesh, classify } from '../../../src/mesh/config/compile.js';
import { isScenarioDoc, SCENARIO_API_VERSION, SCENARIO_KIND } from '../../../src/mesh/config/scenario-doc.js';
import { parseSource } from '../../../src/mesh/config/source.js';

test('either marker makes a Scenario document; Kubernetes and Istio kinds are not', () => {
  assert.equal(SCENARIO_API_VERSION, 'meshbench/v1');
  assert.equal(SCENARIO_KIND, 'Scenario');
  const table: Array<[apiVersion: string, kind: string, want: boolean]> = [
    ['meshbench/v1', 'Scenario', true],
    ['meshbench/v1', 'Scenaro', true], // kind typo: the scenario parser names it
    ['meshbench/v2', 'Scenario', true], // apiVersion typo: likewise
    ['v1', 'Service', false],
    ['apps/v1', 'Deployment', false],
    ['networking.istio.io/v1', 'VirtualService', false],
    ['meshbench.io/v1', 'scenario', false],
    ['meshbench/v1', 'ServiceModel', false], // meshbench's mesh document
    ['meshbench/v1', 'ServiceModle', false], // its typo: the compiler names it
  ];
  for (const [apiVersion, kind, want] of table) assert.equal(isScenarioDoc({ apiVersion, kind }), want, `${apiVersion} ${kind}`);
});

test('the mesh compiler skips every Scenario document and nothing else', () => {
  const docs = parseSource(
    [
      'apiVersion: meshbench/v1\nkind: Scenario\nspec: {}',
      'apiVersion: meshbench/v1\nkind: Scenaro\nspec: {}',
      'apiVersion: meshbench/v2\nkind: Scenario\nspec: {}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: httpbin}\nspec: {ports: [{port: 8000}], selector: {app: httpbin}}',
      'apiVersion: v1\nkind: Widget\nmetadata: {name: w}',
    ].join('\n---\n'),
    'm.yaml',
  );
  assert.deepEqual(
    docs.map((d) => {
      const c = classify(d);
      return 'role' in c ? c.role : 'error';
    }),
    ['Scenario', 'Scenario', 'Scenario', 'Service', 'error'],
  );
  const r = checkMesh(docs);
  assert.deepEqual(
    r.errors.map((e) => e.message),
    [
      'm.yaml:19:1: kind: unknown kind "Widget" (apiVersion v1); supported: Deployment (apps/v1), Service (v1), VirtualService, ' +
        'DestinationRule, ServiceEntry (networking.istio.io/v1, v1beta1, v1alpha3), Scenario, ServiceModel (meshbench/v1), isotope topologies; ' +
        'kinds a cluster dump carries (ConfigMap, Secret, Pod, ReplicaSet, Endpoints, …) are skipped with a warning (docs/cluster-dump.md)',
    ],
  );
});
