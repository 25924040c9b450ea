// The per-hop table printed after a step's report when the step's requests went
// through more than one service (docs/per-hop.md).

import { hopLabel, isServiceGraph, type HopStat } from './hops.js';

function msText(v: number | null): string {
  return v === null ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** Table lines, or none when the step's load reached a single service. */
export function formatHopLines(hops: readonly HopStat[] | undefined): string[] {
  if (!isServiceGraph(hops)) return [];
  const rows = hops.map((h) => [
    hopLabel(h, hops),
    String(h.requests),
    h.perEntryRequest === null ? '-' : `${h.perEntryRequest.toFixed(2)}x`,
    msText(h.p50Ms),
    msText(h.p99Ms),
    String(h.errors),
    h.requests > 0 ? `${((100 * h.errors) / h.requests).toFixed(1)}%` : '-',
  ]);
  const head = ['service', 'requests', 'per entry', 'p50 ms', 'p99 ms', 'errors', 'error %'];
  const w = head.map((t, i) => Math.max(t.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return ['Per hop (each service\'s inbound sidecar, this step):', line(head), ...rows.map(line)];
}
