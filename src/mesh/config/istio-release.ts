// Which Istio release a command emulates: the `--istio` flag, a Scenario's
// `spec.istio`, or the current release (istio-profile.ts holds the rules).

import { ConfigErrors } from '../../errors.js';
import { describe, Diagnostics, Fields } from './fields.js';
import { currentProfile, profileFor, unsupportedIstio, type IstioProfile } from './istio-profile.js';
import type { SourceDoc } from './source.js';

/**
 * `istio:` of a Scenario's spec (reported through `spec`'s diagnostics), or undefined
 * when absent. YAML reads `1.6` as a number, which is fine, but `1.10` as 1.1: a
 * number that is no emulated release is an error that says to quote it.
 */
export function readIstio(spec: Fields): IstioProfile | undefined {
  const raw = spec.raw('istio');
  if (raw === undefined) return undefined;
  const text = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : undefined;
  const p = text === undefined ? undefined : profileFor(text);
  if (p) return p;
  if (text === undefined) spec.error('istio', `expected an Istio release like "1.6", got ${describe(raw)}`);
  else spec.error('istio', unsupportedIstio(text) + (typeof raw === 'number' ? '; quote the release ("1.10"): YAML reads 1.10 as the number 1.1' : ''));
  return undefined;
}

/** The `spec.istio` of a Scenario document; throws ConfigErrors (file:line:col) when it names no emulated release. */
export function scenarioIstio(doc: SourceDoc): IstioProfile | undefined {
  const diag = new Diagnostics();
  const spec = Fields.root(doc, diag).obj('spec');
  const p = spec ? readIstio(spec) : undefined;
  if (diag.errors.length) throw new ConfigErrors(diag.errors);
  return p;
}

/** The release a command emulates: the `--istio` flag, else the first Scenario's `spec.istio`, else the current one. */
export function chooseProfile(flag: IstioProfile | undefined, scenarioDocs: readonly SourceDoc[]): IstioProfile {
  if (flag) return flag;
  for (const d of scenarioDocs) {
    const p = scenarioIstio(d);
    if (p) return p;
  }
  return currentProfile();
}
