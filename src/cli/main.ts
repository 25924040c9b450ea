// `bench` command dispatcher: picks the subcommand, loads only its module
// (Ink/React are loaded for scenario runs alone). Commands return an outcome
// (0 ok, 1 expectation failed, 130 interrupted) or throw; this is the one place
// that turns errors into `bench: …` lines and exit codes (README "Exit codes").

import { ConfigErrors, ExitCode, FlagError, isUserError } from '../errors.js';
import type { CommandIO } from './io.js';
import { defaultIO } from './io.js';

const HELP = `meshbench — Istio traffic management on one machine, under real load

Usage:
  bench <scenario.yaml> [more.yaml…] [--variant NAME] [--json FILE] [--html FILE] [--no-tui] [--seed N] [--repeat N]
        run a scenario: boot the embedded mesh, run every load step for every variant,
        live dashboard on a TTY, then the fortio reports and the comparison table
  bench load [fortio load flags] [--mesh FILE] [--from WORKLOAD] [--seed N] URL
        fortio-compatible load run (-c -qps -n -t -H -payload -p -r -uniform -jitter
        -timeout -json -loglevel …); with --mesh, a mesh host goes through the sidecar
  bench serve FILES… [--listen 127.0.0.1:15001] [--admin 127.0.0.1:15000] [--from WORKLOAD]
        [--seed N] [--access-log]
        the embedded mesh alone, for curl, hey, fortio or a browser
  bench compare A.json B.json…   comparison table from saved results; with --baseline FILE
        --fail-on 'p99>+10%' [--junit FILE] [--markdown FILE] the CI gate
  bench report A.json… -o FILE   self-contained HTML report (charts) from saved results
  bench export k8s SCENARIO.yaml [--variant NAME] [--step NAME] [--pods P] -o DIR
        manifests per variant and fortio Indexed Jobs per step for a real cluster with Istio
  bench import SCENARIO.yaml RESULTS_DIR [--json FILE]
        the cluster run's pod results merged, Envoy stats read, expectations evaluated
  bench merge A.json B.json… -o FILE   one result from runs of the same step (fortio or bench JSON)
  bench validate FILES…          check scenario and Istio/Kubernetes YAML
  bench explain FILES… [--from WORKLOAD | --from-namespace NS] [-H 'name: value']… [-X METHOD] [--json] URL
        why a request goes where it goes: route, cluster, endpoints, policy (nothing boots)
  bench COMMAND -h               the command's flags

Exit codes: 0 ok, 1 expectation or gate failed, 2 bad input (flags, YAML), 3 runtime failure,
130 interrupted (partial results still written), 70 internal error.
`;

export async function main(argv: string[], io: CommandIO = defaultIO()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    return reportError(err, io);
  }
}

async function dispatch(argv: string[], io: CommandIO): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'help':
    case '-h':
    case '--help':
    case '-help':
      io.stdout.write(HELP);
      return cmd === undefined ? ExitCode.usage : ExitCode.ok;
    case 'version':
    case '--version':
    case '-version':
      io.stdout.write(`${await version()}\n`);
      return ExitCode.ok;
    case 'load':
      return (await import('./load.js')).loadCommand(rest, io);
    case 'serve':
      return (await import('./serve.js')).serveCommand(rest, io);
    case 'compare':
      return (await import('./compare.js')).compareCommand(rest, io);
    case 'report':
      return (await import('./report.js')).reportCommand(rest, io);
    case 'validate':
      return (await import('./validate.js')).validateCommand(rest, io);
    case 'explain':
      return (await import('./explain.js')).explainCommand(rest, io);
    case 'run':
      return (await import('./run.js')).runCommand(rest, io);
    case 'export':
      return (await import('./export.js')).exportCommand(rest, io);
    case 'import':
      return (await import('./import.js')).importCommand(rest, io);
    case 'merge':
      return (await import('./merge.js')).mergeCommand(rest, io);
    default:
      if (cmd.startsWith('-') || /\.ya?ml$/i.test(cmd)) {
        return (await import('./run.js')).runCommand(argv, io);
      }
      throw new FlagError(`unknown command "${cmd}" (try: bench help)`);
  }
}

/** User errors: one line each, no stack, their declared exit code. Anything else is a bug: stack and exit 70. */
export function reportError(err: unknown, io: CommandIO): number {
  if (err instanceof ConfigErrors) {
    for (const e of err.errors) io.stderr.write(`bench: ${e.message}\n`);
    return err.exitCode;
  }
  if (isUserError(err)) {
    io.stderr.write(`bench: ${err.message}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(`bench: internal error: ${e?.stack ?? String(err)}\n`);
  return ExitCode.internal;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `meshbench ${pkg.version}`;
}
