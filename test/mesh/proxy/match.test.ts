// Pure route matching (spec §1.3, §2.3): uri exact/prefix/regex with query
// handling, ignoreUriCase, headers, withoutHeaders (missing-as-empty), query
// params, method/authority, and the config-time selectors (spec §2.2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledMatch, compileRegex, configTimeApplies, type RequestView } from '../../../src/mesh/route/match.js';
import type { HttpMatch } from '../../../src/mesh/config/model.js';

const m = (p: Partial<HttpMatch>): CompiledMatch =>
  new CompiledMatch({ headers: {}, withoutHeaders: {}, queryParams: {}, ignoreUriCase: false, ...p });
const rq = (path: string, headers: Record<string, string> = {}, method = 'GET', authority = 'httpbin:8000'): RequestView => ({
  method,
  path,
  authority,
  scheme: 'http',
  headers,
});

test('uri exact and regex ignore the query string; prefix sees the raw path (spec §2.3)', () => {
  assert.ok(m({ uri: { exact: '/get' } }).matches(rq('/get?a=1')));
  assert.ok(!m({ uri: { exact: '/get' } }).matches(rq('/get/x')));
  assert.ok(m({ uri: { prefix: '/st' } }).matches(rq('/status/200')));
  assert.ok(!m({ uri: { prefix: '/get?a' } }).matches(rq('/get')));
  assert.ok(m({ uri: { prefix: '/get?a' } }).matches(rq('/get?a=1')));
  assert.ok(m({ uri: { regex: '/status/\\d{3}' } }).matches(rq('/status/200?x')));
  // Full-string RE2 semantics: \d{3} does not match 1234.
  assert.ok(!m({ uri: { regex: '/status/\\d{3}' } }).matches(rq('/status/2000')));
  assert.ok(!m({ uri: { regex: 'status' } }).matches(rq('/status')));
});

test('ignoreUriCase affects exact/prefix, not regex; (?i) makes regex case-insensitive', () => {
  assert.ok(m({ uri: { exact: '/Get' }, ignoreUriCase: true }).matches(rq('/gET')));
  assert.ok(m({ uri: { prefix: '/ST' }, ignoreUriCase: true }).matches(rq('/status')));
  assert.ok(!m({ uri: { regex: '/GET' }, ignoreUriCase: true }).matches(rq('/get')));
  assert.ok(m({ uri: { regex: '(?i)/GET' } }).matches(rq('/get')));
  assert.ok(compileRegex('a|b').test('b'));
  assert.ok(!compileRegex('a|b').test('ab'));
});

test('headers: exact/prefix/regex/present; missing header never matches', () => {
  const j = m({ headers: { 'end-user': { exact: 'jason' } } });
  assert.ok(j.matches(rq('/', { 'end-user': 'jason' })));
  assert.ok(!j.matches(rq('/', { 'end-user': 'Jason' })));
  assert.ok(!j.matches(rq('/')));
  assert.ok(m({ headers: { x: { present: true } } }).matches(rq('/', { x: '' })));
  assert.ok(!m({ headers: { x: { present: true } } }).matches(rq('/')));
  assert.ok(m({ headers: { x: { prefix: 'ab' } } }).matches(rq('/', { x: 'abc' })));
  assert.ok(m({ headers: { x: { regex: 'a.c' } } }).matches(rq('/', { x: 'abc' })));
  assert.ok(!m({ headers: { x: { regex: 'a.c' } } }).matches(rq('/', { x: 'abcd' })));
});

test('withoutHeaders: inverted; a missing header counts as the empty string (spec §2.3)', () => {
  const w = m({ withoutHeaders: { 'end-user': { exact: 'jason' } } });
  assert.ok(w.matches(rq('/')));
  assert.ok(w.matches(rq('/', { 'end-user': 'bob' })));
  assert.ok(!w.matches(rq('/', { 'end-user': 'jason' })));
  // exact "" inverted: a missing header is "", so it does NOT match.
  assert.ok(!m({ withoutHeaders: { x: { exact: '' } } }).matches(rq('/')));
  // {} inverted = header absent.
  assert.ok(m({ withoutHeaders: { x: { present: true } } }).matches(rq('/')));
  assert.ok(!m({ withoutHeaders: { x: { present: true } } }).matches(rq('/', { x: '1' })));
});

test('queryParams, method, authority; AND within one match item', () => {
  assert.ok(m({ queryParams: { id: { regex: '\\d+' } } }).matches(rq('/p?id=123')));
  assert.ok(!m({ queryParams: { id: { regex: '\\d+' } } }).matches(rq('/p?id=a123')));
  assert.ok(m({ queryParams: { k: { exact: '' } } }).matches(rq('/p?k')));
  assert.ok(!m({ queryParams: { k: { exact: '' } } }).matches(rq('/p')));
  assert.ok(m({ method: { exact: 'POST' } }).matches(rq('/', {}, 'POST')));
  assert.ok(!m({ method: { exact: 'POST' } }).matches(rq('/')));
  assert.ok(m({ authority: { prefix: 'httpbin' } }).matches(rq('/')));
  const both = m({ uri: { prefix: '/a' }, headers: { x: { exact: '1' } } });
  assert.ok(both.matches(rq('/ab', { x: '1' })));
  assert.ok(!both.matches(rq('/ab')));
  assert.ok(!both.matches(rq('/b', { x: '1' })));
});

test('catch-all detection: no condition, or prefix "/" only (Istio IsCatchAllRoute)', () => {
  assert.ok(m({}).isCatchAll);
  assert.ok(m({ uri: { prefix: '/' } }).isCatchAll);
  assert.ok(m({ uri: { regex: '.*' } }).isCatchAll);
  assert.ok(!m({ uri: { regex: '/.*' } }).isCatchAll);
  assert.ok(!m({ uri: { prefix: '/a' } }).isCatchAll);
  assert.ok(!m({ uri: { prefix: '/' }, headers: { x: { present: true } } }).isCatchAll);
});

test('config-time selectors: sourceLabels subset, sourceNamespace, port, gateways (spec §2.2)', () => {
  const src = { labels: { app: 'reviews', version: 'v2' }, namespace: 'default', port: 9080 };
  const base: HttpMatch = { headers: {}, withoutHeaders: {}, queryParams: {}, ignoreUriCase: false };
  assert.ok(configTimeApplies({ ...base, sourceLabels: { app: 'reviews' } }, src));
  assert.ok(!configTimeApplies({ ...base, sourceLabels: { app: 'reviews', version: 'v1' } }, src));
  assert.ok(configTimeApplies({ ...base, sourceNamespace: 'default' }, src));
  assert.ok(!configTimeApplies({ ...base, sourceNamespace: 'other' }, src));
  assert.ok(configTimeApplies({ ...base, port: 9080 }, src));
  assert.ok(!configTimeApplies({ ...base, port: 8000 }, src));
  assert.ok(!configTimeApplies({ ...base, gateways: ['my-gw'] }, src));
  assert.ok(configTimeApplies({ ...base, gateways: ['mesh'] }, src));
});
