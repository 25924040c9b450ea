// sweep: a step at several connection counts / rates, one uniquely named step per
// point (cross product, c outermost); expectations reach all points or one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from '../helpers/io.js';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';
import { ConfigErrors } from '../../src/errors.js';
import { compareRows, formatScenarioReport } from '../../src/scenario/report.js';

async function scenario(body: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mb-sweep-'));
  const f = join(dir, 's.yaml');
  await writeFile(f, `apiVersion: meshbench/v1\nkind: Scenario\nmetadata: { name: sweep }\nspec:\n${body}`);
  return [repo('scenarios/httpbin/httpbin.yaml'), f];
}

test('a sweep of c and qps expands to the cross product, each point a step with its values', async () => {
  const files = await scenario(`  load:
    url: http://httpbin:8000/get
    steps:
    - { name: load, n: 4, sweep: { c: [1, 2], qps: [0, 50] } }
    - { name: after, n: 2 }
  expect:
  - { step: load, code: 200, countAtLeast: 1 }
  - { step: "load@c=2,qps=50", calls: { equals: 4 } }
`);
  const p = await prepareScenario(files);
  const steps = p.scenario.load.steps;
  assert.deepEqual(steps.slice(0, 4).map((s) => [s.name, s.connections, s.qps]), [
    ['load@c=1,qps=0', 1, 0],
    ['load@c=1,qps=50', 1, 50],
    ['load@c=2,qps=0', 2, 0],
    ['load@c=2,qps=50', 2, 50],
  ]);
  assert.equal(steps[4]!.name, 'after');
  assert.equal(steps[4]!.sweep, undefined);
  assert.deepEqual(steps[3]!.sweep, { of: 'load', c: 2, qps: 50 });
  const out = await runPrepared(p, { files, seed: 1 });
  const so = out.variants[0]!.steps;
  assert.deepEqual(so.map((s) => s.step), ['load@c=1,qps=0', 'load@c=1,qps=50', 'load@c=2,qps=0', 'load@c=2,qps=50', 'after']);
  assert.deepEqual(so[2]!.sweep, { of: 'load', c: 2, qps: 0 });
  // step: load reaches every point; the point name one point only.
  assert.deepEqual(out.expectations.map((e) => [e.step, e.check]), [
    ['load@c=1,qps=0', 'code 200 count >= 1'],
    ['load@c=1,qps=50', 'code 200 count >= 1'],
    ['load@c=2,qps=0', 'code 200 count >= 1'],
    ['load@c=2,qps=50', 'code 200 count >= 1'],
    ['load@c=2,qps=50', 'calls == 4'],
  ]);
  assert.ok(out.expectations.every((e) => e.pass));
  // One comparison row per point, keyed by the point's step name.
  assert.deepEqual(compareRows(out).map((r) => r.step), so.map((s) => s.step));
  const report = formatScenarioReport(out, { from: 'meshbench' });
  assert.match(report, /step load@c=2,qps=50\n/);
  // The curve: one row per point.
  const curve = report.slice(report.indexOf('sweep load: one row per point'));
  assert.match(curve, /^sweep load: one row per point\npoint +variant +calls +qps +p50 ms +p99 ms +p99\.9 ms +non-2xx\n/);
  for (const point of ['c=1,qps=0', 'c=1,qps=50', 'c=2,qps=0', 'c=2,qps=50']) assert.match(curve, new RegExp(`^${point} +base +4 +\\d+\\.\\d .* 0\\.0%$`, 'm'));
  assert.doesNotMatch(curve, /^after/m);
});

test('sweep errors name the field: bad values, duplicates, a fixed c beside a swept c, "@" in names, unknown point', async () => {
  const files = await scenario(`  load:
    url: http://httpbin:8000/get
    steps:
    - { name: a, n: 4, c: 2, sweep: { c: [1, 1, 0] } }
    - { name: b, n: 4, sweep: { conns: [1] } }
    - { name: "c@x", n: 4 }
    - { name: d, n: 4, sweep: { qps: [] } }
  expect:
  - { step: "a@c=9", calls: { equals: 4 } }
`);
  await assert.rejects(prepareScenario(files), (e: unknown) => {
    assert.ok(e instanceof ConfigErrors);
    const text = e.errors.map((x) => x.message).join('\n');
    assert.match(text, /steps\[0\]\.sweep\.c\[1\]: c 1 is swept twice/);
    assert.match(text, /steps\[0\]\.sweep\.c\[2\]: expected an integer between 1 and 10000, got 0/);
    assert.match(text, /steps\[0\]\.c: the step sweeps c; drop the fixed c/);
    assert.match(text, /steps\[1\]\.sweep\.conns: unknown field "conns"/);
    assert.match(text, /steps\[2\]\.name: "@" is reserved for the points of a sweep/);
    assert.match(text, /steps\[3\]\.sweep\.qps: needs at least one value/);
    assert.match(text, /expect\[0\]\.step: unknown step "a@c=9"/);
    return true;
  });
});
