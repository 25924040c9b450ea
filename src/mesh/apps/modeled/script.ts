// Running a modeled service's script: steps in order, a group's commands
// concurrently (the step waits for all, like isotope). The first failing step
// ends the script; its message becomes the 500 body (isotope nests the
// callee's body the same way). How a call or a sleep is carried out is
// injected, so the control flow is testable without sockets.

import type { ModelCall, ScriptCommand, ScriptStep } from '../../config/model.js';
import type { Distribution } from '../../config/model.js';

/** A call attempt's outcome: the status and body, or null for a connection failure/timeout. */
export type Reply = { status: number; body: Buffer } | null;

export interface ScriptIo {
  call(c: ModelCall): Promise<Reply>;
  /** Success test for a call's answer; absent = any 2xx. isotope's is exactly 200. */
  succeeded?(status: number): boolean;
  sleep(d: Distribution): Promise<void>;
  random(): number;
}

/** undefined = success; otherwise why the script failed. */
export type StepResult = string | undefined;

export async function runScript(steps: readonly ScriptStep[], io: ScriptIo): Promise<StepResult> {
  for (const step of steps) {
    const failure = Array.isArray(step) ? await runGroup(step, io) : await runCommand(step, io);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

async function runGroup(group: readonly ScriptCommand[], io: ScriptIo): Promise<StepResult> {
  const results = await Promise.all(group.map((c) => runCommand(c, io)));
  const failed = results.filter((r): r is string => r !== undefined);
  return failed.length === 0 ? undefined : `${failed.length} errors occurred: ${failed.join('; ')}`;
}

function runCommand(c: ScriptCommand, io: ScriptIo): Promise<StepResult> {
  if ('sleep' in c) return io.sleep(c.sleep).then(() => undefined);
  return callWithRetries(c.call, io);
}

/** Success is a 2xx (or what io.succeeded says). A 5xx or a connection failure is retried up to `retries` more times. */
export async function callWithRetries(c: ModelCall, io: ScriptIo): Promise<StepResult> {
  if (c.probability < 1 && io.random() >= c.probability) return undefined; // skipped: counts as success
  let last: Reply = null;
  for (let attempt = 0; attempt <= c.retries; attempt++) {
    last = await io.call(c);
    if (last !== null && last.status < 500) break;
  }
  if (last === null) return `service ${c.host} did not answer${c.timeoutMs !== null ? ` within ${c.timeoutMs}ms` : ''} (connection failure or timeout)`;
  if (io.succeeded ? io.succeeded(last.status) : last.status >= 200 && last.status < 300) return undefined;
  const body = last.body.toString('utf8', 0, Math.min(last.body.length, 512)).trim();
  return `service ${c.host} responded with ${last.status}${body ? ` (body: ${body})` : ''}`;
}
