// The per-hop view of a service graph: for every service that served requests
// during a step, what its own inbound sidecar measured (`inbound|<port>||`
// cluster: upstream_rq_total, upstream_rq_5xx, the upstream_rq_time histogram),
// and how many requests it served per request the load sent to the entry (fan-out
// amplification: 1.0 on a chain, 2.0 for a service called twice per request, more
// under retries). Built from two mesh snapshots, so it is what the mesh measured,
// not what the model says.

import type { MeshSnapshot, SidecarStats } from '../mesh/api.js';
import { parseClusterStat } from '../mesh/stats/stat-names.js';
import { histogramDelta, histogramQuantile, mergeHistograms, type HistogramData } from '../mesh/stats/histogram.js';

/** One service's hop over a step (JSON: `variants[].steps[].hops[]`, docs/per-hop.md). */
export interface HopStat {
  /** The pods' `app` label (else the workload name). */
  service: string;
  /** The pods' `version` label, when they have one. */
  version?: string;
  /** Deployment whose sidecar counted it. */
  workload: string;
  /** Requests that reached the service (inbound `upstream_rq_total`). */
  requests: number;
  /** Inbound `upstream_rq_time` percentiles (ms), null when no request completed. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** 5xx answers of the service, resets included (inbound `upstream_rq_5xx`). */
  errors: number;
  /** requests / requests the load sent to the entry; null when it sent none. */
  perEntryRequest: number | null;
}

const INBOUND = 'cluster.inbound|';

interface InboundDelta {
  requests: number;
  errors: number;
  time: HistogramData;
}

/** Inbound cluster stats of one sidecar over the step; undefined when it has none. */
function inboundDelta(before: SidecarStats | undefined, after: SidecarStats): InboundDelta | undefined {
  let seen = false;
  let requests = 0;
  let errors = 0;
  for (const [key, v] of Object.entries(after.counters)) {
    // Cheap test first: a big graph's sidecars hold thousands of outbound stats, read every tick.
    if (!key.startsWith(INBOUND)) continue;
    const c = parseClusterStat(key);
    if (c?.parts.direction !== 'inbound') continue;
    seen = true;
    const d = v - (before?.counters[key] ?? 0);
    if (c.stat === 'upstream_rq_total') requests += d;
    else if (c.stat === 'upstream_rq_5xx') errors += d;
  }
  if (!seen) return undefined;
  const times: HistogramData[] = [];
  for (const [key, h] of Object.entries(after.histograms ?? {})) {
    if (!key.startsWith(INBOUND)) continue;
    const c = parseClusterStat(key);
    if (c?.parts.direction === 'inbound' && c.stat === 'upstream_rq_time') times.push(histogramDelta(before?.histograms?.[key], h));
  }
  return { requests, errors, time: mergeHistograms(times) };
}

/**
 * Every service that served requests between the two snapshots.
 * `entryRequests`: requests the load sent (the denominator of perEntryRequest).
 */
export function perHop(before: MeshSnapshot | undefined, after: MeshSnapshot, entryRequests: number): HopStat[] {
  const out: HopStat[] = [];
  for (const sc of after.sidecars) {
    const d = inboundDelta(
      before?.sidecars.find((s) => s.workload === sc.workload),
      sc,
    );
    if (!d || d.requests <= 0) continue;
    const pod = after.instances.find((i) => i.workload === sc.workload);
    const p50 = histogramQuantile(d.time, 0.5);
    const p99 = histogramQuantile(d.time, 0.99);
    out.push({
      service: pod?.app || sc.workload,
      ...(pod?.version ? { version: pod.version } : {}),
      workload: sc.workload,
      requests: d.requests,
      p50Ms: p50 ?? null,
      p99Ms: p99 ?? null,
      errors: d.errors,
      perEntryRequest: entryRequests > 0 ? d.requests / entryRequests : null,
    });
  }
  // Busiest first; among equals the slower first (on a chain the caller, whose time includes its callee's).
  return out.sort((a, b) => b.requests - a.requests || (b.p50Ms ?? 0) - (a.p50Ms ?? 0) || (a.workload < b.workload ? -1 : 1));
}

/** A hop's name in tables: the service, plus its version when another row shares the service. */
export function hopLabel(h: HopStat, all: readonly HopStat[]): string {
  const shared = all.some((o) => o !== h && o.service === h.service);
  return shared && h.version ? `${h.service} ${h.version}` : h.service;
}

/** The per-hop view is worth showing when more than one service is on the request path. */
export function isServiceGraph(hops: readonly HopStat[] | undefined): hops is HopStat[] {
  return (hops?.length ?? 0) > 1;
}
