// `kind: ServiceModel` (meshbench/v1): the behaviour of a Deployment's pods as
// data — latency, errors, response, capacity, and a script of calls through the
// pod's own sidecar (docs/service-model.md). A model targets a Deployment by
// name or pods by labels, or a pod names it with the annotation
// `meshbench.io/service-model`. isotope's service graph compiles to the same
// shape (its fixed sleeps, every-N-th 500 and calls are a subset).

import type { Distribution, ErrorRule, ModelCall, ScriptCommand, ScriptStep, ServiceModel } from './model.js';
import type { CompileContext } from './context.js';
import { formatLabels, labelsMatch, readObject } from './context.js';
import { Fields, isPlainObject, describe } from './fields.js';
import type { SourceDoc } from './source.js';
import { BYTES, DURATION, readDistribution } from './distribution.js';

/** Pod (or Deployment) annotation naming the ServiceModel its pods play. */
export const MODEL_ANNOTATION = 'meshbench.io/service-model';

/** What an unknown image without a model does: 200, a small body, at once. */
export function defaultModel(): ServiceModel {
  return {
    name: 'default',
    errors: [],
    response: { status: 200, size: { kind: 'fixed', value: 2 }, headers: {} },
    script: [],
  };
}

export interface CompiledModel {
  model: ServiceModel;
  doc: SourceDoc;
  namespace: string;
  deployment?: string;
  selector?: Record<string, string>;
}

const SPEC_FIELDS = ['target', 'latency', 'errors', 'response', 'capacity', 'script', 'propagate', 'callSuccess'];
/** What an isotope service may add under `model:` (its own script, errorRate and responseSize stay isotope's). */
const EXTENSION_FIELDS = ['latency', 'errors', 'capacity', 'propagate', 'callSuccess', 'responseHeaders'];

export function compileServiceModel(doc: SourceDoc, ctx: CompileContext): CompiledModel | undefined {
  const root = Fields.root(doc, ctx.diag);
  const spec = readObject(root, { specRequired: true });
  if (!spec) return undefined;
  spec.allow(SPEC_FIELDS);
  const out: CompiledModel = { doc, namespace: doc.namespace, model: readModel(spec, doc.name) };
  const target = spec.obj('target');
  if (target) {
    target.allow(['deployment', 'selector']);
    out.deployment = target.str('deployment', { nonEmpty: true });
    out.selector = target.strMap('selector');
    if (out.deployment !== undefined && out.selector !== undefined) target.error(null, 'set deployment or selector, not both');
    else if (out.deployment === undefined && out.selector === undefined && !target.has('deployment') && !target.has('selector')) {
      target.error(null, 'expected deployment (a Deployment name) or selector (pod labels)');
    } else if (out.selector !== undefined && Object.keys(out.selector).length === 0) {
      target.error('selector', 'an empty selector would select every pod of the namespace; name the labels');
    }
  }
  return out;
}

function readModel(spec: Fields, name: string): ServiceModel {
  const model: ServiceModel = {
    name,
    errors: spec.objects('errors').map(readErrorRule).filter((e): e is ErrorRule => e !== undefined),
    response: readResponse(spec.obj('response')),
    script: readScript(spec),
  };
  readCommon(spec, model);
  return model;
}

/**
 * meshbench's extensions inside an isotope service (`model:`): latency, extra
 * error rules (after isotope's errorRate), capacity, propagate, callSuccess and
 * response headers, written onto the model the topology compiled.
 */
export function readModelExtensions(f: Fields, model: ServiceModel): void {
  f.allow(EXTENSION_FIELDS);
  model.errors.push(...f.objects('errors').map(readErrorRule).filter((e): e is ErrorRule => e !== undefined));
  model.response.headers = f.strMap('responseHeaders') ?? model.response.headers;
  readCommon(f, model);
}

function readCommon(spec: Fields, model: ServiceModel): void {
  const propagate = spec.strList('propagate');
  if (propagate) model.propagate = propagate.map((h) => h.toLowerCase());
  const success = spec.str('callSuccess');
  if (success === '2xx' || success === 'exactly200') model.callSuccess = success;
  else if (success !== undefined) spec.error('callSuccess', `expected "2xx" (any 2xx answer) or "exactly200" (isotope), got ${JSON.stringify(success)}`);
  const latency = readDistribution(spec, 'latency', DURATION);
  if (latency) model.latency = latency;
  const cap = spec.obj('capacity');
  if (cap) {
    cap.allow(['workers', 'queue', 'queueTimeout']);
    const workers = cap.int('workers', { required: true, min: 1 });
    const queue = cap.int('queue', { min: 0 }) ?? 0;
    const timeout = readTimeout(cap, 'queueTimeout');
    if (workers !== undefined) model.capacity = { workers, queue, queueTimeoutMs: timeout ?? null };
  }
}

function readErrorRule(f: Fields): ErrorRule | undefined {
  f.allow(['status', 'share', 'every', 'when']);
  const status = readStatus(f);
  const share = f.num('share', { min: 0, max: 1 });
  const every = f.int('every', { min: 1 });
  const when = f.str('when') ?? 'before';
  if (when !== 'before' && when !== 'after') f.error('when', `expected "before" or "after", got ${JSON.stringify(when)}`);
  if (f.has('share') === f.has('every')) {
    f.error(null, 'set exactly one of share (random share of requests, 0..1) or every (every N-th request, as isotope errorRate)');
    return undefined;
  }
  if (status === undefined || (share === undefined && every === undefined)) return undefined;
  return { status, when: when === 'after' ? 'after' : 'before', ...(share !== undefined ? { share } : { every }) };
}

function readStatus(f: Fields): ErrorRule['status'] | undefined {
  const v = f.raw('status');
  if (v === undefined) {
    f.error(null, 'missing required field "status" (an HTTP status 400..599, or "reset")');
    return undefined;
  }
  if (v === 'reset') return 'reset';
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 400 || v > 599) {
    f.error('status', `expected an HTTP status 400..599 or "reset" (close the connection), got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function readResponse(f: Fields | undefined): ServiceModel['response'] {
  const def = defaultModel().response;
  if (!f) return def;
  f.allow(['status', 'size', 'headers']);
  return {
    status: f.int('status', { min: 200, max: 599 }) ?? def.status,
    size: readDistribution(f, 'size', BYTES) ?? def.size,
    headers: f.strMap('headers') ?? {},
  };
}

/** A positive duration in ms (timeouts); absent -> undefined. */
function readTimeout(f: Fields, name: string): number | undefined {
  if (!f.has(name)) return undefined;
  const ms = DURATION.parse(f.raw(name));
  const problem = typeof ms === 'string' ? ms : ms <= 0 ? 'must be greater than 0' : undefined;
  if (problem !== undefined) {
    f.error(name, problem);
    return undefined;
  }
  return ms as number;
}

function readScript(spec: Fields): ScriptStep[] {
  return readSteps(spec, readCommand, 'concurrent groups may not be nested (one level of list only)');
}

type CommandItem = { value: unknown; index: number; path: ReadonlyArray<string | number> };

/** `script:` steps: a command, or a list of commands run concurrently (one level); isotope's reader shares it. */
export function readSteps(
  spec: Fields,
  read: (parent: Fields, item: CommandItem) => ScriptCommand | undefined,
  nested: string,
): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const item of spec.list('script')) {
    if (Array.isArray(item.value)) {
      const group: ScriptCommand[] = [];
      item.value.forEach((v, i) => {
        const path = [...item.path, i];
        if (Array.isArray(v)) return spec.diag.error(spec.doc, path, nested);
        const c = read(spec, { value: v, index: i, path });
        if (c) group.push(c);
      });
      steps.push(group);
    } else {
      const c = read(spec, item);
      if (c) steps.push(c);
    }
  }
  return steps;
}

function readCommand(parent: Fields, item: CommandItem): ScriptCommand | undefined {
  if (!isPlainObject(item.value)) {
    parent.diag.error(parent.doc, item.path, `expected a command (sleep or call) or a list of them, got ${describe(item.value)}`);
    return undefined;
  }
  const f = new Fields(parent.doc, parent.diag, item.path, item.value);
  f.allow(['sleep', 'call']);
  const keys = Object.keys(item.value);
  if (keys.length !== 1) {
    f.error(null, `a command has exactly one key, sleep or call (got ${keys.join(', ') || 'none'})`);
    return undefined;
  }
  if (keys[0] === 'sleep') {
    const d: Distribution | undefined = readDistribution(f, 'sleep', DURATION);
    return d && { sleep: d };
  }
  if (keys[0] === 'call') {
    const c = readCall(f);
    return c && { call: c };
  }
  return undefined;
}

const CALL_FIELDS = ['host', 'path', 'method', 'size', 'probability', 'timeout', 'retries', 'headers'];

function readCall(f: Fields): ModelCall | undefined {
  const raw = f.raw('call');
  if (typeof raw === 'string') {
    const host = checkHost(f, 'call', raw);
    return host === undefined ? undefined : { ...callDefaults(), host };
  }
  const c = f.obj('call');
  if (!c) return undefined;
  c.allow(CALL_FIELDS);
  const hostRaw = c.str('host', { required: true });
  const host = hostRaw === undefined ? undefined : checkHost(c, 'host', hostRaw);
  const path = c.str('path') ?? '/';
  if (!path.startsWith('/')) c.error('path', `must start with "/", got ${JSON.stringify(path)}`);
  const method = c.str('method') ?? 'GET';
  if (!/^[A-Z]+$/.test(method)) c.error('method', `expected an upper-case HTTP method such as GET or POST, got ${JSON.stringify(method)}`);
  const size = readDistribution(c, 'size', BYTES);
  if (size && size.kind !== 'fixed') c.error('size', 'a request size is one number of bytes');
  const timeoutMs = readTimeout(c, 'timeout') ?? null;
  if (host === undefined) return undefined;
  return {
    host,
    method,
    path,
    size: size?.kind === 'fixed' ? size.value : 0,
    probability: c.num('probability', { min: 0, max: 1 }) ?? 1,
    timeoutMs,
    retries: c.int('retries', { min: 0, max: 100 }) ?? 0,
    headers: c.strMap('headers') ?? {},
  };
}

function callDefaults(): Omit<ModelCall, 'host'> {
  return { method: 'GET', path: '/', size: 0, probability: 1, timeoutMs: null, retries: 0, headers: {} };
}

/** The authority called (`backend:8080`, `backend.other.svc.cluster.local:9080`): no scheme, no path. */
function checkHost(f: Fields, name: string, host: string): string | undefined {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) {
    f.error(name, `expected a host[:port] such as "backend:8080" (no scheme or path), got ${JSON.stringify(host)}`);
    return undefined;
  }
  return host;
}

// ---------------------------------------------------------------------------
// Attaching models to workloads (after every Deployment and ServiceModel is read)

export interface AttachOptions {
  /** Unknown images without a model are an error (today's rule) instead of running the default model. */
  strictImages?: boolean;
}

export function attachModels(models: CompiledModel[], ctx: CompileContext, opts: AttachOptions): void {
  const { diag } = ctx;
  const used = new Set<CompiledModel>();
  const byName = (ns: string, name: string) => models.find((m) => m.namespace === ns && m.doc.name === name);
  for (const info of ctx.workloads) {
    const w = info.workload;
    const chosen: Array<{ m: CompiledModel; why: string }> = [];
    if (info.modelRef) {
      const m = byName(w.namespace, info.modelRef.name);
      if (!m) {
        const names = models.filter((x) => x.namespace === w.namespace).map((x) => x.doc.name);
        diag.error(info.doc, info.modelRef.path, `no ServiceModel "${info.modelRef.name}" in namespace "${w.namespace}"${names.length ? ` (defined: ${names.join(', ')})` : ''}`);
        continue;
      }
      chosen.push({ m, why: `annotation ${MODEL_ANNOTATION}` });
    }
    for (const m of models) {
      if (m.namespace !== w.namespace || chosen.some((c) => c.m === m)) continue;
      if (m.deployment === w.name) chosen.push({ m, why: `target.deployment ${w.name}` });
      else if (m.selector && labelsMatch(m.selector, w.labels)) chosen.push({ m, why: `target.selector ${formatLabels(m.selector)}` });
    }
    if (chosen.length > 1) {
      const list = chosen.map((c) => `"${c.m.doc.name}" (${c.why})`).join(', ');
      diag.error(chosen[1].m.doc, ['spec', 'target'], `Deployment "${w.name}" is targeted by more than one ServiceModel: ${list}; a pod plays one model`);
      continue;
    }
    if (chosen.length === 1) {
      used.add(chosen[0].m);
      w.app = 'modeled';
      w.model = chosen[0].m.model;
    }
  }
  for (const m of models) {
    if (!used.has(m) && (m.deployment !== undefined || m.selector !== undefined)) {
      const what = m.deployment !== undefined ? `no Deployment "${m.deployment}"` : `no pod with labels ${formatLabels(m.selector!)}`;
      diag.warn(m.doc, ['spec', 'target'], `${what} in namespace "${m.namespace}": this ServiceModel is not used`);
    } else if (!used.has(m)) {
      diag.warn(m.doc, ['metadata', 'name'], `no target and no pod annotation ${MODEL_ANNOTATION}: "${m.doc.name}" is not used`);
    }
  }
  defaultModels(ctx, opts);
}

/** Unknown images without a model: the default model and one warning listing them all (or today's error). */
function defaultModels(ctx: CompileContext, opts: AttachOptions): void {
  const unknown = ctx.workloads.filter((i) => i.unknownImage && i.workload.model === undefined);
  if (unknown.length === 0) return;
  if (opts.strictImages) {
    for (const i of unknown) ctx.diag.error(i.doc, IMAGE_PATH, i.unknownImage!);
    return;
  }
  for (const i of unknown) i.workload.model = defaultModel();
  const list = unknown.map((i) => `${i.workload.name} (${i.workload.image})`).join(', ');
  ctx.diag.warn(
    unknown[0].doc,
    IMAGE_PATH,
    `${unknown.length === 1 ? 'this image is' : `${unknown.length} images are`} not a built-in app and ${unknown.length === 1 ? 'has' : 'have'} no ServiceModel, ` +
      `so ${unknown.length === 1 ? 'it answers' : 'they answer'} with the default model (200, small body, no delay): ${list}; ` +
      `give ${unknown.length === 1 ? 'it' : 'them'} a ServiceModel (docs/service-model.md), or use --strict-images to make this an error`,
  );
}

const IMAGE_PATH = ['spec', 'template', 'spec', 'containers', 0, 'image'];
