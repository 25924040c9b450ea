import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { decodeHdr } from '../../src/report/hdr.js';
import { closedPort, closeServers, server, rawServer } from './servers.js';

after(closeServers);

function sink(onWrite?: (text: string) => void): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      onWrite?.(w.text);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}
async function bench(args: string, signal?: AbortSignal, onStderr?: (text: string) => void) {
  const stdout = sink();
  const stderr = sink(onStderr);
  const code = await main(['load', ...args.split(' ').filter(Boolean)], { stdout, stderr, signal });
  return { code, out: stdout.text, err: stderr.text };
}

test("the seed's command prints fortio's lines (1.11.3 line set)", async () => {
  const s = await server();
  const url = `${s.url}/get`;
  const r = await bench(`-c 2 -qps 0 -n 20 -loglevel Warning ${url}`);
  assert.equal(r.code, 0);
  const p = availableParallelism();
  const lines = r.err.split('\n');
  assert.equal(lines[0], `Fortio meshbench-0.1 running at 0 queries per second, ${p}->${p} procs, for 20 calls: ${url}`);
  assert.equal(lines[1], `Starting at max qps with 2 thread(s) [gomax ${p}] for exactly 20 calls (10 per thread + 0)`);
  assert.match(lines[2], /^Ended after [\d.]+(ms|µs|s) : 20 calls\. qps=[\d.e+]+$/);
  assert.match(r.err, /^Aggregated Function Time : count 20 avg /m);
  assert.match(r.err, /^# target 99\.9% /m);
  assert.match(r.err, /^Sockets used: 2 \(for perfect keepalive, would be 2\)$/m);
  assert.match(r.err, /^Jitter: false$/m);
  assert.match(r.err, /^Code 200 : 20 \(100\.0 %\)$/m);
  assert.match(r.err, /^All done 20 calls \(plus 0 warmup\) [\d.]+ ms avg, [\d.]+ qps$/m);
  assert.match(r.err, /^meshbench: max qps requested, [\d.]+ qps achieved; 1 worker thread\(s\)$/m);
  assert.equal(r.out, '', 'nothing on stdout without -json -');
  assert.ok(!r.err.includes('progress'), 'no progress line for a run under a second');
});

test('-json - writes fortio JSON (fortio key order, RequestedQPS a string) plus MeshBench to stdout', async () => {
  const s = await server();
  const r = await bench(`-c 2 -qps 0 -n 10 -json - ${s.url}/get`);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).slice(0, 10), [
    'RunType', 'Labels', 'StartTime', 'RequestedQPS', 'RequestedDuration', 'ActualQPS', 'ActualDuration', 'NumThreads', 'Version', 'DurationHistogram',
  ]);
  assert.equal(j.RunType, 'HTTP');
  assert.equal(j.RequestedQPS, 'max');
  assert.equal(j.RequestedDuration, 'exactly 10 calls');
  assert.equal(typeof j.ActualQPS, 'number');
  assert.ok(Number.isInteger(j.ActualDuration));
  assert.equal(j.NumThreads, 2);
  assert.equal(j.DurationHistogram.Count, 10);
  assert.deepEqual(j.DurationHistogram.Percentiles.map((x: { Percentile: number }) => x.Percentile), [50, 75, 90, 99, 99.9]);
  assert.equal(j.Exactly, 10);
  assert.deepEqual(j.RetCodes, { '200': 10 });
  assert.deepEqual(j.Sockets, [1, 1]);
  assert.equal(j.SocketCount, 2);
  assert.equal(j.URL, `${s.url}/get`);
  assert.equal(j.HTTPReqTimeOut, 3_000_000_000);
  assert.equal(j.MeshBench.serviceTime.count, 10);
  assert.equal(decodeHdr(j.MeshBench.hdrServiceTime).totalCount, 10, 'HDR travels for exact later merges');
  assert.equal(j.MeshBench.interrupted, false);
});

test('-stdclient sends with the standard client; the JSON says DisableFastClient like fortio', async () => {
  const heads: string[] = [];
  const s = await rawServer((sock, _n, _k, head) => {
    heads.push(head);
    sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const fast = JSON.parse((await bench(`-c 1 -qps 0 -n 3 -json - ${s.url}/get`)).out);
  assert.equal(fast.DisableFastClient, false);
  const r = await bench(`-c 1 -qps 0 -n 3 -stdclient -json - ${s.url}/get`);
  assert.equal(r.code, 0);
  const std = JSON.parse(r.out);
  assert.equal(std.DisableFastClient, true);
  assert.deepEqual(std.RetCodes, { '200': 3 });
  // Each client writes its own way: the fast one "Host:" as fortio's, undici a lower-case "host:".
  assert.deepEqual(heads.map((h) => /\r\n(host|Host): /.exec(h)?.[1]), ['Host', 'Host', 'Host', 'host', 'host', 'host']);
});

test('-json FILE writes the file and says so like fortio', async () => {
  const s = await server();
  const dir = await mkdtemp(join(tmpdir(), 'mb-load-'));
  try {
    const file = join(dir, 'r.json');
    const r = await bench(`-c 1 -qps 0 -n 3 -json ${file} ${s.url}/`);
    assert.equal(r.code, 0);
    const text = await readFile(file, 'utf8');
    assert.match(r.err, new RegExp(`^Successfully wrote ${Buffer.byteLength(text)} bytes of Json data to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.equal(JSON.parse(text).DurationHistogram.Count, 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad flag: one line on stderr, exit 2; unresolvable host: exit 3', async () => {
  const bad = await bench('-qps abc http://127.0.0.1:1/');
  assert.equal(bad.code, 2);
  assert.equal(bad.err, 'bench: -qps: invalid value "abc": expected a number\n');
  const dns = await bench('-n 1 http://no-such-host.invalid/');
  assert.equal(dns.code, 3);
  assert.match(dns.err, /^bench: unable to resolve host "no-such-host\.invalid" \(\w+\)$/m);
});

test('unreachable URL: calls recorded as code -1, exit 0', async () => {
  const port = await closedPort();
  const r = await bench(`-c 2 -qps 0 -n 4 -loglevel Warning http://127.0.0.1:${port}/`);
  assert.equal(r.code, 0);
  assert.match(r.err, /^Code {2}-1 : 4 \(100\.0 %\)$/m);
  assert.match(r.err, /^Sockets used: 0 /m);
});

test('progress once a second on long runs; the interrupted run still prints its report (exit 130)', async () => {
  const s = await server();
  const ac = new AbortController();
  const safety = setTimeout(() => ac.abort(), 15_000);
  // Interrupt (like Ctrl-C) once the second progress line is out.
  const r = await bench(`-c 2 -qps 100 -t 30s ${s.url}/`, ac.signal, (text) => {
    if ((text.match(/^progress /gm) ?? []).length >= 2) ac.abort();
  });
  clearTimeout(safety);
  assert.equal(r.code, 130);
  const progress = r.err.split('\n').filter((l) => l.startsWith('progress '));
  assert.equal(progress.length, 2, progress.join('|'));
  assert.match(progress[0], /^progress 1\.\ds: \d+ of 30s calls, [\d.]+ qps now, p50 [\d.]+ ms p99 [\d.]+ ms, codes 200:\d+, sockets 2/);
  assert.ok(!r.err.includes('\x1b'), 'no escape codes');
  assert.match(progress[1], /^progress 2\.\ds: /);
  assert.match(r.err, /^All done \d+ calls \(plus 2 warmup\)/m);
  assert.match(r.err, /^meshbench: 100 qps requested, [\d.]+ qps achieved \([\d.]+ %\); 1 worker thread\(s\); interrupted$/m);
  assert.match(r.err, /^meshbench: from intended send time \(coordinated omission corrected\) p50 /m);
});

test('a generator that cannot keep up warns and shows the corrected latency', async () => {
  const s = await server((_q, res) => setTimeout(() => res.end('slow'), 40));
  const r = await bench(`-c 1 -qps 100 -t 800ms ${s.url}/`);
  assert.equal(r.code, 0);
  assert.match(r.err, /^WARNING [\d.]+% of sleep were falling behind$/m);
  assert.match(r.err, /^meshbench: WARNING the load generator fell behind its schedule/m);
  const corrected = /coordinated omission corrected\) p50 ([\d.]+) ms/.exec(r.err);
  const service = /service time p50 ([\d.]+) ms/.exec(r.err);
  assert.ok(corrected && service && Number(corrected[1]) > Number(service[1]), 'waiting for the schedule counts in corrected latency');
});
