// SourceDocs → MeshConfig. Kinds compile one module each; cross-document checks
// (duplicates, hosts and subsets nobody defines, Services without pods) run last.
// Every error found is reported at once (ConfigErrors), warnings ride along.

import { ConfigErrors } from '../../errors.js';
import type { ConfigError } from '../../errors.js';
import type { ConfigWarning, DestinationRule, MeshConfig, MeshService, VirtualService } from './model.js';
import type { CompileContext } from './context.js';
import { labelsMatch } from './context.js';
import { Diagnostics, suggest } from './fields.js';
import type { SourceDoc } from './source.js';
import { compileDeployment, instancesOf } from './deployment.js';
import { compileService } from './service.js';
import { compileServiceEntry } from './service-entry.js';
import { compileVirtualService, routeIndex } from './virtual-service.js';
import { compileDestinationRule } from './destination-rule.js';
import { isModelKind, isScenarioDoc, SCENARIO_API_VERSION, SCENARIO_KIND, SERVICE_MODEL_KIND } from './scenario-doc.js';
import { reportSkipped, skippedKind } from './skipped-kinds.js';
import { scaleWarnings } from './scale.js';
import { expandTopology, isIsotopeConfigMap, modelsFromConfigMap } from './isotope.js';
import { TOPOLOGY_KIND } from './isotope-doc.js';
import { currentProfile, type IstioProfile } from './istio-profile.js';
import { attachModels, compileServiceModel, type AttachOptions, type CompiledModel } from './service-model.js';

export const ISTIO_NETWORKING_VERSIONS = ['networking.istio.io/v1alpha3', 'networking.istio.io/v1beta1', 'networking.istio.io/v1'];

const ISTIO_KINDS = ['VirtualService', 'DestinationRule', 'ServiceEntry'];
const SUPPORTED =
  'Deployment (apps/v1), Service (v1), VirtualService, DestinationRule, ServiceEntry (networking.istio.io/v1, v1beta1, v1alpha3), ' +
  `${SCENARIO_KIND}, ${SERVICE_MODEL_KIND} (${SCENARIO_API_VERSION}), isotope topologies; kinds a cluster dump carries (ConfigMap, Secret, Pod, ReplicaSet, Endpoints, …) are skipped with a warning (docs/cluster-dump.md)`;

export type DocRole = 'Topology' | 'Deployment' | 'ServiceModel' | 'Service' | 'ServiceEntry' | 'VirtualService' | 'DestinationRule' | 'Scenario' | 'ignored';

/** How documents are compiled (CLI flags map onto these). */
export interface CompileOptions extends AttachOptions {
  /** The Istio release to emulate (`--istio`, a Scenario's `spec.istio`); default the current one. */
  istio?: IstioProfile;
}

/** What the compiler does with a document, or an error message for an unknown apiVersion/kind. */
export function classify(doc: SourceDoc): { role: DocRole; warning?: string; skipped?: boolean } | { error: string; path: string } {
  const { apiVersion, kind } = doc;
  if (isScenarioDoc(doc)) return { role: 'Scenario' };
  if (kind === TOPOLOGY_KIND) return { role: 'Topology' };
  if (apiVersion === SCENARIO_API_VERSION && isModelKind(kind)) {
    if (kind === SERVICE_MODEL_KIND) return { role: 'ServiceModel' };
    return { error: `unknown kind "${kind}" (apiVersion ${apiVersion}; did you mean "${SERVICE_MODEL_KIND}"?)`, path: 'kind' };
  }
  if (kind === 'Deployment') {
    return apiVersion === 'apps/v1' ? { role: 'Deployment' } : { error: `apiVersion "${apiVersion}" is not supported for Deployment (use apps/v1)`, path: 'apiVersion' };
  }
  if (apiVersion === 'v1' && kind === 'Service') return { role: 'Service' };
  const skipped = skippedKind(apiVersion, kind);
  if (skipped) return skipped === 'silent' ? { role: 'ignored' } : { role: 'ignored', skipped: true };
  if (ISTIO_KINDS.includes(kind)) {
    if (ISTIO_NETWORKING_VERSIONS.includes(apiVersion)) return { role: kind as DocRole };
    return { error: `apiVersion "${apiVersion}" is not supported for ${kind} (one of ${ISTIO_NETWORKING_VERSIONS.join(', ')})`, path: 'apiVersion' };
  }
  if (/\.istio\.io\//.test(apiVersion)) {
    // A misspelt kind we emulate is a typo, not a kind to ignore.
    const near = suggest(kind, ISTIO_KINDS);
    if (near) return { error: `unknown kind "${kind}" (apiVersion ${apiVersion}; did you mean "${near}"?)`, path: 'kind' };
    return { role: 'ignored', warning: `${kind} (${apiVersion}) is ignored: meshbench emulates sidecar traffic management only` };
  }
  return { error: `unknown kind "${kind}" (apiVersion ${apiVersion}); supported: ${SUPPORTED}`, path: 'kind' };
}

/** Compile; throws ConfigErrors listing every error found (warnings are in the result). */
export function compileMesh(docs: SourceDoc[], opts: CompileOptions = {}): MeshConfig {
  const r = checkMesh(docs, opts);
  if (!r.config) throw new ConfigErrors(r.errors);
  return r.config;
}

export interface MeshCheck {
  /** Absent when there are errors. */
  config?: MeshConfig;
  errors: ConfigError[];
  warnings: ConfigWarning[];
}

/** Compile without throwing: errors and warnings side by side (for `bench validate`). */
export function checkMesh(docs: SourceDoc[], opts: CompileOptions = {}): MeshCheck {
  const diag = new Diagnostics();
  const istio = opts.istio ?? currentProfile();
  const ctx: CompileContext = { diag, istio, workloads: [] };
  const byRole = new Map<DocRole, SourceDoc[]>();
  const skippedDocs: SourceDoc[] = [];
  for (const doc of docs) {
    const c = classify(doc);
    if ('error' in c) {
      diag.error(doc, [c.path], c.error);
      continue;
    }
    if (c.warning) diag.warn(doc, ['kind'], c.warning);
    if (c.skipped) skippedDocs.push(doc);
    if (!byRole.has(c.role)) byRole.set(c.role, []);
    byRole.get(c.role)!.push(doc);
  }
  reportSkipped(skippedDocs, diag);
  // isotope topologies expand into Deployments + Services (+ their models) before anything compiles.
  const isotopeModels: CompiledModel[] = [];
  for (const doc of byRole.get('Topology') ?? []) {
    const t = expandTopology(doc, diag);
    for (const d of t.docs) byRole.set(d.kind as DocRole, [...(byRole.get(d.kind as DocRole) ?? []), d]);
    isotopeModels.push(...t.models);
  }
  for (const cm of docs.filter(isIsotopeConfigMap)) isotopeModels.push(...modelsFromConfigMap(cm, byRole.get('Deployment') ?? [], diag));
  const of = (role: DocRole) => checkDuplicates(byRole.get(role) ?? [], diag);

  // Deployments first: Services resolve named targetPorts against their containers.
  for (const doc of of('Deployment')) {
    const w = compileDeployment(doc, ctx);
    if (w) ctx.workloads.push(w);
  }
  // Models next: they decide what each pod plays (and unknown images fall back to the default model).
  const models: CompiledModel[] = [...isotopeModels];
  for (const doc of of('ServiceModel')) {
    const m = compileServiceModel(doc, ctx);
    if (m) models.push(m);
  }
  attachModels(models, ctx, opts);
  const services: MeshService[] = [];
  for (const doc of of('Service')) {
    const s = compileService(doc, ctx);
    if (s) services.push(s);
  }
  for (const doc of of('ServiceEntry')) services.push(...compileServiceEntry(doc, ctx));
  const virtualServices: VirtualService[] = [];
  for (const doc of of('VirtualService')) {
    const vs = compileVirtualService(doc, ctx);
    if (vs) virtualServices.push(vs);
  }
  const destinationRules: DestinationRule[] = [];
  for (const doc of of('DestinationRule')) {
    const dr = compileDestinationRule(doc, ctx);
    if (dr) destinationRules.push(dr);
  }
  crossCheck(ctx, services, virtualServices, destinationRules, byRole);
  // Report in reading order (files as given, then line/col), whatever the compile order was.
  const fileOrder = new Map<string, number>();
  for (const d of docs) if (!fileOrder.has(d.file)) fileOrder.set(d.file, fileOrder.size);
  const rank = (loc: { file: string; line: number; col: number } | undefined) =>
    loc ? (fileOrder.get(loc.file) ?? fileOrder.size) * 1e12 + loc.line * 1e5 + loc.col : Number.MAX_SAFE_INTEGER;
  diag.errors.sort((a, b) => rank(a.location) - rank(b.location));
  diag.warnings.sort((a, b) => rank(a.loc) - rank(b.loc));
  if (diag.errors.length > 0) return { errors: diag.errors, warnings: diag.warnings };
  const workloads = ctx.workloads.map((w) => w.workload);
  const config: MeshConfig = {
    istio,
    workloads,
    instances: workloads.flatMap(instancesOf),
    services,
    virtualServices,
    destinationRules,
    warnings: diag.warnings,
  };
  diag.warnings.push(...scaleWarnings(config));
  return { config, errors: [], warnings: diag.warnings };
}

/** Kubernetes keeps one object per kind/namespace/name: a second one is an error. */
function checkDuplicates(docs: SourceDoc[], diag: Diagnostics): SourceDoc[] {
  const seen = new Map<string, SourceDoc>();
  const out: SourceDoc[] = [];
  for (const d of docs) {
    if (!d.name) {
      out.push(d); // reported by the kind compiler (missing metadata.name)
      continue;
    }
    const key = `${d.kind}/${d.namespace}/${d.name}`;
    const first = seen.get(key);
    if (first) {
      const at = first.locate([]);
      diag.error(d, ['metadata', 'name'], `duplicate ${d.kind} "${d.name}" in namespace "${d.namespace}" (first defined at ${at.file}:${at.line}:${at.col})`);
      continue;
    }
    seen.set(key, d);
    out.push(d);
  }
  return out;
}

function crossCheck(
  ctx: CompileContext,
  services: MeshService[],
  vss: VirtualService[],
  drs: DestinationRule[],
  byRole: Map<DocRole, SourceDoc[]>,
): void {
  const { diag } = ctx;
  const docOf = (kind: DocRole, name: string, ns: string) => byRole.get(kind)?.find((d) => d.name === name && d.namespace === ns);
  const known = new Set(services.map((s) => s.fqdn));
  const isKnown = (host: string) =>
    known.has(host) || (host.startsWith('*') && [...known].some((k) => host === '*' || k.endsWith(host.slice(1))));
  const hint = (host: string) => {
    const short = host.split('.')[0];
    const cand = services.find((s) => s.name === short || s.fqdn.startsWith(`${short}.`));
    return cand && cand.fqdn !== host ? ` (did you mean ${cand.fqdn}?)` : '';
  };

  // The first DestinationRule of a host is the one in effect (later ones get a warning below).
  const drOf = new Map<string, DestinationRule>();
  for (const dr of drs) if (!drOf.has(dr.host)) drOf.set(dr.host, dr);
  const subsetHasPods = (host: string, labels: Record<string, string>): boolean => {
    const svc = services.find((x) => x.fqdn === host);
    if (!svc || svc.staticEndpoints) return true; // ServiceEntry endpoint labels are matched at runtime
    return ctx.workloads.some(
      (w) => w.workload.namespace === svc.namespace && labelsMatch(svc.selector ?? {}, w.workload.labels) && labelsMatch(labels, w.workload.labels),
    );
  };

  for (const vs of vss) {
    const doc = docOf('VirtualService', vs.name, vs.namespace);
    if (!doc) continue;
    if (!vs.gateways.includes('mesh')) {
      diag.warn(doc, ['spec', 'gateways'], `bound only to gateways (${vs.gateways.join(', ')}), not to "mesh": sidecars ignore this VirtualService, so it has no effect in meshbench`);
      continue;
    }
    vs.hosts.forEach((h, i) => {
      if (!isKnown(h)) diag.warn(doc, ['spec', 'hosts', i], `host ${h} is not a Service or ServiceEntry in this mesh${hint(h)}`);
    });
    vs.http.forEach((route) => {
      const ri = routeIndex.get(route) ?? 0;
      const dests = [
        ...route.route.map((d, j) => ({ d: d.destination, path: ['spec', 'http', ri, 'route', j, 'destination'] as (string | number)[] })),
        ...route.mirrors.map((m, k) => ({
          d: m.destination,
          path: (hasMirrorsList(doc, ri) ? ['spec', 'http', ri, 'mirrors', k, 'destination'] : ['spec', 'http', ri, 'mirror']) as (string | number)[],
        })),
      ];
      for (const { d, path } of dests) {
        if (!isKnown(d.host)) {
          diag.warn(doc, [...path, 'host'], `destination host ${d.host} is not a Service or ServiceEntry in this mesh${hint(d.host)}`);
          continue;
        }
        if (d.subset !== undefined) {
          const defined = drOf.get(d.host)?.subsets.find((s) => s.name === d.subset);
          if (!defined) {
            diag.warn(doc, [...path, 'subset'], `subset "${d.subset}" of ${d.host} is not defined by any DestinationRule: requests routed here get 503 (no cluster, NC) as in Envoy`);
          } else if (!subsetHasPods(d.host, defined.labels)) {
            diag.warn(doc, [...path, 'subset'], `no pod of ${d.host} has the labels of subset "${d.subset}": requests routed here get 503 (no healthy upstream, UH)`);
          }
        }
      }
    });
  }

  const drHosts = new Map<string, DestinationRule>();
  for (const dr of drs) {
    const doc = docOf('DestinationRule', dr.name, dr.namespace);
    if (!doc) continue;
    if (!isKnown(dr.host)) diag.warn(doc, ['spec', 'host'], `host ${dr.host} is not a Service or ServiceEntry in this mesh${hint(dr.host)}`);
    const prev = drHosts.get(dr.host);
    if (prev) diag.warn(doc, ['spec', 'host'], `DestinationRule "${prev.name}" already configures ${dr.host}; only the first one is used`);
    else drHosts.set(dr.host, dr);
  }
}

function hasMirrorsList(doc: SourceDoc, ri: number): boolean {
  const http = (doc.value.spec as { http?: unknown[] } | undefined)?.http;
  const r = Array.isArray(http) ? (http[ri] as Record<string, unknown> | null) : null;
  return r !== null && typeof r === 'object' && Array.isArray(r.mirrors);
}
