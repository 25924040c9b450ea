// `--istio RELEASE` through the real main(): explain prints the profile (text and
// JSON), a Scenario's spec.istio applies unless the flag overrides it, and a release
// outside 1.5 … 1.28 is one line and exit 2 for every command that takes the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import type { ExplainResult } from '../../src/mesh/explain.js';
import { capture, repo } from '../helpers/io.js';

const CB = repo('scenarios/httpbin-cb.yaml');
const BOOKINFO = repo('scenarios/bookinfo/bookinfo.yaml');

async function bench(argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

test('explain: the seed scenario pins Istio 1.6; --istio overrides; the default is 1.28', async () => {
  const pinned = await bench(['explain', CB, 'http://httpbin:8000/get']);
  assert.equal(pinned.code, 0, pinned.err);
  assert.match(pinned.out, /^istio {6}1\.6 profile: default lb ROUND_ROBIN; default retries 2 on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes codes 503; consecutiveErrors consecutive gateway errors; mirror host with -shadow; stats cluster\.<name>\.<stat>\n/);
  // Under 1.6 the seed's consecutiveErrors works: no warning about it.
  assert.doesNotMatch(pinned.err, /consecutiveErrors/);
  const json = await bench(['explain', CB, '--istio', '1.28', '--json', 'http://httpbin:8000/get']);
  const r = JSON.parse(json.out) as ExplainResult;
  assert.equal(r.istio.version, '1.28');
  assert.equal(r.destinations[0]!.loadBalancer && 'simple' in r.destinations[0]!.loadBalancer ? r.destinations[0]!.loadBalancer.simple : '', 'LEAST_REQUEST');
  assert.deepEqual(r.policy?.retries?.retriableStatusCodes, []);
  assert.match(json.err, /consecutiveErrors is ignored since Istio 1\.7 \(profile 1\.28\)/);
  const plain = await bench(['explain', BOOKINFO, '--json', 'http://reviews:9080/']);
  assert.equal((JSON.parse(plain.out) as ExplainResult).istio.version, '1.28');
});

test('an unsupported --istio is one line naming the flag and the range, exit 2, for every command', async () => {
  const line = /^bench: --istio: unsupported Istio release "1\.4": expected one of 1\.5 … 1\.28 \(major\.minor, e\.g\. 1\.6\)\n$/;
  for (const argv of [
    ['explain', CB, '--istio', '1.4', 'http://httpbin:8000/get'],
    ['validate', CB, '--istio', '1.4'],
    ['run', CB, '--istio', '1.4'],
    ['serve', CB, '--istio', '1.4'],
    ['load', '--mesh', CB, '--istio', '1.4', 'http://httpbin:8000/get'],
  ]) {
    const r = await bench(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, line, argv.join(' '));
  }
  const noMesh = await bench(['load', '--istio', '1.6', 'http://127.0.0.1:1/']);
  assert.equal(noMesh.code, 2);
  assert.equal(noMesh.err, 'bench: --istio: only meaningful with --mesh\n');
});

