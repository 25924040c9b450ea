// productpage's /static/ through the mesh: the files Istio's productpage image
// shipped (Bootstrap 3 CSS, fonts, JS and jQuery, under the same paths), served
// from the npm packages with Flask's static headers, and large bodies carried
// whole by the sidecar however many are in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { boot, bookinfoDocs, get, rawRequest, sidecarPort } from './helpers.js';

const require = createRequire(import.meta.url);
const pkgFile = (pkg: string, rel: string): Promise<Buffer> => readFile(join(dirname(require.resolve(`${pkg}/package.json`)), rel));

const HOST = 'productpage:9080';

// [URL path, package, file, Content-Type]: what productpage.html loads, and what bootstrap.min.css loads.
const ASSETS: Array<[string, string, string, string]> = [
  ['/static/bootstrap/css/bootstrap.min.css', 'bootstrap', 'dist/css/bootstrap.min.css', 'text/css; charset=utf-8'],
  ['/static/bootstrap/css/bootstrap-theme.min.css', 'bootstrap', 'dist/css/bootstrap-theme.min.css', 'text/css; charset=utf-8'],
  ['/static/jquery.min.js', 'jquery', 'dist/jquery.min.js', 'text/javascript; charset=utf-8'],
  ['/static/bootstrap/js/bootstrap.min.js', 'bootstrap', 'dist/js/bootstrap.min.js', 'text/javascript; charset=utf-8'],
  ['/static/bootstrap/fonts/glyphicons-halflings-regular.woff2', 'bootstrap', 'dist/fonts/glyphicons-halflings-regular.woff2', 'font/woff2'],
  ['/static/bootstrap/fonts/glyphicons-halflings-regular.ttf', 'bootstrap', 'dist/fonts/glyphicons-halflings-regular.ttf', 'font/ttf'],
];

test('productpage serves the page\'s Bootstrap 3 and jQuery files at Istio\'s static/ paths, byte for byte', async () => {
  const mesh = await boot(await bookinfoDocs('virtual-service-all-v1.yaml'));
  try {
    const port = sidecarPort(mesh);
    const page = await get(port, HOST, '/productpage');
    for (const [path] of ASSETS.slice(0, 4)) assert.ok(page.body.includes(`"${path.slice(1)}"`), `the page loads ${path}`);
    for (const [path, pkg, rel, type] of ASSETS) {
      const want = await pkgFile(pkg, rel);
      const r = await rawRequest(port, path, { host: HOST, timeoutMs: 10_000 });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], type, path);
      assert.equal(r.headers['cache-control'], 'no-cache', path);
      assert.ok(r.body.equals(want), `${path}: ${r.body.length} bytes, file ${want.length}`);
    }
    const jq = await get(port, HOST, '/static/jquery.min.js');
    assert.match(jq.body, /^\/\*! jQuery v3\.5\./);
    const css = await get(port, HOST, '/static/bootstrap/css/bootstrap.min.css');
    assert.match(css.body, /Bootstrap v3\.4\.\d/);
    assert.ok(css.body.includes("url(../fonts/glyphicons-halflings-regular.woff2)"), 'the CSS finds the fonts one folder up');

    // A reload: the browser's ETag (or date) gets a 304 without a body.
    const etag = String(jq.headers.etag);
    assert.match(etag, /^"[0-9a-f]{40}"$/);
    const again = await get(port, HOST, '/static/jquery.min.js', { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    const since = await get(port, HOST, '/static/jquery.min.js', { 'if-modified-since': String(jq.headers['last-modified']) });
    assert.equal(since.status, 304);
    const stale = await get(port, HOST, '/static/jquery.min.js', { 'if-none-match': '"other"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, jq.body.length);

    // Anything else under static/ is Flask's 404; only GET and HEAD are allowed.
    const missing = await get(port, HOST, '/static/bootstrap/css/../../productpage.py');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /<title>404 Not Found<\/title>/);
    assert.equal((await get(port, HOST, '/static/tailwind/tailwind.css')).status, 404);
    const post = await rawRequest(port, '/static/jquery.min.js', { host: HOST, method: 'POST', timeoutMs: 10_000 });
    assert.equal(post.status, 405);
  } finally {
    await mesh.close();
  }
});

test('the sidecar carries large bodies whole on reused connections while many are in flight (router flow control)', async () => {
  // A browser loads the page's 90-150 KB files in parallel. When the downstream
  // buffer filled and the response then completed before 'drain', the upstream
  // connection went back to its pool paused, and the next request on it hung.
  const mesh = await boot(await bookinfoDocs('virtual-service-all-v1.yaml'));
  try {
    const port = sidecarPort(mesh);
    const files = ['/static/jquery.min.js', '/static/bootstrap/css/bootstrap.css', '/static/bootstrap/js/bootstrap.js'];
    const sizes = await Promise.all(files.map(async (f) => (await rawRequest(port, f, { host: HOST, timeoutMs: 10_000 })).body.length));
    for (let round = 0; round < 4; round++) {
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => rawRequest(port, files[i % files.length], { host: HOST, timeoutMs: 5_000 })),
      );
      replies.forEach((r, i) => {
        assert.equal(r.status, 200);
        assert.equal(r.body.length, sizes[i % files.length], `round ${round}, ${files[i % files.length]}`);
      });
    }
  } finally {
    await mesh.close();
  }
});
