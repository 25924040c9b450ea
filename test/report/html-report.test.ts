// The HTML report end to end: a real scenario run (real mesh thread, load workers,
// sockets on 127.0.0.1) writes --json and --html; `bench report` renders the saved
// JSON; headless Chromium opens the file from disk and must see no script error,
// no request but the file itself, every chart drawn, and a tooltip with an exact
// value from the JSON. Skips the browser part where chromium is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/run.js';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';
import type { Page } from 'puppeteer-core';
import { haveChromium, launchChromium, NO_CHROMIUM, openOffline } from '../helpers/browser.js';

const inPage = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

let dir = '';
let json = '';
let html = '';
// The --json document as parsed: read field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mb-html-'));
  json = join(dir, 'shift.json');
  html = join(dir, 'shift.html');
  const c = capture();
  const code = await runCommand([repo('test/fixtures/report/shift.yaml'), '--no-tui', '--seed', '3', '--json', json, '--html', html], c.io);
  assert.equal(code, 0, c.out() + c.err());
  assert.match(c.err(), /Successfully wrote \d+ bytes of HTML report to /);
  doc = JSON.parse(await readFile(json, 'utf8'));
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const step = (variant: string, name: string) =>
  doc.variants.find((v: { name: string }) => v.name === variant).steps.find((s: { step: string }) => s.step === name);

test('the JSON holds the time series, summing to the step totals, and the percentile curve', () => {
  assert.equal(typeof doc.machine.cores, 'number');
  assert.match(doc.machine.node, /^v\d+\./);
  for (const v of ['open', 'tight-pool']) {
    const s = step(v, 'steady');
    // 3 s at 100 qps, shorter than 5 s: samples of 100 ms (a busy machine may delay a tick; never all of them).
    assert.ok(s.timeline.length >= 6 && s.timeline.length <= 31, JSON.stringify(s.timeline));
    for (const [code, n] of Object.entries(s.result.fortio.RetCodes)) {
      assert.equal(s.timeline.reduce((a: number, x: { codes: Record<string, number> }) => a + (x.codes[code] ?? 0), 0), n, `${v} code ${code}`);
    }
    const overflow = s.counters.upstream_rq_pending_overflow ?? 0;
    assert.equal(s.timeline.reduce((a: number, x: { counters: Record<string, number> }) => a + (x.counters.upstream_rq_pending_overflow ?? 0), 0), overflow);
    // qps is each sample's calls over its length (how fast it ran is the machine's business, not this test's).
    s.timeline.forEach((x: { t: number; calls: number; qps: number }, i: number) => {
      const len = x.t - (i > 0 ? s.timeline[i - 1].t : 0);
      assert.ok(Math.abs(x.qps - x.calls / len) < 0.01 * Math.max(1, x.qps), JSON.stringify(x));
    });
    assert.equal(s.timeline.reduce((a: number, x: { calls: number }) => a + x.calls, 0), s.result.fortio.DurationHistogram.Count);
    assert.ok(s.serviceTimeCurve.length > 20, 'dense percentile curve');
    assert.equal(s.serviceTimeCurve.find((c: { p: number }) => c.p === 50).ms, s.result.meshbench.serviceTime.p50);
  }
  assert.ok(step('tight-pool', 'steady').counters.upstream_rq_pending_overflow > 0, 'the tight pool overflows');
});

test('one self-contained file under 2 MB; `bench report` renders the same data from the saved JSON', async () => {
  const text = await readFile(html, 'utf8');
  assert.ok((await stat(html)).size < 2_000_000);
  assert.doesNotMatch(text, /<(script|link|img)[^>]+(src|href)=/i, 'nothing loaded from elsewhere');
  assert.match(text, /Content-Security-Policy" content="default-src 'none'/);
  const again = join(dir, 'again.html');
  const c = capture();
  assert.equal(await main(['report', json, '-o', again], c.io), 0, c.err());
  const blob = (s: string) => /<script id="mb-data" type="application\/json">(.*?)<\/script>/s.exec(s)?.[1];
  assert.ok(blob(text));
  assert.equal(blob(await readFile(again, 'utf8')), blob(text));
});

test('bench report: bad input is exit 2 naming the file or flag', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['report', json, '-o', join(dir, 'missing', 'x.html')], /-o: cannot write ".*missing\/x\.html": ENOENT/],
    [['report', json], /-o: missing/],
    [['report', '-o', join(dir, 'x.html')], /no result files given/],
    [['report', repo('package.json'), '-o', join(dir, 'x.html')], /package\.json: neither a meshbench scenario result \(bench --json\) nor a fortio JSON result/],
    [['report', join(dir, 'nope.json'), '-o', join(dir, 'x.html')], /nope\.json: no such file/],
    [[repo('test/fixtures/report/shift.yaml'), '--html', join(dir, 'missing', 'y.html')], /--html: cannot write/],
  ];
  for (const [argv, msg] of cases) {
    const c = capture();
    assert.equal(await main(argv, c.io), 2, argv.join(' '));
    assert.match(c.err(), msg);
    assert.doesNotMatch(c.err(), /\n\s+at /, 'no stack');
  }
});

test('bench load --html: the fortio run as one step, its per-second series and percentile curve; bench report reads its -json too', async () => {
  const mesh = ['--mesh', repo('scenarios/httpbin/httpbin.yaml'), '--mesh', repo('scenarios/httpbin/fortio-deploy.yaml'), '--from', 'fortio-deploy'];
  const page = join(dir, 'load.html');
  const fortio = join(dir, 'load.json');
  const c = capture();
  const argv = ['load', ...mesh, '-c', '2', '-qps', '40', '-t', '2s', '-json', fortio, '--html', page, 'http://httpbin:8000/get'];
  assert.equal(await main(argv, c.io), 0, c.err());
  const blob = (text: string) => JSON.parse(/<script id="mb-data" type="application\/json">(.*?)<\/script>/s.exec(text)![1]);
  const { steps } = blob(await readFile(page, 'utf8'));
  assert.equal(steps.length, 1);
  const v = steps[0].variants[0];
  const saved = JSON.parse(await readFile(fortio, 'utf8'));
  assert.ok(v.timeline.length >= 2, JSON.stringify(v.timeline));
  assert.equal(v.timeline.reduce((a: number, x: { codes: Record<string, number> }) => a + (x.codes['200'] ?? 0), 0), saved.RetCodes['200']);
  assert.ok(v.curve.length > 10, 'dense curve from MeshBench.hdrServiceTime');
  assert.deepEqual(v.curve.find((x: [number, number]) => x[0] === 50), [50, saved.MeshBench.serviceTime.p50]);
  assert.ok(v.corrected.length > 0, 'fixed qps: corrected latency');
  const again = join(dir, 'load-again.html');
  assert.equal(await main(['report', fortio, '-o', again], capture().io), 0);
  assert.deepEqual(blob(await readFile(again, 'utf8')).steps[0].variants[0].curve, v.curve);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`in Chromium (${scheme}): no errors, no request but the file, every chart drawn, a tooltip with an exact value`, async (t) => {
    if (!haveChromium()) return t.skip(NO_CHROMIUM);
    const s = await launchChromium({ width: 1300, height: 1000 });
    try {
      const { page, problems } = await openOffline(s, html, scheme);

      // Page code as strings: this project compiles without the DOM library.
      const charts = await inPage<Array<{ kind: string; step: string; drawn: string; inked: number }>>(
        page,
        `[...document.querySelectorAll('[data-chart]')].map((el) => {
          const canvas = el.querySelector('canvas');
          let inked = 0;
          if (canvas) {
            const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
          }
          return { kind: el.getAttribute('data-chart'), step: el.getAttribute('data-step'), drawn: el.getAttribute('data-drawn'), inked };
        })`,
      );
      assert.equal(charts.length, 8, JSON.stringify(charts)); // 4 per step, 2 steps
      for (const c of charts) {
        assert.equal(c.drawn, 'true', `chart ${c.kind} of step ${c.step} drew: ${JSON.stringify(c)}`);
        assert.ok(c.inked > 2000, `chart ${c.kind} of step ${c.step} has lines on its canvas (${c.inked} px)`);
      }

      // Hover the open variant's p50 on the steady step's latency chart.
      const p50 = step('open', 'steady').serviceTimeCurve.find((c: { p: number }) => c.p === 50).ms as number;
      const at = await inPage<{ x: number; y: number }>(
        page,
        `(() => {
          const host = document.querySelector('[data-chart="latency"][data-step="1"]');
          const u = window.__mbCharts.find((c) => c.root.parentElement === host);
          host.scrollIntoView({ block: 'center' });
          const r = u.over.getBoundingClientRect();
          return { x: r.left + u.valToPos(-Math.log10(1 - 50 / 100), 'x'), y: r.top + u.valToPos(${p50}, 'y') };
        })()`,
      );
      await page.mouse.move(at.x, at.y);
      const tip = await inPage<{ text: string; shown: string }>(
        page,
        `(() => {
          const el = document.querySelector('[data-chart="latency"][data-step="1"] .mb-tip');
          return { text: el.textContent, shown: getComputedStyle(el).display };
        })()`,
      );
      assert.equal(tip.shown, 'block');
      assert.match(tip.text, /^p50/);
      const shown = /open service time: ([\d.]+) ms/.exec(tip.text);
      assert.ok(shown, tip.text);
      assert.equal(Number(shown[1]), p50, tip.text);

      if (process.env.MB_SCREENSHOT_DIR) await page.screenshot({ path: join(process.env.MB_SCREENSHOT_DIR, `report-${scheme}.png`), fullPage: true });
      assert.deepEqual(problems(), []);
    } finally {
      await s.close();
    }
  });
}
