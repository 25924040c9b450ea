// Shared helpers of the per-kind compilers: host completion, label selection and the
// metadata every Kubernetes object may carry.

import { CLUSTER_DOMAIN } from './model.js';
import type { Workload } from './model.js';
import type { Diagnostics, Fields } from './fields.js';
import type { SourceDoc } from './source.js';
import type { IstioProfile } from './istio-profile.js';

/** A compiled Deployment plus what Services need from it (named container ports). */
export interface WorkloadInfo {
  workload: Workload;
  namedPorts: Map<string, number>;
  doc: SourceDoc;
  /** The pod's `meshbench.io/service-model` annotation: a ServiceModel by name. */
  modelRef?: { name: string; path: ReadonlyArray<string | number> };
  /** Set when the image is not a built-in app: the error `--strict-images` reports. */
  unknownImage?: string;
}

export interface CompileContext {
  diag: Diagnostics;
  /** The Istio release whose rules the kind compilers follow. */
  istio: IstioProfile;
  workloads: WorkloadInfo[];
}

/**
 * Istio's ResolveShortnameToFQDN: a name without a dot is completed with the
 * namespace of the document that names it; anything with a dot is taken as is.
 */
export function completeHost(host: string, namespace: string): string {
  if (host.startsWith('*') || host.includes('.')) return host;
  return `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** Kubernetes equality selector: every selector label present with the same value. */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

export function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

const METADATA_FIELDS = [
  'name',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'generateName',
  'ownerReferences',
  'finalizers',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** Top level + metadata checks shared by every kind; returns the `spec` reader. */
export function readObject(root: Fields, opts: { specRequired: boolean; extraTopLevel?: string[] }): Fields | undefined {
  root.allow(['apiVersion', 'kind', 'metadata', 'spec', ...(opts.extraTopLevel ?? [])], ['status']);
  const meta = root.obj('metadata', { required: true });
  if (meta) {
    meta.allow(METADATA_FIELDS);
    meta.str('name', { required: true, nonEmpty: true });
    meta.strMap('labels');
    meta.strMap('annotations');
  }
  return root.obj('spec', { required: opts.specRequired });
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return DNS1123_LABEL.test(s);
}

export function isLoopbackAddress(address: string): boolean {
  if (address === 'localhost' || address === '::1' || address === '[::1]') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}
