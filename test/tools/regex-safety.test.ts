/**
 * No super-linear regex in the Worker's code or its templates. Every regex literal, every
 * `new RegExp('…')` / `RegExp('…')` with a literal pattern, and every string handed to
 * `.match()`/`.matchAll()`/`.search()` (which make one) in src/ and templates/ is found with the
 * TypeScript compiler's own parser — not with a regex — and checked by recheck, a ReDoS detector
 * (automaton analysis plus fuzzing). A pattern it calls vulnerable fails the test with its
 * file:line, its complexity and an attack string. A RegExp built from something that is not a
 * literal cannot be checked, so it fails too unless listed in DYNAMIC below with a reason.
 *
 * Fix a flagged pattern by making it unambiguous (one way to match each input), or by replacing it
 * with a small scanner (see src/user-templates/markup.ts: urlItemAt, parseLength). ALLOWED is for
 * patterns that only ever see trusted, bounded input: keep it tiny and say why next to each entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `file:line` → why the pattern there may stay (it sees only trusted input). */
const ALLOWED: Record<string, string> = {};

/** `file:line` of RegExps built from non-literals → why that is safe. */
const DYNAMIC: Record<string, string> = {};

interface Found {
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every pattern in a file, and the places where a RegExp is built from something else. */
export function collectPatterns(file: string, text = readFileSync(file, 'utf8')): { patterns: Found[]; dynamic: string[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const patterns: Found[] = [];
  const dynamic: string[] = [];
  const where = (node: ts.Node) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const literal = (node: ts.Node | undefined) => (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined);
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = (node as ts.RegularExpressionLiteral).text;
      const slash = text.lastIndexOf('/');
      patterns.push({ where: where(node), source: text.slice(1, slash), flags: text.slice(slash + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [pattern, flags] = node.arguments ?? [];
      const source = literal(pattern);
      if (source === undefined || (flags !== undefined && literal(flags) === undefined)) dynamic.push(where(node));
      else patterns.push({ where: where(node), source, flags: literal(flags) ?? '' });
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['match', 'matchAll', 'search'].includes(node.expression.name.text)
    ) {
      const source = literal(node.arguments[0]);
      if (source !== undefined) patterns.push({ where: where(node), source, flags: node.expression.name.text === 'matchAll' ? 'g' : '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { patterns, dynamic };
}

const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'templates'))];

describe('regexes in src/ and templates/', () => {
  it('the collector finds literals, RegExp(literal) and String#match(literal), and flags dynamic RegExps', () => {
    const { patterns, dynamic } = collectPatterns(
      join(root, 'src/example.ts'),
      "const a = /a+b/gi;\nconst b = new RegExp('c*', 'y');\nconst c = s.match('d?');\nconst d = new RegExp(x.source);\n",
    );
    expect(patterns).toEqual([
      { where: 'src/example.ts:1', source: 'a+b', flags: 'gi' },
      { where: 'src/example.ts:2', source: 'c*', flags: 'y' },
      { where: 'src/example.ts:3', source: 'd?', flags: '' },
    ]);
    expect(dynamic).toEqual(['src/example.ts:4']);
  });

  it('the detector flags the shapes issue 15 found (it would have failed on them)', () => {
    // the user-template patterns as they were before the fix
    for (const [source, flags] of [
      [String.raw`url\s*\(\s*(['"]?)([^'"()]*?)\1\s*\)`, 'iy'],
      [String.raw`^\{\{\s*(.*?)\s*\}\}$`, ''],
      [String.raw`^(-?\d*\.?\d+)(px)?$`, ''],
    ]) {
      expect(checkSync(source as string, flags as string).status, source).toBe('vulnerable');
    }
  });

  it('has no super-linear pattern (recheck), and every RegExp is built from a literal', () => {
    const found = files.map((f) => collectPatterns(f));
    const patterns = found.flatMap((f) => f.patterns);
    expect(patterns.length).toBeGreaterThan(100); // the collector sees the code base
    const failures: string[] = [];
    for (const { where, source, flags } of patterns) {
      if (ALLOWED[where]) continue;
      const result = checkSync(source, flags, { timeout: 30_000 });
      if (result.status === 'vulnerable') {
        failures.push(`${where} /${source}/${flags}: ${result.complexity.summary}; attack ${JSON.stringify(result.attack.pattern)}`);
      } else if (result.status === 'unknown') {
        failures.push(`${where} /${source}/${flags}: recheck could not decide (${result.error.kind})`);
      }
    }
    for (const where of found.flatMap((f) => f.dynamic)) if (!DYNAMIC[where]) failures.push(`${where}: a RegExp built from a non-literal cannot be checked`);
    expect(failures).toEqual([]);
  });
});
