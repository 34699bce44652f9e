#!/usr/bin/env node
// Writes PNGs of every built-in image template (example vars, plus any extra cases in
// templates/<id>.preview.json if present) with both native engines into .cache/preview/, and
// every PDF template's cases as PDFs (the product's vector pipeline, run in Node) with a PNG of
// each page when poppler's pdftoppm is installed.
//
//   node scripts/preview.mjs [template-id] [case-name]
//
// A preview case may fill an image var with "fixture:<name>" (see FIXTURES below): the schema
// sees a stand-in https URL, then the template gets a data: URL of a PNG this script draws itself,
// which is what templates receive at runtime (the job runner validates the vars, fetches remote
// images and hands templates data: URLs), so no network is needed.
//
// After each case it prints how far the two engines' PNGs differ (share of pixels whose largest
// channel difference exceeds 48/255); PREVIEW_DIFF=1 also writes <id>--<case>--diff.png, with
// differing pixels in magenta over a faded copy of the takumi output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { buildNative } from '../bench/build-native.mjs';

// ---------------------------------------------------------------------------------------------
// Fixture images, drawn deterministically (4×4 supersampling for smooth edges).

const mix = (a, b, t) => a + (b - a) * t;
const clamp01 = (x) => Math.min(1, Math.max(0, x));

/** paint(x, y) → [r, g, b] in 0..255 for a point in pixel space (floats). */
function drawPng(width, height, paint) {
  const png = new PNG({ width, height });
  const S = 4;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const c = paint(x + (sx + 0.5) / S, y + (sy + 0.5) / S);
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const i = (y * width + x) * 4;
      png.data[i] = Math.round(r / (S * S));
      png.data[i + 1] = Math.round(g / (S * S));
      png.data[i + 2] = Math.round(b / (S * S));
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A portrait placeholder: a person's head and shoulders over a warm gradient. */
function avatarPng(size = 256) {
  return drawPng(size, size, (x, y) => {
    const u = x / size;
    const v = y / size;
    const bg = [mix(251, 236, v), mix(191, 120, v), mix(141, 120, u)];
    const head = Math.hypot(u - 0.5, v - 0.4) < 0.17;
    const shoulders = ((u - 0.5) / 0.34) ** 2 + ((v - 1.02) / 0.36) ** 2 < 1;
    if (head) return [mix(122, 84, v), mix(72, 48, v), mix(60, 40, v)];
    if (shoulders) return [mix(51, 30, v), mix(65, 41, v), mix(85, 59, v)];
    return bg;
  });
}

/** A "product shot": a glossy sphere with a floor shadow on a soft studio backdrop. */
function productPng(width = 800, height = 800) {
  const s = Math.min(width, height);
  const cx = width / 2;
  const cy = height * 0.46;
  const R = s * 0.27;
  return drawPng(width, height, (x, y) => {
    const v = y / height;
    let c = [mix(246, 226, v), mix(241, 221, v), mix(236, 214, v)];
    // floor shadow
    const sh = ((x - cx) / (R * 1.1)) ** 2 + ((y - (cy + R * 1.02)) / (R * 0.2)) ** 2;
    if (sh < 1) c = c.map((ch) => ch * (1 - 0.35 * (1 - sh)));
    // sphere, lit from the top left
    const dx = (x - cx) / R;
    const dy = (y - cy) / R;
    const d2 = dx * dx + dy * dy;
    if (d2 < 1) {
      const dz = Math.sqrt(1 - d2);
      const diffuse = clamp01(-0.45 * dx - 0.55 * dy + 0.7 * dz);
      const spec = clamp01(-0.45 * dx - 0.55 * dy + 0.7 * dz) ** 40;
      const base = [20, 120, 110];
      c = base.map((ch) => Math.min(255, ch * (0.35 + 0.9 * diffuse) + 255 * 0.8 * spec));
    }
    return c;
  });
}

/** A square brand mark: rounded-corner tile with a white ring. */
function logoPng(size = 128) {
  return drawPng(size, size, (x, y) => {
    const u = x / size;
    const v = y / size;
    const ring = Math.abs(Math.hypot(u - 0.5, v - 0.5) - 0.24) < 0.07;
    return ring ? [255, 255, 255] : [mix(79, 124, u), mix(70, 58, v), mix(229, 237, u)];
  });
}

const FIXTURES = {
  avatar: () => avatarPng(256),
  // non-square, to check that avatars crop (object-fit: cover) rather than stretch
  'avatar-wide': () => drawPng(400, 240, (x, y) => (Math.hypot(x - 200, y - 120) < 90 ? [30, 64, 175] : [250, 204, 21])),
  product: () => productPng(800, 800),
  'product-wide': () => productPng(1200, 600),
  'product-tall': () => productPng(500, 900),
  logo: () => logoPng(128),
};

const fixtureCache = new Map();
function fixtureUrl(name) {
  const make = FIXTURES[name];
  if (!make) throw new Error(`unknown preview fixture "${name}" (have: ${Object.keys(FIXTURES).join(', ')})`);
  if (!fixtureCache.has(name)) fixtureCache.set(name, `data:image/png;base64,${Buffer.from(make()).toString('base64')}`);
  return fixtureCache.get(name);
}

/**
 * Splits a case's vars into what the schema validates (each "fixture:<name>" becomes a stand-in
 * https URL) and the data: URLs to swap in after validation, as the job runner does.
 */
function withFixtures(vars) {
  const images = {};
  if (!vars || typeof vars !== 'object') return { vars, images };
  const validated = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v === 'string' && v.startsWith('fixture:')) {
      const name = v.slice('fixture:'.length);
      images[k] = fixtureUrl(name);
      validated[k] = `https://fixtures.example/${name}.png`;
    } else {
      validated[k] = v;
    }
  }
  return { vars: validated, images };
}

// ---------------------------------------------------------------------------------------------

function compare(a, b) {
  const A = PNG.sync.read(Buffer.from(a));
  const B = PNG.sync.read(Buffer.from(b));
  if (A.width !== B.width || A.height !== B.height) return { share: 1, diff: undefined };
  const out = new PNG({ width: A.width, height: A.height });
  let bad = 0;
  for (let i = 0; i < A.data.length; i += 4) {
    const d = Math.max(Math.abs(A.data[i] - B.data[i]), Math.abs(A.data[i + 1] - B.data[i + 1]), Math.abs(A.data[i + 2] - B.data[i + 2]));
    const hit = d > 48;
    if (hit) bad++;
    for (let c = 0; c < 3; c++) out.data[i + c] = hit ? [255, 0, 255][c] : 255 - (255 - A.data[i + c]) * 0.25;
    out.data[i + 3] = 255;
  }
  return { share: bad / (A.width * A.height), diff: out };
}

/** A template's preview cases: its example, plus templates/<id>.preview.json when there is one. */
function previewCases(id, example) {
  const cases = { example };
  const extra = new URL(`../templates/${id}.preview.json`, import.meta.url).pathname;
  if (existsSync(extra)) Object.assign(cases, JSON.parse(readFileSync(extra, 'utf8')));
  return cases;
}

const native = await import(await buildNative());
const dir = new URL('../.cache/preview/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const [only, onlyCase] = process.argv.slice(2);
for (const id of native.templateIds()) {
  if (only && id !== only) continue;
  for (const [name, vars] of Object.entries(previewCases(id, native.exampleVars(id)))) {
    if (onlyCase && name !== onlyCase) continue;
    const pngs = {};
    for (const engine of ['takumi', 'satori']) {
      const { vars: validated, images } = withFixtures(vars);
      const png = await native.renderNative(id, validated, engine, images);
      const file = `${dir}${id}--${name}--${engine}.png`;
      writeFileSync(file, png);
      pngs[engine] = png;
      console.log(file);
    }
    const { share, diff } = compare(pngs.takumi, pngs.satori);
    console.log(`  ${id}/${name}: ${(share * 100).toFixed(2)}% of pixels differ between engines`);
    if (process.env.PREVIEW_DIFF && diff) writeFileSync(`${dir}${id}--${name}--diff.png`, PNG.sync.write(diff));
  }
}

// PDF templates: the vector pipeline in Node; page images through pdftoppm when it is installed
const pdftoppm = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' }).error === undefined;
for (const id of native.pdfTemplateIds()) {
  if (only && id !== only) continue;
  for (const [name, vars] of Object.entries(previewCases(id, native.pdfExampleVars(id)))) {
    if (onlyCase && name !== onlyCase) continue;
    const { vars: validated, images } = withFixtures(vars);
    const pdf = await native.renderPdfNative(id, validated, 'vector', images);
    const file = `${dir}${id}--${name}.pdf`;
    writeFileSync(file, pdf.bytes);
    console.log(`${file}  ${pdf.pages} page(s), ${(pdf.bytes.byteLength / 1024).toFixed(0)} KB`);
    if (pdftoppm) spawnSync('pdftoppm', ['-png', '-r', '72', file, `${dir}${id}--${name}--page`]);
  }
}
if (!pdftoppm) console.log('(pdftoppm not found: no page images of the PDFs; apt-get install poppler-utils)');
