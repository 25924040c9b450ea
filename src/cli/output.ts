// Result files (`bench --json FILE`, `bench load -json FILE`), one rule: a path
// that cannot be written is a bad flag value (exit 2, naming the flag and the
// path). It is checked before anything runs, and a write that still fails comes
// after the report, so results already computed are never lost.

import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FlagError } from '../errors.js';
import type { CommandIO } from './io.js';

function cannotWrite(flag: string, path: string, e: unknown): FlagError {
  return new FlagError(`${flag}: cannot write "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

/** Fails early when `path`'s directory is missing or read-only, or `path` is a directory. `-` is stdout. */
export async function checkWritable(flag: string, path: string): Promise<void> {
  if (path === '-') return;
  try {
    await access(dirname(resolve(path)), constants.W_OK);
    const st = await stat(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
    if (st?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    throw cannotWrite(flag, path, e);
  }
}

/** `-` writes to stdout; a file is confirmed on stderr the way fortio does it (`what`: "Json data"). */
export async function writeOutput(
  flag: string,
  path: string,
  text: string,
  io: Pick<CommandIO, 'stdout' | 'stderr'>,
  what = 'Json data',
): Promise<void> {
  if (path === '-') {
    io.stdout.write(text);
    return;
  }
  try {
    await writeFile(path, text);
  } catch (e) {
    throw cannotWrite(flag, path, e);
  }
  io.stderr.write(`Successfully wrote ${Buffer.byteLength(text)} bytes of ${what} to ${path}\n`);
}
