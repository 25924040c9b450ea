// Bad input never crashes: every field of real documents replaced by values of the
// wrong shape must give ConfigErrors (or compile), never a TypeError.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigErrors } from '../../../src/errors.js';
import { compileMesh } from '../../../src/mesh/config/compile.js';
import { loadSourceFiles } from '../../../src/mesh/config/source.js';
import type { SourceDoc } from '../../../src/mesh/config/source.js';
import { fixture, scenario } from './helpers.js';

const WRONG: unknown[] = [null, [], {}, 'x', -1, 1.5, true, [1], { a: 1 }];

function allPaths(v: unknown, p: Array<string | number> = []): Array<Array<string | number>> {
  const out = [p];
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out.push(...allPaths(x, [...p, Array.isArray(v) ? Number(k) : k]));
  }
  return out;
}

test('every field of the seed and sample documents, set to each wrong shape: only ConfigErrors', async () => {
  const docs = await loadSourceFiles([
    scenario('httpbin/httpbin-v1-v2.yaml'),
    scenario('httpbin/sleep.yaml'),
    fixture('seed-httpbin-vs-mirror.yaml'),
    fixture('seed-httpbin-dr-circuit-breaking.yaml'),
    scenario('bookinfo/networking/virtual-service-ratings-test-delay.yaml'),
  ]);
  let cases = 0;
  let rejected = 0;
  for (let di = 0; di < docs.length; di++) {
    for (const path of allPaths(docs[di].value)) {
      if (path.length === 0) continue;
      for (const bad of WRONG) {
        const value = structuredClone(docs[di].value);
        let o = value as Record<string | number, unknown>;
        for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
        o[path[path.length - 1]] = structuredClone(bad);
        const mutated: SourceDoc = { ...docs[di], value };
        cases++;
        try {
          compileMesh(docs.map((d, i) => (i === di ? mutated : d)));
        } catch (e) {
          assert.ok(e instanceof ConfigErrors, `${path.join('.')} = ${JSON.stringify(bad)}: ${(e as Error).stack}`);
          assert.ok(e.errors.every((x) => /^\S+:\d+:\d+: /.test(x.message)), 'every error is located');
          rejected++;
        }
      }
    }
  }
  assert.ok(cases > 1000, `${cases} cases`);
  assert.ok(rejected > cases / 2, `${rejected} of ${cases} rejected`);
});
