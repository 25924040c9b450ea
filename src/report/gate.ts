// The CI gate (`bench compare --baseline base.json new.json --fail-on …`,
// `bench run --baseline FILE`): rules like `p99>+10%`, `qps<-5%`,
// `code.503>+0.01` over the comparisons of src/report/metrics.ts, and the
// JUnit XML and Markdown a CI job publishes. A rule fails when the change is
// significant in the rule's direction (its 95 % interval excludes zero; with a
// single run per side there is no interval and the point change decides) and
// the change itself is beyond the tolerance. Pure: no files, no exit codes.

import { FlagError } from '../errors.js';
import type { RandomFor } from '../stats/bootstrap.js';
import { fmtChange } from './compare.js';
import { compareRowGroups, metricDefs, type CompareRow, type MetricDef, type MetricResult } from './metrics.js';

export interface GateRule {
  /** As typed, e.g. `p99>+10%`. */
  text: string;
  metric: string;
  /** `>`: an increase beyond `limit` fails; `<`: a decrease beyond it. */
  op: '>' | '<';
  limit: number;
  /** Relative to the baseline's mean (limit in percent) or absolute (ms, qps, share 0..1, count). */
  relative: boolean;
}

const FIXED = new Set(['qps', 'p50', 'p90', 'p99', 'p999']);
const COUNTERS = new Set(['overflow', 'retries', 'timeouts', 'ejections']);
const ALIASES: Record<string, string> = { 'p99.9': 'p999' };

/** `p99>+10%` → rule; anything else is a bad --fail-on value (exit 2). */
export function parseGateRule(text: string, flag = '--fail-on'): GateRule {
  const m = /^\s*([A-Za-z0-9_.\- ]+?)\s*([<>])\s*([+-]?\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const bad = (why: string) => new FlagError(`${flag}: invalid value "${text}": ${why}`);
  if (!m) throw bad("expected METRIC>+LIMIT or METRIC<-LIMIT, e.g. 'p99>+10%', 'qps<-5%', 'code.503>+0.01'");
  const metric = ALIASES[m[1]!] ?? m[1]!;
  if (!FIXED.has(metric) && !COUNTERS.has(metric) && !/^code\.-?\d+$/.test(metric) && !/^version\..+/.test(metric)) {
    throw bad(`unknown metric "${m[1]}" (metrics: qps p50 p90 p99 p999 code.NNN ${[...COUNTERS].join(' ')} version.NAME)`);
  }
  return { text: text.trim(), metric, op: m[2] as '>' | '<', limit: Number(m[3]), relative: m[4] === '%' };
}

/** One candidate group against its baseline group (each one row per repeat). */
export interface GatePair {
  step: string;
  variant: string;
  baseline: string;
  base: CompareRow[];
  cand: CompareRow[];
}

export interface GateCheck {
  step: string;
  variant: string;
  baseline: string;
  rule: GateRule;
  pass: boolean;
  /** The change with its interval, e.g. `+23.0% [+12.1%,+33.9%]`. */
  change: string;
  /** Why it passed or failed, one line. */
  detail: string;
}

export interface GateReport {
  checks: GateCheck[];
  /** Every metric of every pair, for the Markdown table. */
  results: Array<{ pair: GatePair; metrics: MetricResult[] }>;
  failed: number;
}

/** The change in the rule's unit: percent of the baseline mean, or the metric's own unit. */
function changeIn(rule: GateRule, r: MetricResult, v: number): number {
  if (!rule.relative) return v;
  const b = r.base.estimate;
  return b === 0 ? (v === 0 ? 0 : Math.sign(v) * Infinity) : (100 * v) / Math.abs(b);
}

export function checkRule(rule: GateRule, r: MetricResult): { pass: boolean; detail: string } {
  const est = changeIn(rule, r, r.diff.estimate);
  const beyond = rule.op === '>' ? est > rule.limit : est < rule.limit;
  const significant = !r.hasInterval || (rule.op === '>' ? r.diff.lo > 0 : r.diff.hi < 0);
  const unit = rule.relative ? '%' : '';
  const lim = `${rule.limit >= 0 ? '+' : ''}${rule.limit}${unit}`;
  if (!beyond) return { pass: true, detail: `change within ${lim}` };
  if (!significant) return { pass: true, detail: `beyond ${lim} but not significant (the 95% interval includes 0)` };
  return { pass: false, detail: `significantly ${rule.op === '>' ? 'up' : 'down'}, beyond ${lim}${r.hasInterval ? '' : ' (single run: no interval)'}` };
}

export function evaluateGate(pairs: readonly GatePair[], rules: readonly GateRule[], randomFor: RandomFor): GateReport {
  const checks: GateCheck[] = [];
  const results: GateReport['results'] = [];
  for (const pair of pairs) {
    const defs = metricDefs([...pair.base, ...pair.cand]);
    const metrics = compareRowGroups(pair.base, pair.cand, randomFor, defs);
    results.push({ pair, metrics });
    for (const rule of rules) {
      const r = metrics.find((m) => m.def.name === rule.metric) ?? absentMetric(rule.metric, pair, randomFor);
      const { pass, detail } = checkRule(rule, r);
      checks.push({ step: pair.step, variant: pair.variant, baseline: pair.baseline, rule, pass, change: fmtChange(r), detail });
    }
  }
  return { checks, results, failed: checks.filter((c) => !c.pass).length };
}

/** A code, counter or version neither side saw: zero on both sides. */
function absentMetric(name: string, pair: GatePair, randomFor: RandomFor): MetricResult {
  const def: MetricDef = { name, header: name, kind: name.startsWith('code.') || name.startsWith('version.') ? 'share' : 'count', direction: 'down', value: () => 0 };
  return compareRowGroups(pair.base, pair.cand, randomFor, [def])[0]!;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JUnit XML: one test case per (step, variant, rule); a failed rule is a <failure>. */
export function formatJUnit(report: GateReport): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="meshbench" tests="${report.checks.length}" failures="${report.failed}">`,
    `  <testsuite name="meshbench gate" tests="${report.checks.length}" failures="${report.failed}">`,
  ];
  for (const c of report.checks) {
    const head = `    <testcase classname="${xml(`${c.step}.${c.variant}`)}" name="${xml(c.rule.text)}"`;
    if (c.pass) lines.push(`${head}>`, `      <system-out>${xml(`${c.change}: ${c.detail}`)}</system-out>`, '    </testcase>');
    else {
      lines.push(
        `${head}>`,
        `      <failure message="${xml(`${c.rule.metric} ${c.change} vs ${c.baseline}: ${c.detail}`)}" type="regression">${xml(`step ${c.step}, ${c.variant} against ${c.baseline}: ${c.rule.metric} changed ${c.change}; rule ${c.rule.text}`)}</failure>`,
        '    </testcase>',
      );
    }
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}

const VERDICT_MD: Record<MetricResult['verdict'], string> = { better: 'better', worse: '**worse**', same: '≈ no significant difference', inconclusive: '? spread too large' };

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A PR comment: the verdict, failed rules, then every metric per step and variant. */
export function formatMarkdown(report: GateReport, rules: readonly GateRule[]): string {
  const out: string[] = [];
  const status = rules.length === 0 ? 'no --fail-on rules' : report.failed ? `FAILED (${report.failed} of ${report.checks.length} checks)` : `passed (${report.checks.length} checks)`;
  out.push(`### meshbench gate: ${status}`, '');
  if (report.checks.length) {
    out.push('| step | variant | rule | change [95% CI] | result |', '|---|---|---|---|---|');
    for (const c of report.checks) out.push(`| ${md(c.step)} | ${md(c.variant)} | \`${md(c.rule.text)}\` | ${md(c.change)} | ${c.pass ? 'pass' : '**FAIL**'}: ${md(c.detail)} |`);
    out.push('');
  }
  for (const { pair, metrics } of report.results) {
    out.push(`#### step ${md(pair.step)}: ${md(pair.variant)} (${pair.cand.length} run(s)) vs ${md(pair.baseline)} (${pair.base.length} run(s))`, '');
    out.push('| metric | baseline | candidate | change [95% CI] | verdict |', '|---|---|---|---|---|');
    for (const r of metrics) out.push(`| ${md(r.def.name)} | ${fmtNum(r.base.estimate)} | ${fmtNum(r.cand.estimate)} | ${md(fmtChange(r))} | ${VERDICT_MD[r.verdict]} |`);
    out.push('');
  }
  return out.join('\n');
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) < 1 ? v.toFixed(4) : v.toFixed(2);
}

const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/** Within one set of rows: per step, every variant against the first (the table's baseline). */
export function pairsWithin(rows: readonly CompareRow[]): GatePair[] {
  const pairs: GatePair[] = [];
  const variants = uniq(rows.map((r) => r.variant));
  for (const step of uniq(rows.map((r) => r.step))) {
    const groups = variants.map((v) => rows.filter((r) => r.step === step && r.variant === v)).filter((g) => g.length > 0);
    for (const g of groups.slice(1)) pairs.push({ step, variant: g[0]!.variant, baseline: groups[0]![0]!.variant, base: groups[0]!, cand: g });
  }
  return pairs;
}

/**
 * New results against a saved baseline: each (step, variant) against the same
 * step and variant in the baseline, or its only variant of that step. A step or
 * variant the baseline lacks cannot be judged: an error, never a silent pass.
 */
export function pairsAgainst(base: readonly CompareRow[], cand: readonly CompareRow[], baselineFile: string): GatePair[] {
  const pairs: GatePair[] = [];
  for (const step of uniq(cand.map((r) => r.step))) {
    const baseInStep = base.filter((r) => r.step === step);
    const baseVariants = uniq(baseInStep.map((r) => r.variant));
    for (const variant of uniq(cand.filter((r) => r.step === step).map((r) => r.variant))) {
      const same = baseInStep.filter((r) => r.variant === variant);
      const b = same.length ? same : baseVariants.length === 1 ? baseInStep : [];
      if (b.length === 0) {
        throw new FlagError(
          `--baseline ${baselineFile}: no baseline for step "${step}" variant "${variant}" (${baseVariants.length ? `its variants there: ${baseVariants.join(', ')}` : `steps there: ${uniq(base.map((r) => r.step)).join(', ')}`})`,
        );
      }
      pairs.push({ step, variant, baseline: `${b[0]!.variant} (${baselineFile})`, base: b, cand: cand.filter((r) => r.step === step && r.variant === variant) });
    }
  }
  return pairs;
}
