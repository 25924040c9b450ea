// Reading Kubernetes/Istio YAML: multi-document files (and `kind: List` outputs of
// `kubectl get -o yaml`) become SourceDocs that keep their YAML nodes, so every
// later error can name the file:line:col of the offending field.

import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { ConfigError, ConfigErrors, UserError } from '../../errors.js';
import type { SourceLocation } from '../../errors.js';
import { DEFAULT_NAMESPACE } from './model.js';
import { isTopologyValue, TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from './isotope-doc.js';

export type FieldPath = ReadonlyArray<string | number>;

export interface SourceDoc {
  file: string;
  /** Document index in the file (items of a `kind: List` share their list's index). */
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace, default "default". */
  namespace: string;
  value: Record<string, unknown>;
  /** file:line:col of the node at `path` (falls back to the nearest existing ancestor). */
  locate(path: FieldPath): SourceLocation;
}

/** `spec.http[0].route` from ['spec','http',0,'route']. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

export async function loadSourceFiles(files: string[]): Promise<SourceDoc[]> {
  const docs: SourceDoc[] = [];
  const errors: ConfigError[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError('MB_ERR_NO_FILE', `${file}: no such file`);
      if (code === 'EISDIR') throw new UserError('MB_ERR_NO_FILE', `${file}: is a directory, expected a YAML file`);
      throw new UserError('MB_ERR_NO_FILE', `${file}: cannot read (${code ?? (e as Error).message})`);
    }
    try {
      docs.push(...parseSource(text, file));
    } catch (e) {
      if (e instanceof ConfigErrors) errors.push(...e.errors);
      else throw e;
    }
  }
  if (errors.length) throw new ConfigErrors(errors);
  return docs;
}

/** Parse one file's text. Throws ConfigErrors listing every syntax/shape problem. */
export function parseSource(text: string, file: string): SourceDoc[] {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul).split('\n');
    const loc = { file, line: before.length, col: before[before.length - 1].length + 1 };
    throw new ConfigErrors([new ConfigError('binary content (a NUL byte): expected a YAML text file', loc)]);
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const errors: ConfigError[] = [];
  const out: SourceDoc[] = [];
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  // parseAllDocuments returns an EmptyStream (no documents) for empty input.
  const list = Array.isArray(parsed) ? parsed : [];
  list.forEach((doc, index) => {
    if (doc.errors.length) {
      // The parser's first error is the cause; the ones after it mostly follow from it (a tab yields four).
      const e = doc.errors[0];
      const pos = e.linePos?.[0];
      const loc = pos ? { file, line: pos.line, col: pos.col } : at(e.pos[0]);
      errors.push(new ConfigError(`YAML syntax error: ${firstLine(e.message)}`, loc));
      return;
    }
    const root = doc.contents as YamlNode | null;
    if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return; // empty document
    if (!isMap(root)) {
      errors.push(new ConfigError('expected a mapping (a Kubernetes object with apiVersion and kind)', at(root.range?.[0] ?? 0)));
      return;
    }
    let value: Record<string, unknown>;
    try {
      value = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    } catch (e) {
      // The yaml library's guard against "billion laughs" documents (a ReferenceError).
      if (!(e instanceof ReferenceError && /alias/i.test(e.message))) throw e;
      errors.push(new ConfigError('YAML aliases expand too much (more than 100 uses): write the values out', at(root.range?.[0] ?? 0)));
      return;
    }
    if (value.kind === 'List' && Array.isArray(value.items)) {
      const itemsNode = root.get('items', true);
      value.items.forEach((item, i) => {
        const node = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
        const sd = makeDoc(file, index, item, node ?? root, at, ['items', i], errors);
        if (sd) out.push(sd);
      });
      return;
    }
    const sd = makeDoc(file, index, value, root, at, [], errors);
    if (sd) out.push(sd);
  });
  if (errors.length) throw new ConfigErrors(errors);
  return out;
}

function makeDoc(
  file: string,
  index: number,
  value: unknown,
  node: YamlNode,
  at: (offset: number) => SourceLocation,
  prefix: FieldPath,
  errors: ConfigError[],
): SourceDoc | undefined {
  const locate = (path: FieldPath): SourceLocation => at(offsetOf(node, path));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(new ConfigError('expected a mapping (a Kubernetes object with apiVersion and kind)', locate([]), formatPath(prefix)));
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const bad = (path: FieldPath, msg: string) => errors.push(new ConfigError(msg, locate(path), formatPath([...prefix, ...path])));
  const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
  // An isotope topology carries no apiVersion/kind (docs/isotope.md).
  const topology = isTopologyValue(v);
  const apiVersion = topology ? TOPOLOGY_API_VERSION : str(v.apiVersion);
  const kind = topology ? TOPOLOGY_KIND : str(v.kind);
  if (!apiVersion) bad(v.apiVersion === undefined ? [] : ['apiVersion'], v.apiVersion === undefined ? 'missing apiVersion' : 'apiVersion: expected a string');
  if (!kind) bad(v.kind === undefined ? [] : ['kind'], v.kind === undefined ? 'missing kind' : 'kind: expected a string');
  const meta = v.metadata;
  let name = '';
  let namespace = DEFAULT_NAMESPACE;
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
    bad(['metadata'], 'expected a mapping');
  } else if (meta) {
    const m = meta as Record<string, unknown>;
    if (m.name !== undefined && typeof m.name !== 'string') bad(['metadata', 'name'], `expected a string, got ${JSON.stringify(m.name)}`);
    else name = (m.name as string | undefined) ?? '';
    if (m.namespace !== undefined && typeof m.namespace !== 'string') bad(['metadata', 'namespace'], `expected a string, got ${JSON.stringify(m.namespace)}`);
    else if (m.namespace) namespace = m.namespace as string;
  }
  if (!apiVersion || !kind) return undefined;
  return { file, index, apiVersion, kind, name, namespace, value: v, locate };
}

/** Start offset of the node at `path` inside `root`; map entries point at their key. */
function offsetOf(root: YamlNode, path: FieldPath): number {
  let node: unknown = root;
  let offset = root.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node) && typeof seg === 'string') {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      const key = pair.key as YamlNode;
      offset = key.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function firstLine(msg: string): string {
  return msg.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
