// Through the real main(): every command's bad flag is one `bench: …` line and
// exit 2; an empty file is an error, not "0 documents OK"; a result file that
// cannot be written is a bad flag value (exit 2) and never costs the report;
// Ctrl-C / SIGTERM interrupt through the one handler.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { onInterrupt } from '../../src/cli/signals.js';
import { closeLoadWorkers } from '../../src/load/coordinator.js';
import { capture, repo } from '../helpers/io.js';
import { closeServers, server } from '../load/servers.js';

const CB = repo('scenarios/httpbin-cb.yaml');
const HTTPBIN = repo('scenarios/httpbin/httpbin.yaml');
let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-cli-'));
});
after(async () => {
  await closeServers();
  await closeLoadWorkers();
  await rm(dir, { recursive: true, force: true });
});

async function bench(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

test('a bad flag exits 2 with one line naming it, for every command', async () => {
  const cases: Array<[string[], string]> = [
    [[CB, '--jsn', 'r.json'], 'unknown flag --jsn (did you mean --json?)'],
    [['run', CB, '--seed'], '--seed: missing value'],
    [['serve', CB, '--listen', 'nope'], '--listen: invalid address "nope" (expected HOST:PORT, e.g. 127.0.0.1:15001)'],
    [['serve', CB, '--acess-log'], 'unknown flag --acess-log (did you mean --access-log?)'],
    [['load', '-c', 'x', 'http://127.0.0.1:1/'], '-c: invalid value "x": expected a whole number'],
    [['load', '-qps', '10', '-t', '10', 'http://127.0.0.1:1/'], '-t: invalid value "10": expected a duration like 5s, 100ms, 1m30s'],
    [['load', '--mesh', CB, '-H', 'no-colon', 'http://httpbin:8000/get'], '-H: invalid value "no-colon": expected "Name: value"'],
    [['load', '--from', 'sleep', 'http://127.0.0.1:1/'], '--from: only meaningful with --mesh'],
    [['load', '--seed', '1', 'http://127.0.0.1:1/'], '--seed: only meaningful with --mesh (it seeds the proxy)'],
    [['compare', '--csv', 'a.json'], 'unknown flag --csv (flags: --baseline --fail-on --junit --markdown --seed)'],
    [['validate', '--strict', CB], 'unknown flag --strict (did you mean --strict-images?)'],
    [['validate', '--colour', CB], 'unknown flag --colour (flags: --strict-images --istio)'],
    [['frobnicate'], 'unknown command "frobnicate" (try: bench help)'],
  ];
  for (const [argv, line] of cases) {
    const r = await bench(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err, `bench: ${line}\n`, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
  }
});

test('--from names an unknown workload the same way for serve and load --mesh (exit 2, nothing boots)', async () => {
  for (const argv of [
    ['serve', HTTPBIN, '--from', 'ghost', '--listen', ':0', '--admin', ':0'],
    ['load', '--mesh', HTTPBIN, '--from', 'ghost', 'http://httpbin:8000/get'],
  ]) {
    const r = await bench(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err, 'bench: --from: unknown source workload "ghost" (known: httpbin, meshbench)\n', argv.join(' '));
  }
});

test('-h prints the command\'s flags and exits 0', async () => {
  const load = await bench(['load', '-h']);
  assert.equal(load.code, 0);
  assert.match(load.out, /^usage: bench load \[flags\] URL\n/);
  assert.match(load.out, /^ {2}-qps QPS +queries per second in total/m);
  assert.match(load.out, /^ {2}--mesh FILE +boot the embedded mesh/m);
  const serve = await bench(['serve', '--help']);
  assert.equal(serve.code, 0);
  assert.match(serve.out, /^ {2}--listen HOST:PORT +.*\(default 127\.0\.0\.1:15001\)$/m);
  const run = await bench(['run', '-h']);
  assert.match(run.out, /^ {2}--variant NAME +.*\(repeatable\)$/m);
});

test('an empty file (or one of comments and separators) is `file: no documents`, exit 2, for every command', async () => {
  const empty = join(dir, 'empty.yaml');
  const comments = join(dir, 'comments.yaml');
  await writeFile(empty, '');
  await writeFile(comments, '# nothing here yet\n---\n---\n');
  for (const f of [empty, comments]) {
    for (const argv of [[f], ['run', CB, f], ['serve', f, '--listen', ':0', '--admin', ':0'], ['load', '--mesh', f, 'http://httpbin:8000/get']]) {
      const r = await bench(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.err, `bench: ${f}: no documents\n`, argv.join(' '));
    }
    const v = await bench(['validate', HTTPBIN, f]);
    assert.equal(v.code, 2);
    assert.equal(v.out, '', 'no "documents OK" summary');
    assert.equal(v.err, `${f}: no documents\nbench: 1 error\n`);
  }
  // An included file too, named at the include entry.
  const s = join(dir, 'includes-empty.yaml');
  await writeFile(s, 'apiVersion: meshbench/v1\nkind: Scenario\nmetadata: { name: x }\nspec:\n  include: [empty.yaml]\n  load: { url: "http://httpbin:8000/get", steps: [{ name: a, n: 1 }] }\n');
  const r = await bench([s]);
  assert.equal(r.code, 2);
  assert.equal(r.err, `bench: ${s}:5:13: include: ${empty}: no documents\n`);
});

test('an unwritable --json / -json path is exit 2 naming the flag and path, before anything runs', async () => {
  const nowhere = join(dir, 'no-such-dir', 'r.json');
  const run = await bench([CB, '--no-tui', '--json', nowhere]);
  assert.equal(run.code, 2);
  assert.equal(run.err, `bench: --json: cannot write "${nowhere}": ENOENT\n`);
  assert.equal(run.out, '');
  const load = await bench(['load', '-n', '1', '-json', dir, 'http://127.0.0.1:1/']);
  assert.equal(load.code, 2);
  assert.equal(load.err, `bench: -json: cannot write "${dir}": EISDIR\n`, 'a directory is no result file');
});

test('a -json write that fails after the run still prints the report, then exits 2', async () => {
  const s = await server();
  const out = join(dir, 'vanishing');
  await mkdir(out);
  const file = join(out, 'r.json');
  const c = capture();
  // The directory disappears once the run has started (after the early check).
  c.io.stderr.on('data', () => {
    if (c.err().includes('Starting at')) void rm(out, { recursive: true, force: true });
  });
  const code = await main(['load', '-c', '1', '-qps', '20', '-t', '500ms', '-json', file, `${s.url}/`], c.io);
  assert.equal(code, 2, c.err());
  assert.match(c.err(), /^Code 200 : \d+ \(100\.0 %\)$/m, 'the report was printed');
  assert.ok(c.err().endsWith(`\nbench: -json: cannot write "${file}": ENOENT\n`), c.err());
});

test('a --json write that fails after a scenario run still prints the report, then exits 2', async () => {
  const scenario = join(dir, 'tiny.yaml');
  await writeFile(
    scenario,
    'apiVersion: meshbench/v1\nkind: Scenario\nmetadata: { name: tiny }\nspec:\n  load:\n    url: http://httpbin:8000/get\n    steps: [{ name: s1, c: 1, qps: 20, t: 500ms }]\n',
  );
  const out = join(dir, 'vanishing-run');
  await mkdir(out);
  const file = join(out, 'r.json');
  const c = capture();
  c.io.stderr.on('data', () => {
    if (/s1: c=1/.test(c.err())) void rm(out, { recursive: true, force: true });
  });
  const code = await main([HTTPBIN, scenario, '--no-tui', '--json', file], c.io);
  assert.equal(code, 2, c.err());
  assert.match(c.out(), /Code 200 : \d+ \(100\.0 %\)/, 'the report is on stdout');
  assert.ok(c.err().endsWith(`\nbench: --json: cannot write "${file}": ENOENT\n`), c.err());
});

test('SIGINT / SIGTERM abort the command once; the handlers go away with it', async () => {
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const i = onInterrupt();
    assert.equal(i.signal.aborted, false);
    process.emit(sig);
    assert.equal(i.signal.aborted, true, sig);
    i.dispose();
  }
  const outer = new AbortController();
  const i = onInterrupt(outer.signal);
  outer.abort();
  assert.equal(i.signal.aborted, true, 'an embedding\'s signal counts as Ctrl-C');
  i.dispose();
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);

  // A real load run, interrupted by SIGTERM: the partial report, exit 130.
  const s = await server();
  const c = capture();
  c.io.stderr.on('data', () => {
    if (c.err().includes('Starting at') && !c.err().includes('All done')) setTimeout(() => process.emit('SIGTERM'), 300);
  });
  const started = Date.now();
  const code = await main(['load', '-c', '1', '-qps', '20', '-t', '20s', `${s.url}/`], c.io);
  assert.equal(code, 130, c.err());
  assert.ok(Date.now() - started < 10_000, 'stopped long before 20 s');
  assert.match(c.err(), /^meshbench: 20 qps requested, .*; interrupted$/m);
  assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
});
