// `bench serve` on isotope's example topologies as a real process: the files
// boot unmodified and the entry answers 200 with its responseSize.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpGet } from '../../helpers/http.js';

const BENCH = fileURLToPath(new URL('../../../../bin/bench.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../../../test/fixtures/isotope/${name}`, import.meta.url));

async function serveAndCall(file: string, host: string): Promise<{ status: number; bytes: number; banner: string }> {
  const child = spawn(process.execPath, [BENCH, 'serve', fixture(file), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    while (!out.includes('Ctrl-C to stop.') && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    assert.ok(out.includes('Ctrl-C to stop.'), out + err);
    const port = Number(/^listener  127\.0\.0\.1:(\d+) +\(outbound sidecar of meshbench/m.exec(out)![1]);
    const r = await httpGet(port, '/', { host, timeoutMs: 10_000 });
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    return { status: r.status, bytes: Buffer.byteLength(r.body), banner: out.split('\n')[0]! };
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('bench serve canonical.yaml: d answers 200 with 1 KiB', async () => {
  const r = await serveAndCall('canonical.yaml', 'd:8080');
  assert.deepEqual([r.status, r.bytes], [200, 1024]);
});

test('bench serve tree-111-services.yaml: 111 services, 222 replicas; the root answers 200 with 128 B after 111 requests', async () => {
  const r = await serveAndCall('tree-111-services.yaml', 'svc-0:8080');
  assert.equal(r.banner, 'meshbench serve: 111 workload(s), 222 app instance(s), 111 service(s)');
  assert.deepEqual([r.status, r.bytes], [200, 128]);
});
