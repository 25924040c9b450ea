// scenarios/isotope-canonical.yaml as shipped: includes isotope's canonical.yaml
// unmodified, no load.url (the isEntrypoint d), and a VirtualService fault on b
// that isotope's nested errors turn into 500s at the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/run.js';
import { capture, repo } from '../../helpers/io.js';

test('isotope-canonical scenario: every expectation passes; per entry request a and b serve 2, c and d 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-isotope-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const json = join(dir, 'out.json');
  const c = capture();
  const code = await runCommand([repo('scenarios/isotope-canonical.yaml'), '--no-tui', '--json', json, '--seed', '3'], c.io);
  assert.equal(code, 0, c.out() + c.err());
  assert.match(c.out(), /Expectations: 3 of 3 passed/);
  const doc = JSON.parse(await readFile(json, 'utf8')) as { variants: Array<{ name: string; steps: Array<{ perVersion: Record<string, number> }> }> };
  assert.deepEqual(doc.variants[0]!.steps[0]!.perVersion, { 'a v1': 400, 'b v1': 400, 'c v1': 200, 'd v1': 200 });
});
