// The soak bench's verdict (bench/soak.ts): flat = RSS and heap within 10 % of the
// first minute's sample (warm-up excluded) and no file-descriptor growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soakVerdict, type SoakSample } from '../../bench/soak.js';

const at = (minute: number, rssMb: number, heapUsedMb: number, fds: number): SoakSample => ({ minute, calls: minute * 1000, rssMb, heapUsedMb, fds, codes: {} });

test('flat: growth up to 10 % after the warm-up minute, minute 0 ignored', () => {
  const v = soakVerdict([at(0, 80, 8, 30), at(1, 180, 10, 52), at(2, 198, 10.9, 52), at(3, 190, 10, 50)]);
  assert.equal(v.flat, true, v.lines.join('\n'));
});

test('growing: RSS or heap more than 10 % above minute 1, or one more fd', () => {
  assert.equal(soakVerdict([at(1, 180, 10, 52), at(2, 199, 10, 52)]).flat, false);
  assert.equal(soakVerdict([at(1, 180, 10, 52), at(2, 180, 11.2, 52)]).flat, false);
  assert.equal(soakVerdict([at(1, 180, 10, 52), at(2, 180, 10, 53)]).flat, false);
});

test('one sample after minute 0 is no verdict', () => {
  assert.equal(soakVerdict([at(0, 80, 8, 30), at(1, 180, 10, 52)]).flat, false);
});
