// `bench serve` in-process: flags, banner, real requests, clean stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveCommand, parseServeFlags, parseLoopbackAddress } from '../../../src/cli/serve.js';
import { FlagError, UserError } from '../../../src/errors.js';
import type { MeshHandle } from '../../../src/mesh/api.js';
import { fixture, httpGet, refused } from './helpers.js';
import { capture } from '../../helpers/io.js';

test('flags: loopback only, named flag in every error', () => {
  assert.deepEqual(parseLoopbackAddress('--listen', '127.0.0.1:15001'), { host: '127.0.0.1', port: 15001 });
  assert.deepEqual(parseLoopbackAddress('--listen', ':0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseLoopbackAddress('--admin', '[::1]:9'), { host: '::1', port: 9 });
  assert.deepEqual(parseLoopbackAddress('--admin', 'localhost:9'), { host: '127.0.0.1', port: 9 });
  assert.throws(() => parseLoopbackAddress('--listen', '0.0.0.0:15001'), (e: unknown) => e instanceof FlagError && /^--listen: "0\.0\.0\.0" is not a loopback/.test(e.message) && e.exitCode === 2);
  assert.throws(() => parseLoopbackAddress('--admin', '10.1.2.3:80'), { name: 'FlagError', message: /^--admin: / });
  assert.throws(() => parseLoopbackAddress('--listen', '127.0.0.1:99999'), { message: /^--listen: invalid address/ });
  assert.throws(() => parseServeFlags(['a.yaml', '--bogus']), (e: unknown) => e instanceof FlagError && e.message.startsWith('unknown flag --bogus ('));
  assert.throws(() => parseServeFlags(['a.yaml', '--seed', 'x']), { message: /^--seed: invalid value "x"/ });
  assert.throws(() => parseServeFlags(['a.yaml', '--from']), { message: /^--from: missing value/ });
  assert.throws(() => parseServeFlags([]), FlagError);
  const f = parseServeFlags(['a.yaml', 'b.yaml', '--from=sleep', '--seed', '3', '--access-log', '--listen', '127.0.0.2:0']);
  assert.deepEqual(f, { help: false, files: ['a.yaml', 'b.yaml'], listen: { host: '127.0.0.2', port: 0 }, admin: { host: '127.0.0.1', port: 15000 }, from: 'sleep', seed: 3, accessLog: true, strictImages: false });
  assert.equal(parseServeFlags(['a.yaml', '--strict-images']).strictImages, true);
});

test('serve: banner, curl through the listener, admin /stats, stop on abort (exit 0)', async () => {
  const { io, out } = capture();
  const ac = new AbortController();
  let mesh: MeshHandle | undefined;
  let checks: Promise<void> = Promise.resolve();
  const done = serveCommand(
    [fixture('httpbin-sleep.yaml'), fixture('eject.yaml'), '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--from', 'sleep', '--seed', '5'],
    { ...io, signal: ac.signal },
    {
      onReady: (m) => {
        mesh = m;
        checks = (async () => {
          try {
            const port = m.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
            assert.equal((await httpGet(port, '/get', 'httpbin:8000')).status, 200);
            // Absolute-form (curl -x): the proxy reads the authority from the request line.
            assert.equal((await httpGet(port, 'http://httpbin:8000/get')).status, 200);
            const stats = await httpGet(m.adminPort, '/stats?filter=upstream_rq_total');
            assert.match(stats.body, /cluster\.outbound\|8000\|\|httpbin\.default\.svc\.cluster\.local;\.upstream_rq_total: 2/);
          } finally {
            ac.abort();
          }
        })();
      },
    },
  );
  const code = await done;
  await checks;
  assert.equal(code, 0);
  const text = out();
  const sleepPort = mesh!.sidecars.find((s) => s.workload === 'sleep')!.listenPort;
  assert.match(text, new RegExp(`^listener  127\\.0\\.0\\.1:${sleepPort} +\\(outbound sidecar of sleep\\)$`, 'm'));
  assert.match(text, new RegExp(`^admin     127\\.0\\.0\\.1:${mesh!.adminPort} `, 'm'));
  assert.match(text, /^app       127\.0\.0\.1:\d+ +httpbin-0 \(httpbin version v1\)$/m);
  assert.ok(text.includes(`curl -H 'Host: httpbin:8000' http://127.0.0.1:${sleepPort}/get`), text);
  assert.ok(text.includes(`curl -x http://127.0.0.1:${sleepPort} http://httpbin:8000/get`));
  assert.ok(text.includes(`curl http://127.0.0.1:${mesh!.adminPort}/stats | grep pending`));
  assert.match(text, /stopped\n$/);
  assert.equal(await refused(sleepPort), true);
});

test('serve: bad inputs are user errors (missing file, non-loopback, unknown --from)', async () => {
  const { io } = capture();
  await assert.rejects(serveCommand(['/nonexistent/x.yaml', '--listen', ':0', '--admin', ':0'], io), UserError);
  await assert.rejects(serveCommand([fixture('httpbin-sleep.yaml'), '--listen', '0.0.0.0:1'], io), FlagError);
  await assert.rejects(
    serveCommand([fixture('httpbin-sleep.yaml'), '--from', 'ghost', '--listen', ':0', '--admin', ':0'], io),
    (e: unknown) => e instanceof FlagError && /^--from: unknown source workload "ghost"/.test(e.message),
  );
});
