// `spec.include:` of a Scenario document: more Kubernetes/Istio files, relative
// to the scenario file, loaded as if given on the command line just before it.
// Documents then follow `kubectl apply` order: a later document of the same
// kind + namespace + name from another file REPLACES the earlier one (applying
// virtual-service-reviews-test-v2.yaml after virtual-service-all-v1.yaml). Two
// such documents in one file stay a duplicate for the compiler to report.

import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError, ConfigErrors, UserError } from '../errors.js';
import { describe, Diagnostics, Fields, isPlainObject } from '../mesh/config/fields.js';
import { isScenarioDoc } from '../mesh/config/scenario-doc.js';
import { loadSourceFiles } from '../mesh/config/source.js';
import type { SourceDoc } from '../mesh/config/source.js';

/** Loads `files` and every file their Scenario documents include, then applies the replacement rule. */
export async function loadScenarioFiles(files: string[]): Promise<SourceDoc[]> {
  const diag = new Diagnostics();
  const perFile = await loadEach(files, diag.errors);
  const out: SourceDoc[] = [];
  for (const docs of perFile) {
    for (const d of docs) {
      if (!isScenarioDoc(d)) continue;
      for (const inc of includesOf(d, diag)) {
        const got = await loadEach([inc.file], diag.errors, inc.at);
        for (const idoc of got[0] ?? []) {
          if (isScenarioDoc(idoc)) {
            diag.error(idoc, [], `an included file cannot hold a Scenario document (included from ${inc.from})`);
          } else {
            out.push(idoc);
          }
        }
      }
    }
    out.push(...docs);
  }
  if (diag.errors.length) throw new ConfigErrors(diag.errors);
  return applyReplacements(out);
}

interface Include {
  file: string;
  /** Location of the include entry (errors about the file point here). */
  at: ConfigError['location'];
  from: string;
}

function includesOf(doc: SourceDoc, diag: Diagnostics): Include[] {
  // A spec that is not a mapping is the scenario parser's to report.
  const spec = doc.value.spec;
  if (!isPlainObject(spec)) return [];
  const f = new Fields(doc, diag, ['spec'], spec);
  if (f.has('include') && !Array.isArray(f.raw('include'))) {
    f.error('include', `expected a list of file paths (relative to the scenario file), got ${describe(f.raw('include'))}`);
    return [];
  }
  const out: Include[] = [];
  for (const { value, path } of f.list('include')) {
    const at = doc.locate(path);
    if (typeof value !== 'string' || value === '') {
      diag.error(doc, path, `expected a file path, got ${describe(value)}`);
      continue;
    }
    const file = isAbsolute(value) ? value : join(dirname(doc.file), value);
    out.push({ file, at, from: `${at.file}:${at.line}:${at.col}` });
  }
  return out;
}

/** One list of documents per file, in order; a file that cannot be read is an error at `at` when given. */
async function loadEach(files: string[], errors: ConfigError[], at?: ConfigError['location']): Promise<SourceDoc[][]> {
  const out: SourceDoc[][] = [];
  for (const f of files) {
    try {
      const docs = await loadSourceFiles([f]);
      // An empty file is a mistake (wrong file, unsaved editor), not "0 documents OK".
      if (docs.length === 0) errors.push(new ConfigError(at ? `include: ${f}: no documents` : `${f}: no documents`, at));
      out.push(docs);
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else if (e instanceof UserError && at) errors.push(new ConfigError(`include: ${e.message}`, at));
      else throw e;
      out.push([]);
    }
  }
  return out;
}

/** kubectl-apply order: a document replaces an earlier one of the same identity from another file. */
export function applyReplacements(docs: SourceDoc[]): SourceDoc[] {
  const key = (d: SourceDoc) => `${d.kind}\u0000${d.namespace}\u0000${d.name}`;
  const dropped = new Set<SourceDoc>();
  const last = new Map<string, SourceDoc[]>();
  for (const d of docs) {
    if (isScenarioDoc(d) || !d.name) continue;
    const k = key(d);
    const seen = last.get(k);
    if (seen && seen.some((s) => s.file !== d.file)) {
      for (const s of seen) if (s.file !== d.file) dropped.add(s);
      last.set(k, [...seen.filter((s) => s.file === d.file), d]);
    } else {
      last.set(k, [...(seen ?? []), d]);
    }
  }
  return dropped.size ? docs.filter((d) => !dropped.has(d)) : docs;
}
