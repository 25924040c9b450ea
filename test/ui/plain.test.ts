import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainProgress } from '../../src/ui/plain.js';
import type { ScenarioSpec } from '../../src/scenario/model.js';
import { C3, mirrorTick, seedC3, snapshot } from '../scenario/fixtures.js';

const scenario: ScenarioSpec = {
  name: 'httpbin-circuit-breaking',
  file: 's.yaml',
  load: { from: 'fortio-deploy', url: 'http://httpbin:8000/get', headers: [], steps: [C3] },
  variants: [{ name: 'seed-dr', patches: [] }, { name: 'pending-10', patches: [] }],
  expect: [],
  loc: { file: 's.yaml', line: 1, col: 1 },
};

test('plain progress: no escape codes, at most one line per step-second, a summary per step', () => {
  let out = '';
  const p = plainProgress({ write: (s: string) => (out += s) });
  p.handle({ type: 'run-start', scenario, variants: ['seed-dr', 'pending-10'], warnings: ['s.yaml:3:1: warning: consecutiveErrors is deprecated'] });
  p.handle({ type: 'variant-start', variant: 'seed-dr', index: 0, count: 2 });
  p.handle({ type: 'step-start', variant: 'seed-dr', step: C3, index: 0, count: 1 });
  // 4 ticks a second for 3 seconds.
  for (let ms = 250; ms <= 3000; ms += 250) {
    const t = mirrorTick();
    t.load = snapshot({ elapsedMs: ms, calls: Math.round(ms / 100), codes: { '200': 7, '503': 3 } });
    p.handle({ type: 'tick', tick: t });
  }
  p.handle({ type: 'step-end', outcome: seedC3() });
  p.handle({ type: 'run-end', outcome: { scenario: 'x', files: [], startedAt: '', durationMs: 0, machine: { cores: 2, node: 'v20.0.0', platform: 'linux', arch: 'x64', cpu: 'test' }, interrupted: false, warnings: [], variants: [], expectations: [] } });
  assert.doesNotMatch(out, /\x1b/);
  const lines = out.trimEnd().split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'scenario httpbin-circuit-breaking: 2 variant(s) x 1 step(s), load from fortio-deploy to http://httpbin:8000/get',
    's.yaml:3:1: warning: consecutiveErrors is deprecated',
    'variant seed-dr (1/2): booting a fresh mesh',
    '[seed-dr] c3: c=3 qps=max n=30',
  ]);
  const progress = lines.filter((l) => /^ {2}\d+\.\ds /.test(l));
  assert.equal(progress.length, 3, lines.join('\n')); // seconds 1, 2, 3
  assert.match(progress[0], /^ {2}1\.0s 10\/30 calls, 640 qps now, p50 2\.45 ms p99 21\.2 ms, 200:7 \(70\.0%\) 503:3 \(30\.0%\), overflow 6$/);
  assert.equal(
    lines.at(-1),
    '  done: 30 calls, 660 qps, p50 2.45 ms p99 21.2 ms, 200:20 (66.7%) 503:10 (33.3%)',
  );
});

test('plain progress: one line per instance event, with when it took effect (not when it was planned)', () => {
  let out = '';
  const p = plainProgress({ write: (s: string) => (out += s) });
  p.handle({ type: 'instance-event', variant: 'base', step: 'c3', event: { at: 1, t: 1.16, action: 'slow', instance: 'httpbin-v1-1', delayMs: 200 } });
  p.handle({ type: 'instance-event', variant: 'base', step: 'c3', event: { at: 2, t: 2.01, action: 'fail', instance: 'httpbin-v2-0', status: 503, share: 0.5 } });
  assert.equal(out, '  1.2s event: slow httpbin-v1-1 +200ms\n  2.0s event: fail httpbin-v2-0 503 x 50%\n');
});
