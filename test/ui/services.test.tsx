// The dashboard's per-service panel (busiest / slowest services of a service
// graph), drawn from a tick whose hops come from real inbound stats stores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { renderToString } from 'ink';
import { Dashboard } from '../../src/ui/dashboard.js';
import { initialState, reduce } from '../../src/ui/state.js';
import { StatsStore } from '../../src/mesh/stats/store.js';
import { InboundCluster } from '../../src/mesh/stats/inbound.js';
import { perHop } from '../../src/scenario/hops.js';
import type { MeshSnapshot } from '../../src/mesh/api.js';
import { MIRROR_SCENARIO, mirrorTick } from '../scenario/fixtures.js';

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** A shop mesh after some load: frontend 30 requests; recommendations 104 (retried), slow; cart 30, fast. */
function shopSnapshot(): MeshSnapshot {
  const serve = (requests: number, ms: number, errors = 0) => {
    const store = new StatsStore();
    const inbound = new InboundCluster(store, 8080, '.');
    for (let i = 0; i < requests; i++) inbound.complete(inbound.arrive(1000), 1000 + ms, i < errors ? 503 : 200);
    return store.snapshot();
  };
  const svc = [
    ['frontend', serve(30, 600, 23)],
    ['recommendations', serve(104, 70)],
    ['cart', serve(30, 3)],
  ] as const;
  return {
    uptimeMs: 2000,
    sidecars: [{ workload: 'meshbench', counters: {}, gauges: {}, histograms: {} }, ...svc.map(([w, s]) => ({ workload: w, ...s }))],
    instances: svc.map(([w]) => ({ pod: `${w}-0`, workload: w, app: w, version: 'v1', requests: 0, codes: {}, shadowRequests: 0 })),
  };
}

function state(withHops: boolean) {
  const s = initialState();
  reduce(s, { type: 'run-start', scenario: MIRROR_SCENARIO, variants: ['mirror'], warnings: [] });
  reduce(s, { type: 'variant-start', variant: 'mirror', index: 0, count: 1 });
  reduce(s, { type: 'step-start', variant: 'mirror', step: MIRROR_SCENARIO.load.steps[1]!, index: 1, count: 2 });
  const t = mirrorTick();
  if (withHops) t.hops = perHop(undefined, shopSnapshot(), 30);
  reduce(s, { type: 'tick', tick: t });
  return s;
}

for (const cols of [80, 160]) {
  test(`${cols} columns: a service graph shows its busiest services (with requests per entry request) and its slowest hops`, () => {
    const text = strip(renderToString(<Dashboard state={state(true)} width={cols} />, { columns: cols }));
    assert.match(text, /busiest recommendations 104 3\.5x · frontend 30 1\.0x 23 err · cart 30 1\.0x/);
    // Two-digit bins: a hop of 600 ms reads 600..610 (Envoy's histogram is as coarse).
    assert.match(text, /slowest frontend p99 6[01]\d ms · recommendations p99 7[01](\.\d)? ms · cart p99 3(\.\d+)? ms/);
    for (const line of text.split('\n')) assert.ok([...line].length <= cols, `wider than ${cols}: ${line}`);
    if (cols === 80) {
      assert.ok(text.split('\n').length <= 24, `80x24: ${text}`);
      assert.doesNotMatch(text, /Requests per upstream version|no upstream requests/, 'narrow: the services panel replaces the per-version one');
    }
  });
}

test('a single service on the path: no services panel', () => {
  const text = strip(renderToString(<Dashboard state={state(false)} width={160} />, { columns: 160 }));
  assert.doesNotMatch(text, /busiest|slowest|Services/);
});
