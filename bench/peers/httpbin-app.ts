// A benchmark target in its own process: the built-in httpbin app (argv[2]
// `httpbin`, or `go-httpbin`) or a bare node:http server answering /get with a
// fixed body of the same size (`bare`). Prints its port, serves until killed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InstanceCounter, startApp } from '../../src/mesh/apps/index.js';

const kind = process.argv[2] ?? 'httpbin';
if (kind === 'bare') {
  const size = Number(process.argv[3] ?? 300);
  const body = Buffer.from('{\n  "x": "' + 'a'.repeat(Math.max(0, size - 14)) + '"\n}\n');
  const server = http.createServer({ keepAlive: true, noDelay: true }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 300_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  const app = await startApp({
    instance: {
      pod: 'httpbin-v1-0',
      workload: 'httpbin-v1',
      namespace: 'default',
      app: 'httpbin',
      labels: { app: 'httpbin', version: 'v1' },
      containerPort: 8000,
      env: {},
      ...(kind === 'go-httpbin' ? { image: 'mccutchen/go-httpbin:v2.15.0' } : {}),
    },
    host: '127.0.0.1',
    port: 0,
    outbound: { host: '127.0.0.1', port: 9 },
    counter: new InstanceCounter(),
  });
  process.stdout.write(`${app.port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
