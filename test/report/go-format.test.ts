import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goG, goGPrec, goF, goD, goDuration, goJsonFloat } from '../../src/report/go-format.js';

// Expected strings are what Go's fmt/strconv/time/encoding/json print (peers.md §2.4;
// Go docs: fmt "%e is used if the exponent is less than -4 or greater than or equal
// to the precision", exponents at least two digits; strconv rounds ties to even).

test('%g shortest: exponent form when exp < -4 or >= 6 (shortest decides with precision 6)', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [100000, '100000'],
    [123456, '123456'],
    [1234567, '1.234567e+06'],
    [1e6, '1e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [0.1 + 0.2, '0.30000000000000004'],
    [0.015076906, '0.015076906'],
    [99.9, '99.9'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [x, want] of cases) assert.equal(goG(x), want, `%g of ${x}`);
});

test('%.Ng: rounds to N significant digits, drops trailing zeros, exponent at exp >= N', () => {
  const cases: Array<[number, number, string]> = [
    [0.0039, 4, '0.0039'], // seed: "+/- 0.0039"
    [0.004012, 4, '0.004012'],
    [105.4, 4, '105.4'],
    [12345.6, 4, '1.235e+04'], // peers.md §2.4: 5-digit stddev under %.4g
    [1234, 4, '1234'],
    [0.004879092, 8, '0.004879092'], // seed avg
    [0.0030997605, 8, '0.0030997605'],
    [153.366666667, 8, '153.36667'], // seed header sizes avg
    [0.09758184, 9, '0.09758184'],
    [0.015076906, 6, '0.0150769'], // seed row end
    [0.00666666667, 6, '0.00666667'],
    [0.0000054, 4, '5.4e-06'],
    [0.000054, 4, '5.4e-05'],
    [100, 9, '100'],
    [1e9, 9, '1e+09'],
    [99.999999, 4, '100'],
    [999999.5, 6, '1e+06'],
    [0.125, 2, '0.12'], // exact tie: to even
    [0.375, 2, '0.38'],
    [2.5, 1, '2'],
    [3.5, 1, '4'],
    [0, 4, '0'],
    [-0.0001234567, 3, '-0.000123'],
  ];
  for (const [x, n, want] of cases) assert.equal(goGPrec(x, n), want, `%.${n}g of ${x}`);
});

test('%.Nf and %Nd', () => {
  const cases: Array<[number, number, string]> = [
    [70, 1, '70.0'],
    [66.66666666666667, 1, '66.7'],
    [33.333333333333336, 1, '33.3'],
    [4.879092, 3, '4.879'],
    [399.27, 1, '399.3'],
    [20, 2, '20.00'],
    [33.33333, 2, '33.33'],
    [0.125, 2, '0.12'],
    [0.05, 1, '0.1'], // the double is slightly above 0.05
    [2.5, 0, '2'],
    [1.5, 0, '2'],
    [0.4, 0, '0'],
    [0.6, 0, '1'],
    [1234567.891, 3, '1234567.891'],
    [-1.25, 1, '-1.2'],
    [0.0004, 2, '0.00'],
  ];
  for (const [x, n, want] of cases) assert.equal(goF(x, n), want, `%.${n}f of ${x}`);
  assert.equal(goD(200, 3), '200');
  assert.equal(goD(-1, 3), ' -1');
  assert.equal(goD(5, 3), '  5');
  assert.equal(goD(12345, 3), '12345');
});

test('time.Duration.String()', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [1, '1ns'],
    [999, '999ns'],
    [1100, '1.1µs'],
    [2500, '2.5µs'],
    [2_200_000, '2.2ms'],
    [50_090_840, '50.09084ms'], // seed "Ended after 50.09084ms"
    [45_473_167, '45.473167ms'],
    [3_300_000_000, '3.3s'],
    [5_000_000_000, '5s'],
    [245_000_000_000, '4m5s'],
    [60_020_000_000, '1m0.02s'],
    [306_007_000_000, '5m6.007s'],
    [3_600_000_000_000, '1h0m0s'],
    [4_530_918_273_645, '1h15m30.918273645s'], // Go time docs example
    [-1_500_000, '-1.5ms'],
  ];
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want, `Duration(${ns})`);
  assert.equal(goDuration(4_530_918_273_645n), '1h15m30.918273645s');
});

test('encoding/json float64: plain decimals in [1e-6, 1e21), shortest digits', () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [-0, '-0'],
    [20, '20'],
    [3000000000, '3000000000'],
    [0.001, '0.001'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
    [1.5e-10, '1.5e-10'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [399.2745453021304, '399.2745453021304'],
    [0.00053170552, '0.00053170552'],
  ];
  for (const [x, want] of cases) assert.equal(goJsonFloat(x), want, `json ${x}`);
  assert.throws(() => goJsonFloat(NaN), RangeError);
});
