// Bad files: every problem is reported at its file:line:col with the field path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { errorsOfAsync, fixture } from './helpers.js';

const errorsIn = (name: string) => {
  const f = fixture(name);
  return errorsOfAsync(async () => compileMesh(await loadSourceFiles([f]))).then((errs) => errs.map((e) => e.replace(f, name)));
};

test('wrong type and negative threshold in a DR', async () => {
  assert.deepEqual(await errorsIn('bad-wrong-type.yaml'), [
    'bad-wrong-type.yaml:12:9: spec.trafficPolicy.connectionPool.tcp.maxConnections: expected an integer, got "one"',
    'bad-wrong-type.yaml:14:9: spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests: must not be negative, got -1',
  ]);
});

test('unknown field names the allowed ones and suggests the closest', async () => {
  assert.deepEqual(await errorsIn('bad-unknown-field.yaml'), [
    'bad-unknown-field.yaml:12:5: spec.http[0].timout: unknown field "timout" (did you mean "timeout"?); allowed: name, match, route, redirect, directResponse, delegate, rewrite, timeout, retries, fault, mirror, mirrors, mirrorPercentage, mirrorPercent, mirror_percent, corsPolicy, headers',
  ]);
});

test('unknown kind names the supported kinds', async () => {
  const errs = await errorsIn('bad-unknown-kind.yaml');
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^bad-unknown-kind\.yaml:10:1: kind: unknown kind "Deploymnt" \(apiVersion apps\/v1\); supported: Deployment \(apps\/v1\), Service \(v1\), VirtualService, DestinationRule, ServiceEntry/);
});

test('negative weight', async () => {
  assert.deepEqual(await errorsIn('bad-negative-weight.yaml'), [
    'bad-negative-weight.yaml:13:7: spec.http[0].route[0].weight: weight must not be negative, got -10',
  ]);
});

test('bad durations: a bare number, and sub-millisecond precision (spec §1.1)', async () => {
  assert.deepEqual(await errorsIn('bad-duration-5.yaml'), [
    'bad-duration-5.yaml:12:5: spec.http[0].timeout: invalid duration 5: expected a string with a unit, e.g. "5s"',
  ]);
  assert.deepEqual(await errorsIn('bad-duration-1500us.yaml'), [
    'bad-duration-1500us.yaml:13:9: spec.http[0].fault.delay.fixedDelay: invalid duration "1500us": only durations to ms precision are supported',
  ]);
});

test('unknown image with strictImages: says which images are built in and how to map any other', async () => {
  const f = fixture('bad-image.yaml');
  const docs = await loadSourceFiles([f]);
  const errs = (await errorsOfAsync(async () => compileMesh(docs, { strictImages: true }))).map((e) => e.replace(f, 'bad-image.yaml'));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^bad-image\.yaml:16:9: spec\.template\.spec\.containers\[0\]\.image: image "nginx:1\.25" is not a built-in app \(built in: kennethreitz\/httpbin, /);
  assert.match(errs[0], /add the pod annotation "meshbench\.io\/app: <httpbin\|fortio\|productpage\|details\|reviews\|ratings\|client\|modeled>", or give it a ServiceModel \(docs\/service-model\.md\)$/);
  // Without the option the same file compiles: the pod runs the default model (test/mesh/modeled).
  assert.equal(compileMesh(docs).workloads[0].model?.name, 'default');
});

test('Istio validation rules: all errors of a file reported in one pass', async () => {
  assert.deepEqual(await errorsIn('bad-many.yaml'), [
    'bad-many.yaml:10:5: spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled): set attempts > 0 or drop perTryTimeout/retryOn/retryRemoteLocalities',
    'bad-many.yaml:17:7: spec.http[1].retries.retryOn: unknown retryOn policy " reset" (one of 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, envoy-ratelimited, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, reset-before-request, http3-post-connect-failure, or an HTTP status code; no spaces after commas)',
    'bad-many.yaml:23:9: spec.http[2].fault.delay.exponentialDelay: exponentialDelay not supported yet (Istio rejects it)',
    'bad-many.yaml:25:9: spec.http[2].fault.abort.http2Error: HTTP/2 abort fault injection not supported yet (Istio rejects it)',
    'bad-many.yaml:31:5: spec.http[3].mirrors: mirror and mirrors cannot both be set in one route',
    'bad-many.yaml:37:5: spec.http[4].delegate: delegate VirtualServices are not supported by meshbench; put the routes in this VirtualService',
    'bad-many.yaml:40:7: spec.http[5].match[0].uri: only one of exact, prefix, regex may be set (got exact, prefix)',
    'bad-many.yaml:45:5: spec.http[5].fault: fault cannot be combined with redirect or directResponse',
    'bad-many.yaml:47:9: spec.http[5].fault.abort.httpStatus: invalid abort http status 700: must be in range 200..599',
    'bad-many.yaml:62:5: spec.endpoints[0].address: endpoint address "10.0.0.7" is not a loopback address; meshbench only reaches servers on this machine: use 127.0.0.1 (any 127.0.0.0/8 address), ::1 or localhost',
  ]);
});

test('missing file: one line, exit code 2', async () => {
  await assert.rejects(loadSourceFiles([fixture('no-such.yaml')]), (e: Error & { exitCode?: number }) => {
    assert.equal(e.message, `${fixture('no-such.yaml')}: no such file`);
    assert.equal(e.exitCode, 2);
    return true;
  });
});
