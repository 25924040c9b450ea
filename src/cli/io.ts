// The streams a command writes to. Commands take this instead of touching
// `process` directly so tests can run them in-process and read their output.

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface CommandIO {
  stdout: OutStream & NodeJS.WritableStream;
  stderr: OutStream & NodeJS.WritableStream;
  stdin?: NodeJS.ReadStream;
  /** Aborts the command like Ctrl-C (tests, embedding). */
  signal?: AbortSignal;
  /** Overrides stdout.isTTY: the scenario dashboard or plain lines (tests). */
  isTTY?: boolean;
}

export function defaultIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}
