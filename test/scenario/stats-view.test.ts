import { test } from 'node:test';
import assert from 'node:assert/strict';
import { destinationOf, destinationStats, instanceDeltas, matchCluster, perVersion } from '../../src/scenario/stats-view.js';

test('the URL host resolves to the cluster FQDN from the source namespace (spec §8 names)', () => {
  const d = destinationOf('http://httpbin:8000/get', 'istio-demo');
  assert.deepEqual(d, { host: 'httpbin', port: 8000, fqdns: ['httpbin.istio-demo.svc.cluster.local', 'httpbin'] });
  assert.equal(destinationOf('http://reviews.default:9080/').fqdns[0], 'reviews.default.svc.cluster.local');
  assert.equal(destinationOf('http://example.com/').port, 80);
  assert.equal(destinationOf('https://example.com/').port, 443, 'the scheme decides the default port');
  assert.deepEqual(destinationOf('http://[::1]:8080/').fqdns, ['::1']);
  const k = 'cluster.outbound|8000||httpbin.istio-demo.svc.cluster.local.upstream_rq_pending_overflow';
  assert.deepEqual(matchCluster(k, d), {
    cluster: 'outbound|8000||httpbin.istio-demo.svc.cluster.local',
    subset: '',
    stat: 'upstream_rq_pending_overflow',
  });
  // Newer Envoy admin output separates the cluster name with ";.".
  assert.equal(matchCluster('cluster.outbound|8000|v2|httpbin.istio-demo.svc.cluster.local;.upstream_rq_total', d)?.subset, 'v2');
  assert.equal(matchCluster('cluster.outbound|9080||httpbin.istio-demo.svc.cluster.local.upstream_rq_total', d), undefined);
  assert.equal(matchCluster('cluster.outbound|8000||httpbin2.istio-demo.svc.cluster.local.upstream_rq_total', d), undefined);
});

test('short names sum over subsets (or one subset); HCM stats become http.<name>', () => {
  const d = destinationOf('http://httpbin:8000/headers');
  const s = {
    workload: 'sleep',
    counters: {
      'cluster.outbound|8000|v1|httpbin.default.svc.cluster.local.upstream_rq_total': 5,
      'cluster.outbound|8000|v2|httpbin.default.svc.cluster.local.upstream_rq_total': 5,
      'cluster.outbound|8000|v2|httpbin.default.svc.cluster.local.outlier_detection.ejections_enforced_total': 1,
      'cluster.outbound|9080||reviews.default.svc.cluster.local.upstream_rq_total': 7,
      'http.outbound_0.0.0.0_8000.fault.aborts_injected': 2,
    },
    gauges: { 'cluster.outbound|8000|v1|httpbin.default.svc.cluster.local.upstream_cx_active': 1 },
  };
  const all = destinationStats(s, d);
  assert.equal(all.counters.upstream_rq_total, 10);
  assert.equal(all.counters['outlier_detection.ejections_enforced_total'], 1);
  assert.equal(all.counters['http.fault.aborts_injected'], 2);
  assert.equal(all.gauges.upstream_cx_active, 1);
  assert.deepEqual(Object.keys(all.clusters).sort(), [
    'outbound|8000|v1|httpbin.default.svc.cluster.local',
    'outbound|8000|v2|httpbin.default.svc.cluster.local',
  ]);
  assert.equal(destinationStats(s, d, 'v1').counters.upstream_rq_total, 5);
});

test('instance deltas per step; mirrored copies counted apart per version', () => {
  const inst = (pod: string, version: string, requests: number, shadowRequests: number) => ({
    pod,
    workload: `httpbin-${version}`,
    version,
    app: 'httpbin',
    requests,
    codes: { '200': requests },
    shadowRequests,
  });
  const before = { uptimeMs: 0, sidecars: [], instances: [inst('a', 'v1', 10, 0), inst('b', 'v2', 10, 10)] };
  const after = { uptimeMs: 0, sidecars: [], instances: [inst('a', 'v1', 30, 0), inst('b', 'v2', 30, 30)] };
  const d = instanceDeltas(before, after);
  assert.deepEqual(d.map((i) => [i.pod, i.requests, i.shadowRequests, i.codes['200']]), [
    ['a', 20, 0, 20],
    ['b', 20, 20, 20],
  ]);
  assert.deepEqual(perVersion(d), { 'httpbin v1': 20, 'httpbin v2 mirror': 20 });
});
