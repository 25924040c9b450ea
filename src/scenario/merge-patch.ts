// JSON Merge Patch (RFC 7396): how a scenario variant edits an Istio/K8s document.
// Objects merge key by key, `null` deletes a key, anything else (arrays included)
// replaces the target wholesale. Never mutates its inputs and shares no nested
// object with them, so one variant's edit cannot leak into another's.

import { isPlainObject as isObj } from '../mesh/config/fields.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** RFC 7396 §2 MergePatch(Target, Patch). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Deep copy of plain YAML/JSON data (so variants never share nested objects). */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}
