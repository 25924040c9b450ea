// --repeat end to end through runCommand: real YAML, real mesh threads, real
// load on 127.0.0.1. Steps are kept tiny (n=10): the point is the bookkeeping
// of repeats and that the intervals come out of the real per-repeat numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/run.js';
import { rowsOf } from '../../src/report/result-rows.js';
import { compareRowGroups } from '../../src/report/metrics.js';
import { prepareScenario, repeatOrder } from '../../src/scenario/runner.js';
import { statsRandom } from '../../src/scenario/report.js';
import { capture, repo } from '../helpers/io.js';

let dir = '';
let scenario = '';
const HTTPBIN = repo('scenarios/httpbin/httpbin.yaml');

// "slow" injects a 50 ms delay on every call: its p50 is far above fast's on any machine.
const SCENARIO = (repeat = '') => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: httpbin }
spec:
  hosts: [httpbin]
  http:
  - route:
    - destination: { host: httpbin }
---
apiVersion: meshbench/v1
kind: Scenario
metadata: { name: rep }
spec:
${repeat}  load:
    url: http://httpbin:8000/get
    steps: [{ name: s1, c: 2, qps: 0, n: 10 }]
  variants:
  - { name: fast }
  - name: slow
    patches:
    - target: { kind: VirtualService, name: httpbin }
      merge:
        spec:
          http:
          - fault: { delay: { percentage: { value: 100 }, fixedDelay: 50ms } }
            route:
            - destination: { host: httpbin }
`;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-repeat-'));
  scenario = join(dir, 'rep.yaml');
  await writeFile(scenario, SCENARIO());
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('repeatOrder: every round runs each variant once, shuffled from the seed; one round keeps the order', () => {
  assert.deepEqual(repeatOrder(3, 1, 5), [0, 1, 2].map((variant) => ({ variant, round: 1 })));
  const runs = repeatOrder(3, 20, 5);
  assert.equal(runs.length, 60);
  const rounds = Array.from({ length: 20 }, (_, r) => runs.filter((x) => x.round === r + 1).map((x) => x.variant));
  for (const order of rounds) assert.deepEqual([...order].sort(), [0, 1, 2]);
  // Shuffled: not every round in scenario order; the same seed, the same schedule.
  assert.ok(rounds.some((o) => o.join() !== '0,1,2'), JSON.stringify(rounds));
  assert.deepEqual(repeatOrder(3, 20, 5), runs);
  assert.notDeepEqual(repeatOrder(3, 20, 6), runs);
});

test('--repeat 3: three fresh runs per variant, kept per repeat in the JSON, intervals and verdicts in the table', async () => {
  const json = join(dir, 'out.json');
  const c = capture();
  const code = await runCommand([HTTPBIN, scenario, '--repeat', '3', '--seed', '7', '--no-tui', '--json', json], c.io);
  assert.equal(code, 0, c.out() + c.err());
  // Progress counts runs, not variants: 6 fresh meshes.
  assert.equal((c.err().match(/booting a fresh mesh/g) ?? []).length, 6);
  assert.match(c.err(), /variant \w+ \(6\/6\)/);
  assert.match(c.out(), /── fast \/ s1 \(repeat 3\) ──/);
  assert.match(c.out(), /step s1 \(baseline: fast\) — 3 repeats each/);
  assert.match(c.out(), /^slow .*±.* \[.*\] worse/m);

  const doc = JSON.parse(await readFile(json, 'utf8'));
  assert.equal(doc.repeat, 3);
  assert.deepEqual(
    doc.variants.map((v: { name: string; round: number }) => `${v.name}#${v.round}`),
    ['fast#1', 'fast#2', 'fast#3', 'slow#1', 'slow#2', 'slow#3'],
  );
  for (const v of doc.variants) {
    assert.equal(v.steps.length, 1);
    assert.equal(v.steps[0].round, v.round);
    assert.equal(v.steps[0].result.meshbench.serviceTime.count, 10);
  }
  const rows = rowsOf(doc, json);
  assert.deepEqual(rows.map((r) => `${r.variant}#${r.round}`), ['fast#1', 'fast#2', 'fast#3', 'slow#1', 'slow#2', 'slow#3']);
  // Every slow repeat carries the 50 ms delay; fast ones do not.
  for (const r of rows) assert.ok(r.variant === 'slow' ? r.p50 >= 50 : r.p50 < 50, `${r.variant}#${r.round} p50 ${r.p50}`);

  const results = compareRowGroups(rows.slice(0, 3), rows.slice(3), statsRandom());
  for (const m of results) {
    for (const iv of [m.base, m.cand, m.diff]) assert.ok(iv.lo <= iv.estimate + 1e-9 && iv.estimate <= iv.hi + 1e-9, `${m.def.name} ${JSON.stringify(iv)}`);
    assert.equal(m.hasInterval, true);
  }
  const p50 = results.find((m) => m.def.name === 'p50')!;
  assert.equal(p50.verdict, 'worse');
  // Resampled means stay within each side's range: the interval within [min(slow) − max(fast), max(slow) − min(fast)].
  const fastP50 = rows.slice(0, 3).map((r) => r.p50);
  const slowP50 = rows.slice(3).map((r) => r.p50);
  assert.ok(p50.diff.lo > 0 && p50.diff.lo >= Math.min(...slowP50) - Math.max(...fastP50) - 1e-9, JSON.stringify(p50.diff));
  assert.ok(p50.diff.hi <= Math.max(...slowP50) - Math.min(...fastP50) + 1e-9, JSON.stringify(p50.diff));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.equal(p50.cand.estimate, mean(rows.slice(3).map((r) => r.p50)));
  const ok = results.find((m) => m.def.name === 'code.200')!;
  assert.equal(ok.verdict, 'same');

  // bench run --baseline: the fast rows of this run as a saved baseline; slow fails the gate.
  const base = join(dir, 'base.json');
  await writeFile(base, JSON.stringify({ ...doc, compare: doc.compare.filter((r: { variant: string }) => r.variant === 'fast') }));
  const junit = join(dir, 'gate.xml');
  const g = capture();
  const gcode = await runCommand([HTTPBIN, scenario, '--variant', 'slow', '--repeat', '2', '--no-tui', '--baseline', base, '--fail-on', 'p50>+10%', '--junit', junit], g.io);
  assert.equal(gcode, 1, g.out() + g.err());
  assert.match(g.out(), /gate: FAILED 1 of 1 checks/);
  assert.match(g.out(), /FAIL s1 \/ slow vs fast \(.*base\.json\): p50>\+10%/);
  assert.match(await readFile(junit, 'utf8'), /<testcase classname="s1\.slow" name="p50&gt;\+10%">\n\s+<failure /);
});

test('spec.repeat sets the runs per variant; 0 is an error at its file:line:col', async () => {
  const good = join(dir, 'rep2.yaml');
  await writeFile(good, SCENARIO('  repeat: 2\n'));
  assert.equal((await prepareScenario([HTTPBIN, good])).scenario.repeat, 2);
  const bad = join(dir, 'rep0.yaml');
  await writeFile(bad, SCENARIO('  repeat: 0\n'));
  await assert.rejects(prepareScenario([HTTPBIN, bad]), (e: Error) => e.message.includes(`${bad}:14:`) && /repeat/.test(e.message));
});
