// The mirror diff of one step as text lines (docs/mirror-diff.md), for the step report.

import type { MirrorSummary } from './mirror-diff.js';

/** How many differing fields a step report lists. */
export const MIRROR_TOP_FIELDS = 10;

function ms(n: number): string {
  return n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function pct(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

export function formatMirrorLines(m: MirrorSummary): string[] {
  const lines = [
    `Mirror, primary vs shadow: ${m.compared} pairs compared, ${m.identical} identical` +
      `${m.noiseOnly ? ` (${m.noiseOnly} differing only in noise)` : ''}, ${m.differing} differing (${pct(m.differingShare)})` +
      `, ${m.shadowErrors} shadow errors${m.shadowTimeouts ? ` (${m.shadowTimeouts} timeouts)` : ''}${m.primaryErrors ? `, ${m.primaryErrors} primary errors` : ''}` +
      `${m.skipped ? `; ${m.captured} captured, ${m.skipped} not (sampled out under load or capture bound)` : ''}`,
  ];
  if (m.compared) {
    const l = m.latencyMs;
    lines.push(`  latency p50/p99 ms: primary ${ms(l.primary.p50)}/${ms(l.primary.p99)}, shadow ${ms(l.shadow.p50)}/${ms(l.shadow.p99)}`);
  }
  if (m.fields.length) {
    lines.push('  differing fields (pairs; one example, primary → shadow):');
    const top = m.fields.slice(0, MIRROR_TOP_FIELDS);
    const w = Math.max(...top.map((f) => f.field.length));
    for (const f of top) {
      const v = (s: string) => (f.field.startsWith('$') ? s : JSON.stringify(s)); // JSON leaves are JSON text already
      lines.push(`    ${f.field.padEnd(w)}  ${String(f.count).padStart(5)}  ${v(f.example.primary)} → ${v(f.example.shadow)}  (${f.example.path}, x-request-id ${f.example.requestId})`);
    }
    if (m.fields.length > top.length) lines.push(`    … ${m.fields.length - top.length} more fields (see --json)`);
  }
  if (m.replayed || m.noise.length) {
    const noise = m.noise.map((n) => `${n.field} (${n.count})`).join(', ');
    lines.push(`  noise (primary differs from its own replay; ${m.replayed} replays): ${noise || 'none'}`);
  }
  if (m.ignored.length) lines.push(`  ignored (mirrorDiff.ignore): ${m.ignored.map((n) => `${n.field} (${n.count})`).join(', ')}`);
  return lines;
}
