// N=1 on real sockets: a single run of a 5.5 s step gets every metric's 95 %
// interval from its one-second windows, in the JSON and the report; a short step
// says there is none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from '../helpers/io.js';
import { prepareScenario, runPrepared } from '../../src/scenario/runner.js';
import { formatScenarioReport, toJsonDocument } from '../../src/scenario/report.js';

test('one run: intervals from the step\'s one-second windows, and the note says so', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-win-'));
  const f = join(dir, 's.yaml');
  await writeFile(f, `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: win }
spec:
  load:
    url: http://httpbin:8000/get
    steps:
    - { name: long, c: 2, qps: 40, t: 5500ms }
    - { name: short, n: 5 }
`);
  const files = [repo('scenarios/httpbin/httpbin.yaml'), f];
  const out = await runPrepared(await prepareScenario(files), { files, seed: 1 });
  const [long, short] = out.variants[0]!.steps;
  const iv = long!.intervals!;
  assert.ok(iv.windows >= 5, `windows: ${iv.windows}`);
  assert.equal(iv.note, `interval from ${iv.windows} one-second windows, not repeats`);
  for (const k of ['qps', 'p50', 'p90', 'p99', 'p999', 'code.200']) {
    const m = iv.metrics![k]!;
    assert.ok(m.lo <= m.estimate && m.estimate <= m.hi, `${k}: ${JSON.stringify(m)}`);
  }
  assert.ok(iv.metrics!.qps!.lo > 30 && iv.metrics!.qps!.hi < 50, JSON.stringify(iv.metrics!.qps));
  assert.equal(iv.metrics!.qps!.estimate, long!.result.meshbench.achievedQps);
  assert.equal(short!.intervals!.metrics, undefined);
  assert.match(short!.intervals!.note, /^no interval: [01] one-second windows?, at least 5 needed/);
  // The JSON rows carry the windows (bench compare recomputes from them); the report states the source.
  const doc = JSON.parse(JSON.stringify(toJsonDocument(out))) as { compare: Array<{ windows: unknown[] }>; variants: Array<{ steps: Array<{ intervals: unknown }> }> };
  assert.equal(doc.compare[0]!.windows.length, iv.windows);
  assert.deepEqual(doc.variants[0]!.steps[0]!.intervals, JSON.parse(JSON.stringify(iv)));
  const text = formatScenarioReport(out, { from: 'meshbench' });
  assert.match(text, new RegExp(`^95% intervals \\(interval from ${iv.windows} one-second windows, not repeats\\): qps [\\d.]+ \\[[\\d.]+, [\\d.]+\\], p50 `, 'm'));
  assert.match(text, new RegExp(`^step long — interval from ${iv.windows} one-second windows, not repeats$`, 'm'));
  assert.match(text, /^step short\n(.*\n){2}no interval: [01] one-second windows? \(at least 5 needed/m);
});
