// Headless Chromium for tests (and reports) that look at a page as a person
// would: Debian's /usr/bin/chromium driven by puppeteer-core (which downloads no
// browser of its own), a fresh profile per launch, quiet flags so the browser
// itself sends nothing beyond loopback, and a watcher that collects what went
// wrong on a page (script errors, failed or 4xx/5xx loads).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The skip message for tests that need the browser (`t.skip(NO_CHROMIUM)`). */
export const NO_CHROMIUM = 'chromium not installed: apt-get install chromium';

export const haveChromium = (): boolean => existsSync(CHROMIUM);

export interface ChromiumOptions {
  /** `host:port` of an HTTP proxy every request goes through (a mesh listener), or none. */
  proxy?: string;
  /** Viewport in CSS pixels; default 1280 x 900. */
  width?: number;
  height?: number;
}

export interface ChromiumSession {
  browser: Browser;
  /** A new tab with the session's viewport. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

export async function launchChromium(o: ChromiumOptions = {}): Promise<ChromiumSession> {
  const profile = await mkdtemp(join(tmpdir(), 'mb-chromium-'));
  const width = o.width ?? 1280;
  const height = o.height ?? 900;
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    `--window-size=${width},${height}`,
  ];
  // Mesh hosts (productpage:9080) go through the proxy; Chromium still opens loopback addresses directly.
  if (o.proxy !== undefined) args.push(`--proxy-server=${o.proxy}`);
  let browser: Browser;
  try {
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args, defaultViewport: { width, height } });
  } catch (e) {
    await rm(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    browser,
    newPage: () => browser.newPage(),
    close: async () => {
      try {
        await browser.close();
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

/** What went wrong on a page since watching started: script errors, and loads that failed or answered 4xx/5xx. */
export function watchPage(page: Page): () => string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? 'unknown'})`));
  page.on('response', (r) => {
    // /favicon.ico is the browser's own request, not the page's (Istio's Flask productpage 404s it too).
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return () => [...problems];
}

/**
 * Opens a file the way a person opens a saved report: in `scheme` (light/dark),
 * offline. Any request but the file itself is aborted and listed in problems(),
 * beside script errors and console errors or warnings.
 */
export async function openOffline(s: ChromiumSession, file: string, scheme: 'light' | 'dark'): Promise<{ page: Page; problems: () => string[] }> {
  const page = await s.newPage();
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    if (r.url() !== url) {
      problems.push(`request: ${r.url()}`);
      void r.abort();
    } else void r.continue();
  });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems: () => [...problems] };
}
