// Per-kind translation rules (spec §2, §3) on small inline documents.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForImage, imageRepository } from '../../../src/mesh/config/deployment.js';
import { compileText, errorsOf, HTTPBIN } from './helpers.js';

const vs = (http: string, extra = '') => `${HTTPBIN}---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: httpbin}
spec:
  hosts: [httpbin]${extra}
  http:
${http}`;

const route = (body: string) => vs(`  - route:\n    - destination: {host: httpbin, subset: v1}\n${body}`);

test('retries (spec §2.6): omitted → null; attempts 0 → disabled; numeric retryOn → status codes', () => {
  assert.equal(compileText(route('')).virtualServices[0].http[0].retries, null);
  const off = compileText(route('    retries: {attempts: 0}')).virtualServices[0].http[0].retries;
  assert.equal(off?.numRetries, 0);
  const r = compileText(route('    retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,503,gateway-error,503", backoff: 50ms, retryIgnorePreviousHosts: false}'))
    .virtualServices[0].http[0].retries;
  assert.deepEqual(r, {
    numRetries: 3,
    perTryTimeoutMs: 2000,
    retryOn: ['5xx', 'gateway-error', 'retriable-status-codes'],
    retriableStatusCodes: [503],
    backoffBaseMs: 50,
    retryIgnorePreviousHosts: false,
    hostSelectionRetryMaxAttempts: 5,
  });
  const d = compileText(route('    retries: {attempts: 2}')).virtualServices[0].http[0].retries;
  assert.deepEqual(d?.retryOn, ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes']);
  assert.equal(d?.backoffBaseMs, 25);
  assert.equal(d?.perTryTimeoutMs, null);
  assert.deepEqual(errorsOf(() => compileText(route('    retries: {attempts: 1, retryOn: "599,5xx,"}'), 'c.yaml')), [
    'c.yaml:49:28: spec.http[0].retries.retryOn: "599" is not an HTTP status code',
    'c.yaml:49:28: spec.http[0].retries.retryOn: unknown retryOn policy "" (one of 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, envoy-ratelimited, cancelled, deadline-exceeded, internal, resource-exhausted, unavailable, reset-before-request, http3-post-connect-failure, or an HTTP status code; no spaces after commas)',
  ]);
  assert.deepEqual(errorsOf(() => compileText(route('    retries: {attempts: -1}'), 'r.yaml')), [
    'r.yaml:49:15: spec.http[0].retries.attempts: attempts must not be negative, got -1',
  ]);
});

test('weights (spec §2.4): single destination → 100, weight-0 entries dropped, sum 0 rejected', () => {
  const one = compileText(vs('  - route:\n    - destination: {host: httpbin}\n      weight: 0')).virtualServices[0].http[0].route;
  assert.deepEqual(one.map((d) => d.weight), [100]);
  const two = compileText(
    vs('  - route:\n    - destination: {host: httpbin, subset: v1}\n      weight: 30\n    - destination: {host: httpbin, subset: v1}\n      weight: 0\n    - destination: {host: httpbin, port: {number: 8000}}\n      weight: 90'),
  ).virtualServices[0].http[0].route;
  assert.deepEqual(two.map((d) => [d.destination, d.weight]), [
    [{ host: 'httpbin.default.svc.cluster.local', subset: 'v1' }, 30],
    [{ host: 'httpbin.default.svc.cluster.local', port: 8000 }, 90],
  ]);
  const errs = errorsOf(() => compileText(vs('  - route:\n    - destination: {host: httpbin}\n    - destination: {host: httpbin}'), 'w.yaml'));
  assert.deepEqual(errs, ['w.yaml:47:5: spec.http[0].route: the weights of several destinations must add up to more than 0']);
});

test('faults (spec §2.7): no percentage → 0 %, grpcStatus kept with HTTP 200', () => {
  const f = compileText(route('    fault:\n      delay: {fixedDelay: 1s}\n      abort: {grpcStatus: UNAVAILABLE, percentage: {value: 12.5}}')).virtualServices[0].http[0].fault;
  assert.deepEqual(f, {
    delay: { fixedDelayMs: 1000, percentage: { numerator: 0, denominator: 100 } },
    abort: { httpStatus: 200, grpcStatus: 'UNAVAILABLE', percentage: { numerator: 125000, denominator: 1_000_000 } },
  });
  const errs = errorsOf(() => compileText(route('    fault:\n      abort: {grpcStatus: "14", percentage: {value: 100}}'), 'g.yaml'));
  assert.match(errs[0], /^g\.yaml:50:15: spec\.http\[0\]\.fault\.abort\.grpcStatus: unknown grpcStatus "14" \(one of OK, CANCELLED/);
});

test('mirrors (spec §2.8): mirrorPercentage wins, 0 disables, mirrors[] default 100 %', () => {
  const m = compileText(route('    mirror: {host: httpbin, subset: v1}\n    mirrorPercentage: {value: 25}\n    mirrorPercent: 50')).virtualServices[0].http[0];
  assert.deepEqual(m.mirrors, [{ destination: { host: 'httpbin.default.svc.cluster.local', subset: 'v1' }, percentage: { numerator: 250000, denominator: 1_000_000 } }]);
  const zero = compileText(route('    mirror: {host: httpbin}\n    mirrorPercentage: {value: 0}')).virtualServices[0].http[0];
  assert.deepEqual(zero.mirrors, []);
  const many = compileText(route('    mirrors:\n    - destination: {host: httpbin}\n    - destination: {host: httpbin, subset: v1}\n      percentage: {value: 50}')).virtualServices[0].http[0];
  assert.deepEqual(many.mirrors.map((x) => [x.destination.subset, x.percentage]), [
    [undefined, { numerator: 100, denominator: 100 }],
    ['v1', { numerator: 500000, denominator: 1_000_000 }],
  ]);
});

test('headers (spec §2.9): host/:authority in request set becomes an authority rewrite', () => {
  const h = compileText(
    route('    headers:\n      request:\n        set: {Host: shadow.example, X-A: "1"}\n        add: {x-b: two}\n      response:\n        remove: [Server]'),
  ).virtualServices[0].http[0].headers;
  assert.deepEqual(h, {
    authorityRewrite: 'shadow.example',
    request: { set: { 'x-a': '1' }, add: { 'x-b': 'two' }, remove: [] },
    response: { set: {}, add: {}, remove: ['server'] },
  });
  const errs = errorsOf(() => compileText(route('    rewrite: {authority: a}\n    headers:\n      request:\n        set: {":authority": b}'), 'h.yaml'));
  assert.deepEqual(errs, ['h.yaml:50:5: spec.http[0].headers: the authority is rewritten twice (rewrite.authority and a host/:authority header); set it once']);
});

test('redirect defaults to 301; directResponse keeps its body; rewrite fields', () => {
  const cfg = compileText(
    vs(`  - match: [{uri: {prefix: /old}}]
    redirect: {uri: /new, authority: example.org}
  - match: [{uri: {exact: /teapot}}]
    directResponse: {status: 418, body: {string: "short and stout"}}
  - match: [{uri: {prefix: /v1}}]
    rewrite: {uri: /v2}
    route:
    - destination: {host: httpbin}`),
  );
  const [a, b, c] = cfg.virtualServices[0].http;
  assert.deepEqual(a.redirect, { redirectCode: 301, uri: '/new', authority: 'example.org' });
  assert.deepEqual(b.directResponse, { status: 418, body: 'short and stout' });
  assert.deepEqual(c.rewrite, { uri: '/v2' });
});

test('routes after a catch-all are kept, with a dead-route warning', () => {
  const cfg = compileText(
    vs(`  - match: [{uri: {prefix: /}}]
    route: [{destination: {host: httpbin}}]
  - match: [{uri: {prefix: /status}}]
    route: [{destination: {host: httpbin}}]`),
    'd.yaml',
  );
  assert.equal(cfg.virtualServices[0].http.length, 2);
  assert.deepEqual(cfg.warnings.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.path}: ${w.message}`), [
    '49:5 spec.http[1]: this route is never used: http[0] before it matches every request',
  ]);
});

test('route subset without a DestinationRule, or without pods: runtime 503 warnings (spec §2.4)', () => {
  const cfg = compileText(route('').replace('subset: v1', 'subset: v9'));
  assert.match(cfg.warnings[0].message, /subset "v9" of httpbin\.default\.svc\.cluster\.local is not defined by any DestinationRule: requests routed here get 503 \(no cluster, NC\)/);
  const nopods = compileText(route('').replace('  - name: v1\n    labels: {version: v1}', '  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}').replace('subset: v1}', 'subset: v2}'));
  assert.match(nopods.warnings[0].message, /no pod of httpbin\.default\.svc\.cluster\.local has the labels of subset "v2": requests routed here get 503 \(no healthy upstream, UH\)/);
});

test('VirtualService hosts completed with the VS namespace; gateways default to mesh', () => {
  const cfg = compileText(vs('  - route: [{destination: {host: httpbin}}]').replace('hosts: [httpbin]', 'hosts: [httpbin, httpbin.default.svc.cluster.local, "*.example.com"]'));
  assert.deepEqual(cfg.virtualServices[0].hosts, ['httpbin.default.svc.cluster.local', 'httpbin.default.svc.cluster.local', '*.example.com']);
  assert.deepEqual(cfg.virtualServices[0].gateways, ['mesh']);
});

test('tcp/tls sections and non-traffic Istio kinds are ignored with a warning', () => {
  const cfg = compileText(
    `${vs('  - route: [{destination: {host: httpbin}}]')}
  tcp:
  - route: [{destination: {host: httpbin}}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gateway}
spec: {selector: {istio: ingressgateway}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}`,
  );
  assert.deepEqual(cfg.warnings.map((w) => w.path), ['spec.tcp', 'kind']);
  assert.match(cfg.warnings[1].message, /^Gateway "bookinfo-gateway" \(networking\.istio\.io\/v1, namespace default\) is not emulated and may change routing/);
});

test('images map to built-in apps; registry prefixes and tags do not matter', () => {
  assert.equal(imageRepository('docker.io/istio/examples-bookinfo-reviews-v2:1.20.2'), 'istio/examples-bookinfo-reviews-v2');
  assert.equal(imageRepository('localhost:5000/kong/httpbin@sha256:abc'), 'kong/httpbin');
  assert.deepEqual(appForImage('docker.io/mccutchen/go-httpbin:v2.15.0'), { app: 'httpbin', defaultPort: 8080 });
  assert.deepEqual(appForImage('kennethreitz/httpbin'), { app: 'httpbin', defaultPort: 80 });
  assert.deepEqual(appForImage('fortio/fortio:latest_release'), { app: 'fortio', defaultPort: 8080 });
  assert.deepEqual(appForImage('quay.io/istio/examples-bookinfo-reviews-v3:1.20.2'), { app: 'reviews', defaultPort: 9080, version: 'v3' });
  assert.equal(appForImage('curlimages/curl:8.1.0')?.app, 'client');
  assert.equal(appForImage('docker.io/istio/sleep')?.app, 'client');
  assert.equal(appForImage('governmentpaas/curl-ssl')?.app, 'client');
  assert.equal(appForImage('istio/examples-bookinfo-ratings-v2'), undefined);
  assert.equal(appForImage('nginx'), undefined);
});

const deploy = (image: string, extra = '', labels = '{app: web}', ports = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: ${labels}${extra}
    spec:
      containers:
      - name: web
        image: ${image}${ports}
`;

test('Deployment: replicas → instances, default port per app, meshbench.io/app annotation', () => {
  const go = compileText(deploy('mccutchen/go-httpbin:v2.15.0'));
  assert.deepEqual(go.instances.map((i) => [i.pod, i.containerPort, i.app]), [['web-0', 8080, 'httpbin'], ['web-1', 8080, 'httpbin']]);
  const nginx = compileText(deploy('nginx:1.25', '\n      annotations: {meshbench.io/app: fortio}'));
  assert.deepEqual([nginx.workloads[0].app, nginx.workloads[0].containerPort, nginx.workloads[0].image], ['fortio', 8080, 'nginx:1.25']);
  const errs = errorsOf(() => compileText(deploy('nginx', '\n      annotations: {meshbench.io/app: nginx}'), 'a.yaml'));
  assert.match(errs[0], /^a\.yaml:11:21: spec\.template\.metadata\.annotations\.meshbench\.io\/app: unknown app "nginx" \(one of httpbin, fortio/);
});

test('Deployment selector must match the template labels, as Kubernetes requires', () => {
  const errs = errorsOf(() => compileText(deploy('kong/httpbin', '', '{app: other}'), 's.yaml'));
  assert.deepEqual(errs, ['s.yaml:7:14: spec.selector.matchLabels: selector does not match template labels (selector app=web, template labels app=other)']);
});

test('Service: named targetPort resolved against container ports; unknown name is an error', () => {
  const svc = (tp: string) => `${deploy('fortio/fortio', '', '{app: web}', '\n        ports:\n        - {containerPort: 8080, name: http-fortio}\n        - {containerPort: 8079, name: grpc-ping}')}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: ${tp}}
  - {name: grpc, port: 8079}
`;
  const cfg = compileText(svc('http-fortio'));
  assert.deepEqual(cfg.services[0].ports.map((p) => [p.name, p.port, p.targetPort]), [['http', 80, 8080], ['grpc', 8079, 8079]]);
  const errs = errorsOf(() => compileText(svc('nope'), 'n.yaml'));
  assert.deepEqual(errs, ['n.yaml:25:28: spec.ports[0].targetPort: no container port named "nope" in the selected Deployments (web; named ports: http-fortio, grpc-ping)']);
});

test('Service with no matching Deployment: warning, not an error', () => {
  const cfg = compileText('apiVersion: v1\nkind: Service\nmetadata: {name: lonely}\nspec:\n  selector: {app: lonely}\n  ports: [{port: 80}]\n', 'l.yaml');
  assert.equal(cfg.services[0].fqdn, 'lonely.default.svc.cluster.local');
  assert.deepEqual(cfg.warnings.map((w) => `${w.loc?.line}:${w.loc?.col} ${w.message}`), [
    '5:3 no Deployment in namespace "default" has pod labels app=lonely: the Service has no endpoints',
  ]);
});

test('ServiceEntry: static loopback endpoints, or a loopback host dialled itself', () => {
  const cfg = compileText(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: mine}
spec:
  hosts: [api.local]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports: {http: 8080}
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: local}
spec:
  hosts: [localhost]
  ports: [{number: 9000, name: http, targetPort: 9001}]
  resolution: DNS
`);
  const [a, b] = cfg.services;
  assert.deepEqual([a.fqdn, a.staticEndpoints, a.aliases], ['api.local', [{ address: '127.0.0.1', ports: { http: 8080 }, labels: { version: 'v1' } }], ['api.local', 'api.local:80']]);
  assert.deepEqual([b.fqdn, b.staticEndpoints, b.ports[0].targetPort], ['localhost', [{ address: 'localhost', ports: { http: 9001 }, labels: {} }], 9001]);
  const errs = errorsOf(() =>
    compileText('apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: ext}\nspec:\n  hosts: [httpbin.org]\n  ports: [{number: 80, name: http}]\n  resolution: DNS\n', 'se.yaml'),
  );
  assert.match(errs[0], /^se\.yaml:5:11: spec\.hosts\[0\]: host "httpbin\.org" has no endpoints and would be resolved by DNS; meshbench only reaches servers on this machine/);
});

test('DestinationRule: LEAST_CONN alias, consistent hash, subset names (spec §3.2)', () => {
  const dr = (tp: string, subsets = '') => `${HTTPBIN.split('---').slice(0, 2).join('---')}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: d}
spec:
  host: httpbin
  trafficPolicy:
${tp}${subsets}`;
  const lc = compileText(dr('    loadBalancer: {simple: LEAST_CONN}'));
  assert.deepEqual(lc.destinationRules[0].trafficPolicy?.loadBalancer, { simple: 'LEAST_REQUEST' });
  assert.match(lc.warnings[0].message, /LEAST_CONN is deprecated/);
  const ch = compileText(dr('    loadBalancer:\n      consistentHash:\n        httpCookie: {name: user, ttl: 0s}\n        ringHash: {minimumRingSize: 2048}'));
  assert.deepEqual(ch.destinationRules[0].trafficPolicy?.loadBalancer, { consistentHash: { httpCookie: { name: 'user', ttlMs: 0 } }, minimumRingSize: 2048 });
  const errs = errorsOf(() => compileText(dr('    tls: {mode: ISTIO_MUTUAL}', '\n  subsets:\n  - {name: V1, labels: {version: v1}}\n  - {name: v2}\n  - {name: v2}'), 'dr.yaml'));
  assert.deepEqual(errs, [
    'dr.yaml:39:6: spec.subsets[0].name: subset name "V1" must be a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)',
    'dr.yaml:41:6: spec.subsets[2].name: duplicate subset name "v2"',
  ]);
  const od = errorsOf(() => compileText(dr('    outlierDetection: {consecutiveLocalOriginFailures: 3, maxEjectionPercent: 101}'), 'od.yaml'));
  assert.deepEqual(od, [
    'od.yaml:37:24: spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: consecutiveLocalOriginFailures requires splitExternalLocalOriginErrors: true',
    'od.yaml:37:59: spec.trafficPolicy.outlierDetection.maxEjectionPercent: must be between 0 and 100, got 101',
  ]);
});

test('cross-document: duplicate names are errors; wrong apiVersion for a kind is an error', () => {
  const errs = errorsOf(() =>
    compileText(`${HTTPBIN}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec: {host: httpbin}
---
apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: old}
spec: {}`, 'x.yaml'),
  );
  assert.deepEqual(errs, [
    'x.yaml:43:12: metadata.name: duplicate DestinationRule "httpbin" in namespace "default" (first defined at x.yaml:31:1)',
    'x.yaml:46:1: apiVersion: apiVersion "extensions/v1beta1" is not supported for Deployment (use apps/v1)',
  ]);
});

test('status blocks and server-set metadata are accepted', () => {
  const cfg = compileText(`apiVersion: v1
kind: Service
metadata:
  name: s
  uid: 1b2c
  resourceVersion: "42"
  creationTimestamp: "2021-01-15T05:45:07Z"
  generation: 3
  managedFields: []
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
spec:
  clusterIP: 10.96.0.12
  type: ClusterIP
  ports: [{port: 80, protocol: TCP}]
status:
  loadBalancer: {}
`);
  assert.equal(cfg.services[0].name, 's');
});

test('unknown Kubernetes fields: suggestion also among accepted-and-ignored names', () => {
  const errs = errorsOf(() => compileText(deploy('kong/httpbin', '', '{app: web}', '\n        imagePulPolicy: Always'), 'k.yaml'));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^k\.yaml:15:9: spec\.template\.spec\.containers\[0\]\.imagePulPolicy: unknown field "imagePulPolicy" \(did you mean "imagePullPolicy"\?\); allowed: name, image, ports, env, command, args; also accepted and ignored: imagePullPolicy, /);
});
