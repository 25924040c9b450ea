// bench import / bench merge on hand-written results in fortio's documented JSON
// format and Envoy's stats text (test/fixtures/cluster/README.md lists the
// samples behind them): merged counts, buckets and percentiles equal one fortio
// histogram over the union of the samples; the stats dumps give meshbench's
// counters; the scenario's expectations evaluate on them; the result sits in
// bench compare and bench report beside other results.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FortioHistogram } from '../../src/load/fortio-histogram.js';
import { createHdr, encodeHdr, recordMs, summarize } from '../../src/load/latency.js';
import { exportFortioHistogram } from '../../src/report/fortio-histogram.js';
import { readFortioResult } from '../../src/report/fortio-json-read.js';
import { decodeHdr } from '../../src/report/hdr.js';
import { histogramState, mergeFortioResults } from '../../src/scenario/fortio-merge.js';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';

const POD0 = [0.0004, 0.0007, 0.0012, 0.0015, 0.0031, 0.0048];
const POD1 = [0.0009, 0.0011, 0.0019, 0.0125];
const STEP_DIR = 'test/fixtures/cluster/results/seed-dr/c3';
const SCENARIO = 'scenarios/httpbin-cb.yaml';

async function fixture(name: string): Promise<unknown> {
  return JSON.parse(await readFile(repo(`${STEP_DIR}/${name}`), 'utf8'));
}

function histogramOf(samples: number[]): FortioHistogram {
  const h = new FortioHistogram(0, 0.001);
  for (const s of samples) h.record(s);
  return h;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = capture();
  const code = await main(args, c.io as any);
  return { code, out: c.out(), err: c.err() };
}

test("a fortio result's Data rows map back to the buckets its samples were recorded in", async () => {
  for (const [file, samples] of [['pod-0.json', POD0], ['pod-1.json', POD1]] as const) {
    const r = readFortioResult(await fixture(file), file);
    const state = histogramState(r.duration, { offset: 0, divider: 0.001 }, file);
    assert.deepEqual(state.buckets, histogramOf(samples).toState().buckets, file);
    assert.equal(state.count, samples.length);
  }
});

test('two pods merged equal one fortio histogram over the union: counts, buckets, percentiles; codes and qps add up', async () => {
  const merged = mergeFortioResults([readFortioResult(await fixture('pod-0.json'), 'pod-0.json'), readFortioResult(await fixture('pod-1.json'), 'pod-1.json')]);
  const union = exportFortioHistogram(histogramOf([...POD0, ...POD1]).toState(), [50, 75, 90, 99, 99.9]);
  const h = merged.DurationHistogram;
  assert.equal(h.Count, 10);
  assert.deepEqual(h.Data, union.Data);
  assert.deepEqual(h.Percentiles, union.Percentiles);
  assert.deepEqual([h.Min, h.Max], [0.0004, 0.0125]);
  assert.ok(Math.abs(h.Sum - union.Sum) < 1e-12 && Math.abs(h.Avg - union.Avg) < 1e-12);
  // fortio's JSON carries StdDev, not the sum of squares: back through it, to the fixtures' 9 digits.
  assert.ok(Math.abs(h.StdDev - union.StdDev) < 1e-9, `${h.StdDev} vs ${union.StdDev}`);
  assert.deepEqual(merged.RetCodes, { '200': 8, '503': 2 });
  assert.equal(merged.ActualDuration, 1.5e9, 'the longest pod');
  assert.equal(merged.ActualQPS, 10 / 1.5);
  assert.equal(merged.NumThreads, 3);
  assert.equal(merged.StartTime, '2026-11-29T21:00:00.050000000Z', 'the earliest start');
  assert.equal((merged.ErrorsDurationHistogram as any).Count, 2);
  assert.equal((merged.Sizes as any).Count, 10);
  assert.equal((merged.HeaderSizes as any).Count, 10);
  assert.equal(merged.SocketCount, 5);
  assert.deepEqual(merged.IPCountMap, { '10.96.12.34:8000': 5 });
});

test('bench import merges the pods, reads the stats dumps into counters and evaluates the expectations', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-import-'));
  try {
    const out = join(dir, 'real.json');
    const r = await run(['import', repo(SCENARIO), repo('test/fixtures/cluster/results'), '--json', out]);
    assert.equal(r.code, 0, r.err);
    // Nothing the directory lacks is passed over in silence.
    assert.match(r.err, /seed-dr\/c1: no results for seed-dr \/ c1/);
    assert.match(r.err, /pending-10: no results for variant pending-10/);
    assert.match(r.out, /Merged fortio results of 2 runs/);
    assert.match(r.out, /Expectations: 2 of 2 passed/);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(doc.meshbench, 'scenario-result/v1');
    assert.equal(doc.source, 'kubernetes');
    const step = doc.variants[0].steps[0];
    assert.deepEqual([doc.variants[0].name, step.step], ['seed-dr', 'c3']);
    // Summed over both pods' dumps, the pre-1.23 and the `;.` forms alike.
    assert.equal(step.counters.upstream_rq_pending_overflow, 2);
    assert.equal(step.counters.upstream_rq_total, 8);
    assert.equal(step.counters['http.downstream_rq_total'], 10);
    assert.deepEqual(step.clusters, ['outbound|8000||httpbin.default.svc.cluster.local']);
    assert.equal(step.result.fortio.DurationHistogram.Count, 10);
    const union = exportFortioHistogram(histogramOf([...POD0, ...POD1]).toState(), [99]);
    assert.equal(step.result.meshbench.serviceTime.p99, 1000 * union.Percentiles![0]!.Value);
    const checks = doc.expectations.map((e: any) => [e.check, e.pass, e.actual]);
    assert.deepEqual(checks, [
      ['code 503 share >= 0.1', true, '0.2 (2 of 10)'],
      ['counter upstream_rq_pending_overflow == code 503 count (2)', true, '2'],
    ]);
    const row = doc.compare[0];
    assert.equal(row.calls, 10);
    assert.equal(row.qps, 10 / 1.5);
    assert.equal(row.counters.overflow, 2);

    // The imported result beside a fortio file in one table, and in the HTML report.
    const cmp = await run(['compare', out, repo(`${STEP_DIR}/pod-0.json`)]);
    assert.equal(cmp.code, 0, cmp.err);
    assert.match(cmp.out, /seed-dr/);
    assert.match(cmp.out, /pod-0/);
    const html = join(dir, 'r.html');
    const rep = await run(['report', out, '-o', html]);
    assert.equal(rep.code, 0, rep.err);
    assert.match(await readFile(html, 'utf8'), /upstream_rq_pending_overflow == code 503 count/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench import: an expectation the real results break exits 1; a broken stats line is exit 2 with file:line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-import-'));
  try {
    await cp(repo('test/fixtures/cluster/results'), join(dir, 'results'), { recursive: true });
    const stats = join(dir, 'results/seed-dr/c3/pod-1.stats');
    const text = await readFile(stats, 'utf8');
    await writeFile(stats, text.replace(';.upstream_rq_pending_overflow: 1', ';.upstream_rq_pending_overflow: 0'));
    const r = await run(['import', repo(SCENARIO), join(dir, 'results')]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /FAIL seed-dr \/ c3: counter upstream_rq_pending_overflow == code 503 count \(2\) — got 1/);
    await writeFile(stats, text + 'this is not a stat\n');
    const bad = await run(['import', repo(SCENARIO), join(dir, 'results')]);
    assert.equal(bad.code, 2);
    assert.equal(bad.err.trim().split('\n').at(-1), `bench: ${stats}:9:1: expected "name: value" (an Envoy stats dump, as pilot-agent request GET stats prints it)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench merge: fortio files give fortio JSON of the union; meshbench HDR blocks merge exactly; other steps are refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-merge-'));
  try {
    const m = join(dir, 'm.json');
    const r = await run(['merge', repo(`${STEP_DIR}/pod-0.json`), repo(`${STEP_DIR}/pod-1.json`), '-o', m]);
    assert.equal(r.code, 0, r.err);
    const merged = JSON.parse(await readFile(m, 'utf8'));
    const union = exportFortioHistogram(histogramOf([...POD0, ...POD1]).toState(), [50, 75, 90, 99, 99.9]);
    assert.deepEqual(merged.DurationHistogram.Data, union.Data);
    assert.deepEqual(merged.DurationHistogram.Percentiles, union.Percentiles);
    // Merged results merge again (fortio's own format, read back).
    assert.equal((await run(['merge', m, repo(`${STEP_DIR}/pod-0.json`), '-o', join(dir, 'm2.json')])).code, 0);
    // fortio JSON as the gate's baseline: pod 1's p99 (12.48 ms) against the merged run's (12.45 ms).
    const gate = await run(['compare', '--baseline', m, repo(`${STEP_DIR}/pod-1.json`), '--fail-on', 'p99>+10%']);
    assert.equal(gate.code, 0, gate.out + gate.err);
    assert.match(gate.out, /gate: passed 1 checks/);
    assert.match(gate.out, /^pod-1 .* 12\.5 /m);

    // meshbench's block (bench load -json): HDR histograms of µs, added count by count.
    const ms0 = POD0.map((s) => s * 1000);
    const ms1 = POD1.map((s) => s * 1000);
    const withHdr = async (file: string, samples: number[]) => {
      const doc = (await fixture(file)) as Record<string, unknown>;
      const h = createHdr();
      for (const x of samples) recordMs(h, x);
      doc.MeshBench = { serviceTime: summarize(h), requestedQps: 0, achievedQps: 1, fellBehind: false, maxBehindScheduleMs: 0, maxEventLoopLagMs: 3, workers: 1, interrupted: false, hdrServiceTime: encodeHdr(h) };
      const path = join(dir, file);
      await writeFile(path, JSON.stringify(doc));
      return path;
    };
    const out = join(dir, 'mb.json');
    const r2 = await run(['merge', await withHdr('pod-0.json', ms0), await withHdr('pod-1.json', ms1), '-o', out]);
    assert.equal(r2.code, 0, r2.err);
    const mb = JSON.parse(await readFile(out, 'utf8')).MeshBench;
    const both = createHdr();
    for (const x of [...ms0, ...ms1]) recordMs(both, x);
    assert.deepEqual(mb.serviceTime, summarize(both));
    assert.equal(decodeHdr(mb.hdrServiceTime).totalCount, 10);
    assert.equal(mb.workers, 2);
    assert.equal(mb.achievedQps, 10 / 1.5);

    // Another URL is another step: refused, naming the file.
    const other = (await fixture('pod-1.json')) as Record<string, unknown>;
    other.URL = 'http://httpbin:8000/status/200';
    const otherFile = join(dir, 'other.json');
    await writeFile(otherFile, JSON.stringify(other));
    const bad = await run(['merge', repo(`${STEP_DIR}/pod-0.json`), otherFile, '-o', join(dir, 'x.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^bench: .*other\.json: URL http:\/\/httpbin:8000\/status\/200 differs from .*pod-0\.json's http:\/\/httpbin:8000\/get: not runs of the same step\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench import: expectations only the embedded mesh can measure are listed as not evaluated, never passed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-import-'));
  try {
    // The fixtures as the mirror scenario's "load" step of variant "mirror" (another URL: said).
    await cp(repo(STEP_DIR), join(dir, 'results/mirror/load'), { recursive: true });
    const out = join(dir, 'real.json');
    const r = await run(['import', repo('scenarios/httpbin-mirror.yaml'), join(dir, 'results'), '--json', out]);
    assert.equal(r.code, 1, 'code 200 share >= 1 fails on 8 of 10');
    assert.match(r.err, /the pods called http:\/\/httpbin:8000\/get, the scenario's load\.url is http:\/\/httpbin:8000\/headers/);
    assert.match(r.err, /httpbin-mirror\.yaml:\d+:\d+: not evaluated on mirror \/ load: upstream expectations need the embedded mesh's own view/);
    assert.match(r.err, /not evaluated on mirror \/ load: mirror expectations need the embedded mesh's own view/);
    const doc = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual(doc.expectations.map((e: any) => [e.check, e.pass]), [['code 200 share >= 1', false]]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bench merge of two scenario runs: per step the HDR of both runs, codes and counters summed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-merge-'));
  try {
    const files = [join(dir, 'a.json'), join(dir, 'b.json')];
    for (const f of files) {
      const r = await run([repo(SCENARIO), '--variant', 'seed-dr', '--no-tui', '--json', f]);
      assert.ok(r.code === 0 || r.code === 1, r.err);
    }
    const out = join(dir, 'm.json');
    const m = await run(['merge', ...files, '-o', out]);
    assert.equal(m.code, 0, m.err);
    const [a, b, merged] = await Promise.all([...files, out].map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
    assert.equal(merged.variants.length, 1);
    merged.variants[0].steps.forEach((s: any, i: number) => {
      const sa = a.variants[0].steps[i];
      const sb = b.variants[0].steps[i];
      assert.equal(s.step, sa.step);
      const both = createHdr();
      both.add(decodeHdr(sa.result.meshbench.hdrServiceTime));
      both.add(decodeHdr(sb.result.meshbench.hdrServiceTime));
      assert.deepEqual(s.result.meshbench.serviceTime, summarize(both), s.step);
      assert.equal(s.result.fortio.DurationHistogram.Count, sa.result.fortio.DurationHistogram.Count + sb.result.fortio.DurationHistogram.Count);
      const codes = (x: any, c: string) => x.result.fortio.RetCodes[c] ?? 0;
      assert.equal(codes(s, '503'), codes(sa, '503') + codes(sb, '503'));
      assert.equal(s.counters.upstream_rq_pending_overflow ?? 0, (sa.counters.upstream_rq_pending_overflow ?? 0) + (sb.counters.upstream_rq_pending_overflow ?? 0));
      assert.equal(merged.compare[i].calls, sa.result.meshbench.serviceTime.count + sb.result.meshbench.serviceTime.count);
    });
    assert.match(m.err, /timelines dropped/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
