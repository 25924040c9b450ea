// duration.ts, percent.ts, string-match.ts: the value types of spec §1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration, parseIstioDuration } from '../../../src/mesh/config/duration.js';
import { fromIntegerPercent, fromPercentValue } from '../../../src/mesh/config/percent.js';
import { checkRegex } from '../../../src/mesh/config/string-match.js';
import { compileText, errorsOf } from './helpers.js';

test('Go ParseDuration syntax (spec §1.1)', () => {
  assert.equal(parseGoDuration('7s'), 7_000_000_000n);
  assert.equal(parseGoDuration('1m30s'), 90_000_000_000n);
  assert.equal(parseGoDuration('1.5s'), 1_500_000_000n);
  assert.equal(parseGoDuration('.5s'), 500_000_000n);
  assert.equal(parseGoDuration('1h'), 3_600_000_000_000n);
  assert.equal(parseGoDuration('250µs'), 250_000n);
  assert.equal(parseGoDuration('0'), 0n);
  assert.equal(parseGoDuration('-2ms'), -2_000_000n);
  assert.equal(parseGoDuration('5'), 'invalid duration "5": missing unit (one of ns, us, ms, s, m, h), e.g. 5s');
  assert.equal(parseGoDuration('5 s'), 'invalid duration "5 s": unknown unit " s" (one of ns, us, ms, s, m, h)');
  assert.equal(parseGoDuration('s'), 'invalid duration "s": expected a number followed by a unit, e.g. 5s, 100ms, 1m30s');
  assert.equal(parseGoDuration('3d'), 'invalid duration "3d": unknown unit "d" (one of ns, us, ms, s, m, h)');
});

test('Istio duration rule: at least 1ms and whole milliseconds (spec §1.1)', () => {
  assert.equal(parseIstioDuration('0.5s'), 500);
  assert.equal(parseIstioDuration('3m'), 180_000);
  assert.equal(parseIstioDuration('1ms'), 1);
  assert.equal(parseIstioDuration('1500us'), 'invalid duration "1500us": only durations to ms precision are supported');
  assert.equal(parseIstioDuration('0s'), 'invalid duration "0s": must be at least 1ms');
  assert.equal(parseIstioDuration('0s', true), 0);
  assert.equal(parseIstioDuration('-1s'), 'invalid duration "-1s": must be at least 1ms');
  assert.equal(parseIstioDuration(5), 'invalid duration 5: expected a string with a unit, e.g. "5s"');
});

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
