// One place for the errors a user can cause and the exit codes they map to.
// User errors print as one line (no stack) and exit with `exitCode`; anything
// else reaching the CLI is a bug and exits 70 (EX_SOFTWARE) with its stack.

/** Exit codes, documented in README.md ("Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A scenario expectation failed (the run itself completed). */
  expectationFailed: 1,
  /** Bad flags, bad YAML, unknown fields, missing files: nothing was run. */
  usage: 2,
  /** The run could not go on: upstream unreachable at start, port in use, mesh failed to boot. */
  runtime: 3,
  /** Interrupted (Ctrl-C / SIGTERM); partial results were still written. */
  interrupted: 130,
  internal: 70,
} as const;

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}

/**
 * Base class: a problem the user can fix; `code` is stable (tests and scripts
 * match it). Commands throw these; only the CLI's main() turns them into a
 * `bench: …` line and the exit code declared here.
 */
export class UserError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number = ExitCode.usage) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad command-line flag or value. Message names the flag: `-qps: invalid value "x"`. */
export class FlagError extends UserError {
  constructor(message: string) {
    super('MB_ERR_FLAG', message, ExitCode.usage);
    this.name = 'FlagError';
  }
}

/**
 * A bad configuration document. Printed as `file:line:col: path: message`,
 * e.g. `dr.yaml:9:7: spec.trafficPolicy.connectionPool.tcp.maxConnections: expected an integer, got "one"`.
 */
export class ConfigError extends UserError {
  readonly location: SourceLocation | undefined;
  readonly path: string;
  readonly detail: string;
  constructor(detail: string, location?: SourceLocation, path = '') {
    const where = formatLocation(location);
    super('MB_ERR_CONFIG', [where, path, detail].filter(Boolean).join(': '), ExitCode.usage);
    this.name = 'ConfigError';
    this.location = location;
    this.path = path;
    this.detail = detail;
  }
}

/** Several config errors found in one pass; the CLI prints each on its own line. */
export class ConfigErrors extends UserError {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super('MB_ERR_CONFIG', errors.map((e) => e.message).join('\n'), ExitCode.usage);
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/**
 * Problems a command has already listed one per line on stderr (`bench validate`'s
 * report, in reading order); the message is the summary line, e.g. `2 errors, 1 warning`.
 */
export class ReportedErrors extends UserError {
  constructor(summary: string) {
    super('MB_ERR_CONFIG', summary, ExitCode.usage);
    this.name = 'ReportedErrors';
  }
}

/** The run could not proceed (port in use, upstream unreachable at start, mesh boot failed). */
export class RuntimeError extends UserError {
  constructor(code: string, message: string) {
    super(code, message, ExitCode.runtime);
    this.name = 'RuntimeError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
