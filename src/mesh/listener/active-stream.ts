// One downstream request inside the HTTP connection manager (Envoy ActiveStream):
// authority from the Host header or the absolute-form target, virtual host and
// route selection (404 NR), buffering of the body, the fault filter (delay, then
// abort), then the router.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouteTable } from '../route/route-table.js';
import { authorityPort, splitRequestTarget } from '../authority.js';
import type { RouteEntry } from '../route/route-entry.js';
import { drawAbort, drawDelay, FAULT_ABORT_BODY } from '../fault/fault-filter.js';
import { Router, type DownstreamRequest, type RouterContext } from '../router/router.js';
import { sendLocalReply } from '../router/local-reply.js';
import { chargeDownstream, type HcmStats, type HcmStatsByPort } from './hcm-stats.js';
import type { InternalErrors } from './internal-errors.js';

export interface ListenerContext extends RouterContext {
  routes: RouteTable;
  hcm: HcmStatsByPort;
  internalErrors: InternalErrors;
}

const STREAM = Symbol('activeStream');
type StreamResponse = ServerResponse & { [STREAM]?: ActiveStream };

/** One shared listener for every response's 'close' (no per-request closure). */
function onResponseClose(this: StreamResponse): void {
  const s = this[STREAM];
  if (!s) return;
  try {
    s.onClose();
  } catch (e) {
    s.internalError(e);
  }
}

function delayDone(s: ActiveStream): void {
  try {
    s.delayTimer = undefined;
    s.hcm['fault.active_faults'].dec();
    if (!s.closed) s.afterDelay();
  } catch (e) {
    s.internalError(e);
  }
}


export class ActiveStream {
  delayTimer: NodeJS.Timeout | undefined;
  closed = false;
  hcm!: HcmStats;
  #router: Router | undefined;
  #entry!: RouteEntry;
  #rq!: DownstreamRequest;
  #chunks: Buffer[] | undefined;
  /** internalError() already answered this stream. */
  #failed = false;

  constructor(
    private readonly ctx: ListenerContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly worker: number,
    private readonly sourceIp: string,
  ) {}

  start(): void {
    const req = this.req;
    const url = req.url ?? '/';
    // Absolute-form target (`GET http://httpbin:8000/get`): authority from the URL.
    const target = splitRequestTarget(url);
    const authority = target.authority ?? req.headers.host ?? '';
    const path = target.path;
    const found = this.ctx.routes.lookup(authority);
    const port = found?.port ?? authorityPort(authority);
    const hcm = this.ctx.hcm.get(port);
    this.hcm = hcm;
    hcm.rq_total.inc();
    hcm.downstream_rq_active.inc();
    (this.res as StreamResponse)[STREAM] = this;
    // on, not once: 'close' fires once per response and once() would allocate a wrapper.
    this.res.on('close', onResponseClose);
    // The router's request doubles as the route matcher's view (one object per request).
    const rq: DownstreamRequest = {
      method: req.method ?? 'GET',
      path,
      authority,
      scheme: 'http',
      port,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: undefined,
      worker: this.worker,
      sourceIp: this.sourceIp,
    };
    const entry = found ? RouteTable.route(found.vhost, rq) : undefined;
    if (!found || !entry) {
      hcm.no_route.inc();
      this.#reply(404, '');
      req.resume();
      return;
    }
    this.#entry = entry;
    this.#rq = rq;
    const h = req.headers;
    const hasBody = (h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined;
    if (!hasBody) {
      req.resume();
      this.#decodeFault();
      return;
    }
    // Envoy buffers the body for retries and mirrors; the router starts on end of stream.
    this.#chunks = [];
    req.on('data', this.#onData);
    req.once('end', this.#onEnd);
  }

  readonly #onData = (c: Buffer): void => {
    this.#chunks!.push(c);
  };

  readonly #onEnd = (): void => {
    if (this.closed) return;
    try {
      const c = this.#chunks!;
      this.#rq.body = c.length === 1 ? c[0] : Buffer.concat(c);
      this.#chunks = undefined;
      this.#decodeFault();
    } catch (e) {
      this.internalError(e);
    }
  };

  /** Fault filter: delay first, then an independent abort draw (spec §2.7). */
  #decodeFault(): void {
    const fault = this.#entry.route.fault;
    if (fault?.delay) {
      const ms = drawDelay(fault.delay, this.ctx.random);
      if (ms > 0) {
        this.hcm['fault.delays_injected'].inc();
        this.hcm['fault.active_faults'].inc();
        this.delayTimer = setTimeout(delayDone, ms, this);
        return;
      }
    }
    this.afterDelay();
  }

  afterDelay(): void {
    const fault = this.#entry.route.fault;
    if (fault?.abort) {
      const status = drawAbort(fault.abort, this.ctx.random);
      if (status > 0) {
        this.hcm['fault.aborts_injected'].inc();
        this.#reply(status, FAULT_ABORT_BODY);
        return;
      }
    }
    this.#router = new Router(this.ctx, this.#entry, this.#rq, this.res, this.hcm, this);
    this.#router.start();
  }

  #reply(status: number, body: string): void {
    chargeDownstream(this.hcm, status);
    sendLocalReply(this.res, status, body);
  }

  /**
   * An exception out of this stream's filters (a bug): counted and logged by the
   * sidecar, answered with an empty 500 local reply, or a reset once the response
   * has started (as a late local reply is in Envoy).
   */
  internalError(err: unknown): void {
    this.ctx.internalErrors.record(err);
    const res = this.res;
    if (this.#failed || this.closed || res.destroyed) return;
    this.#failed = true;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    try {
      if (this.hcm) chargeDownstream(this.hcm, 500);
      sendLocalReply(res, 500, '');
    } catch (e) {
      this.ctx.internalErrors.record(e);
      res.destroy();
    }
  }

  /** Response finished or the client went away; a pending delay is cancelled. */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.hcm.downstream_rq_active.dec();
    if (this.delayTimer) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
      this.hcm['fault.active_faults'].dec();
    }
    this.#router?.onDownstreamClose();
    (this.res as StreamResponse)[STREAM] = undefined;
  }
}
