/**
 * Bundled fonts. Inter (400/500/600/700, Latin) is the house sans; Noto Sans (400/700) covers
 * Latin Extended, Greek and Cyrillic as a fallback. Both engines get the same families: satori 0.15
 * reads WOFF, takumi reads WOFF2. The arrays below are module-level on purpose: satori caches parsed
 * fonts by the identity of its `fonts` array, and takumi registers fonts once per renderer, so
 * fonts are parsed once per isolate, never per request.
 */
import inter400 from '@fontsource/inter/files/inter-latin-400-normal.woff';
import inter400w2 from '@fontsource/inter/files/inter-latin-400-normal.woff2';
import inter500 from '@fontsource/inter/files/inter-latin-500-normal.woff';
import inter500w2 from '@fontsource/inter/files/inter-latin-500-normal.woff2';
import inter600 from '@fontsource/inter/files/inter-latin-600-normal.woff';
import inter600w2 from '@fontsource/inter/files/inter-latin-600-normal.woff2';
import inter700 from '@fontsource/inter/files/inter-latin-700-normal.woff';
import inter700w2 from '@fontsource/inter/files/inter-latin-700-normal.woff2';
import notoCyr400 from '@fontsource/noto-sans/files/noto-sans-cyrillic-400-normal.woff';
import notoCyr400w2 from '@fontsource/noto-sans/files/noto-sans-cyrillic-400-normal.woff2';
import notoCyr700 from '@fontsource/noto-sans/files/noto-sans-cyrillic-700-normal.woff';
import notoCyr700w2 from '@fontsource/noto-sans/files/noto-sans-cyrillic-700-normal.woff2';
import notoGreek400 from '@fontsource/noto-sans/files/noto-sans-greek-400-normal.woff';
import notoGreek400w2 from '@fontsource/noto-sans/files/noto-sans-greek-400-normal.woff2';
import notoGreek700 from '@fontsource/noto-sans/files/noto-sans-greek-700-normal.woff';
import notoGreek700w2 from '@fontsource/noto-sans/files/noto-sans-greek-700-normal.woff2';
import notoExt400 from '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal.woff';
import notoExt400w2 from '@fontsource/noto-sans/files/noto-sans-latin-ext-400-normal.woff2';
import notoExt700 from '@fontsource/noto-sans/files/noto-sans-latin-ext-700-normal.woff';
import notoExt700w2 from '@fontsource/noto-sans/files/noto-sans-latin-ext-700-normal.woff2';

export type FontWeight = 400 | 500 | 600 | 700;

export interface BundledFont {
  /** Family name used in template styles. */
  family: string;
  weight: FontWeight;
  /** WOFF bytes (satori 0.15). */
  woff: ArrayBuffer;
  /** WOFF2 bytes (takumi). */
  woff2: ArrayBuffer;
}

/** Family templates name in `fontFamily`. */
export const SANS = 'Inter';
/** Fallback family for characters Inter's Latin subset lacks. */
export const FALLBACK = 'Noto Sans';

/**
 * Order matters: engines try fonts in this order when the named family lacks a glyph. Each Noto
 * subset is registered as its own family so both engines fall back to it by glyph coverage.
 */
export const BUNDLED_FONTS: readonly BundledFont[] = [
  { family: SANS, weight: 400, woff: inter400, woff2: inter400w2 },
  { family: SANS, weight: 500, woff: inter500, woff2: inter500w2 },
  { family: SANS, weight: 600, woff: inter600, woff2: inter600w2 },
  { family: SANS, weight: 700, woff: inter700, woff2: inter700w2 },
  { family: `${FALLBACK} Latin Ext`, weight: 400, woff: notoExt400, woff2: notoExt400w2 },
  { family: `${FALLBACK} Latin Ext`, weight: 700, woff: notoExt700, woff2: notoExt700w2 },
  { family: `${FALLBACK} Greek`, weight: 400, woff: notoGreek400, woff2: notoGreek400w2 },
  { family: `${FALLBACK} Greek`, weight: 700, woff: notoGreek700, woff2: notoGreek700w2 },
  { family: `${FALLBACK} Cyrillic`, weight: 400, woff: notoCyr400, woff2: notoCyr400w2 },
  { family: `${FALLBACK} Cyrillic`, weight: 700, woff: notoCyr700, woff2: notoCyr700w2 },
];

/**
 * What the bundled fonts cover, as fontsource cuts them (unicode.json of @fontsource/inter `latin`
 * and @fontsource/noto-sans `latin-ext`, `greek`, `cyrillic`): code points outside these are looked
 * up in the fallback families kept in R2 (text-assets.ts).
 */
export const BUNDLED_RANGES: readonly (readonly [number, number])[] = [
  // Inter latin
  'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  // Noto Sans latin-ext
  'U+0100-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+0304,U+0308,U+0329,U+1D00-1DBF,U+1E00-1E9F,U+1EF2-1EFF,U+2020,U+20A0-20AB,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF',
  // Noto Sans greek, cyrillic
  'U+0370-0377,U+037A-037F,U+0384-038A,U+038C,U+038E-03A1,U+03A3-03FF',
  'U+0301,U+0400-045F,U+0490-0491,U+04B0-04B1,U+2116',
].flatMap((css) =>
  css.split(',').map((part) => {
    const [a, b] = part.slice(2).split('-');
    const first = Number.parseInt(a as string, 16);
    return [first, b === undefined ? first : Number.parseInt(b, 16)] as const;
  }),
);
