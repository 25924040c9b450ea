import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSeed } from '../../src/cli/flags.js';
import { FlagError } from '../../src/errors.js';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';

test('--seed takes a 32-bit unsigned whole number, the same rule for every command', () => {
  assert.equal(parseSeed('--seed', '0'), 0);
  assert.equal(parseSeed('--seed', '4294967295'), 4294967295);
  assert.equal(parseSeed('--seed', undefined), undefined, 'not given');
  for (const bad of ['-1', '4294967296', '1.5', 'x', '']) {
    assert.throws(() => parseSeed('--seed', bad), (e: unknown) => e instanceof FlagError && /^--seed: invalid value/.test(e.message));
  }
});

test('a bad --seed is a one-line error with exit 2 from run, serve and load --mesh alike', async () => {
  for (const argv of [
    [repo('scenarios/httpbin-cb.yaml'), '--seed', '-1'],
    ['serve', repo('scenarios/httpbin-cb.yaml'), '--seed', '-1'],
    ['load', '--mesh', repo('scenarios/httpbin-cb.yaml'), '--seed', '-1', 'http://httpbin:8000/get'],
  ]) {
    const c = capture();
    const code = await main(argv, c.io);
    assert.equal(code, 2, argv.join(' '));
    assert.match(c.err(), /^bench: --seed: invalid value "-1": expected a whole number 0\.\.4294967295\n$/);
  }
});
