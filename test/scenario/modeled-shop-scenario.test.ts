// scenarios/modeled-shop.yaml as shipped: real mesh, real load, its own
// expectations (queueing / retry storm / retry breaker / circuit breaker), and the
// per-hop view showing the retry storm where it lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from '../helpers/io.js';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';

test('modeled-shop: every expectation holds; the per-hop amplification at recommendations is 1.0 without policy, >= 2 with retries, < 1.5 with the retry breaker, <= 1 with the circuit breaker', async () => {
  const p = await prepareScenario([repo('scenarios/modeled-shop.yaml')]);
  assert.deepEqual(p.warnings, [], 'every image has a model; every field is emulated');
  const out = await runPrepared(p, { files: [], seed: 1 });
  assert.equal(out.error, undefined);
  const failed = out.expectations.filter((e) => !e.pass).map((e) => `${e.variant}/${e.step}: ${e.check} got ${e.actual}`);
  assert.deepEqual(failed, []);
  assert.equal(out.expectations.length, 4 * 2 + 3 + 3 + 2 + 4);
  const rec = (variant: string) => {
    const s = out.variants.find((v) => v.name === variant)!.steps[0]!;
    const h = s.hops?.find((x) => x.service === 'recommendations');
    assert.ok(h, `${variant}: no recommendations hop`);
    return h;
  };
  assert.equal(rec('no-policy').perEntryRequest, 1);
  assert.ok(rec('retries').perEntryRequest! >= 2, `retries: ${rec('retries').perEntryRequest}`);
  assert.ok(rec('retry-budget').perEntryRequest! < 1.5, `retry-budget: ${rec('retry-budget').perEntryRequest}`);
  assert.ok(rec('circuit-breaker').perEntryRequest! <= 1, `circuit-breaker: ${rec('circuit-breaker').perEntryRequest}`);
});
