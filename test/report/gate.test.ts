import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CompareRow, formatCompareTable } from '../../src/report/compare.js';
import { evaluateGate, formatJUnit, formatMarkdown, pairsAgainst, pairsWithin, parseGateRule } from '../../src/report/gate.js';
import { statsRandom } from '../../src/scenario/report.js';
import { FlagError } from '../../src/errors.js';

function row(variant: string, round: number, p: Partial<CompareRow>): CompareRow {
  return { variant, step: 's1', round, qps: 100, p50: 4, p90: 10, p99: 15, p999: 16, codes: { '200': 20 }, calls: 20, counters: {}, perVersion: {}, ...p };
}

/** Three repeats each: "slow" has p99 about 2x and some 503s; p50 wobbles alike in both. */
const ROWS: CompareRow[] = [
  row('base', 1, { p50: 4.0, p99: 15.0, qps: 100 }),
  row('base', 2, { p50: 4.4, p99: 16.0, qps: 104 }),
  row('base', 3, { p50: 3.8, p99: 15.5, qps: 98 }),
  row('slow', 1, { p50: 4.2, p99: 30.0, qps: 99, codes: { '200': 18, '503': 2 } }),
  row('slow', 2, { p50: 3.9, p99: 31.0, qps: 101, codes: { '200': 17, '503': 3 } }),
  row('slow', 3, { p50: 4.3, p99: 29.5, qps: 103, codes: { '200': 18, '503': 2 } }),
];

test('--fail-on rules parse, and bad ones name the flag and the metric', () => {
  assert.deepEqual(parseGateRule('p99>+10%'), { text: 'p99>+10%', metric: 'p99', op: '>', limit: 10, relative: true });
  assert.deepEqual(parseGateRule('qps<-5%'), { text: 'qps<-5%', metric: 'qps', op: '<', limit: -5, relative: true });
  assert.deepEqual(parseGateRule('code.503>+0.01'), { text: 'code.503>+0.01', metric: 'code.503', op: '>', limit: 0.01, relative: false });
  assert.equal(parseGateRule('p99.9 > 2').metric, 'p999');
  assert.equal(parseGateRule('overflow>0').relative, false);
  assert.throws(() => parseGateRule('p99 up 10%'), (e: unknown) => e instanceof FlagError && /--fail-on: invalid value "p99 up 10%": expected METRIC/.test(e.message));
  assert.throws(() => parseGateRule('p98>+1%'), /unknown metric "p98"/);
});

test('gate: a clearly worse p99 and 503 share fail; p50 wobble and qps pass', () => {
  const rules = ['p99>+10%', 'code.503>+0.01', 'p50>+10%', 'qps<-5%', 'code.504>+0.01'].map((r) => parseGateRule(r));
  const report = evaluateGate(pairsWithin(ROWS), rules, statsRandom());
  const byRule = Object.fromEntries(report.checks.map((c) => [c.rule.text, c]));
  assert.equal(report.failed, 2);
  assert.equal(byRule['p99>+10%']!.pass, false);
  // p99 means 30.17 vs 15.5 ms: +94.6%, interval above 0.
  assert.match(byRule['p99>+10%']!.change, /^\+94\.6% \[\+\d+\.\d%,\+\d+\.\d%\]$/);
  assert.equal(byRule['code.503>+0.01']!.pass, false);
  assert.equal(byRule['p50>+10%']!.pass, true);
  assert.equal(byRule['qps<-5%']!.pass, true);
  // A code neither side saw is zero on both: passes, not an error.
  assert.equal(byRule['code.504>+0.01']!.pass, true);

  const junit = formatJUnit(report);
  assert.match(junit, /<testsuites name="meshbench" tests="5" failures="2">/);
  assert.match(junit, /<testcase classname="s1\.slow" name="p99&gt;\+10%">\n\s+<failure message="p99 \+/);
  assert.equal((junit.match(/<failure /g) ?? []).length, 2);
  const md = formatMarkdown(report, rules);
  assert.match(md, /^### meshbench gate: FAILED \(2 of 5 checks\)/);
  assert.match(md, /\| s1 \| slow \| `p99>\+10%` \| \+94\.6% \[.*\] \| \*\*FAIL\*\*: significantly up, beyond \+10% \|/);
  assert.match(md, /\| p99 \| 15\.50 \| 30\.17 \| .* \| \*\*worse\*\* \|/);
});

test('a change beyond the tolerance that is not significant passes, with the reason', () => {
  const noisy = [
    row('base', 1, { p99: 10 }),
    row('base', 2, { p99: 30 }),
    row('base', 3, { p99: 12 }),
    row('new', 1, { p99: 11 }),
    row('new', 2, { p99: 35 }),
    row('new', 3, { p99: 20 }),
  ];
  const report = evaluateGate(pairsWithin(noisy), [parseGateRule('p99>+10%')], statsRandom());
  assert.equal(report.failed, 0);
  assert.match(report.checks[0]!.detail, /beyond \+10% but not significant/);
});

test('pairsAgainst: same variant in the baseline, or its only variant; a missing one is an error', () => {
  const base = ROWS.filter((r) => r.variant === 'base');
  const cand = ROWS.filter((r) => r.variant === 'slow');
  const [pair] = pairsAgainst(base, cand, 'base.json');
  assert.equal(pair!.baseline, 'base (base.json)');
  assert.equal(pair!.base.length, 3);
  assert.equal(pair!.cand.length, 3);
  assert.throws(() => pairsAgainst(base, [{ ...cand[0]!, step: 's2' }], 'base.json'), /--baseline base\.json: no baseline for step "s2" variant "slow" \(steps there: s1\)/);
  // The baseline's only variant of the step stands in for any name; of two, neither does.
  assert.equal(pairsAgainst(base, [{ ...cand[0]!, variant: 'renamed' }], 'base.json')[0]!.base.length, 3);
  const twoBase = [...base, { ...base[0]!, variant: 'other' }];
  assert.throws(() => pairsAgainst(twoBase, [{ ...cand[0]!, variant: 'renamed' }], 'base.json'), /no baseline for step "s1" variant "renamed" \(its variants there: base, other\)/);
});

test('table with repeats: mean ± interval, change with interval, verdict words, and a spread warning', () => {
  const noisy = [...ROWS, row('wild', 1, { p99: 5 }), row('wild', 2, { p99: 40 }), row('wild', 3, { p99: 12 })];
  const text = formatCompareTable(noisy, { width: 400, randomFor: statsRandom() });
  assert.match(text, /^step s1 \(baseline: base\) — 3 repeats each\n/);
  const lines = text.split('\n');
  const slow = lines.find((l) => l.startsWith('slow'))!;
  // p99: 30.17 mean vs 15.5: worse with an interval above 0.
  assert.match(slow, /30\.2±\d+\.\d+ \+94\.6% \[\+\d+\.\d%,\+\d+\.\d%\] worse/);
  assert.match(slow, /11\.7%±\d\.\d \+11\.7pp \[\+\d+\.\dpp,\+\d+\.\dpp\] worse/); // 503 share: 7 of 60
  assert.match(slow, /4\.13±\d\.\d+ \+1\.6% \[-\d+\.\d%,\+\d+\.\d%\] ≈/); // p50: no significant difference
  assert.match(lines.find((l) => l.startsWith('wild'))!, /\?/);
  assert.match(text, /warning: wild: spread too large to conclude on p99 ms/);
  assert.match(text, /value: mean over repeats ± half its 95% bootstrap interval/);
  // Same data and seed: the same table.
  assert.equal(formatCompareTable(noisy, { width: 400, randomFor: statsRandom() }), text);
});
