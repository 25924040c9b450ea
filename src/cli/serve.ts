// `bench serve FILES…`: the embedded mesh alone, for curl, hey, fortio or a
// browser. Boots the mesh on its thread, prints where everything listens and
// how to reach it, then waits for Ctrl-C / SIGTERM and shuts down cleanly.

import { isIP } from 'node:net';
import { ExitCode, FlagError } from '../errors.js';
import type { CommandIO } from './io.js';
import type { MeshConfig } from '../mesh/config/model.js';
import type { MeshHandle } from '../mesh/api.js';
import { IMPLICIT_SOURCE } from '../mesh/api.js';
import { formatAuthority } from '../mesh/authority.js';
import { openMesh } from '../scenario/open-mesh.js';
import { formatFlagHelp, ISTIO_FLAG, parseFlags, parseIstio, parseSeed, SEED_FLAG, STRICT_IMAGES_FLAG } from './flags.js';
import type { IstioProfile } from '../mesh/config/istio-profile.js';
import { onInterrupt } from './signals.js';

const USAGE =
  'usage: bench serve FILES… [--listen 127.0.0.1:15001] [--admin 127.0.0.1:15000] [--from WORKLOAD] [--seed N] [--access-log]';

export const SERVE_FLAGS = [
  { name: 'listen', kind: 'string', arg: 'HOST:PORT', default: '127.0.0.1:15001', help: 'outbound listener of the --from sidecar (loopback only)' },
  { name: 'admin', kind: 'string', arg: 'HOST:PORT', default: '127.0.0.1:15000', help: 'Envoy-style admin: /stats, /stats/prometheus, /clusters (loopback only)' },
  { name: 'from', kind: 'string', arg: 'WORKLOAD', help: 'the Deployment whose sidecar --listen belongs to (default: meshbench, outside any Deployment)' },
  SEED_FLAG,
  STRICT_IMAGES_FLAG,
  ISTIO_FLAG,
  { name: 'access-log', kind: 'bool', help: 'print the apps\' access log lines on stderr' },
] as const;

export interface ServeFlags {
  /** -h: print the flags, serve nothing. */
  help: boolean;
  files: string[];
  listen: { host: string; port: number };
  admin: { host: string; port: number };
  from?: string;
  seed?: number;
  accessLog: boolean;
  strictImages: boolean;
  istio?: IstioProfile;
}

/** Extra knobs for tests: see the handle once booted. */
export interface ServeOptions {
  onReady?: (mesh: MeshHandle) => void;
}

export function parseServeFlags(argv: string[]): ServeFlags {
  const { values: v, positional, help } = parseFlags(SERVE_FLAGS, argv);
  if (help) return { help, files: [], listen: { host: '', port: 0 }, admin: { host: '', port: 0 }, accessLog: false, strictImages: false };
  if (positional.length === 0) throw new FlagError(`serve: no files given (${USAGE})`);
  if (v.from === '') throw new FlagError('--from: missing value');
  const seed = parseSeed('--seed', v.seed);
  const istio = parseIstio('--istio', v.istio);
  return {
    help,
    ...(istio ? { istio } : {}),
    files: positional,
    listen: parseLoopbackAddress('--listen', v.listen),
    admin: parseLoopbackAddress('--admin', v.admin),
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(seed !== undefined ? { seed } : {}),
    accessLog: v['access-log'] ?? false,
    strictImages: v['strict-images'] ?? false,
  };
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
  if (flags.help) {
    io.stdout.write(`${USAGE}\n${formatFlagHelp(SERVE_FLAGS)}`);
    return ExitCode.ok;
  }
  // Handled from the start: a Ctrl-C while the mesh boots stops it right after, cleanly.
  const interrupt = onInterrupt(io.signal);
  try {
    const { config, from, mesh } = await openMesh(flags.files, {
      from: flags.from,
      compile: { strictImages: flags.strictImages, istio: flags.istio },
      onWarning: (line) => io.stderr.write(`${line}\n`),
      boot: {
        listenHost: flags.listen.host,
        listenPort: flags.listen.port,
        adminHost: flags.admin.host,
        adminPort: flags.admin.port,
        accessLog: flags.accessLog ? 'stderr' : 'none',
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      },
    });
    try {
      io.stdout.write(describe(config, mesh, from, flags));
      opts.onReady?.(mesh);
      const stopped = new Promise<void>((resolve) => {
        if (interrupt.signal.aborted) resolve();
        interrupt.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      const crash = await Promise.race([stopped, mesh.crashed]);
      if (crash) throw crash; // the mesh thread died: a bug, reported with its cause
      io.stdout.write('stopping…\n');
    } finally {
      await mesh.close();
    }
  } finally {
    interrupt.dispose();
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
