// The proxy fixes the Istio conformance cases found, checked on the real
// sidecar (loopback sockets): a header match on a pseudo-header (`:method`) and
// a FROM_REQUEST_PORT redirect keeping the Host header's explicit default port.
// Source: istio/istio tests/integration/pilot/common/routing.go,
// TestTraffic/virtualservice/"pseudo header matches" and "redirect request port".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { compileMesh } from '../../src/mesh/config/compile.js';
import { parseSource } from '../../src/mesh/config/source.js';
import { startMesh } from '../../src/mesh/mesh.js';

const MESH = `apiVersion: v1
kind: Service
metadata: {name: b}
spec:
  selector: {app: b}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b}
spec:
  selector: {matchLabels: {app: b}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: b, image: fortio/fortio, ports: [{containerPort: 8080}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b}
spec:
  hosts: [b]
  http:
  - match: [{uri: {exact: /foo}}]
    redirect: {derivePort: FROM_REQUEST_PORT}
  - match: [{headers: {":method": {exact: GET}}}]
    route: [{destination: {host: b}}]
`;

function call(port: number, method: string, path: string, host: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

test('pseudo-header :method match and FROM_REQUEST_PORT redirects through the real sidecar', async () => {
  const config = compileMesh(parseSource(MESH, 'proxy-fixes.yaml'));
  const mesh = await startMesh(config, { seed: 1 });
  try {
    const port = mesh.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
    assert.equal((await call(port, 'GET', '/', 'b')).status, 200);
    assert.equal((await call(port, 'POST', '/', 'b')).status, 404);
    assert.deepEqual(await call(port, 'GET', '/foo', 'b'), { status: 301, location: 'http://b/foo' });
    assert.deepEqual(await call(port, 'GET', '/foo', 'b:80'), { status: 301, location: 'http://b:80/foo' });
  } finally {
    await mesh.close();
  }
});
