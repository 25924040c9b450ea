import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { render } from 'ink-testing-library';
import { renderToString } from 'ink';
import { Dashboard } from '../../src/ui/dashboard.js';
import { initialState, reduce } from '../../src/ui/state.js';
import { C3, MIRROR_SCENARIO, mirrorTick, seedC3 } from '../scenario/fixtures.js';

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const width = (line: string) => [...line].length;

const scenario = MIRROR_SCENARIO;

/** State folded from recorded events: one finished step, then a mirroring step in progress. */
function recordedState() {
  const s = initialState();
  reduce(s, { type: 'run-start', scenario, variants: ['seed-dr', 'mirror'], warnings: [] });
  reduce(s, { type: 'variant-start', variant: 'seed-dr', index: 0, count: 2 });
  reduce(s, { type: 'step-start', variant: 'seed-dr', step: scenario.load.steps[0], index: 0, count: 2 });
  reduce(s, { type: 'step-end', outcome: { ...seedC3(), step: 'c1' } });
  reduce(s, { type: 'variant-start', variant: 'mirror', index: 1, count: 2 });
  reduce(s, { type: 'step-start', variant: 'mirror', step: C3, index: 1, count: 2 });
  for (const q of [100, 300, 500, 640.2]) {
    const t = mirrorTick();
    t.load.windowQps = q;
    reduce(s, { type: 'tick', tick: t });
  }
  return s;
}

function checkPanels(text: string) {
  // header and progress
  assert.match(text, /meshbench httpbin-mirror · variant mirror \(2\/2\) · step c3 \(2\/2\)/);
  assert.match(text, /█+░+ 20\/30 calls · 1\.5s · c=3 qps=max n=30/);
  // throughput with sparkline scaled to the max of the window-qps history
  assert.match(text, /qps now 640 · achieved 660 · target max ▂▄▆█/);
  // windowed and cumulative percentiles
  assert.match(text, /window\s+2\.2\s+6\.5\s+20\.1\s+21(?![.\d])/);
  assert.match(text, /cumulative\s+2\.45\s+7\s+21\.2\s+21\.7/);
  // codes with shares
  assert.match(text, /code 200 14 \(70\.0%\)\s+code 503 6 \(30\.0%\)/);
  // sidecar counters
  assert.match(text, /pending active 1\s+pending overflow 6/);
  assert.match(text, /retries 2/);
  assert.match(text, /timeouts 1/);
  assert.match(text, /shadow rq 20/);
  assert.match(text, /Sidecar of sleep → httpbin:8000/);
  // per version: v1 served, v2 got the mirror copies
  assert.match(text, /httpbin v1 █+ 20(?![\d ]*\()/);
  assert.match(text, /httpbin v2 █+ 20 \(20 mirrored\)/);
  // generator health
  assert.match(text, /behind schedule 0 ms · loop lag 1\.4 ms · workers 1 · sockets 8/);
  assert.match(text, /q \/ Ctrl-C: stop/);
}

test('80 columns: one column, every panel, fits 80x24', () => {
  const r = render(<Dashboard state={recordedState()} width={80} />);
  const text = strip(r.lastFrame() ?? '');
  r.unmount();
  checkPanels(text);
  const lines = text.split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines:\n${text}`);
  for (const l of lines) assert.ok(width(l) <= 80, `too wide (${width(l)}): ${l}`);
  assert.doesNotMatch(text, /╭/); // no borders when narrow
});

test('160 columns: two bordered columns with the finished-steps panel', () => {
  const text = strip(renderToString(<Dashboard state={recordedState()} width={160} />, { columns: 160 }));
  checkPanels(text);
  const lines = text.split('\n');
  for (const l of lines) assert.ok(width(l) <= 160, `too wide (${width(l)}): ${l}`);
  assert.ok(lines.length <= 48, `${lines.length} lines`);
  // Throughput (left) and Sidecar (right) panels share a row.
  assert.ok(lines.some((l) => /│ Throughput .*│ │ Sidecar of sleep/.test(l)), text);
  assert.match(text, /Finished steps/);
  assert.match(text, /seed-dr\/c1\s+660 qps p99\s+21\.2 ms 503 33\.3%/);
});

test('a finished step that mirrored shows its mirror diff: differing of compared pairs', () => {
  const s = recordedState();
  const mirror = {
    compared: 30, identical: 27, differing: 3, differingShare: 0.1, noiseOnly: 0, fields: [], noise: [], ignored: [],
    replayed: 0, shadowErrors: 0, shadowTimeouts: 0, primaryErrors: 0, captured: 30, skipped: 0, latencyMs: { primary: { p50: 1, p99: 2 }, shadow: { p50: 1, p99: 2 } },
  };
  reduce(s, { type: 'step-end', outcome: { ...seedC3('mirror'), mirror } });
  const text = strip(renderToString(<Dashboard state={s} width={160} />, { columns: 160 }));
  assert.match(text, /mirror\/c3\s+660 qps p99\s+21\.2 ms 503 33\.3% mirror 3\/30 differ/);
  assert.doesNotMatch(text, /seed-dr\/c1.*mirror \d/, 'a step without mirroring shows none');
});

test('before the first tick the dashboard renders placeholders, not NaN', () => {
  const s = initialState();
  reduce(s, { type: 'run-start', scenario, variants: ['base'], warnings: [] });
  reduce(s, { type: 'variant-start', variant: 'base', index: 0, count: 1 });
  const text = strip(renderToString(<Dashboard state={s} width={80} />, { columns: 80 }));
  assert.match(text, /booting mesh…/);
  assert.match(text, /codes: none yet/);
  assert.match(text, /no upstream requests yet/);
  assert.doesNotMatch(text, /NaN|undefined/);
});


test('instance events: a ▲ under the sparkline at the tick they happened, and the list with their times', () => {
  const s = initialState();
  reduce(s, { type: 'run-start', scenario, variants: ['base'], warnings: [] });
  reduce(s, { type: 'variant-start', variant: 'base', index: 0, count: 1 });
  reduce(s, { type: 'step-start', variant: 'base', step: C3, index: 0, count: 1 });
  const tick = (q: number) => {
    const t = mirrorTick();
    t.load.windowQps = q;
    reduce(s, { type: 'tick', tick: t });
  };
  tick(100);
  reduce(s, { type: 'instance-event', variant: 'base', step: 'c3', event: { at: 0.4, t: 0.41, action: 'stop', instance: 'httpbin-v1-0' } });
  tick(200);
  tick(300);
  reduce(s, { type: 'instance-event', variant: 'base', step: 'c3', event: { at: 1, t: 1.0, action: 'start', instance: 'httpbin-v1-0' } });
  tick(400);
  const text = strip(renderToString(<Dashboard state={s} width={80} />, { columns: 80 }));
  const lines = text.split('\n');
  const spark = lines.findIndex((l) => /qps now .* ▃▅▆█$/.test(l));
  assert.ok(spark >= 0, text);
  const col = lines[spark]!.indexOf('▃');
  assert.equal(lines[spark + 1]!.slice(col, col + 4), ' ▲ ▲');
  assert.match(lines[spark + 2]!, /events 0\.4s stop httpbin-v1-0 · 1\.0s start httpbin-v1-0/);
  // The next step starts without them.
  reduce(s, { type: 'step-start', variant: 'base', step: C3, index: 0, count: 1 });
  assert.doesNotMatch(strip(renderToString(<Dashboard state={s} width={80} />, { columns: 80 })), /▲|events /);
});
