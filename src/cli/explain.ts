// `bench explain FILES… [--from WORKLOAD | --from-namespace NS] [-H 'name: value']… [-X METHOD] URL [--json]`:
// why a request goes where it goes, offline. Compiles the YAML, asks the proxy's
// own route table and cluster manager (src/mesh/explain.ts), prints the path.

import { ExitCode, FlagError, UserError } from '../errors.js';
import { compileMesh } from '../mesh/config/compile.js';
import type { ConnectionPool, HeaderOps, OutlierDetection } from '../mesh/config/model.js';
import { DEFAULT_CONNECTION_POOL, MAX_THRESHOLD } from '../mesh/config/policy.js';
import { formatWarning } from '../mesh/config/warning.js';
import { explainRequest, explainSource, type ExplainDestination, type ExplainResult, type RouteRef } from '../mesh/explain.js';
import { readMeshFiles } from '../scenario/open-mesh.js';
import { formatFlagHelp, ISTIO_FLAG, parseFlags, parseIstio, type FlagSpec } from './flags.js';
import { chooseProfile } from '../mesh/config/istio-release.js';
import type { IstioProfile } from '../mesh/config/istio-profile.js';
import type { CommandIO } from './io.js';

const FLAGS = [
  { name: 'from', kind: 'string', arg: 'WORKLOAD', help: 'the client workload whose sidecar routes the request (default: the implicit load source)' },
  { name: 'from-namespace', kind: 'string', arg: 'NS', help: 'a client pod in namespace NS with no labels' },
  { name: 'H', kind: 'string', dash: '-', arg: "'name: value'", repeatable: true, help: 'request header (Host overrides the URL authority)' },
  { name: 'X', kind: 'string', dash: '-', arg: 'METHOD', default: 'GET', help: 'request method' },
  { name: 'json', kind: 'bool', help: 'print the decision as JSON (docs/explain.md)' },
  ISTIO_FLAG,
] as const satisfies readonly FlagSpec[];

const USAGE = "usage: bench explain FILE.yaml [MORE.yaml…] [--from WORKLOAD | --from-namespace NS] [-H 'name: value']… [-X METHOD] [--istio RELEASE] [--json] URL";

export async function explainCommand(argv: string[], io: Pick<CommandIO, 'stdout' | 'stderr'>): Promise<number> {
  const { values, positional, help } = parseFlags(FLAGS, argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  the route, cluster, endpoints and policy a request gets, from the YAML alone\n${formatFlagHelp(FLAGS)}`);
    return ExitCode.ok;
  }
  if (positional.length < 2) throw new FlagError(`explain: expected YAML files and a URL (${USAGE})`);
  if (values.from !== undefined && values['from-namespace'] !== undefined) throw new FlagError('--from and --from-namespace: give one or the other');
  const url = requestUrl(positional[positional.length - 1]!);
  const headers = parseHeaders(values.H);
  const method = values.X.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new FlagError(`-X: invalid value "${values.X}": expected a method like GET or POST`);

  const istio = parseIstio('--istio', values.istio);
  const { meshDocs, scenarioDocs } = await readMeshFiles(positional.slice(0, -1));
  const config = compileMesh(meshDocs, { istio: chooseProfile(istio, scenarioDocs) });
  for (const w of config.warnings) io.stderr.write(`${formatWarning(w)}\n`);
  let source;
  try {
    source = explainSource(config, values.from, values['from-namespace']);
  } catch (e) {
    if (e instanceof UserError) throw new FlagError(`--from: ${e.message}`);
    throw e;
  }
  const result = explainRequest(config, source, { method, url, headers });
  io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(result));
  return ExitCode.ok;
}

/** `http://host[:port]/p`; a bare `host/p` is taken as http. TLS is not what a sidecar's HTTP routes see. */
function requestUrl(raw: string): string {
  if (/^https:\/\//i.test(raw)) throw new FlagError(`URL "${raw}": https goes through the sidecar as TLS passthrough; explain answers for plain http only`);
  const url = /^http:\/\//i.test(raw) ? raw : `http://${raw}`;
  if (!/^http:\/\/[^/?#\s]+/i.test(url)) throw new FlagError(`URL "${raw}": expected http://HOST[:PORT]/PATH`);
  return url;
}

function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const colon = h.indexOf(':');
    const name = colon < 0 ? '' : h.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw new FlagError(`-H: invalid value "${h}": expected 'name: value'`);
    const v = h.slice(colon + 1).trim();
    // Repeated headers join with a comma, as the proxy sees them for matching.
    out[name] = out[name] === undefined ? v : `${out[name]},${v}`;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Text output: one block per step, reasons indented under it.

const labels = (l: Record<string, string>): string => `{${Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',')}}`;

function routeName(r: RouteRef): string {
  if (r.virtualService === null) return 'default route (no VirtualService)';
  const name = r.name ? ` "${r.name}"` : '';
  const match = r.match === null ? ' (no match: catch-all)' : ` match[${r.match}]`;
  return `VirtualService ${r.virtualService} http[${r.http}]${name}${match}`;
}

function ms(v: number | null): string {
  return v === null ? 'none' : `${v}ms`;
}

function headerOps(prefix: string, ops: HeaderOps | null): string[] {
  if (!ops) return [];
  const parts = [
    ...Object.entries(ops.set).map(([k, v]) => `set ${k}: ${v}`),
    ...Object.entries(ops.add).map(([k, v]) => `add ${k}: ${v}`),
    ...ops.remove.map((k) => `remove ${k}`),
  ];
  return parts.length ? [`${prefix}${parts.join('; ')}`] : [];
}

/** Only the settings a DestinationRule changed; `defaults` when none. */
function pool(p: ConnectionPool): string {
  const changed = (Object.keys(p) as Array<keyof ConnectionPool>).filter((k) => p[k] !== DEFAULT_CONNECTION_POOL[k]);
  return changed.length ? changed.map((k) => `${k} ${p[k] === MAX_THRESHOLD ? 'unlimited' : p[k]}`).join(', ') : 'defaults (no limits)';
}

function outlier(o: OutlierDetection | null): string {
  if (!o) return 'off';
  return `consecutive5xx ${o.consecutive5xx}, interval ${o.intervalMs}ms, baseEjectionTime ${o.baseEjectionTimeMs}ms, maxEjectionPercent ${o.maxEjectionPercent}`;
}

function destination(d: ExplainDestination): string[] {
  const out = [`  ${`${+d.weight.toFixed(2)}%`.padStart(5)}  ${d.cluster}${d.clusterExists ? '' : '  (no such cluster: 503 NC)'}`];
  const pad = '         ';
  if (d.destinationRule) {
    out.push(`${pad}DestinationRule ${d.destinationRule}${d.subset ? `, subset ${d.subset} ${labels(d.subsetLabels ?? {})}` : ''}`);
  } else if (d.subset) {
    out.push(`${pad}subset ${d.subset}: no DestinationRule defines it`);
  }
  if (d.clusterExists) {
    out.push(`${pad}endpoints: ${d.endpoints.length ? d.endpoints.map((e) => `${e.id} ${labels(e.labels)}`).join(', ') : 'none (503 UH)'}`);
    const lb = 'simple' in d.loadBalancer ? d.loadBalancer.simple : `consistentHash ${JSON.stringify(d.loadBalancer.consistentHash)}`;
    out.push(`${pad}lb ${lb}; pool: ${pool(d.connectionPool)}; outlier detection: ${outlier(d.outlierDetection)}`);
  }
  if (d.authority !== null) out.push(`${pad}authority sent upstream: ${d.authority}`);
  out.push(...headerOps(`${pad}headers: `, d.requestHeaders), ...headerOps(`${pad}response headers: `, d.responseHeaders));
  return out;
}

/** The rules of the emulated release that can change an answer, on one line. */
function profileLine(p: IstioProfile): string {
  const retry = `${p.defaultRetryOn.join(',')}${p.defaultRetriableStatusCodes.length ? ` codes ${p.defaultRetriableStatusCodes.join(',')}` : ''}`;
  return (
    `${p.version} profile: default lb ${p.defaultLb}; default retries 2 on ${retry}; ` +
    `consecutiveErrors ${p.consecutiveErrors === 'ignored' ? 'ignored' : 'consecutive gateway errors'}; ` +
    `mirror host ${p.shadowHostSuffix ? 'with -shadow' : 'unchanged'}; stats cluster.<name>${p.clusterStatDelimiter}<stat>`
  );
}

export function formatExplain(r: ExplainResult): string {
  const src = r.source.workload
    ? `workload ${r.source.workload} (namespace ${r.source.namespace}${Object.keys(r.source.labels).length ? `, ${labels(r.source.labels)}` : ''})`
    : `a pod in namespace ${r.source.namespace}`;
  const lines = [`istio      ${profileLine(r.istio)}`, `request    ${r.request.method} http://${r.request.authority}${r.request.path} from ${src}`, `listener   0.0.0.0:${r.listenerPort} (route config "${r.listenerPort}")`];
  const vh = r.virtualHost;
  if (vh) {
    const bound = vh.default ? 'no VirtualService: default route' : `VirtualService ${vh.virtualServices.join(', ')}`;
    lines.push(`vhost      ${vh.service}:${vh.port} (domain "${vh.domain}"); ${bound}`);
  }
  for (const s of r.skipped) lines.push(`  skipped  ${routeName(s)}: ${s.reason}`);
  for (const x of r.rejected) lines.push(`  no       ${routeName(x)}: ${x.reason}`);
  if (r.route) {
    const when = r.route.conditions.length ? `: ${r.route.conditions.join(', ')}` : '';
    lines.push(`route      ${routeName(r.route)}${when}${r.route.action === 'route' ? '' : ` -> ${r.route.action.replace('_', ' ')}`}`);
  }
  for (const d of r.destinations) lines.push(...destination(d));
  const p = r.policy;
  if (p) {
    const rt = p.retries;
    const retries = rt
      ? `${rt.attempts} on ${rt.retryOn.join(',')}${rt.retriableStatusCodes.length ? ` codes ${rt.retriableStatusCodes.join(',')}` : ''}, perTryTimeout ${ms(rt.perTryTimeoutMs)}${rt.istioDefault ? ' (Istio default)' : ''}`
      : 'off';
    lines.push(`policy     timeout ${ms(p.timeoutMs)}; retries ${retries}`);
    if (p.fault?.delay) lines.push(`  fault    delay ${p.fault.delay.fixedDelayMs}ms for ${p.fault.delay.percent}% of requests`);
    if (p.fault?.abort) lines.push(`  fault    abort ${p.fault.abort.grpcStatus ? `grpc ${p.fault.abort.grpcStatus}` : p.fault.abort.httpStatus} for ${p.fault.abort.percent}% of requests`);
    for (const m of p.mirrors) lines.push(`  mirror   ${m.percent}% to ${m.cluster}`);
    if (p.rewrite) lines.push(`  rewrite  ${[p.rewrite.path !== undefined ? `path ${p.rewrite.path}` : '', p.rewrite.authority !== undefined ? `authority ${p.rewrite.authority}` : ''].filter(Boolean).join(', ')}`);
    lines.push(...headerOps('  headers  ', p.requestHeaders), ...headerOps('  response ', p.responseHeaders));
  }
  const lr = r.localReply;
  if (!lr) {
    const a = p?.fault?.abort;
    lines.push(`answer     forwarded upstream${a ? ` (${a.percent}% aborted with ${a.grpcStatus ? `grpc ${a.grpcStatus}` : a.httpStatus}, FI)` : ''}`);
  }
  else if (lr.location !== undefined) lines.push(`answer     ${lr.status} redirect to ${lr.location}`);
  else if (lr.flag) lines.push(`answer     ${lr.status} ${lr.flag}: ${lr.reason}`);
  else lines.push(`answer     ${lr.status} direct response${lr.body ? `: ${JSON.stringify(lr.body)}` : ''}`);
  return `${lines.join('\n')}\n`;
}
