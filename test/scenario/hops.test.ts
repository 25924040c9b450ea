// The per-hop view measured on real meshes (modeled services on loopback, the
// scenario runner, real load): each service's inbound sidecar counts what reached
// it, how long it took there and how it answered (docs/per-hop.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';
import { formatStepReport } from '../../src/scenario/report.js';
import type { StepOutcome } from '../../src/scenario/results.js';
import type { HopStat } from '../../src/scenario/hops.js';
import { model, service, workload } from '../mesh/modeled/mesh-yaml.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-hops-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runYaml(name: string, yaml: string): Promise<StepOutcome> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, yaml);
  const out = await runPrepared(await prepareScenario([file]), { files: [], seed: 7 });
  assert.equal(out.error, undefined);
  return out.variants[0]!.steps[0]!;
}

function scenario(url: string, step: string): string {
  return `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: hops }
spec:
  load:
    url: ${url}
    steps:
    - ${step}
`;
}

function hop(hops: HopStat[] | undefined, svc: string): HopStat {
  const h = hops?.find((x) => x.service === svc);
  assert.ok(h, `no hop for ${svc} in ${JSON.stringify(hops)}`);
  return h;
}

// Loaded 2-core machines fire timers late; a hop never takes less than its model.
const SLACK_MS = 25;

test('3-hop chain entry -> mid (20 ms) -> leaf (40 ms): each hop\'s p50 is its own time plus what it waits for; 1.0 request per entry request', async () => {
  const yaml =
    ['entry', 'mid', 'leaf'].map((n) => workload(n) + service(n)).join('') +
    model('entry', 'target: { deployment: entry }\nscript:\n- call: mid:8080') +
    model('mid', 'target: { deployment: mid }\nlatency: 20ms\nscript:\n- call: leaf:8080') +
    model('leaf', 'target: { deployment: leaf }\nlatency: 40ms') +
    scenario('http://entry:8080/', '{ name: chain, c: 1, qps: 0, n: 15 }');
  const s = await runYaml('chain', yaml);
  const hops = s.hops!;
  assert.deepEqual(hops.map((h) => h.service).sort(), ['entry', 'leaf', 'mid'], 'the implicit source has no inbound side');
  const [entry, mid, leaf] = ['entry', 'mid', 'leaf'].map((n) => hop(hops, n)) as [HopStat, HopStat, HopStat];
  for (const h of [entry, mid, leaf]) {
    assert.equal(h.requests, 15, h.service);
    assert.equal(h.perEntryRequest, 1, h.service);
    assert.equal(h.errors, 0, h.service);
    assert.equal(h.version, 'v1');
  }
  assert.ok(leaf.p50Ms! >= 40 && leaf.p50Ms! < 40 + SLACK_MS, `leaf p50 ${leaf.p50Ms}`);
  assert.ok(mid.p50Ms! >= 60 && mid.p50Ms! < 60 + SLACK_MS, `mid p50 ${mid.p50Ms}`);
  assert.ok(mid.p50Ms! - leaf.p50Ms! >= 15, `mid adds its own 20 ms: ${mid.p50Ms} vs ${leaf.p50Ms}`);
  assert.ok(entry.p50Ms! >= mid.p50Ms! - 1, `entry waits for mid: ${entry.p50Ms} vs ${mid.p50Ms}`);
  assert.ok(leaf.p99Ms! >= leaf.p50Ms!, 'p99 >= p50');
  // Busiest first; ties (a chain) put the slowest, i.e. the caller, first.
  assert.deepEqual(hops.map((h) => h.service), ['entry', 'mid', 'leaf']);
  const text = formatStepReport(s, { from: 'meshbench', variants: 1 });
  assert.match(text, /Per hop \(each service's inbound sidecar, this step\):\n\s+service\s+requests\s+per entry\s+p50 ms\s+p99 ms\s+errors\s+error %\n\s+entry\s+15\s+1\.00x/);
  assert.match(text, /\n\s+leaf\s+15\s+1\.00x\s+4\d\.\d\s/);
});

test('fan-out and errors: two calls per request to leaf is exactly 2.0 per entry request; every 5th mid request fails 503 and every 10th flaky one resets, each counted at its own hop', async () => {
  const yaml =
    ['front', 'leaf', 'mid', 'flaky'].map((n) => workload(n) + service(n)).join('') +
    model('front', 'target: { deployment: front }\nscript:\n- - call: leaf:8080\n  - call: leaf:8080\n- call: mid:8080\n- call: flaky:8080') +
    model('leaf', 'target: { deployment: leaf }') +
    model('mid', 'target: { deployment: mid }\nerrors:\n- { every: 5, status: 503 }') +
    model('flaky', 'target: { deployment: flaky }\nerrors:\n- { every: 10, status: reset }') +
    scenario('http://front:8080/', '{ name: fan, c: 2, qps: 0, n: 40 }');
  const s = await runYaml('fan', yaml);
  const [front, leaf, mid, flaky] = ['front', 'leaf', 'mid', 'flaky'].map((n) => hop(s.hops, n)) as [HopStat, HopStat, HopStat, HopStat];
  assert.equal(front.requests, 40);
  assert.equal(front.perEntryRequest, 1);
  assert.equal(leaf.requests, 80);
  assert.equal(leaf.perEntryRequest, 2);
  assert.equal(leaf.errors, 0);
  assert.equal(mid.requests, 40);
  assert.equal(mid.errors, 8, '40 / 5 deterministic 503s');
  // A failed mid call ends front's script, so flaky sees only the other 32.
  assert.equal(flaky.requests, 32);
  assert.equal(flaky.perEntryRequest, 32 / 40);
  assert.equal(flaky.errors, 3, 'resets count as 503 (Envoy charges the local 503 to the cluster)');
  assert.ok(flaky.p50Ms !== null, '29 flaky requests completed');
  assert.equal(front.errors, 11, 'front answers 500 when mid (8) or flaky (3) failed');
  assert.equal(s.result.fortio.RetCodes['500'], 11);
});

test('a single service on the path: hops in the JSON, no per-hop table in the text', async () => {
  const yaml = workload('solo') + service('solo') + model('solo', 'target: { deployment: solo }') + scenario('http://solo:8080/', '{ name: one, c: 1, qps: 0, n: 5 }');
  const s = await runYaml('solo', yaml);
  assert.equal(s.hops?.length, 1);
  assert.equal(s.hops![0]!.requests, 5);
  assert.doesNotMatch(formatStepReport(s, { from: 'meshbench', variants: 1 }), /Per hop/);
});
