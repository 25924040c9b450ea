// `bench serve FILES…`: the embedded mesh alone, for curl, hey, fortio or a
// browser. Boots the mesh on its thread, prints where everything listens and
// how to reach it, then waits for Ctrl-C / SIGTERM and shuts down cleanly.

import { parseSeed } from './seed.js';
import { formatWarning } from '../mesh/config/warning.js';
import { isIP } from 'node:net';
import { ExitCode, FlagError } from '../errors.js';
import type { CommandIO } from './io.js';
import type { MeshConfig } from '../mesh/config/model.js';
import type { MeshBootOptions, MeshHandle } from '../mesh/api.js';
import { loadScenarioFiles } from '../scenario/include.js';
import { compileMesh } from '../mesh/config/compile.js';
import { startMeshThread } from '../mesh/thread.js';
import { defaultSource } from '../mesh/mesh.js';
import { IMPLICIT_SOURCE } from '../mesh/api.js';
import { formatAuthority } from '../mesh/authority.js';

const USAGE =
  'usage: bench serve FILES… [--listen 127.0.0.1:15001] [--admin 127.0.0.1:15000] [--from WORKLOAD] [--seed N] [--access-log]';

export interface ServeFlags {
  files: string[];
  listen: { host: string; port: number };
  admin: { host: string; port: number };
  from?: string;
  seed?: number;
  accessLog: boolean;
}

/** Extra knobs for tests: stop without a signal, see the handle once booted. */
export interface ServeOptions {
  signal?: AbortSignal;
  onReady?: (mesh: MeshHandle) => void;
}

export function parseServeFlags(argv: string[]): ServeFlags {
  const out: ServeFlags = {
    files: [],
    listen: { host: '127.0.0.1', port: 15001 },
    admin: { host: '127.0.0.1', port: 15000 },
    accessLog: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      out.files.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    const flag = `--${name}`;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new FlagError(`${flag}: missing value`);
      return v;
    };
    switch (name) {
      case 'listen':
        out.listen = parseLoopbackAddress(flag, value());
        break;
      case 'admin':
        out.admin = parseLoopbackAddress(flag, value());
        break;
      case 'from':
        out.from = value();
        if (!out.from) throw new FlagError(`${flag}: missing value`);
        break;
      case 'seed':
        out.seed = parseSeed(flag, value());
        break;
      case 'access-log':
        if (eq > 0) throw new FlagError(`${flag}: takes no value`);
        out.accessLog = true;
        break;
      default:
        throw new FlagError(`${arg}: unknown flag (${USAGE.slice(7)})`);
    }
  }
  if (out.files.length === 0) throw new FlagError(`serve: no files given (${USAGE})`);
  return out;
}

/** `HOST:PORT`, `:PORT`, `PORT` or `[::1]:PORT`; only loopback addresses are accepted. */
export function parseLoopbackAddress(flag: string, v: string): { host: string; port: number } {
  let host = '127.0.0.1';
  let portText = v;
  const m = /^\[([^\]]+)\]:(\d*)$/.exec(v) ?? /^([^:]*):(\d*)$/.exec(v);
  if (m) {
    host = m[1] || '127.0.0.1';
    portText = m[2];
  }
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new FlagError(`${flag}: invalid address "${v}" (expected HOST:PORT, e.g. 127.0.0.1:15001)`);
  }
  if (host === 'localhost') host = '127.0.0.1';
  if (!isLoopback(host)) {
    throw new FlagError(`${flag}: "${host}" is not a loopback address; meshbench only listens on 127.0.0.0/8 or ::1`);
  }
  return { host, port: Number(portText) };
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host);
  return false;
}

export async function serveCommand(argv: string[], io: CommandIO, opts: ServeOptions = {}): Promise<number> {
  const flags = parseServeFlags(argv);
  // The same loader as scenario runs: a scenario file's `include:` brings in its mesh.
  const docs = await loadScenarioFiles(flags.files);
  // Scenario documents say what load to run; serving needs only the mesh.
  const config = compileMesh(docs.filter((d) => d.kind !== 'Scenario'));
  for (const w of config.warnings) io.stderr.write(`${formatWarning(w)}\n`);
  let from: string;
  try {
    from = defaultSource(config, flags.from);
  } catch (e) {
    throw new FlagError(`--from: ${(e as Error).message}`);
  }

  const boot: MeshBootOptions = {
    listenHost: flags.listen.host,
    listenPort: flags.listen.port,
    adminHost: flags.admin.host,
    adminPort: flags.admin.port,
    fromWorkload: from,
    accessLog: flags.accessLog ? 'stderr' : 'none',
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  };
  const mesh = await startMeshThread(config, boot);
  try {
    io.stdout.write(describe(config, mesh, from, flags));
    opts.onReady?.(mesh);
    const stop = waitForStop(opts.signal);
    const crash = await Promise.race([stop.stopped, mesh.crashed]);
    stop.cancel();
    if (crash) throw crash; // the mesh thread died: a bug, reported with its cause
    io.stdout.write('stopping…\n');
  } finally {
    await mesh.close();
  }
  io.stdout.write('stopped\n');
  return ExitCode.ok;
}

/** The startup banner: listeners, admin, app instances, then curl examples. */
export function describe(config: MeshConfig, mesh: MeshHandle, from: string, flags: ServeFlags): string {
  const lines: string[] = [];
  const seed = flags.seed !== undefined ? `, seed ${flags.seed}` : '';
  lines.push(
    `meshbench serve: ${config.workloads.length} workload(s), ${mesh.instances.length} app instance(s), ${config.services.length} service(s)${seed}`,
  );
  const ordered = [...mesh.sidecars].sort((a, b) => (a.workload === from ? -1 : b.workload === from ? 1 : 0));
  for (const s of ordered) {
    const host = s.workload === from ? flags.listen.host : '127.0.0.1';
    const note = s.workload === IMPLICIT_SOURCE ? ' — load from outside any Deployment' : '';
    lines.push(`listener  ${formatAuthority(host, s.listenPort).padEnd(21)}  (outbound sidecar of ${s.workload}${note})`);
  }
  const admin = formatAuthority(flags.admin.host, mesh.adminPort);
  lines.push(`admin     ${admin.padEnd(21)}  (/stats, /stats/prometheus, /clusters, /server_info; ?sidecar=NAME, default ${from})`);
  for (const i of mesh.instances) {
    const v = i.labels.version ? ` version ${i.labels.version}` : '';
    lines.push(`app       ${formatAuthority('127.0.0.1', i.port).padEnd(21)}  ${i.pod} (${i.workload}${v})`);
  }
  const def = mesh.sidecars.find((s) => s.workload === from);
  const ex = exampleTarget(config);
  lines.push('');
  if (def && ex) {
    const l = formatAuthority(flags.listen.host, def.listenPort);
    lines.push('try:');
    lines.push(`  curl -H 'Host: ${ex.authority}' http://${l}${ex.path}`);
    lines.push(`  curl -x http://${l} http://${ex.authority}${ex.path}`);
  } else {
    lines.push('try:');
  }
  lines.push(`  curl http://${admin}/stats | grep pending`);
  lines.push('Ctrl-C to stop.');
  return lines.join('\n') + '\n';
}

const APP_PATH: Record<string, string> = {
  httpbin: '/get',
  fortio: '/echo',
  productpage: '/productpage',
  details: '/details/0',
  reviews: '/reviews/0',
  ratings: '/ratings/0',
};

/** A Service worth curling (prefer the one an app serves), as `name:port` + path. */
function exampleTarget(config: MeshConfig): { authority: string; path: string } | undefined {
  let best: { authority: string; path: string; score: number } | undefined;
  for (const svc of config.services) {
    const port = svc.ports[0];
    if (!port) continue;
    const inst = svc.selector
      ? config.instances.find((i) => Object.entries(svc.selector!).every(([k, v]) => i.labels[k] === v))
      : undefined;
    const app = inst?.app ?? '';
    const score = app === 'httpbin' ? 3 : app === 'productpage' ? 2 : app && app !== 'client' ? 1 : 0;
    if (!best || score > best.score) best = { authority: `${svc.name}:${port.port}`, path: APP_PATH[app] ?? '/', score };
  }
  return best && { authority: best.authority, path: best.path };
}

/** Resolves on SIGINT, SIGTERM or abort; cancel() removes the handlers either way. */
function waitForStop(signal: AbortSignal | undefined): { stopped: Promise<void>; cancel(): void } {
  let done: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    if (signal?.aborted) return resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
  return { stopped, cancel: () => done() };
}
