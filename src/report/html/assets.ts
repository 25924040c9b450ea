// What the HTML report inlines besides its data: uPlot's minified build and CSS
// from node_modules (read at generation time, so the file needs no network) and
// our drawing script. Read once per process.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  clientJs: string;
}

let cached: Promise<ReportAssets> | undefined;

export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= (async () => {
    const require = createRequire(import.meta.url);
    // client.js is plain browser JavaScript kept beside its TypeScript source (not compiled):
    // from dist/src/report/html/ that is ../../../../src/report/html/.
    const client = fileURLToPath(new URL('../../../../src/report/html/client.js', import.meta.url));
    const [uplotJs, uplotCss, clientJs] = await Promise.all([
      readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
      readFile(client, 'utf8'),
    ]);
    return { uplotJs, uplotCss, clientJs };
  })();
  return cached;
}
