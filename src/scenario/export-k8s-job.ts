// One scenario step as Kubernetes Indexed Jobs running the official fortio
// image with the step's flags, split over the load pods (export-k8s-split.ts).
// Each pod carries the `from` workload's pod labels and annotations, so Istio
// injects the same sidecar and the same policies apply to its calls, plus
// `sidecar.istio.io/inject: "true"`. A second container (a curl image: the
// fortio image has no shell) waits for fortio's JSON, prints it and the
// sidecar's stats (Envoy admin /stats, what `pilot-agent request GET stats`
// fetches) to its log between markers, then stops the sidecar
// (pilot-agent's /quitquitquit) so the Job completes.

import { createHash } from 'node:crypto';
import { goDuration } from '../report/go-format.js';
import type { LoadSpec, StepSpec } from './model.js';
import type { LoadSlice } from './export-k8s-split.js';

export const FORTIO_IMAGE = 'fortio/fortio:latest_release';
export const REPORT_IMAGE = 'curlimages/curl:8.11.0';
export const RESULT_MARKER = '=== meshbench fortio result ===';
export const STATS_MARKER = '=== meshbench envoy stats ===';
export const END_MARKER = '=== meshbench end ===';
/** Pod label naming the load pod's first global index (a step may need several Jobs). */
export const OFFSET_LABEL = 'meshbench.io/pod-offset';
export const SCENARIO_LABEL = 'meshbench.io/scenario';
export const VARIANT_LABEL = 'meshbench.io/variant';
export const STEP_LABEL = 'meshbench.io/step';

/** A Kubernetes name or label value: lower-case DNS label characters, at most `max`, a hash when shortened. */
export function dnsLabel(s: string, max = 63): string {
  let out = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  if (out.length > max) {
    const h = createHash('sha256').update(s).digest('hex').slice(0, 6);
    out = `${out.slice(0, max - 7).replace(/-+$/, '')}-${h}`;
  }
  return out;
}

/** A label value: letters, digits, `-_.`, alphanumeric at both ends, at most 63. */
export function labelValue(s: string): string {
  const v = s.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return v.length > 63 ? dnsLabel(v) : v;
}

/** `fortio load` arguments of one pod's share of the step. */
export function fortioArgs(load: LoadSpec, step: StepSpec, share: LoadSlice, labels: string): string[] {
  const args = ['load', '-json', '/results/result.json', '-labels', labels, '-loglevel', 'Warning'];
  args.push('-c', String(share.connections), '-qps', String(share.qps));
  if (share.exactly > 0) args.push('-n', String(share.exactly));
  else args.push('-t', goDuration(Math.round(step.durationMs * 1e6)));
  if (step.timeoutMs !== undefined) args.push('-timeout', goDuration(Math.round(step.timeoutMs * 1e6)));
  if (step.uniform) args.push('-uniform');
  if (step.jitter) args.push('-jitter');
  for (const [k, v] of [...load.headers, ...step.headers]) args.push('-H', `${k}: ${v}`);
  if (load.payload !== undefined) args.push('-payload', load.payload);
  if (load.method !== undefined) args.push('-X', load.method.toUpperCase());
  args.push(load.url);
  return args;
}

const REPORT_SCRIPT = [
  'set -u',
  'while [ ! -s /results/result.json ]; do sleep 1; done',
  '# fortio writes the file once, at the end of the run; let it close',
  'sleep 2',
  `echo '${RESULT_MARKER}'`,
  'cat /results/result.json',
  `echo '${STATS_MARKER}'`,
  'curl -sS http://localhost:15000/stats',
  `echo '${END_MARKER}'`,
  '# stop the sidecar so the Job completes (native sidecars stop by themselves)',
  'curl -sS -X POST http://localhost:15020/quitquitquit >/dev/null 2>&1 || true',
].join('\n');

export interface JobContext {
  scenario: string;
  variant: string;
  namespace?: string;
  /** The `from` Deployment's pod template metadata. */
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  serviceAccountName?: string;
  /** The `from` workload's image when it is fortio's (else the official one). */
  fortioImage: string;
}

/** The Jobs of one step (usually one): Indexed, parallelism = completions = pods of the slice. */
export function stepJobs(ctx: JobContext, load: LoadSpec, step: StepSpec, slices: LoadSlice[]): Array<Record<string, unknown>> {
  const base = dnsLabel(`mb-${ctx.variant}-${step.name}`, 50);
  // A deadline so a pod whose fortio failed (no JSON, the reporter still waiting) cannot hang the Job.
  const runS = step.exactly > 0 ? 3600 : Math.ceil(step.durationMs / 1000) + 600;
  return slices.map((slice, k) => {
    const name = slices.length === 1 ? base : `${base}-${k}`;
    const ids = { [SCENARIO_LABEL]: labelValue(ctx.scenario), [VARIANT_LABEL]: labelValue(ctx.variant), [STEP_LABEL]: labelValue(step.name) };
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, ...(ctx.namespace ? { namespace: ctx.namespace } : {}), labels: { ...ids } },
      spec: {
        completionMode: 'Indexed',
        completions: slice.count,
        parallelism: slice.count,
        backoffLimit: 0,
        activeDeadlineSeconds: runS,
        template: {
          metadata: {
            labels: { ...ctx.podLabels, ...ids, [OFFSET_LABEL]: String(slice.first), 'sidecar.istio.io/inject': 'true' },
            annotations: { ...ctx.podAnnotations, 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' },
          },
          spec: {
            restartPolicy: 'Never',
            ...(ctx.serviceAccountName ? { serviceAccountName: ctx.serviceAccountName } : {}),
            volumes: [{ name: 'results', emptyDir: {} }],
            containers: [
              {
                name: 'fortio',
                image: ctx.fortioImage,
                args: fortioArgs(load, step, slice, `${ctx.scenario} ${ctx.variant} ${step.name}`),
                volumeMounts: [{ name: 'results', mountPath: '/results' }],
              },
              {
                name: 'report',
                image: REPORT_IMAGE,
                command: ['sh', '-c', REPORT_SCRIPT],
                volumeMounts: [{ name: 'results', mountPath: '/results', readOnly: true }],
              },
            ],
          },
        },
      },
    };
  });
}
