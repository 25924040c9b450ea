// Whether a YAML document is an isotope topology (docs/isotope.md) is decided
// here only: the reader gives it a kind, the compiler expands it (isotope.ts).

/** The kind a topology document gets (isotope's README names it; the files themselves carry none). */
export const TOPOLOGY_KIND = 'MockServiceGraph';
export const TOPOLOGY_API_VERSION = 'isotope';

/** A bare topology (no apiVersion/kind, a `services` list) or one marked with isotope's README kind. */
export function isTopologyValue(v: Record<string, unknown>): boolean {
  if (v.kind === TOPOLOGY_KIND) return true;
  return v.apiVersion === undefined && v.kind === undefined && Array.isArray(v.services);
}
