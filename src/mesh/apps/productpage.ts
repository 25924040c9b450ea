// bookinfo productpage (Python/Flask, samples/bookinfo/src/productpage/productpage.py
// and templates/productpage.html, bootstrap edition of the seed's era).
//
// /productpage calls, sequentially and each on a NEW connection (requests
// without a Session):
//   details  GET http://details:9080/details/0  timeout 3.0 s, one attempt
//   reviews  GET http://reviews:9080/reviews/0  timeout 3.0 s, up to 2 attempts
//            (the second on any non-200 or exception: the "6 s" of the
//            fault-injection task, spec §10.4)
// and always answers 200: failures become the template's error texts. The API
// routes return the upstream status. Forwarded: B3 (propagated verbatim, fresh
// when absent, as the jaeger tracer does), `end-user: <user>` when logged in,
// and the spec §11.1 list.
//
// Logged-in user: the Flask session cookie set by POST /login, or — meshbench
// convenience for load tests — an incoming `end-user` request header, so
// `-H "end-user: jason"` behaves like the seed's logged-in browser.
// MESHBENCH_TIMEOUT_SCALE (instance env) multiplies the 3 s timeouts for tests.
// /static/: the page's Bootstrap and jQuery files (productpage-static.ts).

import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { copyHeaders, get, PROPAGATED_HEADERS, type UpstreamReply } from './outbound.js';
import { productpageStatic, sendStatic } from './productpage-static.js';
import { pyJsonCompact, type PyValue } from './pyjson.js';
import { type AppServer, type HeaderList, readBody, serve, splitTarget, timeoutScale } from './server.js';

const HTML = 'text/html; charset=utf-8';
const JSON_CT = 'application/json';

/** productpage.py incoming_headers: the spec §11 list except B3 (the tracer's) and end-user (from the session). */
const FORWARDED = PROPAGATED_HEADERS.filter((h) => !h.startsWith('x-b3-') && h !== 'end-user');

const DETAILS_ERROR = 'Sorry, product details are currently unavailable for this book.';
const REVIEWS_ERROR = 'Sorry, product reviews are currently unavailable for this book.';
const RATINGS_ERROR = 'Sorry, product ratings are currently unavailable for this book.';

const PRODUCTS = [
  {
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: The Comedy of Errors is one of <b>William Shakespeare\'s</b> early plays. It is his shortest and one of his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.',
  },
];
const PRODUCTS_JSON = pyJsonCompact(PRODUCTS);

// The real app's secret is a constant too, so every replica accepts every other's cookie.
const SESSION_KEY = Buffer.from('_5#y2L"F4Q8z\n\xec]/', 'latin1');

interface Outcome {
  status: number;
  value: PyValue;
}

export async function startProductpage(ctx: AppContext): Promise<RunningApp> {
  const env = ctx.instance.env;
  const scale = timeoutScale(env);
  const timeout = 3000 * scale;
  const domain = env.SERVICES_DOMAIN !== undefined ? '.' + env.SERVICES_DOMAIN : '';
  const detailsHost = `${env.DETAILS_HOSTNAME ?? 'details'}${domain}:9080`;
  const reviewsHost = `${env.REVIEWS_HOSTNAME ?? 'reviews'}${domain}:9080`;
  const ratingsHost = `${env.RATINGS_HOSTNAME ?? 'ratings'}${domain}:9080`;
  const floodFactor = Number.parseInt(env.FLOOD_FACTOR ?? '0', 10) || 0;
  const out = ctx.outbound;

  const call = (app: AppServer, host: string, path: string, headers: Record<string, string>): Promise<UpstreamReply | null> =>
    get(out, host, path, { ...headers }, timeout, false, app.outbound);

  /** getProductDetails / getProductRatings: one attempt. */
  const once = async (app: AppServer, host: string, path: string, headers: Record<string, string>, error: string): Promise<Outcome> => {
    const r = await call(app, host, path, headers);
    if (r && r.status === 200) return { status: 200, value: parseJson(r.body) };
    return { status: r && r.status ? r.status : 500, value: { error } };
  };

  /** getProductReviews: `for _ in range(2)`. */
  const reviews = async (app: AppServer, id: string, headers: Record<string, string>): Promise<Outcome> => {
    let r: UpstreamReply | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      r = await call(app, reviewsHost, `/reviews/${id}`, headers);
      if (r && r.status === 200) return { status: 200, value: parseJson(r.body) };
    }
    return { status: r && r.status ? r.status : 500, value: { error: REVIEWS_ERROR } };
  };

  const front = async (req: IncomingMessage, res: ServerResponse, app: AppServer) => {
    const user = currentUser(req);
    const headers = forwardHeaders(req, user);
    const details = await once(app, detailsHost, '/details/0', headers, DETAILS_ERROR);
    for (let i = 0; i < floodFactor; i++) await reviews(app, '0', headers);
    const rev = await reviews(app, '0', headers);
    app.send(req, res, 200, ['Content-Type', HTML], renderProductPage(user ?? '', details, rev));
  };

  const api = async (req: IncomingMessage, res: ServerResponse, app: AppServer, id: string, what: string) => {
    const headers = forwardHeaders(req, currentUser(req));
    let o: Outcome;
    if (what === '') o = await once(app, detailsHost, `/details/${id}`, headers, DETAILS_ERROR);
    else if (what === 'reviews') o = await reviews(app, id, headers);
    else o = await once(app, ratingsHost, `/ratings/${id}`, headers, RATINGS_ERROR);
    app.send(req, res, o.status, ['Content-Type', JSON_CT], pyJsonCompact(o.value));
  };

  // Found before the app listens: a missing bootstrap/jquery package fails the boot.
  const assets = await productpageStatic();
  return serve(ctx, (req, res, app) => {
    const { path, query } = splitTarget(req.url);
    const method = req.method ?? 'GET';
    const getOnly = method === 'GET' || method === 'HEAD';
    const fail = () => {
      try {
        internalError(req, res, app);
      } catch {
        res.destroy();
      }
    };
    if (path === '/productpage') {
      if (!getOnly) return methodNotAllowed(req, res, app);
      front(req, res, app).catch(fail);
      return;
    }
    if (path === '/' || path === '/index.html') {
      if (!getOnly) return methodNotAllowed(req, res, app);
      return app.send(req, res, 200, ['Content-Type', HTML], INDEX_HTML);
    }
    if (path === '/health') {
      if (!getOnly) return methodNotAllowed(req, res, app);
      return app.send(req, res, 200, ['Content-Type', HTML], 'Product page is healthy');
    }
    if (path === '/login') {
      if (method !== 'POST') return methodNotAllowed(req, res, app);
      readBody(req).then((body) => login(req, res, app, query, body), fail).catch(fail);
      return;
    }
    if (path === '/logout') {
      if (!getOnly) return methodNotAllowed(req, res, app);
      return redirectBack(req, res, app, 'session=; Expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=0; Path=/');
    }
    if (path === '/api/v1/products') {
      if (!getOnly) return methodNotAllowed(req, res, app);
      return app.send(req, res, 200, ['Content-Type', JSON_CT], PRODUCTS_JSON);
    }
    const m = /^\/api\/v1\/products\/([^/]+)(?:\/(reviews|ratings))?$/.exec(path);
    if (m) {
      if (!getOnly) return methodNotAllowed(req, res, app);
      api(req, res, app, m[1], m[2] ?? '').catch(fail);
      return;
    }
    if (path.startsWith('/static/')) {
      if (!getOnly) return methodNotAllowed(req, res, app);
      sendStatic(req, res, app, assets, path.slice('/static/'.length))
        .then((found) => found || notFound(req, res, app))
        .catch(fail);
      return;
    }
    notFound(req, res, app);
  });
}

/** res.json() failing on a 200 raises inside the view in Flask: a 500 page. */
function parseJson(body: Buffer): PyValue {
  return JSON.parse(body.toString('utf8')) as PyValue;
}

// ---------------------------------------------------------------------------
// Users and headers

function currentUser(req: IncomingMessage): string | undefined {
  const fromSession = sessionUser(req.headers.cookie);
  if (fromSession !== undefined) return fromSession;
  const h = req.headers['end-user'];
  return typeof h === 'string' ? h : undefined;
}

function forwardHeaders(req: IncomingMessage, user: string | undefined): Record<string, string> {
  const h: Record<string, string> = {
    'user-agent': 'python-requests/2.21.0',
    'accept-encoding': 'gzip, deflate',
    accept: '*/*',
  };
  const trace = req.headers['x-b3-traceid'];
  const span = req.headers['x-b3-spanid'];
  if (typeof trace === 'string' && typeof span === 'string') {
    // one_span_per_rpc server span: the incoming context goes on verbatim.
    h['x-b3-traceid'] = trace;
    h['x-b3-spanid'] = span;
    const parent = req.headers['x-b3-parentspanid'];
    if (typeof parent === 'string') h['x-b3-parentspanid'] = parent;
    const flags = req.headers['x-b3-flags'];
    if (flags === '1') h['x-b3-flags'] = '1';
    else h['x-b3-sampled'] = req.headers['x-b3-sampled'] === '0' ? '0' : '1';
  } else {
    const id = randomBytes(8).toString('hex');
    h['x-b3-traceid'] = id;
    h['x-b3-spanid'] = id;
    h['x-b3-sampled'] = '1';
  }
  if (user !== undefined) h['end-user'] = user;
  return copyHeaders(req, FORWARDED, h);
}

function sign(payload: string): string {
  return createHmac('sha1', SESSION_KEY).update(payload).digest('base64url').slice(0, 27);
}

function sessionCookie(user: string): string {
  const payload = Buffer.from(JSON.stringify({ user })).toString('base64url');
  return `session=${payload}.${sign(payload)}; HttpOnly; Path=/`;
}

const sessionCache = new Map<string, string | undefined>();

function sessionUser(cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined;
  const m = /(?:^|;\s*)session=([^;]*)/.exec(cookie);
  if (!m) return undefined;
  const value = m[1];
  if (sessionCache.has(value)) return sessionCache.get(value);
  let user: string | undefined;
  const dot = value.lastIndexOf('.');
  if (dot > 0 && sign(value.slice(0, dot)) === value.slice(dot + 1)) {
    try {
      const data = JSON.parse(Buffer.from(value.slice(0, dot), 'base64url').toString('utf8')) as { user?: unknown };
      if (typeof data.user === 'string') user = data.user;
    } catch {
      user = undefined;
    }
  }
  if (sessionCache.size > 1000) sessionCache.clear();
  sessionCache.set(value, user);
  return user;
}

function login(req: IncomingMessage, res: ServerResponse, app: AppServer, query: string, body: Buffer): void {
  // request.values: query args and form fields.
  let user = query ? new URLSearchParams(query).get('username') : null;
  const ct = req.headers['content-type'] ?? '';
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    const v = new URLSearchParams(body.toString('utf8')).get('username');
    if (v !== null) user = v;
  }
  redirectBack(req, res, app, user !== null ? sessionCookie(user) : undefined);
}

/** redirect(request.referrer); without a Referer (curl) back to /productpage instead of Flask's 500. */
function redirectBack(req: IncomingMessage, res: ServerResponse, app: AppServer, cookie: string | undefined): void {
  const to = req.headers.referer ?? '/productpage';
  const h: HeaderList = ['Content-Type', HTML, 'Location', to];
  if (cookie !== undefined) h.push('Set-Cookie', cookie, 'Vary', 'Cookie');
  const safe = escapeHtml(to);
  app.send(
    req,
    res,
    302,
    h,
    `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to target URL: <a href="${safe}">${safe}</a>.  If not click the link.`,
  );
}

function notFound(req: IncomingMessage, res: ServerResponse, app: AppServer): void {
  app.send(req, res, 404, ['Content-Type', HTML], NOT_FOUND_HTML);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse, app: AppServer): void {
  app.send(
    req,
    res,
    405,
    ['Content-Type', HTML],
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n',
  );
}

function internalError(req: IncomingMessage, res: ServerResponse, app: AppServer): void {
  app.send(
    req,
    res,
    500,
    ['Content-Type', HTML],
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.  Either the server is overloaded or there is an error in the application.</p>\n',
  );
}

const NOT_FOUND_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.  If you entered the URL manually please check your spelling and try again.</p>\n';

// ---------------------------------------------------------------------------
// The page (templates/productpage.html on flask_bootstrap's base.html)

/** markupsafe.escape (Jinja autoescape). */
function escapeHtml(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? pyStr(v) : JSON.stringify(v);
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#39;'));
}

function pyStr(v: number | boolean): string {
  return typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
}

function field(o: PyValue, k: string): PyValue | undefined {
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? o[k] : undefined;
}

/** Jinja truthiness of a value. */
function truthy(v: PyValue | undefined): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

const PAGE_HEAD = `<!DOCTYPE html>
<html>
  <head>
    <title>Simple Bookstore App</title>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">

<!-- Latest compiled and minified CSS -->
<link rel="stylesheet" href="static/bootstrap/css/bootstrap.min.css">

<!-- Optional theme -->
<link rel="stylesheet" href="static/bootstrap/css/bootstrap-theme.min.css">

  </head>
  <body>
    

<nav class="navbar navbar-inverse navbar-static-top">
  <div class="container">
    <div class="navbar-header">
      <a class="navbar-brand" href="#">BookInfo Sample</a>
    </div>
`;

const SIGN_IN = `    
    <button type="button" class="btn btn-default navbar-btn navbar-right" data-toggle="modal" href="#login-modal">Sign
      in</button>
    
`;

const signedIn = (user: string) => `    
    <p class="navbar-text navbar-right">
      <i class="glyphicon glyphicon-user" aria-hidden="true"></i>
      <span style="padding-left: 5px;">${escapeHtml(user)} ( <a href="logout">sign out</a> )</span>
    </p>
    
`;

const PAGE_MIDDLE = `  </div>
</nav>

<div id="login-modal" class="modal fade" role="dialog">
  <div class="modal-dialog">
    <div class="modal-content">
      <div class="modal-header">
        <button type="button" class="close" data-dismiss="modal">&times;</button>
        <h4 class="modal-title">Please sign in</h4>
      </div>
      <div class="modal-body">
        <form method="post" action='login' name="login_form">
          <p><input type="text" class="form-control" name="username" id="username" placeholder="User Name"></p>
          <p><input type="password" class="form-control" name="passwd" placeholder="Password"></p>
          <p>
            <button type="submit" class="btn btn-primary">Sign in</button>
            <button type="button" class="btn btn-default" data-dismiss="modal">Cancel</button>
          </p>
        </form>
      </div>
    </div>

  </div>
</div>

<div class="container-fluid">
  <div class="row">
    <div class="col-md-12">
      <h3 class="text-center text-primary">${escapeHtml(PRODUCTS[0].title)}</h3>
      
      <p>Summary: ${PRODUCTS[0].descriptionHtml}</p>
      
    </div>
  </div>

  <div class="row">
    <div class="col-md-6">
`;

const PAGE_BETWEEN = `    </div>

    <div class="col-md-6">
`;

const PAGE_TAIL = `    </div>
  </div>
</div>


    
<!-- Latest compiled and minified JavaScript -->
<script src="static/jquery.min.js"></script>

<!-- Latest compiled and minified JavaScript -->
<script src="static/bootstrap/js/bootstrap.min.js"></script>

<script type="text/javascript">
  $('#login-modal').on('shown.bs.modal', function () {
    $('#username').focus();
  });
</script>

  </body>
</html>
`;

function detailsBlock(o: Outcome): string {
  const d = o.value;
  if (o.status === 200) {
    return `      
      <h4 class="text-center text-primary">Book Details</h4>
      <dl>
        <dt>Type:</dt>${escapeHtml(field(d, 'type'))}
        <dt>Pages:</dt>${escapeHtml(field(d, 'pages'))}
        <dt>Publisher:</dt>${escapeHtml(field(d, 'publisher'))}
        <dt>Language:</dt>${escapeHtml(field(d, 'language'))}
        <dt>ISBN-10:</dt>${escapeHtml(field(d, 'ISBN-10'))}
        <dt>ISBN-13:</dt>${escapeHtml(field(d, 'ISBN-13'))}
      </dl>
      
`;
  }
  return `      
      <h4 class="text-center text-primary">Error fetching product details!</h4>
      ${truthy(d) ? `\n      <p>${escapeHtml(field(d, 'error'))}</p>\n      ` : ''}
      
`;
}

function starsHtml(rating: PyValue | undefined): string {
  const stars = field(rating ?? null, 'stars');
  if (truthy(stars)) {
    const n = Math.max(0, Math.trunc(Number(stars)));
    let s = `        
        <font color="${escapeHtml(field(rating ?? null, 'color'))}">
          <!-- full stars: -->
          `;
    for (let i = 0; i < n; i++) s += `\n          <span class="glyphicon glyphicon-star"></span>\n          `;
    s += `
          <!-- empty stars: -->
          `;
    for (let i = 0; i < 5 - n; i++) s += `\n          <span class="glyphicon glyphicon-star-empty"></span>\n          `;
    return s + `
        </font>
        `;
  }
  const err = field(rating ?? null, 'error');
  if (truthy(err)) {
    return `        
        <p><i>${escapeHtml(err)}</i></p>
        `;
  }
  return '';
}

function reviewsBlock(o: Outcome): string {
  const r = o.value;
  if (o.status === 200) {
    let s = `      
      <h4 class="text-center text-primary">Book Reviews</h4>
      `;
    const list = field(r, 'reviews');
    if (Array.isArray(list)) {
      for (const review of list) {
        const rating = field(review, 'rating');
        s += `
      <blockquote>
        <p>${escapeHtml(field(review, 'text'))}</p>
        <small>${escapeHtml(field(review, 'reviewer'))}</small>
        ${truthy(rating) ? starsHtml(rating) + '\n        ' : ''}
      </blockquote>
      `;
      }
    }
    return s + `
      
`;
  }
  return `      
      <h4 class="text-center text-primary">Error fetching product reviews!</h4>
      ${truthy(r) ? `\n      <p>${escapeHtml(field(r, 'error'))}</p>\n      ` : ''}
      
`;
}

// Upstream bodies repeat (one per version/pod), so their HTML fragments are cached.
const fragmentCache = new Map<string, string>();

function cached(kind: string, o: Outcome, render: (o: Outcome) => string): string {
  const key = kind + o.status + '|' + pyJsonCompact(o.value);
  let html = fragmentCache.get(key);
  if (html === undefined) {
    html = render(o);
    if (fragmentCache.size > 256) fragmentCache.clear();
    fragmentCache.set(key, html);
  }
  return html;
}

export function renderProductPage(user: string, details: Outcome, reviews: Outcome): string {
  return (
    PAGE_HEAD +
    (user ? signedIn(user) : SIGN_IN) +
    PAGE_MIDDLE +
    cached('d', details, detailsBlock) +
    PAGE_BETWEEN +
    cached('r', reviews, reviewsBlock) +
    PAGE_TAIL
  );
}

const INDEX_HTML = `<!DOCTYPE html>
<html>
  <head>
    <title>Simple Bookstore App</title>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1">
  </head>
  <body>
    <p><h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3></p>
    <table class="table table-condensed table-bordered table-hover"><tr><th>name</th><td>http://details:9080</td></tr><tr><th>endpoint</th><td>details</td></tr><tr><th>children</th><td><table class="table table-condensed table-bordered table-hover"><thead><tr><th>name</th><th>endpoint</th><th>children</th></tr></thead><tbody><tr><td>http://details:9080</td><td>details</td><td></td></tr><tr><td>http://reviews:9080</td><td>reviews</td><td><table class="table table-condensed table-bordered table-hover"><thead><tr><th>name</th><th>endpoint</th><th>children</th></tr></thead><tbody><tr><td>http://ratings:9080</td><td>ratings</td><td></td></tr></tbody></table></td></tr></tbody></table></td></tr></table>
    <p><h4>Click on one of the links below to auto generate a request to the backend as a real user or a tester
    </h4></p>
    <p><a href="/productpage?u=normal">Normal user</a></p>
    <p><a href="/productpage?u=test">Test user</a></p>
  </body>
</html>
`;
