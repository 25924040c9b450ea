// HTML report generation: time to render a typical scenario result (the test
// fixture's 2 variants x 2 steps, a real run) as the self-contained HTML page,
// against what the run already spends on its other outputs of the same document:
// the `--json` text (JSON.stringify, indented) and the plain-text report. The
// first render also reads uPlot and the client script from disk (cold); the rest
// reuse them. Target: a warm render within 10x the JSON text, and the page under
// 2 MB. Run directly: `node dist/bench/report.js`.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { prepareScenario, runPrepared } from '../src/scenario/runner.js';
import { formatScenarioReport, statsRandom, toJsonDocument } from '../src/scenario/report.js';
import { htmlReport } from '../src/report/html/report.js';

export interface ReportBench {
  coldMs: number;
  htmlMs: number;
  jsonMs: number;
  textMs: number;
  htmlBytes: number;
  jsonBytes: number;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function median(fn: () => unknown, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export async function benchReport(runs = 21): Promise<ReportBench> {
  const files = [here('../../test/fixtures/report/shift.yaml')];
  const prepared = await prepareScenario(files);
  const outcome = await runPrepared(prepared, { files, seed: 3 });
  const doc = toJsonDocument(outcome);
  const input = [{ doc, file: 'shift.yaml' }];
  let t0 = performance.now();
  const first = await htmlReport(input, { randomFor: statsRandom });
  const coldMs = performance.now() - t0;
  const html: number[] = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    await htmlReport(input, { randomFor: statsRandom });
    html.push(performance.now() - t0);
  }
  const htmlMs = html.sort((a, b) => a - b)[Math.floor(runs / 2)];
  const json = JSON.stringify(doc, null, 2);
  const jsonMs = median(() => JSON.stringify(doc, null, 2), runs);
  const textMs = median(() => formatScenarioReport(outcome, { from: prepared.scenario.load.from }), runs);
  const r = { coldMs, htmlMs, jsonMs, textMs, htmlBytes: Buffer.byteLength(first), jsonBytes: Buffer.byteLength(json) };
  const ratio = r.htmlMs / r.jsonMs;
  const lines = [
    `typical scenario (2 variants x 2 steps), median of ${runs}:`,
    `  HTML report   ${r.htmlMs.toFixed(2)} ms warm, ${r.coldMs.toFixed(1)} ms cold (reads uPlot), ${(r.htmlBytes / 1024).toFixed(0)} KB`,
    `  --json text   ${r.jsonMs.toFixed(2)} ms, ${(r.jsonBytes / 1024).toFixed(0)} KB`,
    `  text report   ${r.textMs.toFixed(2)} ms`,
    `  HTML / JSON: ${ratio.toFixed(1)}x (target <= 10x) ${ratio <= 10 ? 'OK' : 'OVER TARGET'}; size ${r.htmlBytes < 2_000_000 ? 'OK' : 'OVER'} (< 2 MB)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return r;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchReport().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
