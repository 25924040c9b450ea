// Mirror capture (docs/mirror-diff.md): Envoy discards a shadow's response; for the
// mirror diff the sidecar keeps it beside the primary's, paired by x-request-id.
// Off the hot path and bounded, so it never delays or fails the primary:
//  - sampling under load: a token bucket admits at most ratePerSecond captures
//    (burst back to back); the mirrored requests beyond it are not captured;
//  - at most maxInFlight pairs open at once, and finished pairs held up to maxPairs;
//  - while a response streams by, a recorder only keeps references: the status,
//    the header list and body copies up to a cap. Joining the body and decoding it
//    to text waits for take(), between steps, not on the request path.
// Every request not captured is counted (skipped). The diff runs on the main thread.

import type { CapturedResponse, MirrorCaptureOptions, MirrorPair, MirrorTake } from '../api.js';

export const DEFAULT_MIRROR_CAPTURE: MirrorCaptureOptions = {
  maxPairs: 2000,
  maxInFlight: 256,
  bodyCap: 8192,
  replayPercent: 0,
  // Up to 400 mirrored requests back to back (a short step at moderate qps is captured
  // whole), then 200 a second: at thousands of qps most copies are sampled out.
  ratePerSecond: 200,
  burst: 400,
};

/** Records one response as it streams by; `done` fires once, on completion or failure. */
export class ResponseRecorder {
  readonly #start = performance.now();
  #status = 0;
  #headers: string[] = [];
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;
  #latencyMs = -1;
  #error: string | undefined;

  constructor(
    private readonly cap: number,
    private readonly done: () => void,
  ) {}

  get settled(): boolean {
    return this.#latencyMs >= 0;
  }

  /** The response as captured (joins and decodes the body: call it off the request path). */
  result(): CapturedResponse {
    return {
      status: this.#status,
      headers: this.#headers,
      body: Buffer.concat(this.#chunks, this.#size).toString('utf8'),
      truncated: this.#truncated,
      latencyMs: this.#latencyMs,
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    };
  }

  headers(status: number, headers: readonly string[]): void {
    if (this.settled) return;
    this.#status = status;
    this.#headers = headers.slice(); // the list belongs to the codec
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    const room = this.cap - this.#size;
    if (room <= 0) {
      this.#truncated = true;
      return;
    }
    // A copy: the chunk may be a slice of a larger buffer the socket reuses or that we'd retain.
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
    if (this.settled) return;
    this.#latencyMs = performance.now() - this.#start;
    this.#error = error;
    this.done();
  }
}

/** The recorders of one captured request; the pair is filed when all have settled. */
export interface PairSlot {
  primary: ResponseRecorder;
  shadow: ResponseRecorder;
  replay: ResponseRecorder | undefined;
}

interface Filed {
  requestId: string;
  path: string;
  slot: PairSlot;
}

/**
 * Admission by token bucket: `rate` per second, up to `burst` at once. Pure but for
 * the injected clock (ms). Reading a clock costs as much as the rest of a skip
 * (hundreds of ns on a busy box), so it is read only when the bucket runs dry, and
 * then on every 16th refused request: tokens accrue for all the elapsed time anyway,
 * so under load the capture rate holds, admitted a few requests late.
 */
export class CaptureSampler {
  static readonly CLOCK_EVERY = 16;
  #tokens: number;
  #last: number;
  #refused = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.#tokens = Math.max(1, burst);
    this.#last = now();
  }

  admit(): boolean {
    if (this.rate <= 0) return true;
    if (this.#tokens < 1) {
      if (this.#refused++ % CaptureSampler.CLOCK_EVERY !== 0) return false;
      const t = this.now();
      this.#tokens = Math.min(Math.max(1, this.burst), this.#tokens + (Math.max(0, t - this.#last) * this.rate) / 1000);
      this.#last = t;
      if (this.#tokens < 1) return false;
      this.#refused = 0;
    }
    this.#tokens -= 1;
    return true;
  }
}

export class MirrorCapture {
  readonly opts: MirrorCaptureOptions;
  #filed: Filed[] = [];
  #inFlight = 0;
  #skipped = 0;
  readonly #sampler: CaptureSampler;

  constructor(
    /** The sidecar's source workload, stamped on its pairs. */
    readonly workload: string,
    opts: Partial<MirrorCaptureOptions> = {},
    private readonly random: () => number = Math.random,
    now: () => number = () => performance.now(),
  ) {
    this.opts = { ...DEFAULT_MIRROR_CAPTURE, ...opts };
    this.#sampler = new CaptureSampler(this.opts.ratePerSecond, this.opts.burst, now);
  }

  /** Starts capturing one mirrored request, or undefined when sampled out or over a bound (skipped). */
  open(requestId: string, path: string): PairSlot | undefined {
    if (this.#inFlight >= this.opts.maxInFlight || this.#filed.length + this.#inFlight >= this.opts.maxPairs || !this.#sampler.admit()) {
      this.#skipped++;
      return undefined;
    }
    this.#inFlight++;
    const replay = this.opts.replayPercent > 0 && this.random() * 100 < this.opts.replayPercent;
    let open = replay ? 3 : 2;
    const settled = () => {
      if (--open > 0) return;
      this.#inFlight--;
      this.#filed.push({ requestId, path, slot });
    };
    const cap = this.opts.bodyCap;
    const slot: PairSlot = {
      primary: new ResponseRecorder(cap, settled),
      shadow: new ResponseRecorder(cap, settled),
      replay: replay ? new ResponseRecorder(cap, settled) : undefined,
    };
    return slot;
  }

  /** Hands over the finished pairs (built now, off the request path) and the skip count, and starts afresh. */
  take(): MirrorTake {
    const pairs = this.#filed.map(({ requestId, path, slot }): MirrorPair => {
      const pair: MirrorPair = { workload: this.workload, requestId, path, primary: slot.primary.result(), shadow: slot.shadow.result() };
      if (slot.replay) pair.replay = slot.replay.result();
      return pair;
    });
    const out = { pairs, skipped: this.#skipped };
    this.#filed = [];
    this.#skipped = 0;
    return out;
  }
}
