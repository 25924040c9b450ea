// productpage's static/ folder: what the page's <link>/<script> tags load.
//
// Istio's bookinfo productpage image (templates/productpage.html up to the 1.23
// Tailwind redesign, istio/istio #51239) shipped Bootstrap 3.3.5 and jQuery 3.5.0
// in samples/bookinfo/src/productpage/static/ and Flask served that folder. Here
// the same paths are served from the `bootstrap` (3.4.x: the last 3.x, same look,
// with the 3.3.x XSS fixes) and `jquery` (3.5.x) npm packages, read from
// node_modules when first asked for and then kept in memory. Headers follow
// Flask's send_static_file: no-cache plus ETag/Last-Modified, so a reload is a 304.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServer } from './server.js';

/** URL path under /static/ -> [npm package, file inside it]. Istio's set, plus the source maps the minified files name. */
const FILES: ReadonlyArray<readonly [string, string, string]> = [
  ...['bootstrap.css', 'bootstrap.css.map', 'bootstrap.min.css', 'bootstrap.min.css.map', 'bootstrap-theme.css', 'bootstrap-theme.css.map', 'bootstrap-theme.min.css', 'bootstrap-theme.min.css.map'].map(
    (f) => [`bootstrap/css/${f}`, 'bootstrap', `dist/css/${f}`] as const,
  ),
  ...['eot', 'svg', 'ttf', 'woff', 'woff2'].map(
    (x) => [`bootstrap/fonts/glyphicons-halflings-regular.${x}`, 'bootstrap', `dist/fonts/glyphicons-halflings-regular.${x}`] as const,
  ),
  ...['bootstrap.js', 'bootstrap.min.js', 'npm.js'].map((f) => [`bootstrap/js/${f}`, 'bootstrap', `dist/js/${f}`] as const),
  ['jquery.min.js', 'jquery', 'dist/jquery.min.js'],
  ['jquery.min.map', 'jquery', 'dist/jquery.min.map'],
];

/** Python's mimetypes as Flask uses them (source maps: JSON). */
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.eot': 'application/vnd.ms-fontobject',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  file: string;
  type: string;
  lastModified: string;
  /** Read on first request, then served from memory. */
  body?: Promise<{ bytes: Buffer; etag: string }>;
}

export type StaticFolder = ReadonlyMap<string, StaticFile>;

let folder: Promise<StaticFolder> | undefined;

/**
 * The served files, found once per thread. Rejects (so the mesh does not boot)
 * when a package or file is missing: an install problem, not a 404 to hide.
 */
export function productpageStatic(): Promise<StaticFolder> {
  folder ??= locate();
  return folder;
}

async function locate(): Promise<StaticFolder> {
  const require = createRequire(import.meta.url);
  const roots = new Map<string, string>();
  const root = (pkg: string): string => {
    let r = roots.get(pkg);
    if (r === undefined) roots.set(pkg, (r = dirname(require.resolve(`${pkg}/package.json`))));
    return r;
  };
  const out = new Map<string, StaticFile>();
  for (const [url, pkg, rel] of FILES) {
    const file = join(root(pkg), rel);
    const st = await stat(file);
    out.set(url, { file, type: TYPES[extname(rel)], lastModified: st.mtime.toUTCString() });
  }
  return out;
}

/** GET/HEAD /static/<name>: the file, or a 304 when the browser's copy is current; false when there is no such file. */
export async function sendStatic(req: IncomingMessage, res: ServerResponse, app: AppServer, files: StaticFolder, name: string): Promise<boolean> {
  const f = files.get(name);
  if (f === undefined) return false;
  f.body ??= readFile(f.file).then((bytes) => ({ bytes, etag: `"${createHash('sha1').update(bytes).digest('hex')}"` }));
  const { bytes, etag } = await f.body;
  const headers = ['Cache-Control', 'no-cache', 'ETag', etag, 'Last-Modified', f.lastModified];
  if (notModified(req, etag, f.lastModified)) {
    // No Content-Length: a 304 carries none of the body's framing.
    if (!res.destroyed) {
      res.writeHead(304, headers);
      res.end();
    }
    app.account(req, 304, 0);
    return true;
  }
  const base = name.slice(name.lastIndexOf('/') + 1);
  app.send(req, res, 200, ['Content-Type', f.type, 'Content-Disposition', `inline; filename=${base}`, ...headers], bytes);
  return true;
}

/** Werkzeug's is_resource_modified: If-None-Match decides when present, else If-Modified-Since. */
function notModified(req: IncomingMessage, etag: string, lastModified: string): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === '*' || t.trim().replace(/^W\//, '') === etag);
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Date.parse(lastModified) <= since;
}
