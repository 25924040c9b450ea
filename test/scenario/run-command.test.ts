// End to end through `runCommand`: real YAML files, a real mesh thread, real load
// workers, sockets on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/run.js';
import { compareCommand } from '../../src/cli/compare.js';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';

const ESC = /\x1b/;
let dir = '';

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-run-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('httpbin-cb: the seed outcome, every expectation passes, JSON and plain output without escapes', async () => {
  const c = capture();
  const json = join(dir, 'cb.json');
  const code = await runCommand([repo('scenarios/httpbin-cb.yaml'), '--no-tui', '--json', json, '--seed', '7'], c.io);
  assert.equal(code, 0, c.out() + c.err());
  assert.doesNotMatch(c.out() + c.err(), ESC);
  const out = c.out();
  assert.match(out, /── seed-dr \/ c1 ──/);
  assert.match(out, /Code 200 : 20 \(100\.0 %\)/);
  assert.match(out, /upstream_rq_pending_overflow : \d+/);
  assert.match(out, /Comparison:/);
  assert.match(out, /Expectations: 12 of 12 passed/);
  assert.match(c.err(), /\[seed-dr\] c3: c=3 qps=max n=30/);
  assert.match(c.err(), new RegExp(`Successfully wrote \\d+ bytes of Json data to ${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  const doc = JSON.parse(await readFile(json, 'utf8'));
  assert.equal(doc.scenario, 'httpbin-circuit-breaking');
  assert.equal(doc.seed, 7);
  assert.equal(doc.interrupted, false);
  assert.deepEqual(doc.variants.map((v: { name: string }) => v.name), ['seed-dr', 'pending-10']);
  const c3 = doc.variants[0].steps[2];
  assert.equal(c3.step, 'c3');
  const codes = c3.result.fortio.RetCodes as Record<string, number>;
  assert.equal((codes['200'] ?? 0) + (codes['503'] ?? 0), 30);
  assert.ok(codes['503'] >= 3, JSON.stringify(codes)); // spec §10.1: c=3 trips the breaker
  // Every 503 is a pending overflow of the destination cluster (spec §4.3).
  assert.equal(c3.counters.upstream_rq_pending_overflow, codes['503']);
  assert.equal(c3.clusters[0], 'outbound|8000||httpbin.default.svc.cluster.local');
  assert.equal(c3.perVersion['httpbin v1'], codes['200']);
  assert.ok(c3.expectations.every((e: { pass: boolean }) => e.pass));
  // A fresh mesh per variant: pending-10's c1 starts from zero counters.
  assert.equal(doc.variants[1].steps[0].counters.upstream_rq_total, 20);
  assert.equal(doc.compare.length, 6);

  // bench compare prints the same table from the saved file.
  const cc = capture();
  assert.equal(await compareCommand([json], cc.io), 0, cc.err());
  assert.match(cc.out(), /step c3 \(baseline: seed-dr\)/);
  assert.match(cc.out(), /pending-10/);
  assert.doesNotMatch(cc.out(), ESC);
});

test('a failed expectation prints why and where, and exits 1; --variant runs only that variant', async () => {
  const file = join(dir, 'fail.yaml');
  await writeFile(
    file,
    `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: must-fail }
spec:
  load:
    url: http://httpbin:8000/status/418
    steps: [{ name: s1, c: 2, qps: 0, n: 10 }]
  variants: [{ name: a }, { name: b }]
  expect:
  - { code: 418, count: 10 }
  - { code: 200, countAtLeast: 1 }
`,
  );
  const c = capture();
  const code = await runCommand([repo('scenarios/httpbin/httpbin.yaml'), file, '--variant', 'b', '--no-tui'], c.io);
  assert.equal(code, 1, c.out() + c.err());
  assert.match(c.out(), /Expectations: 1 of 2 passed/);
  assert.match(c.out(), new RegExp(`FAIL b / s1: code 200 count >= 1 — got 0 of 10 {2}\\[${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:5\\]`));
  assert.doesNotMatch(c.out(), /── a \/ s1/);
});

test('interrupting mid-step still prints the partial report, writes JSON and exits 130', async () => {
  const file = join(dir, 'long.yaml');
  const json = join(dir, 'long.json');
  await writeFile(
    file,
    `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: long }
spec:
  load:
    url: http://httpbin:8000/get
    steps: [{ name: slow, c: 2, qps: 40, t: 20s }, { name: never, c: 1, n: 5 }]
  expect:
  - { code: 200, countAtLeast: 1000000 }
`,
  );
  const c = capture();
  const ac = new AbortController();
  const started = Date.now();
  let ticked = false;
  c.io.stderr.on('data', () => {
    // Abort once the step is underway (its header line has been printed).
    if (!ticked && /slow: c=2/.test(c.err())) {
      ticked = true;
      setTimeout(() => ac.abort(), 800);
    }
  });
  const code = await runCommand([repo('scenarios/httpbin/httpbin.yaml'), file, '--no-tui', '--json', json], { ...c.io, signal: ac.signal });
  assert.equal(code, 130, c.out() + c.err());
  assert.ok(Date.now() - started < 10_000, 'the 20 s step stopped early');
  assert.match(c.out(), /Scenario long — INTERRUPTED, partial results/);
  assert.match(c.out(), /── slow \(interrupted\) ──/);
  assert.doesNotMatch(c.out(), /── never/);
  assert.match(c.out(), /Interrupted: expectations were not evaluated\./);
  const doc = JSON.parse(await readFile(json, 'utf8'));
  assert.equal(doc.interrupted, true);
  const slow = doc.variants[0].steps[0];
  assert.equal(slow.interrupted, true);
  assert.ok(slow.result.fortio.DurationHistogram.Count > 0);
  assert.ok(slow.result.fortio.DurationHistogram.Count < 800);
  assert.equal(doc.variants[0].steps.length, 1);
});

test('bad input exits 2 with one line naming the file:line:col or the flag', async () => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(
    bad,
    `apiVersion: meshbench/v1
kind: Scenario
spec:
  load:
    url: http://httpbin:8000/get
    steps: [{ name: s1, c: 1, n: 1, qpz: 3 }]
`,
  );
  let c = capture();
  assert.equal(await main(['run', repo('scenarios/httpbin/httpbin.yaml'), bad, '--no-tui'], c.io), 2);
  assert.equal(c.err().trim().split('\n').length, 1);
  assert.match(c.err(), new RegExp(`^bench: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:37: spec\\.load\\.steps\\[0\\]\\.qpz: unknown field "qpz" \\(did you mean "qps"\\?\\)`));
  c = capture();
  assert.equal(await main([repo('scenarios/httpbin-cb.yaml'), '--turbo'], c.io), 2);
  assert.equal(c.err(), 'bench: unknown flag --turbo (flags: --variant --json --html --no-tui --seed --strict-images --istio --repeat --baseline --fail-on --junit --markdown)\n');
  c = capture();
  assert.equal(await main(['nope.yaml'], c.io), 2);
  assert.match(c.err(), /^bench: nope\.yaml: no such file\n$/);
  c = capture();
  assert.equal(await main(['compare', bad], c.io), 2);
  assert.match(c.err(), /not valid JSON/);
});

test('bench compare reads fortio JSON too; the same name twice is numbered', async () => {
  const f = join(dir, 'fortio.json');
  await writeFile(
    f,
    JSON.stringify({
      Labels: 'x',
      ActualQPS: 399.27,
      RetCodes: { '200': 14, '503': 6 },
      DurationHistogram: {
        Count: 20,
        Percentiles: [
          { Percentile: 50, Value: 0.004 },
          { Percentile: 90, Value: 0.0105 },
          { Percentile: 99, Value: 0.0148615 },
          { Percentile: 99.9, Value: 0.0150554 },
        ],
      },
    }),
  );
  const c = capture();
  assert.equal(await compareCommand([f, f], c.io), 0, c.err());
  assert.match(c.out(), /step load \(baseline: fortio\)/);
  assert.match(c.out(), /^fortio +20 +399\.3 +4\.00 +10\.5 +14\.9 +15\.1 +70\.0% +30\.0%$/m); // seconds -> ms
  assert.match(c.out(), /^fortio#2 /m);
});
