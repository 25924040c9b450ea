// Shared by tests that run commands in-process: repo paths that hold whatever
// the cwd, and captured stdout/stderr.
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** A repo file, whatever the cwd (tests run from dist/test/<area>/). */
export const repo = (p: string): string => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

/** Command streams that collect what is written; `isTTY: false` keeps runCommand in plain mode. */
export function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr, isTTY: false }, out: () => out, err: () => err };
}
