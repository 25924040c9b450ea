// Instance faults on a running mesh (scenario `events:`), on real sockets through
// the sidecar on its own thread: a stopped pod takes no connections (its sidecar's
// connects fail; replicas share their Deployment's app listener, which drops what
// is addressed to the dead pod) and outlier
// detection ejects it (Envoy: connect failures count as 503 in non-split mode,
// docs/behaviour.md "Outlier detection"); a restarted pod gets traffic again once
// baseEjectionTime has passed; slow adds latency in the app; fail answers a seeded
// share of requests with its status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSource } from '../../../src/mesh/config/source.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { startMeshThread, type MeshThreadHandle } from '../../../src/mesh/thread.js';
import type { MeshSnapshot } from '../../../src/mesh/api.js';
import net from 'node:net';
import { httpGet } from './helpers.js';
import { endpointHeaderLine } from '../../../src/mesh/endpoint-header.js';

/**
 * A request straight to one replica on its Deployment's app listener, named the way
 * the sidecar names it (the last header): its status, or 'dropped' when the
 * connection closes unanswered.
 */
function askPod(port: number, pod: string): Promise<number | 'dropped'> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET /get HTTP/1.1\r\nHost: httpbin:8000\r\nConnection: close\r\n${endpointHeaderLine(pod)}`));
    let head = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => (head += d));
    sock.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve(m ? Number(m[1]) : 'dropped');
    });
    sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    sock.setTimeout(2000, () => sock.destroy(new Error('timeout')));
  });
}

// Istio 1.23+ stat names (the default profile): cluster.<name>;.<stat>.
const CLUSTER = 'cluster.outbound|8000||httpbin.default.svc.cluster.local;';

function mesh(opts: { replicas: number; outlier?: string; vsRetries?: string }): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: httpbin-v1 }
spec:
  replicas: ${opts.replicas}
  selector: { matchLabels: { app: httpbin, version: v1 } }
  template:
    metadata: { labels: { app: httpbin, version: v1 } }
    spec:
      containers:
      - { name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: httpbin }
spec:
  selector: { app: httpbin }
  ports: [{ name: http, port: 8000, targetPort: 80 }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: httpbin }
spec:
  hosts: [httpbin]
  http:
  - route: [{ destination: { host: httpbin } }]
    retries: ${opts.vsRetries ?? '{ attempts: 0 }'}
${
  opts.outlier
    ? `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: httpbin }
spec:
  host: httpbin
  trafficPolicy:
    outlierDetection: ${opts.outlier}
`
    : ''
}`;
}

async function boot(yaml: string, seed = 7): Promise<MeshThreadHandle> {
  return startMeshThread(compileMesh(parseSource(yaml, 'mesh.yaml')), { seed, accessLog: 'none' });
}

function listener(m: MeshThreadHandle): number {
  return m.sidecars.find((s) => s.workload === 'meshbench')!.listenPort;
}

/** A counter of the meshbench sidecar; absent = a test failure, never 0. */
function counter(s: MeshSnapshot, name: string): number {
  const v = s.sidecars.find((x) => x.workload === 'meshbench')!.counters[`${CLUSTER}.${name}`];
  assert.notEqual(v, undefined, `counter ${name} missing`);
  return v!;
}

function served(s: MeshSnapshot, pod: string): number {
  const i = s.instances.find((x) => x.pod === pod);
  assert.ok(i, `no instance ${pod}`);
  return i.requests;
}

async function calls(port: number, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await httpGet(port, '/get', 'httpbin:8000')).status);
  return out;
}

test('stop: the pod refuses connections, the sidecar answers 503 and outlier detection ejects it; start + baseEjectionTime: it serves again', async () => {
  const m = await boot(mesh({ replicas: 3, outlier: '{ consecutive5xxErrors: 3, interval: 50ms, baseEjectionTime: 2s, maxEjectionPercent: 50 }' }));
  try {
    const port = listener(m);
    const pod0 = m.instances.find((i) => i.pod === 'httpbin-v1-0')!;
    assert.deepEqual(await calls(port, 30), Array(30).fill(200));
    const applied = await m.instanceEvent('httpbin-v1-0', { kind: 'stop' });
    assert.ok(Math.abs(applied - (performance.timeOrigin + performance.now())) < 1000, 'applied time is an epoch ms');
    assert.equal(await askPod(pod0.port, 'httpbin-v1-0'), 'dropped', 'a stopped pod answers nothing');
    const before = await m.snapshot();
    const codes = await calls(port, 40); // ~0.2 s on an idle machine, within the 2 s ejection
    const after = await m.snapshot();
    const failed = codes.filter((c) => c === 503).length;
    const ejections = counter(after, 'outlier_detection.ejections_enforced_total');
    // The 3 consecutive errors that trip the detector, then none while ejected. (On a
    // machine so busy that 40 calls outlast the ejection, the pod is tried again and
    // re-ejected after 3 more: never more than 3 per ejection plus a last partial streak.)
    assert.ok(ejections >= 1);
    assert.ok(failed >= 3 && failed <= 3 * ejections + 2, `503s: ${failed}, ejections ${ejections}`);
    assert.equal(counter(after, 'upstream_cx_connect_fail') - counter(before, 'upstream_cx_connect_fail'), failed);
    assert.equal(served(after, 'httpbin-v1-0'), served(before, 'httpbin-v1-0'), 'a stopped pod serves nothing');

    await m.instanceEvent('httpbin-v1-0', { kind: 'start' });
    assert.equal(await askPod(pod0.port, 'httpbin-v1-0'), 200, 'the restarted pod serves on the same address');
    // Still ejected right after the restart: Envoy waits for baseEjectionTime.
    const active = (s: MeshSnapshot) => s.sidecars.find((x) => x.workload === 'meshbench')!.gauges[`${CLUSTER}.outlier_detection.ejections_active`];
    const s1 = await m.snapshot();
    assert.equal(active(s1), 1, 'a restart does not lift the ejection');
    await calls(port, 15);
    const s2 = await m.snapshot();
    if (active(s2) === 1) assert.equal(served(s2, 'httpbin-v1-0') - served(s1, 'httpbin-v1-0'), 0, 'no traffic while still ejected');
    await new Promise((r) => setTimeout(r, 4200)); // past a second ejection's 4 s too
    assert.deepEqual(await calls(port, 30), Array(30).fill(200));
    const s3 = await m.snapshot();
    assert.ok(served(s3, 'httpbin-v1-0') - served(s2, 'httpbin-v1-0') >= 3, 'traffic back after baseEjectionTime');
    assert.equal(active(s3), 0);
  } finally {
    await m.close();
  }
});

test('stop without outlier detection: every call the balancer sends to the dead pod fails; start ends it at once', async () => {
  const m = await boot(mesh({ replicas: 2 }));
  try {
    const port = listener(m);
    await m.instanceEvent('httpbin-v1-1', { kind: 'stop' });
    const down = await calls(port, 40);
    assert.ok(down.filter((c) => c === 503).length >= 5, `503s while down: ${down.join(',')}`);
    assert.ok(down.every((c) => c === 200 || c === 503));
    await m.instanceEvent('httpbin-v1-1', { kind: 'start' });
    assert.deepEqual(await calls(port, 20), Array(20).fill(200));
  } finally {
    await m.close();
  }
});

test('slow: the app adds its delay; recover removes it', async () => {
  const m = await boot(mesh({ replicas: 1 }));
  try {
    const port = listener(m);
    await calls(port, 20); // warm: a cold first call can take 150 ms by itself
    await m.instanceEvent('httpbin-v1-0', { kind: 'slow', delayMs: 150 });
    const slow = await httpGet(port, '/get', 'httpbin:8000');
    assert.equal(slow.status, 200);
    assert.ok(slow.ms >= 150, `slow call took ${slow.ms} ms`);
    await m.instanceEvent('httpbin-v1-0', { kind: 'recover' });
    const fast = await httpGet(port, '/get', 'httpbin:8000');
    assert.ok(fast.ms < 150, `recovered call took ${fast.ms} ms`);
  } finally {
    await m.close();
  }
});

test('fail: a seeded share of requests gets the status (binomial tolerance); the same seed fails the same requests', async () => {
  const N = 300;
  const share = 0.3;
  const runOnce = async (): Promise<number[]> => {
    const m = await boot(mesh({ replicas: 1 }), 11);
    try {
      await m.instanceEvent('httpbin-v1-0', { kind: 'fail', status: 502, share });
      const codes = await calls(listener(m), N);
      const s = await m.snapshot();
      assert.equal(s.instances.find((i) => i.pod === 'httpbin-v1-0')!.codes['502'], codes.filter((c) => c === 502).length, 'the app answered the 502s');
      return codes;
    } finally {
      await m.close();
    }
  };
  const a = await runOnce();
  const failed = a.filter((c) => c === 502).length;
  assert.ok(a.every((c) => c === 200 || c === 502));
  // Binomial(300, 0.3): mean 90, sd ~7.9; 4 sd either way.
  const sd = Math.sqrt(N * share * (1 - share));
  assert.ok(Math.abs(failed - N * share) <= 4 * sd, `failed ${failed} of ${N}`);
  assert.deepEqual(await runOnce(), a, 'same seed, same draws');
});
