// The HTML report's mirror section, repeat intervals and short-step series, end to
// end: a real scenario run (mesh thread, load workers, sockets on 127.0.0.1) of
// test/fixtures/report/mirror.yaml — httpbin v1 mirrored to v2, a half-second step,
// two repeats per variant — writes --json and --html; the page must show the
// comparison with the same intervals and verdicts as the text report, a mirror
// section with the JSON's numbers, and a throughput curve of several points for
// the half-second step. Headless Chromium opens it (skipped where absent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { runCommand } from '../../src/cli/run.js';
import { capture, repo } from '../helpers/io.js';
import { haveChromium, launchChromium, NO_CHROMIUM, openOffline } from '../helpers/browser.js';

const inPage = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

let dir = '';
let html = '';
let text = '';
let page = '';
// The --json document as parsed: read field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-html-mirror-'));
  const json = join(dir, 'mirror.json');
  html = join(dir, 'mirror.html');
  const c = capture();
  const code = await runCommand([repo('test/fixtures/report/mirror.yaml'), '--no-tui', '--seed', '3', '--json', json, '--html', html], c.io);
  assert.equal(code, 0, c.out() + c.err());
  text = c.out();
  doc = JSON.parse(await readFile(json, 'utf8'));
  page = await readFile(html, 'utf8');
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runs = (variant: string) => doc.variants.filter((v: { name: string }) => v.name === variant).map((v: { steps: unknown[] }) => v.steps[0]);

/** The text between a section's opening tag and the next card. */
function section(html: string, name: string): string {
  const at = html.indexOf(`data-section="${name}"`);
  assert.ok(at > 0, `section ${name} in the page`);
  const end = html.indexOf('<div class="card', at);
  return html.slice(at, end > 0 ? end : undefined);
}
const plain = (s: string) => s.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/\s+/g, ' ');

test('the half-second step has a series in 100 ms samples, summing to its totals', () => {
  for (const s of [...runs('mirror'), ...runs('no-mirror')]) {
    // Per second it was a single sample; the machine may delay a tick or two, never all of them.
    assert.ok(s.timeline.length > 1, JSON.stringify(s.timeline));
    assert.equal(s.timeline.reduce((a: number, x: { calls: number }) => a + x.calls, 0), s.result.fortio.DurationHistogram.Count);
  }
});

test('the comparison shows the repeat intervals and verdicts the text report prints (same seeded bootstrap)', () => {
  const cmp = plain(section(page, 'compare'));
  assert.match(cmp, /2 repeats each/);
  assert.match(cmp, /±/);
  // No-mirror's v2 mirror share drops from every mirror round's to 0: an interval excluding 0, "changed".
  const cell = /0\.0%±0\.0 (-[\d.]+pp \[-[\d.]+pp,-[\d.]+pp\] changed)/.exec(cmp);
  assert.ok(cell, cmp);
  assert.ok(text.includes(cell[1]!), `text report has ${cell[1]}:\n${text}`);
  assert.match(cmp, /value: mean over repeats ± half its 95% bootstrap interval/);
});

test('the mirror section: per run, pairs compared, identical, differing, captured, latency; the top field with its count and an example', () => {
  const m = section(page, 'mirror');
  const rounds = runs('mirror');
  assert.equal(rounds.length, 2);
  rounds.forEach((s: { mirror: Record<string, number> & { latencyMs: { primary: { p50: number } } } }, i: number) => {
    const r = s.mirror;
    assert.ok(r.compared > 0, 'pairs were compared');
    const row = new RegExp(`<tr><td>mirror #${i + 1}</td><td>${r.compared}</td><td>${r.identical}</td><td>${r.differing} <span class="delta">[\\d.]+%</span></td><td>${r.shadowErrors}</td><td>${r.shadowTimeouts}</td><td>${r.primaryErrors}</td><td>${r.captured}</td><td>${r.skipped}</td>`);
    assert.match(m, row);
  });
  assert.doesNotMatch(m, /no-mirror/, 'a variant that does not mirror has no row');
  // The Host echoed by httpbin differs (-shadow) in every compared pair of a run.
  const host = rounds[0].mirror.fields.find((f: { field: string }) => f.field === '$.headers.Host');
  assert.equal(host.count, rounds[0].mirror.compared);
  assert.match(plain(m), new RegExp(`\\$\\.headers\\.Host ${host.count} "httpbin:8000" "httpbin-shadow:8000" /get, x-request-id ${host.example.requestId}`));
  assert.match(plain(m), new RegExp(`Noise — mirror #1 \\(the primary differs from its own replay; ${rounds[0].mirror.replayed} replays\\), reported apart: none`));
});

for (const scheme of ['light', 'dark'] as const) {
  test(`in Chromium (${scheme}): no errors or requests, every chart drawn, the sections visible, a curve for the half-second step`, async (t) => {
    if (!haveChromium()) return t.skip(NO_CHROMIUM);
    const s = await launchChromium({ width: 1300, height: 1000 });
    try {
      const { page: tab, problems } = await openOffline(s, html, scheme);
      const charts = await inPage<Array<{ kind: string; drawn: string; points: number }>>(
        tab,
        `[...document.querySelectorAll('[data-chart]')].map((el) => {
          const u = window.__mbCharts.find((c) => c.root.parentElement === el);
          return { kind: el.getAttribute('data-chart'), drawn: el.getAttribute('data-drawn'), points: u ? u.data[0].length : 0 };
        })`,
      );
      assert.deepEqual(charts.map((c) => c.kind), ['latency', 'qps', 'codes', 'counters']);
      for (const c of charts.slice(0, 3)) assert.equal(c.drawn, 'true', JSON.stringify(c));
      assert.ok(charts[1]!.points > 1, `throughput of the half-second step: ${charts[1]!.points} points`);
      // The sections are laid out and visible, their tables filled.
      const seen = await inPage<Array<{ name: string; h: number; rows: number }>>(
        tab,
        `['compare', 'mirror'].map((name) => {
          const el = document.querySelector('[data-section="' + name + '"]');
          return { name, h: el ? el.getBoundingClientRect().height : 0, rows: el ? el.querySelectorAll('tr').length : 0 };
        })`,
      );
      for (const x of seen) assert.ok(x.h > 60 && x.rows >= 3, JSON.stringify(x));
      await tab.screenshot({ path: join(process.env.MB_SCREENSHOT_DIR ?? dir, `mirror-report-${scheme}.png`), fullPage: true });
      assert.deepEqual(problems(), []);
    } finally {
      await s.close();
    }
  });
}
