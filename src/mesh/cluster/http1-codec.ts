// Minimal HTTP/1.1 client codec for upstream connections: request head encoding
// and an incremental response parser (content-length, chunked, close-delimited).
// Hand-rolled so the connection pool owns every socket (exact Envoy pool
// accounting) without node:http's agent in the way. Upstreams are loopback apps.

const CRLFCRLF = Buffer.from('\r\n\r\n');

export interface ResponseSink {
  /** `headers` is a flat [name, value, name, value, ...] list, names lower-cased (as Envoy's codec). */
  onResponseHeaders(status: number, headers: string[], contentLength: number): void;
  onResponseData(chunk: Buffer): void;
  onResponseComplete(): void;
}

const enum St {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkCrlf,
  Trailers,
  UntilClose,
  Done,
}

export class ParseError extends Error {}

function isOws(ch: number): boolean {
  return ch === 32 || ch === 9;
}

export class ResponseParser {
  #sink: ResponseSink | undefined;
  #st: St = St.Done;
  #head: Buffer | undefined;
  #remaining = 0;
  #line = '';
  #noBody = false;
  /** The response asked for (or implies) closing the connection afterwards. */
  closeAfter = false;

  start(sink: ResponseSink, noBody: boolean): void {
    this.#sink = sink;
    this.#st = St.Head;
    this.#head = undefined;
    this.#noBody = noBody;
    this.closeAfter = false;
  }

  get idle(): boolean {
    return this.#st === St.Done;
  }

  /** True when the body is delimited by connection close and not done yet. */
  get readsUntilClose(): boolean {
    return this.#st === St.UntilClose;
  }

  /** Feed bytes; throws ParseError on garbage or unexpected bytes. */
  execute(data: Buffer): void {
    let off = 0;
    const len = data.length;
    while (off < len) {
      switch (this.#st) {
        case St.Done:
          throw new ParseError('unexpected data after response');
        case St.Head: {
          let buf = data;
          let base = off;
          if (this.#head) {
            buf = Buffer.concat([this.#head, data.subarray(off)]);
            base = 0;
          }
          const end = buf.indexOf(CRLFCRLF, base);
          if (end < 0) {
            if (buf.length - base > 65536) throw new ParseError('response head too large');
            this.#head = Buffer.from(buf.subarray(base));
            return;
          }
          const consumedFromData = this.#head ? end + 4 - (buf.length - (len - off)) : end + 4 - off;
          this.#head = undefined;
          const interim = this.#onHead(buf.toString('latin1', base, end));
          off += consumedFromData;
          if (interim) this.#st = St.Head;
          break;
        }
        case St.Length: {
          const n = Math.min(this.#remaining, len - off);
          this.#remaining -= n;
          const chunk = data.subarray(off, off + n);
          off += n;
          this.#sink!.onResponseData(chunk);
          if (this.#remaining === 0) this.#complete();
          break;
        }
        case St.ChunkSize:
        case St.Trailers: {
          const nl = data.indexOf(10, off);
          if (nl < 0) {
            this.#line += data.toString('latin1', off, len);
            if (this.#line.length > 8192) throw new ParseError('chunk line too long');
            return;
          }
          let line = this.#line + data.toString('latin1', off, nl);
          this.#line = '';
          off = nl + 1;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (this.#st === St.Trailers) {
            if (line === '') this.#complete();
            break;
          }
          const semi = line.indexOf(';');
          const size = parseInt(semi >= 0 ? line.slice(0, semi) : line, 16);
          if (!Number.isFinite(size) || size < 0) throw new ParseError('bad chunk size');
          if (size === 0) this.#st = St.Trailers;
          else {
            this.#remaining = size;
            this.#st = St.ChunkData;
          }
          break;
        }
        case St.ChunkData: {
          const n = Math.min(this.#remaining, len - off);
          this.#remaining -= n;
          const chunk = data.subarray(off, off + n);
          off += n;
          this.#sink!.onResponseData(chunk);
          if (this.#remaining === 0) {
            this.#st = St.ChunkCrlf;
            this.#remaining = 2;
          }
          break;
        }
        case St.ChunkCrlf: {
          const n = Math.min(this.#remaining, len - off);
          this.#remaining -= n;
          off += n;
          if (this.#remaining === 0) this.#st = St.ChunkSize;
          break;
        }
        case St.UntilClose: {
          this.#sink!.onResponseData(data.subarray(off));
          return;
        }
      }
    }
  }

  /** The socket ended: completes a close-delimited body, else the response was cut short. */
  finish(): boolean {
    if (this.#st === St.UntilClose) {
      this.#complete();
      return true;
    }
    return this.#st === St.Done;
  }

  /** Returns true for an interim 1xx response (skipped). */
  #onHead(head: string): boolean {
    // Walks the head line by line with indexOf: no split() array, and names are
    // lower-cased once here, as Envoy's HTTP/1 codec does on parse.
    let eol = head.indexOf('\r\n');
    if (eol < 0) eol = head.length;
    if (!head.startsWith('HTTP/1.')) throw new ParseError('bad status line');
    const status = parseInt(head.slice(9, 12), 10);
    if (!(status >= 100 && status <= 999)) throw new ParseError('bad status code');
    const http10 = head.charCodeAt(7) === 48; // 'HTTP/1.0'
    if (status >= 100 && status < 200 && status !== 101) return true;
    const headers: string[] = [];
    let contentLength = -1;
    let chunked = false;
    let close = http10;
    const end = head.length;
    let pos = eol + 2;
    while (pos < end) {
      let next = head.indexOf('\r\n', pos);
      if (next < 0) next = end;
      const c = head.indexOf(':', pos);
      if (c > pos && c < next) {
        const name = head.slice(pos, c).toLowerCase();
        // Optional whitespace is SP / HTAB only (RFC 9112 §5.1); one slice, no trim() copy.
        let vs = c + 1;
        let ve = next;
        while (vs < ve && isOws(head.charCodeAt(vs))) vs++;
        while (ve > vs && isOws(head.charCodeAt(ve - 1))) ve--;
        const value = head.slice(vs, ve);
        if (name === 'content-length') contentLength = parseInt(value, 10);
        else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
        else if (name === 'connection') {
          const v = value.toLowerCase();
          if (v.includes('close')) close = true;
          else if (http10 && v.includes('keep-alive')) close = false;
        }
        headers.push(name, value);
      }
      pos = next + 2;
    }
    this.closeAfter = close;
    const noBody = this.#noBody || status === 204 || status === 304;
    if (chunked) contentLength = -1;
    this.#sink!.onResponseHeaders(status, headers, noBody ? 0 : contentLength);
    if (noBody || (!chunked && contentLength === 0)) this.#complete();
    else if (chunked) this.#st = St.ChunkSize;
    else if (contentLength > 0) {
      this.#remaining = contentLength;
      this.#st = St.Length;
    } else {
      this.closeAfter = true;
      this.#st = St.UntilClose;
    }
    return false;
  }

  #complete(): void {
    this.#st = St.Done;
    const sink = this.#sink!;
    this.#sink = undefined;
    sink.onResponseComplete();
  }
}

/** Hop-by-hop headers a proxy never forwards (RFC 9110 §7.6.1) plus framing we redo. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'upgrade',
  'trailer',
  'proxy-authenticate',
  'proxy-authorization',
  'content-length',
]);
