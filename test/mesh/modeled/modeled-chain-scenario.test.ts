// scenarios/modeled-chain.yaml end to end: real mesh thread, real load, its own
// expectations (queueing latency at c=4, refusals at c=12, none with 8 workers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from '../../helpers/io.js';
import { prepareScenario, runPrepared } from '../../../src/scenario/runner.js';

test('modeled-chain scenario: every expectation holds, and the numbers say why', async () => {
  const p = await prepareScenario([repo('scenarios/modeled-chain.yaml')]);
  assert.deepEqual(p.warnings, [], 'both images have a model: no default-model warning');
  const out = await runPrepared(p, { files: [], seed: 1 });
  assert.equal(out.error, undefined);
  const failed = out.expectations.filter((e) => !e.pass).map((e) => `${e.variant}/${e.step}: ${e.check} got ${e.actual}`);
  assert.deepEqual(failed, []);
  assert.equal(out.expectations.length, 9);
  const step = (v: string, s: string) => out.variants.find((x) => x.name === v)!.steps.find((x) => x.step === s)!;
  const codes = step('two-workers', 'overload').result.fortio.RetCodes;
  // Refused calls show as 503 at the backend instance and 500 at the entry.
  const backend = step('two-workers', 'overload').instances.find((i) => i.workload === 'backend')!;
  assert.equal(backend.codes['503'], codes['500'], `backend refusals = entry 500s (${JSON.stringify(backend.codes)})`);
});
