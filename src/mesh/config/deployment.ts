// Deployment → Workload + one InstanceSpec per replica. The container image picks
// the built-in app that plays the pod (DESIGN.md "Scenario files").

import type { AppKind, InstanceSpec, Workload } from './model.js';
import type { CompileContext, WorkloadInfo } from './context.js';
import { formatLabels, labelsMatch, readObject } from './context.js';
import { Fields } from './fields.js';
import type { SourceDoc } from './source.js';
import { MODEL_ANNOTATION } from './service-model.js';

/** Pod annotation mapping any image to a built-in app. */
export const APP_ANNOTATION = 'meshbench.io/app';

/** Port of an annotated app whose image says nothing and whose pod declares none (each kind's usual image). */
const APP_DEFAULT_PORT: Record<AppKind, number> = {
  httpbin: 80,
  fortio: 8080,
  productpage: 9080,
  details: 9080,
  reviews: 9080,
  ratings: 9080,
  client: 0,
  modeled: 8080, // isotope's port
};
const APP_KINDS = Object.keys(APP_DEFAULT_PORT) as readonly AppKind[];

export const BUILT_IN_IMAGES =
  'kennethreitz/httpbin, kong/httpbin, mccutchen/go-httpbin, fortio/fortio, ' +
  'istio/examples-bookinfo-{productpage-v1,details-v1,details-v2,reviews-v1,reviews-v2,reviews-v3,ratings-v1}, ' +
  'curlimages/curl, tutum/curl, governmentpaas/curl-ssl, *sleep*';

export interface ImageApp {
  app: AppKind;
  defaultPort: number;
  /** bookinfo version from the image name (`reviews-v2` → "v2"). */
  version?: string;
}

/** `docker.io/istio/examples-bookinfo-reviews-v2:1.20.2` → `istio/examples-bookinfo-reviews-v2`. */
export function imageRepository(image: string): string {
  let s = image.split('@')[0];
  const parts = s.split('/');
  // A first component with a dot, a colon or `localhost` is a registry host.
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost')) parts.shift();
  s = parts.join('/');
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) s = s.slice(0, colon);
  if (s.startsWith('library/')) s = s.slice('library/'.length);
  return s.toLowerCase();
}

export function appForImage(image: string): ImageApp | undefined {
  const repo = imageRepository(image);
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  switch (repo) {
    case 'kennethreitz/httpbin':
    case 'kong/httpbin':
      return { app: 'httpbin', defaultPort: 80 };
    case 'mccutchen/go-httpbin':
      return { app: 'httpbin', defaultPort: 8080 };
    case 'fortio/fortio':
      return { app: 'fortio', defaultPort: 8080 };
    case 'curlimages/curl':
    case 'tutum/curl':
    case 'governmentpaas/curl-ssl':
      return { app: 'client', defaultPort: 0 };
  }
  const bookinfo = /^examples-bookinfo-(productpage-v1|details-v[12]|reviews-v[123]|ratings-v1)$/.exec(last);
  if (bookinfo) {
    const [svc, version] = bookinfo[1].split('-');
    return { app: svc as AppKind, defaultPort: 9080, version };
  }
  if (last.includes('sleep')) return { app: 'client', defaultPort: 0 };
  return undefined;
}

/** spec §11.2: what the reviews images bake in when the env does not say. */
const REVIEWS_ENV: Record<string, Record<string, string>> = {
  v1: { ENABLE_RATINGS: 'false', STAR_COLOR: 'black' },
  v2: { ENABLE_RATINGS: 'true', STAR_COLOR: 'black' },
  v3: { ENABLE_RATINGS: 'true', STAR_COLOR: 'red' },
};

const SPEC_FIELDS = ['replicas', 'selector', 'template', 'strategy', 'revisionHistoryLimit', 'minReadySeconds', 'progressDeadlineSeconds', 'paused'];
const TEMPLATE_META_FIELDS = ['labels', 'annotations', 'name', 'namespace', 'creationTimestamp', 'generateName'];
const POD_SPEC_FIELDS = ['containers', 'serviceAccountName', 'serviceAccount'];
const POD_SPEC_IGNORED = [
  'initContainers', 'ephemeralContainers', 'volumes', 'nodeSelector', 'affinity', 'tolerations', 'securityContext',
  'terminationGracePeriodSeconds', 'restartPolicy', 'dnsPolicy', 'dnsConfig', 'hostname', 'subdomain',
  'imagePullSecrets', 'priorityClassName', 'priority', 'preemptionPolicy', 'schedulerName', 'hostNetwork', 'hostPID',
  'hostIPC', 'hostUsers', 'automountServiceAccountToken', 'enableServiceLinks', 'topologySpreadConstraints',
  'runtimeClassName', 'shareProcessNamespace', 'hostAliases', 'activeDeadlineSeconds', 'nodeName', 'overhead',
  'readinessGates', 'os', 'setHostnameAsFQDN', 'schedulingGates', 'resourceClaims',
];
const CONTAINER_FIELDS = ['name', 'image', 'ports', 'env', 'command', 'args'];
const CONTAINER_IGNORED = [
  'imagePullPolicy', 'envFrom', 'resources', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe',
  'startupProbe', 'lifecycle', 'securityContext', 'workingDir', 'stdin', 'stdinOnce', 'tty', 'terminationMessagePath',
  'terminationMessagePolicy', 'resizePolicy', 'restartPolicy',
];

export function compileDeployment(doc: SourceDoc, ctx: CompileContext): WorkloadInfo | undefined {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return undefined;
  spec.allow(SPEC_FIELDS);
  const replicas = spec.int('replicas', { min: 0 }) ?? 1;
  const template = spec.obj('template', { required: true });
  const tmeta = template?.allow(['metadata', 'spec']).obj('metadata');
  tmeta?.allow(TEMPLATE_META_FIELDS);
  const labels = tmeta?.strMap('labels') ?? {};
  const annotations = tmeta?.strMap('annotations') ?? {};
  const deployAnnotations = root.obj('metadata')?.strMap('annotations') ?? {};
  checkSelector(spec, labels);

  const podSpec = template?.obj('spec', { required: true });
  if (!podSpec) return undefined;
  podSpec.allow(POD_SPEC_FIELDS, POD_SPEC_IGNORED);
  const serviceAccount = podSpec.str('serviceAccountName') ?? podSpec.str('serviceAccount') ?? 'default';
  const containers = podSpec.objects('containers', { required: true });
  if (containers.length === 0) {
    if (podSpec.has('containers')) podSpec.error('containers', 'at least one container is required');
    return undefined;
  }
  const namedPorts = new Map<string, number>();
  const containerPorts: number[][] = [];
  let env: Record<string, string> = {};
  containers.forEach((c, i) => {
    c.allow(CONTAINER_FIELDS, CONTAINER_IGNORED);
    c.str('name', { required: true });
    c.str('image', { required: true });
    c.strList('command');
    c.strList('args');
    const ports: number[] = [];
    for (const p of c.objects('ports')) {
      p.allow(['containerPort', 'name', 'protocol', 'hostPort', 'hostIP']);
      const n = p.int('containerPort', { required: true, min: 1, max: 65535 });
      const name = p.str('name');
      if (n === undefined) continue;
      ports.push(n);
      if (name !== undefined && !namedPorts.has(name)) namedPorts.set(name, n);
    }
    containerPorts.push(ports);
    // Only the first container is the app; injected sidecars (istio-proxy) keep their env.
    if (i === 0) env = readEnv(c);
  });

  const first = containers[0];
  const image = typeof first.value.image === 'string' ? first.value.image : '';
  const mapped = appForImage(image);
  const annotated = annotations[APP_ANNOTATION] ?? deployAnnotations[APP_ANNOTATION];
  let app: AppKind | undefined;
  let defaultPort = 0;
  let unknownImage: string | undefined;
  if (annotated !== undefined) {
    if ((APP_KINDS as readonly string[]).includes(annotated)) {
      app = annotated as AppKind;
      defaultPort = mapped?.app === app ? mapped.defaultPort : APP_DEFAULT_PORT[app];
    } else {
      const where = annotations[APP_ANNOTATION] !== undefined ? tmeta! : root.obj('metadata')!;
      where.obj('annotations')!.error(APP_ANNOTATION, `unknown app "${annotated}" (one of ${APP_KINDS.join(', ')})`);
      return undefined;
    }
  } else if (mapped) {
    app = mapped.app;
    defaultPort = mapped.defaultPort;
  } else if (!image) {
    return undefined;
  } else {
    // Any other image plays a ServiceModel, or the default one (service-model.ts decides, after every model is read).
    app = 'modeled';
    defaultPort = APP_DEFAULT_PORT.modeled;
    unknownImage =
      `image "${image}" is not a built-in app (built in: ${BUILT_IN_IMAGES}); ` +
      `to play any other image with a built-in app add the pod annotation "${APP_ANNOTATION}: <${APP_KINDS.join('|')}>", ` +
      `or give it a ServiceModel (docs/service-model.md)`;
  }
  if (app === 'reviews') {
    const version = mapped?.app === 'reviews' ? mapped.version : labels.version;
    const defaults = REVIEWS_ENV[version ?? 'v1'] ?? REVIEWS_ENV.v1;
    env = { ...defaults, ...env };
  }
  const containerPort = containerPorts[0]?.[0] ?? defaultPort;
  const workload: Workload = {
    name: doc.name,
    namespace: doc.namespace,
    app,
    image,
    replicas,
    labels,
    containerPort,
    env,
    serviceAccount,
    origin: { kind: doc.kind, name: doc.name, namespace: doc.namespace, loc: doc.locate([]) },
  };
  const info: WorkloadInfo = { workload, namedPorts, doc };
  if (unknownImage) info.unknownImage = unknownImage;
  const modelName = annotations[MODEL_ANNOTATION] ?? deployAnnotations[MODEL_ANNOTATION];
  if (modelName !== undefined) {
    const onPod = annotations[MODEL_ANNOTATION] !== undefined;
    info.modelRef = { name: modelName, path: [...(onPod ? ['spec', 'template'] : []), 'metadata', 'annotations', MODEL_ANNOTATION] };
  }
  return info;
}

export function instancesOf(w: Workload): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (let i = 0; i < w.replicas; i++) {
    out.push({
      pod: `${w.name}-${i}`,
      workload: w.name,
      namespace: w.namespace,
      app: w.app,
      labels: { ...w.labels },
      containerPort: w.containerPort,
      env: { ...w.env },
      image: w.image,
      ...(w.model ? { model: w.model } : {}),
    });
  }
  return out;
}

function readEnv(c: Fields): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.objects('env')) {
    e.allow(['name', 'value', 'valueFrom']);
    const name = e.str('name', { required: true });
    if (e.has('valueFrom')) {
      e.warn('valueFrom', `valueFrom is not supported by meshbench; ${name ?? 'the variable'} is left unset`);
      continue;
    }
    const value = e.str('value') ?? '';
    if (name !== undefined) env[name] = value;
  }
  return env;
}

/** apps/v1 requires a selector, and it must select the pod template's labels. */
function checkSelector(spec: Fields, labels: Record<string, string>): void {
  const sel = spec.obj('selector', { required: true });
  if (!sel) return;
  sel.allow(['matchLabels', 'matchExpressions']);
  const ml = sel.strMap('matchLabels') ?? {};
  const exprs = sel.objects('matchExpressions');
  if (Object.keys(ml).length === 0 && exprs.length === 0) {
    sel.error(null, 'empty selector: a Deployment selector must list matchLabels or matchExpressions');
    return;
  }
  if (!labelsMatch(ml, labels)) {
    sel.error('matchLabels', `selector does not match template labels (selector ${formatLabels(ml)}, template labels ${formatLabels(labels) || 'none'})`);
  }
  for (const x of exprs) {
    x.allow(['key', 'operator', 'values']);
    const key = x.str('key', { required: true });
    const op = x.str('operator', { required: true });
    const values = x.strList('values') ?? [];
    if (key === undefined || op === undefined) continue;
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    let ok: boolean;
    switch (op) {
      case 'In':
        ok = has && values.includes(labels[key]);
        break;
      case 'NotIn':
        ok = !has || !values.includes(labels[key]);
        break;
      case 'Exists':
        ok = has;
        break;
      case 'DoesNotExist':
        ok = !has;
        break;
      default:
        x.error('operator', `unknown operator "${op}" (one of In, NotIn, Exists, DoesNotExist)`);
        continue;
    }
    if (!ok) x.error(null, `selector does not match template labels (${key} ${op} ${values.join(',')})`);
  }
}
