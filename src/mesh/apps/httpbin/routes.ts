// Path patterns for the endpoint tables: `/redirect/:int`, `/image/:seg`,
// `/digest-auth/:seg/:seg/:seg`. `:int` is werkzeug's IntegerConverter (digits
// only, so `/redirect/-1` and `/redirect/x` are 404 in Flask); `:seg` is one
// non-empty segment, percent-decoded. A trailing slash never matches.

import { safeDecode } from '../server.js';
import type { Exchange } from './exchange.js';

export type Handler = (x: Exchange, p: string[]) => void;

export interface Route {
  readonly parts: string[];
  /** Allowed methods (GET implies HEAD), or null for any. */
  readonly methods: readonly string[] | null;
  readonly handle: Handler;
  readonly pattern: string;
}

export function route(pattern: string, methods: readonly string[] | null, handle: Handler): Route {
  return { parts: pattern.split('/').slice(1), methods, handle, pattern };
}

/** The first route whose pattern fits `path`, with its captured segments. */
export function matchRoute(routes: readonly Route[], path: string): { route: Route; params: string[] } | null {
  const segs = path.split('/').slice(1);
  outer: for (const r of routes) {
    if (r.parts.length !== segs.length) continue;
    const params: string[] = [];
    for (let i = 0; i < segs.length; i++) {
      const want = r.parts[i];
      const seg = segs[i];
      if (want === ':int') {
        if (!/^\d+$/.test(seg)) continue outer;
        params.push(seg);
      } else if (want === ':seg') {
        if (seg === '') continue outer;
        params.push(safeDecode(seg));
      } else if (want !== seg) continue outer;
    }
    return { route: r, params };
  }
  return null;
}

/** Whether `method` may use a route (HEAD rides on GET). */
export function allows(r: Route, method: string): boolean {
  if (r.methods === null) return true;
  return r.methods.includes(method) || (method === 'HEAD' && r.methods.includes('GET'));
}
