// Envoy's admin `/stats` text (`pilot-agent request GET stats`, `curl
// localhost:15000/stats`): one `name: value` line per stat. Counters and gauges
// are integers; histogram lines (`… P0(nan,1) P25(…)`) and text readouts are
// not counts and are skipped. Names are parsed later by mesh/stats/stat-names.ts.

import { UserError } from '../errors.js';

export function parseStatsDump(text: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split(/\r?\n/);
  let read = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const sep = line.lastIndexOf(': ');
    if (sep <= 0) throw new UserError('MB_ERR_STATS', `${file}:${i + 1}:1: expected "name: value" (an Envoy stats dump, as pilot-agent request GET stats prints it)`);
    const name = line.slice(0, sep).trim();
    const value = line.slice(sep + 2).trim();
    if (!/^-?\d+$/.test(value)) return; // histogram summary or text readout
    // A stat printed twice (several dumps concatenated) would double-count silently.
    if (name in out) throw new UserError('MB_ERR_STATS', `${file}:${i + 1}:1: stat ${name} appears twice`);
    out[name] = Number(value);
    read++;
  });
  if (read === 0) throw new UserError('MB_ERR_STATS', `${file}: no "name: value" counters found (an Envoy stats dump, as pilot-agent request GET stats prints it)`);
  return out;
}

/** Several pods' dumps: every stat summed (each Job pod has its own sidecar). */
export function sumStats(dumps: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of dumps) for (const [k, v] of Object.entries(d)) out[k] = (out[k] ?? 0) + v;
  return out;
}
