// What one load worker measured since its last delta: every timed call into
// meshbench's HDR histograms and fortio's six histograms, status codes, bytes,
// sockets, sleeps and lateness, plus the worker's own health (event-loop lag
// and utilization). The coordinator merges the deltas exactly.
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { fortioCodeIsOk, FortioRunHistograms } from './fortio-histogram.js';
import { createHdr, encodeHdr, recordMs, type Hdr } from './latency.js';
import type { WorkerDelta } from './protocol.js';
import type { LoadOptions } from './types.js';

/** Codes -1 (socket error) .. 999, counted in a typed array: no object or map work per call. */
const CODE_SLOTS = 1001;

/** ms -> seconds at whole nanoseconds, as Go's time.Duration.Seconds() gives them (0.000407863, not 0.00040786349999). */
export function nsSeconds(ms: number): number {
  return Math.round(ms * 1e6) / 1e9;
}

export class Recorder {
  private readonly hdrService: Hdr = createHdr();
  private readonly hdrCorrected: Hdr | null;
  private readonly hist: FortioRunHistograms;
  private readonly codes = new Float64Array(CODE_SLOTS);
  private calls = 0;
  private bytes = 0;
  private sockets = 0;
  private sleeps = 0;
  private negativeSleeps = 0;
  private behindMs = 0;
  /** End of the last timed call (ms, performance clock); 0 = none yet. */
  lastEnd = 0;
  readonly ipCountMap: Record<string, number> = {};
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private eluMark = performance.eventLoopUtilization();
  private eluStart = this.eluMark;

  constructor(
    o: Pick<LoadOptions, 'offsetMs' | 'resolution'>,
    /** At fixed qps: also record latency from the intended send time (coordinated omission corrected). */
    private readonly paced: boolean,
  ) {
    this.hist = new FortioRunHistograms(o);
    this.hdrCorrected = paced ? createHdr() : null;
  }

  /** The timed run starts: health is measured from here. */
  start(): void {
    this.lag.enable();
    this.eluMark = this.eluStart = performance.eventLoopUtilization();
  }

  stop(): void {
    this.lag.disable();
  }

  /** A paced call went out `now`, its schedule wanted it at `intended`. */
  sent(intended: number, now: number): void {
    const late = now - intended;
    if (late > this.behindMs) this.behindMs = late;
  }

  /** One timed call: status (-1 = socket error), its times (ms) and the bytes of the reply. */
  call(code: number, intended: number, sent: number, now: number, headerBytes: number, bodyBytes: number): void {
    const ms = now - sent;
    const sec = nsSeconds(ms);
    this.calls++;
    this.lastEnd = now;
    recordMs(this.hdrService, ms);
    if (this.hdrCorrected !== null) recordMs(this.hdrCorrected, now - intended);
    const ok = fortioCodeIsOk(code);
    this.hist.duration.record(sec);
    if (!ok) this.hist.errors.record(sec);
    // fortio stops parsing headers of a non-OK reply: its header size is 0.
    this.hist.headerSizes.record(ok ? headerBytes : 0);
    const total = headerBytes + bodyBytes;
    this.hist.sizes.record(total);
    this.bytes += total;
    this.codes[code >= -1 && code < CODE_SLOTS - 1 ? code + 1 : 0]!++;
  }

  /** fortio's sleep before a paced call, ms (negative = behind schedule). */
  slept(ms: number): void {
    this.sleeps++;
    this.hist.sleepTimes.record(nsSeconds(ms));
    if (ms < 0) this.negativeSleeps++;
  }

  /** A socket opened to `key` ("ip:port") in `connectSec`. */
  socket(key: string, connectSec: number): void {
    this.sockets++;
    this.hist.connectionTimes.record(connectSec);
    this.ipCountMap[key] = (this.ipCountMap[key] ?? 0) + 1;
  }

  /** Everything since the previous delta; the counters start again from zero. */
  takeDelta(): WorkerDelta {
    const codes: Record<string, number> = {};
    for (let i = 0; i < CODE_SLOTS; i++) if (this.codes[i]! > 0) codes[String(i - 1)] = this.codes[i]!;
    const d: WorkerDelta = {
      calls: this.calls,
      hdrService: this.calls > 0 ? encodeHdr(this.hdrService) : '',
      hdrCorrected: this.hdrCorrected !== null && this.calls > 0 ? encodeHdr(this.hdrCorrected) : '',
      ...this.hist.toStates(),
      codes,
      bytes: this.bytes,
      sockets: this.sockets,
      sleeps: this.sleeps,
      negativeSleeps: this.negativeSleeps,
      behindMs: this.behindMs,
      // The monitor's own resolution (10 ms) is not lag.
      eventLoopLagMs: this.lag.max > 0 ? Math.max(0, this.lag.max / 1e6 - 10) : 0,
      utilization: performance.eventLoopUtilization(this.eluMark).utilization,
    };
    this.eluMark = performance.eventLoopUtilization();
    this.calls = 0;
    this.bytes = 0;
    this.sockets = 0;
    this.sleeps = 0;
    this.negativeSleeps = 0;
    this.behindMs = 0;
    this.codes.fill(0);
    this.hdrService.reset();
    this.hdrCorrected?.reset();
    this.hist.reset();
    this.lag.reset();
    return d;
  }

  /** Event-loop utilization over the whole timed run (0..1). */
  runUtilization(): number {
    return performance.eventLoopUtilization(this.eluStart).utilization;
  }
}
