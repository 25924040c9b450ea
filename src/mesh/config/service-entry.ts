// ServiceEntry → one MeshService per host with static endpoints. meshbench runs on
// one machine and only ever dials loopback, so every endpoint must be a loopback address.

import type { MeshService, ServicePort, StaticEndpoint } from './model.js';
import type { CompileContext } from './context.js';
import { isLoopbackAddress, readObject } from './context.js';
import { Fields } from './fields.js';
import type { SourceDoc } from './source.js';

const RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'];
const LOOPBACK_ONLY = 'meshbench only reaches servers on this machine: use 127.0.0.1 (any 127.0.0.0/8 address), ::1 or localhost';

export function compileServiceEntry(doc: SourceDoc, ctx: CompileContext): MeshService[] {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return [];
  spec.allow(['hosts', 'addresses', 'ports', 'location', 'resolution', 'endpoints', 'exportTo', 'subjectAltNames', 'workloadSelector']);
  const hosts = spec.strList('hosts') ?? [];
  if (hosts.length === 0) spec.error(spec.has('hosts') ? 'hosts' : null, spec.has('hosts') ? 'at least one host is required' : 'missing required field "hosts" (a list of host names)');
  spec.strList('addresses');
  const exportTo = spec.strList('exportTo');
  if (exportTo && !exportTo.includes('*')) spec.warn('exportTo', 'exportTo of a ServiceEntry is not emulated: every sidecar sees it (VirtualService exportTo is)');
  spec.strList('subjectAltNames');
  const location = spec.str('location');
  if (location !== undefined && !['MESH_EXTERNAL', 'MESH_INTERNAL'].includes(location)) {
    spec.error('location', `unknown location "${location}" (one of MESH_EXTERNAL, MESH_INTERNAL)`);
  }
  const resolution = spec.str('resolution') ?? 'NONE';
  if (!RESOLUTIONS.includes(resolution)) spec.error('resolution', `unknown resolution "${resolution}" (one of ${RESOLUTIONS.join(', ')})`);
  if (spec.has('workloadSelector')) spec.error('workloadSelector', 'workloadSelector is not supported by meshbench; list the endpoints instead');

  const ports: ServicePort[] = [];
  for (const p of spec.objects('ports', { required: true })) {
    p.allow(['number', 'protocol', 'name', 'targetPort']);
    const number = p.int('number', { required: true, min: 1, max: 65535 });
    const name = p.str('name', { required: true }) ?? '';
    const protocol = p.str('protocol') ?? 'TCP';
    const targetPort = p.int('targetPort', { min: 1, max: 65535 });
    if (number !== undefined) ports.push({ name, port: number, targetPort: targetPort ?? number, protocol });
  }
  const portNames = new Set(ports.map((p) => p.name));

  const endpoints: StaticEndpoint[] = [];
  for (const e of spec.objects('endpoints')) {
    e.allow(['address', 'ports', 'labels', 'network', 'locality', 'weight', 'serviceAccount']);
    const address = e.str('address', { required: true });
    if (address !== undefined && !isLoopbackAddress(address)) {
      e.error('address', `endpoint address "${address}" is not a loopback address; ${LOOPBACK_ONLY}`);
    }
    const epPorts: Record<string, number> = {};
    const pf = e.obj('ports');
    if (pf) {
      for (const k of Object.keys(pf.value)) {
        const n = pf.int(k, { min: 1, max: 65535 });
        if (!portNames.has(k)) pf.error(k, `no port named "${k}" in spec.ports (have: ${[...portNames].join(', ') || 'none'})`);
        else if (n !== undefined) epPorts[k] = n;
      }
    }
    const labels = e.strMap('labels') ?? {};
    e.int('weight', { min: 0 });
    if (address !== undefined) endpoints.push({ address: address === '[::1]' ? '::1' : address, ports: epPorts, labels });
  }

  if (!spec.has('endpoints')) {
    // DNS / NONE without endpoints: the host name itself is dialled.
    if (resolution === 'STATIC') spec.error('resolution', 'resolution STATIC needs endpoints (list them under spec.endpoints)');
    else {
      hosts.forEach((h, i) => {
        if (isLoopbackAddress(h)) endpoints.push({ address: h, ports: {}, labels: {} });
        else spec.diag.error(spec.doc, [...spec.at('hosts'), i], `host "${h}" has no endpoints and would be resolved by DNS; ${LOOPBACK_ONLY} (add spec.endpoints with a loopback address)`);
      });
    }
  }

  // Every endpoint gets a port for every service port: its own `ports` entry, else
  // the port's targetPort, else the port number (Istio's order), so the proxy never guesses.
  for (const ep of endpoints) {
    for (const p of ports) ep.ports[p.name] ??= p.targetPort;
  }

  return hosts.map((host) => ({
    name: host,
    namespace: doc.namespace,
    fqdn: host,
    ports,
    // With several hosts and host-derived endpoints, each host dials only itself.
    staticEndpoints: spec.has('endpoints') ? endpoints : endpoints.filter((e) => e.address === host),
    aliases: [host, ...ports.map((p) => `${host}:${p.port}`)],
    origin: { kind: doc.kind, name: doc.name, namespace: doc.namespace, loc: doc.locate([]) },
  }));
}
