// The layer check: every import in src/ (import, import type, export … from, import()) must go
// the way the layer table in docs/architecture.md allows. The table is read from that page,
// so it is written once; TypeScript's own pre-processor finds the imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const architecturePage = join(repoRoot, 'docs', 'architecture.md');

interface Layer {
  name: string;
  /** Directories (ending in `/`) and files, relative to the repo. */
  files: string[];
  /** When set, the only files of this layer other layers may import (relative to its directory). */
  entryFiles?: string[];
  /** The layers it may import; `*` for all. */
  mayImport: Set<string>;
}

function between(text: string, marker: string): string {
  const begin = text.indexOf(`<!-- ${marker}:begin -->`);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  assert.ok(begin >= 0 && end > begin, `docs/architecture.md has no ${marker}:begin/end block`);
  return text.slice(begin, end);
}

const cells = (line: string) => line.split('|').slice(1, -1).map((c) => c.trim());
const list = (cell: string) => cell.split(',').map((s) => s.trim().replace(/`/g, '')).filter(Boolean);

function readLayers(page: string): Layer[] {
  const rows = between(page, 'layers').split('\n').filter((l) => l.startsWith('|')).slice(2);
  return rows.map((row) => {
    const [name, files, entryFiles, mayImport] = cells(row);
    return { name, files: list(files), entryFiles: entryFiles ? list(entryFiles) : undefined, mayImport: new Set(list(mayImport)) };
  });
}

function readExceptions(page: string): Array<[string, string]> {
  return between(page, 'layer-exceptions').split('\n')
    .map((l) => /^- `([^`]+)` → `([^`]+)`/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]);
}

function sourceFiles(): string[] {
  return readdirSync(join(repoRoot, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|mjs|js)$/.test(e.name))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Every relative import of a file, resolved to a repo-relative path. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(repoRoot, file), 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => normalize(join(dirname(file), spec)).split(sep).join('/'));
}

function layerOf(layers: Layer[], file: string): Layer | undefined {
  return layers.find((l) => l.files.some((f) => (f.endsWith('/') ? file.startsWith(f) : file === f)));
}

const page = readFileSync(architecturePage, 'utf8');
const layers = readLayers(page);
const exceptions = readExceptions(page);
const files = sourceFiles();
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

test('layer table: well formed, names known, no cycle between layers', () => {
  assert.ok(layers.length >= 10, `only ${layers.length} layers read from docs/architecture.md`);
  const names = new Set(layers.map((l) => l.name));
  for (const l of layers) {
    for (const m of l.mayImport) assert.ok(m === '*' || names.has(m), `layer ${l.name} may import unknown layer ${m}`);
    for (const f of l.files) assert.ok(existsSync(join(repoRoot, f)), `layer ${l.name} names ${f}, which does not exist`);
  }
  // Depth-first search for a back edge over "may import" (the composition root, `*`, is a sink nobody imports).
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    assert.notEqual(state.get(name), 'open', `the layer table has a cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'open');
    for (const m of layers.find((l) => l.name === name)!.mayImport) if (m !== '*') visit(m, [...path, name]);
    state.set(name, 'done');
  };
  for (const l of layers) visit(l.name, []);
  assert.deepEqual(layers.filter((l) => l.mayImport.has('cmd')).map((l) => l.name), [], 'no layer may import the composition root');
});

test('every file in src/ belongs to one layer', () => {
  const orphans = files.filter((f) => !layerOf(layers, f));
  assert.deepEqual(orphans, [], 'files in no layer of docs/architecture.md');
});

test('every import goes the way the layer table allows', () => {
  const allowed = new Set(exceptions.map(([from, to]) => `${from} → ${to}`));
  const wrong: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(layers, from)!;
    const b = layerOf(layers, to);
    if (!a) continue; // reported by the test above
    if (!b) {
      wrong.push(`${from} → ${to}: the target is in no layer`);
      continue;
    }
    if (a === b || a.mayImport.has('*') || allowed.has(`${from} → ${to}`)) continue;
    if (!a.mayImport.has(b.name)) {
      wrong.push(`${from} → ${to}: ${a.name} may not import ${b.name}`);
      continue;
    }
    const dir = b.files.find((f) => f.endsWith('/') && to.startsWith(f));
    if (b.entryFiles && dir && !b.entryFiles.includes(to.slice(dir.length))) {
      wrong.push(`${from} → ${to}: only ${b.entryFiles.join(', ')} of ${b.name} may be imported from outside it`);
    }
  }
  assert.deepEqual(wrong, [], 'imports against docs/architecture.md');
});

test('the known exceptions still exist (delete the line from docs/architecture.md when one goes)', () => {
  const present = new Set(edges.map((e) => `${e.from} → ${e.to}`));
  const stale = exceptions.map(([from, to]) => `${from} → ${to}`).filter((e) => !present.has(e));
  assert.deepEqual(stale, []);
});

test('no import cycle spans two layers (e.g. registry ↔ admission ↔ auth)', () => {
  // Tarjan's strongly connected components over the file graph, iteratively.
  const graph = new Map<string, string[]>();
  for (const f of files) graph.set(f, []);
  for (const { from, to } of edges) if (graph.has(to)) graph.get(from)!.push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: root, i: 0 }];
    index.set(root, next); low.set(root, next); next++; stack.push(root); onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const succ = graph.get(frame.node)!;
      if (frame.i < succ.length) {
        const w = succ[frame.i++];
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next); next++; stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        components.push(component);
      }
    }
  }
  const crossing = components
    .filter((c) => new Set(c.map((f) => layerOf(layers, f)?.name)).size > 1)
    .map((c) => c.sort().join(', '));
  assert.deepEqual(crossing, [], 'import cycles across layers');
});

test('src/api is dependency-free: no npm packages', () => {
  const api = layers.find((l) => l.name === 'api')!;
  const offenders: string[] = [];
  for (const f of files.filter((file) => layerOf(layers, file) === api)) {
    const info = ts.preProcessFile(readFileSync(join(repoRoot, f), 'utf8'), true, true);
    for (const i of info.importedFiles) if (!i.fileName.startsWith('.') && !i.fileName.startsWith('node:')) offenders.push(`${f} → ${i.fileName}`);
  }
  assert.deepEqual(offenders, []);
});
