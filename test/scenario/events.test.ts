// Step `events:` (instance faults): every mistake is one file:line:col error
// through the field reader; instance names are checked against the compiled
// mesh's pods (with did-you-mean); the schedule delivers on the load's clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSource } from '../../src/mesh/config/source.js';
import { ConfigErrors } from '../../src/errors.js';
import { splitScenario } from '../../src/scenario/parse.js';
import { prepareScenario } from '../../src/scenario/runner.js';
import { EventSchedule, type EventClock } from '../../src/scenario/events.js';
import { formatEventTimeline } from '../../src/scenario/timeline-report.js';
import type { InstanceEventSpec } from '../../src/scenario/model.js';
import { validateCommand } from '../../src/cli/validate.js';
import { capture } from '../helpers/io.js';

const MESH = `apiVersion: apps/v1
kind: Deployment
metadata: { name: httpbin-v1 }
spec:
  replicas: 2
  selector: { matchLabels: { app: httpbin, version: v1 } }
  template:
    metadata: { labels: { app: httpbin, version: v1 } }
    spec:
      containers: [{ name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{ containerPort: 80 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: httpbin }
spec:
  selector: { app: httpbin }
  ports: [{ name: http, port: 8000, targetPort: 80 }]
---
`;
/** The scenario document starts on this line of the combined file. */
const FIRST = MESH.split('\n').length;

function scenario(steps: string, expect = ''): string {
  return `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: ev }
spec:
  load:
    url: http://httpbin:8000/get
    steps:
${steps}${expect}`;
}

function errorsOf(steps: string): string[] {
  try {
    splitScenario(parseSource(MESH + scenario(steps), 's.yaml'), ['s.yaml']);
  } catch (e) {
    if (e instanceof ConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  assert.fail('expected ConfigErrors');
}

const at = (line: number, col: number) => `s.yaml:${FIRST + line - 1}:${col}`;

test('events parse in order with their fields and defaults', () => {
  const { scenario: s } = splitScenario(
    parseSource(
      MESH +
        scenario(`    - name: one
      t: 3s
      events:
      - { at: 0.5s, stop: httpbin-v1-0 }
      - { at: 1, start: httpbin-v1-0 }
      - { at: 1s, slow: httpbin-v1-1, delay: 200ms }
      - { at: 1500ms, fail: httpbin-v1-1, share: 0.25 }
      - { at: 2s, recover: httpbin-v1-1 }
    - { name: two, n: 10 }
`),
      's.yaml',
    ),
    ['s.yaml'],
  );
  const ev = s.load.steps[0]!.events!;
  assert.deepEqual(
    ev.map((e) => [e.atMs, e.action, e.instance, e.delayMs, e.status, e.share]),
    [
      [500, 'stop', 'httpbin-v1-0', undefined, undefined, undefined],
      [1000, 'start', 'httpbin-v1-0', undefined, undefined, undefined],
      [1000, 'slow', 'httpbin-v1-1', 200, undefined, undefined],
      [1500, 'fail', 'httpbin-v1-1', undefined, 503, 0.25],
      [2000, 'recover', 'httpbin-v1-1', undefined, undefined, undefined],
    ],
  );
  assert.equal(ev[0]!.instancePath, 'spec.load.steps[0].events[0].stop');
  assert.equal(s.load.steps[1]!.events, undefined);
});

test('bad events: one error each, at the field, nothing else reported', () => {
  const steps = `    - name: one
      t: 2s
      events:
      - { at: 3s, stop: httpbin-v1-0 }
      - { at: 1x, stop: httpbin-v1-1 }
      - { at: 1s, slow: httpbin-v1-1 }
      - { at: 1s, fail: httpbin-v1-0, status: 200, shar: 0.5 }
      - { at: 1s, stpo: httpbin-v1-0 }
      - { at: 1s, stop: httpbin-v1-0, start: httpbin-v1-1 }
      - { at: 0.5s, recover: httpbin-v1-0 }
      - { stop: httpbin-v1-0 }
    - name: two
      n: 5
      events: [{ at: 1s, stop: httpbin-v1-0 }]
`;
  assert.deepEqual(errorsOf(steps), [
    `${at(11, 11)}: spec.load.steps[0].events[0].at: 3s is not within the step (t: 2s)`,
    `${at(12, 11)}: spec.load.steps[0].events[1].at: invalid duration "1x": unknown unit "x" (one of ns, us, ms, s, m, h)`,
    `${at(13, 9)}: spec.load.steps[0].events[2]: missing required field "delay" (latency the app adds: 200ms)`,
    `${at(14, 52)}: spec.load.steps[0].events[3].shar: unknown field "shar" (did you mean "share"?); allowed: at, fail, status, share`,
    `${at(14, 39)}: spec.load.steps[0].events[3].status: must be between 400 and 599, got 200`,
    `${at(15, 19)}: spec.load.steps[0].events[4].stpo: an event needs one of stop, start, slow, fail, recover: NAME (did you mean "stop"?)`,
    `${at(16, 9)}: spec.load.steps[0].events[5]: one event does one thing; found stop and start`,
    `${at(17, 11)}: spec.load.steps[0].events[6].at: events are listed in time order; 0.5s comes before the previous event's 1s`,
    `${at(18, 9)}: spec.load.steps[0].events[7]: missing required field "at" (when, after the step started: 1s, 1500ms)`,
    `${at(21, 7)}: spec.load.steps[1].events: events need a step timed with \`t\` (a step of \`n\` calls has no timeline to place them on)`,
  ]);
});

async function fileErrors(text: string): Promise<{ file: string; run: string[]; validate: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'mb-events-'));
  try {
    const file = join(dir, 's.yaml');
    await writeFile(file, text);
    let run: string[] = [];
    await assert.rejects(prepareScenario([file]), (e: Error) => {
      assert.ok(e instanceof ConfigErrors);
      run = e.errors.map((x) => x.message.replace(file, 'F'));
      return true;
    });
    const c = capture();
    await assert.rejects(validateCommand([file], c.io));
    return { file, run, validate: c.err().trim().split('\n').map((l) => l.replace(file, 'F')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('state carries over steps: stop twice, start of a running pod, slow of a stopped one (run and validate alike)', async () => {
  const { run, validate } = await fileErrors(
    MESH +
      scenario(`    - name: one
      t: 2s
      events: [{ at: 1s, stop: httpbin-v1-0 }, { at: 1.5s, slow: httpbin-v1-0, delay: 1s }]
    - name: two
      t: 2s
      events: [{ at: 0s, stop: httpbin-v1-0 }, { at: 1s, start: httpbin-v1-1 }, { at: 1s, recover: httpbin-v1-1 }]
`),
  );
  const expected = [
    `F:${FIRST + 9}:60: spec.load.steps[0].events[1].slow: httpbin-v1-0 is stopped; start it first`,
    `F:${FIRST + 12}:26: spec.load.steps[1].events[0].stop: httpbin-v1-0 is already stopped`,
    `F:${FIRST + 12}:58: spec.load.steps[1].events[1].start: httpbin-v1-1 is running (start follows a stop)`,
    `F:${FIRST + 12}:91: spec.load.steps[1].events[2].recover: httpbin-v1-1 has no slow or fail to recover from`,
  ];
  assert.deepEqual(run, expected);
  assert.deepEqual(validate, expected);
});

test('unknown instances (events and upstream pod) are errors at the name, with did-you-mean, in run and validate alike', async () => {
  const { run, validate } = await fileErrors(
    MESH +
      scenario(
        `    - name: one
      t: 2s
      events: [{ at: 1s, stop: httpbin-v1-3 }, { at: 1.5s, start: httpbn-v1-0 }]
`,
        `  expect:
  - { upstream: { pod: httpbin-v1-9 }, requestsAtLeast: 1 }
`,
      ),
  );
  const expected = [
    `F:${FIRST + 9}:26: spec.load.steps[0].events[0].stop: no instance "httpbin-v1-3" (did you mean "httpbin-v1-0"?); instances: httpbin-v1-0, httpbin-v1-1`,
    `F:${FIRST + 9}:60: spec.load.steps[0].events[1].start: no instance "httpbn-v1-0" (did you mean "httpbin-v1-0"?); instances: httpbin-v1-0, httpbin-v1-1`,
    `F:${FIRST + 11}:5: upstream.pod: no instance "httpbin-v1-9" (did you mean "httpbin-v1-0"?); instances: httpbin-v1-0, httpbin-v1-1`,
  ];
  assert.deepEqual(run, expected);
  assert.deepEqual(validate, expected);
});

/** A fake clock: timers run when the test advances time. */
function fakeClock(): EventClock & { advance(ms: number): void } {
  let now = 1_000_000;
  const timers: Array<{ at: number; fn: () => void; h: number }> = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const h = next++;
      timers.push({ at: now + ms, fn, h });
      return h;
    },
    clearTimeout(h) {
      const i = timers.findIndex((t) => t.h === h);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now).sort((a, b) => a.at - b.at)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

const LOC = { file: 's.yaml', line: 1, col: 1 };
const spec = (atMs: number, action: InstanceEventSpec['action'], instance: string): InstanceEventSpec => ({
  atMs,
  action,
  instance,
  loc: LOC,
  instanceLoc: LOC,
  instancePath: '',
});

test('the schedule delivers each event at t0 + at, in order, records when the mesh applied it, drops what an interrupted step never reached', async () => {
  const clock = fakeClock();
  const delivered: string[] = [];
  const seen: string[] = [];
  const sched = new EventSchedule(
    [spec(400, 'stop', 'a-0'), spec(1000, 'start', 'a-0'), spec(5000, 'stop', 'a-1')],
    async (e) => {
      delivered.push(`${e.action} ${e.instance} @${clock.now() - t0}`);
      return clock.now() + 3; // the mesh applies it 3 ms later
    },
    (a) => seen.push(`${a.action} ${a.instance}`),
    clock,
  );
  const t0 = clock.now() + 2;
  sched.start(t0);
  clock.advance(401);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(delivered, [], 'not before t0 + at');
  clock.advance(2);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(delivered, ['stop a-0 @401']);
  clock.advance(700);
  const applied = await sched.finish(); // the step ends (interrupted) at 1.1 s: the 5 s event is dropped
  assert.deepEqual(delivered, ['stop a-0 @401', 'start a-0 @1101']);
  assert.deepEqual(applied, [
    { at: 0.4, t: 0.404, action: 'stop', instance: 'a-0' },
    { at: 1, t: 1.104, action: 'start', instance: 'a-0' },
  ]);
  assert.deepEqual(seen, ['stop a-0', 'start a-0']);
});

test('a delivery the mesh refuses is thrown by finish(), not swallowed', async () => {
  const clock = fakeClock();
  const sched = new EventSchedule([spec(0, 'stop', 'a-0')], () => Promise.reject(new Error('mesh closed')), () => {}, clock);
  sched.start(clock.now());
  clock.advance(1);
  await assert.rejects(sched.finish(), /mesh closed/);
});

test('text timeline: samples with event markers in time order', () => {
  const lines = formatEventTimeline(
    [
      { t: 1.05, calls: 200, qps: 190.5, codes: { '200': 196, '503': 4 }, counters: { 'outlier_detection.ejections_enforced_total': 1 }, perVersion: {} },
      { t: 2.0, calls: 190, qps: 200, codes: { '200': 190 }, counters: {}, perVersion: {} },
    ],
    [
      { at: 0.4, t: 0.401, action: 'stop', instance: 'httpbin-v1-0' },
      { at: 1.5, t: 1.5, action: 'fail', instance: 'httpbin-v1-1', status: 503, share: 0.5 },
      { at: 2, t: 2.0, action: 'slow', instance: 'httpbin-v1-2', delayMs: 200 },
    ],
  );
  assert.deepEqual(lines.slice(1), [
    '  ── 0.4 s stop httpbin-v1-0',
    '    1.1 s  200 calls, 191 qps, 200:196 503:4, ejections 1',
    '  ── 1.5 s fail httpbin-v1-1 503 x 50%',
    '  ── 2.0 s slow httpbin-v1-2 +200ms',
    '    2.0 s  190 calls, 200 qps, 200:190',
  ]);
});
