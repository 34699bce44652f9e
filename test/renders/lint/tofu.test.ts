/** tofuIssues and scriptOf: which var holds characters no font draws, and in which script. */
import { describe, expect, it } from 'vitest';
import { bindingFor } from '../../../src/renders/lint/issue';
import { codePointLabel, scriptOf, tofuIssues } from '../../../src/renders/lint/tofu';

const bindings = [
  { path: 'vars.title', name: 'title', value: 'ሰላም' },
  { path: 'vars.author', name: 'author', value: 'Ada' },
];
const cps = (s: string) => new Set([...s].map((c) => c.codePointAt(0) as number));

describe('scriptOf', () => {
  it.each([
    ['ሰ', 'Ethiopic'],
    ['Ꭰ', 'Cherokee'],
    ['ཀ', 'Tibetan'],
    ['A', 'Latin'],
    ['☃', 'Symbol'],
    ['\u{E000}', 'Private Use'],
  ])('%s is %s', (ch, script) => expect(scriptOf(ch)).toBe(script));
});

describe('tofuIssues', () => {
  it('names the var, the characters and the script', () => {
    const [issue, ...rest] = tofuIssues(['ሰላም', 'By Ada'], cps('ሰላም'), bindings, 'template');
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'vars.title',
      var: 'title',
      code: 'tofu',
      severity: 'error',
      scripts: ['Ethiopic'],
      chars: ['U+1230 ሰ', 'U+120B ላ', 'U+121D ም'],
    });
  });

  it("the template's own text goes under the template path", () => {
    expect(tofuIssues(['Ꭰ Ꭱ'], cps('ᎠᎡ'), bindings, 'html')).toMatchObject([{ path: 'html', scripts: ['Cherokee'] }]);
  });

  it('lists at most twelve characters and says how many more', () => {
    const many = 'ሀሁሂሃሄህሆለሉሊላሌልሎሏ';
    const [issue] = tofuIssues([many], cps(many), [], 'html');
    expect(issue?.chars).toHaveLength(12);
    expect(issue?.message).toContain('and 3 more');
  });

  it('nothing missing, nothing reported', () => expect(tofuIssues(['ሰላም'], new Set(), bindings, 'html')).toEqual([]));
  it('labels code points as U+XXXX and the character', () => expect(codePointLabel(0x1f600)).toBe('U+1F600 😀'));
});

describe('bindingFor', () => {
  it.each([
    ['ሰላም', 'vars.title'],
    ['  Ada ', 'vars.author'],
    ['By Ada', 'vars.author'],
    ['Nobody', undefined],
  ])('%j → %s', (text, path) => expect(bindingFor(text, bindings)?.path).toBe(path));
});
