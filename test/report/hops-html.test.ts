// The HTML report's per-hop section: a real service-graph run (--json, --html),
// the table as drawn in Chromium, and an older result file without `hops`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from '../../src/cli/run.js';
import { main } from '../../src/cli/main.js';
import { capture } from '../helpers/io.js';
import { haveChromium, launchChromium, NO_CHROMIUM, watchPage } from '../helpers/browser.js';
import { model, service, workload } from '../mesh/modeled/mesh-yaml.js';

let dir = '';
let html = '';
let json = '';

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-hops-html-'));
  const yaml =
    ['front', 'leaf', 'mid'].map((n) => workload(n) + service(n)).join('') +
    model('front', 'target: { deployment: front }\nscript:\n- - call: leaf:8080\n  - call: leaf:8080\n- call: mid:8080') +
    model('leaf', 'target: { deployment: leaf }\nlatency: 5ms') +
    model('mid', 'target: { deployment: mid }\nerrors:\n- { every: 4, status: 503 }') +
    `apiVersion: meshbench/v1
kind: Scenario
metadata: { name: fan }
spec:
  load:
    url: http://front:8080/
    steps:
    - { name: fan, c: 2, qps: 0, n: 20 }
`;
  const file = join(dir, 'fan.yaml');
  await writeFile(file, yaml);
  json = join(dir, 'fan.json');
  html = join(dir, 'fan.html');
  const c = capture();
  const code = await runCommand([file, '--no-tui', '--seed', '1', '--json', json, '--html', html], c.io);
  assert.equal(code, 0, c.out() + c.err());
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the per-hop card lists every service with its requests, per-entry amplification and errors', async () => {
  const page = await readFile(html, 'utf8');
  const card = /<div class="card scroll wide mb-hops"><h3>Per hop \(each service's inbound sidecar\)<\/h3><table>(.*?)<\/table>/s.exec(page);
  assert.ok(card, 'no per-hop card');
  const rows = [...card[1]!.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1]));
  assert.deepEqual(rows[0], ['variant', 'service', 'requests', 'per entry request', 'p50 ms', 'p99 ms', 'errors']);
  assert.deepEqual(rows.slice(1).map((r) => r[0]), ['base', '', ''], 'the variant named once, on its first row');
  const byService = new Map(rows.slice(1).map((r) => [r[1], r.slice(2)]));
  assert.deepEqual([...byService.keys()].sort(), ['front', 'leaf', 'mid']);
  assert.deepEqual(byService.get('leaf')!.slice(0, 2), ['40', '2.00×']);
  assert.deepEqual(byService.get('mid')!.slice(0, 2), ['20', '1.00×']);
  assert.equal(byService.get('mid')![4], '5', 'every 4th of 20');
  assert.equal(byService.get('front')![4], '5', 'front fails when mid does');
  assert.ok(Number(byService.get('leaf')![2]) >= 5, `leaf p50 ${byService.get('leaf')![2]}`);
});

test('an older result file without hops still renders, without the per-hop card', async () => {
  const doc = JSON.parse(await readFile(json, 'utf8'));
  for (const v of doc.variants) for (const s of v.steps) delete s.hops;
  const old = join(dir, 'old.json');
  await writeFile(old, JSON.stringify(doc));
  const out = join(dir, 'old.html');
  const c = capture();
  assert.equal(await main(['report', old, '-o', out], c.io), 0, c.err());
  const page = await readFile(out, 'utf8');
  assert.doesNotMatch(page, /class="card scroll wide mb-hops"/);
  assert.match(page, /data-chart="latency"/);
});

test('in Chromium: no page errors, the per-hop table is visible with one row per service', async (t) => {
  if (!haveChromium()) return t.skip(NO_CHROMIUM);
  const s = await launchChromium({ width: 1300, height: 1000 });
  try {
    const page = await s.newPage();
    const problems = watchPage(page);
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const seen = (await page.evaluate(`(() => {
      const card = document.querySelector('.mb-hops');
      if (!card) return null;
      const r = card.getBoundingClientRect();
      return { rows: card.querySelectorAll('tr').length, w: r.width, h: r.height };
    })()`)) as { rows: number; w: number; h: number } | null;
    assert.ok(seen, 'no .mb-hops card in the page');
    assert.equal(seen.rows, 4);
    assert.ok(seen.w > 100 && seen.h > 50, JSON.stringify(seen));
    await page.screenshot({ path: join(dir, 'hops.png') as `${string}.png`, fullPage: true });
    assert.deepEqual(problems(), []);
  } finally {
    await s.close();
  }
});
