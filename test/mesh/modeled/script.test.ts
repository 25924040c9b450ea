// The script's control flow with an injected io (no sockets): order, concurrent
// groups, probability, app-level retries and the failure text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom } from '../../../src/mesh/random.js';
import { runScript, type Reply, type ScriptIo } from '../../../src/mesh/apps/modeled/script.js';
import type { ModelCall, ScriptStep } from '../../../src/mesh/config/model.js';

const call = (host: string, o: Partial<ModelCall> = {}): { call: ModelCall } => ({
  call: { host, method: 'GET', path: '/', size: 0, probability: 1, timeoutMs: null, retries: 0, headers: {}, ...o },
});

function io(replies: Record<string, Reply[]>, seed = 3): ScriptIo & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    random: createRandom(seed),
    sleep: async () => void log.push('sleep'),
    call: async (c) => {
      log.push(c.host);
      const next = replies[c.host]?.shift();
      return next === undefined ? { status: 200, body: Buffer.alloc(0) } : next;
    },
  };
}
const r = (status: number, body = ''): Reply => ({ status, body: Buffer.from(body) });

test('steps run in order and stop at the first failure, with the callee body nested', async () => {
  const x = io({ b: [r(503, 'no\n')] });
  const steps: ScriptStep[] = [call('a'), call('b'), { sleep: { kind: 'fixed', value: 1 } }];
  assert.equal(await runScript(steps, x), 'service b responded with 503 (body: no)');
  assert.deepEqual(x.log, ['a', 'b']);
});

test('a concurrent group waits for all members and reports every failure', async () => {
  const x = io({ a: [null], c: [r(500)] });
  const out = await runScript([[call('a', { timeoutMs: 50 }), call('b'), call('c')], call('d')], x);
  assert.equal(out, '2 errors occurred: service a did not answer within 50ms (connection failure or timeout); service c responded with 500');
  assert.deepEqual(x.log, ['a', 'b', 'c']);
});

test('app retries: 5xx and no answer are retried up to `retries` times, 4xx is not', async () => {
  const x = io({ a: [r(503), null, r(200)], b: [r(404)], c: [r(500), r(500), r(500)] });
  assert.equal(await runScript([call('a', { retries: 2 })], x), undefined);
  assert.equal(await runScript([call('b', { retries: 2 })], x), 'service b responded with 404');
  assert.equal(await runScript([call('c', { retries: 2 })], x), 'service c responded with 500');
  assert.deepEqual(x.log, ['a', 'a', 'a', 'b', 'c', 'c', 'c']);
});

test('probability: the call is made in that share of requests, a skipped call succeeds', async () => {
  const x = io({});
  for (let i = 0; i < 1000; i++) assert.equal(await runScript([call('a', { probability: 0.25 })], x), undefined);
  const made = x.log.length;
  assert.ok(made > 200 && made < 300, `about 250 of 1000 calls made, got ${made}`);
  const never = io({});
  await runScript([call('a', { probability: 0 })], never);
  assert.deepEqual(never.log, []);
});
