// Nothing accepted is silently ignored: DestinationRule fields meshbench does not
// emulate compile with a "not emulated" warning at their file:line:col, and an
// abort status Envoy would reject is a config error (spec §2.7, §3.2, §3.3).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatWarning } from '../../../src/mesh/config/warning.js';
import { compileText, errorsOf, HTTPBIN } from './helpers.js';

// HTTPBIN without its own DestinationRule (the last document).
const BASE = HTTPBIN.slice(0, HTTPBIN.lastIndexOf('---'));
const DR = (trafficPolicy: string): string => `${BASE}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: httpbin-policy
spec:
  host: httpbin
  trafficPolicy:
${trafficPolicy}`;

const warningsOf = (text: string): string[] => compileText(text, 'dr.yaml').warnings.map(formatWarning);

test('tls: warned "not emulated" at its own line and column', () => {
  const text = DR(`    tls: {mode: ISTIO_MUTUAL}`);
  const line = text.split('\n').findIndex((l) => l.includes('tls:')) + 1;
  assert.deepEqual(warningsOf(text), [
    `dr.yaml:${line}:5: warning: spec.trafficPolicy.tls: tls is not emulated: sidecars talk plain HTTP/1.1 on loopback`,
  ]);
});

test('tcpKeepalive and maxConcurrentStreams: each warned "not emulated"; maxConcurrentStreams 0 (the default) is not', () => {
  const text = DR(`    connectionPool:
      tcp:
        tcpKeepalive: {time: 7200s, interval: 75s}
      http:
        maxConcurrentStreams: 100`);
  const w = warningsOf(text);
  assert.equal(w.length, 2, w.join('\n'));
  assert.match(w[0]!, /^dr\.yaml:\d+:9: warning: spec\.trafficPolicy\.connectionPool\.tcp\.tcpKeepalive: tcpKeepalive is not emulated/);
  assert.match(w[1]!, /^dr\.yaml:\d+:9: warning: spec\.trafficPolicy\.connectionPool\.http\.maxConcurrentStreams: maxConcurrentStreams is not emulated/);
  assert.deepEqual(warningsOf(DR(`    connectionPool:
      http: {maxConcurrentStreams: 0}`)), []);
});

test('loadBalancer PASSTHROUGH: warned "not emulated", kept in the model (it overrides an outer policy)', () => {
  const cfg = compileText(DR(`    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      loadBalancer: {simple: PASSTHROUGH}`), 'dr.yaml');
  assert.deepEqual(cfg.warnings.map((w) => `${w.path}: ${w.message}`), [
    'spec.subsets[0].trafficPolicy.loadBalancer.simple: PASSTHROUGH is not emulated: LEAST_REQUEST picks the endpoint instead',
  ]);
  const dr = cfg.destinationRules.find((d) => d.name === 'httpbin-policy')!;
  assert.deepEqual(dr.subsets[0]!.trafficPolicy?.loadBalancer, { simple: 'PASSTHROUGH' });
});

test('abort httpStatus 600: a config error naming file:line:col (Envoy only takes 200..599)', () => {
  const vs = (status: number): string => `${HTTPBIN}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts: [httpbin]
  http:
  - fault:
      abort:
        httpStatus: ${status}
        percentage: {value: 100}
    route:
    - destination: {host: httpbin}
`;
  const text = vs(600);
  const line = text.split('\n').findIndex((l) => l.includes('httpStatus:')) + 1;
  assert.deepEqual(errorsOf(() => compileText(text, 'vs.yaml')), [
    `vs.yaml:${line}:9: spec.http[0].fault.abort.httpStatus: invalid abort http status 600: must be in range 200..599`,
  ]);
  // The bounds themselves are valid.
  for (const ok of [200, 599]) assert.equal(compileText(vs(ok)).virtualServices[0]!.http[0]!.fault?.abort?.httpStatus, ok);
});
