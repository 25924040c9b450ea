// One scenario step -> the load engine's options (fortio's defaults for the rest),
// aimed at the `from` workload's sidecar listener.

import { defaultLoadOptions } from '../load/flags.js';
import type { LoadOptions } from '../load/types.js';
import type { LoadSpec, StepSpec } from './model.js';

export function stepLoadOptions(load: LoadSpec, step: StepSpec, sidecarPort: number | undefined): LoadOptions {
  const o = defaultLoadOptions(load.url);
  o.connections = step.connections;
  o.qps = step.qps;
  o.exactly = step.exactly;
  o.durationMs = step.durationMs; // ignored by the engine when exactly > 0
  o.headers = [...load.headers, ...step.headers];
  if (load.method) o.method = load.method.toUpperCase();
  if (load.payload !== undefined) {
    o.payload = Buffer.from(load.payload);
    if (!load.method) o.method = 'POST'; // fortio: a payload switches GET to POST
  }
  if (step.timeoutMs !== undefined) o.timeoutMs = step.timeoutMs;
  if (step.uniform !== undefined) o.uniform = step.uniform;
  if (step.jitter !== undefined) o.jitter = step.jitter;
  if (step.allowInitialErrors) o.allowInitialErrors = true;
  // The seed runs fortio with `-loglevel Warning`.
  o.logLevel = 'Warning';
  o.labels = step.name;
  if (sidecarPort !== undefined) o.connectTo = { host: '127.0.0.1', port: sidecarPort };
  return o;
}
