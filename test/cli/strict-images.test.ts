// `--strict-images` on every command that compiles a mesh: without it a
// Deployment with an image that is no built-in app runs the default model (one
// warning); with it the same file is a bad-input error (exit 2) naming
// file:line:col. Through the real main(); serve and load fail before booting.
import { test, after } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';

const BAD_IMAGE = repo('test/fixtures/config/bad-image.yaml');
const NOT_BUILT_IN = /bad-image\.yaml:16:9: spec\.template\.spec\.containers\[0\]\.image: image "nginx:1\.25" is not a built-in app/;

async function bench(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

test('validate: an unknown image is a warning by default and an error with --strict-images', async () => {
  const loose = await bench(['validate', BAD_IMAGE]);
  assert.equal(loose.code, 0, loose.err);
  assert.match(loose.err, /warning: .*not a built-in app and ha(s|ve) no ServiceModel/);
  const strict = await bench(['validate', '--strict-images', BAD_IMAGE]);
  assert.equal(strict.code, 2);
  assert.match(strict.err, NOT_BUILT_IN);
});

test('serve, load --mesh and run refuse the unknown image under --strict-images (exit 2, nothing boots)', async () => {
  for (const argv of [
    ['serve', '--strict-images', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', BAD_IMAGE],
    ['load', '--strict-images', '--mesh', BAD_IMAGE, '-n', '1', 'http://httpbin:8000/get'],
  ]) {
    const r = await bench(argv);
    assert.equal(r.code, 2, `${argv[0]}: ${r.err}`);
    assert.match(r.err, NOT_BUILT_IN, argv[0]);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack for a user error');
  }
  const dir = await mkdtemp(join(tmpdir(), 'mb-strict-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const scenario = join(dir, 'web.yaml');
  await writeFile(
    scenario,
    `apiVersion: meshbench/v1\nkind: Scenario\nmetadata: { name: web }\nspec:\n  include: [${JSON.stringify(BAD_IMAGE)}]\n` +
      `  load:\n    url: http://web:8080/\n    steps: [{ name: one, c: 1, n: 1 }]\n`,
  );
  const run = await bench(['--strict-images', '--no-tui', scenario]);
  assert.equal(run.code, 2, run.err);
  assert.match(run.err, /is not a built-in app/);
});

test('load: --strict-images without --mesh names the flag', async () => {
  const r = await bench(['load', '--strict-images', '-n', '1', 'http://127.0.0.1:9/']);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'bench: --strict-images: only meaningful with --mesh\n');
});
