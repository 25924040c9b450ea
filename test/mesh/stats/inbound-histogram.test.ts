// Envoy-style histograms (libcircllhist bins: two significant digits, linear
// inside a bin) and the inbound cluster stats the per-hop view reads, through the
// admin /stats path in text, JSON and Prometheus form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binOf, Histogram, histogramDelta, histogramQuantile, mergeHistograms, prometheusBuckets } from '../../../src/mesh/stats/histogram.js';
import { StatsStore } from '../../../src/mesh/stats/store.js';
import { InboundCluster } from '../../../src/mesh/stats/inbound.js';
import { startAdmin } from '../../../src/mesh/admin.js';
import { parseClusterStat } from '../../../src/mesh/stats/stat-names.js';

test('bins keep two significant digits (47.3 -> 47, 1234 -> 1200, 0.0345 -> 0.034); below 1 µs -> 0', () => {
  assert.equal(binOf(47.3), 47);
  assert.equal(binOf(1234), 1200);
  assert.equal(binOf(0.0345), 0.034);
  assert.equal(binOf(0.3), 0.3);
  assert.equal(binOf(10), 10);
  assert.equal(binOf(9.99), 9.9);
  assert.equal(binOf(0), 0);
});

test('quantiles are within one bin (1 %) of the exact values, and undefined for no values', () => {
  const h = new Histogram('t');
  for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms, uniform
  const d = h.data();
  assert.equal(d.count, 1000);
  for (const [q, exact] of [[0.5, 50], [0.9, 90], [0.99, 99], [0.25, 25]] as const) {
    const v = histogramQuantile(d, q)!;
    assert.ok(Math.abs(v - exact) <= exact * 0.01 + 0.1, `q${q}: ${v} vs ${exact}`);
  }
  assert.equal(histogramQuantile(new Histogram('e').data(), 0.5), undefined);
});

test('delta and merge: what was recorded between two snapshots, over several histograms', () => {
  const h = new Histogram('t');
  for (let i = 0; i < 10; i++) h.record(5);
  const before = h.data();
  for (let i = 0; i < 10; i++) h.record(50);
  const d = histogramDelta(before, h.data());
  assert.equal(d.count, 10);
  assert.deepEqual(d.bins, { '50': 10 });
  assert.ok(Math.abs(histogramQuantile(d, 0.5)! - 50.5) < 0.01);
  const m = mergeHistograms([d, before]);
  assert.equal(m.count, 20);
  assert.deepEqual(m.bins, { '5': 10, '50': 10 });
  assert.deepEqual(
    prometheusBuckets(m).filter(([le]) => ['5', '10', '50', '100', '+Inf'].includes(le)),
    [['5', 0], ['10', 10], ['50', 10], ['100', 20], ['+Inf', 20]],
  );
});

test('inbound|8080|| counts arrivals, codes, classes, resets (as 503, Envoy chargeUpstreamAbort) and upstream_rq_time; /stats shows them', async () => {
  const store = new StatsStore();
  const ib = new InboundCluster(store, 8080, '.');
  ib.complete(ib.arrive(0), 20, 200);
  ib.complete(ib.arrive(0), 40, 503);
  ib.arrive(0);
  ib.reset();
  ib.arrive(0);
  ib.abandon();
  const snap = store.snapshot();
  const c = (s: string) => snap.counters[`cluster.inbound|8080||.${s}`];
  assert.equal(c('upstream_rq_total'), 4);
  assert.equal(c('upstream_rq_completed'), 2);
  assert.equal(c('upstream_rq_200'), 1);
  assert.equal(c('upstream_rq_503'), 2);
  assert.equal(c('upstream_rq_5xx'), 2);
  assert.equal(c('upstream_rq_2xx'), 1);
  assert.equal(c('upstream_rq_rx_reset'), 1);
  assert.equal(snap.gauges['cluster.inbound|8080||.upstream_rq_active'], 0);
  const time = snap.histograms['cluster.inbound|8080||.upstream_rq_time']!;
  assert.equal(time.count, 2, 'only completed requests are timed');
  assert.deepEqual(parseClusterStat('cluster.inbound|8080||.upstream_rq_time')?.parts, { direction: 'inbound', port: 8080, subset: '', host: '' });

  const admin = await startAdmin({
    host: '127.0.0.1',
    port: 0,
    sidecars: [{ workload: 'cart', namespace: 'default', stats: store, clusters: () => [] }],
    defaultSidecar: 'cart',
    startedAt: performance.now(),
  });
  try {
    const get = async (path: string) => (await fetch(`http://127.0.0.1:${admin.port}${path}`)).text();
    const text = await get('/stats?filter=inbound');
    assert.match(text, /^cluster\.inbound\|8080\|\|\.upstream_rq_total: 4$/m);
    assert.match(text, /^cluster\.inbound\|8080\|\|\.upstream_rq_time: P0\(20,20\) P25\(20\.\d+,20\.\d+\) P50\(2\d(\.\d+)?,2\d(\.\d+)?\) .* P100\(41,41\)$/m);
    const json = JSON.parse(await get('/stats?format=json&filter=upstream_rq_time')) as { stats: Array<{ histograms?: { supported_quantiles: number[]; computed_quantiles: Array<{ name: string; values: Array<{ cumulative: number }> }> } }> };
    const hs = json.stats.find((s) => s.histograms)!.histograms!;
    assert.deepEqual(hs.supported_quantiles, [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100]);
    assert.equal(hs.computed_quantiles[0]!.name, 'cluster.inbound|8080||.upstream_rq_time');
    const prom = await get('/stats/prometheus');
    assert.match(prom, /# TYPE envoy_cluster_upstream_rq_time histogram\n/);
    assert.match(prom, /envoy_cluster_upstream_rq_time_bucket\{cluster_name="inbound\|8080\|\|",le="25"\} 1\n/);
    assert.match(prom, /envoy_cluster_upstream_rq_time_bucket\{cluster_name="inbound\|8080\|\|",le="\+Inf"\} 2\n/);
    assert.match(prom, /envoy_cluster_upstream_rq_time_count\{cluster_name="inbound\|8080\|\|"\} 2\n/);
  } finally {
    await admin.close();
  }
});
