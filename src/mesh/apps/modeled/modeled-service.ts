// The app that plays a ServiceModel (docs/service-model.md): each request takes
// a worker (or waits in the replica's queue), may fail before the work, holds
// the worker for its latency and its script of calls through the pod's own
// sidecar, may fail after, then answers with the model's status and size.

import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext, RunningApp } from '../app.js';
import type { Distribution, ErrorStatus, ModelCall, ServiceModel } from '../../config/model.js';
import { defaultModel } from '../../config/service-model.js';
import { copyHeaders, PROPAGATED_HEADERS, send } from '../outbound.js';
import { readBody, serve, type AppServer } from '../server.js';
import { Capacity, type Refusal, type Timers } from './capacity.js';
import { ErrorRules } from './errors.js';
import { runScript, type ScriptIo } from './script.js';
import { sample } from './distribution.js';

const TEXT = ['Content-Type', 'text/plain'];

/** Default `propagate`: isotope's tracing headers plus end-user (bookinfo's list without its app-specific ones). */
const BOOKINFO_ONLY = new Set(['sw8', 'user-agent', 'cookie', 'authorization', 'jwt']);
export const DEFAULT_PROPAGATE: readonly string[] = PROPAGATED_HEADERS.filter((h) => !BOOKINFO_ONLY.has(h));

export async function startModeled(ctx: AppContext): Promise<RunningApp> {
  const model: ServiceModel = ctx.instance.model ?? defaultModel();
  const random = ctx.random ?? Math.random;
  const propagate = model.propagate ?? DEFAULT_PROPAGATE;
  const errors = new ErrorRules(model.errors, random);
  const timers = new Set<NodeJS.Timeout>();
  const capacityTimers: Timers = {
    set: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
      return t;
    },
    clear: (h) => {
      clearTimeout(h as NodeJS.Timeout);
      timers.delete(h as NodeJS.Timeout);
    },
  };
  const capacity = model.capacity ? new Capacity(model.capacity, capacityTimers) : undefined;
  const agent = new http.Agent({ keepAlive: true });

  const handle = (req: IncomingMessage, res: ServerResponse, app: AppServer): void => {
    const work = (release: () => void) => {
      // A caller that gave up while queued is not worked on (its worker goes to the next one).
      if (res.destroyed) return release();
      serveOne(req, res, app, release).catch(() => {
        app.internalError(req, res);
        release();
      });
    };
    readBody(req).then(
      () => {
        if (!capacity) return work(() => undefined);
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            capacity.release();
          }
        };
        capacity.submit({ start: () => work(release), refuse: (why) => refuse(req, res, app, why) });
      },
      () => res.destroy(),
    );
  };

  const serveOne = async (req: IncomingMessage, res: ServerResponse, app: AppServer, release: () => void): Promise<void> => {
    const before = errors.decide('before');
    if (before !== undefined) return fail(req, res, app, before, release);
    if (model.latency) await sleep(app, req, res, model.latency);
    const io: ScriptIo = {
      random,
      sleep: (d) => sleep(app, req, res, d),
      call: (c) => callOut(app, req, c),
      ...(model.callSuccess === 'exactly200' ? { succeeded: (status: number) => status === 200 } : {}),
    };
    const failure = await runScript(model.script, io);
    if (failure !== undefined) {
      release();
      return app.send(req, res, 500, [...TEXT], failure + '\n');
    }
    const after = errors.decide('after');
    if (after !== undefined) return fail(req, res, app, after, release);
    const size = Math.round(sample(model.response.size, random));
    const headers = [...TEXT];
    for (const [k, v] of Object.entries(model.response.headers)) headers.push(k, v);
    release();
    app.send(req, res, model.response.status, headers, body(size));
  };

  const sleep = (app: AppServer, req: IncomingMessage, res: ServerResponse, d: Distribution): Promise<void> =>
    new Promise((resolve) => app.later(sample(d, random), req, res, resolve));

  const callOut = (app: AppServer, req: IncomingMessage, c: ModelCall) => {
    const headers = copyHeaders(req, propagate, { ...c.headers });
    return send(ctx.outbound, { host: c.host, method: c.method, path: c.path, headers, body: body(c.size) }, c.timeoutMs ?? 0, agent, app.outbound);
  };

  const running = await serve(ctx, handle);
  return {
    port: running.port,
    close: async () => {
      capacity?.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      agent.destroy();
      await running.close();
    },
  };
}

function fail(req: IncomingMessage, res: ServerResponse, app: AppServer, status: ErrorStatus, release: () => void): void {
  release();
  if (status === 'reset') {
    // No answer at all: the caller's sidecar sees a connection reset (Envoy: 503 UC).
    app.reset(req, res);
    return;
  }
  app.send(req, res, status, [...TEXT], 'simulated failure\n');
}

function refuse(req: IncomingMessage, res: ServerResponse, app: AppServer, why: Refusal): void {
  app.send(req, res, 503, [...TEXT], `overloaded: ${why === 'queue-full' ? 'queue full' : 'queue timeout'}\n`);
}

/** Response and request bodies: `size` bytes of one shared buffer (contents do not matter). */
let filler = Buffer.alloc(0);
function body(size: number): Buffer {
  if (size <= 0) return Buffer.alloc(0);
  if (filler.length < size) filler = Buffer.alloc(Math.max(size, filler.length * 2), 'x');
  return filler.subarray(0, size);
}
