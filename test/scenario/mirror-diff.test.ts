// The mirror diff's pure rules (docs/mirror-diff.md): field paths, header and
// body comparison, ignore paths, and Diffy's noise classification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapturedResponse, MirrorPair } from '../../src/mesh/api.js';
import { diffResponses, flattenJson, isIgnored, isNoise, summarizeMirror } from '../../src/scenario/mirror-diff.js';
import { formatMirrorLines } from '../../src/scenario/mirror-report.js';

function resp(body: unknown, over: Partial<CapturedResponse> = {}): CapturedResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status: 200, headers: ['content-type', 'application/json'], body: text, truncated: false, latencyMs: 1, ...over };
}

test('flattenJson: every leaf by path; odd keys bracketed; empty containers are leaves', () => {
  const cases: Array<[unknown, Record<string, string>]> = [
    [{ headers: { Host: 'a' } }, { '$.headers.Host': '"a"' }],
    [{ list: [1, { x: null }] }, { '$.list[0]': '1', '$.list[1].x': 'null' }],
    [{ 'a b': true, 'X-Id': 2 }, { '$["a b"]': 'true', '$.X-Id': '2' }],
    [{ e: {}, f: [] }, { '$.e': '{}', '$.f': '[]' }],
    ['text', { $: '"text"' }],
  ];
  for (const [v, want] of cases) assert.deepEqual(Object.fromEntries(flattenJson(v)), want, JSON.stringify(v));
});

test('diffResponses: status, headers (per-hop ones skipped unless named), JSON leaves, text bodies', () => {
  const cases: Array<[string, CapturedResponse, CapturedResponse, Record<string, [string, string]>, { headers?: string[] }?]> = [
    ['identical', resp({ a: 1 }), resp({ a: 1 }), {}],
    ['status', resp({ a: 1 }), resp({ a: 1 }, { status: 503 }), { status: ['200', '503'] }],
    ['a JSON leaf', resp({ headers: { Host: 'h' } }), resp({ headers: { Host: 'h-shadow' } }), { '$.headers.Host': ['"h"', '"h-shadow"'] }],
    ['a field only one side has', resp({ a: 1 }), resp({ a: 1, b: 2 }), { '$.b': ['<absent>', '2'] }],
    ['key order is no difference', resp('{"a":1,"b":2}'), resp('{"b":2,"a":1}'), {}],
    ['text bodies', resp('one', { headers: [] }), resp('two', { headers: [] }), { body: ['one', 'two'] }],
    ['JSON vs text', resp({ a: 1 }), resp('oops'), { body: ['{"a":1}', 'oops'] }],
    // A body cut at the cap is not parsed as JSON: compared as text.
    ['truncated', resp('{"a":1', { truncated: true }), resp('{"a":2', { truncated: true }), { body: ['{"a":1', '{"a":2'] }],
    ['a header', resp({}, { headers: ['x-v', '1'] }), resp({}, { headers: ['x-v', '2'] }), { 'headers.x-v': ['1', '2'] }],
    ['date and content-length skipped', resp({}, { headers: ['date', 'x', 'content-length', '1'] }), resp({}, { headers: ['date', 'y', 'content-length', '2'] }), {}],
    ['a named header is compared, others not', resp({}, { headers: ['date', 'x', 'x-v', '1'] }), resp({}, { headers: ['date', 'y', 'x-v', '2'] }), { 'headers.date': ['x', 'y'] }, { headers: ['Date'] }],
    ['repeated headers joined', resp({}, { headers: ['set-cookie', 'a', 'set-cookie', 'b'] }), resp({}, { headers: ['set-cookie', 'a'] }), { 'headers.set-cookie': ['a, b', 'a'] }],
  ];
  for (const [name, a, b, want, opts] of cases) assert.deepEqual(Object.fromEntries(diffResponses(a, b, opts)), want, name);
});

test('isIgnored: exact, or a prefix ending at a path boundary', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['$.headers.Host', ['$.headers.Host'], true],
    ['$.headers.Host', ['$.headers'], true],
    ['$.list[3]', ['$.list'], true],
    ['$.headersX', ['$.headers'], false],
    ['headers.etag', ['headers.etag'], true],
    ['status', [], false],
  ];
  for (const [f, ignore, want] of cases) assert.equal(isIgnored(f, ignore), want, `${f} ${ignore.join(',')}`);
});

test('isNoise (Diffy thresholds): noisy unless the shadow differs clearly more often than the primary with itself', () => {
  const cases: Array<[number, number, boolean]> = [
    [0.01, 0, false], // never differs between primaries: any difference is real
    [0.1, 0.19, true], // less often than the noise
    [0.2, 0.19, true], // within 3 points
    [0.3, 0.19, false], // clearly above
    [1, 0.5, false],
    [0.55, 0.5, true], // above by 5 points but under 20 % relative
  ];
  for (const [shadow, noise, want] of cases) assert.equal(isNoise(shadow, noise), want, `${shadow} vs ${noise}`);
});

function pair(i: number, primary: CapturedResponse, shadow: CapturedResponse, replay?: CapturedResponse): MirrorPair {
  return { workload: 'w', requestId: `id-${i}`, path: '/p', primary, shadow, ...(replay ? { replay } : {}) };
}

test('summarizeMirror: real differences, noise learnt from replays, ignored fields, errors, latency', () => {
  const pairs: MirrorPair[] = [];
  for (let i = 0; i < 10; i++) {
    // $.uuid differs everywhere, primary vs replay too: noise. $.v differs in 2 pairs only vs shadow: real.
    const p = resp({ uuid: `p${i}`, v: 1, host: 'h' }, { latencyMs: i + 1 });
    const s = resp({ uuid: `s${i}`, v: i < 2 ? 2 : 1, host: 'h-shadow' }, { latencyMs: 10 * (i + 1) });
    pairs.push(pair(i, p, s, i % 2 ? resp({ uuid: `r${i}`, v: 1, host: 'h' }) : undefined));
  }
  pairs.push(pair(10, resp({}), resp('', { error: 'reset' })));
  pairs.push(pair(11, resp('', { error: 'timeout' }), resp({})));
  pairs.push(pair(12, resp({}), resp('', { error: 'timeout' }))); // a shadow that never answered: counted, not lost
  const m = summarizeMirror({ pairs, skipped: 4 }, { ignore: ['$.host'] });
  assert.equal(m.compared, 10);
  assert.equal(m.differing, 2);
  assert.equal(m.identical, 8);
  assert.equal(m.noiseOnly, 8);
  assert.equal(m.differingShare, 0.2);
  assert.deepEqual(m.fields, [{ field: '$.v', count: 2, example: { requestId: 'id-0', path: '/p', primary: '1', shadow: '2' } }]);
  assert.deepEqual(m.noise, [{ field: '$.uuid', count: 10 }]);
  assert.deepEqual(m.ignored, [{ field: '$.host', count: 10 }]);
  assert.equal(m.replayed, 5);
  assert.equal(m.shadowErrors, 2);
  assert.equal(m.shadowTimeouts, 1);
  assert.equal(m.primaryErrors, 1);
  assert.equal(m.captured, 13);
  assert.equal(m.skipped, 4);
  assert.deepEqual(m.latencyMs, { primary: { p50: 5, p99: 10 }, shadow: { p50: 50, p99: 100 } });
});

test('summarizeMirror without replays: every difference is real', () => {
  const pairs = [0, 1, 2].map((i) => pair(i, resp({ uuid: `p${i}` }), resp({ uuid: `s${i}` })));
  const m = summarizeMirror({ pairs, skipped: 0 });
  assert.equal(m.differing, 3);
  assert.deepEqual(m.noise, []);
  assert.equal(m.fields[0]!.field, '$.uuid');
  assert.equal(m.fields[0]!.example.shadow, '"s0"');
});

test('the text report names shadow timeouts, and captured vs not captured when the capture sampled', () => {
  const pairs: MirrorPair[] = [0, 1, 2].map((i) => ({ workload: 'w', requestId: `id-${i}`, path: '/p', primary: resp({ v: 1 }), shadow: resp({ v: 1 }) }));
  pairs.push({ workload: 'w', requestId: 'id-3', path: '/p', primary: resp({ v: 1 }), shadow: resp('', { error: 'timeout' }) });
  const [line] = formatMirrorLines(summarizeMirror({ pairs, skipped: 7 }));
  assert.equal(line, 'Mirror, primary vs shadow: 3 pairs compared, 3 identical, 0 differing (0%), 1 shadow errors (1 timeouts); 4 captured, 7 not (sampled out under load or capture bound)');
  const [quiet] = formatMirrorLines(summarizeMirror({ pairs: pairs.slice(0, 3), skipped: 0 }));
  assert.equal(quiet, 'Mirror, primary vs shadow: 3 pairs compared, 3 identical, 0 differing (0%), 0 shadow errors');
});
