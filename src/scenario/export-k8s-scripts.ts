// The README, collect.sh and run.sh written beside exported manifests: how
// to apply a variant, run its steps' Jobs one at a time, collect every load
// pod's fortio JSON and sidecar stats from the pod logs, and clean up.

import { END_MARKER, OFFSET_LABEL, RESULT_MARKER, SCENARIO_LABEL, STATS_MARKER, STEP_LABEL, VARIANT_LABEL, labelValue } from './export-k8s-job.js';

export interface ExportPlan {
  scenario: string;
  scenarioFile: string;
  pods: number;
  namespace?: string;
  variants: Array<{ name: string; steps: Array<{ name: string; jobs: string[]; pods: number; timeoutS: number }> }>;
  notes: string[];
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `collect.sh VARIANT STEP [RESULTS_DIR]`: RESULTS_DIR/VARIANT/STEP/pod-<i>.json and pod-<i>.stats from the pods' logs. */
export function collectScript(plan: ExportPlan): string {
  const ns = plan.namespace ? ` -n ${q(plan.namespace)}` : '';
  return `#!/bin/sh
# Collects one step's load pods: RESULTS_DIR/<variant>/<step>/pod-<i>.json (fortio's
# JSON result) and pod-<i>.stats (the pod sidecar's Envoy stats after the run).
# Usage: ./collect.sh VARIANT STEP [RESULTS_DIR]   (default RESULTS_DIR: ./results)
# Run it after \`kubectl wait --for=condition=complete\` on the step's Jobs.
set -eu
if [ $# -lt 2 ]; then echo "usage: $0 VARIANT STEP [RESULTS_DIR]" >&2; exit 2; fi
variant=$1 step=$2 results=\${3:-results}
out="$results/$variant/$step"
mkdir -p "$out"
selector="${SCENARIO_LABEL}=${labelValue(plan.scenario)},${VARIANT_LABEL}=$variant,${STEP_LABEL}=$step"
pods=$(kubectl get pods${ns} -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.labels.${OFFSET_LABEL.replace(/\./g, '\\.')}}{" "}{.metadata.annotations.batch\\.kubernetes\\.io/job-completion-index}{"\\n"}{end}')
if [ -z "$pods" ]; then echo "collect.sh: no pods labelled $selector" >&2; exit 1; fi
echo "$pods" | while read -r pod offset index; do
  [ -n "$pod" ] || continue
  i=$((offset + index))
  log="$out/pod-$i.log"
  kubectl logs${ns} "$pod" -c report > "$log"
  awk '/^${RESULT_MARKER}$/{f=1;next} /^${STATS_MARKER}$/{f=0} f' "$log" > "$out/pod-$i.json"
  awk '/^${STATS_MARKER}$/{f=1;next} /^${END_MARKER}$/{f=0} f' "$log" > "$out/pod-$i.stats"
  if [ ! -s "$out/pod-$i.json" ]; then echo "collect.sh: $pod: no fortio result in its log ($log)" >&2; exit 1; fi
  rm "$log"
  echo "$out/pod-$i.json"
done
`;
}

/** `run.sh [RESULTS_DIR]`: every variant and step in order, then the import command. */
export function runScript(plan: ExportPlan): string {
  const ns = plan.namespace ? ` -n ${q(plan.namespace)}` : '';
  const lines = [
    '#!/bin/sh',
    `# Runs scenario ${plan.scenario} on the current kubectl context: per variant, apply its`,
    '# manifests, wait for the Deployments, then run each step\'s Jobs, collect and delete them.',
    '# Usage: ./run.sh [RESULTS_DIR]   (default ./results)',
    'set -eu',
    'cd "$(dirname "$0")"',
    'results=${1:-results}',
  ];
  for (const v of plan.variants) {
    lines.push('', `echo "== variant ${v.name}"`, `kubectl apply -f ${q(`${v.name}/manifests.yaml`)}`, `kubectl wait${ns} --for=condition=available deployment --all --timeout=600s`);
    for (const s of v.steps) {
      lines.push(
        `echo "== ${v.name} / ${s.name}"`,
        `kubectl apply -f ${q(`${v.name}/${s.name}.job.yaml`)}`,
        `kubectl wait${ns} --for=condition=complete --timeout=${s.timeoutS}s ${s.jobs.map((j) => `job/${j}`).join(' ')}`,
        `./collect.sh ${q(v.name)} ${q(s.name)} "$results"`,
        `kubectl delete${ns} --wait=false ${s.jobs.map((j) => `job/${j}`).join(' ')}`,
      );
    }
  }
  lines.push('', `echo "done: bench import ${plan.scenarioFile} $results --json real.json"`);
  return lines.join('\n') + '\n';
}

export function readme(plan: ExportPlan): string {
  const ns = plan.namespace ? ` -n ${plan.namespace}` : '';
  const v0 = plan.variants[0]!;
  const s0 = v0.steps[0];
  const out = [
    `# ${plan.scenario} on a real cluster`,
    '',
    `Exported by \`bench export k8s ${plan.scenarioFile}\` with ${plan.pods} load pod${plan.pods === 1 ? '' : 's'} per step.`,
    'Needs a cluster with Istio and sidecar injection; everything runs on the current kubectl context.',
    '',
    '## Layout',
    '',
    '- `<variant>/manifests.yaml`: the scenario\'s Kubernetes and Istio documents with that variant\'s patches.',
    '- `<variant>/<step>.job.yaml`: the step as Indexed Jobs of the official fortio image (`fortio load -json …`), the step\'s',
    '  connections and qps split over the pods (the first pods take the remainder); the pods carry the `from` workload\'s',
    '  labels so they get its sidecar. A second container prints fortio\'s JSON and the sidecar\'s stats to its log, then',
    '  stops the sidecar so the Job completes.',
    '- `collect.sh VARIANT STEP [RESULTS_DIR]`: writes `RESULTS_DIR/<variant>/<step>/pod-<i>.json` and `pod-<i>.stats`.',
    '- `run.sh [RESULTS_DIR]`: all of the below, every variant and step in order.',
    '',
    '## By hand, one variant and step',
    '',
    '```sh',
    `kubectl apply -f ${v0.name}/manifests.yaml`,
    `kubectl wait${ns} --for=condition=available deployment --all --timeout=600s`,
  ];
  if (s0) {
    out.push(
      `kubectl apply -f ${v0.name}/${s0.name}.job.yaml`,
      `kubectl wait${ns} --for=condition=complete --timeout=${s0.timeoutS}s ${s0.jobs.map((j) => `job/${j}`).join(' ')}`,
      `./collect.sh ${v0.name} ${s0.name} results      # kubectl logs <pod> -c report, per pod index`,
      `kubectl delete${ns} ${s0.jobs.map((j) => `job/${j}`).join(' ')}`,
    );
  }
  out.push(
    '```',
    '',
    'Steps run one after the other (the Jobs of one step at a time), so the steps do not load the mesh together.',
    'The next variant is applied over the previous one (same object names; `kubectl apply` updates them).',
    '',
    '## Compare with the emulation',
    '',
    '```sh',
    `bench import ${plan.scenarioFile} results --json real.json   # merges the pods, evaluates the expectations`,
    `bench ${plan.scenarioFile} --json emulated.json`,
    'bench compare emulated.json real.json',
    'bench report emulated.json real.json -o report.html',
    '```',
    '',
    '## Clean up',
    '',
    '```sh',
    `kubectl delete${ns} job -l ${SCENARIO_LABEL}=${labelValue(plan.scenario)}`,
    ...plan.variants.slice(-1).map((v) => `kubectl delete -f ${v.name}/manifests.yaml`),
    '```',
  );
  if (plan.notes.length) out.push('', '## Notes', '', ...plan.notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}
