import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultLoadOptions } from '../../src/load/flags.js';
import type { LoadOptions } from '../../src/load/types.js';
import { buildFortioJson, goJsonString, goTimeJson, serializeJson } from '../../src/report/fortio-json.js';
import { FortioRunHistograms } from '../../src/load/fortio-histogram.js';
import { type FortioRunData, fortioRunId, fortioLabels } from '../../src/report/fortio-run.js';

process.env.TZ = 'UTC';

// fortio 1.75 Go struct order: periodic.RunnerResults, then fhttp.HTTPRunnerResults with
// HTTPOptions (TLSOptions first) inlined (peers.md §2.3).
const GO_ORDER = [
  'RunType', 'Labels', 'StartTime', 'RequestedQPS', 'RequestedDuration', 'ActualQPS', 'ActualDuration', 'NumThreads', 'Version',
  'DurationHistogram', 'ErrorsDurationHistogram', 'Exactly', 'Jitter', 'Uniform', 'NoCatchUp', 'RunID', 'AccessLoggerInfo', 'ID',
  'RetCodes', 'IPCountMap',
  'Insecure', 'MTLS', 'CACert', 'Cert', 'Key', 'UnixDomainSocket', 'URL', 'NumConnections', 'Compression', 'DisableFastClient',
  'HTTP10', 'H2', 'DisableKeepAlive', 'AllowHalfClose', 'FollowRedirects', 'Resolve', 'HTTPReqTimeOut', 'UserCredentials',
  'ContentType', 'Payload', 'MethodOverride', 'LogErrors', 'SequentialWarmup', 'ConnReuseRange', 'NoResolveEachConn', 'Offset',
  'Resolution', 'Sizes', 'HeaderSizes', 'Sockets', 'SocketCount', 'ConnectionStats', 'AbortOn',
];

function exampleRun(o: LoadOptions, latencies: number[], codes: number[]): FortioRunData {
  const h = new FortioRunHistograms(o);
  const retCodes: Record<string, number> = {};
  latencies.forEach((s, i) => {
    const code = codes[i]!;
    h.duration.record(s);
    if (code !== 200) h.errors.record(s);
    h.headerSizes.record(code === 200 ? 120 : 0);
    h.sizes.record(code === 200 ? 140 : 124);
    retCodes[String(code)] = (retCodes[String(code)] ?? 0) + 1;
  });
  for (const c of [0.00015, 0.000171, 0.000162, 0.000189]) h.connectionTimes.record(c);
  return {
    options: o,
    version: '1.75.2',
    startTime: new Date(Date.UTC(2026, 0, 15, 9, 15, 0, 123)),
    actualDurationNs: 100_900_000,
    calls: latencies.length,
    retCodes,
    duration: h.duration.toState(),
    errors: h.errors.toState(),
    sizes: h.sizes.toState(),
    headerSizes: h.headerSizes.toState(),
    connectionTimes: h.connectionTimes.toState(),
    sockets: [2, 2],
    ipCountMap: { '127.0.0.1:8080': 4 },
    numThreads: 2,
    interrupted: false,
  };
}

const LAT = [0.000412, 0.00052, 0.00061, 0.0007, 0.00081, 0.00095, 0.00118, 0.00142, 0.00171, 0.00213];
const CODES = [503, 503, 200, 200, 200, 200, 200, 200, 200, 200];

test('peers.md §2.5 JSON: key order, string QPS, ns durations, histograms, ID', () => {
  const o: LoadOptions = {
    ...defaultLoadOptions('http://127.0.0.1:8080/echo?status=503:20'),
    connections: 2, qps: 100, exactly: 10, percentiles: [50, 90, 99], labels: '127.0.0.1:8080/echo?status=503:20 , laptop',
  };
  const j = buildFortioJson(exampleRun(o, LAT, CODES));
  assert.deepEqual(Object.keys(j), GO_ORDER);
  assert.equal(j.RequestedQPS, '100');
  assert.equal(j.RequestedDuration, 'exactly 10 calls');
  assert.equal(j.ActualDuration, 100900000);
  assert.ok(Math.abs(j.ActualQPS - 99.10802775024777) < 1e-9);
  assert.equal(j.StartTime, '2026-01-15T09:15:00.123Z');
  assert.equal(j.ID, '2026-01-15-091500_127_0_0_1_8080_echo_status_503_20_laptop');
  assert.equal(j.HTTPReqTimeOut, 3000000000);
  assert.equal(j.Payload, null);
  assert.equal(j.MethodOverride, '');
  assert.equal(j.SocketCount, 4);
  assert.deepEqual(j.RetCodes, { '200': 8, '503': 2 });
  assert.deepEqual(j.DurationHistogram.Data, [
    { Start: 0.000412, End: 0.001, Percent: 60, Count: 6 },
    { Start: 0.001, End: 0.002, Percent: 90, Count: 3 },
    { Start: 0.002, End: 0.00213, Percent: 100, Count: 1 },
  ]);
  const p = j.DurationHistogram.Percentiles!;
  assert.deepEqual(p.map((x) => x.Percentile), [50, 90, 99]);
  assert.ok(Math.abs(p[0]!.Value - 0.0008824) < 1e-12);
  const e = j.ErrorsDurationHistogram as { Count: number; Percentiles: Array<{ Value: number }> };
  assert.equal(e.Count, 2);
  assert.equal(e.Percentiles[0]!.Value, 0.000412);
  assert.deepEqual((j.HeaderSizes as { Data: unknown }).Data, [
    { Start: 0, End: 0, Percent: 20, Count: 2 },
    { Start: 100, End: 120, Percent: 100, Count: 8 },
  ]);
  assert.equal((j.Sizes as { Percentiles?: unknown }).Percentiles, undefined);
});

test('interrupted exact runs, max qps, payload, method override and sorted map keys', () => {
  const o: LoadOptions = {
    ...defaultLoadOptions('https://example.test/x'), connections: 2, qps: 0, exactly: 20,
    payload: Buffer.from('hello'), method: 'PUT', keepalive: false, runId: 7,
  };
  const r = exampleRun(o, LAT, [200, 200, 503, -1, 200, 200, 200, 200, 200, 200]);
  r.ipCountMap = { '10.0.0.2:80': 1, '10.0.0.10:80': 3 };
  const j = buildFortioJson(r);
  assert.equal(j.RequestedQPS, 'max');
  assert.equal(j.RequestedDuration, 'exactly 20 calls, interrupted after 10');
  assert.equal(j.Payload, 'aGVsbG8=');
  assert.equal(j.MethodOverride, 'PUT');
  assert.equal(j.DisableKeepAlive, true);
  assert.deepEqual(j.RetCodes, { '-1': 1, '200': 8, '503': 1 });
  assert.match(serializeJson(j), /"RetCodes": \{\n {4}"-1": 1,\n {4}"200": 8,\n {4}"503": 1\n {2}\},/);
  assert.deepEqual(Object.keys(j.IPCountMap as object), ['10.0.0.10:80', '10.0.0.2:80']);
  assert.match(j.Labels as string, /^example\.test\/x , [^.]+$/);
  assert.match(j.ID as string, /^2026-01-15-091500_7_example_test_x_/);
});

test('serializeJson writes Go MarshalIndent text: float forms, nil slices, escapes, omitted undefined', () => {
  const o = defaultLoadOptions('http://127.0.0.1:1/');
  const empty = buildFortioJson({ ...exampleRun(o, [], []), sockets: [] });
  const text = serializeJson({ a: 1e-7, b: 3000000000, c: 0.001, d: [], e: { Data: [] }, f: 'a<b>&"\\\n\u2028', g: undefined, h: [1, 'x'], i: {} });
  assert.equal(
    text,
    '{\n  "a": 1e-7,\n  "b": 3000000000,\n  "c": 0.001,\n  "d": [],\n  "e": {\n    "Data": null\n  },\n' +
      '  "f": "a\\u003cb\\u003e\\u0026\\"\\\\\\n\\u2028",\n  "h": [\n    1,\n    "x"\n  ],\n  "i": {}\n}',
  );
  const s = serializeJson(empty);
  assert.match(s, /"DurationHistogram": \{\n {4}"Count": 0,\n {4}"Min": 0,\n {4}"Max": 0,\n {4}"Sum": 0,\n {4}"Avg": 0,\n {4}"StdDev": 0,\n {4}"Data": null\n {2}\}/);
  assert.match(s, /"Sockets": null/);
  assert.match(s, /"ConnReuseRange": \[\n {4}0,\n {4}0\n {2}\]/);
  // The text parses back to the same data (numbers included).
  assert.deepEqual(JSON.parse(serializeJson(buildFortioJson(exampleRun(o, LAT, CODES)))).DurationHistogram.Data.length, 3);
  assert.equal(serializeJson({ x: [1, { y: 2 }] }, { indent: '' }), '{"x":[1,{"y":2}]}');
  assert.equal(goJsonString('\u0001\ud800'), '"\\u0001\\ufffd"');
  assert.equal(goJsonString('é😀'), '"é😀"');
  assert.throws(() => serializeJson({ x: NaN }), RangeError);
});

test('Go time JSON: trailing zeros dropped, local offset', () => {
  assert.equal(goTimeJson(new Date(Date.UTC(2021, 0, 15, 5, 48, 11, 0))), '2021-01-15T05:48:11Z');
  assert.equal(goTimeJson(new Date(Date.UTC(2021, 0, 15, 5, 48, 11, 500)), 1234), '2021-01-15T05:48:11.500001234Z');
  process.env.TZ = 'Asia/Kolkata';
  try {
    assert.equal(goTimeJson(new Date(Date.UTC(2021, 0, 15, 5, 48, 11, 120))), '2021-01-15T11:18:11.12+05:30');
  } finally {
    process.env.TZ = 'UTC';
  }
});

test('fortio run ID and default labels', () => {
  const d = new Date(Date.UTC(2020, 11, 1, 2, 3, 4));
  assert.equal(fortioRunId(d, 0, ''), '2020-12-01-020304');
  assert.equal(fortioRunId(d, 3, '--a  b--'), '2020-12-01-020304_3_a_b');
  assert.equal(fortioRunId(d, 0, 'x'.repeat(200)).length, 96);
  assert.equal(fortioLabels('http://httpbin:8000/get', '', 'fortio-deploy.ns.svc'), 'httpbin:8000/get , fortio-deploy');
  assert.equal(fortioLabels('http://h/', 'mine'), 'mine');
});

test('RequestedQPS and RequestedDuration as fortio fills them', () => {
  const req = (o: Partial<LoadOptions>) => {
    const j = buildFortioJson(exampleRun({ ...defaultLoadOptions('http://x/'), ...o }, LAT, CODES));
    return [j.RequestedQPS, j.RequestedDuration];
  };
  assert.deepEqual(req({ qps: 2, exactly: 0, durationMs: 5000 }), ['2', '5s']);
  assert.deepEqual(req({ qps: 1 / 3, exactly: 0, durationMs: 90_000 }), ['0.333333333', '1m30s']);
  assert.deepEqual(req({ qps: 0, exactly: 10 }), ['max', 'exactly 10 calls']);
  assert.deepEqual(req({ qps: 8, exactly: 0, durationMs: 0 }), ['8', 'until stop']);
  assert.deepEqual(req({ qps: 0, exactly: 0, durationMs: 0 }), ['max', '']);
});
