// Route table construction (spec §2.1, §2.2, §2.4): alias lookup with ports,
// catch-all ends translation, several VirtualServices merged with catch-alls
// last, `port` selector, gateways without 'mesh' ignored, weights normalized.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteTable } from '../../../src/mesh/route/route-table.js';
import { CLIENT, meshOf, service, workload } from './harness.js';

const BASE = CLIENT + workload('httpbin-v1', 'httpbin', 'v1') + service('httpbin');
const view = (path: string, headers: Record<string, string> = {}) => ({ method: 'GET', path, authority: 'httpbin:8000', scheme: 'http', headers });

test('aliases with and without port; unknown names and ports miss', () => {
  const t = new RouteTable(meshOf(BASE), { labels: { app: 'sleep' }, namespace: 'default' });
  for (const a of ['httpbin', 'httpbin:8000', 'httpbin.default', 'httpbin.default.svc:8000', 'httpbin.default.svc.cluster.local']) {
    const l = t.lookup(a);
    assert.ok(l, a);
    assert.equal(l.port, 8000);
    assert.equal(l.vhost.isDefault, true);
  }
  assert.equal(t.lookup('httpbin:80'), undefined);
  // Host names match case-insensitively; text after ':' that is no port makes the whole a name (Envoy parseAuthority).
  assert.equal(t.lookup('HTTPBIN.Default:8000')?.port, 8000);
  assert.equal(t.lookup('httpbin:http'), undefined);
  assert.equal(t.lookup('httpbin:99999'), undefined);
  assert.equal(t.lookup('other:8000'), undefined);
  assert.equal(t.lookup('httpbin.other:8000'), undefined);
});

test('two VirtualServices for one host: routes kept in order, catch-alls moved last; catch-all ends a VS', () => {
  const cfg = meshOf(
    BASE +
      `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a}
spec:
  hosts: [httpbin]
  http:
  - name: a-catch
    route: [{destination: {host: httpbin}}]
  - name: a-dead
    match: [{uri: {prefix: /dead}}]
    route: [{destination: {host: httpbin}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b}
spec:
  hosts: [httpbin.default.svc.cluster.local]
  http:
  - name: b-headers
    match: [{uri: {prefix: /h}}, {headers: {x: {exact: "1"}}}]
    route: [{destination: {host: httpbin}}]
  - name: b-port
    match: [{port: 9999, uri: {prefix: /p}}]
    route: [{destination: {host: httpbin}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: gw-only}
spec:
  hosts: [httpbin]
  gateways: [my-gateway]
  http:
  - name: gw
    match: [{uri: {prefix: /}}]
    route: [{destination: {host: httpbin}}]
`,
  );
  const t = new RouteTable(cfg, { labels: { app: 'sleep' }, namespace: 'default' });
  const vh = t.lookup('httpbin:8000')!.vhost;
  // b-headers expands to one route per match item; b-port is filtered (port 8000);
  // a-dead follows a catch-all and is never emitted; gw-only does not apply to sidecars.
  assert.deepEqual(
    vh.routes.map((r) => r.route.name),
    ['b-headers', 'b-headers', 'a-catch'],
  );
  assert.equal(RouteTable.route(vh, view('/h1'))!.route.name, 'b-headers');
  assert.equal(RouteTable.route(vh, view('/z', { x: '1' }))!.route.name, 'b-headers');
  assert.equal(RouteTable.route(vh, view('/dead'))!.route.name, 'a-catch');
});

/** The first route of httpbin's virtual host for one VirtualService route with these destinations. */
function weightedRoute(...destinations: string[]) {
  const cfg = meshOf(
    BASE +
      `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: w}
spec:
  hosts: [httpbin]
  http:
  - route:
${destinations.map((d) => `    - ${d}`).join('\n')}
`,
  );
  return new RouteTable(cfg, { labels: {}, namespace: 'default' }).lookup('httpbin')!.vhost.routes[0]!;
}

test('weights: zero-weight destinations dropped, single destination gets 100 %', () => {
  const r = weightedRoute('{destination: {host: httpbin}, weight: 0}', '{destination: {host: httpbin, port: {number: 8000}}, weight: 30}');
  assert.equal(r.destinations.length, 1);
  assert.equal(r.pickIndex(() => 0.99), 0);
  assert.equal(r.pickIndex(() => 0), 0);
  assert.equal(r.destinations[0]!.destination.port, 8000);
});

test('weighted draw: cumulative weights over [0, total), one index per draw (spec §2.4)', () => {
  const r = weightedRoute('{destination: {host: httpbin}, weight: 30}', '{destination: {host: httpbin, port: {number: 8000}}, weight: 70}');
  assert.equal(r.totalWeight, 100);
  assert.deepEqual([0, 0.299, 0.3, 0.999].map((x) => r.pickIndex(() => x)), [0, 0, 1, 1]);
});
