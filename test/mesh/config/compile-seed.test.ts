// The seed's documents (verbatim fixtures) and the scenarios/ base files compile to
// the Envoy-side values spec/istio-semantics.md prescribes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { effectivePolicy, MAX_THRESHOLD } from '../../../src/mesh/config/policy.js';
import { compileFiles, fixture, scenario } from './helpers.js';

const BOOKINFO = [scenario('bookinfo/bookinfo.yaml'), scenario('bookinfo/networking/destination-rule-all.yaml')];

test('seed circuit-breaking DR: pool limits set, consecutiveErrors ignored with Envoy default 5 (spec §3.4, Istio 1.7+)', async () => {
  const cfg = await compileFiles(fixture('seed-httpbin-dr-circuit-breaking.yaml'));
  const dr = cfg.destinationRules[0];
  assert.equal(dr.host, 'httpbin.istio-demo.svc.cluster.local');
  assert.deepEqual(dr.trafficPolicy?.connectionPool, { maxConnections: 1, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 });
  assert.deepEqual(dr.trafficPolicy?.outlierDetection, {
    consecutive5xx: 5,
    enforcingConsecutive5xx: 100,
    consecutiveGatewayFailure: 5,
    enforcingConsecutiveGatewayFailure: 0,
    splitExternalLocalOriginErrors: false,
    consecutiveLocalOriginFailure: 5,
    enforcingConsecutiveLocalOriginFailure: 100,
    intervalMs: 1000,
    baseEjectionTimeMs: 180_000,
    maxEjectionTimeMs: 300_000,
    maxEjectionPercent: 100,
    healthyPanicThreshold: 0,
  });
  const w = cfg.warnings.find((x) => x.path === 'spec.trafficPolicy.outlierDetection.consecutiveErrors');
  assert.ok(w, 'consecutiveErrors warning');
  assert.equal(w.loc?.line, 16);
  assert.equal(w.loc?.col, 7);
  assert.match(w.message, /ignored since Istio 1\.7.*Envoy's default of 5 consecutive 5xx errors applies/);
  const eff = effectivePolicy(dr, undefined, 8000, cfg.istio);
  assert.deepEqual(eff.pool, {
    maxConnections: 1,
    connectTimeoutMs: 10_000,
    http1MaxPendingRequests: 1,
    http2MaxRequests: MAX_THRESHOLD,
    maxRequestsPerConnection: 1,
    maxRetries: MAX_THRESHOLD,
    idleTimeoutMs: 3_600_000,
  });
  assert.deepEqual(eff.lb, { simple: 'LEAST_REQUEST' });
  assert.equal(eff.outlier?.consecutive5xx, 5);
});

test('seed mirroring section: two httpbin versions, sleep client, v1 route with mirror_percent 100 to v2 (spec §2.8)', async () => {
  const base = await loadSourceFiles([
    fixture('seed-httpbin-v1-deploy.yaml'),
    fixture('seed-httpbin-v2-deploy.yaml'),
    fixture('seed-httpbin-service.yaml'),
    fixture('seed-sleep-deploy.yaml'),
    fixture('seed-httpbin-vs-dr.yaml'),
  ]);
  const before = compileMesh(base);
  assert.deepEqual(before.virtualServices[0].http[0].mirrors, []);
  assert.deepEqual(before.warnings, []);

  const mirror = await loadSourceFiles([fixture('seed-httpbin-vs-mirror.yaml')]);
  const cfg = compileMesh([...base.filter((d) => d.kind !== 'VirtualService'), ...mirror]);
  assert.deepEqual(cfg.workloads.map((w) => [w.name, w.app, w.containerPort, w.labels]), [
    ['httpbin-v1', 'httpbin', 80, { app: 'httpbin', version: 'v1' }],
    ['httpbin-v2', 'httpbin', 80, { app: 'httpbin', version: 'v2' }],
    ['sleep', 'client', 0, { app: 'sleep' }],
  ]);
  assert.deepEqual(cfg.instances.map((i) => i.pod), ['httpbin-v1-0', 'httpbin-v2-0', 'sleep-0']);
  const svc = cfg.services[0];
  assert.equal(svc.fqdn, 'httpbin.default.svc.cluster.local');
  assert.deepEqual(svc.ports, [{ name: 'http', port: 8000, targetPort: 80, protocol: 'TCP' }]);
  for (const a of ['httpbin', 'httpbin:8000', 'httpbin.default', 'httpbin.default:8000', 'httpbin.default.svc', 'httpbin.default.svc.cluster', 'httpbin.default.svc.cluster.local:8000']) {
    assert.ok(svc.aliases.includes(a), a);
  }
  const route = cfg.virtualServices[0].http[0];
  assert.deepEqual(route.route, [{ destination: { host: 'httpbin.default.svc.cluster.local', subset: 'v1' }, weight: 100 }]);
  assert.deepEqual(route.mirrors, [
    { destination: { host: 'httpbin.default.svc.cluster.local', subset: 'v2' }, percentage: { numerator: 100, denominator: 100 } },
  ]);
  assert.equal(route.retries, null);
  assert.equal(route.timeoutMs, null);
  assert.deepEqual(cfg.warnings.map((w) => [w.path, w.loc?.line]), [['spec.http[0].mirror_percent', 17]]);
  assert.match(cfg.warnings[0].message, /mirror_percent is deprecated/);
});

test('seed kubectl List outputs: VirtualServices and DestinationRules of namespace istio-demo', async () => {
  const cfg = await compileFiles(fixture('seed-virtualservices-list.yaml'), fixture('seed-destinationrules-list.yaml'));
  assert.deepEqual(cfg.virtualServices.map((v) => v.name), ['bookinfo', 'details', 'productpage', 'ratings', 'reviews']);
  const gw = cfg.virtualServices[0];
  assert.deepEqual(gw.gateways, ['bookinfo-gateway']);
  assert.deepEqual(gw.hosts, ['istio.wse-test-10d7d95763d0f236970efbfbd8681327-0001.eu-de.containers.appdomain.cloud']);
  assert.equal(gw.http[0].match.length, 5);
  assert.deepEqual(gw.http[0].route[0].destination, { host: 'productpage.istio-demo.svc.cluster.local', port: 9080 });
  assert.deepEqual(cfg.virtualServices[4].hosts, ['reviews.istio-demo.svc.cluster.local']);
  assert.deepEqual(cfg.virtualServices[4].gateways, ['mesh']);
  assert.deepEqual(cfg.destinationRules.find((d) => d.name === 'ratings')?.subsets.map((s) => s.name), ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm']);
  const gwWarn = cfg.warnings.find((w) => w.path === 'spec.gateways');
  assert.match(gwWarn?.message ?? '', /sidecars ignore this VirtualService/);
  // No Services in these files: every mesh host is flagged, none is an error.
  assert.ok(cfg.warnings.some((w) => /host reviews\.istio-demo\.svc\.cluster\.local is not a Service/.test(w.message)));
});

test('seed request-timeouts documents: legacy delay percent, 0.5s timeout', async () => {
  const delay = await compileFiles(fixture('seed-ratings-delay-2s-percent.yaml'));
  assert.deepEqual(delay.virtualServices[0].http[0].fault, { delay: { fixedDelayMs: 2000, percentage: { numerator: 100, denominator: 100 } } });
  assert.ok(delay.warnings.some((w) => w.path === 'spec.http[0].fault.delay.percent' && /deprecated/.test(w.message)));
  const timeout = await compileFiles(fixture('seed-reviews-timeout.yaml'));
  assert.equal(timeout.virtualServices[0].http[0].timeoutMs, 500);
  assert.deepEqual(timeout.virtualServices[0].http[0].route[0].destination.subset, 'v2');
  const v2 = await compileFiles(fixture('seed-reviews-v2.yaml'));
  assert.equal(v2.virtualServices[0].http[0].timeoutMs, null);
  const shift = await compileFiles(fixture('seed-reviews-50-v3-get.yaml'));
  assert.deepEqual(shift.virtualServices[0].http[0].route.map((r) => [r.destination.subset, r.weight]), [['v1', 50], ['v3', 50]]);
});

test('scenarios/bookinfo: services, workloads, reviews env defaults by version (spec §11.2)', async () => {
  const cfg = await compileFiles(...BOOKINFO, scenario('bookinfo/networking/virtual-service-all-v1.yaml'));
  assert.deepEqual(cfg.warnings, []);
  assert.deepEqual(cfg.services.map((s) => s.fqdn), [
    'details.default.svc.cluster.local',
    'ratings.default.svc.cluster.local',
    'reviews.default.svc.cluster.local',
    'productpage.default.svc.cluster.local',
  ]);
  assert.ok(cfg.services.every((s) => s.ports[0].port === 9080 && s.ports[0].targetPort === 9080));
  const w = Object.fromEntries(cfg.workloads.map((x) => [x.name, x]));
  assert.deepEqual(Object.keys(w), ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1']);
  assert.equal(w['productpage-v1'].app, 'productpage');
  assert.equal(w['details-v1'].app, 'details');
  assert.equal(w['ratings-v1'].app, 'ratings');
  assert.equal(w['reviews-v2'].serviceAccount, 'bookinfo-reviews');
  assert.equal(w['reviews-v1'].containerPort, 9080);
  assert.deepEqual(w['reviews-v1'].env, { ENABLE_RATINGS: 'false', STAR_COLOR: 'black', LOG_DIR: '/tmp/logs' });
  assert.deepEqual(w['reviews-v2'].env, { ENABLE_RATINGS: 'true', STAR_COLOR: 'black', LOG_DIR: '/tmp/logs' });
  assert.deepEqual(w['reviews-v3'].env, { ENABLE_RATINGS: 'true', STAR_COLOR: 'red', LOG_DIR: '/tmp/logs' });
  assert.equal(cfg.virtualServices.length, 4);
  assert.ok(cfg.virtualServices.every((v) => v.http[0].route[0].destination.subset === 'v1'));
});

test('scenarios/bookinfo networking files each compile with the base files', async () => {
  const files = [
    'virtual-service-reviews-test-v2.yaml',
    'virtual-service-ratings-test-delay.yaml',
    'virtual-service-ratings-test-abort.yaml',
    'virtual-service-reviews-50-v3.yaml',
    'virtual-service-reviews-v3.yaml',
  ];
  const out = new Map<string, ReturnType<typeof compileMesh>>();
  for (const f of files) {
    const cfg = await compileFiles(...BOOKINFO, scenario(`bookinfo/networking/${f}`));
    assert.deepEqual(cfg.warnings, [], f);
    out.set(f, cfg);
  }
  const testV2 = out.get('virtual-service-reviews-test-v2.yaml')!.virtualServices[0].http;
  assert.deepEqual(testV2[0].match[0].headers, { 'end-user': { exact: 'jason' } });
  assert.equal(testV2[0].route[0].destination.subset, 'v2');
  assert.deepEqual(testV2[1].match, []);
  const delay = out.get('virtual-service-ratings-test-delay.yaml')!.virtualServices[0].http[0].fault;
  assert.deepEqual(delay, { delay: { fixedDelayMs: 7000, percentage: { numerator: 1_000_000, denominator: 1_000_000 } } });
  const abort = out.get('virtual-service-ratings-test-abort.yaml')!.virtualServices[0].http[0].fault;
  assert.deepEqual(abort, { abort: { httpStatus: 500, percentage: { numerator: 1_000_000, denominator: 1_000_000 } } });
  const v3 = out.get('virtual-service-reviews-v3.yaml')!.virtualServices[0].http[0].route;
  assert.deepEqual(v3, [{ destination: { host: 'reviews.default.svc.cluster.local', subset: 'v3' }, weight: 100 }]);
});

test('scenarios/httpbin: Istio sample httpbin (8000 -> 80) and the fortio client', async () => {
  const cfg = await compileFiles(scenario('httpbin/httpbin.yaml'), scenario('httpbin/fortio-deploy.yaml'));
  assert.deepEqual(cfg.warnings, []);
  const [httpbin, fortio] = cfg.workloads;
  assert.deepEqual([httpbin.name, httpbin.app, httpbin.containerPort, httpbin.serviceAccount], ['httpbin', 'httpbin', 80, 'httpbin']);
  assert.deepEqual([fortio.name, fortio.app, fortio.containerPort, fortio.labels], ['fortio-deploy', 'fortio', 8080, { app: 'fortio' }]);
  assert.deepEqual(cfg.services.map((s) => [s.name, s.ports[0].port, s.ports[0].targetPort]), [['httpbin', 8000, 80], ['fortio', 8080, 8080]]);
  const mirror = await compileFiles(scenario('httpbin/httpbin-v1-v2.yaml'), scenario('httpbin/sleep.yaml'));
  assert.deepEqual(mirror.workloads.map((w) => w.name), ['httpbin-v1', 'httpbin-v2', 'sleep']);
  assert.deepEqual(mirror.warnings, []);
});

test('Istio 1.24+ httpbin sample shape: go-httpbin on 8080', async () => {
  const cfg = await compileFiles(fixture('istio-httpbin-go.yaml'));
  assert.deepEqual(cfg.warnings, []);
  assert.deepEqual([cfg.workloads[0].app, cfg.workloads[0].containerPort, cfg.services[0].ports[0].targetPort], ['httpbin', 8080, 8080]);
  assert.equal(cfg.instances[0].image, 'docker.io/mccutchen/go-httpbin:v2.15.0'); // the app picks its flavour by image
});

test('kube-inject output: the app container decides, sidecar containers are ignored', async () => {
  const cfg = await compileFiles(fixture('kube-injected.yaml'));
  assert.deepEqual(cfg.warnings, []);
  const w = cfg.workloads[0];
  assert.deepEqual([w.name, w.app, w.containerPort, w.env], ['sleep', 'client', 0, {}]);
  assert.equal(w.labels['security.istio.io/tlsMode'], 'istio');
});
