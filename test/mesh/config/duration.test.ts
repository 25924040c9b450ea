// duration.ts: the one Go-duration parser (spec §1.1; Go time.ParseDuration, whose
// syntax is `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with units ns, us, µs, μs, ms, s, m, h
// and an int64 nanosecond range), and the three readings built on it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDurationMs, parseFlagDuration, parseGoDuration, parseIstioDuration } from '../../../src/mesh/config/duration.js';

const UNITS = 'one of ns, us, ms, s, m, h';
const bad = (s: string, why: string) => `invalid duration ${JSON.stringify(s)}: ${why}`;
const RANGE = 'out of range (at most 2562047h47m16.854775807s)';

test('Go ParseDuration: units, signs, fractions, compounds, the int64 range and bad input', () => {
  const table: Array<[input: string, want: bigint | string]> = [
    ['7s', 7_000_000_000n],
    ['3ns', 3n],
    ['150us', 150_000n],
    ['250µs', 250_000n], // U+00B5 micro sign
    ['250μs', 250_000n], // U+03BC Greek small mu
    ['2ms', 2_000_000n],
    ['1m', 60_000_000_000n],
    ['1h', 3_600_000_000_000n],
    // compounds, any order, units may repeat (Go adds them up)
    ['1m30s', 90_000_000_000n],
    ['1h2m3.5s', 3_723_500_000_000n],
    ['1s1s', 2_000_000_000n],
    ['2ms500us', 2_500_000n],
    // fractions: before or after the point may be empty, not both; truncated to ns
    ['1.5s', 1_500_000_000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['0.5h', 1_800_000_000_000n],
    ['1.0000000001s', 1_000_000_000n],
    ['0.000000001s', 1n],
    // signs, and "0" alone needs no unit
    ['0', 0n],
    ['+0', 0n],
    ['-0', 0n],
    ['0s', 0n],
    ['+5s', 5_000_000_000n],
    ['-2ms', -2_000_000n],
    ['-1.5h', -5_400_000_000_000n],
    // time.Duration is int64 nanoseconds: the negative side reaches one further
    ['2562047h47m16.854775807s', 9_223_372_036_854_775_807n],
    ['-2562047h47m16.854775808s', -9_223_372_036_854_775_808n],
    ['2562047h47m16.854775808s', bad('2562047h47m16.854775808s', RANGE)],
    ['3000000h', bad('3000000h', RANGE)],
    // bad input
    ['', bad('', 'empty')],
    ['-', bad('-', 'empty')],
    ['5', bad('5', `missing unit (${UNITS}), e.g. 5s`)],
    ['1.2.3s', bad('1.2.3s', `missing unit (${UNITS}), e.g. 5s`)],
    ['5 s', bad('5 s', `unknown unit " s" (${UNITS})`)],
    ['5s ', bad('5s ', `unknown unit "s " (${UNITS})`)],
    ['3d', bad('3d', `unknown unit "d" (${UNITS})`)],
    ['1e3s', bad('1e3s', `unknown unit "e" (${UNITS})`)],
    ['5S', bad('5S', `unknown unit "S" (${UNITS})`)],
    ['s', bad('s', 'expected a number followed by a unit, e.g. 5s, 100ms, 1m30s')],
    ['.s', bad('.s', 'expected a number followed by a unit, e.g. 5s, 100ms, 1m30s')],
    [' 5s', bad(' 5s', 'expected a number followed by a unit, e.g. 5s, 100ms, 1m30s')],
    ['+-5s', bad('+-5s', 'expected a number followed by a unit, e.g. 5s, 100ms, 1m30s')],
  ];
  for (const [input, want] of table) assert.equal(parseGoDuration(input), want, JSON.stringify(input));
});

test('goDurationMs keeps fractions of a millisecond; errors are the parser\'s message', () => {
  const table: Array<[string, number | string]> = [
    ['150us', 0.15],
    ['1.5s', 1500],
    ['1m2s', 62_000],
    ['-3ms', -3],
    ['0', 0],
    ['10', bad('10', `missing unit (${UNITS}), e.g. 5s`)],
  ];
  for (const [input, want] of table) assert.equal(goDurationMs(input), want, input);
});

test('Istio duration rule: at least 1ms and whole milliseconds, strings only (spec §1.1)', () => {
  const table: Array<[unknown, boolean, number | string]> = [
    ['0.5s', false, 500],
    ['3m', false, 180_000],
    ['1ms', false, 1],
    ['1500us', false, bad('1500us', 'only durations to ms precision are supported')],
    ['2000us', false, 2],
    ['0s', false, bad('0s', 'must be at least 1ms')],
    ['0s', true, 0],
    ['-1s', false, bad('-1s', 'must be at least 1ms')],
    ['5x', false, bad('5x', `unknown unit "x" (${UNITS})`)],
    [5, false, 'invalid duration 5: expected a string with a unit, e.g. "5s"'],
    [['1s'], false, 'invalid duration: expected a string such as "5s", got a list'],
    [{ s: 1 }, false, 'invalid duration: expected a string such as "5s", got a mapping'],
  ];
  for (const [input, allowZero, want] of table) assert.equal(parseIstioDuration(input, allowZero), want, JSON.stringify(input));
});

test('fortio flag durations (scenario t, timeout): Go syntax or seconds, never negative', () => {
  const table: Array<[unknown, number | string]> = [
    ['5s', 5000],
    ['1500us', 1.5],
    ['0', 0],
    [2, 2000],
    [0.25, 250],
    ['-1s', bad('-1s', 'must not be negative')],
    [-1, 'invalid duration -1: must not be negative'],
    [Number.POSITIVE_INFINITY, 'invalid duration Infinity: expected a number of seconds or a string such as "5s"'],
    ['5', bad('5', `missing unit (${UNITS}), e.g. 5s`)],
    [true, 'invalid duration: expected a string such as "5s", got true'],
  ];
  for (const [input, want] of table) assert.equal(parseFlagDuration(input), want, JSON.stringify(input));
});
