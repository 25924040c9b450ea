// StringMatch (spec §1.3): exactly one of exact/prefix/regex; `{}` and `regex: "*"`
// are Istio's presence check.

import type { Fields } from './fields.js';
import type { StringMatch } from './model.js';

export function readStringMatch(f: Fields): StringMatch | undefined {
  f.allow(['exact', 'prefix', 'regex']);
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => f.has(k));
  if (set.length === 0) return { present: true };
  if (set.length > 1) {
    f.error(null, `only one of exact, prefix, regex may be set (got ${set.join(', ')})`);
    return undefined;
  }
  const k = set[0];
  const v = f.str(k);
  if (v === undefined) return undefined;
  if (k === 'exact') return { exact: v };
  if (k === 'prefix') return { prefix: v };
  if (v === '*') return { present: true };
  const problem = checkRegex(v);
  if (problem) {
    f.error(k, `invalid regex ${JSON.stringify(v)}: ${problem}`);
    return undefined;
  }
  return { regex: v };
}

/** RE2 is close to JS syntax; a leading `(?i)` (RE2 flag group) is accepted. */
export function checkRegex(re: string): string | undefined {
  const body = re.startsWith('(?i)') ? re.slice(4) : re;
  try {
    new RegExp(`^(?:${body})$`, 'u');
    return undefined;
  } catch {
    try {
      new RegExp(`^(?:${body})$`);
      return undefined;
    } catch (e) {
      return (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    }
  }
}
