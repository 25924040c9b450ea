import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fortioCallPlan, formatFortioHeader, splitConnections } from '../../src/load/call-plan.js';
import { defaultLoadOptions } from '../../src/load/flags.js';
import type { LoadOptions } from '../../src/load/types.js';

const base = defaultLoadOptions('http://x/');
const plan = (o: Partial<LoadOptions>) => fortioCallPlan({ ...base, ...o });
/** The "Starting at" line fortio's periodic runner logs (second header line at level Warning). */
const startLine = (o: Partial<LoadOptions>) => formatFortioHeader({ ...base, logLevel: 'Warning', ...o }, { version: 'v', procs: 2 }).split('\n')[1];

test('-n splits n/c per connection, the remainder to connection 0 (fortio runMaxQPSSetup)', () => {
  assert.deepEqual(plan({ connections: 5, qps: 0, exactly: 103 }), { numThreads: 5, perThread: 20, leftOver: 3, calls: [23, 20, 20, 20, 20] });
  assert.deepEqual(plan({ connections: 2, qps: 0, exactly: 20 }).calls, [10, 10]);
  assert.deepEqual(plan({ connections: 3, qps: 0, exactly: 2 }).calls, [2, 0, 0]);
  assert.deepEqual(plan({ connections: 2, qps: 0, exactly: 0, durationMs: 5000 }).calls, [Infinity, Infinity]);
  assert.equal(startLine({ connections: 3, qps: 0, exactly: 10 }), 'Starting at max qps with 3 thread(s) [gomax 2] for exactly 10 calls (3 per thread + 1)');
  assert.equal(startLine({ connections: 3, qps: 0, exactly: 0, durationMs: 1500 }), 'Starting at max qps with 3 thread(s) [gomax 2] for 1.5s');
});

test('fixed qps: int(qps × duration) calls, at least 2, threads lowered to calls/2 (fortio runQPSSetup)', () => {
  assert.deepEqual(plan({ connections: 8, qps: 2, durationMs: 5000 }), { numThreads: 5, perThread: 2, leftOver: 0, calls: [2, 2, 2, 2, 2] });
  assert.equal(startLine({ connections: 8, qps: 2, durationMs: 5000 }), 'Starting at 2 qps with 5 thread(s) [gomax 2] for 5s : 2 calls each (total 10)');
  assert.deepEqual(plan({ connections: 4, qps: 1, durationMs: 1000 }).calls, [2], 'one planned call becomes 2 on 1 thread');
  assert.deepEqual(plan({ connections: 4, qps: 100, exactly: 10 }).calls, [4, 2, 2, 2]);
  assert.deepEqual(plan({ connections: 4, qps: 100, exactly: 3 }).calls, [3]);
  assert.equal(startLine({ connections: 2, qps: 100, exactly: 10 }), 'Starting at 100 qps with 2 thread(s) [gomax 2] : exactly 10, 5 calls each (total 10 + 0)');
  assert.deepEqual(plan({ connections: 3, qps: 8, durationMs: 0 }).calls, [Infinity, Infinity, Infinity]);
});

test('the "Starting at" line needs level Warning or more verbose, except for open-ended runs', () => {
  const info = formatFortioHeader({ ...base, connections: 2, qps: 0, exactly: 10, logLevel: 'Error' }, { version: 'v', procs: 2 });
  assert.equal(info, 'Fortio v running at 0 queries per second, 2->2 procs, for 10 calls: http://x/\n');
  const open = formatFortioHeader({ ...base, connections: 2, qps: 0, durationMs: 0, logLevel: 'Error' }, { version: 'v', procs: 2 });
  assert.equal(open, 'Fortio v running at 0 queries per second, 2->2 procs, until interrupted: http://x/\nStarting at max qps with 2 thread(s) [gomax 2] until interrupted\n');
  assert.equal(startLine({ connections: 1, qps: 8, durationMs: 0 }), 'Starting at 8 qps with 1 thread(s) [gomax 2] until interrupted');
});

test('connections spread over workers, earlier workers taking the extra', () => {
  assert.deepEqual(splitConnections(5, 2), [3, 2]);
  assert.deepEqual(splitConnections(4, 4), [1, 1, 1, 1]);
});
