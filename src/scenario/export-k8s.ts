// `bench export k8s`: a scenario as files for a real cluster. Per variant the
// Kubernetes/Istio documents with its patches applied (variants.ts), as
// `kubectl apply -f` takes them, and per step the Indexed Jobs of the load
// (export-k8s-job.ts); beside them a README, collect.sh and run.sh. Nothing is
// written here: the caller gets paths and texts.

import { stringify } from 'yaml';
import { classify } from '../mesh/config/compile.js';
import { isPlainObject } from '../mesh/config/fields.js';
import { SCENARIO_API_VERSION } from '../mesh/config/scenario-doc.js';
import { FlagError } from '../errors.js';
import { appForImage } from '../mesh/config/deployment.js';
import { clusterDeployment, clusterTopology } from './export-k8s-images.js';
import { FORTIO_IMAGE, stepJobs, type JobContext } from './export-k8s-job.js';
import { loadSlices, splitStep } from './export-k8s-split.js';
import { collectScript, readme, runScript, type ExportPlan } from './export-k8s-scripts.js';
import type { PreparedScenario, PreparedVariant } from './runner.js';

export interface ExportOptions {
  pods: number;
  /** Only these steps (all when empty). */
  steps: string[];
  keepImages: boolean;
  scenarioFile: string;
}

export interface ExportedFile {
  path: string;
  text: string;
  executable?: boolean;
}

export interface ExportResult {
  files: ExportedFile[];
  notes: string[];
  /** Every exported document by file (for validation). */
  documents: Array<{ path: string; value: Record<string, unknown> }>;
}

function yamlDocs(values: Array<Record<string, unknown>>, header: string): string {
  return `# ${header}\n` + values.map((v) => stringify(v, { lineWidth: 0 })).join('---\n');
}

/** The documents of a variant for a cluster, in source order; meshbench's own kinds are left out. */
function variantDocuments(v: PreparedVariant, keepImages: boolean, notes: string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const d of v.docs) {
    if (d.apiVersion === SCENARIO_API_VERSION) continue; // Scenario, ServiceModel
    const role = classify(d);
    if ('role' in role && role.role === 'Topology') {
      out.push(...clusterTopology(d, notes));
      continue;
    }
    if (d.kind === 'Deployment') {
      const w = v.config.workloads.find((x) => x.origin.kind === 'Deployment' && x.name === d.name && x.namespace === d.namespace);
      out.push(clusterDeployment(d, w, keepImages, notes));
      continue;
    }
    out.push(structuredClone(d.value));
  }
  return out;
}

/** Pod labels, annotations and service account of the `from` workload, for the load pods. */
function jobContext(p: PreparedScenario, variant: PreparedVariant): JobContext {
  const from = p.scenario.load.from;
  const w = variant.config.workloads.find((x) => x.name === from);
  const doc = variant.docs.find((d) => d.kind === 'Deployment' && d.name === from);
  const tpl = doc && isPlainObject(doc.value.spec) && isPlainObject(doc.value.spec.template) ? doc.value.spec.template : undefined;
  const meta = tpl && isPlainObject(tpl.metadata) ? tpl.metadata : {};
  const spec = tpl && isPlainObject(tpl.spec) ? tpl.spec : {};
  const strMap = (v: unknown): Record<string, string> =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string> : {};
  const annotations = strMap(meta.annotations);
  delete annotations['meshbench.io/app'];
  const sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : undefined;
  return {
    scenario: p.scenario.name,
    variant: variant.spec.name,
    ...(doc && isPlainObject(doc.value.metadata) && typeof doc.value.metadata.namespace === 'string' ? { namespace: doc.value.metadata.namespace } : {}),
    podLabels: w ? { ...w.labels } : strMap(meta.labels),
    podAnnotations: annotations,
    ...(sa ? { serviceAccountName: sa } : {}),
    fortioImage: w && appForImage(w.image)?.app === 'fortio' ? w.image : FORTIO_IMAGE,
  };
}

export function exportK8s(p: PreparedScenario, o: ExportOptions): ExportResult {
  const unknown = o.steps.filter((s) => !p.scenario.load.steps.some((x) => x.name === s));
  if (unknown.length) throw new FlagError(`--step ${unknown[0]}: no such step (steps: ${p.scenario.load.steps.map((s) => s.name).join(', ')})`);
  const steps = p.scenario.load.steps.filter((s) => o.steps.length === 0 || o.steps.includes(s.name));
  // Checked before anything is built: a split that cannot work names the step.
  const split = new Map(steps.map((s) => [s.name, loadSlices(splitStep(s, o.pods))]));
  const notes: string[] = [];
  const files: ExportedFile[] = [];
  const documents: ExportResult['documents'] = [];
  const plan: ExportPlan = { scenario: p.scenario.name, scenarioFile: o.scenarioFile, pods: o.pods, variants: [], notes };
  const seen = new Set<string>();
  for (const v of p.variants) {
    const vNotes: string[] = [];
    const docs = variantDocuments(v, o.keepImages, vNotes);
    // The same note for every variant says nothing new.
    for (const n of vNotes) if (!seen.has(n)) seen.add(n), notes.push(n);
    const manifests = `${v.spec.name}/manifests.yaml`;
    files.push({ path: manifests, text: yamlDocs(docs, `scenario ${p.scenario.name}, variant ${v.spec.name} (bench export k8s ${o.scenarioFile})`) });
    documents.push(...docs.map((value) => ({ path: manifests, value })));
    const ctx = jobContext(p, v);
    if (ctx.namespace) plan.namespace = ctx.namespace;
    const planned: ExportPlan['variants'][number] = { name: v.spec.name, steps: [] };
    for (const s of steps) {
      const jobs = stepJobs(ctx, p.scenario.load, s, split.get(s.name)!);
      const path = `${v.spec.name}/${s.name}.job.yaml`;
      files.push({ path, text: yamlDocs(jobs, `step ${s.name} of variant ${v.spec.name}: ${o.pods} load pod${o.pods === 1 ? '' : 's'}`) });
      documents.push(...jobs.map((value) => ({ path, value })));
      const timeoutS = ((jobs[0]!.spec as Record<string, unknown>).activeDeadlineSeconds as number) + 60;
      planned.steps.push({ name: s.name, jobs: jobs.map((j) => (j.metadata as { name: string }).name), pods: o.pods, timeoutS });
    }
    plan.variants.push(planned);
  }
  if (!p.variants.some((v) => v.docs.some((d) => d.kind === 'Deployment' && d.name === p.scenario.load.from))) {
    notes.push(`the load comes from "${p.scenario.load.from}", which no Deployment defines: the load pods get no workload labels beyond sidecar injection`);
  }
  files.push({ path: 'README.md', text: readme(plan) });
  files.push({ path: 'collect.sh', text: collectScript(plan), executable: true });
  files.push({ path: 'run.sh', text: runScript(plan), executable: true });
  return { files, notes, documents };
}
