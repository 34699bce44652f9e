/**
 * test/ mirrors src/ (issue 16, STYLE.md): a test of `src/render/images/…` lives in
 * `test/render/images/`, a test of `templates/invoice/…` in `test/templates/invoice/`, so a reader
 * finds a module's tests without a search and a moved room takes its tests along. What tests the
 * product from outside has folders of its own: `e2e/` (the running `npm run dev`), `tools/` (checks
 * of committed artefacts), `sdk/` (the SDK package), `helpers/` (shared test code, no tests).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const OUTSIDE = ['e2e', 'tools', 'sdk', 'helpers'];

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [relative(join(root, 'test'), path)] : [];
  });
}

/** Where the code a test file covers lives: its folder under src/ (templates/ for templates). */
function mirrorOf(file: string): string {
  const folder = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  return folder.startsWith('templates') ? folder : join('src', folder);
}

describe('test/ mirrors src/', () => {
  const files = testFiles(join(root, 'test')).filter((f) => !OUTSIDE.includes(f.split('/')[0] as string));

  it('has tests to check', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it('puts every test file in a folder the code has', () => {
    const stray = files.filter((f) => !existsSync(join(root, mirrorOf(f))));
    expect(stray, `test files in a folder src/ (or templates/) does not have:\n${stray.join('\n')}`).toEqual([]);
  });

  it('names a top-level test after a module (test/config.test.ts for src/config.ts)', () => {
    const top = files.filter((f) => !f.includes('/'));
    const orphans = top.filter((f) => !existsSync(join(root, 'src', f.replace(/\.test\.ts$/, '.ts'))));
    expect(orphans).toEqual([]);
  });
});
