// Kubernetes Service → MeshService: `<name>.<ns>.svc.cluster.local`, ports with
// targetPort resolved against the selected pods' named container ports, and the
// Host header spellings a sidecar's virtual host accepts (spec §2.1).

import { CLUSTER_DOMAIN } from './model.js';
import type { MeshService, ServicePort } from './model.js';
import type { CompileContext } from './context.js';
import { formatLabels, labelsMatch, readObject } from './context.js';
import { describe, Fields } from './fields.js';
import type { SourceDoc } from './source.js';

const SPEC_FIELDS = ['ports', 'selector', 'type', 'clusterIP', 'clusterIPs'];
const SPEC_IGNORED = [
  'sessionAffinity', 'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'internalTrafficPolicy',
  'externalTrafficPolicy', 'publishNotReadyAddresses', 'loadBalancerIP', 'loadBalancerSourceRanges', 'externalIPs',
  'healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'loadBalancerClass', 'trafficDistribution',
];

/** Every spelling of the service's name a Host header may use (spec §2.1). */
export function serviceAliases(name: string, namespace: string, ports: number[]): string[] {
  const names = [
    `${name}.${namespace}.${CLUSTER_DOMAIN}`,
    name,
    `${name}.${namespace}`,
    `${name}.${namespace}.svc`,
    `${name}.${namespace}.svc.cluster`,
  ];
  const out: string[] = [];
  for (const n of names) {
    out.push(n);
    for (const p of ports) out.push(`${n}:${p}`);
  }
  return out;
}

export function compileService(doc: SourceDoc, ctx: CompileContext): MeshService | undefined {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return undefined;
  spec.allow(SPEC_FIELDS, SPEC_IGNORED);
  const type = spec.str('type');
  if (type !== undefined && !['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) {
    spec.error(
      'type',
      type === 'ExternalName'
        ? 'type ExternalName is not supported; describe an external upstream with a ServiceEntry'
        : `unknown Service type "${type}" (one of ClusterIP, NodePort, LoadBalancer)`,
    );
  }
  const selector = spec.strMap('selector');
  const selected = selector
    ? ctx.workloads.filter((w) => w.workload.namespace === doc.namespace && labelsMatch(selector, w.workload.labels))
    : [];
  if (!selector || Object.keys(selector).length === 0) {
    root.warn('spec', 'Service has no selector: it has no endpoints in meshbench');
  } else if (selected.length === 0) {
    spec.warn('selector', `no Deployment in namespace "${doc.namespace}" has pod labels ${formatLabels(selector)}: the Service has no endpoints`);
  }

  const items = spec.objects('ports', { required: true });
  if (spec.has('ports') && items.length === 0 && Array.isArray(spec.raw('ports'))) spec.error('ports', 'at least one port is required');
  const ports: ServicePort[] = [];
  const seenNames = new Set<string>();
  for (const p of items) {
    p.allow(['name', 'port', 'targetPort', 'protocol', 'appProtocol', 'nodePort']);
    const port = p.int('port', { required: true, min: 1, max: 65535 });
    const name = p.str('name') ?? '';
    if (items.length > 1 && name === '') p.error(null, 'missing required field "name" (ports of a multi-port Service must be named)');
    if (name && seenNames.has(name)) p.error('name', `duplicate port name "${name}"`);
    seenNames.add(name);
    const protocol = p.str('protocol') ?? 'TCP';
    p.str('appProtocol');
    if (port === undefined) continue;
    const tp = p.raw('targetPort');
    let targetPort = port;
    if (typeof tp === 'number') {
      if (!Number.isInteger(tp) || tp < 1 || tp > 65535) p.error('targetPort', `must be a port number between 1 and 65535 or a port name, got ${tp}`);
      else targetPort = tp;
    } else if (typeof tp === 'string') {
      if (/^\d+$/.test(tp)) {
        p.error('targetPort', `expected a number or a port name, got ${JSON.stringify(tp)} (write ${tp} without quotes)`);
      } else if (selected.length > 0) {
        const found = selected.find((w) => w.namedPorts.has(tp));
        if (found) targetPort = found.namedPorts.get(tp)!;
        else {
          const have = [...new Set(selected.flatMap((w) => [...w.namedPorts.keys()]))];
          p.error('targetPort', `no container port named "${tp}" in the selected Deployments (${selected.map((w) => w.workload.name).join(', ')}; named ports: ${have.join(', ') || 'none'})`);
        }
      }
    } else if (tp !== undefined) {
      p.error('targetPort', `expected a number or a port name, got ${describe(tp)}`);
    }
    ports.push({ name, port, targetPort, protocol });
  }
  return {
    name: doc.name,
    namespace: doc.namespace,
    fqdn: `${doc.name}.${doc.namespace}.${CLUSTER_DOMAIN}`,
    ports,
    selector: selector ?? {},
    aliases: serviceAliases(doc.name, doc.namespace, ports.map((p) => p.port)),
    origin: { kind: doc.kind, name: doc.name, namespace: doc.namespace, loc: doc.locate([]) },
  };
}
