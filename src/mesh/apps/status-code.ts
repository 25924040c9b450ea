// /status/<code>: httpbin's helpers.status_code gives a few codes a body or
// headers of their own; go-httpbin copied that table. The two differ only in
// how they spell X-More-Info and in the 406 and 418 bodies, which each app passes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServer, HeaderList } from './server.js';

export interface StatusCodeBodies {
  /** Header name as the app writes it (gunicorn lower-cases it, Go canonicalises). */
  moreInfo: string;
  /** 406 body and the Content-Type it replaces the app's default with. */
  notAcceptable: string;
  notAcceptableType: string;
  /** 418 body. */
  teapot: string;
  /**
   * httpbin's status_code() assigns `r.headers = {...}` for the codes with
   * headers of their own, so their answer loses its Content-Type; Go adds them.
   */
  replacesHeaders: boolean;
}

/** Answer `code` with `headers` (whose Content-Type may be replaced) plus the code's extras. */
export function sendStatusCode(
  req: IncomingMessage,
  res: ServerResponse,
  app: AppServer,
  code: number,
  headers: HeaderList,
  bodies: StatusCodeBodies,
): void {
  let body = '';
  const own = (...pairs: string[]) => {
    if (bodies.replacesHeaders) {
      const at = headers.indexOf('Content-Type');
      if (at >= 0) headers.splice(at, 2);
    }
    headers.push(...pairs);
  };
  switch (code) {
    case 301:
    case 302:
    case 303:
    case 305:
    case 307:
      own('Location', '/redirect/1');
      break;
    case 401:
      own('WWW-Authenticate', 'Basic realm="Fake Realm"');
      break;
    case 402:
      body = 'Fuck you, pay me!';
      own(bodies.moreInfo, 'http://vimeo.com/22053820');
      break;
    case 406:
      body = bodies.notAcceptable;
      headers[headers.indexOf('Content-Type') + 1] = bodies.notAcceptableType;
      break;
    case 407:
      own('Proxy-Authenticate', 'Basic realm="Fake Realm"');
      break;
    case 418:
      body = bodies.teapot;
      own(bodies.moreInfo, 'http://tools.ietf.org/html/rfc2324');
      break;
  }
  // werkzeug strips entity headers (Content-Type among them) from a 304.
  if (code === 304 && bodies.replacesHeaders) own();
  if (code === 204 || code === 304) {
    // No Content-Length on bodiless statuses (Envoy rejects it on 204).
    if (!res.destroyed) {
      res.writeHead(code, headers);
      res.end();
    }
    app.account(req, code, 0);
    return;
  }
  app.send(req, res, code, headers, body);
}

/** httpbin's helpers.ASCII_ART for 418. */
const TEAPOT = `
    -=[ teapot ]=-

       _...._
     .'  _ _ \`.
    | ."\` ^ \`". _,
    \\_;\`"---"\`|//
      |       ;/
      \\_     _/
        \`"""\`
`;

const ACCEPTED_MEDIA_TYPES = ['image/webp', 'image/svg+xml', 'image/jpeg', 'image/png', 'image/*'];

/** Python httpbin: json.dumps of the 406 body (one line, ', ' and ': ' separators). */
export const PY_STATUS_BODIES: StatusCodeBodies = {
  moreInfo: 'x-more-info',
  notAcceptable: JSON.stringify({ message: 'Client did not request a supported media type.', accept: ACCEPTED_MEDIA_TYPES }).replace(/([,:])/g, '$1 '),
  notAcceptableType: 'application/json',
  teapot: TEAPOT,
  replacesHeaders: true,
};

/** go-httpbin: its pretty 406 body (note "image/" for "image/*") and a one-line teapot. */
export const GO_STATUS_BODIES: StatusCodeBodies = {
  moreInfo: 'X-More-Info',
  notAcceptable:
    '{\n  "message": "Client did not request a supported media type",\n  "accept": [\n    "image/webp",\n    "image/svg+xml",\n' +
    '    "image/jpeg",\n    "image/png",\n    "image/"\n  ]\n}\n',
  notAcceptableType: 'application/json; charset=utf-8',
  teapot: "I'm a teapot!",
  replacesHeaders: false,
};
