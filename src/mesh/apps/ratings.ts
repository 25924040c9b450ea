// bookinfo ratings (Node.js, samples/bookinfo/src/ratings/ratings.js):
// GET /ratings/<id> -> {"id":<id>,"ratings":{"Reviewer1":5,"Reviewer2":4}},
// POST stores ratings in memory (v1; v2 answers 501), /health. SERVICE_VERSION
// (env; when absent, the pod's `version` label picks v1 or v2):
//   v-faulty      half the calls 503 {"error":"Service unavailable"}
//   v-delayed     half the calls delayed 7 s
//   v-unavailable unavailable every other 60 s
//   v-unhealthy   unhealthy (and unavailable) every other 15 min
// v2's MongoDB/MySQL is played by the same built-in data (ratings_data.json
// holds 5 and 4). Delays and toggle periods scale with MESHBENCH_TIMEOUT_SCALE.

import type { AppContext, RunningApp } from './app.js';
import { readBody, serve, splitTarget, timeoutScale } from './server.js';

const CT = ['Content-type', 'application/json'];

export function startRatings(ctx: AppContext): Promise<RunningApp> {
  const env = ctx.instance.env;
  const version = env.SERVICE_VERSION ?? (ctx.instance.labels.version === 'v2' ? 'v2' : 'v1');
  const scale = timeoutScale(env);
  const startedAt = Date.now();
  const userAdded = new Map<number, string>();

  /** The state the real app's setInterval toggles, derived from elapsed time. */
  const flipped = (periodMs: number) => Math.floor((Date.now() - startedAt) / (periodMs * scale)) % 2 === 1;
  const unavailable = () =>
    version === 'v-unavailable' ? flipped(60_000) : version === 'v-unhealthy' ? flipped(900_000) : false;
  const healthy = () => (version === 'v-unhealthy' ? !flipped(900_000) : true);

  const local = (id: number) => userAdded.get(id) ?? `{"id":${id},"ratings":{"Reviewer1":5,"Reviewer2":4}}`;

  return serve(ctx, (req, res, app) => {
    const { path } = splitTarget(req.url);
    const method = req.method;
    if (method === 'GET' && path === '/health') {
      if (healthy()) app.send(req, res, 200, [...CT], '{"status":"Ratings is healthy"}');
      else app.send(req, res, 500, [...CT], '{"status":"Ratings is not healthy"}');
      return;
    }
    if (!path.startsWith('/ratings/') || (method !== 'GET' && method !== 'POST')) {
      app.send(req, res, 404, [], '');
      return;
    }
    // ratings.js: parseInt(req.url.split('/').pop()) — the query string rides along.
    const id = parseInt((req.url ?? '').split('/').pop() ?? '', 10);
    if (Number.isNaN(id)) {
      app.send(req, res, 400, [...CT], '{"error":"please provide numeric product ID"}');
      return;
    }
    if (method === 'POST') {
      readBody(req).then(
        (body) => {
          let ratings: unknown;
          try {
            ratings = JSON.parse(body.toString('utf8'));
          } catch {
            app.send(req, res, 400, [...CT], '{"error":"please provide valid ratings JSON"}');
            return;
          }
          if (version === 'v2') {
            app.send(req, res, 501, [...CT], '{"error":"Post not implemented for database backed ratings"}');
            return;
          }
          userAdded.set(id, JSON.stringify({ id, ratings }));
          app.send(req, res, 200, [...CT], local(id));
        },
        () => res.destroy(),
      ).catch(() => app.internalError(req, res));
      return;
    }
    if (version === 'v-faulty' && Math.random() <= 0.5) {
      app.send(req, res, 503, [...CT], '{"error":"Service unavailable"}');
      return;
    }
    if (version === 'v-delayed' && Math.random() <= 0.5) {
      app.later(7000 * scale, req, res, () => app.send(req, res, 200, [...CT], local(id)));
      return;
    }
    if (unavailable()) {
      app.send(req, res, 503, [...CT], '{"error":"Service unavailable"}');
      return;
    }
    app.send(req, res, 200, [...CT], version === 'v2' ? `{"id":${id},"ratings":{"Reviewer1":5,"Reviewer2":4}}` : local(id));
  });
}
