// The benchmark target: a minimal node:http server in its own process (so it
// does not share an event loop with the load generator under test). Prints
// its port on stdout, then serves until killed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from('hello world\n');
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
