import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/mesh/config/source.js';
import { splitScenario } from '../../src/scenario/parse.js';
import { evaluateAll, formatVerdict } from '../../src/scenario/expectations.js';
import { CLUSTER, seedC3 } from './fixtures.js';

function expectations(lines: string) {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: httpbin-v2 }
spec: { template: { metadata: { labels: { app: httpbin, version: v2 } }, spec: { containers: [{ image: kennethreitz/httpbin }] } } }
---
apiVersion: meshbench/v1
kind: Scenario
spec:
  load: { url: 'http://httpbin:8000/get', steps: [{ name: c3, n: 30 }, { name: c1, n: 20 }] }
  variants: [{ name: seed-dr }, { name: mirror }]
  expect:
${lines}`;
  return splitScenario(parseSource(text, 'e.yaml'), ['e.yaml']).scenario.expect;
}

test('code counts, shares, counters, percentiles and upstream counts: pass and fail with the measured value', () => {
  const exp = expectations(`  - { step: c3, code: 503, shareAtLeast: 0.1 }
  - { step: c3, code: 503, count: 0 }
  - { counter: upstream_rq_pending_overflow, equalsCode: 503 }
  - { counter: upstream_rq_pending_overflow, subset: '', atMost: 5 }
  - { counter: 'cluster.${CLUSTER}.upstream_rq_total', equals: 20 }
  - { counter: upstream_rq_pending_overflw, atMost: 100 }
  - { p99: { lessThanMs: 50 } }
  - { p50: { lessThanMs: 1 } }
  - { qps: { atLeast: 100 } }
  - { calls: { equals: 30 } }
  - { upstream: { version: v1 }, requestsAtLeast: 20, shareAtLeast: 1 }
  - { upstream: { workload: httpbin-v2 }, requestsAtLeast: 1 }
  - { step: c1, code: 200, count: 20 }
  - { variant: mirror, code: 200, count: 0 }
`);
  const out = evaluateAll(exp, seedC3());
  // c1 and mirror-only entries do not apply to (seed-dr, c3).
  assert.equal(out.length, 12);
  const verdicts = out.map((r) => [r.check, r.pass, r.actual]);
  assert.deepEqual(verdicts, [
    ['code 503 share >= 0.1', true, '0.3333 (10 of 30)'],
    ['code 503 count == 0', false, '10 of 30'],
    ['counter upstream_rq_pending_overflow == code 503 count (10)', true, '10'],
    ['counter upstream_rq_pending_overflow (subset "") <= 5', false, '10'],
    [`counter cluster.${CLUSTER}.upstream_rq_total == 20`, true, '20'],
    ['counter upstream_rq_pending_overflw <= 100', false, `no counter "upstream_rq_pending_overflw" on ${CLUSTER}`],
    ['p99 < 50 ms', true, '21.2 ms'],
    ['p50 < 1 ms', false, '2.45 ms'],
    ['achieved qps >= 100', true, '659.7 qps'],
    ['calls == 30', true, '30'],
    ['upstream version=v1 requests >= 20 and share >= 1', true, '20 requests; 1 (20 of 20)'],
    ['upstream workload=httpbin-v2 requests >= 1', false, '0 requests'],
  ]);
  assert.match(formatVerdict(out[1]), /^FAIL seed-dr \/ c3: code 503 count == 0 — got 10 of 30 {2}\[e\.yaml:13:5\]$/);
  assert.match(formatVerdict(out[0]), /^ok {3}seed-dr \/ c3/);
});
