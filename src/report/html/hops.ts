// The per-hop section of a step in the HTML report: for a service graph, per
// variant, what each service's inbound sidecar measured (requests, requests per
// entry request, p50/p99 of its own hop, errors). Read from `steps[].hops` of a
// result file (docs/per-hop.md); older files have none and show no section.

/** One service's hop as read from a result file; a missing number stays absent. */
export interface HopView {
  service: string;
  requests: number;
  perEntryRequest?: number;
  p50Ms?: number;
  p99Ms?: number;
  errors?: number;
}

export interface VariantHops {
  variant: string;
  hops: HopView[];
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Adds a step's `hops` (as read from JSON) to `view`; entries without a service or a request count are skipped. */
export function addHops(view: { hops?: VariantHops[] }, variant: string, raw: unknown): void {
  if (!Array.isArray(raw)) return;
  const hops: HopView[] = [];
  for (const h of raw as unknown[]) {
    if (typeof h !== 'object' || h === null) continue;
    const r = h as Record<string, unknown>;
    const requests = num(r.requests);
    if (typeof r.service !== 'string' || requests === undefined) continue;
    const service = typeof r.version === 'string' && raw.some((o) => o !== h && (o as Record<string, unknown>)?.service === r.service) ? `${r.service} ${r.version}` : r.service;
    const opt = (k: 'perEntryRequest' | 'p50Ms' | 'p99Ms' | 'errors') => (num(r[k]) !== undefined ? { [k]: num(r[k]) } : {});
    hops.push({ service, requests, ...opt('perEntryRequest'), ...opt('p50Ms'), ...opt('p99Ms'), ...opt('errors') });
  }
  if (hops.length) (view.hops ??= []).push({ variant, hops });
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const html = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

function msCell(v: number | undefined): string {
  return v === undefined ? '–' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
}

/** The step's per-hop card, or '' when no variant's requests crossed more than one service. */
export function hopsCard(step: { hops?: VariantHops[] }): string {
  const graphs = (step.hops ?? []).filter((v) => v.hops.length > 1);
  if (!graphs.length) return '';
  const head = '<tr><th>variant</th><th>service</th><th>requests</th><th>per entry request</th><th>p50 ms</th><th>p99 ms</th><th>errors</th></tr>';
  const rows = graphs.flatMap((v) =>
    v.hops.map(
      (h, i) =>
        `<tr><td>${i === 0 ? html(v.variant) : ''}</td><td>${html(h.service)}</td><td>${h.requests}</td>` +
        `<td>${h.perEntryRequest === undefined ? '–' : `${h.perEntryRequest.toFixed(2)}×`}</td><td>${msCell(h.p50Ms)}</td><td>${msCell(h.p99Ms)}</td>` +
        `<td>${h.errors ?? '–'}</td></tr>`,
    ),
  );
  return `<div class="card scroll wide mb-hops"><h3>Per hop (each service's inbound sidecar)</h3><table>${head}${rows.join('')}</table></div>`;
}
