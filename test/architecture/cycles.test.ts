// The module graph of src/: no import cycles, and the layers point one way —
// cli -> ui/scenario -> load/mesh -> report, src/errors.ts at the bottom. The
// runtime graph is read from the compiled JavaScript (what Node loads: type-only
// imports are gone); the full graph, type imports included, from the sources.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repo } from '../helpers/io.js';

const SRC = repo('src');
const DIST_SRC = repo('dist/src');

function sources(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sources(p, ext) : ext.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, `import '…'` and `import('…')`. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) out.push(m[1]);
  return out;
}

/** Module -> modules it imports, as paths relative to `root` without extension (`cli/main`). */
function graph(root: string, ext: RegExp, only?: Set<string>): Map<string, string[]> {
  const key = (f: string) => relative(root, f).replace(ext, '');
  const files = sources(root, ext).filter((f) => !only || only.has(key(f)));
  const known = new Set(files.map(key));
  const g = new Map<string, string[]>();
  for (const f of files) {
    const deps = importsOf(readFileSync(f, 'utf8')).map((spec) => {
      const dep = relative(root, resolve(dirname(f), spec)).replace(/\.js$/, '');
      assert.ok(known.has(dep), `${relative(root, f)}: import "${spec}" does not resolve to a module of src/`);
      return dep;
    });
    g.set(key(f), deps);
  }
  return g;
}
const sourceGraph = () => graph(SRC, /\.tsx?$/);
// Only modules that still have a source (tsc leaves the output of deleted files in dist/).
const runtimeGraph = () => graph(DIST_SRC, /\.js$/, new Set(sourceGraph().keys()));

/** Every cycle's members (strongly connected components of more than one module, or a self-import). */
export function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('the cycle finder finds a cycle, and import specifiers are read in every form', () => {
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e']]]);
  assert.deepEqual(cycles(g).sort(), [['a', 'b', 'c'], ['e']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', []]])), []);
  assert.deepEqual(
    importsOf(`import { a } from './a.js';\nimport type { B } from "../b.js";\nexport { c } from './c.js';\nimport './d.js';\nconst e = await import('./e.js');\nimport { f } from 'node:fs';\n// import { g } from './g.js';`),
    ['./a.js', '../b.js', './c.js', './d.js', './e.js'],
  );
});

test('src/ has no import cycles at runtime (the compiled modules Node loads)', () => {
  const g = runtimeGraph();
  assert.ok(g.size > 50, `read ${g.size} modules`);
  assert.deepEqual(cycles(g).map((c) => c.join(' <-> ')), []);
});

// Type-only back references that predate this test, each a known debt: the
// test fails on any other cycle, and when one of these is gone (then drop it here).
const KNOWN_TYPE_CYCLES = [
  'mesh/cluster/conn-pool <-> mesh/cluster/upstream-connection', // a connection holds its pool's type
];

test('src/ has no import cycles through type imports either, beyond the known ones', () => {
  const g = sourceGraph();
  assert.ok(g.size > 50, `read ${g.size} modules`);
  assert.deepEqual(cycles(g).map((c) => c.join(' <-> ')).sort(), KNOWN_TYPE_CYCLES);
});

test('layers point one way: cli -> ui/scenario -> load/mesh -> report, errors.ts at the bottom', () => {
  // Directory under src/ -> the directories it must not import.
  const forbidden: Record<string, string[]> = {
    scenario: ['cli'],
    ui: ['cli'],
    load: ['cli', 'ui', 'scenario'],
    mesh: ['cli', 'ui', 'scenario', 'load'],
    report: ['cli', 'ui', 'scenario', 'mesh'],
    'errors.ts': ['cli', 'ui', 'scenario', 'load', 'mesh', 'report'],
  };
  const top = (m: string) => (m.includes('/') ? m.split('/')[0] : `${m}.ts`);
  const bad: string[] = [];
  for (const [m, deps] of sourceGraph()) {
    for (const d of deps) if (forbidden[top(m)]?.includes(top(d))) bad.push(`${m} -> ${d}`);
  }
  assert.deepEqual(bad, []);
});
