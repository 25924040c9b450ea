// bench export k8s: every shipped scenario's exported documents pass the
// Kubernetes and Istio schemas (kubernetes-models, @kubernetes-models/istio:
// the OpenAPI schemas of the API server and of Istio's CRDs), the load split
// sums exactly to each step's -c/-qps/-n the way k6-operator splits (even
// share, remainder to the first pods), and the Jobs carry what the cluster
// needs: Indexed, the `from` workload's labels, sidecar injection.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as istioV1 from '@kubernetes-models/istio/networking.istio.io/v1';
import * as istioV1beta1 from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import * as istioV1alpha3 from '@kubernetes-models/istio/networking.istio.io/v1alpha3';
import { FlagError } from '../../src/errors.js';
import { exportK8s } from '../../src/scenario/export-k8s.js';
import { loadSlices, splitStep } from '../../src/scenario/export-k8s-split.js';
import { prepareScenario } from '../../src/scenario/runner.js';
import { main } from '../../src/cli/main.js';
import { capture, repo } from '../helpers/io.js';

const execFileP = promisify(execFile);

type Model = new (data: Record<string, unknown>) => { validate(): void };
const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'networking.istio.io/v1': istioV1,
  'networking.istio.io/v1beta1': istioV1beta1,
  'networking.istio.io/v1alpha3': istioV1alpha3,
};

/** Throws with the schema's message when the document would be rejected; a kind without a schema fails too. */
function validateDoc(doc: Record<string, unknown>, where: string): void {
  const C = MODELS[String(doc.apiVersion)]?.[String(doc.kind)] as Model | undefined;
  assert.ok(C, `${where}: no schema for ${String(doc.apiVersion)} ${String(doc.kind)}`);
  try {
    new C(doc).validate();
  } catch (e) {
    assert.fail(`${where}: ${String(doc.kind)} ${JSON.stringify((doc.metadata as { name?: string })?.name)}: ${(e as Error).message}`);
  }
}

async function shippedScenarios(): Promise<string[]> {
  return (await readdir(repo('scenarios'))).filter((f) => f.endsWith('.yaml')).sort().map((f) => repo(`scenarios/${f}`));
}

test('every shipped scenario exports documents that pass the Kubernetes and Istio schemas', async () => {
  const files = await shippedScenarios();
  assert.ok(files.length >= 10, `found ${files.length} scenarios`);
  let documents = 0;
  for (const file of files) {
    const p = await prepareScenario([file]);
    // The largest split every step allows, so uneven splits (several Jobs) are validated too.
    const pods = Math.min(...p.scenario.load.steps.map((s) => Math.min(s.connections, s.exactly || Infinity)));
    for (const n of new Set([1, pods])) {
      const out = exportK8s(p, { pods: n, steps: [], keepImages: false, scenarioFile: file });
      // What is validated is what is written: the YAML text, parsed back.
      for (const f of out.files.filter((x) => x.path.endsWith('.yaml'))) {
        for (const d of parseAllDocuments(f.text)) {
          assert.equal(d.errors.length, 0, `${file} ${f.path}: ${d.errors.join('; ')}`);
          validateDoc(d.toJSON() as Record<string, unknown>, `${file} -> ${f.path}`);
          documents++;
        }
      }
      assert.ok(out.files.some((f) => f.path.endsWith('.job.yaml')), `${file}: no Job exported`);
    }
  }
  assert.ok(documents > 100, `validated ${documents} documents`);
});

test('the schemas reject what a real API server rejects (the validation is not vacuous)', () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'x' },
    spec: { completionMode: 'Indexd', template: { spec: { containers: [{ name: 'c', image: 'i' }] } } },
  };
  assert.throws(() => validateDoc(job, 'typo'), /completionMode/);
  const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: 'h', trafficPolicy: { connectionPool: { tcp: { maxConnections: 'one' } } } } };
  assert.throws(() => validateDoc(dr, 'dr'), /maxConnections/);
});

test('the load split sums exactly to c, qps and n; the remainder goes to the first pods (k6-operator)', () => {
  const cases: Array<[c: number, qps: number, n: number, pods: number]> = [
    [3, 0, 30, 2],
    [10, 100, 0, 3],
    [7, 1000, 0, 7],
    [16, 250, 1001, 5],
    [4, 99, 0, 4],
    [5, 12.5, 0, 2],
  ];
  for (const [c, qps, n, pods] of cases) {
    const split = splitStep({ name: 's', connections: c, qps, exactly: n }, pods);
    assert.equal(split.length, pods);
    const sum = (k: 'connections' | 'qps' | 'exactly') => split.reduce((a, p) => a + p[k], 0);
    assert.equal(sum('connections'), c, `c=${c} over ${pods}`);
    assert.ok(Math.abs(sum('qps') - qps) < 1e-9, `qps=${qps} over ${pods}: ${sum('qps')}`);
    assert.equal(sum('exactly'), n, `n=${n} over ${pods}`);
    for (const k of ['connections', 'exactly'] as const) {
      const xs = split.map((p) => p[k]);
      // Even: shares differ by at most one, larger ones first.
      assert.ok(Math.max(...xs) - Math.min(...xs) <= 1, `${k}: ${xs}`);
      assert.deepEqual([...xs].sort((a, b) => b - a), xs, `${k}: remainder not on the first pods: ${xs}`);
    }
    assert.ok(split.every((p) => p.connections >= 1));
    // The slices cover every pod once, in order.
    const slices = loadSlices(split);
    assert.equal(slices.reduce((a, s) => a + s.count, 0), pods);
    slices.forEach((s, i) => assert.equal(s.first, i === 0 ? 0 : slices[i - 1]!.first + slices[i - 1]!.count));
  }
  assert.deepEqual(splitStep({ name: 's', connections: 10, qps: 100, exactly: 0 }, 3).map((p) => [p.connections, p.qps]), [[4, 34], [3, 33], [3, 33]]);
  assert.throws(() => splitStep({ name: 'c1', connections: 1, qps: 0, exactly: 20 }, 2), (e: unknown) => e instanceof FlagError && /--pods: 2 pods for step "c1" with c=1/.test(e.message));
});

test('a step becomes Indexed Jobs of fortio whose pods sum to the step and carry the from workload labels', async () => {
  const p = await prepareScenario([repo('scenarios/httpbin-cb.yaml')]);
  const out = exportK8s(p, { pods: 2, steps: ['c3'], keepImages: false, scenarioFile: 'httpbin-cb.yaml' });
  const jobs = out.documents.filter((d) => d.path === 'seed-dr/c3.job.yaml').map((d) => d.value as any);
  assert.ok(jobs.length >= 1);
  let c = 0;
  let n = 0;
  let pods = 0;
  for (const j of jobs) {
    assert.equal(j.spec.completionMode, 'Indexed');
    assert.equal(j.spec.parallelism, j.spec.completions);
    pods += j.spec.completions;
    const labels = j.spec.template.metadata.labels;
    assert.equal(labels.app, 'fortio', 'the from workload (fortio-deploy) pod label');
    assert.equal(labels['sidecar.istio.io/inject'], 'true');
    const fortio = j.spec.template.spec.containers.find((x: any) => x.name === 'fortio');
    assert.equal(fortio.image, 'fortio/fortio:latest_release');
    const args: string[] = fortio.args;
    assert.equal(args[0], 'load');
    assert.equal(args.at(-1), 'http://httpbin:8000/get');
    const flag = (f: string) => Number(args[args.indexOf(f) + 1]);
    c += flag('-c') * j.spec.completions;
    n += flag('-n') * j.spec.completions;
    assert.equal(flag('-qps'), 0);
  }
  assert.deepEqual({ c, n, pods }, { c: 3, n: 30, pods: 2 });
  // The variant's patch is in its manifests, not in the other's.
  const dr = (v: string) => out.documents.find((d) => d.path === `${v}/manifests.yaml` && d.value.kind === 'DestinationRule')!.value as any;
  assert.equal(dr('seed-dr').spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests, 1);
  assert.equal(dr('pending-10').spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests, 10);
  // meshbench's own kinds never reach the cluster.
  assert.ok(!out.documents.some((d) => String(d.value.apiVersion).startsWith('meshbench')));
});

test('modeled workloads get the fortio echo stand-in with the model latency and say what is lost', async () => {
  const p = await prepareScenario([repo('scenarios/modeled-chain.yaml')]);
  const out = exportK8s(p, { pods: 1, steps: [], keepImages: false, scenarioFile: 'modeled-chain.yaml' });
  const backend = out.documents.find((d) => d.value.kind === 'Deployment' && (d.value.metadata as any).name === 'backend')!.value as any;
  const c = backend.spec.template.spec.containers[0];
  assert.equal(c.image, 'fortio/fortio:latest_release');
  assert.deepEqual(c.args, ['server', '-http-port', '8080', '-echo-server-default-params', 'delay=20ms&size=512']);
  assert.ok(out.notes.some((n) => /backend: stand-in fortio echo server .*not reproduced: capacity \(2 workers, queue 4\)/.test(n)), out.notes.join('\n'));
  assert.ok(out.notes.some((n) => /frontend: .*not reproduced: its script of calls/.test(n)), out.notes.join('\n'));
  const kept = exportK8s(p, { pods: 1, steps: [], keepImages: true, scenarioFile: 'modeled-chain.yaml' });
  const keptBackend = kept.documents.find((d) => d.value.kind === 'Deployment' && (d.value.metadata as any).name === 'backend')!.value as any;
  assert.equal(keptBackend.spec.template.spec.containers[0].image, 'registry.example.com/shop/backend:2.3');
});

test('bench export k8s writes manifests, Jobs, README and an executable collect.sh; bad --pods is exit 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-export-'));
  try {
    const c = capture();
    const code = await main(['export', 'k8s', repo('scenarios/httpbin-cb.yaml'), '--pods', '1', '--variant', 'seed-dr', '-o', dir], c.io as any);
    assert.equal(code, 0, c.err());
    assert.deepEqual((await readdir(join(dir, 'seed-dr'))).sort(), ['c1.job.yaml', 'c2.job.yaml', 'c3.job.yaml', 'manifests.yaml']);
    await access(join(dir, 'collect.sh'), constants.X_OK);
    assert.ok(((await stat(join(dir, 'run.sh'))).mode & 0o111) !== 0);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    for (const s of ['kubectl apply -f seed-dr/manifests.yaml', 'kubectl wait --for=condition=complete', './collect.sh seed-dr c1 results', 'kubectl delete', 'bench import']) {
      assert.ok(readme.includes(s), `README lacks ${s}`);
    }
    const collect = await readFile(join(dir, 'collect.sh'), 'utf8');
    assert.match(collect, /kubectl logs "\$pod" -c report/);
    assert.match(collect, /pod-\$i\.json/);
    assert.match(collect, /pod-\$i\.stats/);

    const bad = capture();
    assert.equal(await main(['export', 'k8s', repo('scenarios/httpbin-cb.yaml'), '--pods', '2', '-o', dir], bad.io as any), 2);
    assert.equal(bad.err(), 'bench: --pods: 2 pods for step "c1" with c=1: every pod needs at least one connection (use --pods 1 or fewer)\n');
    const step = capture();
    assert.equal(await main(['export', 'k8s', repo('scenarios/httpbin-cb.yaml'), '--step', 'c9', '-o', dir], step.io as any), 2);
    assert.match(step.err(), /^bench: --step c9: no such step \(steps: c1, c2, c3\)\n$/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('collect.sh splits each load pod log into pod-<i>.json and pod-<i>.stats that bench import reads (kubectl stand-in on PATH)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mb-collect-'));
  try {
    const exp = join(dir, 'export');
    assert.equal(await main(['export', 'k8s', repo('scenarios/httpbin-cb.yaml'), '--variant', 'seed-dr', '--step', 'c3', '--pods', '2', '-o', exp], capture().io as any), 0);
    // A kubectl that knows two finished load pods (two Jobs: c=3 splits 2+1) and prints
    // their report containers' logs as the Job's second container writes them.
    const fix = repo('test/fixtures/cluster/results/seed-dr/c3');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const kubectl = `#!/bin/sh
case "$1" in
  get) printf 'mb-seed-dr-c3-0-x1 0 0\\nmb-seed-dr-c3-1-y2 1 0\\n' ;;
  logs)
    case "$2" in mb-seed-dr-c3-0-*) i=0 ;; *) i=1 ;; esac
    echo 'some sidecar noise'
    echo '=== meshbench fortio result ==='
    cat "${fix}/pod-$i.json"
    echo '=== meshbench envoy stats ==='
    cat "${fix}/pod-$i.stats"
    echo '=== meshbench end ===' ;;
  *) echo "unexpected kubectl $*" >&2; exit 9 ;;
esac
`;
    await writeFile(join(bin, 'kubectl'), kubectl, { mode: 0o755 });
    const results = join(dir, 'results');
    const { stdout } = await execFileP(join(exp, 'collect.sh'), ['seed-dr', 'c3', results], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.deepEqual(stdout.trim().split('\n'), [join(results, 'seed-dr/c3/pod-0.json'), join(results, 'seed-dr/c3/pod-1.json')]);
    assert.deepEqual((await readdir(join(results, 'seed-dr/c3'))).sort(), ['pod-0.json', 'pod-0.stats', 'pod-1.json', 'pod-1.stats']);
    assert.deepEqual(JSON.parse(await readFile(join(results, 'seed-dr/c3/pod-1.json'), 'utf8')), JSON.parse(await readFile(join(fix, 'pod-1.json'), 'utf8')));
    const out = capture();
    assert.equal(await main(['import', repo('scenarios/httpbin-cb.yaml'), results, '--variant', 'seed-dr'], out.io as any), 0, out.err());
    assert.match(out.out(), /upstream_rq_pending_overflow : 2/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
