// `bench compare --baseline base.json new.json --fail-on …` through main():
// saved result files as a CI job has them, the exit code, JUnit and Markdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { capture } from '../helpers/io.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-gate-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A saved scenario result (the `compare` rows are what bench compare reads), 4 repeats of one variant. */
function doc(p99: number[], codes: Array<Record<string, number>>) {
  return {
    meshbench: 'scenario-result/v1',
    repeat: p99.length,
    compare: p99.map((v, i) => ({
      variant: 'main',
      step: 'c2',
      round: i + 1,
      qps: 200 + i,
      p50: 3 + i * 0.1,
      p90: 8,
      p99: v,
      p999: v + 1,
      codes: codes[i],
      calls: 40,
      counters: { overflow: codes[i]!['503'] ?? 0 },
      perVersion: {},
    })),
  };
}

async function files(newP99: number[], newCodes: Array<Record<string, number>>) {
  const ok = { '200': 40 };
  const base = join(dir, 'base.json');
  const neu = join(dir, 'new.json');
  await writeFile(base, JSON.stringify(doc([12, 13, 12.5, 12.8], [ok, ok, ok, ok])));
  await writeFile(neu, JSON.stringify(doc(newP99, newCodes)));
  return { base, neu };
}

test('a clearly worse new result fails the gate: exit 1, JUnit failures and a Markdown summary', async () => {
  const { base, neu } = await files([20, 21, 19.5, 20.5], [{ '200': 36, '503': 4 }, { '200': 35, '503': 5 }, { '200': 36, '503': 4 }, { '200': 37, '503': 3 }]);
  const junit = join(dir, 'gate.xml');
  const markdown = join(dir, 'gate.md');
  const c = capture();
  const code = await main(['compare', '--baseline', base, neu, '--fail-on', 'p99>+10%', '--fail-on', "qps<-5%,code.503>+0.01", '--junit', junit, '--markdown', markdown], c.io);
  assert.equal(code, 1, c.out() + c.err());
  assert.match(c.err(), /Successfully wrote \d+ bytes of JUnit XML to .*gate\.xml/);
  assert.match(c.err(), /Successfully wrote \d+ bytes of Markdown to /);
  assert.match(c.out(), /step c2 \(baseline: base:main\) — 4 repeats each/);
  assert.match(c.out(), /gate: FAILED 2 of 3 checks/);
  const xml = await readFile(junit, 'utf8');
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="meshbench" tests="3" failures="2">/);
  assert.match(xml, /<testcase classname="c2\.main" name="p99&gt;\+10%">\n\s+<failure message="p99 \+61\.0% \[/);
  assert.match(xml, /<testcase classname="c2\.main" name="code\.503&gt;\+0\.01">\n\s+<failure /);
  assert.match(xml, /<testcase classname="c2\.main" name="qps&lt;-5%">\n\s+<system-out>/);
  const md = await readFile(markdown, 'utf8');
  assert.match(md, /^### meshbench gate: FAILED \(2 of 3 checks\)/);
  assert.match(md, /\| c2 \| main \| `p99>\+10%` \| \+61\.0% \[.*\] \| \*\*FAIL\*\*/);
  assert.match(md, /#### step c2: main \(4 run\(s\)\) vs main \(.*base\.json\) \(4 run\(s\)\)/);
});

test('the same performance passes: exit 0', async () => {
  const ok = { '200': 40 };
  const { base, neu } = await files([12.2, 12.9, 12.6, 12.7], [ok, ok, ok, ok]);
  const c = capture();
  assert.equal(await main(['compare', '--baseline', base, neu, '--fail-on', 'p99>+10%,code.503>+0.01'], c.io), 0, c.out() + c.err());
  assert.match(c.out(), /gate: passed 2 checks/);
});

test('bad gate input exits 2 with one line naming the flag or file', async () => {
  const ok = { '200': 40 };
  const { neu } = await files([12], [ok]);
  const cases: Array<[string[], RegExp]> = [
    [['--fail-on', 'p99 > lots', neu], /^bench: --fail-on: invalid value "p99 > lots": expected METRIC/],
    [['--fail-on', 'latency>+1%', neu], /^bench: --fail-on: invalid value "latency>\+1%": unknown metric "latency"/],
    [['--baseline', join(dir, 'missing.json'), neu], /^bench: .*missing\.json: no such file\n$/],
    [['--junit', join(dir, 'no', 'dir.xml'), neu], /^bench: --junit: cannot write /],
  ];
  for (const [args, want] of cases) {
    const c = capture();
    assert.equal(await main(['compare', ...args], c.io), 2, args.join(' '));
    assert.match(c.err(), want);
    assert.equal(c.err().trim().split('\n').length, 1, c.err());
  }
});
