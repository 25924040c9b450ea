// `bench serve` as a real process: banner on stdout, requests, SIGTERM -> exit 0;
// bad flags -> exit 2 with a one-line message naming the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fixture, httpGet } from './helpers.js';

const BENCH = fileURLToPath(new URL('../../../../bin/bench.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [BENCH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

test('bench serve: SIGTERM stops it cleanly with exit 0', async () => {
  const p = run(['serve', fixture('httpbin-sleep.yaml'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--from', 'sleep']);
  const killer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  try {
    const t0 = Date.now();
    while (!p.out().includes('Ctrl-C to stop.') && p.child.exitCode === null && Date.now() - t0 < 15_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(p.out().includes('Ctrl-C to stop.'), p.out() + p.err());
    const port = Number(/^listener  127\.0\.0\.1:(\d+) +\(outbound sidecar of sleep\)$/m.exec(p.out())![1]);
    const admin = Number(/^admin     127\.0\.0\.1:(\d+)/m.exec(p.out())![1]);
    assert.equal((await httpGet(port, '/get', 'httpbin:8000')).status, 200);
    assert.match((await httpGet(admin, '/stats?filter=httpbin.*upstream_rq_total')).body, /upstream_rq_total: 1$/m);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.match(p.out(), /stopped\n$/);
    assert.equal(p.err(), '');
  } finally {
    clearTimeout(killer);
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});

test('bench serve: non-loopback --listen and unknown flags exit 2 naming the flag', async () => {
  const a = run(['serve', fixture('httpbin-sleep.yaml'), '--listen', '0.0.0.0:15001']);
  assert.equal(await a.exited, 2);
  assert.equal(a.err(), 'bench: --listen: "0.0.0.0" is not a loopback address; meshbench only listens on 127.0.0.0/8 or ::1\n');
  const b = run(['serve', fixture('httpbin-sleep.yaml'), '--colour']);
  assert.equal(await b.exited, 2);
  assert.equal(b.err(), 'bench: unknown flag --colour (flags: --listen --admin --from --seed --strict-images --istio --access-log)\n');
  assert.equal(b.err().split('\n').length, 2, 'one line, no stack');
});
