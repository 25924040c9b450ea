// percent.ts, string-match.ts: the value types of spec §1 (durations: duration.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromIntegerPercent, fromPercentValue } from '../../../src/mesh/config/percent.js';
import { checkRegex } from '../../../src/mesh/config/string-match.js';
import { compileText, errorsOf } from './helpers.js';

test('percentages: value → per-million (truncated), legacy integers → per-hundred (spec §1.2)', () => {
  assert.deepEqual(fromPercentValue(100), { numerator: 1_000_000, denominator: 1_000_000 });
  assert.deepEqual(fromPercentValue(0.0001), { numerator: 1, denominator: 1_000_000 });
  assert.deepEqual(fromPercentValue(12.34567), { numerator: 123456, denominator: 1_000_000 });
  assert.deepEqual(fromPercentValue(0), { numerator: 0, denominator: 1_000_000 });
  assert.equal(fromPercentValue(0.00001), 'percentage must be 0 or between 0.0001 and 100, got 0.00001');
  assert.equal(fromPercentValue(101), 'percentage must be 0 or between 0.0001 and 100, got 101');
  assert.deepEqual(fromIntegerPercent(100), { numerator: 100, denominator: 100 });
  assert.equal(typeof fromIntegerPercent(101), 'string');
});

test('regex check accepts RE2 (?i) prefix and rejects broken patterns', () => {
  assert.equal(checkRegex('(?i)/api/v[0-9]+/.*'), undefined);
  assert.equal(checkRegex('\\d{3}'), undefined);
  assert.ok(checkRegex('(unclosed'));
});

const vs = (match: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: m}
spec:
  hosts: [httpbin]
  http:
  - match:
${match}
    route:
    - destination: {host: httpbin}
`;

test('StringMatch: exact/prefix/regex, {} and regex "*" are presence checks (spec §1.3)', () => {
  const cfg = compileText(
    vs(`    - uri: {prefix: /api}
      method: {exact: GET}
      headers:
        End-User: {regex: "*"}
        x-present: {}
        x-null:
        authority: {exact: ignored}
      withoutHeaders:
        x-canary: {exact: "true"}
      queryParams:
        id: {regex: "\\\\d+"}
      ignoreUriCase: true`),
  );
  const m = cfg.virtualServices[0].http[0].match[0];
  assert.deepEqual(m.uri, { prefix: '/api' });
  assert.deepEqual(m.method, { exact: 'GET' });
  assert.deepEqual(m.headers, { 'end-user': { present: true }, 'x-present': { present: true }, 'x-null': { present: true } });
  assert.deepEqual(m.withoutHeaders, { 'x-canary': { exact: 'true' } });
  assert.deepEqual(m.queryParams, { id: { regex: '\\d+' } });
  assert.equal(m.ignoreUriCase, true);
});

test('StringMatch with two kinds set, or a bad regex, is an error', () => {
  const errs = errorsOf(() => compileText(vs(`    - uri: {exact: /a, prefix: /b}\n    - uri: {regex: "(x"}`), 'm.yaml'));
  assert.equal(errs.length, 2);
  assert.equal(errs[0], 'm.yaml:9:7: spec.http[0].match[0].uri: only one of exact, prefix, regex may be set (got exact, prefix)');
  assert.equal(errs[1], 'm.yaml:10:13: spec.http[0].match[1].uri.regex: invalid regex "(x": Unterminated group');
});
