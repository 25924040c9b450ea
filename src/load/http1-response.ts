// The fast client's HTTP/1.1 response reader: incremental over whatever the
// socket delivers (a reply split anywhere, byte by byte if need be), counting
// the bytes as they were on the wire (fortio's fast client reports sizes that
// way) and finding where the reply ends — Content-Length, chunked transfer
// coding (extensions and trailers skipped), the connection's close, or no body
// at all for HEAD, 204 and 304 (RFC 9112 §6.3). Interim 1xx replies are
// skipped. Anything else malformed ends the call with an error instead of a
// wait for bytes that never come. Only what the load engine needs is kept: no
// header values beyond the framing ones.

/** execute(): the reply needs more bytes (all given were consumed). */
export const NEED_MORE = -1;
/** execute(): the reply is malformed; `error` says why. */
export const MALFORMED = -2;

/** Largest head (status line + headers) or trailer section accepted, as Node's default --max-http-header-size. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Chunk sizes above 2^48 are refused rather than trusted (no reply here is that large). */
const MAX_CHUNK_HEX_DIGITS = 12;

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

const enum State {
  Head,
  Body,
  UntilClose,
  ChunkSize,
  ChunkExt,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerLineLf,
  TrailerEndLf,
  Done,
}

const CONTENT_LENGTH = bytes('content-length');
const TRANSFER_ENCODING = bytes('transfer-encoding');
const CONNECTION = bytes('connection');
const KEEP_ALIVE = bytes('keep-alive');
const CLOSE = bytes('close');

function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export class ResponseParser {
  /** Status of the final (non-1xx) reply; 0 until its status line is read. */
  status = 0;
  /** Wire bytes of the heads (status line through the empty line), interim 1xx heads included. */
  headerBytes = 0;
  /** Wire bytes after the final head (chunk framing and trailers included). */
  bodyBytes = 0;
  /** Whether the connection may carry another call after this reply. */
  keepAlive = true;
  error = '';
  /** Called with each piece of body content (chunk framing excluded) when set. */
  onBody: ((data: Buffer, start: number, end: number) => void) | null = null;
  private state = State.Head;
  private noBody = false;
  /** Head bytes of an unfinished head, copied out of the read buffer. */
  private pending: Buffer | null = null;
  /** Body bytes left (Content-Length) or bytes left of the current chunk. */
  private remaining = 0;
  private hexDigits = 0;
  private trailerBytes = 0;
  private contentLength = -1;
  private chunked = false;

  /** A new call: `noBody` for HEAD requests (their replies never have a body). */
  begin(noBody: boolean): void {
    this.status = 0;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.keepAlive = true;
    this.error = '';
    this.state = State.Head;
    this.noBody = noBody;
    this.pending = null;
  }

  /** Whether any byte of the reply has been read. */
  started(): boolean {
    return this.headerBytes > 0 || this.pending !== null;
  }

  /**
   * Reads data[start, end) (bytes past `end` may be stale: the socket reuses its
   * read buffer). Returns the index just past the reply when it is complete,
   * NEED_MORE when everything was consumed and more is needed, or MALFORMED.
   */
  execute(data: Buffer, start: number, end: number): number {
    let pos = start;
    while (pos < end || this.state === State.Done) {
      switch (this.state) {
        case State.Head: {
          const next = this.head(data, pos, end);
          if (next < 0) return next;
          pos = next;
          break;
        }
        case State.Body:
        case State.ChunkData: {
          // Content-Length content, or the current chunk's: `remaining` bytes.
          const n = Math.min(this.remaining, end - pos);
          this.content(data, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = this.state === State.Body ? State.Done : State.ChunkDataCr;
          break;
        }
        case State.UntilClose:
          this.content(data, pos, end);
          return NEED_MORE;
        case State.ChunkSize: {
          const c = data[pos]!;
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.hexDigits > MAX_CHUNK_HEX_DIGITS) return this.fail('chunk size too large');
            this.remaining = this.remaining * 16 + v;
          } else if (this.hexDigits === 0) {
            return this.fail('chunk size expected');
          } else if (c === CR) {
            this.state = State.ChunkSizeLf;
          } else if (c === 0x3b /* ; */ || c === SP || c === TAB) {
            this.state = State.ChunkExt;
          } else {
            return this.fail('invalid chunk size');
          }
          pos++;
          this.bodyBytes++;
          break;
        }
        case State.ChunkExt:
          // Extensions are ignored (RFC 9112 §7.1.1); bounded like a head.
          pos = this.skipLine(data, pos, end, State.ChunkSizeLf, 'chunk extension too long');
          if (pos < 0) return MALFORMED;
          break;
        case State.ChunkSizeLf:
          if (!this.expect(LF, data[pos], this.remaining === 0 ? State.TrailerLineStart : State.ChunkData)) {
            return this.fail('LF expected after chunk size');
          }
          pos++;
          this.trailerBytes = 0;
          break;
        case State.ChunkDataCr:
        case State.ChunkDataLf: {
          const cr = this.state === State.ChunkDataCr;
          if (!this.expect(cr ? CR : LF, data[pos], cr ? State.ChunkDataLf : State.ChunkSize)) return this.fail('CRLF expected after chunk data');
          pos++;
          this.hexDigits = 0;
          break;
        }
        case State.TrailerLineStart:
          // An empty line ends the trailer section; anything else is a trailer field.
          if (this.expect(CR, data[pos], State.TrailerEndLf)) pos++;
          else this.state = State.TrailerLine;
          break;
        case State.TrailerLine:
          // Trailer fields are read past, not used (RFC 9112 §7.1.2).
          pos = this.skipLine(data, pos, end, State.TrailerLineLf, 'trailer section too large');
          if (pos < 0) return MALFORMED;
          break;
        case State.TrailerLineLf:
        case State.TrailerEndLf: {
          const last = this.state === State.TrailerEndLf;
          if (!this.expect(LF, data[pos], last ? State.Done : State.TrailerLineStart)) return this.fail('CRLF expected in trailer section');
          pos++;
          break;
        }
        case State.Done:
          return pos;
      }
    }
    return NEED_MORE;
  }

  /** The peer closed the connection: true when that ends the reply (a body delimited by the close). */
  endsAtClose(): boolean {
    return this.state === State.UntilClose;
  }

  /** A framing byte: `want` at `got` moves to `next` (and is counted); false when it is another. */
  private expect(want: number, got: number | undefined, next: State): boolean {
    if (got !== want) return false;
    this.bodyBytes++;
    this.state = next;
    return true;
  }

  /** Skips to the next CR (which it consumes, then `next`), within MAX_HEAD_BYTES: the new position or MALFORMED. */
  private skipLine(data: Buffer, pos: number, end: number, next: State, tooLong: string): number {
    const cr = data.indexOf(CR, pos);
    const found = cr >= 0 && cr < end;
    const stop = found ? cr + 1 : end;
    this.trailerBytes += stop - pos;
    if (this.trailerBytes > MAX_HEAD_BYTES) return this.fail(tooLong);
    this.bodyBytes += stop - pos;
    if (found) this.state = next;
    return stop;
  }

  private fail(why: string): number {
    this.error = why;
    return MALFORMED;
  }

  private content(data: Buffer, start: number, end: number): void {
    this.bodyBytes += end - start;
    if (this.onBody !== null && end > start) this.onBody(data, start, end);
  }

  /** Reads (part of) a head from data[pos, end): the index after it, NEED_MORE or MALFORMED. */
  private head(data: Buffer, pos: number, end: number): number {
    let buf = data;
    let from = pos;
    let search = pos;
    let last = end;
    const pending = this.pending;
    if (pending !== null) {
      // A head split over reads (rare): join the pieces, search only where the end can be.
      buf = Buffer.concat([pending, data.subarray(pos, end)]);
      from = 0;
      search = Math.max(0, pending.length - 3);
      last = buf.length;
    }
    const found = buf.indexOf(HEAD_END, search);
    if (found < 0 || found + 4 > last) {
      if (last - from > MAX_HEAD_BYTES) return this.fail(`head larger than ${MAX_HEAD_BYTES} bytes`);
      // The read buffer is reused by the socket: keep a copy.
      this.pending = pending !== null ? buf : Buffer.from(data.subarray(pos, end));
      return NEED_MORE;
    }
    const headEnd = found + 4;
    if (headEnd - from > MAX_HEAD_BYTES) return this.fail(`head larger than ${MAX_HEAD_BYTES} bytes`);
    this.pending = null;
    this.headerBytes += headEnd - from;
    if (!this.parseHead(buf, from, headEnd)) return MALFORMED;
    const next = pending !== null ? pos + headEnd - pending.length : headEnd;
    const s = this.status;
    if (s < 200) {
      // 101 would hand the connection to another protocol: not something a load run can use.
      if (s === 101) return this.fail('101 Switching Protocols is not supported');
      this.status = 0;
      return next; // an interim reply: the final one follows
    }
    if (this.noBody || s === 204 || s === 304) this.state = State.Done;
    else if (this.chunked) {
      this.remaining = 0;
      this.hexDigits = 0;
      this.trailerBytes = 0;
      this.state = State.ChunkSize;
    } else if (this.contentLength >= 0) {
      this.remaining = this.contentLength;
      this.state = this.contentLength === 0 ? State.Done : State.Body;
    } else {
      this.keepAlive = false;
      this.state = State.UntilClose;
    }
    return next;
  }

  /** Status line and the framing headers of buf[start, end) (which ends with CRLF CRLF). */
  private parseHead(buf: Buffer, start: number, end: number): boolean {
    // "HTTP/1.x SSS[ reason]"
    if (
      end - start < 14 ||
      buf[start] !== 0x48 || buf[start + 1] !== 0x54 || buf[start + 2] !== 0x54 || buf[start + 3] !== 0x50 ||
      buf[start + 4] !== 0x2f || buf[start + 5] !== 0x31 || buf[start + 6] !== 0x2e ||
      (buf[start + 7] !== 0x31 && buf[start + 7] !== 0x30) || buf[start + 8] !== SP
    ) {
      this.fail('not an HTTP/1.x status line');
      return false;
    }
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    const after = buf[start + 12];
    if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || (after !== SP && after !== CR)) {
      this.fail('invalid status code');
      return false;
    }
    this.status = d0 * 100 + d1 * 10 + d2;
    this.keepAlive = buf[start + 7] === 0x31; // HTTP/1.0 closes unless it says keep-alive
    this.contentLength = -1;
    this.chunked = false;
    let line = buf.indexOf(LF, start + 12);
    if (line < 1 || buf[line - 1] !== CR) {
      this.fail('status line not ended by CRLF');
      return false;
    }
    let transferEncoding = false;
    // Each header line: [ls, lf) with buf[lf - 1] === CR; the head's last line is empty.
    for (let ls = line + 1; ls < end - 2; ls = line + 1) {
      line = buf.indexOf(LF, ls);
      if (line < 0 || line >= end || buf[line - 1] !== CR) {
        this.fail('header line not ended by CRLF');
        return false;
      }
      const c0 = buf[ls]!;
      if (c0 === SP || c0 === TAB) {
        this.fail('obsolete header line folding');
        return false;
      }
      const colon = buf.indexOf(0x3a, ls);
      if (colon <= ls || colon >= line) {
        this.fail('header line without a name and colon');
        return false;
      }
      const before = buf[colon - 1];
      if (before === SP || before === TAB) {
        this.fail('whitespace before a header colon'); // RFC 9112 §5.1
        return false;
      }
      const n = colon - ls;
      if (n !== 10 && n !== 14 && n !== 17) continue;
      let vs = colon + 1;
      let ve = line - 1;
      while (vs < ve && (buf[vs] === SP || buf[vs] === TAB)) vs++;
      while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === TAB)) ve--;
      if (n === 14 && nameIs(buf, ls, CONTENT_LENGTH)) {
        const v = decimal(buf, vs, ve);
        if (v < 0 || (this.contentLength >= 0 && v !== this.contentLength)) {
          this.fail('invalid Content-Length');
          return false;
        }
        this.contentLength = v;
      } else if (n === 17 && nameIs(buf, ls, TRANSFER_ENCODING)) {
        transferEncoding = true;
        // Chunked only when it is the last coding (RFC 9112 §6.3 item 4).
        this.chunked = endsWithToken(buf, vs, ve, 'chunked');
      } else if (n === 10 && nameIs(buf, ls, CONNECTION)) {
        // The usual single tokens without a string; lists the slow way.
        if (ve - vs === 10 && nameIs(buf, vs, KEEP_ALIVE)) this.keepAlive = true;
        else if (ve - vs === 5 && nameIs(buf, vs, CLOSE)) this.keepAlive = false;
        else {
          const v = buf.toString('latin1', vs, ve).toLowerCase();
          if (/(^|[\s,])close($|[\s,])/.test(v)) this.keepAlive = false;
          else if (/(^|[\s,])keep-alive($|[\s,])/.test(v)) this.keepAlive = true;
        }
      }
    }
    if (transferEncoding) {
      // Transfer-Encoding overrides Content-Length, and then the connection is not reused (RFC 9112 §6.3 item 3).
      if (this.contentLength >= 0) this.keepAlive = false;
      this.contentLength = -1;
    }
    return true;
  }
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function nameIs(buf: Buffer, at: number, lower: Uint8Array): boolean {
  for (let i = 0; i < lower.length; i++) if ((buf[at + i]! | 0x20) !== lower[i]) return false;
  return true;
}

/** Digits only, no sign; -1 when not a number or past 2^53. */
function decimal(buf: Buffer, start: number, end: number): number {
  if (start >= end || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function endsWithToken(buf: Buffer, start: number, end: number, token: string): boolean {
  const v = buf.toString('latin1', start, end).toLowerCase();
  const last = v.slice(v.lastIndexOf(',') + 1).trim();
  return last === token;
}
