// A finished run in its saved form: fortio's JSON object (key order as fortio's
// Go structs) plus meshbench's block.

import { buildFortioJson } from '../report/fortio-json.js';
import type { LoadRun } from './coordinator.js';
import type { LoadResult } from './types.js';

export function toLoadResult(run: LoadRun): LoadResult {
  return { fortio: buildFortioJson(run), meshbench: run.meshbench };
}
