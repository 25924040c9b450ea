import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLoadOptions } from '../../src/load/flags.js';
import { parseLoadFlags } from '../../src/cli/load.js';
import { FlagError } from '../../src/errors.js';

test("the seed's fortio line parses verbatim", () => {
  const { options: o, output } = parseLoadFlags('-c 2 -qps 0 -n 20 -loglevel Warning http://127.0.0.1:8080/get'.split(' '));
  assert.equal(o.connections, 2);
  assert.equal(o.qps, 0);
  assert.equal(o.exactly, 20);
  assert.equal(o.logLevel, 'Warning');
  assert.equal(o.url, 'http://127.0.0.1:8080/get');
  assert.equal(o.method, 'GET');
  assert.equal(output.json, undefined);
});

test('fortio defaults', () => {
  const { options: o } = parseLoadFlags(['http://h/']);
  const d = defaultLoadOptions('http://h/');
  assert.deepEqual(o, d);
  assert.equal(o.connections, 4);
  assert.equal(o.qps, 8);
  assert.equal(o.durationMs, 5000);
  assert.equal(o.timeoutMs, 3000);
  assert.deepEqual(o.percentiles, [50, 75, 90, 99, 99.9]);
  assert.equal(o.resolution, 0.001);
  assert.equal(o.keepalive, true);
  assert.equal(o.logLevel, 'Info');
});

test('spellings: -flag v, -flag=v, --flag v, --flag=v; booleans -x and -x=false', () => {
  const { options: o, output } = parseLoadFlags([
    '--c', '3', '-qps=12.5', '--n=7', '-t', '1m30s', '-uniform', '-jitter=true', '-nocatchup', '-keepalive=false',
    '-p', '50, 99.99', '-r', '0.0001', '-timeout', '250ms', '-abort-on', '-1', '-json', '-', '-labels', 'x y',
    '-runid', '9', '-loglevel', 'verbose', '--workers', '2', '-allow-initial-errors', '-offset', '5ms', 'h:8080/x?y=1',
  ]);
  assert.equal(o.connections, 3);
  assert.equal(o.qps, 12.5);
  assert.equal(o.exactly, 7);
  assert.equal(o.durationMs, 90_000);
  assert.equal(o.uniform, true);
  assert.equal(o.jitter, true);
  assert.equal(o.noCatchUp, true);
  assert.equal(o.keepalive, false);
  assert.deepEqual(o.percentiles, [50, 99.99]);
  assert.equal(o.resolution, 0.0001);
  assert.equal(o.timeoutMs, 250);
  assert.equal(o.abortOn, -1);
  assert.equal(output.json, '-');
  assert.equal(o.labels, 'x y');
  assert.equal(o.runId, 9);
  assert.equal(o.logLevel, 'Verbose', 'case-insensitive, normalized');
  assert.equal(o.workers, 2);
  assert.equal(o.allowInitialErrors, true);
  assert.equal(o.offsetMs, 5);
  assert.equal(o.url, 'http://h:8080/x?y=1', 'fortio adds http:// when missing');
});

test('-qps -1 means max; -quiet is Error level; -H repeats in order', () => {
  const { options: o, output } = parseLoadFlags(['-qps', '-1', '-quiet', '-H', 'A: 1', '-H', 'Host:  x:1 ', 'http://h/']);
  assert.equal(o.qps, 0);
  assert.equal(output.quiet, true);
  assert.equal(o.logLevel, 'Error');
  assert.deepEqual(o.headers, [['A', '1'], ['Host', 'x:1']]);
});

test('any payload switch or content type turns GET into POST; -X wins', () => {
  assert.equal(parseLoadFlags(['-payload', 'abc', 'http://h/']).options.method, 'POST');
  assert.equal(parseLoadFlags(['-payload', 'abc', 'http://h/']).options.payload?.toString(), 'abc');
  assert.equal(parseLoadFlags(['-content-type', 'a/b', 'http://h/']).options.method, 'POST');
  const sized = parseLoadFlags(['-payload-size', '64', 'http://h/']).options;
  assert.equal(sized.method, 'POST');
  assert.equal(sized.payload?.length, 64);
  assert.equal(parseLoadFlags(['-X', 'put', '-payload', 'a', 'http://h/']).options.method, 'PUT');
  assert.equal(parseLoadFlags(['-X', 'GET', '-payload', 'a', 'http://h/']).options.method, 'GET');
});

function flagError(argv: string[], re: RegExp): void {
  assert.throws(
    () => parseLoadFlags(argv),
    (e: unknown) => {
      assert.ok(e instanceof FlagError, String(e));
      assert.equal(e.exitCode, 2);
      assert.match(e.message, re);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    },
  );
}

test('bad flags are FlagErrors naming the flag (exit 2)', () => {
  flagError(['-qps', 'abc', 'http://h/'], /^-qps: invalid value "abc": expected a number$/);
  flagError(['-c', '0', 'http://h/'], /^-c: invalid value "0"/);
  flagError(['-c', '2.5', 'http://h/'], /^-c: invalid value "2.5": expected a whole number$/);
  flagError(['-t', '10', 'http://h/'], /^-t: invalid value "10": expected a duration/);
  flagError(['-keepalive=maybe', 'http://h/'], /^-keepalive: invalid value "maybe"/);
  flagError(['-loglevel', 'loud', 'http://h/'], /^-loglevel: invalid value "loud": expected one of Debug, /);
  flagError(['-p', '50,abc', 'http://h/'], /^-p: invalid value/);
  flagError(['-H', 'novalue', 'http://h/'], /^-H: invalid value "novalue"/);
  flagError(['-bogus', 'http://h/'], /^unknown flag -bogus \(flags: -c -qps -n -t -H /);
  flagError(['-qsp', '10', 'http://h/'], /^unknown flag -qsp \(did you mean -qps\?\)$/);
  flagError(['-c'], /^-c: missing value$/);
  flagError(['-c', '2'], /missing URL/);
  flagError(['http://a/', 'http://b/'], /unexpected argument "http:\/\/b\/"/);
  flagError(['https://h/'], /only http:\/\/ is supported/);
  flagError(['-payload-file', '/nonexistent/file', 'http://h/'], /^-payload-file: cannot read "\/nonexistent\/file": ENOENT$/);
});
