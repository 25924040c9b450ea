// fortio's fast client (the default) against replies written by hand on a raw
// 127.0.0.1 socket: split anywhere, chunked with extensions and trailers,
// interim 1xx, bodies framed by the close, replies without a body, dead reused
// sockets and malformed replies — each read to its real end, or failed as a
// counted code -1 instead of a wait for bytes that never come.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { runLoad } from '../../src/load/coordinator.js';
import { parseLoadFlags } from '../../src/cli/load.js';
import { FORTIO_USER_AGENT } from '../../src/load/http1-request.js';
import { closeServers, dribble, rawServer } from './servers.js';

after(closeServers);

function opts(line: string) {
  return parseLoadFlags(line.split(' ').filter(Boolean)).options;
}

const HEAD_5 = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Pad: 0123456789\r\n\r\n';
const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
// Chunk extensions (RFC 9112 §7.1.1), an upper-case hex size and a trailer section (§7.1.2).
const CHUNKED_BODY = '5;name=value\r\nhello\r\nA ; q="x;y"\r\n, world!!!\r\n0;last\r\nX-Trailer: a\r\nY: b\r\n\r\n';

const WRITES: Array<[string, (sock: Socket, text: string) => void]> = [
  ['in one write', (sock, text) => sock.write(text)],
  ['byte by byte', (sock, text) => dribble(sock, text)],
];

for (const [how, write] of WRITES) {
  test(`Content-Length reply ${how}: read whole, the socket kept, sizes as on the wire`, async () => {
    const s = await rawServer((sock) => write(sock, `${HEAD_5}hello`));
    const r = await runLoad(opts(`-c 1 -qps 0 -n 3 -timeout 3s ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 3 });
    assert.deepEqual(r.sockets, [1]);
    assert.equal(r.headerSizes.sum, 3 * HEAD_5.length);
    assert.equal(r.sizes.sum, 3 * (HEAD_5.length + 5));
  });

  test(`chunked reply with extensions and trailers ${how}: read to its last CRLF, the socket kept`, async () => {
    const s = await rawServer((sock) => write(sock, CHUNKED_HEAD + CHUNKED_BODY));
    const r = await runLoad(opts(`-c 1 -qps 0 -n 3 -timeout 3s ${s.url}/`));
    assert.deepEqual(r.retCodes, { '200': 3 });
    assert.deepEqual(r.sockets, [1], 'the next call goes on the same socket: nothing of the reply was left unread');
    assert.equal(s.connections, 1);
    // fortio's fast client counts the bytes read, chunk framing and trailers included.
    assert.equal(r.sizes.sum, 3 * (CHUNKED_HEAD.length + CHUNKED_BODY.length));
  });
}

test('interim 1xx replies are skipped; the final reply is the one counted', async () => {
  const early = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n';
  const s = await rawServer((sock) => sock.write(`${early}${HEAD_5}hello`));
  const r = await runLoad(opts(`-c 1 -qps 0 -n 2 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 2 });
  assert.deepEqual(r.sockets, [1]);
});

test('HEAD, 204 and 304 replies have no body, whatever Content-Length says (RFC 9112 §6.3)', async () => {
  const s = await rawServer((sock, n, _k, head) => {
    if (head.startsWith('HEAD ')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
    else sock.write(n % 2 === 1 ? 'HTTP/1.1 204 No Content\r\n\r\n' : 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
  });
  const head = await runLoad(opts(`-c 1 -qps 0 -n 3 -X HEAD -timeout 3s ${s.url}/`));
  assert.deepEqual(head.retCodes, { '200': 3 });
  assert.deepEqual(head.sockets, [1], 'the socket stays usable: no body was waited for');
  const t = performance.now();
  const r = await runLoad(opts(`-c 1 -qps 0 -n 4 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '204': 2, '304': 2 });
  assert.ok(performance.now() - t < 2500, 'no call waited for the timeout');
});

test('a reply without Content-Length or chunked coding ends when the server closes', async () => {
  const reply = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end';
  const s = await rawServer((sock) => {
    sock.write(reply);
    setTimeout(() => sock.end(), 20);
  });
  const r = await runLoad(opts(`-c 1 -qps 0 -n 3 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 3 });
  assert.deepEqual(r.sockets, [3]);
  assert.equal(r.sizes.sum, 3 * reply.length);
  assert.ok(r.duration.min >= 0.015, `each call lasted until the close (${r.duration.min} s)`);
});

test('Connection: close from the server: a new socket for the next call even if the server keeps it open', async () => {
  const s = await rawServer((sock) => sock.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'));
  const r = await runLoad(opts(`-c 1 -qps 0 -n 4 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 4 });
  assert.deepEqual(r.sockets, [4]);
  assert.equal(s.connections, 4);
});

test('a reply and the close in the same write (pipelined close): every call 200, one socket each', async () => {
  const s = await rawServer((sock) => sock.end(`${HEAD_5}hello`));
  const r = await runLoad(opts(`-c 2 -qps 0 -n 6 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 6 });
  assert.deepEqual(r.sockets, [3, 3]);
});

test('a reused socket that dies before any byte of the reply is replaced once, silently (fortio)', async () => {
  // Each socket answers its first request and drops the second without a byte.
  const s = await rawServer((sock, _n, onSocket) => (onSocket === 1 ? sock.write(`${HEAD_5}hello`) : sock.destroy()));
  const r = await runLoad(opts(`-c 1 -qps 0 -n 4 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 4 });
  assert.deepEqual(r.sockets, [4]);
  assert.equal(s.requests, 7, 'calls 2..4 each tried the old socket first');
});

test('a new socket that dies before the reply is an error, not retried', async () => {
  const s = await rawServer((sock) => sock.destroy());
  const r = await runLoad(opts(`-c 1 -qps 0 -n 3 -timeout 3s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '-1': 3 });
  assert.equal(s.requests, 3);
});

const MALFORMED: Array<[string, string]> = [
  ['a status code that is not 3 digits', 'HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n'],
  ['no status line', 'hello there\r\nContent-Length: 0\r\n\r\n'],
  ['an invalid chunk size', `${CHUNKED_HEAD}zz\r\nhello\r\n0\r\n\r\n`],
  ['chunk data not followed by CRLF', `${CHUNKED_HEAD}5\r\nhello!!\r\n0\r\n\r\n`],
  ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello'],
  ['a header line without a colon', 'HTTP/1.1 200 OK\r\nBad Header\r\nContent-Length: 0\r\n\r\n'],
  ['whitespace before the colon (RFC 9112 §5.1)', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
  ['a head larger than 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`],
  ['a head that never ends', `HTTP/1.1 200 OK\r\n${'X-Line: y\r\n'.repeat(2_000)}`],
];

for (const [what, reply] of MALFORMED) {
  test(`malformed reply (${what}): code -1 at once, not a hang until the timeout`, async () => {
    // The server keeps the socket open: only the parser can end these calls early.
    const s = await rawServer((sock) => sock.write(reply));
    const r = await runLoad(opts(`-c 1 -qps 0 -n 2 -timeout 5s ${s.url}/`));
    assert.deepEqual(r.retCodes, { '-1': 2 });
    assert.equal(r.errors.count, 2);
    assert.ok(r.duration.max < 2, `failed after ${r.duration.max} s`);
    assert.equal(s.connections, 2, 'a socket with a malformed reply is not reused');
  });
}

test('a body cut short by the close is code -1', async () => {
  const s = await rawServer((sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
  const r = await runLoad(opts(`-c 1 -qps 0 -n 2 -timeout 5s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '-1': 2 });
  assert.ok(r.duration.max < 2);
});

test('a large head (8 KiB, over several reads) and a 1 MB body are read whole', async () => {
  const head = `HTTP/1.1 200 OK\r\nX-Big: ${'h'.repeat(8192)}\r\nContent-Length: 1000000\r\n\r\n`;
  const s = await rawServer((sock) => {
    sock.write(head.slice(0, 3000));
    setTimeout(() => sock.write(head.slice(3000) + 'b'.repeat(1_000_000)), 5);
  });
  const r = await runLoad(opts(`-c 1 -qps 0 -n 2 -timeout 5s ${s.url}/`));
  assert.deepEqual(r.retCodes, { '200': 2 });
  assert.deepEqual(r.sockets, [1]);
  assert.equal(r.headerSizes.sum, 2 * head.length);
  assert.equal(r.sizes.sum, 2 * (head.length + 1_000_000));
});

test('the request is written as fortio writes it: request line, Host first, the headers, Content-Length', async () => {
  const heads: string[] = [];
  const s = await rawServer((sock, _n, _k, head) => {
    heads.push(head);
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
  // (The body, "hi", follows the head; node:http checks it arrives in the coordinator tests.)
  const o = parseLoadFlags(['-c', '1', '-qps', '0', '-n', '2', '-H', 'X-A: 1', '-payload', 'hi', '-content-type', 'text/plain', `${s.url}/p?q=1`]).options;
  await runLoad(o);
  const expected = `POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nX-A: 1\r\nUser-Agent: ${FORTIO_USER_AGENT}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n`;
  assert.deepEqual(heads, [expected, `hi${expected}`]);
});
