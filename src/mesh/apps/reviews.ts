// bookinfo reviews (Java/Liberty, LibertyRestEndpoint.java):
// GET /reviews/<int> always answers 200 with the JSON string the Java code
// concatenates. ENABLE_RATINGS / STAR_COLOR come from the env, defaulting by
// version as the images bake them (v1: no ratings; v2: black; v3: red). With
// ratings on, ONE call to http://ratings:9080/ratings/<id> through the
// sidecar, connect+receive timeout 10000 ms for black stars, 2500 ms
// otherwise, propagating headers_to_propagate; any non-200 or exception ->
// each rating is {"error": "Ratings service is currently unavailable"}.

import http from 'node:http';
import type { AppContext, RunningApp } from './app.js';
import { copyHeaders, get, PROPAGATED_HEADERS } from './outbound.js';
import { type AppServer, serve, splitTarget, timeoutScale } from './server.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TEXT1 = 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!';
const TEXT2 = 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.';
const UNAVAILABLE = ', "rating": {"error": "Ratings service is currently unavailable"}';
const HEADERS = ['X-Powered-By', 'Servlet/3.1', 'Content-Type', 'application/json', 'Content-Language', 'en-US'];

export interface ReviewsConfig {
  ratingsEnabled: boolean;
  starColor: string;
  /** ms, before MESHBENCH_TIMEOUT_SCALE. */
  ratingsTimeoutMs: number;
}

/** Env first (as the Java reads it), else the defaults each image version bakes in. */
export function reviewsConfig(env: Record<string, string>, version: string | undefined): ReviewsConfig {
  const enabledRaw = env.ENABLE_RATINGS ?? (version === 'v2' || version === 'v3' ? 'true' : 'false');
  const starColor = env.STAR_COLOR ?? (version === 'v3' ? 'red' : 'black');
  return {
    ratingsEnabled: enabledRaw.toLowerCase() === 'true', // Boolean.valueOf
    starColor,
    ratingsTimeoutMs: starColor === 'black' ? 10000 : 2500,
  };
}

export function startReviews(ctx: AppContext): Promise<RunningApp> {
  const env = ctx.instance.env;
  const cfg = reviewsConfig(env, ctx.instance.labels.version);
  const timeout = cfg.ratingsTimeoutMs * timeoutScale(env);
  const domain = env.SERVICES_DOMAIN !== undefined ? '.' + env.SERVICES_DOMAIN : '';
  const ratingsHost = `${env.RATINGS_HOSTNAME ?? 'ratings'}${domain}:${env.RATINGS_SERVICE_PORT ?? '9080'}`;
  const podname = env.HOSTNAME ?? ctx.instance.pod;
  const clustername = env.CLUSTER_NAME ?? 'null'; // Java "" + null
  const head = (id: string) => `{"id": "${id}","podname": "${podname}","clustername": "${clustername}","reviews": [`;
  const review = (reviewer: string, text: string, rating: string) => `{  "reviewer": "${reviewer}",  "text": "${text}"${rating}}`;
  const stars = (n: number) => `, "rating": {"stars": ${n}, "color": "${cfg.starColor}"}`;
  const body = (id: string, s1: number, s2: number): string => {
    const r1 = cfg.ratingsEnabled ? (s1 !== -1 ? stars(s1) : UNAVAILABLE) : '';
    const r2 = cfg.ratingsEnabled ? (s2 !== -1 ? stars(s2) : UNAVAILABLE) : '';
    return head(id) + review('Reviewer1', TEXT1, r1) + ',' + review('Reviewer2', TEXT2, r2) + ']}';
  };
  // The JVM's HttpURLConnection keeps connections alive between calls.
  const agent = new http.Agent({ keepAlive: true });

  const handler = (req: IncomingMessage, res: ServerResponse, app: AppServer) => {
    const { path } = splitTarget(req.url);
    if (req.method === 'GET' && path === '/health') {
      app.send(req, res, 200, [...HEADERS], '{"status": "Reviews is healthy"}');
      return;
    }
    const m = /^\/reviews\/([+-]?\d+)$/.exec(path);
    const productId = m ? Number(m[1]) : NaN;
    if (req.method !== 'GET' || !m || productId > 2147483647 || productId < -2147483648) {
      // JAX-RS: no matching resource, or an @PathParam int that does not convert.
      app.send(req, res, 404, ['X-Powered-By', 'Servlet/3.1', 'Content-Type', 'text/html;charset=ISO-8859-1'], 'Error 404: Not Found');
      return;
    }
    const id = String(productId);
    if (!cfg.ratingsEnabled) {
      app.send(req, res, 200, [...HEADERS], body(id, -1, -1));
      return;
    }
    const headers = copyHeaders(req, PROPAGATED_HEADERS, { accept: 'application/json' });
    get(ctx.outbound, ratingsHost, `/ratings/${id}`, headers, timeout, agent, app.outbound).then((reply) => {
      let s1 = -1;
      let s2 = -1;
      if (reply && reply.status === 200) {
        // A 200 whose body is not a JSON object makes the Java throw (not a ProcessingException): 500.
        let parsed: unknown;
        try {
          parsed = JSON.parse(reply.body.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          app.send(req, res, 500, ['X-Powered-By', 'Servlet/3.1', 'Content-Type', 'text/plain'], 'Error 500: javax.json.stream.JsonParsingException');
          return;
        }
        const ratings = (parsed as { ratings?: unknown }).ratings;
        if (typeof ratings === 'object' && ratings !== null) {
          const r = ratings as Record<string, unknown>;
          // JsonObject.getInt: a JSON number (truncated), anything else is a ClassCastException.
          const bad = ('Reviewer1' in r && typeof r.Reviewer1 !== 'number') || ('Reviewer2' in r && typeof r.Reviewer2 !== 'number');
          if ('Reviewer1' in r) s1 = Math.trunc(r.Reviewer1 as number);
          if ('Reviewer2' in r) s2 = Math.trunc(r.Reviewer2 as number);
          if (bad) {
            app.send(req, res, 500, ['X-Powered-By', 'Servlet/3.1', 'Content-Type', 'text/plain'], 'Error 500: java.lang.ClassCastException');
            return;
          }
        }
      }
      app.send(req, res, 200, [...HEADERS], body(id, s1, s2));
    }).catch(() => app.internalError(req, res));
  };

  return serve(ctx, handler).then((running) => ({
    port: running.port,
    close: async () => {
      agent.destroy();
      await running.close();
    },
  }));
}
