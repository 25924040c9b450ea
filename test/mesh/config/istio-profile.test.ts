// Istio version profiles at the config level: the supported range, the rules that
// only show in compiled config (resource-exhausted in the default retryOn, weight
// totals), a Scenario's `spec.istio` and which release wins (docs/behaviour.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { CURRENT_ISTIO, profileFor } from '../../../src/mesh/config/istio-profile.js';
import { chooseProfile, scenarioIstio } from '../../../src/mesh/config/istio-release.js';
import { defaultRetryPolicy, effectivePolicy } from '../../../src/mesh/config/policy.js';
import { parseSource } from '../../../src/mesh/config/source.js';
import { parseScenarioDoc } from '../../../src/scenario/parse.js';
import { errorsOf, HTTPBIN } from './helpers.js';
import { virtualService } from '../proxy/harness.js';

test('profiles exist for Istio 1.5 … 1.28 only; the default is 1.28', () => {
  for (const v of ['1.5', '1.6', '1.10', '1.28', ' 1.14 ']) assert.equal(profileFor(v)?.version, v.trim(), v);
  for (const v of ['1.4', '1.29', '2.0', '1', '1.x', '1.6.2', '']) assert.equal(profileFor(v), undefined, v);
  assert.equal(CURRENT_ISTIO, '1.28');
  assert.equal(compileMesh(parseSource(HTTPBIN, 'm.yaml')).istio.version, '1.28');
});

test('default retryOn: resource-exhausted up to Istio 1.5, dropped in 1.6 (commit 82e860adc16)', () => {
  assert.ok(defaultRetryPolicy(profileFor('1.5')!).retryOn.includes('resource-exhausted'));
  assert.ok(!defaultRetryPolicy(profileFor('1.6')!).retryOn.includes('resource-exhausted'));
  assert.deepEqual(defaultRetryPolicy(profileFor('1.6')!).retriableStatusCodes, [503]);
});

test('default load balancer and pool in the effective policy follow the release', () => {
  assert.deepEqual(effectivePolicy(undefined, undefined, 8000, profileFor('1.13')!).lb, { simple: 'ROUND_ROBIN' });
  assert.deepEqual(effectivePolicy(undefined, undefined, 8000, profileFor('1.14')!).lb, { simple: 'LEAST_REQUEST' });
  assert.equal(effectivePolicy(undefined, undefined, 8000, profileFor('1.5')!).pool.http1MaxPendingRequests, 2 ** 32 - 1);
});

const SPLIT = `${HTTPBIN.replace(/---\napiVersion: networking\.istio\.io\/v1\nkind: DestinationRule[\s\S]*$/, '')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
---${virtualService(`  - route:
    - {destination: {host: httpbin, subset: v1}, weight: 30}
    - {destination: {host: httpbin, subset: v2}, weight: 30}`)}`;

test('weights that do not add up to 100: an error up to Istio 1.14, relative weights with a warning from 1.15', () => {
  const docs = () => parseSource(SPLIT, 'split.yaml');
  const errs = errorsOf(() => compileMesh(docs(), { istio: profileFor('1.14')! }));
  assert.equal(errs.length, 1, errs.join('\n'));
  assert.match(errs[0]!, /^split\.yaml:\d+:\d+: spec\.http\[0\]\.route: the weights add up to 60: Istio 1\.14 requires a total of 100/);
  const ok = compileMesh(docs(), { istio: profileFor('1.15')! });
  assert.ok(ok.warnings.some((w) => /the weights add up to 60, not 100/.test(w.message)));
});

const scenarioDoc = (istio: string) =>
  parseSource(`apiVersion: meshbench/v1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  istio: ${istio}\n  load: {url: http://httpbin:8000/get, steps: [{n: 1}]}\n`, 's.yaml')[0]!;

test('spec.istio: a quoted release or an unambiguous YAML number; 1.10 unquoted is an error that says to quote it', () => {
  assert.equal(scenarioIstio(scenarioDoc('"1.6"'))?.version, '1.6');
  assert.equal(scenarioIstio(scenarioDoc('1.6'))?.version, '1.6');
  assert.equal(scenarioIstio(scenarioDoc('"1.10"'))?.version, '1.10');
  assert.deepEqual(errorsOf(() => scenarioIstio(scenarioDoc('1.10'))), [
    's.yaml:5:3: spec.istio: unsupported Istio release "1.1": expected one of 1.5 … 1.28 (major.minor, e.g. 1.6); quote the release ("1.10"): YAML reads 1.10 as the number 1.1',
  ]);
  assert.deepEqual(errorsOf(() => scenarioIstio(scenarioDoc('[1.6]'))), ['s.yaml:5:3: spec.istio: expected an Istio release like "1.6", got a list']);
  // The scenario parser reads it too (bench run), with the same message.
  assert.equal(parseScenarioDoc(scenarioDoc('"1.23"'), parseSource(HTTPBIN, 'm.yaml')).istio?.version, '1.23');
  assert.deepEqual(errorsOf(() => parseScenarioDoc(scenarioDoc('"1.4"'), parseSource(HTTPBIN, 'm.yaml'))), [
    's.yaml:5:3: spec.istio: unsupported Istio release "1.4": expected one of 1.5 … 1.28 (major.minor, e.g. 1.6)',
  ]);
});

test('which release: --istio, else the Scenario\'s spec.istio, else the current one', () => {
  assert.equal(chooseProfile(undefined, []).version, '1.28');
  assert.equal(chooseProfile(undefined, [scenarioDoc('"1.6"')]).version, '1.6');
  assert.equal(chooseProfile(profileFor('1.20'), [scenarioDoc('"1.6"')]).version, '1.20');
});
