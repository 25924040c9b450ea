import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from '../helpers/io.js';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';
import type { ScenarioEvent } from '../../src/scenario/runner.js';


test('events arrive in order; a runtime failure in a later variant keeps the earlier results', async () => {
  const p = await prepareScenario([repo('scenarios/httpbin-cb.yaml')]);
  // Variant 2 boots a mesh without the `from` workload: its sidecar is missing at run time.
  const v2 = p.variants[1];
  v2.config = {
    ...v2.config,
    workloads: v2.config.workloads.filter((w) => w.name !== 'fortio-deploy'),
    instances: v2.config.instances.filter((i) => i.workload !== 'fortio-deploy'),
  };
  const events: ScenarioEvent['type'][] = [];
  const out = await runPrepared(p, { files: [], tickMs: 100, onEvent: (e) => events.push(e.type) });
  const compact = events.filter((t, i) => t !== 'tick' || events[i - 1] !== 'tick');
  assert.deepEqual(compact.filter((t) => t !== 'tick'), [
    'run-start',
    'variant-start',
    ...['step-start', 'step-end', 'step-start', 'step-end', 'step-start', 'step-end'],
    'variant-end',
    'variant-start',
    'variant-end',
    'run-end',
  ]);
  assert.equal(out.error?.code, 'MB_ERR_NO_SIDECAR');
  assert.equal(out.error?.exitCode, 3);
  assert.match(out.error?.message ?? '', /no sidecar for workload "fortio-deploy"/);
  assert.equal(out.interrupted, false);
  assert.deepEqual(out.variants.map((v) => [v.name, v.steps.length]), [
    ['seed-dr', 3],
    ['pending-10', 0],
  ]);
  assert.equal(out.expectations.length, 6);
  assert.ok(out.expectations.every((e) => e.variant === 'seed-dr'));
});
