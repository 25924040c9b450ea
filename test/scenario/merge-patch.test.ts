import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../src/scenario/merge-patch.js';

// RFC 7396 Appendix A: every example, verbatim.
const CASES: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('RFC 7396 appendix A examples', () => {
  for (const [target, patch, result] of CASES) {
    assert.deepEqual(applyMergePatch(target, patch), result, `${JSON.stringify(target)} + ${JSON.stringify(patch)}`);
  }
});

test('merge patch never mutates or shares its inputs', () => {
  const target = { spec: { trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 1 } } }, host: 'httpbin' } };
  const patch = { spec: { trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10 } } } } };
  const before = JSON.stringify(target);
  const out = applyMergePatch(target, patch) as typeof target;
  assert.equal(JSON.stringify(target), before);
  assert.equal(out.spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests, 10);
  assert.equal(out.spec.host, 'httpbin');
  assert.notEqual(out.spec, target.spec);
  // Mutating the result does not reach the patch either.
  (out.spec.trafficPolicy.connectionPool.http as Record<string, unknown>).x = 1;
  assert.equal('x' in patch.spec.trafficPolicy.connectionPool.http, false);
});
