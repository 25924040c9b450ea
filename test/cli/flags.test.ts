// The one flag parser (src/cli/flags.ts), table by table: Go's flag package
// spellings, typed values, and the wording every command shares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, formatFlagHelp, type FlagSpec } from '../../src/cli/flags.js';
import { FlagError } from '../../src/errors.js';

const TABLE = [
  { name: 'qps', dash: '-', kind: 'number', help: 'queries per second' },
  { name: 'c', dash: '-', kind: 'int', help: 'connections' },
  { name: 't', dash: '-', kind: 'duration', help: 'duration' },
  { name: 'H', dash: '-', kind: 'string', repeatable: true, help: 'header' },
  { name: 'uniform', dash: '-', kind: 'bool', help: 'uniform' },
  { name: 'json', kind: 'string', arg: 'FILE', help: 'JSON output' },
  { name: 'variant', kind: 'string', repeatable: true, aliases: ['v'], help: 'variant' },
  { name: 'no-tui', kind: 'bool', help: 'plain lines' },
  { name: 'listen', kind: 'string', default: '127.0.0.1:15001', help: 'listener' },
] as const satisfies readonly FlagSpec[];

test('values by spelling: -f v, -f=v, --f v, --f=v all parse; flags and positionals mix', () => {
  const cases: Array<[string[], Record<string, unknown>, string[]]> = [
    [['-qps', '10', 'u'], { qps: 10 }, ['u']],
    [['-qps=12.5', 'u'], { qps: 12.5 }, ['u']],
    [['--qps', '7', 'u'], { qps: 7 }, ['u']],
    [['--qps=-1', 'u'], { qps: -1 }, ['u']],
    [['-qps', '-1', 'u'], { qps: -1 }, ['u']], // a non-boolean flag takes the next argument, dash or not
    [['-c=2', 'a', '-c', '3', 'b'], { c: 3 }, ['a', 'b']], // last one wins, as in Go
    [['-t', '1m30s', 'u'], { t: 90_000 }, ['u']],
    [['-t=250ms'], { t: 250 }, []],
    [['-t', '300us'], { t: 0.3 }, []],
    [['-t', '0'], { t: 0 }, []], // Go: "0" needs no unit
    [['--json', '-', 'x.yaml'], { json: '-' }, ['x.yaml']], // `-` alone is a value / positional
    [['-', 'x'], {}, ['-', 'x']],
    [['x', '--', '-c', '--json'], {}, ['x', '-c', '--json']], // `--` ends the flags
    [['-uniform', '--no-tui', 'u'], { uniform: true, 'no-tui': true }, ['u']],
    [['-uniform=false', '--no-tui=true'], { uniform: false, 'no-tui': true }, []],
    [['-uniform=0', '--no-tui=T'], { uniform: false, 'no-tui': true }, []],
    [['--listen', ':0'], { listen: ':0' }, []],
  ];
  for (const [argv, want, positional] of cases) {
    const got = parseFlags(TABLE, argv);
    for (const [k, v] of Object.entries(want)) assert.deepEqual((got.values as Record<string, unknown>)[k], v, `${argv.join(' ')}: ${k}`);
    assert.deepEqual(got.positional, positional, argv.join(' '));
    assert.equal(got.help, false);
  }
});

test('defaults, repeatable flags in order, aliases, -h', () => {
  const none = parseFlags(TABLE, []);
  assert.equal(none.values.listen, '127.0.0.1:15001', 'declared default');
  assert.equal(none.values.qps, undefined, 'no default: undefined, never 0');
  assert.equal(none.values.uniform, undefined);
  assert.deepEqual(none.values.H, []);
  const rep = parseFlags(TABLE, ['-H', 'a: b', '-H=c: d', '--H', 'e:f', '--variant', 'x', '-v=y']);
  assert.deepEqual(rep.values.H, ['a: b', 'c: d', 'e:f']);
  assert.deepEqual(rep.values.variant, ['x', 'y']);
  for (const h of ['-h', '--help', '-help']) assert.equal(parseFlags(TABLE, ['x', h]).help, true, h);
});

function flagError(argv: string[], message: string): void {
  assert.throws(
    () => parseFlags(TABLE, argv),
    (e: unknown) => {
      assert.ok(e instanceof FlagError, String(e));
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, message);
      return true;
    },
    argv.join(' '),
  );
}

test('bad values name the flag as the table shows it: -fortio, --meshbench', () => {
  flagError(['-qps', 'x'], '-qps: invalid value "x": expected a number');
  flagError(['--qps='], '-qps: invalid value "": expected a number');
  flagError(['-c', '2.5'], '-c: invalid value "2.5": expected a whole number');
  flagError(['--c=two'], '-c: invalid value "two": expected a whole number');
  flagError(['-t', '10'], '-t: invalid value "10": expected a duration like 5s, 100ms, 1m30s');
  flagError(['-t', '-5s'], '-t: invalid value "-5s": expected a duration like 5s, 100ms, 1m30s');
  flagError(['-t', '5x'], '-t: invalid value "5x": expected a duration like 5s, 100ms, 1m30s');
  flagError(['-uniform=maybe'], '-uniform: invalid value "maybe": expected true or false');
  flagError(['-no-tui=2'], '--no-tui: invalid value "2": expected true or false');
  flagError(['a', '-c'], '-c: missing value');
  flagError(['-json'], '--json: missing value');
});

test('unknown flags: a close one is suggested, else the table is listed', () => {
  flagError(['--jsn', 'f'], 'unknown flag --jsn (did you mean --json?)');
  flagError(['-qsp', '1'], 'unknown flag -qsp (did you mean -qps?)'); // swapped letters count as one typo
  flagError(['--no-tiu'], 'unknown flag --no-tiu (did you mean --no-tui?)');
  flagError(['--variants=a'], 'unknown flag --variants (did you mean --variant?)');
  flagError(
    ['--turbo'],
    'unknown flag --turbo (flags: -qps -c -t -H -uniform --json --variant --no-tui --listen)',
  );
  assert.throws(() => parseFlags([], ['-x']), { message: 'unknown flag -x (this command takes no flags)' });
});

test('help lists every flag with its value name, repeatability and default', () => {
  const help = formatFlagHelp(TABLE);
  assert.equal(help.split('\n').length - 1, TABLE.length);
  assert.match(help, /^ {2}-qps NUMBER +queries per second$/m);
  assert.match(help, /^ {2}-H STRING +header \(repeatable\)$/m);
  assert.match(help, /^ {2}--json FILE +JSON output$/m);
  assert.match(help, /^ {2}--no-tui +plain lines$/m);
  assert.match(help, /^ {2}--listen STRING +listener \(default 127\.0\.0\.1:15001\)$/m);
});
