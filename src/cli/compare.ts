// `bench compare A.json B.json…`: the comparison table from saved results —
// scenario results (`bench … --json`) and plain fortio JSON (`bench load -json`,
// or fortio's own) alike. The first row of each step is the baseline.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ExitCode, FlagError, UserError } from '../errors.js';
import type { CompareRow } from '../report/compare.js';
import { formatCompareTable } from '../report/compare.js';
import type { CommandIO } from './io.js';
import { parseFlags } from './flags.js';

const USAGE = 'usage: bench compare A.json B.json…';

export async function compareCommand(argv: string[], io: CommandIO): Promise<number> {
  const { positional: files, help } = parseFlags([], argv);
  if (help) {
    io.stdout.write(`${USAGE}\n  the comparison table of saved results: bench --json files and fortio JSON alike\n`);
    return ExitCode.ok;
  }
  if (files.length === 0) throw new FlagError(`no result files given (${USAGE})`);
  const perFile: CompareRow[][] = [];
  for (const f of files) perFile.push(rowsOf(await readJson(f), f));
  const rows = label(perFile, files);
  const width = Math.max(60, Math.min(160, io.stdout.columns ?? 100));
  io.stdout.write(formatCompareTable(rows, { width }));
  return ExitCode.ok;
}

/** A JSON file given on the command line: unreadable or invalid is a user error naming the file. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError('MB_ERR_NO_FILE', `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError('MB_ERR_JSON', `${file}: not valid JSON (${(e as Error).message})`);
  }
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Rows of one file: a scenario result (has `compare`) or a fortio result (has `DurationHistogram`). */
export function rowsOf(doc: unknown, file: string): CompareRow[] {
  if (isRec(doc) && Array.isArray(doc.compare)) {
    return doc.compare.filter(isRec).map((r) => ({
      variant: String(r.variant ?? ''),
      step: String(r.step ?? ''),
      qps: num(r.qps),
      p50: num(r.p50),
      p90: num(r.p90),
      p99: num(r.p99),
      p999: num(r.p999),
      codes: numbers(r.codes),
      calls: num(r.calls),
      counters: numbers(r.counters),
      perVersion: numbers(r.perVersion),
      ...(isRec(r.noise) ? { noise: { p50: num(r.noise.p50), p99: num(r.noise.p99), qps: num(r.noise.qps) } } : {}),
    }));
  }
  if (isRec(doc) && isRec(doc.DurationHistogram)) return [fortioRow(doc, file)];
  throw new UserError('MB_ERR_JSON', `${file}: neither a meshbench scenario result (bench --json) nor a fortio JSON result`);
}

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRec(v)) for (const [k, x] of Object.entries(v)) out[k] = num(x);
  return out;
}

function fortioRow(doc: Rec, file: string): CompareRow {
  const h = doc.DurationHistogram as Rec;
  const pcts = Array.isArray(h.Percentiles) ? h.Percentiles.filter(isRec) : [];
  // fortio percentiles are in seconds.
  const at = (p: number) => 1000 * num(pcts.find((x) => num(x.Percentile) === p)?.Value);
  const mb = isRec(doc.MeshBench) ? doc.MeshBench : isRec(doc.meshbench) ? doc.meshbench : undefined;
  const st = mb && isRec(mb.serviceTime) ? mb.serviceTime : undefined;
  return {
    variant: basename(file).replace(/\.json$/i, ''),
    // One table for all fortio files given: each file is a variant of the same "load" step.
    step: 'load',
    qps: num(doc.ActualQPS),
    p50: st ? num(st.p50) : at(50),
    p90: st ? num(st.p90) : at(90),
    p99: st ? num(st.p99) : at(99),
    p999: st ? num(st.p999) : at(99.9),
    codes: numbers(doc.RetCodes),
    calls: num(h.Count),
    counters: {},
    perVersion: {},
  };
}

/** Same variant name in several files (e.g. two runs of "base"): prefix the file name. */
function label(perFile: CompareRow[][], files: string[]): CompareRow[] {
  const owners = new Map<string, Set<number>>();
  perFile.forEach((rows, i) => rows.forEach((r) => (owners.get(r.variant) ?? owners.set(r.variant, new Set()).get(r.variant)!).add(i)));
  const out: CompareRow[] = [];
  perFile.forEach((rows, i) => {
    for (const r of rows) {
      const clash = (owners.get(r.variant)?.size ?? 0) > 1;
      const name = basename(files[i]).replace(/\.json$/i, '');
      // The same file twice (or two files of one name): number them.
      const dup = files.findIndex((f) => basename(f) === basename(files[i])) !== i ? `#${i + 1}` : '';
      const variant = r.variant === name ? `${name}${dup}` : `${name}${dup}:${r.variant}`;
      out.push(clash ? { ...r, variant } : r);
    }
  });
  return out;
}
