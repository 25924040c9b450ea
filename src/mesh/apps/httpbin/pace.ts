// A streamed answer written piece by piece with real pauses between the
// pieces, as gunicorn writes a Flask generator and Go flushes a ResponseWriter:
// the head goes out first, each piece is flushed as it is made, so proxies'
// timeouts meet the stream as they would meet the real apps. Pauses run on the
// app's timers (cancelled by close); a caller that goes away stops the writes.

import type { HeaderList } from '../server.js';
import type { Exchange } from './exchange.js';

export interface Pacing {
  /** Pieces to write. */
  count: number;
  /** Pause between pieces, ms (0: write them all at once). */
  pauseMs: number;
  /** Pause after the last piece too (Flask's drip sleeps after every byte). */
  pauseAfterLast?: boolean;
  /** Wait before the head is written, ms. */
  delayMs?: number;
  /** Trailers written with the end (go-httpbin's /sse Server-Timing). */
  trailers?: () => Record<string, string>;
}

/** Below this pause, pieces are written in groups so timers stay coarse (a 10 MB drip is not 10M timers). */
const MIN_PAUSE_MS = 5;

/** Write `status` + `headers`, then piece(0..count-1) paced; account once at the end. */
export function paced(x: Exchange, status: number, headers: HeaderList, pacing: Pacing, piece: (i: number) => string | Buffer): void {
  const { req, res, app } = x;
  let bytes = 0;
  let i = 0;
  const gone = () => res.destroyed || res.writableEnded;
  const finish = () => {
    if (!gone()) {
      if (pacing.trailers) res.addTrailers(pacing.trailers());
      res.end();
    }
    app.account(req, status, req.method === 'HEAD' ? 0 : bytes);
  };
  const write = (chunk: string | Buffer) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    res.write(chunk);
  };
  // Pieces per write, and the pause after each write.
  const group = pacing.pauseMs <= 0 ? pacing.count : Math.ceil(MIN_PAUSE_MS / pacing.pauseMs);
  const pause = pacing.pauseMs * group;
  const step = () => {
    if (gone()) return finish();
    const batch: Array<string | Buffer> = [];
    for (const end = Math.min(i + group, pacing.count); i < end; i++) batch.push(piece(i));
    write(batch.length === 1 ? batch[0] : batch.every((c) => typeof c === 'string') ? batch.join('') : Buffer.concat(batch.map(toBuffer)));
    if (pacing.pauseMs <= 0) finish();
    else if (i < pacing.count) app.later(pause, req, res, step);
    else if (pacing.pauseAfterLast) app.later(pause, req, res, finish);
    else finish();
  };
  const begin = () => {
    if (gone()) return app.account(req, status, 0);
    res.writeHead(status, headers);
    // Flush the head now: a client sees the status before the first piece.
    res.flushHeaders();
    if (pacing.count <= 0) return finish();
    step();
  };
  if (pacing.delayMs !== undefined && pacing.delayMs > 0) app.later(pacing.delayMs, req, res, begin);
  else begin();
}

function toBuffer(c: string | Buffer): Buffer {
  return typeof c === 'string' ? Buffer.from(c) : c;
}
