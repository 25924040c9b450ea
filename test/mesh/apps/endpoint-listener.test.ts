// One app listener per Deployment, its replicas as endpoints (src/mesh/apps/endpoint-listener.ts):
// the sidecar's endpoint header picks the replica and never reaches the app; a replica
// that stops loses its connections only. Raw sockets, so the header is exactly as a sidecar sends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createAppListener } from '../../../src/mesh/apps/server.js';
import { endpointHeaderLine } from '../../../src/mesh/endpoint-header.js';

/** A keep-alive connection that sends request heads and reads one whole response per call. */
function connect(port: number): Promise<{ ask(head: string): Promise<string>; closed: Promise<void>; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      let buf = '';
      let waiting: ((s: string) => void) | undefined;
      socket.setEncoding('latin1').on('data', (c: string) => {
        buf += c;
        const end = buf.indexOf('\r\n\r\n');
        const len = /content-length: (\d+)/i.exec(buf);
        if (end >= 0 && len && buf.length >= end + 4 + Number(len[1])) {
          const body = buf.slice(end + 4, end + 4 + Number(len[1]));
          buf = buf.slice(end + 4 + Number(len[1]));
          waiting?.(body);
        }
      });
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      resolve({ socket, closed, ask: (head) => new Promise((r) => ((waiting = r), socket.write(head))) });
    });
    socket.once('error', reject);
  });
}

const GET = 'GET /x HTTP/1.1\r\nhost: svc:8080\r\nx-user: 1\r\n';

test('endpoint listener: the header picks the replica and is taken off; no header -> the first replica', async () => {
  const l = createAppListener();
  const port = await l.listen('127.0.0.1', 0);
  for (const pod of ['svc-0', 'svc-1']) {
    l.attach(pod, (req, res) => {
      // What the app sees: its own name, and every header the sidecar sent except the endpoint's.
      const body = `${pod} ${JSON.stringify(req.headers)} ${JSON.stringify(req.rawHeaders)}`;
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }
  try {
    const c = await connect(port);
    const seen = `{"host":"svc:8080","x-user":"1"} ["host","svc:8080","x-user","1"]`;
    assert.equal(await c.ask(GET + endpointHeaderLine('svc-1')), `svc-1 ${seen}`);
    assert.equal(await c.ask(GET + endpointHeaderLine('svc-0')), `svc-0 ${seen}`);
    assert.equal(await c.ask(GET + '\r\n'), `svc-0 ${seen}`, 'curl straight at the app port reaches the first replica');
    c.socket.destroy();
  } finally {
    await l.close();
  }
});

test('endpoint listener: a stopped replica loses its connections; requests naming it are dropped; the other serves on', async () => {
  const l = createAppListener();
  const port = await l.listen('127.0.0.1', 0);
  const detach0 = l.attach('svc-0', (_req, res) => res.writeHead(200, { 'content-length': 5 }).end('svc-0'));
  l.attach('svc-1', (_req, res) => res.writeHead(200, { 'content-length': 5 }).end('svc-1'));
  try {
    const to0 = await connect(port);
    const to1 = await connect(port);
    assert.equal(await to0.ask(GET + endpointHeaderLine('svc-0')), 'svc-0');
    assert.equal(await to1.ask(GET + endpointHeaderLine('svc-1')), 'svc-1');
    detach0();
    await to0.closed; // svc-0's keep-alive connection is gone
    assert.equal(await to1.ask(GET + endpointHeaderLine('svc-1')), 'svc-1', "svc-1's connection is untouched");
    const late = await connect(port);
    late.socket.write(GET + endpointHeaderLine('svc-0'));
    await late.closed; // a request for the stopped pod: the connection is dropped, no answer
    assert.equal(await (await connect(port)).ask(GET + '\r\n'), 'svc-1', 'the first running replica takes plain requests');
  } finally {
    await l.close();
  }
});
