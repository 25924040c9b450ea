// The bad-input corpus (test/fixtures/bad/cases.yaml, one fixture file per case):
// every case through the real main() with captured io. Asserted per case: the
// exit code exactly, every stderr line exactly (one per problem, `bench: …` or
// validate's `file:line:col: …`), the file:line:col / flag it names, no stack
// frame, and nothing on stdout for an error. Bad input never crashes (exit 70).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { closeLoadWorkers } from '../../src/load/coordinator.js';
import { capture, repo } from '../helpers/io.js';

interface Case {
  name: string;
  note?: string;
  argv: string[];
  exit: number;
  names: string;
  stderr: Array<string | { re: string }>;
}

const DIR = repo('test/fixtures/bad');
const MESH = '../../../scenarios/httpbin/httpbin-v1-v2.yaml';
const cases = parse(readFileSync(`${DIR}/cases.yaml`, 'utf8')) as Case[];

after(() => closeLoadWorkers());

test('the corpus holds at least 60 cases, uniquely named, and uses every fixture file', () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  const used = new Set(cases.flatMap((c) => c.argv));
  const unused = readdirSync(DIR).filter((f) => f !== 'cases.yaml' && !used.has(f));
  assert.deepEqual(unused, []);
});

test('every bad input: one clear line per problem, its location or flag, the documented exit code, no stack', async () => {
  // File names in messages are the ones given: run from the fixtures directory.
  const cwd = process.cwd();
  process.chdir(DIR);
  try {
    for (const c of cases) {
      const io = capture();
      const code = await main(c.argv.map((a) => (a === '{mesh}' ? MESH : a)), io.io);
      const err = io.err();
      const what = `${c.name}: bench ${c.argv.join(' ')}\n${err}`;
      assert.equal(code, c.exit, what);
      assert.ok(err.endsWith('\n'), what);
      const lines = err.slice(0, -1).split('\n');
      assert.equal(lines.length, c.stderr.length, what);
      c.stderr.forEach((want, i) => {
        if (typeof want === 'string') assert.equal(lines[i], want, what);
        else assert.match(lines[i], new RegExp(want.re), what);
      });
      assert.ok(lines.some((l) => l.includes(c.names)), `${what}: names ${c.names}`);
      for (const l of lines) {
        assert.doesNotMatch(l, /^\s+at |internal error/, what);
        // A `bench: …` line, or validate's listing: `file:line:col: …` / `file: …`.
        assert.match(l, /^(bench: |[\w./-]+\.\w+:(\d+:\d+:)? )/, what);
      }
      if (code !== 0) assert.equal(io.out(), '', what);
    }
  } finally {
    process.chdir(cwd);
  }
});
