// Bookinfo as a person following Istio's tasks sees it: headless Chromium with
// the mesh listener as its HTTP proxy (like `bench serve` + a browser), the
// scenario's own YAML booted on a mesh thread, the real sign-in dialog. The page
// must load its Bootstrap CSS, glyphicon font, jQuery and Bootstrap JS from
// productpage's /static/ without a script error, or the dialog, the layout and
// the stars are not what the tasks show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'puppeteer-core';
import { loadScenarioFiles } from '../../src/scenario/include.js';
import { compileMesh } from '../../src/mesh/config/compile.js';
import { startMeshThread, type MeshThreadHandle } from '../../src/mesh/thread.js';
import { IMPLICIT_SOURCE } from '../../src/mesh/api.js';
import { haveChromium, launchChromium, NO_CHROMIUM, watchPage, type ChromiumSession } from '../helpers/browser.js';
import { repo } from './helpers.js';

const PAGE = 'http://productpage:9080/productpage';

/** The scenario file's mesh (its includes, in kubectl-apply order), booted the way `bench serve` boots it. */
async function bootScenario(file: string): Promise<{ mesh: MeshThreadHandle; proxy: string }> {
  const docs = await loadScenarioFiles([repo(file)]);
  const mesh = await startMeshThread(compileMesh(docs.filter((d) => d.kind !== 'Scenario')), { seed: 1, accessLog: 'none' });
  const listener = mesh.sidecars.find((s) => s.workload === IMPLICIT_SOURCE);
  assert.ok(listener, 'the implicit client has a listener');
  return { mesh, proxy: `127.0.0.1:${listener.listenPort}` };
}

async function withBrowser(file: string, body: (page: Page, problems: () => string[]) => Promise<void>): Promise<void> {
  const { mesh, proxy } = await bootScenario(file);
  let chromium: ChromiumSession | undefined;
  try {
    chromium = await launchChromium({ proxy });
    const page = await chromium.newPage();
    await body(page, watchPage(page));
  } finally {
    await chromium?.close();
    await mesh.close();
  }
}

/** Evaluates a JS expression in the page (strings: the project compiles without the DOM lib). */
const inPage = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

/** Computed style of the first element matching `selector`. */
const style = (page: Page, selector: string, prop: string): Promise<string> =>
  inPage(page, `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(prop)})`);

/** Whitespace-collapsed text of the first element matching `selector`. */
const text = (page: Page, selector: string): Promise<string> =>
  inPage(page, `document.querySelector(${JSON.stringify(selector)}).textContent.replace(/\\s+/g, ' ').trim()`);

/** Clicks "Sign in", waits for Bootstrap's modal to show (the page's script focuses the user field), types the user, submits. */
async function signIn(page: Page, user: string, navigationMs: number, dialogShot?: string): Promise<number> {
  await page.click('button[data-toggle="modal"]');
  await page.waitForSelector('#login-modal.in', { visible: true, timeout: 5000 });
  await page.waitForFunction("document.activeElement && document.activeElement.id === 'username'", { timeout: 5000 });
  await page.keyboard.type(user);
  if (dialogShot !== undefined) await page.screenshot({ path: dialogShot });
  const t0 = performance.now();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: navigationMs }), page.click('#login-modal button[type="submit"]')]);
  return performance.now() - t0;
}

test('bookinfo-routing in Chromium: Bootstrap layout, sign-in dialog, jason sees reviews v2\'s black stars (seed §1)', async (t) => {
  if (!haveChromium()) return t.skip(NO_CHROMIUM);
  await withBrowser('scenarios/bookinfo-routing.yaml', async (page, problems) => {
    const res = await page.goto(PAGE, { waitUntil: 'load', timeout: 15_000 });
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'Simple Bookstore App');
    // bootstrap.min.css applied: the inverse navbar's #222, the hidden modal, the centred title.
    assert.equal(await style(page, 'nav.navbar-inverse', 'background-color'), 'rgb(34, 34, 34)');
    assert.equal(await style(page, '#login-modal', 'display'), 'none');
    assert.equal(await style(page, 'h3.text-center', 'text-align'), 'center');
    // bootstrap-theme.min.css too: its navbar gradient.
    assert.match(await style(page, 'nav.navbar-inverse', 'background-image'), /linear-gradient/);
    // Anonymous: reviews v1, no stars.
    assert.equal((await page.$$('.glyphicon-star')).length, 0);
    assert.equal(await text(page, 'button[data-toggle="modal"]'), 'Sign in');

    // The dialog: Bootstrap's modal over a backdrop, with the page's own script focusing the user name.
    await signIn(page, 'jason', 15_000, '/tmp/meshbench-bookinfo-sign-in.png');
    assert.equal(new URL(page.url()).pathname, '/productpage');
    assert.equal(await text(page, 'p.navbar-text'), 'jason ( sign out )');
    // Reviews v2: ratings 5 and 4 as black glyphicon stars, drawn with the Glyphicons font.
    assert.equal((await page.$$('font[color="black"]')).length, 2);
    assert.equal((await page.$$('.glyphicon-star')).length, 9);
    assert.equal((await page.$$('.glyphicon-star-empty')).length, 1);
    assert.equal(await style(page, '.glyphicon-star', 'color'), 'rgb(0, 0, 0)');
    assert.equal(await inPage(page, `document.fonts.ready.then(() => [...document.fonts].some((f) => f.family.includes('Glyphicons') && f.status === 'loaded'))`), true);
    await page.screenshot({ path: '/tmp/meshbench-bookinfo-jason.png', fullPage: true });
    assert.deepEqual(problems(), []);
  });
});

test('bookinfo-fault-delay in Chromium: jason waits ~6 s, then "reviews are currently unavailable" (seed §2)', async (t) => {
  if (!haveChromium()) return t.skip(NO_CHROMIUM);
  await withBrowser('scenarios/bookinfo-fault-delay.yaml', async (page, problems) => {
    await page.goto(PAGE, { waitUntil: 'load', timeout: 15_000 });
    assert.equal((await page.$$('.glyphicon-star')).length, 0); // anonymous: reviews v1, no delay
    // productpage tries reviews twice with a 3 s timeout; ratings would answer after 7 s.
    const ms = await signIn(page, 'jason', 20_000);
    assert.ok(ms >= 5_500, `two 3 s reviews attempts before the page: ${ms} ms`);
    const reviews = await text(page, '.row:nth-child(2) > .col-md-6:nth-child(2)');
    assert.equal(reviews, 'Error fetching product reviews! Sorry, product reviews are currently unavailable for this book.');
    assert.equal(await style(page, '.col-md-6 h4', 'color'), 'rgb(51, 122, 183)'); // .text-primary
    await page.screenshot({ path: '/tmp/meshbench-bookinfo-fault-delay.png', fullPage: true });
    assert.deepEqual(problems(), []);
  });
});
