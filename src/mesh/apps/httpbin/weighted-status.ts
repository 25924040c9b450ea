// /status/<codes> as core.view_status_code reads it: one code, a list, or a
// weighted list, the pick made as utils.weighted_choice makes it.

import { pyFloat } from './exchange.js';

/** core.view_status_code: `418`, `200,503` or `200:0.9,503:0.1`; null when invalid. */
export function chooseStatus(codes: string, random: () => number = Math.random): number | null {
  if (!codes.includes(',')) return parseCode(codes);
  const values: number[] = [];
  const cum: number[] = [];
  let total = 0;
  for (const choice of codes.split(',')) {
    const parts = choice.split(':');
    if (parts.length > 2) return null;
    const code = parseCode(parts[0]);
    const weight = parts.length === 2 ? pyFloat(parts[1]) : 1;
    if (code === null || weight === null) return null;
    total += weight;
    values.push(code);
    cum.push(total);
  }
  // utils.weighted_choice: x = uniform(0, total); bisect_right(cum_weights, x)
  const x = random() * total;
  for (let i = 0; i < cum.length; i++) if (x < cum[i]) return values[i];
  return values[values.length - 1];
}

function parseCode(s: string): number | null {
  if (!/^\s*[+-]?\d+\s*$/.test(s)) return null;
  const n = Number(s);
  // Node cannot write an informational or >999 status as a final response.
  return n >= 200 && n <= 999 ? n : null;
}
