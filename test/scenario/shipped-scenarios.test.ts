// Every scenario in scenarios/ runs in the suite (the rest are run by
// run-command.test.ts and test/bookinfo/run-scenarios.test.ts). The slow bookinfo
// ones run as reduced copies: the same networking YAML (absolute includes), fewer
// pages, the count expectations scaled to match; the timing expectations are kept.
// The three runs are independent meshes on ephemeral ports, so they run at once.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCommand } from '../../src/cli/run.js';
import { capture, repo } from '../helpers/io.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-shipped-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The scenario text with each edit applied to exactly `times` places (a stale edit fails loudly). */
async function reduced(name: string, edits: Array<[from: string, to: string, times?: number]>): Promise<string> {
  let text = (await readFile(repo(`scenarios/${name}`), 'utf8')).replace(/^  - bookinfo\//gm, `  - ${repo('scenarios/bookinfo')}/`);
  for (const [from, to, times = 1] of edits) {
    const parts = text.split(from);
    assert.equal(parts.length - 1, times, `${name}: "${from}" found ${parts.length - 1} times`);
    text = parts.join(to);
  }
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

interface MirrorJson {
  compared: number;
  identical: number;
  differing: number;
  fields: Array<{ field: string; count: number }>;
  noise: Array<{ field: string; count: number }>;
  ignored: Array<{ field: string; count: number }>;
}

async function run(file: string): Promise<{ code: number; out: string; doc: { variants: Array<{ name: string; steps: Array<{ step: string; perVersion: Record<string, number> }> }> } }> {
  const json = join(dir, `${basename(file)}.json`);
  const c = capture();
  const code = await runCommand([file, '--no-tui', '--json', json, '--seed', '3'], c.io);
  assert.equal(code, 0, c.out() + c.err());
  return { code, out: c.out(), doc: JSON.parse(await readFile(json, 'utf8')) };
}

describe('shipped scenarios', { concurrency: 3 }, () => {
  test('bookinfo-fault-delay, one jason page: ~6 s (3 s timeout x 2 tries), every expectation passes', async () => {
    const file = await reduced('bookinfo-fault-delay.yaml', [
      ['n: 3, timeout: 15s', 'n: 1, timeout: 15s'],
      ['subset: v2, equals: 6 }', 'subset: v2, equals: 2 }'],
      ['subset: v1, equals: 3 }', 'subset: v1, equals: 1 }'],
      ['sidecar: reviews-v2, equals: 6 }', 'sidecar: reviews-v2, equals: 2 }'],
    ]);
    const { out, doc } = await run(file);
    assert.match(out, /Expectations: 11 of 11 passed/);
    const [anonymous, jason] = doc.variants[0]!.steps;
    assert.equal(anonymous!.perVersion['reviews v1'], 20);
    assert.equal(jason!.perVersion['reviews v1'], undefined);
  });

  test('bookinfo-timeout, two pages per variant: ~2 s without a timeout, ~1 s and two 504s per page with 0.5 s', async () => {
    const file = await reduced('bookinfo-timeout.yaml', [
      ['n: 6, timeout: 10s', 'n: 2, timeout: 10s'],
      ['sidecar: reviews-v2, atLeast: 6 }', 'sidecar: reviews-v2, atLeast: 2 }'],
      ['subset: v2, equals: 6 }', 'subset: v2, equals: 2 }'],
      ['upstream: { app: ratings }, requests: 6 }', 'upstream: { app: ratings }, requests: 2 }'],
      ['subset: v2, equals: 12 }', 'subset: v2, equals: 4 }', 2],
    ]);
    const { out, doc } = await run(file);
    assert.match(out, /Expectations: 13 of 13 passed/);
    assert.deepEqual(doc.variants.map((v) => v.name), ['no-timeout', 'reviews-timeout-0.5s']);
  });

  test('httpbin-mirror as shipped: v1 answers everything, v2 gets one -shadow copy per call', async () => {
    const { out, doc } = await run(repo('scenarios/httpbin-mirror.yaml'));
    assert.match(out, /Expectations: (\d+) of \1 passed/);
    const [, mirror] = doc.variants;
    assert.equal(mirror!.name, 'mirror');
    assert.equal(mirror!.steps[1]!.perVersion['httpbin v1'], 400);
    // The mirror diff (docs/mirror-diff.md): in the JSON per step, and in the text report.
    const diff = (mirror!.steps[1] as unknown as { mirror: MirrorJson }).mirror;
    assert.equal(diff.compared, 400);
    assert.equal(diff.identical, 400);
    assert.equal(diff.differing, 0);
    assert.deepEqual(diff.fields, []);
    assert.deepEqual(diff.ignored, [{ field: '$.headers.Host', count: 400 }]);
    assert.equal((doc.variants[0]!.steps[1] as { mirror?: unknown }).mirror, undefined, 'v1-only mirrors nothing');
    assert.match(out, /Mirror, primary vs shadow: 400 pairs compared, 400 identical, 0 differing \(0%\), 0 shadow errors/);
  });

  test('httpbin-replica-failure as shipped: the stop and start are applied on time, OD ejects, the pod serves again', async () => {
    const { out, doc } = await run(repo('scenarios/httpbin-replica-failure.yaml'));
    assert.match(out, /Expectations: (\d+) of \1 passed/);
    for (const v of doc.variants) {
      const step = v.steps[0] as unknown as { events: Array<{ at: number; t: number; action: string; instance: string }> };
      assert.deepEqual(step.events.map((e) => [e.at, e.action, e.instance]), [
        [0.4, 'stop', 'httpbin-v1-0'],
        [1, 'start', 'httpbin-v1-0'],
      ]);
      // Applied on the load's clock: not early, and not much later (a busy machine's timer lag).
      for (const e of step.events) assert.ok(e.t >= e.at - 0.003 && e.t < e.at + 0.25, `${v.name}: ${e.action} at ${e.t}`);
    }
    assert.match(out, /── 0\.4 s stop httpbin-v1-0\n[^]*── 1\.0 s start httpbin-v1-0/);
  });

  test('mirror-changed: a changed v2 differs in every pair; v1\'s own random 503s are noise, not differences', async () => {
    const { out, doc } = await run(repo('scenarios/mirror-changed.yaml'));
    assert.match(out, /Expectations: (\d+) of \1 passed/);
    const [changed, same] = doc.variants.map((v) => (v.steps[0] as unknown as { mirror: MirrorJson }).mirror);
    assert.deepEqual(changed!.fields.map((f) => f.field), ['body', 'headers.x-pricing-schema']);
    assert.equal(changed!.differing, 400);
    assert.deepEqual(changed!.noise.map((f) => f.field), ['status']);
    assert.equal(same!.differing, 0);
    assert.ok(same!.noise.some((f) => f.field === 'status' && f.count > 0));
    assert.match(out, /headers\.x-pricing-schema +400 +"1" → "2"/);
  });
});
