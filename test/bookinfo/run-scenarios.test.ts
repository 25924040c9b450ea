// The bookinfo scenarios end to end through `runCommand --no-tui`: real YAML
// (includes), a real mesh thread, real load workers, sockets on 127.0.0.1 only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/run.js';
import { repo } from './helpers.js';
import { capture } from '../helpers/io.js';

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-bookinfo-'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Step {
  step: string;
  perVersion: Record<string, number>;
  sidecars?: Record<string, Record<string, number>>;
  expectations: Array<{ pass: boolean }>;
}

test('bookinfo-shift (200 pages per variant, share bounds widened to match): exit 0, the split per variant', async () => {
  // A reduced copy in a temp dir: absolute includes, fewer calls (the repo file's
  // 0.45..0.55 needs 1000 calls to be reliable; 200 calls get 0.35..0.65).
  const text = (await readFile(repo('scenarios/bookinfo-shift.yaml'), 'utf8'))
    .replace(/^  - bookinfo\//gm, `  - ${repo('scenarios/bookinfo')}/`)
    .replace('n: 1000 }', 'n: 200 }')
    .replace(/requests: 1000 }/g, 'requests: 200 }')
    .replace(/shareAtLeast: 0\.45, shareAtMost: 0\.55/g, 'shareAtLeast: 0.35, shareAtMost: 0.65');
  assert.match(text, /n: 200 \}/);
  const file = join(dir, 'shift.yaml');
  await writeFile(file, text);
  const json = join(dir, 'shift.json');
  const c = capture();
  const code = await runCommand([file, '--no-tui', '--json', json], c.io);
  assert.equal(code, 0, c.out() + c.err());
  assert.match(c.out(), /Expectations: 15 of 15 passed/);
  const doc = JSON.parse(await readFile(json, 'utf8'));
  const pv = (i: number): Record<string, number> => (doc.variants[i].steps[0] as Step).perVersion;
  assert.deepEqual(doc.variants.map((v: { name: string }) => v.name), ['all-v1', '50-v3', 'all-v3']);
  assert.equal(pv(0)['reviews v1'], 200);
  assert.equal(pv(0)['ratings v1'], undefined);
  assert.equal(pv(1)['reviews v1'] + pv(1)['reviews v3'], 200);
  assert.equal(pv(1)['ratings v1'], pv(1)['reviews v3']); // only v3 (red stars) asks ratings
  assert.equal(pv(2)['reviews v3'], 200);
  assert.equal(pv(2)['ratings v1'], 200);
});

test('bookinfo-fault-abort as shipped: exit 0; reviews-v2\'s sidecar counters are in the JSON', async () => {
  const json = join(dir, 'abort.json');
  const c = capture();
  const code = await runCommand([repo('scenarios/bookinfo-fault-abort.yaml'), '--no-tui', '--json', json], c.io);
  assert.equal(code, 0, c.out() + c.err());
  assert.match(c.out(), /ok   base \/ jason: counter http\.fault\.aborts_injected of reviews-v2's sidecar == 40 — got 40/);
  const doc = JSON.parse(await readFile(json, 'utf8'));
  const [jason, anonymous] = doc.variants[0].steps as Step[];
  assert.equal(jason.step, 'jason');
  assert.equal(jason.sidecars?.['reviews-v2']['http.outbound_0.0.0.0_9080.fault.aborts_injected'], 40);
  assert.equal(jason.perVersion['ratings v1'], undefined);
  assert.equal(jason.perVersion['reviews v2'], 40);
  assert.equal(anonymous.perVersion['reviews v1'], 40);
  assert.ok([jason, anonymous].every((s) => s.expectations.every((e) => e.pass)));
});
