// Capacity search on real sockets (issue "Done when"): scenarios/capacity-search.yaml's
// backend is limited by a DestinationRule (2 connections, 16 pending). The search
// finds a maxQps; then fresh meshes run fixed-qps steps at 80 % of it (must meet
// the SLO) and at 150 % (must break it). Bounded: 1 s probes, at most 12 (room for the confirmation).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repo } from '../helpers/io.js';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';
import { judgeProbe, probeConnections } from '../../src/scenario/capacity-search.js';
import { probeMeasure } from '../../src/scenario/search-step.js';
import type { StepSpec } from '../../src/scenario/model.js';
import { compareRows, formatSearchLines } from '../../src/scenario/report.js';

test('a capacity search finds a maxQps that 80 % of meets the SLO and 150 % of breaks', { timeout: 60_000 }, async () => {
  const p = await prepareScenario([repo('scenarios/capacity-search.yaml')], ['pool-2']);
  const step = p.scenario.load.steps[0]!;
  assert.ok(step.search, 'the shipped scenario has a search step');
  step.search = { ...step.search, maxProbes: 12, precision: 0.2 };
  const out = await runPrepared(p, { files: [], seed: 3 });
  assert.equal(out.error, undefined);
  const so = out.variants[0]!.steps[0]!;
  const s = so.search!;
  assert.ok(s, 'the step outcome carries the search result');
  assert.ok(s.maxQps > 0, `found a sustainable rate (${s.note})`);
  assert.ok(s.probes.length <= 12);
  assert.equal(s.interval[0], s.maxQps);
  assert.ok(s.interval[1] > s.maxQps);
  assert.ok(s.probes.some((x) => x.qps === s.maxQps && x.pass) && s.probes.some((x) => !x.pass), 'bracketed by a pass and a failure');
  // The step's own outcome is the variant at its capacity; the compare row carries the answer.
  assert.equal(so.result.meshbench.requestedQps, s.maxQps);
  // The shipped expectation (pool-2's maxQps in 50..400) is evaluated on the search's answer.
  assert.deepEqual(so.expectations.map((e) => [e.check, e.actual.startsWith(`${s.maxQps} qps (interval [`)]), [['search maxQps >= 50 and maxQps <= 400', true]]);
  const row = compareRows(out)[0]!;
  assert.deepEqual([row.maxQps, row.maxQpsInterval], [s.maxQps, s.interval]);

  // Fixed-qps checks on fresh meshes, the connections chosen as the search chose them.
  const fixed = (name: string, qps: number): StepSpec => ({
    ...step,
    name,
    search: undefined,
    qps,
    connections: probeConnections(qps, step.search!, s.probes),
    durationMs: 2000,
    exactly: 0,
    uniform: true,
    allowInitialErrors: true,
  });
  const at80 = Math.round(0.8 * s.maxQps);
  const at150 = Math.round(1.5 * s.maxQps);
  p.scenario.load.steps = [fixed('at80', at80), fixed('at150', at150)];
  p.scenario.expect = [];
  const check = await runPrepared(p, { files: [], seed: 3 });
  const [o80, o150] = check.variants[0]!.steps;
  const j80 = judgeProbe(probeMeasure(o80!, at80, p.scenario.load.steps[0]!.connections), 'confirm', step.search!.slo);
  const j150 = judgeProbe(probeMeasure(o150!, at150, p.scenario.load.steps[1]!.connections), 'confirm', step.search!.slo);
  assert.equal(j80.pass, true, `80 % (${at80} qps) meets the SLO: ${j80.reason}\n${formatSearchLines(s).join('\n')}`);
  assert.equal(j150.pass, false, `150 % (${at150} qps) breaks it`);
  // Broken by the DestinationRule's limit (overflow 503s or a queue too slow to keep the rate), not by nothing.
  assert.match(j150.reason, /error share|client-limited|p99/);
});
