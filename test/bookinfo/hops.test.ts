// Bookinfo through the embedded mesh, booted from the repo's real YAML: which
// sidecar each hop leaves through, what headers reach the next service, and the
// seed's fault/timeout arithmetic (section 2 and 4) measured through real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  boot,
  bookinfoDocs,
  cluster,
  counter,
  find,
  get,
  productpage,
  repo,
  recorder,
  serviceEntry,
  setEnv,
  sidecarPort,
  yamlDocs,
} from './helpers.js';
import { applyReplacements, loadScenarioFiles } from '../../src/scenario/include.js';
import { compileMesh } from '../../src/mesh/config/compile.js';

const RATINGS_JSON = '{"id":0,"ratings":{"Reviewer1":5,"Reviewer2":4}}';
const DETAILS_JSON = '{"id":0,"author":"William Shakespeare","year":1595,"type":"paperback","pages":200,"publisher":"PublisherA","language":"English","ISBN-10":"1234567890","ISBN-13":"123-1234567890"}';
const REVIEWS_ERROR = 'Sorry, product reviews are currently unavailable for this book.';
const RATINGS_UNAVAILABLE = 'Ratings service is currently unavailable';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('end-user and x-request-id reach details and ratings (spec §11.1, §11.2); each hop leaves through its caller\'s sidecar (§0)', async () => {
  // details and ratings replaced by recorders on 127.0.0.1 (mesh hosts via
  // ServiceEntry), so the headers that arrive after productpage's and reviews'
  // sidecars can be read.
  const ratings = await recorder(() => RATINGS_JSON);
  const details = await recorder(() => DETAILS_JSON);
  const docs = await bookinfoDocs('virtual-service-all-v1.yaml', 'virtual-service-reviews-test-v2.yaml');
  setEnv(docs, 'reviews-v2', 'RATINGS_HOSTNAME', 'ratings-rec');
  setEnv(docs, 'productpage-v1', 'DETAILS_HOSTNAME', 'details-rec');
  const mesh = await boot([...docs, ...serviceEntry('ratings-rec', ratings.port), ...serviceEntry('details-rec', details.port)]);
  try {
    const page = await productpage(mesh, { 'end-user': 'jason', 'x-request-id': 'seed-trace-1' });
    assert.equal(page.status, 200);
    assert.match(page.body, /<font color="black">/); // reviews v2: black stars from ratings
    assert.equal(page.body.match(/glyphicon-star"/g)?.length, 9); // 5 + 4 full stars
    assert.equal(details.seen.length, 1);
    assert.equal(ratings.seen.length, 1);
    for (const r of [details.seen[0], ratings.seen[0]]) {
      assert.equal(r.headers['end-user'], 'jason');
      assert.equal(r.headers['x-request-id'], 'seed-trace-1');
    }
    assert.equal(ratings.seen[0].url, '/ratings/0');
    assert.equal(ratings.seen[0].headers.host, 'ratings-rec:9080');

    // Anonymous: reviews v1 never calls ratings (§10.2); the first sidecar mints a
    // request id (§5.4) that travels with the request.
    const anon = await productpage(mesh);
    assert.equal(anon.status, 200);
    assert.doesNotMatch(anon.body, /glyphicon-star/);
    assert.equal(ratings.seen.length, 1);
    assert.equal(details.seen.length, 2);
    assert.match(String(details.seen[1].headers['x-request-id']), UUID);
    assert.equal(details.seen[1].headers['end-user'], undefined);

    const snap = await mesh.snapshot();
    const total = (w: string, port: number, subset: string, host: string) => counter(snap, w, cluster(port, subset, host, 'upstream_rq_total'));
    // The client's sidecar only ever sent the two page requests.
    assert.equal(total('meshbench', 9080, 'v1', 'productpage'), 2);
    assert.equal(counter(snap, 'meshbench', (k) => k.includes('reviews') || k.includes('-rec')), 0);
    // productpage's own sidecar carried its reviews and details calls...
    assert.equal(total('productpage-v1', 9080, 'v2', 'reviews'), 1);
    assert.equal(total('productpage-v1', 9080, 'v1', 'reviews'), 1);
    assert.equal(total('productpage-v1', 9080, '', 'details-rec'), 2);
    // ...and reviews-v2's sidecar the one ratings call; reviews v1's sent nothing.
    assert.equal(total('reviews-v2', 9080, '', 'ratings-rec'), 1);
    assert.equal(counter(snap, 'reviews-v1', (k) => k.startsWith('cluster.outbound|') && k.endsWith('.upstream_rq_total')), 0);
    assert.equal(counter(snap, 'reviews-v2', (k) => k.includes('reviews') || k.includes('details')), 0);
  } finally {
    await mesh.close();
    await ratings.close();
    await details.close();
  }
});

test('ratings-test-delay, timeouts scaled by 0.1: jason waits 2 x productpage timeout, then the reviews error (seed §2, spec §10.4)', async () => {
  // Seed: 7 s delay, productpage 3 s x 2 attempts -> error after 6 s. Here 0.7 s and
  // 0.3 s x 2 -> 0.6 s (reviews' own 10 s ratings timeout scaled to 1 s is not hit).
  const docs = await bookinfoDocs('virtual-service-all-v1.yaml', 'virtual-service-reviews-test-v2.yaml', 'virtual-service-ratings-test-delay.yaml');
  for (const d of ['productpage-v1', 'reviews-v2']) setEnv(docs, d, 'MESHBENCH_TIMEOUT_SCALE', '0.1');
  const vs = find(docs, 'VirtualService', 'ratings').value as { spec: { http: Array<{ fault?: { delay: { fixedDelay: string } } }> } };
  assert.equal(vs.spec.http[0].fault?.delay.fixedDelay, '7s');
  vs.spec.http[0].fault!.delay.fixedDelay = '0.7s';
  const mesh = await boot(docs);
  try {
    const page = await productpage(mesh, { 'end-user': 'jason' });
    assert.equal(page.status, 200); // productpage renders its error, it does not fail
    assert.ok(page.body.includes(REVIEWS_ERROR), 'reviews error in the page');
    assert.match(page.body, /Error fetching product reviews/);
    assert.ok(page.ms >= 2 * 300 - 20, `two 0.3 s attempts: ${page.ms} ms`);
    assert.ok(page.ms < 1400, `not waiting for the 0.7 s ratings: ${page.ms} ms`);
    const anon = await productpage(mesh);
    assert.ok(!anon.body.includes(REVIEWS_ERROR));
    const snap = await mesh.snapshot();
    // Two attempts from productpage's sidecar, each forwarded by reviews-v2 into the delay.
    assert.equal(counter(snap, 'productpage-v1', cluster(9080, 'v2', 'reviews', 'upstream_rq_total')), 2);
    assert.equal(counter(snap, 'productpage-v1', cluster(9080, 'v1', 'reviews', 'upstream_rq_total')), 1);
    assert.equal(counter(snap, 'reviews-v2', (k) => k.endsWith('.fault.delays_injected')), 2);
    assert.equal(counter(snap, 'productpage-v1', (k) => k.startsWith('http.') && k.includes('.fault.')), 0);
  } finally {
    await mesh.close();
  }
});

test('ratings-test-abort: the 500 comes from reviews-v2\'s sidecar; ratings never sees the call (seed §2, spec §10.4)', async () => {
  const docs = await bookinfoDocs('virtual-service-all-v1.yaml', 'virtual-service-reviews-test-v2.yaml', 'virtual-service-ratings-test-abort.yaml');
  const mesh = await boot(docs);
  try {
    const page = await productpage(mesh, { 'end-user': 'jason' });
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(RATINGS_UNAVAILABLE), 'ratings error in the page');
    assert.doesNotMatch(page.body, /glyphicon-star/);
    const other = await productpage(mesh, { 'end-user': 'someone' });
    assert.ok(!other.body.includes(RATINGS_UNAVAILABLE));
    const snap = await mesh.snapshot();
    assert.equal(snap.instances.filter((i) => i.app === 'ratings').reduce((a, i) => a + i.requests, 0), 0);
    assert.equal(counter(snap, 'reviews-v2', (k) => k.endsWith('.fault.aborts_injected')), 1);
    assert.equal(counter(snap, 'reviews-v2', cluster(9080, 'v1', 'ratings', 'upstream_rq_total')), 0);
    assert.equal(counter(snap, 'meshbench', (k) => k.startsWith('http.') && k.includes('.fault.')), 0);
    assert.equal(counter(snap, 'productpage-v1', (k) => k.startsWith('http.') && k.includes('.fault.')), 0);
  } finally {
    await mesh.close();
  }
});

// The seed's section 4 snippets, verbatim (kubectl apply -f - <<EOF … EOF).
const SEED_REVIEWS_V2 = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v2
`;
const SEED_RATINGS_DELAY_2S = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percent: 100
        fixedDelay: 2s
    route:
    - destination:
        host: ratings
        subset: v1
`;
const SEED_REVIEWS_TIMEOUT = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v2
    timeout: 0.5s
`;

test('seed §4 snippets verbatim: 2 s page with stars, then ~1 s page without reviews (two 0.5 s timeouts, 504s not retried: spec §10.5)', async () => {
  const base = await bookinfoDocs('virtual-service-all-v1.yaml');
  const docs = (...snippets: string[]) => applyReplacements([...base, ...snippets.flatMap((s, i) => yamlDocs(s).map((d) => ({ ...d, file: `seed-${i}.yaml` })))]);
  const slow = await boot(docs(SEED_REVIEWS_V2, SEED_RATINGS_DELAY_2S));
  try {
    const page = await productpage(slow);
    assert.equal(page.status, 200);
    assert.match(page.body, /<font color="black">/);
    assert.ok(page.ms >= 1990 && page.ms < 2900, `2 s ratings delay shows in the page: ${page.ms} ms`);
  } finally {
    await slow.close();
  }
  const cut = await boot(docs(SEED_REVIEWS_V2, SEED_RATINGS_DELAY_2S, SEED_REVIEWS_TIMEOUT));
  try {
    const page = await productpage(cut);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(REVIEWS_ERROR), 'reviews unavailable');
    assert.ok(page.ms >= 990 && page.ms < 1900, `two 0.5 s route timeouts: ${page.ms} ms`);
    const snap = await cut.snapshot();
    assert.equal(counter(snap, 'productpage-v1', cluster(9080, 'v2', 'reviews', 'upstream_rq_timeout')), 2);
    assert.equal(counter(snap, 'productpage-v1', cluster(9080, 'v2', 'reviews', 'upstream_rq_504')), 2);
  } finally {
    await cut.close();
  }
});

test('seed §1 `kubectl get … -o yaml` Lists load verbatim in namespace istio-demo; then reviews-test-v2 routes jason (spec §10.2)', async () => {
  // `kubectl apply -n istio-demo`: bookinfo.yaml's documents land in istio-demo.
  const docs = await loadScenarioFiles([
    repo('scenarios/bookinfo/bookinfo.yaml'),
    repo('test/bookinfo/fixtures/seed-virtualservices.yaml'),
    repo('test/bookinfo/fixtures/seed-destinationrules.yaml'),
  ]);
  for (const d of docs) if (d.file.endsWith('bookinfo.yaml')) d.namespace = 'istio-demo';
  assert.equal(docs.filter((d) => d.kind === 'VirtualService').length, 5);
  assert.ok(docs.filter((d) => d.kind === 'VirtualService' || d.kind === 'DestinationRule').every((d) => d.namespace === 'istio-demo'));
  const cfg = compileMesh(docs);
  // The gateway-bound `bookinfo` VS is the only thing meshbench cannot apply, and says so.
  assert.deepEqual(cfg.warnings.map((w) => `${w.loc ? w.loc.line : ''} ${w.message}`), [
    '10 bound only to gateways (bookinfo-gateway), not to "mesh": sidecars ignore this VirtualService, so it has no effect in meshbench',
  ]);
  const testV2 = yamlDocs(`apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: reviews
        subset: v2
  - route:
    - destination:
        host: reviews
        subset: v1
`).map((d) => ({ ...d, namespace: 'istio-demo' }));
  for (const [extra, jasonVersion] of [[[], 'v1'], [testV2, 'v2']] as const) {
    const mesh = await boot(applyReplacements([...docs, ...extra]));
    try {
      const jason = await get(sidecarPort(mesh), 'productpage.istio-demo:9080', '/productpage', { 'end-user': 'jason' });
      const anon = await get(sidecarPort(mesh), 'productpage.istio-demo.svc.cluster.local:9080', '/productpage');
      assert.equal(jason.status, 200);
      assert.equal(anon.status, 200);
      const served = (await mesh.snapshot()).instances.filter((i) => i.app === 'reviews' && i.requests > 0).map((i) => `${i.version}:${i.requests}`);
      assert.deepEqual(served.sort(), jasonVersion === 'v1' ? ['v1:2'] : ['v1:1', 'v2:1']);
      assert.equal(/glyphicon-star"/.test(jason.body), jasonVersion === 'v2');
    } finally {
      await mesh.close();
    }
  }
});
