// A whole mesh in its own process for the benchmarks: boots the YAML files
// given on the command line (in this thread, so the process CPU is the mesh's),
// prints the port of the implicit `meshbench` sidecar, serves until killed.
// With `--time HOST`: instead asks HOST once through that sidecar, prints one
// JSON line {compileMs, bootMs, firstAnswerMs, status, bytes, instances} and exits.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { loadSourceFiles } from '../../src/mesh/config/source.js';
import { compileMesh } from '../../src/mesh/config/compile.js';
import { startMesh } from '../../src/mesh/mesh.js';
import { IMPLICIT_SOURCE } from '../../src/mesh/api.js';

const args = process.argv.slice(2);
const timeAt = args.indexOf('--time');
const timeHost = timeAt >= 0 ? args[timeAt + 1] : undefined;
const files = timeAt >= 0 ? args.filter((_, i) => i !== timeAt && i !== timeAt + 1) : args;

const t0 = performance.now();
const config = compileMesh(await loadSourceFiles(files));
const t1 = performance.now();
const mesh = await startMesh(config, { seed: 1 });
const t2 = performance.now();
const port = mesh.sidecars.find((s) => s.workload === IMPLICIT_SOURCE)!.listenPort;

if (timeHost !== undefined) {
  const answer = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', headers: { host: timeHost }, agent: false }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      })
      .on('error', reject);
  });
  const t3 = performance.now();
  const line = { compileMs: t1 - t0, bootMs: t2 - t1, firstAnswerMs: t3 - t2, ...answer, instances: mesh.instances.length };
  await mesh.close();
  process.stdout.write(JSON.stringify(line) + '\n');
} else {
  process.stdout.write(`${port}\n`);
  process.on('SIGTERM', () => void mesh.close().then(() => process.exit(0)));
}
