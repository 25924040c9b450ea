// The mirror section of a step (docs/mirror-diff.md): what the shadow answered
// against the primary, per variant that mirrored — the HTML twin of the text
// report's mirror lines. A number the result does not hold shows as "—".

import { esc } from './escape.js';
import type { MirrorView } from './model.js';

/** Differing fields listed per variant (the rest are in the JSON). */
export const MIRROR_TOP_FIELDS = 10;

const n = (v: number | undefined): string => (v === undefined ? '—' : String(v));
const ms = (v: number | undefined): string => (v === undefined ? '—' : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number | undefined): string => (v === undefined ? '—' : `${Number((100 * v).toFixed(2))}%`);

function latency(p: { p50?: number; p99?: number } | undefined): string {
  return p ? `${ms(p.p50)} / ${ms(p.p99)}` : '—';
}

function summaryRow(m: MirrorView): string {
  const cells = [
    n(m.compared),
    `${n(m.identical)}${m.noiseOnly ? ` <span class="delta">(${m.noiseOnly} noise only)</span>` : ''}`,
    `${n(m.differing)} <span class="delta">${pct(m.differingShare)}</span>`,
    n(m.shadowErrors),
    n(m.shadowTimeouts),
    n(m.primaryErrors),
    n(m.captured),
    n(m.skipped),
    latency(m.latency?.primary),
    latency(m.latency?.shadow),
  ];
  return `<tr><td>${esc(m.variant)}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function fieldsTable(m: MirrorView, many: boolean): string {
  if (!m.fields.length) return '';
  const top = m.fields.slice(0, MIRROR_TOP_FIELDS);
  const rows = top.map((f) => {
    const e = f.example;
    // JSON leaves are JSON text already; header and status values are plain strings.
    const v = (s: string | undefined) => (s === undefined ? '—' : f.field.startsWith('$') ? s : JSON.stringify(s));
    const where = e ? `${e.path ?? '?'}, x-request-id ${e.requestId ?? '?'}` : '';
    return `<tr><td class="text"><code>${esc(f.field)}</code></td><td>${n(f.count)}</td><td class="text"><code>${esc(v(e?.primary))}</code></td><td class="text"><code>${esc(v(e?.shadow))}</code></td><td class="text"><code>${esc(where)}</code></td></tr>`;
  });
  const more = m.fields.length > top.length ? `<div class="legend-note">… ${m.fields.length - top.length} more fields (see the JSON result)</div>` : '';
  return `<h3 style="margin-top:12px">Differing fields${many ? ` — ${esc(m.variant)}` : ''} (pairs; one example each)</h3><table data-mirror-fields="${esc(m.variant)}"><tr><th class="text">field</th><th>pairs</th><th class="text">primary</th><th class="text">shadow</th><th class="text">example request</th></tr>${rows.join('')}</table>${more}`;
}

function listed(title: string, xs: Array<{ field: string; count?: number }>): string {
  return `<div class="legend-note">${esc(title)}: ${xs.length ? xs.map((x) => `<code>${esc(x.field)}</code> (${n(x.count)})`).join(', ') : 'none'}</div>`;
}

export function mirrorCard(views: MirrorView[]): string {
  const many = views.length > 1;
  const head =
    '<tr><th>variant</th><th>pairs compared</th><th>identical</th><th>differing</th><th>shadow errors</th><th>of which timeouts</th>' +
    '<th>primary errors</th><th>captured</th><th>not captured</th><th>primary p50 / p99 ms</th><th>shadow p50 / p99 ms</th></tr>';
  const parts = [`<div class="card scroll wide" data-section="mirror"><h3>Mirror: primary vs shadow</h3><table>${head}${views.map(summaryRow).join('')}</table>`];
  for (const m of views) {
    parts.push(fieldsTable(m, many));
    if (m.replayed || m.noise.length) parts.push(listed(`Noise${many ? ` — ${m.variant}` : ''} (the primary differs from its own replay; ${n(m.replayed)} replays), reported apart`, m.noise));
    if (m.ignored.length) parts.push(listed(`Ignored${many ? ` — ${m.variant}` : ''} (mirrorDiff.ignore)`, m.ignored));
  }
  parts.push('<div class="legend-note">Identical: no difference outside noise. Not captured: mirrored requests the capture sampled out under load or past its bounds (counted, not compared).</div></div>');
  return parts.join('');
}
