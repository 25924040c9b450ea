// Envoy's consecutive-error outlier detector for one cluster (spec §7), as Istio
// configures it: success-rate / failure-percentage ejection are off
// (enforcing_success_rate = 0), so only the consecutive 5xx, gateway-failure and
// local-origin monitors exist. Ejection is decided the moment a counter reaches
// its threshold; un-ejection happens on `interval` ticks (Envoy's
// DetectorImpl::onIntervalTimer / checkHostForUneject).

import type { OutlierDetection } from '../config/model.js';
import type { Counter, Gauge, StatsStore } from '../stats/store.js';

export interface OutlierClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(h: unknown): void;
}

/** Wall clock on the event loop; the tick timer is unref'd so it never keeps a process alive. */
export const realClock: OutlierClock = {
  now: () => performance.now(),
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval(h) {
    clearInterval(h as NodeJS.Timeout);
  },
};

type EjectionType = 'consecutive_5xx' | 'consecutive_gateway_failure' | 'consecutive_local_origin_failure';

/** Envoy's per-host DetectorHostMonitorImpl state. */
class HostMonitor {
  consecutive5xx = 0;
  consecutiveGatewayFailure = 0;
  consecutiveLocalOriginFailure = 0;
  ejected = false;
  numEjections = 0;
  /** Multiplier of base_ejection_time for the current/next ejection (spec §7.3). */
  ejectTimeBackoff = 0;
  lastEjectionTime = 0;
  constructor(readonly id: string) {}
}

const COUNTERS = [
  'ejections_enforced_total',
  'ejections_overflow',
  'ejections_detected_consecutive_5xx',
  'ejections_enforced_consecutive_5xx',
  'ejections_detected_consecutive_gateway_failure',
  'ejections_enforced_consecutive_gateway_failure',
  'ejections_detected_consecutive_local_origin_failure',
  'ejections_enforced_consecutive_local_origin_failure',
  // Deprecated in Envoy but still counted (spec §7.2).
  'ejections_total',
  'ejections_consecutive_5xx',
] as const;
const GAUGES = ['ejections_active'] as const;

type DetectorStats = { [K in (typeof COUNTERS)[number]]: Counter } & { [K in (typeof GAUGES)[number]]: Gauge };

/** Envoy Http::CodeUtility::isGatewayError: 502, 503, 504. */
function isGatewayError(code: number): boolean {
  return code >= 502 && code <= 504;
}

export class OutlierDetector {
  readonly #cfg: OutlierDetection;
  readonly #hosts = new Map<string, HostMonitor>();
  readonly #stats: DetectorStats;
  readonly #clock: OutlierClock;
  #timer: unknown;
  #closed = false;
  /** Envoy's ejections_active_helper_: this detector's own count (the gauge is shared by name). */
  #ejected = 0;

  constructor(
    cfg: OutlierDetection,
    hostIds: readonly string[],
    stats: StatsStore,
    clusterStatPrefix: string,
    clock: OutlierClock = realClock,
  ) {
    this.#cfg = cfg;
    for (const id of hostIds) if (!this.#hosts.has(id)) this.#hosts.set(id, new HostMonitor(id));
    this.#stats = stats.scope(`${clusterStatPrefix}.outlier_detection`, COUNTERS, GAUGES);
    this.#clock = clock;
    this.#timer = clock.setInterval(() => this.#onIntervalTimer(), Math.max(1, cfg.intervalMs));
  }

  /** An upstream response code from a host (Envoy putHttpResponseCode, spec §7.1). */
  putHttpResponseCode(hostId: string, code: number): void {
    const m = this.#hosts.get(hostId);
    if (!m) return;
    // Split mode: a response means the connection succeeded (Envoy reports
    // LocalOriginConnectSuccess before the headers), which resets the local-origin streak.
    if (this.#cfg.splitExternalLocalOriginErrors) m.consecutiveLocalOriginFailure = 0;
    this.#putCode(m, code);
  }

  /** A local-origin failure of an attempt on a host (connect failure, reset, timeout). */
  putResult(hostId: string, result: 'connect_failed' | 'timeout' | 'reset'): void {
    const m = this.#hosts.get(hostId);
    if (!m) return;
    if (this.#cfg.splitExternalLocalOriginErrors) {
      if (++m.consecutiveLocalOriginFailure === this.#cfg.consecutiveLocalOriginFailure) {
        this.#onConsecutiveError(m, 'consecutive_local_origin_failure');
      }
      return;
    }
    // Non-split mode (Envoy resultToHttpCode): timeout -> 504, connect failure / reset -> 503.
    this.#putCode(m, result === 'timeout' ? 504 : 503);
  }

  isEjected(hostId: string): boolean {
    return this.#hosts.get(hostId)?.ejected ?? false;
  }

  ejectedCount(): number {
    return this.#ejected;
  }

  /** Like Envoy's ~DetectorImpl: stop ticking and take this cluster's ejections off the gauge. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearInterval(this.#timer);
    this.#stats.ejections_active.dec(this.#ejected);
  }

  #putCode(m: HostMonitor, code: number): void {
    if (code >= 500 && code <= 599) {
      if (isGatewayError(code)) {
        if (++m.consecutiveGatewayFailure === this.#cfg.consecutiveGatewayFailure) {
          this.#onConsecutiveError(m, 'consecutive_gateway_failure');
        }
      } else {
        m.consecutiveGatewayFailure = 0;
      }
      if (++m.consecutive5xx === this.#cfg.consecutive5xx) {
        this.#onConsecutiveError(m, 'consecutive_5xx');
      }
    } else {
      m.consecutive5xx = 0;
      m.consecutiveGatewayFailure = 0;
    }
  }

  /** Envoy onConsecutiveErrorWorker: detected stat, eject attempt, then the streak restarts. */
  #onConsecutiveError(m: HostMonitor, type: EjectionType): void {
    if (this.#closed || m.ejected) return;
    const s = this.#stats;
    switch (type) {
      case 'consecutive_5xx':
        s.ejections_detected_consecutive_5xx.inc();
        this.#ejectHost(m, type);
        s.ejections_consecutive_5xx.inc();
        m.consecutive5xx = 0;
        break;
      case 'consecutive_gateway_failure':
        s.ejections_detected_consecutive_gateway_failure.inc();
        this.#ejectHost(m, type);
        m.consecutiveGatewayFailure = 0;
        break;
      case 'consecutive_local_origin_failure':
        s.ejections_detected_consecutive_local_origin_failure.inc();
        this.#ejectHost(m, type);
        m.consecutiveLocalOriginFailure = 0;
        break;
    }
  }

  /** Envoy ejectHost: max_ejection_percent gate (before ejecting, strict <), then the enforcing draw. */
  #ejectHost(m: HostMonitor, type: EjectionType): void {
    const s = this.#stats;
    const maxPercent = Math.min(100, this.#cfg.maxEjectionPercent);
    const ejectedPercent = (100 * this.#ejected) / this.#hosts.size;
    if (!(ejectedPercent < maxPercent)) {
      s.ejections_overflow.inc();
      return;
    }
    if (type === 'consecutive_5xx') s.ejections_total.inc();
    if (!enforced(this.#enforcing(type))) return;
    this.#ejected++;
    s.ejections_active.inc();
    s.ejections_enforced_total.inc();
    s[`ejections_enforced_${type}`].inc();
    m.ejected = true;
    m.numEjections++;
    m.lastEjectionTime = this.#clock.now();
    const base = this.#cfg.baseEjectionTimeMs;
    if (m.ejectTimeBackoff * base < this.#cfg.maxEjectionTimeMs + base) m.ejectTimeBackoff++;
  }

  #enforcing(type: EjectionType): number {
    switch (type) {
      case 'consecutive_5xx':
        return this.#cfg.enforcingConsecutive5xx;
      case 'consecutive_gateway_failure':
        return this.#cfg.enforcingConsecutiveGatewayFailure;
      case 'consecutive_local_origin_failure':
        return this.#cfg.enforcingConsecutiveLocalOriginFailure;
    }
  }

  /** Envoy checkHostForUneject on every host, every interval (spec §7.3). */
  #onIntervalTimer(): void {
    const now = this.#clock.now();
    const base = this.#cfg.baseEjectionTimeMs;
    const max = this.#cfg.maxEjectionTimeMs;
    for (const m of this.#hosts.values()) {
      if (!m.ejected) {
        // Healthy for a whole interval: the multiplier decays towards 0.
        if (m.ejectTimeBackoff !== 0) m.ejectTimeBackoff--;
        continue;
      }
      if (Math.min(base * m.ejectTimeBackoff, max) <= now - m.lastEjectionTime) {
        m.ejected = false;
        this.#ejected--;
        this.#stats.ejections_active.dec();
        // Reset the streaks so a few new errors do not re-eject at once. Envoy resets
        // the 5xx and gateway counters only; the local-origin streak carries over.
        m.consecutive5xx = 0;
        m.consecutiveGatewayFailure = 0;
      }
    }
  }
}

/** Envoy featureEnabled(key, percent) with an integer 0-100 percentage; Istio writes only 0 or 100. */
function enforced(percent: number): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return Math.floor(Math.random() * 100) < percent;
}
