// A variant = the scenario's Istio/K8s documents with its merge patches applied.
// Each variant gets deep copies, so a patch in one variant can never be seen by
// another (they also run on freshly booted meshes: runner.ts).

import type { SourceDoc } from '../mesh/config/source.js';
import { applyMergePatch, clone } from './merge-patch.js';
import type { VariantSpec } from './model.js';

export function applyVariant(docs: readonly SourceDoc[], variant: VariantSpec): SourceDoc[] {
  return docs.map((d) => {
    let value: Record<string, unknown> = clone(d.value);
    for (const p of variant.patches) {
      const t = p.target;
      if (t.kind !== d.kind || t.name !== d.name || (t.namespace !== undefined && t.namespace !== d.namespace)) continue;
      value = applyMergePatch(value, p.merge) as Record<string, unknown>;
    }
    // Same identity and source positions; only the value differs. locate() keeps
    // pointing into the original file (patched-in fields fall back to their parent).
    return {
      file: d.file,
      index: d.index,
      apiVersion: d.apiVersion,
      kind: d.kind,
      name: d.name,
      namespace: d.namespace,
      value,
      locate: (path) => d.locate(path),
    };
  });
}
