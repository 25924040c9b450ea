import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLoadOptions } from '../../src/load/flags.js';
import type { LoadOptions } from '../../src/load/types.js';
import { formatFortioHeader } from '../../src/load/call-plan.js';
import { FortioRunHistograms } from '../../src/load/fortio-histogram.js';
import { formatFortioReport } from '../../src/report/fortio-text.js';
import type { FortioRunData } from '../../src/report/fortio-run.js';

/** Build run data the way the load engine does: record each call into fortio histograms. */
function makeRun(
  o: LoadOptions,
  calls: Array<{ s: number; code: number; header: number; size: number }>,
  extra: { durationNs: number; sockets: number[]; numThreads: number; sleeps?: number[]; connect?: number[] },
): FortioRunData {
  const h = new FortioRunHistograms(o);
  const retCodes: Record<string, number> = {};
  for (const c of calls) {
    h.duration.record(c.s);
    if (c.code < 200 || c.code > 299) h.errors.record(c.s);
    h.headerSizes.record(c.header);
    h.sizes.record(c.size);
    retCodes[String(c.code)] = (retCodes[String(c.code)] ?? 0) + 1;
  }
  for (const s of extra.sleeps ?? []) h.sleepTimes.record(s);
  for (const s of extra.connect ?? []) h.connectionTimes.record(s);
  return {
    options: o,
    version: '1.11.3',
    startTime: new Date(0),
    actualDurationNs: extra.durationNs,
    calls: calls.length,
    retCodes,
    duration: h.duration.toState(),
    errors: h.errors.toState(),
    sizes: h.sizes.toState(),
    headerSizes: h.headerSizes.toState(),
    connectionTimes: h.connectionTimes.toState(),
    sockets: extra.sockets,
    ipCountMap: { '127.0.0.1:8000': extra.sockets.reduce((a, b) => a + b, 0) },
    numThreads: extra.numThreads,
    ...(extra.sleeps ? { sleepTimes: h.sleepTimes.toState() } : {}),
    interrupted: false,
  };
}

function seedOptions(c: number, n: number): LoadOptions {
  return { ...defaultLoadOptions('http://httpbin:8000/get'), connections: c, qps: 0, exactly: n, logLevel: 'Warning' };
}

// Latencies (ns) chosen to give exactly the seed's bucket counts, min, max, sum and
// stddev (seed lines 399-414 and 438-453); 503 replies carry 0 header bytes and 241
// total bytes, 200 replies 230/858 (run 1) — the seed's size lines follow from that.
const RUN1_NS = [407863, 500000, 600000, 800000, 2100000, 2200000, 2500000, 2700000, 2900000, 3500000, 4100000, 4800000, 5500000,
  6100000, 6300000, 6840204, 9500000, 10200000, 10956867, 15076906];
const RUN2_NS = [240280, 300000, 400000, 500000, 600000, 700000, 800000, 900000, 997794, 1500000,
  ...Array.from({ length: 11 }, (_, i) => 2010000 + i * 50000), 3010000, 3020000, 3030000, 3040000, 4010000, 6960000, 7500000, 8898878, 21725863];

const SEED_RUN1 = `Fortio 1.11.3 running at 0 queries per second, 8->8 procs, for 20 calls: http://httpbin:8000/get
Starting at max qps with 2 thread(s) [gomax 8] for exactly 20 calls (10 per thread + 0)
Ended after 50.09084ms : 20 calls. qps=399.27
Aggregated Function Time : count 20 avg 0.004879092 +/- 0.0039 min 0.000407863 max 0.015076906 sum 0.09758184
# range, mid point, percentile, count
>= 0.000407863 <= 0.001 , 0.000703932 , 20.00, 4
> 0.002 <= 0.003 , 0.0025 , 45.00, 5
> 0.003 <= 0.004 , 0.0035 , 50.00, 1
> 0.004 <= 0.005 , 0.0045 , 60.00, 2
> 0.005 <= 0.006 , 0.0055 , 65.00, 1
> 0.006 <= 0.007 , 0.0065 , 80.00, 3
> 0.009 <= 0.01 , 0.0095 , 85.00, 1
> 0.01 <= 0.011 , 0.0105 , 95.00, 2
> 0.014 <= 0.0150769 , 0.0145385 , 100.00, 1
# target 50% 0.004
# target 75% 0.00666667
# target 90% 0.0105
# target 99% 0.0148615
# target 99.9% 0.0150554
Sockets used: 8 (for perfect keepalive, would be 2)
Jitter: false
Code 200 : 14 (70.0 %)
Code 503 : 6 (30.0 %)
Response Header Sizes : count 20 avg 161 +/- 105.4 min 0 max 230 sum 3220
Response Body/Total Sizes : count 20 avg 672.9 +/- 282.7 min 241 max 858 sum 13458
All done 20 calls (plus 0 warmup) 4.879 ms avg, 399.3 qps
`;

const SEED_RUN2 = `Fortio 1.11.3 running at 0 queries per second, 8->8 procs, for 30 calls: http://httpbin:8000/get
Starting at max qps with 3 thread(s) [gomax 8] for exactly 30 calls (10 per thread + 0)
Ended after 45.473167ms : 30 calls. qps=659.73
Aggregated Function Time : count 30 avg 0.0030997605 +/- 0.004012 min 0.00024028 max 0.021725863 sum 0.092992815
# range, mid point, percentile, count
>= 0.00024028 <= 0.001 , 0.00062014 , 30.00, 9
> 0.001 <= 0.002 , 0.0015 , 33.33, 1
> 0.002 <= 0.003 , 0.0025 , 70.00, 11
> 0.003 <= 0.004 , 0.0035 , 83.33, 4
> 0.004 <= 0.005 , 0.0045 , 86.67, 1
> 0.006 <= 0.007 , 0.0065 , 90.00, 1
> 0.007 <= 0.008 , 0.0075 , 93.33, 1
> 0.008 <= 0.009 , 0.0085 , 96.67, 1
> 0.02 <= 0.0217259 , 0.0208629 , 100.00, 1
# target 50% 0.00245455
# target 75% 0.003375
# target 90% 0.007
# target 99% 0.0212081
# target 99.9% 0.0216741
Sockets used: 12 (for perfect keepalive, would be 3)
Jitter: false
Code 200 : 20 (66.7 %)
Code 503 : 10 (33.3 %)
Response Header Sizes : count 30 avg 153.36667 +/- 108.4 min 0 max 231 sum 4601
Response Body/Total Sizes : count 30 avg 652.36667 +/- 290.9 min 241 max 859 sum 19571
All done 30 calls (plus 0 warmup) 3.100 ms avg, 659.7 qps
`;

test('seed circuit-breaking run 1 (-c 2 -qps 0 -n 20 -loglevel Warning) is reproduced byte for byte', () => {
  const o = seedOptions(2, 20);
  const calls = RUN1_NS.map((ns, i) => {
    const ok = i % 10 < 7; // 14 × 200, 6 × 503
    return { s: ns / 1e9, code: ok ? 200 : 503, header: ok ? 230 : 0, size: ok ? 858 : 241 };
  });
  const run = makeRun(o, calls, { durationNs: 50_090_840, sockets: [4, 4], numThreads: 2 });
  const text = formatFortioHeader(o, { version: '1.11.3', procs: 8 }) + formatFortioReport(run, { logLevel: 'Warning' });
  assert.equal(text, SEED_RUN1);
});

test('seed circuit-breaking run 2 (-c 3 -qps 0 -n 30 -loglevel Warning) is reproduced byte for byte', () => {
  const o = seedOptions(3, 30);
  const calls = RUN2_NS.map((ns, i) => {
    const ok = i % 3 !== 2; // 20 × 200, 10 × 503
    return { s: ns / 1e9, code: ok ? 200 : 503, header: ok ? (i === 0 ? 231 : 230) : 0, size: ok ? (i === 0 ? 859 : 858) : 241 };
  });
  const run = makeRun(o, calls, { durationNs: 45_473_167, sockets: [4, 4, 4], numThreads: 3 });
  const text = formatFortioHeader(o, { version: '1.11.3', procs: 8 }) + formatFortioReport(run, { logLevel: 'Warning' });
  assert.equal(text, SEED_RUN2);
});

test('log levels: Info prints the start line too; Error (-quiet) keeps only counter, targets, codes, All done', () => {
  const o = { ...seedOptions(2, 20), logLevel: 'Error' };
  const calls = RUN1_NS.map((ns) => ({ s: ns / 1e9, code: 200, header: 230, size: 858 }));
  const run = makeRun(o, calls, { durationNs: 50_090_840, sockets: [2, 2], numThreads: 2 });
  assert.equal(
    formatFortioHeader(o, { version: '1.11.3', procs: 8 }),
    'Fortio 1.11.3 running at 0 queries per second, 8->8 procs, for 20 calls: http://httpbin:8000/get\n',
  );
  assert.equal(
    formatFortioReport(run, { logLevel: 'Error' }),
    `Aggregated Function Time : count 20 avg 0.004879092 +/- 0.0039 min 0.000407863 max 0.015076906 sum 0.09758184
# target 50% 0.004
# target 75% 0.00666667
# target 90% 0.0105
# target 99% 0.0148615
# target 99.9% 0.0150554
Sockets used: 4 (for perfect keepalive, would be 2)
Jitter: false
Code 200 : 20 (100.0 %)
All done 20 calls (plus 0 warmup) 4.879 ms avg, 399.3 qps
`,
  );
  // Verbose prints the full size histograms instead of the counter lines.
  const verbose = formatFortioReport(run, { logLevel: 'Verbose' }).split('\n');
  const i = verbose.indexOf('Response Header Sizes Histogram : count 20 avg 230 +/- 0 min 230 max 230 sum 4600');
  assert.ok(i > 0);
  assert.deepEqual(verbose.slice(i + 1, i + 3), ['# range, mid point, percentile, count', '>= 230 <= 230 , 230 , 100.00, 20']);
  assert.ok(verbose.includes('Response Body/Total Sizes Histogram : count 20 avg 858 +/- 0 min 858 max 858 sum 17160'));
});

test('peers.md §2.5 example in modern style: sleep times, error cases, connections, IPs, transport errors', () => {
  const o: LoadOptions = { ...defaultLoadOptions('http://127.0.0.1:8080/echo?status=503:20'), connections: 2, qps: 100, exactly: 10, percentiles: [50, 90, 99] };
  const lat = [0.000412, 0.00052, 0.00061, 0.0007, 0.00081, 0.00095, 0.00118, 0.00142, 0.00171, 0.00213];
  const calls = lat.map((s, i) => ({ s, code: i < 2 ? 503 : 200, header: i < 2 ? 0 : 120, size: i < 2 ? 124 : 153.5 }));
  const run = makeRun(o, calls, {
    durationNs: 100_900_000,
    sockets: [2, 2],
    numThreads: 2,
    sleeps: [0.0185, 0.0189, 0.019, 0.019, 0.019, 0.019, 0.0191, 0.0196],
    connect: [0.00015, 0.000171, 0.000162, 0.000189],
  });
  const h0 = new FortioRunHistograms(o);
  h0.connectionTimes.record(0.00015);
  h0.connectionTimes.record(0.000171);
  const h1 = new FortioRunHistograms(o);
  h1.connectionTimes.record(0.000162);
  h1.connectionTimes.record(0.000189);
  run.perConnection = [
    { ipCounts: { '127.0.0.1:8080': 2 }, connectTimes: h0.connectionTimes.toState() },
    { ipCounts: { '127.0.0.1:8080': 2 }, connectTimes: h1.connectionTimes.toState() },
  ];
  run.ipCountMap = { '127.0.0.1:8080': 4 };
  assert.equal(
    formatFortioHeader({ ...o, logLevel: 'Info' }, { version: '1.75.2', procs: 8 }),
    'Fortio 1.75.2 running at 100 queries per second, 8->8 procs, for 10 calls: http://127.0.0.1:8080/echo?status=503:20\n' +
      'Starting at 100 qps with 2 thread(s) [gomax 8] : exactly 10, 5 calls each (total 10 + 0)\n',
  );
  const text = formatFortioReport(run, { logLevel: 'Info', style: 'modern' });
  assert.equal(
    text,
    `Ended after 100.9ms : 10 calls. qps=99.108
Sleep times : count 8 avg 0.0190125 +/- 0.0002803 min 0.0185 max 0.0196 sum 0.1521
Aggregated Function Time : count 10 avg 0.0010442 +/- 0.0005317 min 0.000412 max 0.00213 sum 0.010442
# range, mid point, percentile, count
>= 0.000412 <= 0.001 , 0.000706 , 60.00, 6
> 0.001 <= 0.002 , 0.0015 , 90.00, 3
> 0.002 <= 0.00213 , 0.002065 , 100.00, 1
# target 50% 0.0008824
# target 90% 0.002
# target 99% 0.002117
Error cases : count 2 avg 0.000466 +/- 5.4e-05 min 0.000412 max 0.00052 sum 0.000932
# range, mid point, percentile, count
>= 0.000412 <= 0.00052 , 0.000466 , 100.00, 2
# target 50% 0.000412
# target 90% 0.0004984
# target 99% 0.00051784
# Socket and IP used for each connection:
[0]   2 socket used, resolved to 127.0.0.1:8080, connection timing : count 2 avg 0.0001605 +/- 1.05e-05 min 0.00015 max 0.000171 sum 0.000321
[1]   2 socket used, resolved to 127.0.0.1:8080, connection timing : count 2 avg 0.0001755 +/- 1.35e-05 min 0.000162 max 0.000189 sum 0.000351
Connection time histogram (s) : count 4 avg 0.000168 +/- 1.423e-05 min 0.00015 max 0.000189 sum 0.000672
# range, mid point, percentile, count
>= 0.00015 <= 0.000189 , 0.0001695 , 100.00, 4
# target 50% 0.000163
# target 90% 0.0001838
# target 99% 0.00018848
Sockets used: 4 (for perfect keepalive, would be 2)
Uniform: false, Jitter: false, Catchup allowed: true
IP addresses distribution:
127.0.0.1:8080: 4
Code 200 : 8 (80.0 %)
Code 503 : 2 (20.0 %)
Response Header Sizes : count 10 avg 96 +/- 48 min 0 max 120 sum 960
Response Body/Total Sizes : count 10 avg 147.6 +/- 11.8 min 124 max 153.5 sum 1476
All done 10 calls (plus 0 warmup) 1.044 ms avg, 99.1 qps
`,
  );
});

test('falling behind: more than 5% negative sleeps print the sleep histogram and the WARNING', () => {
  const o: LoadOptions = { ...defaultLoadOptions('http://127.0.0.1:1/'), connections: 1, qps: 1000, exactly: 0, durationMs: 10 };
  const calls = Array.from({ length: 10 }, () => ({ s: 0.002, code: -1, header: 0, size: 0 }));
  const run = makeRun(o, calls, { durationNs: 20_000_000, sockets: [10], numThreads: 1, sleeps: [-0.002, -0.001, 0.0005, 0.0005] });
  const lines = formatFortioReport(run, { logLevel: 'Warning' }).split('\n');
  assert.equal(lines[1], 'Aggregated Sleep Time : count 4 avg -0.0005 +/- 0.001061 min -0.002 max 0.0005 sum -0.002');
  assert.equal(lines[3], '>= -0.002 <= -0.001 , -0.0015 , 50.00, 2');
  assert.equal(lines[4], '> 0 <= 0.0005 , 0.00025 , 100.00, 2');
  assert.equal(lines[5], '# target 50% -0.001');
  assert.equal(lines[6], 'WARNING 50.00% of sleep were falling behind');
  assert.ok(lines.includes('Code  -1 : 10 (100.0 %)'), 'transport errors right-aligned in 3 columns');
  assert.ok(lines.includes('All done 10 calls (plus 1 warmup) 2.000 ms avg, 500.0 qps'));
});
