/**
 * No import cycles anywhere in the project's own code (issue 16). A cycle tangles two rooms: neither
 * can be read, tested or moved without the other, and the module that loads second sees the first
 * half-initialised. dpdm builds the import graph with TypeScript's own resolver (each file's nearest
 * tsconfig, so the SDK's `./x.js` finds `x.ts`) from every source file as an entry — the Worker
 * (wrangler.toml `main`), the templates, the SDK, the scripts, the benchmark and the tests — so a
 * module no entry reaches yet is checked too.
 *
 * Type-only imports count, and so do dynamic `import()`s: `import type` cycles tangle the rooms just
 * as much, and a lazy import is a cycle hidden from the loader, not a cycle removed. Break a cycle by
 * moving code to where it belongs — the shared piece to a lower module both import, a function to
 * the room that owns it — never with `// @dpdm-ignore` (refused below).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DependencyTree, parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

const SOURCES = ['src/**/*.ts', 'templates/**/*.{ts,tsx}', 'sdk/src/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.{ts,mjs}', 'test/**/*.ts', '*.{ts,mjs}'];

/** The project's own files: not a package (dpdm leaves those unparsed), not a Node built-in. */
const ownFile = (id: string) => !id.startsWith('..') && !id.startsWith('node:') && !id.includes('node_modules');

async function importGraph(): Promise<DependencyTree> {
  const tree = await parseDependencyTree(SOURCES, { cwd: root, context: root, transform: false, skipDynamicImports: false });
  // parsed concurrently, so in no fixed order: sorted, the cycles are found and listed the same way every run
  return Object.fromEntries(
    Object.keys(tree)
      .sort()
      .map((id) => [id, tree[id] ?? null]),
  );
}

const tree = await importGraph();
const own = Object.keys(tree).filter(ownFile);

describe('import graph', () => {
  it('covers every entry', () => {
    const main = /^main\s*=\s*"([^"]+)"/m.exec(readFileSync(`${root}/wrangler.toml`, 'utf8'))?.[1];
    expect(main).toBeDefined();
    for (const entry of [main, 'src/index.ts', 'templates/index.ts', 'sdk/src/index.ts', 'scripts/openapi.mjs', 'bench/run.mjs']) {
      expect(tree[entry as string], `${entry} is not in the graph`).toBeTruthy();
    }
    // every relative import resolved: an edge dpdm could not follow would hide a cycle behind it
    // (a `?raw` import is the bundler's text import of a non-module file)
    const unresolved = own.flatMap((id) =>
      (tree[id] ?? []).filter((d) => d.id === null && d.request.startsWith('.') && !d.request.includes('?')).map((d) => `${id}: ${d.request}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('has no cycles, type-only and dynamic imports included', () => {
    const seen = new Set<string>();
    const cycles: string[] = [];
    for (const cycle of parseCircular(tree)) {
      const shown = [...cycle, cycle[0]].join(' → ');
      if (!seen.has(shown)) cycles.push(shown);
      seen.add(shown);
    }
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('has no cycle check switched off with @dpdm-ignore', () => {
    const ignoring = own.filter((id) => /\.(ts|tsx|mjs)$/.test(id) && readFileSync(`${root}/${id}`, 'utf8').includes('@dpdm-ignore'));
    // this file names the comment without using it
    expect(ignoring.filter((id) => id !== 'test/tools/import-cycles.test.ts')).toEqual([]);
  });
});
