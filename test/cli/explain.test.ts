// bench explain through the real main() on the repo's YAML files: the route the
// proxy's table picks and why earlier routes did not match, the cluster, the
// DestinationRule subset and its pods, the policy; 404 NR with the reason; bad
// input exits 2 with one line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { ExplainResult } from '../../src/mesh/explain.js';
import { capture, repo } from '../helpers/io.js';

const BOOKINFO = repo('scenarios/bookinfo/bookinfo.yaml');
const NET = (f: string) => repo(`scenarios/bookinfo/networking/${f}.yaml`);
const DR = NET('destination-rule-all');
const CB = repo('scenarios/httpbin-cb.yaml');
const REVIEWS = 'reviews.default.svc.cluster.local';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-explain-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function yamlFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function bench(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

async function explainJson(argv: string[]): Promise<ExplainResult> {
  const r = await bench(['explain', ...argv, '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as ExplainResult;
}

test('a header match that fails says why, and the catch-all routes to subset v1', async () => {
  const argv = ['explain', BOOKINFO, DR, NET('virtual-service-reviews-test-v2'), '--from', 'productpage-v1', '-H', 'end-user: bob', 'http://reviews:9080/reviews/0'];
  const { code, out } = await bench(argv);
  assert.equal(code, 0);
  assert.match(out, /listener +0\.0\.0\.0:9080/);
  assert.match(out, /vhost +reviews\.default\.svc\.cluster\.local:9080 \(domain "reviews"\); VirtualService default\/reviews/);
  assert.match(out, /no +VirtualService default\/reviews http\[0\] match\[0\]: header end-user: "bob" does not match exact "jason"/);
  assert.match(out, /route +VirtualService default\/reviews http\[1\] \(no match: catch-all\)/);
  assert.match(out, /100% +outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local/);
  assert.match(out, /DestinationRule default\/reviews, subset v1 \{version=v1\}/);
  assert.match(out, /endpoints: reviews-v1-0 \{app=reviews,version=v1\}/);
  assert.match(out, /retries 2 on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, perTryTimeout none \(Istio default\)/);
  assert.match(out, /answer +forwarded upstream/);
});

test('--json: the matching header takes http[0] to v2, with the subset labels and its pod', async () => {
  const r = await explainJson([BOOKINFO, DR, NET('virtual-service-reviews-test-v2'), '--from', 'productpage-v1', '-H', 'End-User: jason', 'http://reviews:9080/']);
  assert.deepEqual(r.source, { workload: 'productpage-v1', namespace: 'default', labels: { app: 'productpage', version: 'v1' } });
  assert.deepEqual(r.virtualHost, { service: REVIEWS, port: 9080, domain: 'reviews', default: false, virtualServices: ['default/reviews'] });
  assert.deepEqual(r.rejected, []);
  assert.deepEqual(r.route, { virtualService: 'default/reviews', http: 0, name: null, match: 0, action: 'route', conditions: ['header end-user exact "jason"'] });
  assert.equal(r.destinations.length, 1);
  const d = r.destinations[0]!;
  assert.equal(d.cluster, `outbound|9080|v2|${REVIEWS}`);
  assert.equal(d.clusterExists, true);
  assert.equal(d.destinationRule, 'default/reviews');
  assert.deepEqual(d.subsetLabels, { version: 'v2' });
  assert.deepEqual(d.endpoints.map((e) => e.id), ['reviews-v2-0']);
  assert.equal(r.localReply, null);
});

test('weights: 50/50 between v1 and v3, each with its own cluster and pod', async () => {
  const r = await explainJson([BOOKINFO, DR, NET('virtual-service-reviews-50-v3'), 'http://reviews:9080/']);
  assert.deepEqual(
    r.destinations.map((d) => [d.cluster, d.weight, d.endpoints.map((e) => e.id)]),
    [
      [`outbound|9080|v1|${REVIEWS}`, 50, ['reviews-v1-0']],
      [`outbound|9080|v3|${REVIEWS}`, 50, ['reviews-v3-0']],
    ],
  );
});

test('a full abort is the answer (FI); the fault is listed in the policy', async () => {
  const r = await explainJson([BOOKINFO, DR, NET('virtual-service-ratings-test-abort'), '--from', 'reviews-v2', '-H', 'end-user: jason', 'http://ratings:9080/ratings/0']);
  assert.deepEqual(r.policy?.fault, { abort: { httpStatus: 500, percent: 100 } });
  assert.equal(r.localReply?.status, 500);
  assert.equal(r.localReply?.flag, 'FI');
});

test('no service with that name, or not on that port: 404 NR with the reason, exit 0', async () => {
  const a = await bench(['explain', BOOKINFO, 'http://nope:9080/']);
  assert.equal(a.code, 0);
  assert.match(a.out, /answer +404 NR: no virtual host for "nope": no Service or ServiceEntry has that name/);
  const b = await explainJson([BOOKINFO, 'http://reviews:9081/']);
  assert.equal(b.virtualHost, null);
  assert.deepEqual(b.localReply, { status: 404, flag: 'NR', reason: `no virtual host for "reviews:9081": ${REVIEWS} has no port 9081 (ports: 9080)` });
});

test('-X sets the method the matcher sees', async () => {
  const r = await explainJson([BOOKINFO, DR, NET('virtual-service-reviews-test-v2'), '-X', 'post', 'http://reviews:9080/']);
  assert.equal(r.request.method, 'POST');
  assert.deepEqual(r.rejected.map((x) => x.reason), ['header end-user is missing']);
  assert.equal(r.route?.http, 1);
});

test('no route matches: 404 NR; each match item says why, a sourceLabels item for another client is left out', async () => {
  const vs = await yamlFile('no-route.yaml', `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: from-v2
    match: [{sourceLabels: {version: v2}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - name: jason
    match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /admin}}, {method: {exact: DELETE}}, {queryParams: {v: {regex: "[0-9]+"}}}]
    route: [{destination: {host: reviews, subset: v3}}]
`);
  const r = await explainJson([BOOKINFO, DR, vs, '--from', 'productpage-v1', 'http://reviews:9080/x?v=abc']);
  assert.deepEqual(r.skipped, [{ virtualService: 'default/reviews', http: 0, name: 'from-v2', match: 0, reason: 'sourceLabels version=v2 (the client has version=v1)' }]);
  assert.deepEqual(
    r.rejected.map((x) => [x.http, x.match, x.reason]),
    [
      [1, 0, 'header end-user is missing'],
      [1, 1, 'uri "/x?v=abc" does not match prefix "/admin"'],
      [1, 2, 'method GET does not match exact "DELETE"'],
      [1, 3, 'query parameter v: "abc" does not match regex "[0-9]+"'],
    ],
  );
  assert.equal(r.route, null);
  assert.deepEqual(r.localReply, { status: 404, flag: 'NR', reason: 'no route of default/reviews matches the request' });
  // From reviews-v2 the sourceLabels route applies and wins.
  const v2 = await explainJson([BOOKINFO, DR, vs, '--from', 'reviews-v2', 'http://reviews:9080/x']);
  assert.deepEqual(v2.route, { virtualService: 'default/reviews', http: 0, name: 'from-v2', match: 0, action: 'route', conditions: [] });
  assert.equal(v2.destinations[0]!.cluster, `outbound|9080|v2|${REVIEWS}`);
});

test('connection-pool limits and the Host header override', async () => {
  const r = await explainJson([CB, '-H', 'Host: httpbin:8000', 'http://127.0.0.1/get']);
  assert.equal(r.request.authority, 'httpbin:8000');
  const d = r.destinations[0]!;
  assert.equal(d.cluster, 'outbound|8000||httpbin.default.svc.cluster.local');
  assert.equal(d.connectionPool.maxConnections, 1);
  assert.equal(d.connectionPool.http1MaxPendingRequests, 1);
  assert.equal(d.connectionPool.maxRequestsPerConnection, 1);
  const text = await bench(['explain', CB, 'http://httpbin:8000/get']);
  assert.match(text.out, /pool: maxConnections 1, http1MaxPendingRequests 1, maxRequestsPerConnection 1/);
});

test('bad input exits 2 with one line naming the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['explain', BOOKINFO], /^bench: explain: expected YAML files and a URL/],
    [['explain', BOOKINFO, '-H', 'nocolon', 'http://reviews:9080/'], /^bench: -H: invalid value "nocolon": expected 'name: value'\n$/],
    [['explain', BOOKINFO, '--from', 'nobody', 'http://reviews:9080/'], /^bench: --from: unknown source workload "nobody"/],
    [['explain', BOOKINFO, '--from', 'reviews-v1', '--from-namespace', 'x', 'http://reviews:9080/'], /^bench: --from and --from-namespace: give one or the other\n$/],
    [['explain', BOOKINFO, 'https://reviews:9080/'], /^bench: URL "https:\/\/reviews:9080\/": https goes through the sidecar as TLS passthrough/],
    [['explain', repo('scenarios/no-such-file.yaml'), 'http://reviews:9080/'], /^bench: .*no-such-file\.yaml/],
    [['explain', BOOKINFO, '--jsn', 'http://reviews:9080/'], /^bench: unknown flag --jsn \(did you mean --json\?\)\n$/],
  ];
  for (const [argv, re] of cases) {
    const r = await bench(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack for user errors');
  }
});

test('docs/explain.md: the JSON example is what the command prints', async () => {
  const doc = readFileSync(repo('docs/explain.md'), 'utf8');
  const block = /```json\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/explain.md has a json block');
  const r = await explainJson([BOOKINFO, DR, NET('virtual-service-reviews-test-v2'), '--from', 'productpage-v1', '-H', 'end-user: jason', 'http://reviews:9080/reviews/0']);
  assert.deepEqual(JSON.parse(block[1]!), r);
});

test('text: timeout, retries, delay, partial abort, mirror, rewrite, header operations, redirect, direct response', async () => {
  const vs = await yamlFile('policy.yaml', `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: moved
    match: [{uri: {prefix: /old}}]
    redirect: {uri: /new, redirectCode: 302}
  - name: teapot
    match: [{uri: {exact: /tea}}]
    directResponse: {status: 418, body: {string: short and stout}}
  - name: main
    timeout: 3s
    retries: {attempts: 4, perTryTimeout: 500ms, retryOn: 5xx}
    fault:
      delay: {fixedDelay: 2s, percentage: {value: 10}}
      abort: {httpStatus: 503, percentage: {value: 5}}
    mirror: {host: ratings}
    mirrorPercentage: {value: 25}
    rewrite: {uri: /v2, authority: reviews-canary}
    headers:
      request: {set: {x-a: "1"}, remove: [x-b]}
      response: {add: {x-c: "2"}}
    route: [{destination: {host: reviews, subset: v2}}]
`);
  const main = await bench(['explain', BOOKINFO, DR, vs, 'http://reviews:9080/api']);
  assert.equal(main.code, 0, main.err);
  assert.match(main.out, /route +VirtualService default\/reviews http\[2\] "main" \(no match: catch-all\)\n/);
  assert.match(main.out, /authority sent upstream: reviews-canary/);
  assert.match(main.out, /policy +timeout 3000ms; retries 4 on 5xx, perTryTimeout 500ms\n/);
  assert.match(main.out, /fault +delay 2000ms for 10% of requests/);
  assert.match(main.out, /fault +abort 503 for 5% of requests/);
  assert.match(main.out, /mirror +25% to outbound\|9080\|\|ratings\.default\.svc\.cluster\.local/);
  // A catch-all matched prefix `/`: prefix_rewrite replaces that `/`, so /api becomes /v2api (Envoy's well-known trap).
  assert.match(main.out, /rewrite +path \/v2api, authority reviews-canary/);
  assert.match(main.out, /headers +set x-a: 1; remove x-b/);
  assert.match(main.out, /response +add x-c: 2/);
  assert.match(main.out, /answer +forwarded upstream \(5% aborted with 503, FI\)/);
  const moved = await bench(['explain', BOOKINFO, DR, vs, 'http://reviews:9080/old/x?q=1']);
  assert.match(moved.out, /route +VirtualService default\/reviews http\[0\] "moved" match\[0\]: uri prefix "\/old" -> redirect/);
  assert.match(moved.out, /answer +302 redirect to http:\/\/reviews:9080\/new\?q=1/);
  const tea = await bench(['explain', BOOKINFO, DR, vs, 'http://reviews:9080/tea']);
  assert.match(tea.out, /answer +418 direct response: "short and stout"/);
});
