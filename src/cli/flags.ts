// The one command-line parser: every command declares a flag table and gets the
// same spellings and the same error wording. Go's flag package rules, which
// fortio's users type: `-c 4`, `-c=4`, `--c 4`; a boolean is `-x` or `-x=false`;
// a non-boolean flag takes the next argument whatever it looks like (`-qps -1`);
// `--` ends the flags. Flags and positional arguments may come in any order.
// A table only says how a flag is *displayed*: fortio's flags with one dash
// (`-qps`), meshbench's with two (`--seed`); both spellings parse.

import { FlagError } from '../errors.js';
import { parseGoDuration } from '../mesh/config/duration.js';
import { CURRENT_ISTIO, profileFor, SUPPORTED_ISTIO, unsupportedIstio, type IstioProfile } from '../mesh/config/istio-profile.js';

/** int: whole number; number: any finite number; duration: Go duration, parsed to ms. */
export type FlagKind = 'string' | 'int' | 'number' | 'duration' | 'bool';

export interface FlagSpec {
  /** Without dashes: `qps`, `no-tui`. */
  readonly name: string;
  readonly kind: FlagKind;
  readonly help: string;
  readonly aliases?: readonly string[];
  /** Every occurrence is kept, in order (`-H a:1 -H b:2`); the value is a list. */
  readonly repeatable?: boolean;
  /** Display prefix in messages and help, default `--`. */
  readonly dash?: '-' | '--';
  /** Value name in help, e.g. FILE. */
  readonly arg?: string;
  readonly default?: string | number | boolean;
}

type ValueOf<F extends FlagSpec> = F['repeatable'] extends true
  ? F['kind'] extends 'string' ? string[] : number[]
  : F['kind'] extends 'bool' ? boolean : F['kind'] extends 'string' ? string : number;

/** Parsed values by flag name; flags without a default and not given are undefined (repeatable: []). */
export type FlagValues<T extends readonly FlagSpec[]> = {
  [F in T[number] as F['name']]: F extends { default: unknown } | { repeatable: true } ? ValueOf<F> : ValueOf<F> | undefined;
};

export interface ParsedArgs<T extends readonly FlagSpec[]> {
  values: FlagValues<T>;
  positional: string[];
  /** `-h`, `--help` or `-help` was given (the command prints its help). */
  help: boolean;
}

/** `--seed`, or `-qps` for a fortio flag. */
export function flagName(spec: Pick<FlagSpec, 'name' | 'dash'>): string {
  return `${spec.dash ?? '--'}${spec.name}`;
}

export function parseFlags<const T extends readonly FlagSpec[]>(table: T, argv: readonly string[]): ParsedArgs<T> {
  const byName = new Map<string, FlagSpec>();
  for (const f of table) for (const n of [f.name, ...(f.aliases ?? [])]) byName.set(n, f);
  const values: Record<string, unknown> = {};
  for (const f of table) values[f.name] = f.repeatable ? [] : f.default;
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const typed = eq > 0 ? arg.slice(0, eq) : arg;
    const name = typed.replace(/^--?/, '');
    if (name === 'h' || name === 'help') {
      help = true;
      continue;
    }
    const spec = byName.get(name);
    if (!spec) throw new FlagError(unknownFlagMessage(typed, table));
    const flag = flagName(spec);
    let raw: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (spec.kind === 'bool') {
      values[spec.name] = raw === undefined ? true : parseBool(flag, raw);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(`${flag}: missing value`);
      raw = argv[++i];
    }
    const v = convert(spec.kind, flag, raw);
    if (spec.repeatable) (values[spec.name] as unknown[]).push(v);
    else values[spec.name] = v;
  }
  return { values: values as FlagValues<T>, positional, help };
}

function parseBool(flag: string, raw: string): boolean {
  if (/^(true|t|1)$/i.test(raw)) return true;
  if (/^(false|f|0)$/i.test(raw)) return false;
  throw new FlagError(`${flag}: invalid value "${raw}": expected true or false`);
}

function convert(kind: FlagKind, flag: string, raw: string): string | number {
  const bad = (expected: string) => new FlagError(`${flag}: invalid value "${raw}": expected ${expected}`);
  switch (kind) {
    case 'int':
      if (!/^[-+]?\d+$/.test(raw.trim())) throw bad('a whole number');
      return Number(raw);
    case 'number': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw bad('a number');
      return v;
    }
    case 'duration': {
      const ns = parseGoDuration(raw.trim());
      if (typeof ns === 'string' || ns < 0n) throw bad('a duration like 5s, 100ms, 1m30s');
      return Number(ns) / 1e6;
    }
    default:
      return raw;
  }
}

/** `unknown flag --jsn (did you mean --json?)`, or the table's flags when nothing is close. */
function unknownFlagMessage(typed: string, table: readonly FlagSpec[]): string {
  const name = typed.replace(/^--?/, '');
  let best: { spec: FlagSpec; d: number } | undefined;
  for (const spec of table) {
    for (const n of [spec.name, ...(spec.aliases ?? [])]) {
      const d = editDistance(name, n);
      if (!best || d < best.d) best = { spec, d };
    }
  }
  // Close enough to be a typo: one edit per three letters, at least one.
  if (best && best.d <= Math.max(1, Math.floor(name.length / 3))) return `unknown flag ${typed} (did you mean ${flagName(best.spec)}?)`;
  // Or the start of exactly one flag's name (`--strict` for `--strict-images`).
  const prefixed = name.length >= 3 ? table.filter((spec) => [spec.name, ...(spec.aliases ?? [])].some((n) => n.startsWith(name))) : [];
  if (prefixed.length === 1) return `unknown flag ${typed} (did you mean ${flagName(prefixed[0])}?)`;
  return `unknown flag ${typed} (${table.length ? `flags: ${table.map(flagName).join(' ')}` : 'this command takes no flags'})`;
}

/** Edit distance where swapping two neighbours counts once (`-qsp` is one typo from `-qps`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** One line per flag: `  --json FILE    write the results as JSON (- = stdout)`. */
export function formatFlagHelp(table: readonly FlagSpec[]): string {
  const left = table.map((f) => `${flagName(f)}${f.kind === 'bool' ? '' : ` ${f.arg ?? f.kind.toUpperCase()}`}`);
  const width = Math.max(...left.map((l) => l.length));
  return table
    .map((f, i) => {
      const def = f.default !== undefined && f.default !== false ? ` (default ${f.default})` : '';
      return `  ${left[i].padEnd(width)}  ${f.help}${f.repeatable ? ' (repeatable)' : ''}${def}\n`;
    })
    .join('');
}

/** `--seed N` for run, serve and load --mesh: one rule. The proxy's RNG (src/mesh/random.ts) takes a 32-bit unsigned seed. */
/** Deployments whose image is neither a built-in app nor modeled: an error instead of the default model. */
export const STRICT_IMAGES_FLAG = {
  name: 'strict-images',
  kind: 'bool',
  help: 'an image that is neither a built-in app nor given a ServiceModel is an error (default: it runs the default model, with a warning)',
} as const satisfies FlagSpec;

export const SEED_FLAG = {
  name: 'seed',
  kind: 'string',
  arg: 'N',
  help: 'seed every random draw of the proxy (weights, faults, mirroring, load balancing): 0..4294967295',
} as const satisfies FlagSpec;

export function parseSeed(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) {
    throw new FlagError(`${flag}: invalid value "${v}": expected a whole number 0..4294967295`);
  }
  return Number(v);
}

/** `--istio 1.N` for run, serve, load --mesh, validate and explain: the Istio release whose rules the mesh follows. */
export const ISTIO_FLAG = {
  name: 'istio',
  kind: 'string',
  arg: 'RELEASE',
  help: `emulate this Istio release's behaviour, ${SUPPORTED_ISTIO} (default: a Scenario's spec.istio, else ${CURRENT_ISTIO}; docs/behaviour.md)`,
} as const satisfies FlagSpec;

export function parseIstio(flag: string, v: string | undefined): IstioProfile | undefined {
  if (v === undefined) return undefined;
  const p = profileFor(v);
  if (!p) throw new FlagError(`${flag}: ${unsupportedIstio(v)}`);
  return p;
}
