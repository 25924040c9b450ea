// Kinds a cluster dump (`kubectl get … -A -o yaml`) carries that meshbench does
// not emulate. Most are skipped with one summary line per kind (how many, which
// namespaces, why it does not matter); the few Istio kinds that can change how
// requests are routed get a warning each (docs/cluster-dump.md).

import type { Diagnostics } from './fields.js';
import type { SourceDoc } from './source.js';

/** Why a skipped kind makes no difference to meshbench's traffic. */
const SKIPPED: Record<string, string> = {
  ConfigMap: 'app configuration is not read (the pod plays its app or ServiceModel)',
  Secret: 'not read',
  Pod: 'meshbench makes the pods from their Deployment',
  ReplicaSet: 'meshbench makes the pods from their Deployment',
  ControllerRevision: 'meshbench makes the pods from their Deployment',
  HorizontalPodAutoscaler: 'replicas stay as the Deployment says',
  PodDisruptionBudget: 'nothing is evicted',
  Endpoints: 'endpoints come from the Deployments the Service selects',
  EndpointSlice: 'endpoints come from the Deployments the Service selects',
  Event: 'not read',
  Lease: 'not read',
  Role: 'Kubernetes RBAC does not change routing',
  RoleBinding: 'Kubernetes RBAC does not change routing',
  ClusterRole: 'Kubernetes RBAC does not change routing',
  ClusterRoleBinding: 'Kubernetes RBAC does not change routing',
  LimitRange: 'no resource limits are modelled',
  ResourceQuota: 'no resource limits are modelled',
  PersistentVolumeClaim: 'no storage is modelled',
  Job: 'batch jobs serve no traffic',
  CronJob: 'batch jobs serve no traffic',
  StatefulSet: 'only Deployments become pods: a Service selecting its pods has no endpoints here',
  DaemonSet: 'only Deployments become pods: a Service selecting its pods has no endpoints here',
  PeerAuthentication: 'every hop is plain HTTP on loopback (no mTLS)',
  AuthorizationPolicy: 'every request is allowed',
  RequestAuthentication: 'no JWT is checked',
  Telemetry: 'meshbench has its own stats and access log',
  WorkloadEntry: 'only Deployments and ServiceEntry endpoints are workloads',
  WorkloadGroup: 'only Deployments and ServiceEntry endpoints are workloads',
  ProxyConfig: 'sidecars use Envoy defaults',
  WasmPlugin: 'Wasm extensions do not run',
};

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding']);

/** Istio kinds that may change routing: each occurrence is warned about. */
const ROUTING: Record<string, string> = {
  Gateway: 'ingress/egress gateways are not emulated; VirtualServices bound only to a gateway have no effect',
  Sidecar: 'every sidecar sees every service and uses the default listeners (egress host limits are not applied)',
  EnvoyFilter: 'its Envoy configuration patches are not applied',
};

/** Kubernetes' own API groups: a kind there is known, not a typo, only when listed. */
function isIstioOrCore(apiVersion: string): boolean {
  return !apiVersion.includes('/') || /^(apps|autoscaling|policy|batch|coordination\.k8s\.io|discovery\.k8s\.io|rbac\.authorization\.k8s\.io|events\.k8s\.io|[a-z]+\.istio\.io)\//.test(apiVersion);
}

/** Every install manifest carries these (bookinfo.yaml its ServiceAccounts): accepted without a word. */
const SILENT = ['Namespace', 'ServiceAccount'];

/** A custom resource of a third-party API group (cert-manager.io, monitoring.coreos.com…): not a typo of ours. */
function isThirdPartyGroup(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return group.includes('.') && !/(^|\.)(k8s\.io|istio\.io)$/.test(group) && group !== 'meshbench';
}
const CUSTOM_RESOURCE = 'a custom resource of another API group; meshbench emulates Kubernetes workloads and Istio traffic management only';

/** `skip` (summary line) / `routing` (warned) / undefined (not a kind this module knows). */
export function skippedKind(apiVersion: string, kind: string): 'skip' | 'silent' | 'routing' | undefined {
  if (apiVersion === 'v1' && SILENT.includes(kind)) return 'silent';
  if (ROUTING[kind] !== undefined && apiVersion.startsWith('networking.istio.io/')) return 'routing';
  if (SKIPPED[kind] !== undefined && isIstioOrCore(apiVersion)) return 'skip';
  if (isThirdPartyGroup(apiVersion)) return 'skip';
  return undefined;
}

/** One warning per skipped kind, at its first document; one per routing-relevant document. */
export function reportSkipped(docs: SourceDoc[], diag: Diagnostics): void {
  const byKind = new Map<string, SourceDoc[]>();
  for (const d of docs) {
    if (ROUTING[d.kind] !== undefined && skippedKind(d.apiVersion, d.kind) === 'routing') {
      diag.warn(d, ['kind'], `${d.kind} "${d.name}" (${d.apiVersion}, namespace ${d.namespace}) is not emulated and may change routing: ${ROUTING[d.kind]}`);
      continue;
    }
    byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d]);
  }
  for (const [kind, list] of byKind) {
    const where = CLUSTER_SCOPED.has(kind)
      ? list.map((d) => d.name).join(', ')
      : (([ns]) => `namespace${ns.length === 1 ? '' : 's'} ${ns.join(', ')}`)([[...new Set(list.map((d) => d.namespace))].sort()]);
    diag.warn(list[0]!, ['kind'], `skipped ${list.length} ${kind}${list.length === 1 ? '' : ' documents'} (${where}): not emulated — ${SKIPPED[kind] ?? CUSTOM_RESOURCE}`);
  }
}
