// isotope (istio/tools) service graphs, run as they are (docs/isotope.md).
// A topology file (`defaults` + `services`, no apiVersion/kind) expands the way
// isotope's converter does — one Deployment and one Service (port 8080, named
// http-web) per service — plus `app`/`version` pod labels so DestinationRule
// subsets work, and one ServiceModel per service with isotope's runtime rules:
// every N-th request answers 500 before any work, calls succeed on exactly 200,
// only the tracing headers are forwarded, no app timeout or retry, a fixed
// response payload. The converter's own output (mock-service Deployments and the
// `service-graph-config` ConfigMap) plays the same models.

import { CLUSTER_DOMAIN, DEFAULT_NAMESPACE } from './model.js';
import type { Distribution, ErrorRule, ModelCall, ScriptCommand, ScriptStep, ServiceModel } from './model.js';
import type { CompiledModel } from './service-model.js';
import { readModelExtensions, readSteps } from './service-model.js';
import { describe, Fields, isPlainObject, type Diagnostics } from './fields.js';
import type { FieldPath, SourceDoc } from './source.js';
import { BYTES, DURATION, readDistribution } from './distribution.js';
import { parse as parseYaml } from 'yaml';
import { TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from './isotope-doc.js';

/** isotope's fixed service port. */
export const ISOTOPE_PORT = 8080;
/** The converter's ConfigMap and its key. */
const CONFIG_MAP = 'service-graph-config';
const CONFIG_KEY = 'service-graph';
/** Image the expanded Deployments carry (any image works: the model decides behaviour). */
const IMAGE = 'meshbench/isotope-mock-service';

/** isotope's forwarded headers (service/pkg/srv/header.go): tracing only, nothing else. */
export const ISOTOPE_FORWARDED = [
  'x-request-id', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'x-ot-span-context',
  'x-datadog-trace-id', 'x-datadog-parent-id', 'x-datadog-sampling-priority', 'traceparent', 'tracestate',
  'x-cloud-trace-context', 'grpc-trace-bin',
];

const TOP_FIELDS = ['defaults', 'services', 'apiVersion', 'kind', 'metadata'];
const DEFAULT_FIELDS = ['type', 'numReplicas', 'errorRate', 'responseSize', 'script', 'requestSize'];
/** `model` is meshbench's extension: ServiceModel fields (latency, capacity, errors, …) for this service. */
const SERVICE_FIELDS = ['name', 'namespace', 'cluster', 'type', 'numReplicas', 'isEntrypoint', 'errorRate', 'responseSize', 'script', 'labels', 'model'];
const CALL_FIELDS = ['service', 'hostname', 'size', 'probability', 'extra-header'];

export interface ExpandedTopology {
  /** Synthetic Deployment and Service documents (locations point into the topology). */
  docs: SourceDoc[];
  models: CompiledModel[];
  /** Entry services (`isEntrypoint: true`) as `name.namespace`. */
  entrypoints: Array<{ name: string; namespace: string }>;
}

interface GraphService {
  name: string;
  namespace: string;
  f: Fields;
  index: number;
}

/** Expand one topology document. Unknown keys warn (isotope ignores them); real mistakes are errors. */
export function expandTopology(doc: SourceDoc, diag: Diagnostics): ExpandedTopology {
  const root = Fields.root(doc, diag);
  warnUnknown(root, TOP_FIELDS);
  const defaults = root.obj('defaults');
  if (defaults) warnUnknown(defaults, DEFAULT_FIELDS);
  const services: GraphService[] = [];
  for (const f of root.objects('services', { required: true })) {
    warnUnknown(f, SERVICE_FIELDS);
    const name = f.str('name');
    if (!name) {
      f.error(null, 'services must have a name');
      continue;
    }
    if (services.some((s) => s.name === name)) f.error('name', `duplicate service "${name}"`);
    services.push({ name, namespace: f.str('namespace', { nonEmpty: true }) ?? doc.namespace, f, index: Number(f.path[1]) });
  }
  const known = new Set(services.map((s) => s.name));
  const out: ExpandedTopology = { docs: [], models: [], entrypoints: [] };
  for (const s of services) {
    const { f } = s;
    const type = f.str('type') ?? defaults?.str('type') ?? 'http';
    if (type !== 'http' && type !== 'grpc') f.error('type', `expected "http" or "grpc", got ${JSON.stringify(type)}`);
    else if (type === 'grpc') f.warn('type', 'type grpc is not emulated (isotope itself serves HTTP/1.1 only): this service speaks HTTP');
    const replicas = f.int('numReplicas', { min: 0 }) ?? defaults?.int('numReplicas', { min: 0 }) ?? 1;
    const labels = f.strMap('labels') ?? {};
    if (f.bool('isEntrypoint')) out.entrypoints.push({ name: s.name, namespace: s.namespace });
    const scriptOwner = f.has('script') ? f : defaults?.has('script') ? defaults : undefined;
    const model: ServiceModel = {
      name: s.name,
      errors: errorRule(f.has('errorRate') ? f : defaults, 'errorRate'),
      response: { status: 200, size: { kind: 'fixed', value: size(f.has('responseSize') ? f : defaults, 'responseSize') }, headers: {} },
      script: scriptOwner ? readScript(scriptOwner, known, defaults) : [],
      propagate: [...ISOTOPE_FORWARDED],
      callSuccess: 'exactly200',
    };
    const ext = f.obj('model');
    if (ext) readModelExtensions(ext, model);
    const locate = (_p: FieldPath) => doc.locate(f.path);
    const synthetic = (value: Record<string, unknown>): SourceDoc => ({
      file: doc.file,
      index: doc.index,
      apiVersion: value.apiVersion as string,
      kind: value.kind as string,
      name: s.name,
      namespace: s.namespace,
      value,
      locate,
    });
    const objLabels = { role: 'service', app: s.name, ...labels };
    const meta = { name: s.name, namespace: s.namespace, labels: objLabels };
    const podLabels = { role: 'service', name: s.name, app: s.name, version: 'v1', ...labels };
    const deployment = synthetic({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas,
        selector: { matchLabels: { name: s.name } },
        template: {
          metadata: { labels: podLabels },
          spec: {
            containers: [
              { name: 'mock-service', image: IMAGE, ports: [{ containerPort: ISOTOPE_PORT }], env: [{ name: 'SERVICE_NAME', value: s.name }] },
            ],
          },
        },
      },
    });
    const service = synthetic({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta,
      spec: { ports: [{ name: 'http-web', port: ISOTOPE_PORT }], selector: { name: s.name } },
    });
    out.docs.push(deployment, service);
    out.models.push({ model, doc: deployment, namespace: s.namespace, deployment: s.name });
  }
  return out;
}

/** isotope's errorRate: a Percentage ("5%" or 0.05), every N-th request answers 500 before the work. */
function errorRule(f: Fields | undefined, name: string): ErrorRule[] {
  if (!f || !f.has(name)) return [];
  const raw = f.raw(name);
  let rate: number | undefined;
  if (typeof raw === 'number') rate = raw;
  else if (typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(raw)) rate = Number(raw.replace('%', '').trim()) / 100;
  if (rate === undefined || rate < 0 || rate > 1) {
    f.error(name, `expected a percentage such as "5%" or a fraction 0..1 such as 0.05, got ${describe(raw)}`);
    return [];
  }
  if (rate === 0) return [];
  // isotope (service/pkg/srv/handler.go): N = 10000 / int(rate × 10000), integer division.
  const perTenThousand = Math.floor(rate * 10000 + 1e-9);
  if (perTenThousand === 0) {
    f.error(name, `${describe(raw)} is below 0.01 %, the smallest error rate isotope can express (it would divide by zero)`);
    return [];
  }
  return [{ status: 500, every: Math.floor(10000 / perTenThousand), when: 'before' }];
}

function size(f: Fields | undefined, name: string): number {
  if (!f || !f.has(name)) return 0;
  const v = BYTES.parse(f.raw(name));
  if (typeof v === 'string') {
    f.error(name, v);
    return 0;
  }
  return v;
}

function readScript(f: Fields, known: Set<string>, defaults: Fields | undefined): ScriptStep[] {
  return readSteps(f, (parent, item) => readCommand(parent, item.path, item.value, known, defaults), 'concurrent commands may not be nested');
}

function readCommand(parent: Fields, path: FieldPath, v: unknown, known: Set<string>, defaults: Fields | undefined): ScriptCommand | undefined {
  if (!isPlainObject(v)) {
    parent.diag.error(parent.doc, path, `expected a command (sleep or call) or a list of them, got ${describe(v)}`);
    return undefined;
  }
  const f = new Fields(parent.doc, parent.diag, path, v);
  const keys = Object.keys(v);
  if (keys.length !== 1) {
    f.error(null, `multiple keys for command (a command has exactly one key, sleep or call; got ${keys.join(', ') || 'none'})`);
    return undefined;
  }
  if (keys[0] === 'sleep') {
    // isotope: a Go duration; a distribution (docs/service-model.md) is meshbench's extension.
    const d: Distribution | undefined = readDistribution(f, 'sleep', DURATION);
    return d && { sleep: d };
  }
  if (keys[0] !== 'call') {
    f.error(keys[0], `unknown command "${keys[0]}" (isotope has sleep and call)`);
    return undefined;
  }
  const requestSize = size(defaults, 'requestSize');
  const raw = f.raw('call');
  const base = (service: string): ModelCall => ({
    host: `${service}:${ISOTOPE_PORT}`,
    method: 'GET',
    path: '/',
    size: requestSize,
    probability: 1,
    timeoutMs: null,
    retries: 0,
    headers: {},
  });
  if (typeof raw === 'string') {
    if (!known.has(raw)) f.error('call', `cannot call undefined service "${raw}"`);
    return { call: base(raw) };
  }
  const c = f.obj('call');
  if (!c) return undefined;
  warnUnknown(c, CALL_FIELDS);
  const service = c.str('service', { required: true });
  if (service === undefined) return undefined;
  if (!known.has(service)) c.error('service', `cannot call undefined service "${service}"`);
  const call = base(service);
  const hostname = c.str('hostname', { nonEmpty: true });
  if (hostname !== undefined) call.host = hostname;
  if (c.has('size')) call.size = size(c, 'size');
  const p = c.int('probability', { min: 0, max: 100 });
  if (p !== undefined && p > 0) call.probability = p / 100; // 0 or absent: always
  call.headers = c.strMap('extra-header') ?? {};
  return { call };
}

/** isotope ignores unknown keys; we say so instead of failing (canonical.yaml carries numRbacPolicies). */
function warnUnknown(f: Fields, known: readonly string[]): void {
  for (const key of Object.keys(f.value)) {
    if (!known.includes(key)) f.warn(key, `unknown isotope field "${key}" is ignored (not emulated); known: ${known.join(', ')}`);
  }
}

// ---------------------------------------------------------------------------
// The converter's output: a `service-graph-config` ConfigMap holding the graph,
// and Deployments whose container has env SERVICE_NAME (the node it plays).

/** Models from a converter ConfigMap, attached to the Deployments whose SERVICE_NAME names them. */
export function modelsFromConfigMap(cm: SourceDoc, deployments: SourceDoc[], diag: Diagnostics): CompiledModel[] {
  const data = (cm.value.data ?? {}) as Record<string, unknown>;
  const text = data[CONFIG_KEY];
  const at: FieldPath = ['data', CONFIG_KEY];
  if (typeof text !== 'string') {
    diag.warn(cm, ['data'], `ConfigMap ${CONFIG_MAP} has no "${CONFIG_KEY}" key: not an isotope graph, ignored`);
    return [];
  }
  let graph: unknown;
  try {
    graph = parseYaml(text);
  } catch (e) {
    diag.error(cm, at, `isotope service graph: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
  if (!isPlainObject(graph)) {
    diag.error(cm, at, 'isotope service graph: expected a mapping with services');
    return [];
  }
  // The embedded graph has no positions of its own: every message points at the ConfigMap key.
  const inner: SourceDoc = { ...cm, apiVersion: TOPOLOGY_API_VERSION, kind: TOPOLOGY_KIND, value: graph, locate: () => cm.locate(at) };
  const expanded = expandTopology(inner, diag);
  const out: CompiledModel[] = [];
  for (const d of deployments) {
    if (d.namespace !== cm.namespace) continue;
    const node = serviceNameOf(d);
    if (node === undefined) continue;
    const m = expanded.models.find((x) => x.model.name === node);
    if (!m) {
      diag.error(d, ['spec', 'template', 'spec', 'containers'], `SERVICE_NAME "${node}" is not a service of the isotope graph in ConfigMap ${CONFIG_MAP}`);
      continue;
    }
    out.push({ model: m.model, doc: d, namespace: d.namespace, deployment: d.name });
  }
  return out;
}

export function isIsotopeConfigMap(d: SourceDoc): boolean {
  return d.kind === 'ConfigMap' && d.name === CONFIG_MAP;
}

function serviceNameOf(d: SourceDoc): string | undefined {
  const containers = (d.value as { spec?: { template?: { spec?: { containers?: unknown } } } }).spec?.template?.spec?.containers;
  if (!Array.isArray(containers)) return undefined;
  for (const c of containers) {
    const env = isPlainObject(c) && Array.isArray(c.env) ? c.env : [];
    for (const e of env) if (isPlainObject(e) && e.name === 'SERVICE_NAME' && typeof e.value === 'string') return e.value;
  }
  return undefined;
}

/** The services of the topology documents among `docs` (for scenario `from:` and the default load URL). */
export function topologyServices(docs: SourceDoc[]): Array<{ name: string; namespace: string; entry: boolean }> {
  const out: Array<{ name: string; namespace: string; entry: boolean }> = [];
  for (const d of docs) {
    if (d.kind !== TOPOLOGY_KIND || !Array.isArray(d.value.services)) continue;
    for (const s of d.value.services) {
      if (!isPlainObject(s) || typeof s.name !== 'string') continue;
      const namespace = typeof s.namespace === 'string' && s.namespace ? s.namespace : d.namespace;
      out.push({ name: s.name, namespace, entry: s.isEntrypoint === true });
    }
  }
  return out;
}

/** isotope's entry URL: `http://<entry>:8080/` (the FQDN outside the default namespace). */
export function entrypointUrl(s: { name: string; namespace: string }): string {
  const host = s.namespace === DEFAULT_NAMESPACE ? s.name : `${s.name}.${s.namespace}.${CLUSTER_DOMAIN}`;
  return `http://${host}:${ISOTOPE_PORT}/`;
}
