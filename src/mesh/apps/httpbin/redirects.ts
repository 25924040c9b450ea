// Redirect chains: /redirect/n, /relative-redirect/n, /absolute-redirect/n,
// /redirect-to and /links/n (core.py redirect_n_times & co; go-httpbin
// handleRedirect, RedirectTo, Links). Each hop answers 302 with the next hop's
// Location until /get; absolute hops name the request's Host.

import type { Exchange, Flavor } from './exchange.js';
import { argCI, goAtoi, params, pyInt, sendText } from './exchange.js';

/** werkzeug.utils.redirect's body (Flask's `redirect()`); the relative/`redirect-to` hops have none. */
function werkzeugRedirectPage(location: string): string {
  const e = escapeHtml(location);
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n' +
    `<p>You should be redirected automatically to target URL: <a href="${e}">${e}</a>.  If not click the link.`
  );
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** url_for(..., _external=True): the scheme is the connection's (plain HTTP here), the host the request's. */
function external(x: Exchange, path: string): string {
  return 'http://' + (x.req.headers.host ?? '127.0.0.1') + path;
}

/** A 302 (or `status`) to `location`: Flask's HTML page when `page`, else an empty body. */
export function redirect(x: Exchange, f: Flavor, location: string, status = 302, page = f.kind === 'python', extra: string[] = []): void {
  if (f.kind === 'go') {
    // go-httpbin: w.Header().Set("Location"); WriteHeader(code): no body, Go's sniffed type stays unset.
    const h = f.headers(x.req, f.textType);
    h.splice(h.indexOf('Content-Type'), 2);
    h.push('Location', location, ...extra);
    return x.app.send(x.req, x.res, status, h, '');
  }
  sendText(x, f, status, 'text/html; charset=utf-8', page ? werkzeugRedirectPage(location) : '', ['Location', location, ...extra]);
}

type Kind = 'redirect' | 'relative' | 'absolute';

/** /redirect/<n>, /relative-redirect/<n>, /absolute-redirect/<n>. */
export function redirectChain(x: Exchange, f: Flavor, kind: Kind, raw: string): void {
  const n = f.kind === 'go' ? goAtoi(raw) : Number(raw);
  if (f.kind === 'go') {
    if (n === null) return f.fail(x, 400, `invalid redirect count: strconv.Atoi: parsing "${raw}": invalid syntax`);
    if (n < 1) return f.fail(x, 400, 'redirect count must be > 0');
  } else if (n === null || n < 1) {
    // `assert n > 0` in the view: an unhandled AssertionError, Flask answers 500.
    return f.fail(x, 500);
  }
  const absolute = kind === 'absolute' || (kind === 'redirect' && (params(x).get('absolute') ?? 'false').toLowerCase() === 'true');
  const next = n === 1 ? '/get' : absolute ? `/absolute-redirect/${n - 1}` : `/relative-redirect/${n - 1}`;
  const location = absolute ? external(x, next) : next;
  // Flask's relative_redirect_n_times builds its own empty response; the others use redirect().
  redirect(x, f, location, 302, kind !== 'relative');
}

/** /redirect-to?url=...&status_code=... */
export function redirectTo(x: Exchange, f: Flavor): void {
  if (f.kind === 'go') {
    const url = params(x).get('url') ?? '';
    if (url === '') return f.fail(x, 400, 'missing required query parameter: url');
    let status = 302;
    const raw = params(x).get('status_code');
    if (raw) {
      const n = goAtoi(raw);
      if (n === null || n < 300 || n > 399) return f.fail(x, 400, `invalid status code: must be in range [300, 399]`);
      status = n;
    }
    return redirect(x, f, url, status);
  }
  // Python: CaseInsensitiveDict(args); a missing url or a non-integer status_code is an unhandled error (500).
  const url = argCI(x, 'url');
  if (url === undefined) return f.fail(x, 500);
  let status = 302;
  const raw = argCI(x, 'status_code');
  if (raw !== undefined) {
    const n = pyInt(raw);
    if (n === null) return f.fail(x, 500);
    if (n >= 300 && n < 400) status = n;
  }
  if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(url)) return f.fail(x, 500);
  redirect(x, f, url, status, false);
}

/** /links/<n>: redirect to the first page of the set. */
export function linksStart(x: Exchange, f: Flavor, rawN: string): void {
  if (f.kind === 'go') {
    const n = goAtoi(rawN);
    if (n === null) return f.fail(x, 400, `invalid link count: strconv.Atoi: parsing "${rawN}": invalid syntax`);
    if (n < 0 || n > 256) return f.fail(x, 400, `invalid link count: ${n} must be in range [0, 256]`);
    return redirect(x, f, `${x.path}/0` + (x.query ? '?' + x.query : ''));
  }
  // url_for('link_page', n=n, offset=0) keeps n as given (the page clamps it).
  redirect(x, f, `/links/${Number(rawN)}/0`);
}

/** /links/<n>/<offset>: n links, the one at offset as plain text. */
export function linksPage(x: Exchange, f: Flavor, rawN: string, rawOffset: string): void {
  let n: number;
  let offset: number;
  let quote = "'";
  if (f.kind === 'go') {
    const gn = goAtoi(rawN);
    const go = goAtoi(rawOffset);
    if (gn === null) return f.fail(x, 400, `invalid link count: strconv.Atoi: parsing "${rawN}": invalid syntax`);
    if (gn < 0 || gn > 256) return f.fail(x, 400, `invalid link count: ${gn} must be in range [0, 256]`);
    if (go === null) return f.fail(x, 400, `invalid offset: strconv.Atoi: parsing "${rawOffset}": invalid syntax`);
    n = gn;
    offset = go;
    quote = '"';
  } else {
    n = Math.min(Math.max(1, Number(rawN)), 200);
    offset = Number(rawOffset);
  }
  let html = '<html><head><title>Links</title></head><body>';
  for (let i = 0; i < n; i++) {
    html += i === offset ? `${i} ` : `<a href=${quote}/links/${n}/${i}${quote}>${i}</a> `;
  }
  html += '</body></html>';
  sendText(x, f, 200, 'text/html; charset=utf-8', html);
}
