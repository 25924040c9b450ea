// Envoy stat names (spec §8): the pre-1.23 `cluster.<cluster>.<stat>` form meshbench
// emits, Istio 1.23+'s `;.` form it also reads, HCM names, the Prometheus form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterName,
  clusterScope,
  extractTags,
  hcmScope,
  isFullStatName,
  parseClusterName,
  parseClusterStat,
  parseStatName,
  prometheusFamily,
} from '../../../src/mesh/stats/stat-names.js';

const CL = 'outbound|8000||httpbin.default.svc.cluster.local';

test('cluster and HCM names are built the way Istio and the seed print them', () => {
  assert.equal(clusterName(8000, undefined, 'httpbin.default.svc.cluster.local'), CL);
  assert.equal(clusterName(9080, 'v1', 'reviews.default.svc.cluster.local'), 'outbound|9080|v1|reviews.default.svc.cluster.local');
  assert.equal(`${clusterScope(CL, '.')}.upstream_rq_pending_overflow`, `cluster.${CL}.upstream_rq_pending_overflow`);
  assert.equal(`${clusterScope(CL, ';.')}.upstream_rq_pending_overflow`, `cluster.${CL};.upstream_rq_pending_overflow`);
  assert.equal(`${hcmScope(15001)}.no_route`, 'http.outbound_0.0.0.0_15001.no_route');
});

test('parseClusterName', () => {
  const cases: Array<[string, ReturnType<typeof parseClusterName>]> = [
    [CL, { direction: 'outbound', port: 8000, subset: '', host: 'httpbin.default.svc.cluster.local' }],
    ['outbound|9080|v2|reviews.default.svc.cluster.local', { direction: 'outbound', port: 9080, subset: 'v2', host: 'reviews.default.svc.cluster.local' }],
    ['inbound|80||', { direction: 'inbound', port: 80, subset: '', host: '' }],
    ['xds-grpc', undefined],
    ['outbound|http|v1|x', undefined],
    ['outbound|8000|v1', undefined],
  ];
  for (const [name, want] of cases) assert.deepEqual(parseClusterName(name), want, name);
});

test('parseStatName splits scope and stat; the stat roots decide where a dotted name ends', () => {
  const cases: Array<[string, ReturnType<typeof parseStatName>]> = [
    [`cluster.${CL}.upstream_rq_pending_overflow`, { kind: 'cluster', cluster: CL, stat: 'upstream_rq_pending_overflow' }],
    [`cluster.${CL};.upstream_rq_total`, { kind: 'cluster', cluster: CL, stat: 'upstream_rq_total' }],
    [`cluster.${CL}.circuit_breakers.default.remaining_pending`, { kind: 'cluster', cluster: CL, stat: 'circuit_breakers.default.remaining_pending' }],
    [`cluster.${CL}.outlier_detection.ejections_active`, { kind: 'cluster', cluster: CL, stat: 'outlier_detection.ejections_active' }],
    [`cluster.${CL}.retry.upstream_rq_503`, { kind: 'cluster', cluster: CL, stat: 'retry.upstream_rq_503' }],
    ['cluster.xds-grpc.upstream_cx_total', { kind: 'cluster', cluster: 'xds-grpc', stat: 'upstream_cx_total' }],
    ['http.outbound_0.0.0.0_15001.no_route', { kind: 'http', prefix: 'outbound_0.0.0.0_15001', stat: 'no_route' }],
    ['http.outbound_0.0.0.0_9080.fault.aborts_injected', { kind: 'http', prefix: 'outbound_0.0.0.0_9080', stat: 'fault.aborts_injected' }],
    ['http.outbound_0.0.0.0_9080.some_future_stat', { kind: 'http', prefix: 'outbound_0.0.0.0_9080', stat: 'some_future_stat' }],
    ['http.admin.downstream_rq_2xx', { kind: 'http', prefix: 'admin', stat: 'downstream_rq_2xx' }],
    ['server.uptime', undefined],
    ['listener.0.0.0.0_15001.downstream_cx_total', undefined],
  ];
  for (const [name, want] of cases) assert.deepEqual(parseStatName(name), want, name);
});

test('parseClusterStat: only outbound|… clusters', () => {
  assert.deepEqual(parseClusterStat(`cluster.outbound|8000|v2|httpbin.default.svc.cluster.local;.upstream_rq_total`), {
    cluster: 'outbound|8000|v2|httpbin.default.svc.cluster.local',
    parts: { direction: 'outbound', port: 8000, subset: 'v2', host: 'httpbin.default.svc.cluster.local' },
    stat: 'upstream_rq_total',
  });
  assert.equal(parseClusterStat('cluster.xds-grpc.upstream_cx_total'), undefined);
  assert.equal(parseClusterStat('http.outbound_0.0.0.0_15001.no_route'), undefined);
});

test('isFullStatName tells full Envoy names from the short names scenarios sum', () => {
  for (const n of [`cluster.${CL}.upstream_rq_total`, 'http.outbound_0.0.0.0_15001.no_route', `${CL}.upstream_rq_total`]) assert.equal(isFullStatName(n), true, n);
  for (const n of ['upstream_rq_total', 'http.no_route', 'outlier_detection.ejections_active', 'http.fault.aborts_injected']) assert.equal(isFullStatName(n), false, n);
});

test('Prometheus form: Istio stats_tags cut cluster_name, http_conn_manager_prefix and response codes out', () => {
  assert.deepEqual(extractTags(`cluster.${CL}.retry.upstream_rq_503`), {
    name: 'cluster.retry.upstream_rq',
    tags: [['response_code', '503'], ['cluster_name', CL]],
  });
  assert.deepEqual(extractTags(`cluster.${CL}.upstream_rq_2xx`), {
    name: 'cluster.upstream_rq',
    tags: [['response_code_class', '2xx'], ['cluster_name', CL]],
  });
  assert.deepEqual(extractTags('http.outbound_0.0.0.0_15001.fault.aborts_injected'), {
    name: 'http.fault.aborts_injected',
    tags: [['http_conn_manager_prefix', 'outbound_0.0.0.0_15001']],
  });
  assert.deepEqual(extractTags('server.uptime'), { name: 'server.uptime', tags: [] });
  assert.equal(prometheusFamily('cluster.upstream_rq_pending_overflow'), 'envoy_cluster_upstream_rq_pending_overflow');
  assert.equal(prometheusFamily('http.fault.aborts_injected'), 'envoy_http_fault_aborts_injected');
});
