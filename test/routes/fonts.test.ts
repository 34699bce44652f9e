/**
 * Custom fonts (issue 7): upload a face (TTF, OTF, WOFF), draw a template's text in its family
 * with `font_family`, list, delete; what is not a usable font is a 422 before anything is kept.
 */

import { env } from 'cloudflare:test';
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';
import interWoff2 from '@fontsource/inter/files/inter-latin-400-normal.woff2';
import notoRegularWoff from '@fontsource/noto-sans/files/noto-sans-latin-400-normal.woff';
import notoBoldWoff from '@fontsource/noto-sans/files/noto-sans-latin-700-normal.woff';
import pacificoWoff from '@fontsource/pacifico/files/pacifico-latin-400-normal.woff';
import { describe, expect, it } from 'vitest';
import { fontObjectKey } from '../../src/fonts/custom';
import { bearer, decodePng, del, expectProblem, generate, get, pathOf, postJson, signup } from '../helpers/api';

type Font = { id: string; family: string; weight: number; style: string; format: string; bytes: number; glyphs: number; sha256: string };

const base64 = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64');

async function trueTypeSample(): Promise<Uint8Array> {
  return new Uint8Array(await (await fetch(`${env.TEST_IMAGE_ORIGIN}/__fonts/sample.ttf`)).arrayBuffer());
}

/** A WOFF of one `cmap` table holding 20 MB of deflated zeros, claiming `claimed` bytes unpacked. */
function bombWoff(claimed: number): Uint8Array {
  const data = deflateSync(new Uint8Array(20 * 1024 * 1024));
  const out = new Uint8Array(44 + 20 + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('wOFF'), 0);
  view.setUint32(4, 0x00010000); // flavor: TrueType
  view.setUint32(8, out.byteLength);
  view.setUint16(12, 1); // one table
  out.set(new TextEncoder().encode('cmap'), 44);
  view.setUint32(48, 64); // offset
  view.setUint32(52, data.byteLength); // stored
  view.setUint32(56, claimed); // unpacked, as claimed
  out.set(data, 64);
  return out;
}

async function upload(key: string, body: Record<string, unknown>): Promise<Response> {
  return postJson('/api/v1/fonts', body, bearer(key));
}

/** Share of pixels that differ between two same-size images. */
function differingShare(a: { data: Uint8Array }, b: { data: Uint8Array }): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    if (Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0)) + Math.abs((a.data[i + 1] ?? 0) - (b.data[i + 1] ?? 0)) > 60) n++;
  }
  return n / (a.data.length / 4);
}

async function png(res: Response) {
  const body = await res.json<{ url: string }>();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return decodePng(await (await get(pathOf(body.url))).arrayBuffer());
}

describe('custom fonts', () => {
  it('a WOFF uploaded and used with font_family changes the rendered text, on both engines', async () => {
    const account = await signup();
    const res = await upload(account.apiKey, { family: 'Brand Script', data: base64(pacificoWoff) });
    const font = await res.json<Font>();
    expect(res.status, JSON.stringify(font)).toBe(201);
    expect(font).toMatchObject({ family: 'Brand Script', weight: 400, style: 'normal', format: 'woff' });
    expect(font.id).toMatch(/^fnt_/);
    expect(font.glyphs).toBeGreaterThan(100);
    // kept unpacked: a TrueType file in the FONTS bucket
    const stored = await env.FONTS.get(fontObjectKey({ account_id: account.id, id: font.id }));
    expect(new Uint8Array(await (stored as R2ObjectBody).arrayBuffer()).subarray(0, 4)).toEqual(new Uint8Array([0, 1, 0, 0]));

    for (const engine of ['takumi', 'satori'] as const) {
      const title = `Handwritten headline ${engine} ${crypto.randomUUID().slice(0, 8)}`;
      const plain = await png(await generate({ template: 'og-card', engine, vars: { title, theme: 'light' } }, bearer(account.apiKey)));
      const custom = await png(
        await generate({ template: 'og-card', engine, font_family: 'brand script', vars: { title, theme: 'light' } }, bearer(account.apiKey)),
      );
      // the same card, its text in another typeface: a good share of the pixels differ
      expect(differingShare(plain, custom), engine).toBeGreaterThan(0.01);
      // the same request again is the same content address: a cache hit
      const again = await generate({ template: 'og-card', engine, font_family: 'Brand Script', vars: { title, theme: 'light' } }, bearer(account.apiKey));
      expect((await again.json<{ cached: boolean }>()).cached).toBe(true);
    }

    // queued renders carry the faces in their record
    const queued = await generate(
      { template: 'og-card', font_family: 'Brand Script', async: true, vars: { title: `Queued ${crypto.randomUUID()}` } },
      bearer(account.apiKey),
    );
    expect(queued.status).toBe(202);
    const row = await env.DB.prepare('SELECT font_faces FROM renders WHERE id = ?1')
      .bind((await queued.json<{ id: string }>()).id)
      .first<{ font_faces: string }>();
    expect(JSON.parse(row?.font_faces ?? 'null')).toEqual([font.id]);
  });

  it.each(['takumi', 'satori'] as const)('a face added to a family later does not change how an isolate draws the faces it had (%s)', async (engine) => {
    // Pacifico as the regular face, then Noto Sans Bold as the bold one: after the upload, the
    // regular subtitle must still be drawn in Pacifico, exactly as before (the title is bold)
    const account = await signup();
    const family = `Two Faces ${engine}`;
    expect((await upload(account.apiKey, { family, weight: 400, data: base64(pacificoWoff) })).status).toBe(201);
    const card = (title: string) => ({
      template: 'og-card',
      engine,
      font_family: family,
      vars: { title, subtitle: 'The same regular subtitle', theme: 'light' },
    });
    const before = await png(await generate(card('One'), bearer(account.apiKey)));
    expect((await upload(account.apiKey, { family, weight: 700, data: base64(notoBoldWoff) })).status).toBe(201);
    const after = await png(await generate(card('One'), bearer(account.apiKey)));
    // og-card: 72 px padding, the subtitle (32 px) right under the title block; compare the band
    // of rows from the title's end to the site line, where only the subtitle is drawn
    const band = (img: { width: number; data: Uint8Array }, from: number, to: number) => img.data.subarray(from * img.width * 4, to * img.width * 4);
    const rows = [380, 500] as const;
    expect(differingShare({ data: band(before, ...rows) }, { data: band(after, ...rows) })).toBe(0);
    // and the title did change face (bold Noto instead of Pacifico)
    expect(differingShare({ data: band(before, 200, 330) }, { data: band(after, 200, 330) })).toBeGreaterThan(0.005);
  });

  it.each(['takumi', 'satori'] as const)(
    'two accounts with the same font file each draw with it; a face deleted and replaced is not drawn again (%s)',
    async (engine) => {
      const [first, second] = [await signup(), await signup()];
      const card = (family: string, title: string) => ({
        template: 'og-card',
        engine,
        font_family: family,
        vars: { title, subtitle: 'A subtitle', theme: 'light' },
      });
      const plain = await png(
        await generate({ template: 'og-card', engine, vars: { title: 'Shared file', subtitle: 'A subtitle', theme: 'light' } }, bearer(first.apiKey)),
      );
      for (const account of [first, second]) {
        expect((await upload(account.apiKey, { family: 'Shared Script', data: base64(pacificoWoff) })).status).toBe(201);
        const drawn = await png(await generate(card('Shared Script', 'Shared file'), bearer(account.apiKey)));
        expect(differingShare(plain, drawn)).toBeGreaterThan(0.005);
      }
      // the first account replaces its regular face with Noto Sans: renders use the new face only
      const [old] = (await (await get('/api/v1/fonts', bearer(first.apiKey))).json<{ data: Font[] }>()).data;
      expect((await del(`/api/v1/fonts/${old?.id}`, bearer(first.apiKey))).status).toBe(204);
      expect((await upload(first.apiKey, { family: 'Shared Script', weight: 400, data: base64(notoRegularWoff) })).status).toBe(201);
      const script = await png(await generate(card('Shared Script', 'Replaced face'), bearer(second.apiKey)));
      const replaced = await png(await generate(card('Shared Script', 'Replaced face'), bearer(first.apiKey)));
      expect(differingShare(script, replaced)).toBeGreaterThan(0.005);
    },
  );

  it('takes TrueType as it is; lists, refuses a duplicate face, deletes', async () => {
    const account = await signup();
    const ttf = await trueTypeSample();
    const res = await upload(account.apiKey, { family: 'Icons', weight: 700, data: base64(ttf) });
    const font = await res.json<Font>();
    expect(res.status, JSON.stringify(font)).toBe(201);
    expect(font).toMatchObject({ family: 'Icons', weight: 700, format: 'ttf', bytes: ttf.byteLength });

    const dup = await expectProblem(await upload(account.apiKey, { family: 'icons', weight: 700, data: base64(ttf) }), 409, 'font_exists');
    expect(dup.errors?.[0]?.path).toBe('family');
    // another account may use the same name
    expect((await upload((await signup()).apiKey, { family: 'Icons', weight: 700, data: base64(ttf) })).status).toBe(201);

    const list = await (await get('/api/v1/fonts', bearer(account.apiKey))).json<{ data: Font[] }>();
    expect(list.data.map((f) => f.id)).toEqual([font.id]);

    expect((await del(`/api/v1/fonts/${font.id}`, bearer(account.apiKey))).status).toBe(204);
    expect(await env.FONTS.head(fontObjectKey({ account_id: account.id, id: font.id }))).toBeNull();
    await expectProblem(await del(`/api/v1/fonts/${font.id}`, bearer(account.apiKey)), 404, 'font_not_found');
    const unknown = await expectProblem(
      await generate({ template: 'og-card', font_family: 'Icons', vars: { title: 'After delete' } }, bearer(account.apiKey)),
      422,
      'font_family_unknown',
    );
    expect(unknown.errors?.[0]?.path).toBe('font_family');
  });

  it('one account cannot see, use or delete another account’s font', async () => {
    const [owner, other] = [await signup(), await signup()];
    const font = await (await upload(owner.apiKey, { family: 'Private Face', data: base64(pacificoWoff) })).json<Font>();
    expect((await (await get('/api/v1/fonts', bearer(other.apiKey))).json<{ data: Font[] }>()).data).toEqual([]);
    await expectProblem(
      await generate({ template: 'og-card', font_family: 'Private Face', vars: { title: 'x' } }, bearer(other.apiKey)),
      422,
      'font_family_unknown',
    );
    await expectProblem(await del(`/api/v1/fonts/${font.id}`, bearer(other.apiKey)), 404, 'font_not_found');
  });

  it.each([
    ['random bytes', () => crypto.getRandomValues(new Uint8Array(2048)), /not a TrueType, OpenType or WOFF font/],
    ['WOFF2', () => new Uint8Array(interWoff2), /WOFF2/],
    ['a truncated WOFF', () => new Uint8Array(pacificoWoff).slice(0, 4000), /damaged WOFF|not a readable font/],
    ['a font collection', () => new Uint8Array([...new TextEncoder().encode('ttcf'), ...new Uint8Array(200)]), /collection/],
    ['a TrueType header with no tables', () => new Uint8Array([0, 1, 0, 0, ...new Uint8Array(200)]), /not a readable font/],
    // zip bombs: 20 MB of zeros deflated into a table that claims 100 bytes, or claims 20 MB
    ['a WOFF table inflating past its declared size', () => bombWoff(100), /damaged WOFF/],
    ['a WOFF whose tables claim more than the limit', () => bombWoff(20 * 1024 * 1024), /oversized WOFF file: its tables unpack to/],
  ])('%s → 422 font_invalid naming data, nothing kept', async (_, bytes, message) => {
    const account = await signup();
    const problem = await expectProblem(await upload(account.apiKey, { family: 'Broken', data: base64(bytes()) }), 422, 'font_invalid');
    expect(problem.errors?.[0]?.path).toBe('data');
    expect(problem.detail).toMatch(message);
    expect((await (await get('/api/v1/fonts', bearer(account.apiKey))).json<{ data: Font[] }>()).data).toEqual([]);
    const listed = await env.FONTS.list({ prefix: `custom/${account.id}/` });
    expect(listed.objects).toEqual([]);
  });

  it('malformed requests → 400 with field paths; an oversized body → 413', async () => {
    const account = await signup();
    for (const [body, path] of [
      [{ family: 'X', data: 'not base64!' }, 'data'],
      [{ family: 'Bad, "Name"', data: base64(pacificoWoff) }, 'family'],
      [{ family: 'X', weight: 450, data: base64(pacificoWoff) }, 'weight'],
      [{ family: 'X', style: 'oblique', data: base64(pacificoWoff) }, 'style'],
      [{ data: base64(pacificoWoff) }, 'family'],
    ] as const) {
      const problem = await expectProblem(await upload(account.apiKey, body), 400, 'validation_failed');
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
    await expectProblem(await upload(account.apiKey, { family: 'Huge', data: 'A'.repeat(7 * 1024 * 1024) }), 413, 'payload_too_large');
    await expectProblem(await generate({ template: 'og-card', font_family: 'a,b', vars: { title: 'x' } }, bearer(account.apiKey)), 400, 'validation_failed');
  });

  it(`an account keeps at most 20 faces → 409 font_limit_reached`, async () => {
    const account = await signup();
    const data = base64(pacificoWoff);
    for (let i = 0; i < 20; i++) expect((await upload(account.apiKey, { family: `Face ${i}`, data })).status).toBe(201);
    await expectProblem(await upload(account.apiKey, { family: 'Face 20', data }), 409, 'font_limit_reached');
  });
});
