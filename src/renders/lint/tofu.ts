/**
 * Tofu: characters no available font has a glyph for, which every engine draws as an empty box.
 * The service finds the code points (fonts/text-assets.ts `uncoveredCodepoints`: outside the
 * bundled fonts and every fallback family in the FONTS bucket; then the caller's uploaded faces);
 * this says, per var, which characters and which scripts they belong to — the script is what an
 * editor acts on ("upload a font that covers Ethiopic"). Pure.
 */
import { type Binding, bindingFor, type LintIssue } from './issue';

/**
 * Scripts a Unicode property escape can name, the ones text in a template plausibly holds. A code
 * point in none of them reports its general category instead.
 */
const SCRIPTS: readonly (readonly [string, RegExp])[] = [
  ['Latin', /^\p{Script=Latin}$/u],
  ['Greek', /^\p{Script=Greek}$/u],
  ['Cyrillic', /^\p{Script=Cyrillic}$/u],
  ['Armenian', /^\p{Script=Armenian}$/u],
  ['Hebrew', /^\p{Script=Hebrew}$/u],
  ['Arabic', /^\p{Script=Arabic}$/u],
  ['Syriac', /^\p{Script=Syriac}$/u],
  ['Thaana', /^\p{Script=Thaana}$/u],
  ['Nko', /^\p{Script=Nko}$/u],
  ['Samaritan', /^\p{Script=Samaritan}$/u],
  ['Mandaic', /^\p{Script=Mandaic}$/u],
  ['Devanagari', /^\p{Script=Devanagari}$/u],
  ['Bengali', /^\p{Script=Bengali}$/u],
  ['Gurmukhi', /^\p{Script=Gurmukhi}$/u],
  ['Gujarati', /^\p{Script=Gujarati}$/u],
  ['Oriya', /^\p{Script=Oriya}$/u],
  ['Tamil', /^\p{Script=Tamil}$/u],
  ['Telugu', /^\p{Script=Telugu}$/u],
  ['Kannada', /^\p{Script=Kannada}$/u],
  ['Malayalam', /^\p{Script=Malayalam}$/u],
  ['Sinhala', /^\p{Script=Sinhala}$/u],
  ['Thai', /^\p{Script=Thai}$/u],
  ['Lao', /^\p{Script=Lao}$/u],
  ['Tibetan', /^\p{Script=Tibetan}$/u],
  ['Myanmar', /^\p{Script=Myanmar}$/u],
  ['Georgian', /^\p{Script=Georgian}$/u],
  ['Hangul', /^\p{Script=Hangul}$/u],
  ['Ethiopic', /^\p{Script=Ethiopic}$/u],
  ['Cherokee', /^\p{Script=Cherokee}$/u],
  ['Canadian Aboriginal', /^\p{Script=Canadian_Aboriginal}$/u],
  ['Ogham', /^\p{Script=Ogham}$/u],
  ['Runic', /^\p{Script=Runic}$/u],
  ['Tagalog', /^\p{Script=Tagalog}$/u],
  ['Khmer', /^\p{Script=Khmer}$/u],
  ['Mongolian', /^\p{Script=Mongolian}$/u],
  ['Limbu', /^\p{Script=Limbu}$/u],
  ['Tai Le', /^\p{Script=Tai_Le}$/u],
  ['Buginese', /^\p{Script=Buginese}$/u],
  ['Balinese', /^\p{Script=Balinese}$/u],
  ['Sundanese', /^\p{Script=Sundanese}$/u],
  ['Javanese', /^\p{Script=Javanese}$/u],
  ['Han', /^\p{Script=Han}$/u],
  ['Hiragana', /^\p{Script=Hiragana}$/u],
  ['Katakana', /^\p{Script=Katakana}$/u],
  ['Bopomofo', /^\p{Script=Bopomofo}$/u],
  ['Yi', /^\p{Script=Yi}$/u],
  ['Vai', /^\p{Script=Vai}$/u],
  ['Bamum', /^\p{Script=Bamum}$/u],
  ['Tifinagh', /^\p{Script=Tifinagh}$/u],
  ['Ol Chiki', /^\p{Script=Ol_Chiki}$/u],
  ['Lisu', /^\p{Script=Lisu}$/u],
  ['Adlam', /^\p{Script=Adlam}$/u],
  ['Osage', /^\p{Script=Osage}$/u],
  ['Gothic', /^\p{Script=Gothic}$/u],
  ['Coptic', /^\p{Script=Coptic}$/u],
  ['Glagolitic', /^\p{Script=Glagolitic}$/u],
  ['Cuneiform', /^\p{Script=Cuneiform}$/u],
  ['Egyptian Hieroglyphs', /^\p{Script=Egyptian_Hieroglyphs}$/u],
  ['Linear B', /^\p{Script=Linear_B}$/u],
  ['Old Italic', /^\p{Script=Old_Italic}$/u],
  ['Braille', /^\p{Script=Braille}$/u],
];

/** The script of one character (`Ethiopic`), or `Symbol` / `Unassigned` for those in no script. */
export function scriptOf(ch: string): string {
  for (const [name, test] of SCRIPTS) if (test.test(ch)) return name;
  if (/^\p{Cn}$/u.test(ch)) return 'Unassigned';
  if (/^\p{Co}$/u.test(ch)) return 'Private Use';
  return /^\p{S}$/u.test(ch) ? 'Symbol' : 'Common';
}

export const codePointLabel = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${String.fromCodePoint(cp)}`;

/** At most this many characters are listed per issue (the count says how many there are). */
const MAX_LISTED = 12;

/**
 * One issue per var (or for the template's own text) holding characters in `missing`: which
 * characters, in which scripts. `texts`: every string the tree draws.
 */
export function tofuIssues(texts: readonly string[], missing: ReadonlySet<number>, bindings: readonly Binding[], templatePath: string): LintIssue[] {
  if (missing.size === 0) return [];
  const byPath = new Map<string, { binding: Binding | undefined; cps: Set<number> }>();
  for (const text of texts) {
    const found = [...text].map((ch) => ch.codePointAt(0) as number).filter((cp) => missing.has(cp));
    if (found.length === 0) continue;
    const binding = bindingFor(text, bindings);
    const path = binding?.path ?? templatePath;
    const entry = byPath.get(path) ?? { binding, cps: new Set<number>() };
    for (const cp of found) entry.cps.add(cp);
    byPath.set(path, entry);
  }
  return [...byPath].map(([path, { binding, cps }]) => {
    const list = [...cps];
    const scripts = [...new Set(list.map((cp) => scriptOf(String.fromCodePoint(cp))))];
    const chars = list.slice(0, MAX_LISTED).map(codePointLabel);
    const more = list.length > MAX_LISTED ? ` and ${list.length - MAX_LISTED} more` : '';
    return {
      path,
      code: 'tofu' as const,
      severity: 'error' as const,
      message: `${binding ? path : 'The template text'} has ${list.length} character${list.length > 1 ? 's' : ''} no available font can draw (${scripts.join(', ')}): ${chars.join(', ')}${more}. They would be drawn as empty boxes; upload a font that covers ${scripts.join(' and ')} and name it in font_family or the template's font-family.`,
      ...(binding ? { var: binding.name } : {}),
      chars,
      scripts,
    };
  });
}
