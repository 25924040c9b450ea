import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { closeLoadWorkers } from '../../src/load/coordinator.js';
import { capture, repo } from '../helpers/io.js';

test('load --mesh follows a scenario file\'s include: (the bookinfo mesh boots, pages answer 200)', async () => {
  const c = capture();
  try {
    const code = await main(
      ['load', '--mesh', repo('scenarios/bookinfo-routing.yaml'), '-H', 'end-user: jason', '-c', '1', '-qps', '0', '-n', '3',
        '-loglevel', 'Warning', 'http://productpage:9080/productpage'],
      c.io,
    );
    assert.equal(code, 0, c.err());
    // Without the includes productpage is not a mesh host and the sidecar answers 404 (NR).
    assert.match(c.err(), /^Code 200 : 3 \(100\.0 %\)$/m);
  } finally {
    await closeLoadWorkers();
  }
});
