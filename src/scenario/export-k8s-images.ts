// What each Deployment runs on a real cluster. Built-in apps keep or get their
// real image (httpbin, fortio, bookinfo). A pod meshbench plays with a service
// model (a ServiceModel, or the default one for an image it does not know) gets
// a stand-in: fortio's echo server, told by -echo-server-default-params to
// answer each request after the model's median latency, with its error share
// and response size. Its script of calls, capacity and latency spread are not
// reproduced: said in a note per workload, and --keep-images keeps the
// scenario's own images instead. isotope topologies become isotope's own
// service image with the topology in the ConfigMap it reads.

import { stringify } from 'yaml';
import { APP_ANNOTATION, appForImage, imageRepository } from '../mesh/config/deployment.js';
import { Diagnostics, isPlainObject } from '../mesh/config/fields.js';
import { expandTopology } from '../mesh/config/isotope.js';
import type { ServiceModel, Workload } from '../mesh/config/model.js';
import { median } from '../mesh/apps/modeled/distribution.js';
import type { SourceDoc } from '../mesh/config/source.js';
import { goDuration } from '../report/go-format.js';
import { clone } from './merge-patch.js';

export const ISOTOPE_IMAGE = 'tahler/isotope-service:1';
const ISOTOPE_CONFIG_MAP = 'service-graph-config';
const FORTIO_SERVER_IMAGE = 'fortio/fortio:latest_release';

/** The image of a built-in app kind, as the workload models it. */
function builtInImage(w: Workload): string | undefined {
  switch (w.app) {
    case 'httpbin':
      // kennethreitz/httpbin listens on 80; go-httpbin on 8080 (or $PORT).
      return w.containerPort === 80 ? 'docker.io/kennethreitz/httpbin' : 'mccutchen/go-httpbin';
    case 'fortio':
      return FORTIO_SERVER_IMAGE;
    case 'productpage':
    case 'details':
    case 'reviews':
    case 'ratings':
      return `docker.io/istio/examples-bookinfo-${w.app}-${w.labels.version ?? 'v1'}:1.20.2`;
    default:
      return undefined;
  }
}

/** fortio echo parameters for a model: delay, status shares, size; and what they leave out. */
export function echoParams(m: ServiceModel): { params: string; lost: string[]; delayMs: number } {
  let delayMs = 0;
  const params: string[] = [];
  const lost: string[] = [];
  if (m.latency) {
    const ms = median(m.latency);
    delayMs = ms;
    if (ms > 0) params.push(`delay=${goDuration(Math.round(ms * 1e6))}`);
    if (m.latency.kind !== 'fixed') lost.push(`latency spread (${m.latency.kind}; a fixed ${goDuration(Math.round(ms * 1e6))} instead)`);
  }
  const statuses: string[] = [];
  for (const e of m.errors) {
    if (e.status === 'reset') {
      lost.push('connection resets');
      continue;
    }
    const share = e.share ?? (e.every ? 1 / e.every : 0);
    if (share > 0) statuses.push(`${e.status}:${Number((100 * share).toPrecision(6))}`);
  }
  if (m.response.status !== 200) {
    if (statuses.length) lost.push(`status ${m.response.status} of the other answers (fortio: 200)`);
    else statuses.push(String(m.response.status));
  }
  if (statuses.length) params.push(`status=${statuses.join(',')}`);
  const size = median(m.response.size);
  if (size > 0) params.push(`size=${Math.round(size)}`);
  if (m.script.length) lost.push('its script of calls to other services');
  if (m.capacity) lost.push(`capacity (${m.capacity.workers} workers, queue ${m.capacity.queue})`);
  return { params: params.join('&'), lost, delayMs };
}

export interface ExportedDocs {
  values: Array<Record<string, unknown>>;
  notes: string[];
}

function podTemplate(value: Record<string, unknown>): { meta: Record<string, unknown>; spec: Record<string, unknown> } | undefined {
  const t = (value.spec as Record<string, unknown> | undefined)?.template;
  if (!isPlainObject(t) || !isPlainObject(t.spec)) return undefined;
  if (!isPlainObject(t.metadata)) t.metadata = {};
  return { meta: t.metadata as Record<string, unknown>, spec: t.spec };
}

/** A Deployment as it should run on a cluster: real image for built-ins, the stand-in for modeled pods. */
export function clusterDeployment(doc: SourceDoc, w: Workload | undefined, keepImages: boolean, notes: string[]): Record<string, unknown> {
  const value = clone(doc.value);
  const tpl = podTemplate(value);
  const containers = tpl && Array.isArray(tpl.spec.containers) ? tpl.spec.containers.filter(isPlainObject) : [];
  const first = containers[0];
  if (!w || !first || typeof first.image !== 'string') return value;
  const where = `Deployment ${doc.namespace}/${doc.name}`;
  // meshbench's own annotation means nothing to a cluster.
  const ann = tpl!.meta.annotations;
  if (isPlainObject(ann) && APP_ANNOTATION in ann) {
    delete ann[APP_ANNOTATION];
    if (Object.keys(ann).length === 0) delete tpl!.meta.annotations;
  }
  if (appForImage(first.image) || imageRepository(first.image) === imageRepository(ISOTOPE_IMAGE)) return value;
  const real = builtInImage(w);
  if (real) {
    notes.push(`${where}: image ${first.image} plays ${w.app} here; exported as ${real}`);
    first.image = real;
    return value;
  }
  if (w.app !== 'modeled' || !w.model || keepImages) return value;
  const { params, lost, delayMs } = echoParams(w.model);
  first.image = FORTIO_SERVER_IMAGE;
  delete first.command;
  const args = ['server', '-http-port', String(w.containerPort), ...(params ? ['-echo-server-default-params', params] : [])];
  // fortio caps echo delays at -max-echo-delay (1.5s by default).
  if (delayMs > 1500) args.push('-max-echo-delay', goDuration(Math.ceil(delayMs) * 1e6));
  first.args = args;
  const model = w.model.name === 'default' ? 'the default model' : `ServiceModel ${w.model.name}`;
  notes.push(
    `${where}: stand-in fortio echo server for ${model}${params ? ` (${params})` : ''}` +
      `${lost.length ? `; not reproduced: ${lost.join(', ')}` : ''}; --keep-images keeps ${w.image}`,
  );
  return value;
}

/** An isotope topology as isotope's converter lays it out: Deployments of isotope's image + Services + the topology ConfigMap. */
export function clusterTopology(doc: SourceDoc, notes: string[]): Array<Record<string, unknown>> {
  const diag = new Diagnostics();
  const expanded = expandTopology(doc, diag);
  const topology = clone(doc.value);
  delete topology.apiVersion;
  delete topology.kind;
  delete topology.metadata;
  if (Array.isArray(topology.services)) {
    for (const s of topology.services) {
      if (isPlainObject(s) && 'model' in s) {
        delete s.model;
        notes.push(`${doc.file}: service ${String(s.name)}: meshbench's "model" extension has no isotope equivalent and is left out`);
      }
    }
  }
  const namespaces = new Set(expanded.docs.map((d) => d.namespace));
  const out: Array<Record<string, unknown>> = [...namespaces].map((ns) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ISOTOPE_CONFIG_MAP, namespace: ns },
    data: { 'service-graph': stringify(topology) },
  }));
  for (const d of expanded.docs) {
    const value = clone(d.value);
    if (d.kind === 'Deployment') {
      const tpl = podTemplate(value)!;
      const c = (tpl.spec.containers as Array<Record<string, unknown>>)[0]!;
      c.image = ISOTOPE_IMAGE;
      c.volumeMounts = [{ name: 'config-volume', mountPath: '/etc/config' }];
      tpl.spec.volumes = [{ name: 'config-volume', configMap: { name: ISOTOPE_CONFIG_MAP, items: [{ key: 'service-graph', path: 'service-graph.yaml' }] } }];
    }
    out.push(value);
  }
  notes.push(`${doc.file}: isotope topology exported as isotope's service image (${ISOTOPE_IMAGE}) reading the ${ISOTOPE_CONFIG_MAP} ConfigMap`);
  return out;
}
