// Mirror capture (docs/mirror-diff.md): Envoy discards a shadow's response; for the
// mirror diff the sidecar keeps it beside the primary's, paired by x-request-id.
// Off the hot path and bounded: a recorder only copies body bytes up to a cap, a
// request is captured only while fewer than maxInFlight pairs are open and the
// finished-pair buffer has room (else it is skipped and counted), and nothing here
// ever delays or fails the primary. The diff itself runs on the main thread.

import type { CapturedResponse, MirrorCaptureOptions, MirrorPair, MirrorTake } from '../api.js';

export const DEFAULT_MIRROR_CAPTURE: MirrorCaptureOptions = { maxPairs: 2000, maxInFlight: 256, bodyCap: 8192, replayPercent: 0 };

/** Records one response as it streams by; `done` fires once, on completion or failure. */
export class ResponseRecorder {
  readonly #start = performance.now();
  #status = 0;
  #headers: string[] = [];
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;
  #result: CapturedResponse | undefined;

  constructor(
    private readonly cap: number,
    private readonly done: () => void,
  ) {}

  get result(): CapturedResponse | undefined {
    return this.#result;
  }

  headers(status: number, headers: readonly string[]): void {
    if (this.#result) return;
    this.#status = status;
    this.#headers = headers.slice();
  }

  data(chunk: Buffer): void {
    if (this.#result) return;
    const room = this.cap - this.#size;
    if (room <= 0) {
      this.#truncated = true;
      return;
    }
    // A copy: the chunk belongs to the socket's read path.
    const part = Buffer.from(chunk.subarray(0, room));
    if (chunk.length > room) this.#truncated = true;
    this.#chunks.push(part);
    this.#size += part.length;
  }

  complete(): void {
    this.#settle();
  }

  /** No (complete) response: reset, timeout, no healthy host… No-op once settled. */
  fail(error: string): void {
    this.#settle(error);
  }

  #settle(error?: string): void {
    if (this.#result) return;
    this.#result = {
      status: this.#status,
      headers: this.#headers,
      body: Buffer.concat(this.#chunks).toString('utf8'),
      truncated: this.#truncated,
      latencyMs: performance.now() - this.#start,
      ...(error !== undefined ? { error } : {}),
    };
    this.done();
  }
}

/** The recorders of one captured request; the pair is filed when all have settled. */
export interface PairSlot {
  primary: ResponseRecorder;
  shadow: ResponseRecorder;
  replay: ResponseRecorder | undefined;
}

export class MirrorCapture {
  readonly opts: MirrorCaptureOptions;
  #pairs: MirrorPair[] = [];
  #inFlight = 0;
  #skipped = 0;

  constructor(
    /** The sidecar's source workload, stamped on its pairs. */
    readonly workload: string,
    opts: Partial<MirrorCaptureOptions> = {},
    private readonly random: () => number = Math.random,
  ) {
    this.opts = { ...DEFAULT_MIRROR_CAPTURE, ...opts };
  }

  /** Starts capturing one mirrored request, or undefined when over a bound (skipped). */
  open(requestId: string, path: string): PairSlot | undefined {
    if (this.#inFlight >= this.opts.maxInFlight || this.#pairs.length + this.#inFlight >= this.opts.maxPairs) {
      this.#skipped++;
      return undefined;
    }
    this.#inFlight++;
    const replay = this.opts.replayPercent > 0 && this.random() * 100 < this.opts.replayPercent;
    let open = replay ? 3 : 2;
    const settled = () => {
      if (--open > 0) return;
      this.#inFlight--;
      const pair: MirrorPair = { workload: this.workload, requestId, path, primary: slot.primary.result!, shadow: slot.shadow.result! };
      if (slot.replay) pair.replay = slot.replay.result!;
      this.#pairs.push(pair);
    };
    const cap = this.opts.bodyCap;
    const slot: PairSlot = {
      primary: new ResponseRecorder(cap, settled),
      shadow: new ResponseRecorder(cap, settled),
      replay: replay ? new ResponseRecorder(cap, settled) : undefined,
    };
    return slot;
  }

  /** Hands over the finished pairs and the skip count, and starts afresh. */
  take(): MirrorTake {
    const out = { pairs: this.#pairs, skipped: this.#skipped };
    this.#pairs = [];
    this.#skipped = 0;
    return out;
  }
}
