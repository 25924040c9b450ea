// Envoy-style stats for one sidecar: counters only go up, gauges go up and down.
// Names are full Envoy names (`cluster.outbound|8000||httpbin.default.svc.cluster.local.upstream_rq_total`,
// built by stat-names.ts).
// The hot path holds the Counter/Gauge objects (created once per cluster), so
// counting is a property increment, never a map lookup by string.

import { Histogram, type HistogramData } from './histogram.js';

export class Counter {
  value = 0;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
  }
}

export class Gauge {
  value = 0;
  /** Envoy's "used" flag (admin `/stats?usedonly`): set by any update, even to 0. */
  used = false;
  constructor(readonly name: string) {}
  inc(n = 1): void {
    this.value += n;
    this.used = true;
  }
  dec(n = 1): void {
    this.value -= n;
    this.used = true;
  }
  set(v: number): void {
    this.value = v;
    this.used = true;
  }
}

export interface StatsSnapshotData {
  counters: Record<string, number>;
  gauges: Record<string, number>;
  /** Histograms that recorded at least one value (e.g. `cluster.inbound|8080||.upstream_rq_time`). */
  histograms: Record<string, HistogramData>;
}

export class StatsStore {
  readonly #counters = new Map<string, Counter>();
  readonly #gauges = new Map<string, Gauge>();
  readonly #histograms = new Map<string, Histogram>();

  counter(name: string): Counter {
    let c = this.#counters.get(name);
    if (!c) {
      c = new Counter(name);
      this.#counters.set(name, c);
    }
    return c;
  }

  gauge(name: string): Gauge {
    let g = this.#gauges.get(name);
    if (!g) {
      g = new Gauge(name);
      this.#gauges.set(name, g);
    }
    return g;
  }

  histogram(name: string): Histogram {
    let h = this.#histograms.get(name);
    if (!h) {
      h = new Histogram(name);
      this.#histograms.set(name, h);
    }
    return h;
  }

  /**
   * Declare a group of stats under one prefix from a const name list, Envoy's
   * ALL_*_STATS pattern: `scope(prefix, ['upstream_rq_total', ...] as const, [...gauges])`.
   */
  scope<C extends string, G extends string>(
    prefix: string,
    counters: readonly C[],
    gauges: readonly G[],
  ): { [K in C]: Counter } & { [K in G]: Gauge } {
    const out: Record<string, Counter | Gauge> = {};
    for (const n of counters) out[n] = this.counter(`${prefix}.${n}`);
    for (const n of gauges) out[n] = this.gauge(`${prefix}.${n}`);
    return out as { [K in C]: Counter } & { [K in G]: Gauge };
  }

  /** Every stat object (admin `/stats`); counters and gauges share one name space in Envoy. */
  counters(): IterableIterator<Counter> {
    return this.#counters.values();
  }

  gauges(): IterableIterator<Gauge> {
    return this.#gauges.values();
  }

  histograms(): IterableIterator<Histogram> {
    return this.#histograms.values();
  }

  snapshot(): StatsSnapshotData {
    const counters: Record<string, number> = {};
    const gauges: Record<string, number> = {};
    const histograms: Record<string, HistogramData> = {};
    for (const [k, c] of this.#counters) counters[k] = c.value;
    for (const [k, g] of this.#gauges) gauges[k] = g.value;
    for (const [k, h] of this.#histograms) if (h.count > 0) histograms[k] = h.data();
    return { counters, gauges, histograms };
  }
}
