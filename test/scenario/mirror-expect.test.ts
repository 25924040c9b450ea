// `mirror:` expectations and `spec.mirrorDiff` (docs/mirror-diff.md): parsing,
// located errors, and verdicts against a step's mirror summary.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../src/mesh/config/source.js';
import { ConfigErrors } from '../../src/errors.js';
import { splitScenario } from '../../src/scenario/parse.js';
import { evaluateAll } from '../../src/scenario/expectations.js';
import type { MirrorSummary } from '../../src/scenario/mirror-diff.js';
import { seedC3 } from './fixtures.js';

function scenario(spec: string) {
  const text = `apiVersion: meshbench/v1
kind: Scenario
spec:
  load: { url: 'http://httpbin:8000/get', steps: [{ name: c3, n: 30 }] }
${spec}`;
  return splitScenario(parseSource(text, 'm.yaml'), ['m.yaml']).scenario;
}

function errorsOf(spec: string): string[] {
  try {
    scenario(spec);
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  assert.fail('expected ConfigErrors');
}

const SUMMARY: MirrorSummary = {
  compared: 100,
  identical: 97,
  differing: 3,
  differingShare: 0.03,
  noiseOnly: 10,
  fields: [{ field: '$.v', count: 3, example: { requestId: 'r', path: '/get', primary: '1', shadow: '2' } }],
  noise: [{ field: '$.uuid', count: 100 }],
  ignored: [{ field: '$.headers.Host', count: 100 }],
  replayed: 10,
  shadowErrors: 0,
  shadowTimeouts: 0,
  primaryErrors: 0,
  captured: 100,
  skipped: 0,
  latencyMs: { primary: { p50: 1, p99: 2 }, shadow: { p50: 1, p99: 2 } },
};

test('mirrorDiff parses with defaults; bad values are located', () => {
  const s = scenario(`  mirrorDiff: { ignore: [$.headers.Host], headers: [content-type], replayPercent: 5 }`);
  assert.deepEqual(s.mirrorDiff, { headers: ['content-type'], ignore: ['$.headers.Host'], replayPercent: 5 });
  assert.deepEqual(scenario(`  mirrorDiff: {}`).mirrorDiff, { ignore: [], replayPercent: 0 });
  const errs = errorsOf(`  mirrorDiff: { replayPercent: 150, ignor: [] }`);
  assert.equal(errs.length, 2);
  assert.match(errs.join('\n'), /m\.yaml:5:\d+: spec\.mirrorDiff\.replayPercent: must be between 0 and 100, got 150/);
  assert.match(errs.join('\n'), /m\.yaml:5:\d+: spec\.mirrorDiff\.ignor: .*ignore/);
});

test('mirror expectations: share, counts and per-field counts pass and fail with the measured value', () => {
  const s = scenario(`  expect:
  - { mirror: { differingShareAtMost: 0.01 } }
  - { mirror: { differingShareAtMost: 0.05, comparedAtLeast: 100 } }
  - { mirror: { field: $.v, countAtMost: 0 } }
  - { mirror: { field: $.uuid, count: 100 } }
  - { mirror: { field: $.headers.Host, count: 100 } }
  - { mirror: { field: $.absent, count: 0 } }
`);
  const step = { ...seedC3(), mirror: SUMMARY };
  const out = evaluateAll(s.expect, step);
  assert.deepEqual(out.map((r) => r.pass), [false, true, false, true, true, true]);
  assert.equal(out[0]!.check, 'mirror differingShare <= 0.01');
  assert.equal(out[0]!.actual, '0.03 (3 of 100)');
  assert.equal(out[2]!.actual, '3 of 100 pairs');
  assert.equal(out[3]!.actual, '100 of 100 pairs (noise)');
  assert.equal(out[4]!.actual, '100 of 100 pairs (ignored)');
});

test('a mirror expectation fails, never passes vacuously, when nothing was compared', () => {
  const s = scenario(`  expect:
  - { mirror: { differingShareAtMost: 0.01 } }
  - { mirror: { field: status, countAtMost: 0 } }
`);
  const none = evaluateAll(s.expect, seedC3());
  assert.deepEqual(none.map((r) => r.pass), [false, false]);
  assert.match(none[0]!.actual, /no mirror pairs captured/);
  const allFailed = evaluateAll(s.expect, { ...seedC3(), mirror: { ...SUMMARY, compared: 0, identical: 0, differing: 0, shadowErrors: 5 } });
  assert.deepEqual(allFailed.map((r) => r.pass), [false, false]);
  assert.match(allFailed[0]!.actual, /no pair compared \(5 shadow errors/);
});

test('mirror expectation mistakes are located', () => {
  const errs = errorsOf(`  expect:
  - { mirror: { differingShareAtMost: 2 } }
  - { mirror: { field: $.v } }
  - { mirror: { field: $.v, differingAtMost: 1 } }
  - { mirror: { differingAtMost: 1 }, count: 3 }
`);
  assert.equal(errs.length, 4, errs.join('\n'));
  assert.match(errs[0]!, /spec\.expect\[0\]\.mirror\.differingShareAtMost: must be between 0 and 1, got 2/);
  assert.match(errs[1]!, /spec\.expect\[1\]\.mirror: no threshold given for mirror field/);
  assert.match(errs[2]!, /spec\.expect\[2\]\.mirror\.differingAtMost/);
  assert.match(errs[3]!, /spec\.expect\[3\]\.count: does not apply to a mirror expectation/);
});
