// `kubectl get … -A -o yaml` output loads as it is: a List over several
// namespaces with status/managedFields/uid/clusterIP, custom images (default
// model), kinds meshbench does not emulate (one summary line per kind) and the
// Istio kinds that may change routing (warned each). Served on real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSource } from '../../../src/mesh/config/source.js';
import { checkMesh, compileMesh } from '../../../src/mesh/config/compile.js';
import { startMesh } from '../../../src/mesh/mesh.js';
import { httpGet } from '../../helpers/http.js';

const DUMP = new URL('../../../../test/fixtures/cluster-dump/shop-dump.yaml', import.meta.url);
const dump = () => parseSource(readFileSync(DUMP, 'utf8'), 'shop-dump.yaml');

test('a cluster dump validates with warnings only: one summary line per skipped kind, each Gateway/Sidecar/EnvoyFilter warned', () => {
  const r = checkMesh(dump());
  assert.deepEqual(r.errors, []);
  const skipped = r.warnings.filter((w) => w.message.startsWith('skipped ')).map((w) => `${w.loc?.line} ${w.message.split(':')[0]}`);
  assert.deepEqual(skipped, [
    '126 skipped 2 ConfigMap documents (namespaces payments, shop)',
    '134 skipped 1 Secret (namespace shop)',
    '142 skipped 1 Pod (namespace shop)',
    '152 skipped 1 ReplicaSet (namespace shop)',
    '162 skipped 1 HorizontalPodAutoscaler (namespace shop)',
    '170 skipped 1 Endpoints (namespace shop)',
    '174 skipped 1 EndpointSlice (namespace shop)',
    '180 skipped 1 PeerAuthentication (namespace istio-system)',
    '184 skipped 1 AuthorizationPolicy (namespace payments)',
  ]);
  const routing = r.warnings.filter((w) => /may change routing/.test(w.message)).map((w) => w.message.split(' (')[0]);
  assert.deepEqual(routing, ['Gateway "shop-gateway"', 'Sidecar "default"', 'EnvoyFilter "cart-lua"']);
  // v1, v1beta1 and v1alpha3 networking documents all compiled.
  assert.deepEqual(r.config!.virtualServices.map((v) => `${v.namespace}/${v.name}`), ['shop/cart', 'payments/payment']);
  assert.deepEqual(r.config!.destinationRules.map((d) => d.host), ['cart.shop.svc.cluster.local']);
  assert.match(r.warnings.find((w) => /default model/.test(w.message))!.message, /2 images are not a built-in app .*cart \(registry\.example\.com\/shop\/cart:4\.2\.1\)/);
});

test("the dump serves: Host cart.shop:8080 answers 200 through the mesh (VS in shop, subset v1, 2 replicas), payment.payments:9090 too", async (t) => {
  const mesh = await startMesh(compileMesh(dump()), { seed: 1 });
  t.after(() => mesh.close());
  const port = mesh.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  for (let i = 0; i < 4; i++) assert.equal((await httpGet(port, '/', { host: 'cart.shop:8080', timeoutMs: 5000 })).status, 200);
  assert.equal((await httpGet(port, '/', { host: 'payment.payments.svc.cluster.local:9090', timeoutMs: 5000 })).status, 200);
  const snap = await mesh.snapshot();
  const cart = snap.instances.filter((i) => i.workload === 'cart');
  assert.equal(cart.length, 2);
  assert.equal(cart.reduce((n, i) => n + (i.codes['200'] ?? 0), 0), 4);
});

const twoNamespaces = (vsExtra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews, namespace: prod }
spec:
  selector: { matchLabels: { app: reviews } }
  template:
    metadata: { labels: { app: reviews } }
    spec: { containers: [{ name: r, image: example.com/reviews:1, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: prod }
spec: { selector: { app: reviews }, ports: [{ name: http, port: 8080 }] }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: reviews, namespace: prod }
spec:
  hosts: [reviews]
${vsExtra}  http:
  - fault: { abort: { percentage: { value: 100 }, httpStatus: 418 } }
    route: [{ destination: { host: reviews } }]
`;

test('short names resolve in the caller\'s namespace (Istio vhost domains): from default, "reviews" is unknown but reviews.prod is the prod Service', async (t) => {
  const mesh = await startMesh(compileMesh(parseSource(twoNamespaces(), 'ns.yaml')), { seed: 1 });
  t.after(() => mesh.close());
  const port = mesh.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  // The VS (namespace prod, hosts [reviews] = reviews.prod.svc.cluster.local) applies to every form of the FQDN.
  assert.equal((await httpGet(port, '/', { host: 'reviews.prod:8080', timeoutMs: 5000 })).status, 418);
  assert.equal((await httpGet(port, '/', { host: 'reviews.prod.svc.cluster.local:8080', timeoutMs: 5000 })).status, 418);
  // A bare name from namespace default is not a mesh host: the sidecar's 404 (NR).
  assert.equal((await httpGet(port, '/', { host: 'reviews:8080', timeoutMs: 5000 })).status, 404);
});

test('VirtualService exportTo ["."]: sidecars of other namespaces do not see it (default route), exportTo ["*"] they do', async (t) => {
  const hidden = await startMesh(compileMesh(parseSource(twoNamespaces('  exportTo: ["."]\n'), 'ns.yaml')), { seed: 1 });
  t.after(() => hidden.close());
  const p1 = hidden.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  assert.equal((await httpGet(p1, '/', { host: 'reviews.prod:8080', timeoutMs: 5000 })).status, 200);
  const shown = await startMesh(compileMesh(parseSource(twoNamespaces('  exportTo: ["*"]\n'), 'ns.yaml')), { seed: 1 });
  t.after(() => shown.close());
  const p2 = shown.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
  assert.equal((await httpGet(p2, '/', { host: 'reviews.prod:8080', timeoutMs: 5000 })).status, 418);
});

test('`kubectl get all` kinds and third-party custom resources are skipped with a summary; a misspelt core kind is still an error', () => {
  const extra = parseSource(
    [
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: nightly, namespace: shop }\nspec: {}',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db, namespace: shop }\nspec: {}',
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: { name: shop-tls, namespace: shop }\nspec: {}',
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: cart, namespace: shop }\nspec: {}',
    ].join('\n---\n'),
    'extra.yaml',
  );
  const r = checkMesh([...dump(), ...extra]);
  assert.deepEqual(r.errors, []);
  const lines = r.warnings.filter((w) => w.loc?.file === 'extra.yaml').map((w) => w.message);
  assert.deepEqual(lines, [
    'skipped 1 CronJob (namespace shop): not emulated — batch jobs serve no traffic',
    'skipped 1 StatefulSet (namespace shop): not emulated — only Deployments become pods: a Service selecting its pods has no endpoints here',
    'skipped 1 Certificate (namespace shop): not emulated — a custom resource of another API group; meshbench emulates Kubernetes workloads and Istio traffic management only',
    'skipped 1 ServiceMonitor (namespace shop): not emulated — a custom resource of another API group; meshbench emulates Kubernetes workloads and Istio traffic management only',
  ]);
  const typo = checkMesh(parseSource('apiVersion: v1\nkind: Servic\nmetadata: { name: x }\nspec: {}', 'typo.yaml'));
  assert.match(typo.errors[0]!.message, /^typo\.yaml:2:1: kind: unknown kind "Servic" \(apiVersion v1\)/);
});
