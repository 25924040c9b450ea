// The CI gate's flags and outputs, shared by `bench compare` and `bench run`:
// --baseline FILE, --fail-on RULE…, --junit FILE, --markdown FILE. The rules
// and verdicts live in src/report/gate.ts; this file only reads, writes and
// says what happened. The caller turns `failed` into exit 1.

import { readFile } from 'node:fs/promises';
import { ExitCode, UserError } from '../errors.js';
import { STATS_SEED, statsRandom } from '../scenario/report.js';
import type { CompareRow } from '../report/compare.js';
import { evaluateGate, formatJUnit, formatMarkdown, pairsAgainst, pairsWithin, parseGateRule, type GateRule } from '../report/gate.js';
import type { FlagSpec } from './flags.js';
import type { CommandIO } from './io.js';
import { checkWritable, writeOutput } from './output.js';

export const GATE_FLAGS = [
  { name: 'baseline', kind: 'string', arg: 'FILE', help: 'compare against these saved results (bench --json) instead of the first variant' },
  { name: 'fail-on', kind: 'string', repeatable: true, arg: 'RULE', help: "exit 1 when a metric is significantly worse beyond RULE: 'p99>+10%', 'qps<-5%', 'code.503>+0.01'" },
  { name: 'junit', kind: 'string', arg: 'FILE', help: 'write the gate checks as JUnit XML' },
  { name: 'markdown', kind: 'string', arg: 'FILE', help: 'write the comparison and checks as Markdown (a PR comment)' },
] as const satisfies readonly FlagSpec[];

export interface GateFlags {
  baseline?: string;
  rules: GateRule[];
  junit?: string;
  markdown?: string;
}

/** Parsed and checked before anything runs: bad rules and unwritable outputs are exit 2. */
export async function gateFlags(v: { baseline: string | undefined; 'fail-on': string[]; junit: string | undefined; markdown: string | undefined }): Promise<GateFlags> {
  const rules = v['fail-on'].flatMap((x) => x.split(',')).filter((x) => x.trim()).map((x) => parseGateRule(x));
  if (v.junit !== undefined) await checkWritable('--junit', v.junit);
  if (v.markdown !== undefined) await checkWritable('--markdown', v.markdown);
  return {
    rules,
    ...(v.baseline !== undefined ? { baseline: v.baseline } : {}),
    ...(v.junit !== undefined ? { junit: v.junit } : {}),
    ...(v.markdown !== undefined ? { markdown: v.markdown } : {}),
  };
}

export function gateActive(g: GateFlags): boolean {
  return g.baseline !== undefined || g.rules.length > 0 || g.junit !== undefined || g.markdown !== undefined;
}

/**
 * Evaluate the rules on `rows` (against `baseRows` when a baseline was given),
 * print a summary, write JUnit/Markdown. Returns exit 1 when a rule failed.
 */
export async function runGate(g: GateFlags, rows: CompareRow[], baseRows: CompareRow[] | undefined, io: CommandIO, seed = STATS_SEED): Promise<number> {
  const pairs = baseRows && g.baseline !== undefined ? pairsAgainst(baseRows, rows, g.baseline) : pairsWithin(rows);
  const report = evaluateGate(pairs, g.rules, statsRandom(seed));
  const out = io.stdout;
  if (g.rules.length === 0) out.write('gate: no --fail-on rules, nothing can fail\n');
  else out.write(`gate: ${report.failed ? `FAILED ${report.failed} of ${report.checks.length} checks` : `passed ${report.checks.length} checks`}\n`);
  for (const c of report.checks.filter((x) => !x.pass)) out.write(`  FAIL ${c.step} / ${c.variant} vs ${c.baseline}: ${c.rule.text}: ${c.change}, ${c.detail}\n`);
  if (g.junit !== undefined) await writeOutput('--junit', g.junit, formatJUnit(report), io, 'JUnit XML');
  if (g.markdown !== undefined) await writeOutput('--markdown', g.markdown, formatMarkdown(report, g.rules), io, 'Markdown');
  return report.failed ? ExitCode.expectationFailed : ExitCode.ok;
}

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
