import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CompareRow, formatCompareTable } from '../../src/report/compare.js';

function row(p: Partial<CompareRow> & Pick<CompareRow, 'variant' | 'step'>): CompareRow {
  return { qps: 100, p50: 4, p90: 10, p99: 15, p999: 16, codes: { '200': 20 }, calls: 20, counters: {}, perVersion: {}, ...p };
}

// Seed circuit-breaking numbers (seed lines 398-421) as the baseline; a stricter variant.
const ROWS: CompareRow[] = [
  row({ variant: 'default', step: 'c2', qps: 399.3, p50: 4, p90: 10.5, p99: 14.86, p999: 15.06, codes: { '200': 14, '503': 6 }, counters: { overflow: 6, retries: 0 }, perVersion: { 'httpbin v1': 14 } }),
  row({ variant: 'strict', step: 'c2', qps: 659.7, p50: 2.45, p90: 7, p99: 21.2, p999: 21.7, codes: { '200': 9, '503': 11 }, counters: { overflow: 11, retries: 0 }, perVersion: { 'httpbin v1': 9 } }),
  row({ variant: 'default', step: 'c3', qps: 500, p50: 3.1, p90: 7.1, p99: 21.2, p999: 21.7, calls: 30, codes: { '200': 30 }, counters: { overflow: 0 }, perVersion: { 'httpbin v1': 20, 'httpbin v2': 10 } }),
  row({ variant: 'strict', step: 'c3', qps: 510, p50: 3.2, p90: 7.15, p99: 21, p999: 21.7, calls: 30, codes: { '200': 29, '-1': 1 }, counters: { overflow: 1 }, perVersion: { 'httpbin v1': 15, 'httpbin v2': 15 } }),
];

test('one table per step, baseline first, deltas and ≈ within noise, exact text', () => {
  assert.equal(
    formatCompareTable(ROWS, { width: 200 }),
    `step c2 (baseline: default)
variant  calls  qps           p50 ms       p90 ms       p99 ms       p99.9 ms     code 200       code 503       overflow  httpbin v1
default  20     399.3         4.00         10.5         14.9         15.1         70.0%          30.0%           6        100.0%
strict   20     659.7 +65.2%  2.45 -38.7%  7.00 -33.3%  21.2 +42.7%  21.7 +44.1%  45.0% -25.0pp  55.0% +25.0pp  11 +5     100.0% ≈

step c3 (baseline: default)
variant  calls  qps      p50 ms  p90 ms  p99 ms  p99.9 ms  code -1      code 200       overflow  httpbin v1     httpbin v2
default  30     500.0    3.10    7.10    21.2    21.7      0.0%         100.0%         0         66.7%          33.3%
strict   30     510.0 ≈  3.20 ≈  7.15 ≈  21.0 ≈  21.7 ≈    3.3% +3.3pp   96.7% -3.3pp  1 ≈       50.0% -16.7pp  50.0% +16.7pp

≈ within noise: latency max(noise, 5%, 0.2 ms), qps max(noise, 5%), shares < 2pp, counts <= max(2, 5%)
`,
  );
});

test('narrow width splits a step into blocks that each repeat the variant column', () => {
  const text = formatCompareTable(ROWS.slice(0, 2), { width: 60 });
  const lines = text.split('\n');
  assert.ok(lines.every((l) => l.length <= 60), text);
  assert.equal(lines.filter((l) => l.startsWith('variant')).length, 3);
  assert.deepEqual(lines.slice(0, 4), [
    'step c2 (baseline: default)',
    'variant  calls  qps           p50 ms       p90 ms',
    'default  20     399.3         4.00         10.5',
    'strict   20     659.7 +65.2%  2.45 -38.7%  7.00 -33.3%',
  ]);
});

test('noise estimates widen the ≈ band; small absolute latency changes are ≈', () => {
  const rows = [
    row({ variant: 'a', step: 's', qps: 1000, p50: 0.5, p99: 10, noise: { p50: 0.02, p99: 0.3, qps: 0.1 } }),
    row({ variant: 'b', step: 's', qps: 1080, p50: 0.65, p99: 12.5 }),
  ];
  const lines = formatCompareTable(rows).split('\n');
  // qps +8% < 10% noise; p50 +0.15 ms < 0.2 ms; p99 +25% < 30% noise.
  assert.deepEqual(lines.slice(1, 4), [
    'variant  calls  qps       p50 ms   p90 ms  p99 ms  p99.9 ms  code 200',
    'a        20     1000.0    0.500    10.0    10.0    16.0      100.0%',
    'b        20     1080.0 ≈  0.650 ≈  10.0 ≈  12.5 ≈  16.0 ≈    100.0% ≈',
  ]);
});

test('color marks worse in red, better in green, noise dim; plain text has no escapes', () => {
  const plain = formatCompareTable(ROWS);
  assert.equal(/\x1b\[/.test(plain), false);
  const colored = formatCompareTable(ROWS, { color: true, width: 200 });
  assert.ok(colored.includes('\x1b[32m659.7 +65.2%\x1b[0m'));
  assert.ok(colored.includes('\x1b[31m55.0% +25.0pp\x1b[0m'));
  assert.ok(colored.includes('\x1b[2m510.0 ≈\x1b[0m'));
  assert.equal(colored.replace(/\x1b\[[0-9;]*m/g, '').replace(/ +\n/g, '\n'), formatCompareTable(ROWS, { width: 200 }));
});

test('a single variant renders without deltas or legend; no rows render nothing', () => {
  assert.equal(formatCompareTable([]), '');
  assert.equal(
    formatCompareTable([row({ variant: 'only', step: 'load', counters: { retries: 0 } })]),
    'step load\nvariant  calls  qps    p50 ms  p90 ms  p99 ms  p99.9 ms  code 200\nonly     20     100.0  4.00    10.0    15.0    16.0      100.0%\n\n',
  );
});

test('per-version shares are within one app, mirror copies against the primary requests', () => {
  const out = formatCompareTable(
    [
      row({ variant: 'all-v1', step: 'pages', perVersion: { 'details v1': 100, 'reviews v1': 100, 'ratings v1': 0 } }),
      row({ variant: '50-v3', step: 'pages', perVersion: { 'details v1': 100, 'reviews v1': 50, 'reviews v3': 50, 'ratings v1': 50 } }),
      row({ variant: 'mirror', step: 'pages', perVersion: { 'httpbin v1': 20, 'httpbin v2 mirror': 20 } }),
    ],
    { width: 400 },
  );
  const line = (v: string) => out.split('\n').find((l) => l.startsWith(v + ' '))!;
  // details is called once per page in both variants: 100% of details, unchanged.
  assert.match(line('50-v3'), /100\.0% ≈/);
  // reviews split 50/50 within reviews, whatever details and ratings did.
  assert.match(line('50-v3'), /50\.0% -50\.0pp/);
  assert.match(line('50-v3'), /50\.0% \+50\.0pp/);
  // Every httpbin v1 request was mirrored once.
  assert.match(line('mirror'), /100\.0% \+100\.0pp/);
});
