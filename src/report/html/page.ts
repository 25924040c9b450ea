// The self-contained HTML report: one file, everything inlined (uPlot, its CSS,
// the drawing script, the data), so it opens from disk and asks no other host
// for anything. Pure: results and assets in, a string out. Tables are plain
// HTML (readable without scripts); charts are drawn by client.js from the JSON
// blob in <script id="mb-data">.

import { compareSteps, NOISE_LEGEND, REPEAT_LEGEND, stepTable, WINDOW_LEGEND } from '../compare.js';
import type { Column, CompareStep } from '../compare.js';
import type { RandomFor } from '../../stats/bootstrap.js';
import type { ReportAssets } from './assets.js';
import type { RunView, StepView } from './model.js';
import { esc } from './escape.js';
import { mirrorCard } from './mirror.js';
import { hopsCard } from './hops.js';

/** JSON inside <script>: `</script>` and `<!--` must not end or open anything. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/** Inline script text: a stray `</script` inside it would end the element. */
const scriptText = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1');

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --grid: #d8dee4; --card: #f6f8fa;
  --pass: #0a6b50; --fail: #b3261e; --better: #0a6b50; --worse: #b3261e; --changed: #8a5a00; --bar: #0072B2; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #30363d; --card: #161b22;
    --pass: #56d364; --fail: #ff7b72; --better: #56d364; --worse: #ff7b72; --changed: #e3b341; --bar: #56B4E9; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--grid); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 0 0 6px; color: var(--muted); font-weight: 600; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; color: var(--muted); margin: 8px 0 0; }
.meta b { color: var(--fg); font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; }
.card { background: var(--card); border: 1px solid var(--grid); border-radius: 8px; padding: 12px; min-width: 0; }
.chart { position: relative; min-height: 120px; }
.mb-empty { color: var(--muted); display: flex; align-items: center; justify-content: center; min-height: 120px; font-style: italic; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; width: 100%; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--grid); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { white-space: normal; }
th { color: var(--muted); font-weight: 600; }
.scroll { overflow-x: auto; }
.delta { color: var(--muted); font-size: 12px; margin-left: 4px; }
.repeats .delta { display: block; margin-left: 0; }
.better .delta { color: var(--better); } .worse .delta { color: var(--worse); } .changed .delta { color: var(--changed); }
.pass { color: var(--pass); font-weight: 600; } .fail { color: var(--fail); font-weight: 600; }
.bar { display: inline-block; height: 10px; background: var(--bar); border-radius: 2px; vertical-align: middle; margin-right: 6px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; white-space: nowrap; }
.wide { grid-column: 1 / -1; }
.legend-note { color: var(--muted); font-size: 12px; margin-top: 6px; }
.warn { color: var(--changed); }
.uplot { font-family: inherit; color: var(--fg); }
.u-legend { font-size: 12px; }
.mb-tip { position: absolute; z-index: 10; pointer-events: none; background: var(--bg); color: var(--fg); border: 1px solid var(--grid);
  border-radius: 6px; padding: 6px 8px; font-size: 12px; box-shadow: 0 2px 8px rgba(0,0,0,.25); white-space: nowrap; }
.mb-tip-x { color: var(--muted); margin-bottom: 2px; }
.mb-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
`;

export interface PageOptions {
  /** When the report was generated (ISO), shown in the footer. */
  generatedAt: string;
  generator: string;
  /** Bootstrap draws for repeat intervals, seeded from a run's seed (absent: the default), as the text report seeds them. */
  randomFor: (seed: number | undefined) => RandomFor;
}

export function renderHtmlReport(runs: RunView[], assets: ReportAssets, opts: PageOptions): string {
  const steps: StepView[] = [];
  const body: string[] = [];
  const many = runs.length > 1;
  for (const run of runs) {
    body.push(runHeader(run, many));
    const tables = compareSteps(run.compare);
    for (const step of run.steps) {
      const i = steps.length;
      steps.push({ ...step, title: many ? `${run.file}: ${step.name}` : step.name });
      body.push(stepSection(run, step, i, tables.find((t) => t.step === step.name), opts));
    }
    if (run.kind === 'scenario') body.push(expectationsSection(run));
    if (run.warnings.length) {
      body.push(`<h2>Config warnings</h2><ul>${run.warnings.map((w) => `<li class="warn"><code>${esc(w)}</code></li>`).join('')}</ul>`);
    }
  }
  const title = runs.map((r) => r.scenario).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`meshbench — ${title}`)}</title>
<style>${assets.uplotCss}</style>
<style>${STYLE}</style>
</head>
<body>
${body.join('\n')}
<p class="legend-note">Generated ${esc(opts.generatedAt)} by ${esc(opts.generator)}. Latency: service time from the actual send; “corrected” from the intended send time (coordinated omission), fixed-qps steps only. Time series (per second; 100 ms samples for steps shorter than 5 s): qps and codes from the load generator, counters from the sidecar of the load’s source.</p>
<script id="mb-data" type="application/json">${scriptJson({ steps })}</script>
<script>${scriptText(assets.uplotJs)}</script>
<script>${scriptText(assets.clientJs)}</script>
</body>
</html>
`;
}

function runHeader(run: RunView, many: boolean): string {
  const m = run.machine;
  const items: Array<[string, string]> = [['scenario', run.scenario]];
  if (many) items.push(['result', run.file]);
  if (run.startedAt) items.push(['started', run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')]);
  if (run.durationMs !== undefined) items.push(['took', `${(run.durationMs / 1000).toFixed(1)} s`]);
  if (run.kind === 'scenario') items.push(['seed', run.seed !== undefined ? String(run.seed) : 'none (random)']);
  if (m) {
    const parts = [m.cores !== undefined ? `${m.cores} cores` : '', m.cpu ?? '', m.platform && m.arch ? `${m.platform}/${m.arch}` : '', m.node ? `Node ${m.node}` : ''];
    items.push(['machine', parts.filter(Boolean).join(', ')]);
  }
  items.push(['status', run.status]);
  if (run.files.length) items.push(['files', run.files.join(' ')]);
  const meta = items.map(([k, v]) => `<span>${esc(k)}: <b>${esc(v)}</b></span>`).join('');
  return `<header><h1>${esc(run.scenario)}</h1><div class="meta">${meta}</div></header>`;
}

function chart(kind: string, step: number, title: string): string {
  return `<div class="card"><h3>${esc(title)}</h3><div class="chart" data-chart="${kind}" data-step="${step}"></div></div>`;
}

function stepSection(run: RunView, step: StepView, i: number, table: CompareStep | undefined, opts: PageOptions): string {
  const note = step.interrupted.length ? ` <span class="warn">(interrupted: ${esc(step.interrupted.join(', '))})</span>` : '';
  const parts = [`<section class="step"><h2>Step ${esc(step.name)}${note}</h2><div class="grid">`];
  parts.push(chart('latency', i, 'Latency by percentile (service time, and corrected at fixed qps)'));
  parts.push(chart('qps', i, 'Throughput over time'));
  parts.push(chart('codes', i, 'Status codes over time'));
  parts.push(chart('counters', i, 'Envoy counters over time (overflow, retries, timeouts, ejections)'));
  parts.push('</div><div class="grid" style="margin-top:16px">');
  if (table) parts.push(compareCard(table, opts.randomFor(run.seed)));
  if (step.mirror.length) parts.push(mirrorCard(step.mirror));
  if (run.kind === 'scenario') parts.push(versionsCard(step));
  parts.push(hopsCard(step));
  const exp = run.expectations.filter((e) => e.step === step.name);
  if (exp.length) parts.push(`<div class="card scroll"><h3>Expectations</h3>${expectationTable(exp, false)}</div>`);
  parts.push('</div></section>');
  return parts.join('\n');
}

/** The step's comparison, as the text report prints it: noise deltas, or with repeats means ± intervals and verdicts. */
function compareCard(table: CompareStep, randomFor: RandomFor): string {
  const t = stepTable(table, randomFor);
  const notes = [table.rows.length > 1 ? `baseline ${table.rows[0].variant}` : '', t.repeats ?? t.windows ?? ''].filter(Boolean);
  const legend = t.repeats ? REPEAT_LEGEND : t.windows ? WINDOW_LEGEND : table.rows.length > 1 ? NOISE_LEGEND : [];
  const warnings = [...t.warnings.map((w) => `warning: ${w}`), ...(t.noInterval ? [t.noInterval] : [])].map((w) => `<div class="warn">${esc(w)}</div>`).join('');
  return `<div class="card scroll wide${t.repeats || t.windows ? ' repeats' : ''}" data-section="compare"><h3>Comparison${notes.length ? ` (${esc(notes.join(', '))})` : ''}</h3>${compareTable(table.rows.map((r) => r.variant), t.columns)}${warnings}${legend.length ? `<div class="legend-note">${esc(legend.join(' '))}</div>` : ''}</div>`;
}

function compareTable(variants: string[], columns: Column[]): string {
  const head = `<tr><th>variant</th>${columns.map((c) => `<th>${esc(c.header)}</th>`).join('')}</tr>`;
  const rows = variants.map((v, r) => {
    const cells = columns.map((c) => {
      const cell = c.cells[r];
      const delta = cell.delta ? `<span class="delta" title="${cell.tone === 'same' ? 'within noise' : cell.tone}">${esc(cell.delta)}</span>` : '';
      return `<td class="${cell.tone}">${esc(cell.value)}${delta}</td>`;
    });
    return `<tr><td>${esc(v)}</td>${cells.join('')}</tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

/** Shares within each app (mirror copies against the app's primary requests), as in the comparison table. */
function versionsCard(step: StepView): string {
  const appOf = (k: string): string => k.split(' ')[0];
  const keys = [...new Set(step.perVersion.flatMap((p) => Object.keys(p.versions)))].sort();
  if (!keys.length) return `<div class="card"><h3>Requests per version</h3><div class="mb-empty">no requests reached a versioned instance</div></div>`;
  const rows = step.perVersion.flatMap((p) =>
    keys.map((k) => {
      const n = p.versions[k] ?? 0;
      let total = 0;
      for (const [kk, x] of Object.entries(p.versions)) if (appOf(kk) === appOf(k) && !kk.endsWith(' mirror')) total += x;
      const share = total > 0 ? (100 * n) / total : 0;
      const w = Math.min(100, share);
      return `<tr><td>${esc(p.variant)}</td><td class="text">${esc(k)}</td><td>${n}</td><td class="text"><span class="bar" style="width:${(w * 1.6).toFixed(1)}px"></span>${share.toFixed(1)}%</td></tr>`;
    }),
  );
  return `<div class="card scroll"><h3>Requests per version (traffic shifting, mirroring)</h3><table><tr><th>variant</th><th class="text">version</th><th>requests</th><th class="text">share of the app</th></tr>${rows.join('')}</table></div>`;
}

function expectationTable(exp: RunView['expectations'], withStep: boolean): string {
  const head = `<tr><th class="text">verdict</th><th class="text">variant</th>${withStep ? '<th class="text">step</th>' : ''}<th class="text">check</th><th class="text">measured</th><th class="text">where</th></tr>`;
  const rows = exp.map(
    (e) =>
      `<tr><td class="text ${e.pass ? 'pass' : 'fail'}">${e.pass ? '✔ pass' : '✘ FAIL'}</td><td class="text">${esc(e.variant)}</td>${withStep ? `<td class="text">${esc(e.step)}</td>` : ''}<td class="text"><code>${esc(e.check)}</code></td><td class="text">${esc(e.actual)}</td><td class="text"><code>${esc(e.where)}</code></td></tr>`,
  );
  return `<table>${head}${rows.join('')}</table>`;
}

function expectationsSection(run: RunView): string {
  const all = run.expectations;
  if (!all.length) return `<h2>Expectations</h2><p>No expectations were evaluated.</p>`;
  const failed = all.filter((e) => !e.pass).length;
  const head = `<h2>Expectations: <span class="${failed ? 'fail' : 'pass'}">${all.length - failed} of ${all.length} passed</span></h2>`;
  return `${head}<div class="card scroll">${expectationTable(all, true)}</div>`;
}
