// bookinfo details (Ruby/WEBrick, samples/bookinfo/src/details/details.rb):
// GET /details/<id> -> the fixed book record (Ruby to_json: compact), a
// non-integer id -> 400, /health. ENABLE_EXTERNAL_BOOK_SERVICE (googleapis)
// is not reproduced: meshbench never leaves loopback, the record is served.

import type { AppContext, RunningApp } from './app.js';
import { serve, splitTarget } from './server.js';

const SERVER = 'WEBrick/1.4.2 (Ruby/2.7.1/2020-03-31)';
const HEALTH = '{"status":"Details is healthy"}';
const BAD_ID = '{"error":"please provide numeric product id"}';

function record(id: number): string {
  return (
    `{"id":${id},"author":"William Shakespeare","year":1595,"type":"paperback","pages":200,` +
    '"publisher":"PublisherA","language":"English","ISBN-10":"1234567890","ISBN-13":"123-1234567890"}'
  );
}

// Ruby Integer(): optional sign, digits (underscores between digits allowed).
const RUBY_INTEGER = /^\s*[+-]?\d+(_\d+)*\s*$/;

export function startDetails(ctx: AppContext): Promise<RunningApp> {
  const cache = new Map<number, string>();
  return serve(ctx, (req, res, app) => {
    const { path } = splitTarget(req.url);
    if (path === '/health' || path.startsWith('/health/')) {
      app.send(req, res, 200, ['Server', SERVER, 'Content-Type', 'application/json'], HEALTH);
      return;
    }
    // WEBrick mount_proc '/details' serves /details and everything below it.
    if (path === '/details' || path.startsWith('/details/')) {
      const parts = path.split('/').filter((p) => p !== '');
      const last = parts[parts.length - 1];
      if (!RUBY_INTEGER.test(last)) {
        app.send(req, res, 400, ['Server', SERVER, 'Content-Type', 'application/json'], BAD_ID);
        return;
      }
      const id = Number(last.replace(/_/g, ''));
      let body = cache.get(id);
      if (body === undefined) {
        body = record(id);
        if (cache.size < 1024) cache.set(id, body);
      }
      app.send(req, res, 200, ['Server', SERVER, 'Content-Type', 'application/json'], body);
      return;
    }
    app.send(
      req,
      res,
      404,
      ['Server', SERVER, 'Content-Type', 'text/html; charset=ISO-8859-1'],
      `<HTML>\n  <HEAD><TITLE>Not Found</TITLE></HEAD>\n  <BODY>\n    <H1>Not Found</H1>\n    \`${path}' not found.\n    <HR>\n    <ADDRESS>\n     ${SERVER} at\n     details:9080\n    </ADDRESS>\n  </BODY>\n</HTML>\n`,
    );
  });
}
