import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { addHdr, createHdr, encodeHdr, recordMs, summarize } from '../../src/load/latency.js';
import { decodeHdr, percentileMs } from '../../src/report/hdr.js';

function near(actual: number, want: number, rel = 0.001): void {
  assert.ok(Math.abs(actual - want) <= Math.abs(want) * rel + 1e-9, `${actual} not within ${rel * 100}% of ${want}`);
}

test('summary of 1..1000 ms in µs with 3 significant digits', () => {
  const h = createHdr();
  for (let i = 1; i <= 1000; i++) recordMs(h, i);
  const s = summarize(h);
  assert.equal(s.count, 1000);
  assert.equal(s.min, 1);
  near(s.max, 1000);
  near(s.mean, 500.5);
  near(s.p50, 500);
  near(s.p90, 900);
  near(s.p99, 990);
  near(s.p999, 999);
  near(percentileMs(h, 100), 1000);
});

test('clamps: below 1 µs records 1 µs, above one hour records one hour; empty is all zeros', () => {
  const h = createHdr();
  recordMs(h, 0);
  recordMs(h, -3);
  recordMs(h, 1e12);
  const s = summarize(h);
  assert.equal(s.min, 0.001);
  near(s.max, 3_600_000);
  assert.deepEqual(summarize(createHdr()), { count: 0, min: 0, mean: 0, max: 0, p50: 0, p90: 0, p99: 0, p999: 0 });
  assert.equal(percentileMs(createHdr(), 99), 0);
});

test('encode/decode round trip and exact merges (histogram or encoded string)', () => {
  const a = createHdr();
  const b = createHdr();
  const all = createHdr();
  for (let i = 0; i < 5000; i++) {
    const ms = 0.2 + ((i * 7919) % 1000) / 37;
    (i % 2 ? a : b).recordValue(Math.round(ms * 1000));
    all.recordValue(Math.round(ms * 1000));
  }
  const back = decodeHdr(encodeHdr(a));
  assert.deepEqual(summarize(back), summarize(a));
  const m = createHdr();
  addHdr(m, encodeHdr(a));
  addHdr(m, b);
  addHdr(m, '');
  assert.deepEqual(summarize(m), summarize(all));
});

test('a histogram encoded in a worker thread merges exactly in the main thread', async () => {
  const hdrModule = fileURLToPath(new URL('../../src/load/latency.js', import.meta.url));
  const src = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(hdrModule)}).then((m) => {
      const h = m.createHdr();
      for (let i = 1; i <= 100; i++) m.recordMs(h, i / 10);
      parentPort.postMessage(m.encodeHdr(h));
    });`;
  const encoded = await new Promise<string>((resolve, reject) => {
    const w = new Worker(src, { eval: true });
    w.once('message', (msg: string) => {
      resolve(msg);
      void w.terminate();
    });
    w.once('error', reject);
  });
  const h = createHdr();
  for (let i = 1; i <= 100; i++) recordMs(h, i / 10);
  const merged = createHdr();
  addHdr(merged, encoded);
  assert.deepEqual(summarize(merged), summarize(h));
  addHdr(merged, encoded);
  assert.equal(summarize(merged).count, 200);
});
