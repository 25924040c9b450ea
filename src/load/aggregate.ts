// The coordinator's merge of worker deltas: HDR histograms added exactly and
// fortio bucket counts summed (percentiles are never averaged), plus the
// per-window figures of the live snapshots.
import { FortioRunHistograms } from './fortio-histogram.js';
import { decodeHdr } from '../report/hdr.js';
import { addHdr, createHdr } from './latency.js';
import type { WorkerDelta } from './protocol.js';
import type { LoadOptions } from './types.js';

export class Aggregate {
  readonly hdrService = createHdr();
  readonly hdrCorrected = createHdr();
  readonly hist: FortioRunHistograms;
  codes: Record<string, number> = {};
  calls = 0;
  bytes = 0;
  sockets = 0;
  sleeps = 0;
  negativeSleeps = 0;
  maxBehindMs = 0;
  maxLagMs = 0;
  /** Since the last snapshot (reset by takeWindow). */
  readonly windowService = createHdr();
  windowCalls = 0;
  behindMs = 0;
  lagMs = 0;
  utilization = 0;

  constructor(o: Pick<LoadOptions, 'offsetMs' | 'resolution'>) {
    this.hist = new FortioRunHistograms(o);
  }

  add(d: WorkerDelta): void {
    this.calls += d.calls;
    this.windowCalls += d.calls;
    if (d.hdrService !== '') {
      // Decoded once for both (decoding costs milliseconds; the run's fixed cost).
      const service = decodeHdr(d.hdrService);
      addHdr(this.hdrService, service);
      addHdr(this.windowService, service);
    }
    addHdr(this.hdrCorrected, d.hdrCorrected);
    this.hist.mergeStates(d);
    for (const k in d.codes) this.codes[k] = (this.codes[k] ?? 0) + d.codes[k]!;
    this.bytes += d.bytes;
    this.sockets += d.sockets;
    this.sleeps += d.sleeps;
    this.negativeSleeps += d.negativeSleeps;
    if (d.behindMs > this.behindMs) this.behindMs = d.behindMs;
    if (d.behindMs > this.maxBehindMs) this.maxBehindMs = d.behindMs;
    if (d.eventLoopLagMs > this.lagMs) this.lagMs = d.eventLoopLagMs;
    if (d.eventLoopLagMs > this.maxLagMs) this.maxLagMs = d.eventLoopLagMs;
    if (d.utilization > this.utilization) this.utilization = d.utilization;
  }

  /** Start a new snapshot window. */
  resetWindow(): void {
    this.windowService.reset();
    this.windowCalls = 0;
    this.behindMs = 0;
    this.lagMs = 0;
    this.utilization = 0;
  }
}
