/**
 * Every language and emoji (issue 7): the fallback fonts and Twemoji come from the FONTS bucket
 * (seeded by test/seed-fonts.ts with the packs `npm run seed:fonts` writes), and no glyph of a
 * title in Japanese, Chinese, Korean, Arabic, Hebrew, Hindi, Thai, Russian or Greek, nor an emoji,
 * is drawn as tofu — checked two ways: glyph coverage of og-card's text by the fonts a render loads,
 * and rasters of each grapheme compared with the raster of a character no font has.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BUNDLED_RANGES } from '../../src/fonts/bundled';
import { fontStoreReads, isEmoji, loadTextAssets, resetTextAssetCaches, type TextAssets, textNeeds, textRuns } from '../../src/fonts/text-assets';
import type { Engine } from '../../src/render/engine';
import { satoriEngine } from '../../src/render/engines/satori';
import { takumiEngine } from '../../src/render/engines/takumi';
import { h, type TemplateElement } from '../../src/render/jsx';
import { TEMPLATES } from '../../templates/index';
import { bearer, decodePng, defaultKey, expectProblem, fetchWithEnv, generate, get, pathOf } from '../helpers/api';

const TITLES = {
  ja: '日本語のタイトル：エッジで画像を生成する',
  zh: '在边缘生成图像：简体中文标题',
  ko: '엣지에서 이미지를 생성하세요',
  ar: 'مرحبا بالعالم: صور على الحافة',
  he: 'שלום עולם: תמונות בקצה',
  hi: 'नमस्ते दुनिया: किनारे पर छवियाँ',
  th: 'สวัสดีชาวโลก ภาพที่ขอบ',
  ru: 'Привет, мир: изображения на краю',
  el: 'Γειά σου Κόσμε: εικόνες στην άκρη',
  emoji: 'Launch week 🚀🎉 is here 👍🏽 🇯🇵 👨‍👩‍👧 ✈️ 1️⃣',
} as const;
type Lang = keyof typeof TITLES;
const LANGS = Object.keys(TITLES) as Lang[];
/** Scripts satori cannot lay out (no bidi, no shaping): refused for it with a 400. */
const TAKUMI_ONLY: readonly Lang[] = ['ar', 'he', 'hi', 'th'];
const ENGINES: Record<'takumi' | 'satori', Engine> = { takumi: takumiEngine, satori: satoriEngine };

const graphemes = (text: string) =>
  [...new Set([...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map((s) => s.segment))].filter((g) => g.trim() !== '');

function ogCard(title: string): TemplateElement {
  const template = TEMPLATES.get('og-card');
  if (!template) throw new Error('og-card');
  return template.render(template.vars.parse({ title, subtitle: 'picstream', theme: 'light' }) as never, template.size);
}

const inRanges = (ranges: readonly (readonly [number, number])[], cp: number) => ranges.some(([a, b]) => cp >= a && cp <= b);

describe('glyph coverage of og-card titles', () => {
  it.each(LANGS)('%s: every character is in a bundled font or a loaded subset, every emoji has an SVG', async (lang) => {
    for (const [name, engine] of Object.entries(ENGINES)) {
      const text = await loadTextAssets(env.FONTS, ogCard(TITLES[lang]), engine.fontFormat);
      for (const g of graphemes(TITLES[lang])) {
        if (isEmoji(g)) {
          expect(text.emoji.get(g)?.byteLength, `${name}: ${g}`).toBeGreaterThan(100);
          continue;
        }
        for (const ch of g) {
          const cp = ch.codePointAt(0) as number;
          const covered = inRanges(BUNDLED_RANGES, cp) || text.fonts.some((f) => inRanges(f.ranges, cp));
          expect(covered, `${name}: U+${cp.toString(16)} of ${lang}`).toBe(true);
        }
      }
      // the subsets came from the bucket in the engine's format (WOFF2 = "wOF2", WOFF = "wOFF")
      for (const f of text.fonts) expect(new TextDecoder().decode(f.data.subarray(0, 4))).toBe(engine.fontFormat === 'woff2' ? 'wOF2' : 'wOFF');
    }
  });

  it('picks the Han forms by the text: kana → Japanese, hangul → Korean, Han alone → Simplified Chinese', () => {
    expect(textNeeds(textRuns(ogCard('直線とひらがな'))).hanLang).toBe('ja');
    expect(textNeeds(textRuns(ogCard('直線 한국어'))).hanLang).toBe('ko');
    expect(textNeeds(textRuns(ogCard('直线'))).hanLang).toBe('zh-Hans');
    expect(textNeeds(textRuns(ogCard('Plain Latin, Ελληνικά, Русский'))).codepoints.size).toBe(0);
  });
});

/**
 * Each grapheme in a cell of its own, after a first cell holding U+E000 (private use: no font has
 * it, so every engine draws its missing-glyph box there). A cell drawn like that first one, or
 * blank, is tofu.
 */
const CELL = 72;
const COLUMNS = 16;

function cellGrid(cells: string[]): { element: TemplateElement; width: number; height: number } {
  const width = CELL * COLUMNS;
  const height = CELL * Math.ceil(cells.length / COLUMNS);
  const element = h(
    'div',
    {
      style: { display: 'flex', flexWrap: 'wrap', width, height, background: '#ffffff', color: '#000000', fontFamily: 'Inter', fontSize: 44, fontWeight: 700 },
    },
    ...cells.map((g) =>
      h('div', { style: { display: 'flex', width: CELL, height: CELL, alignItems: 'center', justifyContent: 'center', overflow: 'hidden' } }, g),
    ),
  );
  return { element, width, height };
}

function cellMask(png: { width: number; data: Uint8Array }, index: number): Uint8Array {
  const mask = new Uint8Array(CELL * CELL);
  const x0 = (index % COLUMNS) * CELL;
  const y0 = Math.floor(index / COLUMNS) * CELL;
  for (let y = 0; y < CELL; y++) {
    for (let x = 0; x < CELL; x++) {
      const i = ((y0 + y) * png.width + x0 + x) * 4;
      // ink: anything visibly off white (emoji are colour, glyphs black)
      const off = Math.max(255 - (png.data[i] ?? 255), 255 - (png.data[i + 1] ?? 255), 255 - (png.data[i + 2] ?? 255));
      mask[y * CELL + x] = off > 60 ? 1 : 0;
    }
  }
  return mask;
}

const inkOf = (mask: Uint8Array) => mask.reduce((n, v) => n + v, 0);
const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

describe('no tofu: each grapheme against the missing-glyph raster', () => {
  const cases = LANGS.flatMap((lang) =>
    (['takumi', 'satori'] as const).filter((e) => e === 'takumi' || !TAKUMI_ONLY.includes(lang)).map((e) => [lang, e] as const),
  );
  it.each(cases)('%s with %s', async (lang, engineName) => {
    const engine = ENGINES[engineName];
    const cells = ['\uE000', ...graphemes(TITLES[lang])];
    const { element, width, height } = cellGrid(cells);
    const text = await loadTextAssets(env.FONTS, element, engine.fontFormat);
    const png = decodePng((await engine.render({ element, text, width, height, scale: 1, format: 'png' })).bytes);
    const tofu = cellMask(png, 0);
    for (let i = 1; i < cells.length; i++) {
      const mask = cellMask(png, i);
      expect(inkOf(mask), `${cells[i]} (${engineName}) is blank`).toBeGreaterThan(12);
      // the same shape as the missing-glyph box, give or take anti-aliasing, is tofu
      expect(differing(mask, tofu), `${cells[i]} (${engineName}) is drawn as the missing-glyph box`).toBeGreaterThan(40);
    }
  });

  it('the check catches tofu: a character outside every font matches the missing-glyph raster', async () => {
    const { element, width, height } = cellGrid(['\uE000', '\uE001', 'A']);
    const png = decodePng((await takumiEngine.render({ element, width, height, scale: 1, format: 'png' })).bytes);
    expect(differing(cellMask(png, 1), cellMask(png, 0))).toBeLessThanOrEqual(40);
    expect(differing(cellMask(png, 2), cellMask(png, 0))).toBeGreaterThan(40);
    // and without the fallback fonts, a Japanese character is tofu too
    const jp = cellGrid(['\uE000', '語']);
    const bare = decodePng((await takumiEngine.render({ element: jp.element, width: jp.width, height: jp.height, scale: 1, format: 'png' })).bytes);
    expect(inkOf(cellMask(bare, 1)) <= 12 || differing(cellMask(bare, 1), cellMask(bare, 0)) <= 40).toBe(true);
  });

  it.each(['takumi', 'satori'] as const)('Japanese and Chinese draw the same Han character differently (%s)', async (engineName) => {
    const engine = ENGINES[engineName];
    // 直 has a locale-specific form; the kana or its absence decides the family
    const draw = async (cells: string[]) => {
      const { element, width, height } = cellGrid(cells);
      const text = await loadTextAssets(env.FONTS, element, engine.fontFormat);
      return { text, png: decodePng((await engine.render({ element, text, width, height, scale: 1, format: 'png' })).bytes) };
    };
    const ja = await draw(['直', 'の']);
    const zh = await draw(['直', '线']);
    expect(ja.text.families[0]).toBe('Noto Sans JP');
    expect(zh.text.families[0]).toBe('Noto Sans SC');
    expect(differing(cellMask(ja.png, 0), cellMask(zh.png, 0))).toBeGreaterThan(20);
  });
});

/** Ink in the left and right halves of the ink's bounding box. */
function halves(png: { width: number; height: number; data: Uint8Array }): { left: number; right: number } {
  let minX = png.width;
  let maxX = -1;
  const dark = (i: number) => (png.data[i] ?? 255) < 128;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (!dark((y * png.width + x) * 4)) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
    }
  }
  const mid = (minX + maxX) / 2;
  let left = 0;
  let right = 0;
  for (let y = 0; y < png.height; y++) for (let x = minX; x <= maxX; x++) if (dark((y * png.width + x) * 4)) x < mid ? left++ : right++;
  return { left, right };
}

describe('right-to-left text (takumi)', () => {
  // a heavy letter and a light one: in right-to-left order the first one typed is the rightmost
  it.each([
    ['Hebrew', 'ם', 'י'],
    ['Arabic', 'ه', 'ا'],
  ])('%s runs right to left', async (_, heavy, light) => {
    const draw = async (s: string) => {
      const element = h(
        'div',
        { style: { display: 'flex', width: 400, height: 120, background: '#ffffff', color: '#000000', fontSize: 80, fontFamily: 'Inter' } },
        s,
      );
      const text = await loadTextAssets(env.FONTS, element, 'woff2');
      return halves(decodePng((await takumiEngine.render({ element, text, width: 400, height: 120, scale: 1, format: 'png' })).bytes));
    };
    const heavyFirst = await draw(`${heavy} ${light}`);
    const lightFirst = await draw(`${light} ${heavy}`);
    expect(heavyFirst.right).toBeGreaterThan(heavyFirst.left * 1.5);
    expect(lightFirst.left).toBeGreaterThan(lightFirst.right * 1.5);
  });
});

describe('paragraph direction (takumi)', () => {
  /** Leftmost and rightmost dark columns. */
  function inkSpan(png: { width: number; height: number; data: Uint8Array }): [number, number] {
    let min = png.width;
    let max = -1;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        if ((png.data[(y * png.width + x) * 4] ?? 255) >= 128) continue;
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    return [min, max];
  }
  const draw = async (s: string) => {
    const element = h(
      'div',
      {
        style: {
          display: 'flex',
          flexDirection: 'column',
          width: 900,
          height: 100,
          background: '#ffffff',
          color: '#000000',
          fontSize: 48,
          fontFamily: 'Inter',
        },
      },
      h('div', { style: { display: 'block' } }, s),
    );
    const text = await loadTextAssets(env.FONTS, element, 'woff2');
    return decodePng((await takumiEngine.render({ element, text, width: 900, height: 100, scale: 1, format: 'png' })).bytes);
  };

  it('a paragraph starting in Arabic or Hebrew runs right to left (starts at the right), as dir="auto" decides', async () => {
    for (const title of ['مرحبا بكم في PicStream', 'ברוכים הבאים ל-PicStream']) {
      const [left, right] = inkSpan(await draw(title));
      expect(right, title).toBeGreaterThan(880); // flush with the right edge
      expect(left, title).toBeGreaterThan(200);
    }
    // a Latin-first paragraph with an Arabic phrase stays left to right
    const [left, right] = inkSpan(await draw('PicStream: مرحبا بكم'));
    expect(left).toBeLessThan(10);
    expect(right).toBeLessThan(700);
  });
});

describe('og-card through the API', () => {
  const cases = LANGS.flatMap((lang) =>
    (['takumi', 'satori'] as const).filter((e) => e === 'takumi' || !TAKUMI_ONLY.includes(lang)).map((e) => [lang, e] as const),
  );
  it.each(cases)('%s with %s renders', async (lang, engine) => {
    const res = await generate({ template: 'og-card', engine, vars: { title: `${TITLES[lang]} ${engine}`, subtitle: TITLES[lang] } });
    const body = await res.json<{ url: string; cached: boolean }>();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const png = decodePng(await (await get(pathOf(body.url))).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);
    if (lang === 'emoji') {
      // Twemoji's red (🎉, 🚀, the flag's disc): a title clamped to a bare "…" has none
      let red = 0;
      for (let i = 0; i < png.data.length; i += 4) {
        if (Math.abs((png.data[i] ?? 0) - 221) < 30 && (png.data[i + 1] ?? 0) < 90 && (png.data[i + 2] ?? 0) < 110) red++;
      }
      expect(red).toBeGreaterThan(150);
    }
  });

  it.each(TAKUMI_ONLY)('%s with satori (or as SVG) → 400 engine_script_unsupported naming the var', async (lang) => {
    for (const body of [
      { template: 'og-card', engine: 'satori', vars: { title: TITLES[lang] } },
      { template: 'og-card', format: 'svg', vars: { title: 'Latin title', subtitle: TITLES[lang] } },
    ]) {
      const problem = await expectProblem(await generate(body), 400, 'engine_script_unsupported');
      expect(problem.errors?.map((e) => e.path)).toEqual([body.vars.subtitle ? 'vars.subtitle' : 'vars.title']);
    }
  });

  it('a deployment that never seeded its fonts refuses such text with 503 fonts_unavailable; Latin still renders', async () => {
    const send = async (title: string) =>
      fetchWithEnv({ FONTS: env.EMPTY_FONTS }, '/api/v1/generate/image', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(await defaultKey()) },
        body: JSON.stringify({ template: 'og-card', vars: { title } }),
      });
    await expectProblem(await send(`日本語 ${crypto.randomUUID()}`), 503, 'fonts_unavailable');
    await expectProblem(await send(`Emoji only 🚀 ${crypto.randomUUID()}`), 503, 'fonts_unavailable');
    const latin = await send(`Latin, Ελληνικά, Русский ${crypto.randomUUID()}`);
    expect(latin.status, await latin.clone().text()).toBe(200);
    await expect(loadTextAssets(env.EMPTY_FONTS, ogCard('日本語'), 'woff2')).rejects.toMatchObject({ code: 'fonts_unavailable', status: 503 });
  });
});

describe('per-isolate cache', () => {
  it('a first CJK render reads its subsets from R2; the same text again reads nothing', async () => {
    resetTextAssetCaches(); // as a fresh isolate
    const element = ogCard('鬱蒼と麒麟の髑髏：饂飩 🚀');
    const before = { ...fontStoreReads };
    const first: TextAssets = await loadTextAssets(env.FONTS, element, 'woff2');
    const afterFirst = { ...fontStoreReads };
    expect(first.fonts.length).toBeGreaterThan(3);
    // the manifest once, then one ranged read per slice and per emoji
    expect(afterFirst.manifest - before.manifest).toBe(1);
    expect(afterFirst.spans - before.spans).toBe(first.fonts.length + first.emoji.size);
    await loadTextAssets(env.FONTS, element, 'woff2');
    expect(fontStoreReads).toEqual(afterFirst);
  });

  it('renders through the API read the manifest once per isolate, not per request', async () => {
    const warm = await generate({ template: 'og-card', vars: { title: `温める ${crypto.randomUUID()}` } });
    expect(warm.status).toBe(200);
    const before = fontStoreReads.manifest;
    for (const title of ['二度目の描画', '三度目の描画']) {
      const res = await generate({ template: 'og-card', vars: { title: `${title} ${crypto.randomUUID()}` } });
      expect(res.status).toBe(200);
    }
    expect(fontStoreReads.manifest).toBe(before);
  });
});
