// meshbench's own document, the Scenario, travels in the same files as the
// Kubernetes/Istio documents. Whether a document is one is decided here only:
// the mesh compiler skips it, the scenario layer reads it.

import type { SourceDoc } from './source.js';

export const SCENARIO_API_VERSION = 'meshbench/v1';
export const SCENARIO_KIND = 'Scenario';
/** meshbench's other document kind: a mesh document (service-model.ts), not a Scenario. */
export const SERVICE_MODEL_KIND = 'ServiceModel';

/**
 * Either marker makes a Scenario document, so a typo in the other one is reported
 * by the scenario parser ("kind: expected Scenario") rather than as an unknown
 * Kubernetes kind, and the document never reaches the mesh compiler. A meshbench
 * kind that reads like a model (`ServiceModel`, `ServiceModle`) is left to the
 * mesh compiler, which reads or names it.
 */
export function isScenarioDoc(d: Pick<SourceDoc, 'apiVersion' | 'kind'>): boolean {
  return (d.apiVersion === SCENARIO_API_VERSION && !isModelKind(d.kind)) || d.kind === SCENARIO_KIND;
}

/** `ServiceModel` or a misspelling of it (the compiler reports those with a did-you-mean). */
export function isModelKind(kind: string): boolean {
  return /mod[el]{2}/i.test(kind);
}
