// `npm run bench`: every benchmark in bench/, one after another (they must not
// share the 2 cores with each other), each printing its own ratio table.

const benches: Array<[string, () => Promise<unknown>]> = [
  ['load engine vs autocannon / wrk', async () => (await import('./load.js')).benchLoad()],
  ['sidecar vs bare pass-through / nginx', async () => (await import('./proxy.js')).benchProxy()],
  ['scenario overhead', async () => (await import('./scenario.js')).benchScenario()],
  ['built-in httpbin /get vs bare node:http', async () => (await import('./httpbin.js')).benchHttpbin()],
  ['HTML report vs JSON text', async () => (await import('./report.js')).benchReport()],
  ['mirror capture + diff vs plain mirroring', async () => (await import('./mirror.js')).benchMirror()],
  ['statistics: timeline recorder share of the load path, post-run bootstrap', async () => (await import('./statistics.js')).benchStatistics()],
  ['modeled services: hop CPU vs httpbin, 3-hop chain, isotope graph boot times', async () => (await import('./modeled.js')).benchModeled()],
];

const only = process.argv.slice(2);
let failed = 0;
for (const [name, run] of benches) {
  if (only.length && !only.some((o) => name.includes(o))) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  try {
    await run();
  } catch (err) {
    failed++;
    process.stdout.write(`benchmark failed: ${(err as Error)?.stack ?? String(err)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
