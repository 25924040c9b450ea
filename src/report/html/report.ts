// `bench report` and `--html`: result documents (scenario or fortio) in, one
// self-contained HTML file out (see page.ts).

import { loadReportAssets } from './assets.js';
import { readRun } from './model.js';
import type { TimelinePoint } from './model.js';
import { renderHtmlReport } from './page.js';
import type { RandomFor } from '../../stats/bootstrap.js';

export interface HtmlInput {
  /** A parsed scenario result document (`bench … --json`). */
  doc: unknown;
  /** Where it came from, for errors and multi-file headers. */
  file: string;
  /** A fortio result's per-second series (a scenario result holds its own). */
  timeline?: TimelinePoint[];
}

export interface HtmlReportOptions {
  /** Seeded bootstrap draws for the comparison's repeat intervals (the cli passes the text report's). */
  randomFor: (seed: number | undefined) => RandomFor;
  now?: Date;
}

export async function htmlReport(inputs: HtmlInput[], opts: HtmlReportOptions): Promise<string> {
  const runs = inputs.map((i) => readRun(i.doc, i.file, i.timeline));
  return renderHtmlReport(runs, await loadReportAssets(), {
    generatedAt: (opts.now ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    generator: 'meshbench',
    randomFor: opts.randomFor,
  });
}
