/**
 * Remote image vars against a real local HTTP server (test/global-setup.ts) standing in for the
 * web: the guard refuses blocked addresses before any fetch, limits hold, errors name the var.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decodePng, expectProblem, generate, get, pathOf, postJson } from '../helpers/api';
import { inspectPdf } from '../helpers/pdf';

const origin = () => env.TEST_IMAGE_ORIGIN;

async function hits(): Promise<Record<string, number>> {
  return (await fetch(`${origin()}/__hits`)).json();
}

function ogWithLogo(logo: string, title = 'Logo test') {
  return generate({ template: 'og-card', vars: { title, logo } });
}

describe('remote image vars', () => {
  // satori here: inside the vitest pool, takumi's WASM draws no images (it does under wrangler dev
  // and in production; test/e2e covers takumi with a logo against a real `wrangler dev`).
  it('draws a fetched logo into the card', async () => {
    const res = await generate({ template: 'og-card', engine: 'satori', vars: { title: 'With a logo', logo: `${origin()}/logo.png` } });
    const body = await res.json<{ url: string }>();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const png = decodePng(await (await get(pathOf(body.url))).arrayBuffer());
    // The fixture's top-left half is (220, 38, 38), a colour no theme uses: count pixels near it
    // (scaling the 128 px logo into its 64 px box may shift channels by a step or two).
    let red = 0;
    const near = (a: number | undefined, b: number) => Math.abs((a ?? 0) - b) <= 6;
    for (let i = 0; i < png.data.length; i += 4) {
      if (near(png.data[i], 220) && near(png.data[i + 1], 38) && near(png.data[i + 2], 38)) red++;
    }
    expect(red).toBeGreaterThan(500);
  });

  /** Pixels within a few steps of a colour (lossy codecs and scaling move channels a little). */
  function countNear(png: { data: Uint8Array }, rgb: [number, number, number], tolerance = 12): number {
    let n = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (rgb.every((c, k) => Math.abs((png.data[i + k] ?? 0) - c) <= tolerance)) n++;
    }
    return n;
  }

  it.each(['takumi', 'satori'] as const)('draws a WebP logo and an AVIF avatar (decoded with WASM codecs) with %s', async (engine) => {
    const og = await generate({ template: 'og-card', engine, vars: { title: `WebP logo ${engine}`, logo: `${origin()}/logo.webp` } });
    const ogBody = await og.json<{ url: string }>();
    expect(og.status, JSON.stringify(ogBody)).toBe(200);
    // the fixture's dark half is blue (37, 99, 235)
    expect(countNear(decodePng(await (await get(pathOf(ogBody.url))).arrayBuffer()), [37, 99, 235])).toBeGreaterThan(500);

    const quote = await generate({
      template: 'quote',
      engine,
      vars: { quote: `An AVIF portrait ${engine}`, author: 'Ada', avatar: `${origin()}/avatar.avif` },
    });
    const quoteBody = await quote.json<{ url: string }>();
    expect(quote.status, JSON.stringify(quoteBody)).toBe(200);
    // …and the avatar's green (22, 163, 74)
    expect(countNear(decodePng(await (await get(pathOf(quoteBody.url))).arrayBuffer()), [22, 163, 74])).toBeGreaterThan(300);
  });

  it('a WebP logo goes into a PDF too (as the PNG it is decoded to)', async () => {
    const res = await postJson('/api/v1/generate/pdf', {
      template: 'invoice',
      vars: {
        number: `INV-WEBP-${crypto.randomUUID().slice(0, 8)}`,
        issue_date: '2026-11-28',
        seller: { name: 'Acme' },
        buyer: { name: 'Globex' },
        items: [{ description: 'Widgets', quantity: 3, unit_price: 20 }],
        logo: `${origin()}/logo.webp`,
      },
    });
    const body = await res.json<{ pages: number; url: string }>();
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.pages).toBe(1);
    // pdfimages finds the 128×128 logo embedded in the document
    const file = await get(`${new URL(body.url).pathname}${new URL(body.url).search}`);
    const info = await inspectPdf(await file.arrayBuffer());
    expect(info.images.rows.filter((r) => r.type === 'image').map((r) => `${r.width}x${r.height}`)).toEqual(['128x128']);
  });

  it('a WebP whose picture data is broken is a 422 naming the var, the URL and the reason', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/broken.webp`), 422, 'remote_image_undecodable');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
    expect(p.detail).toMatch(/broken\.webp could not be decoded as image\/webp/);
  });

  it('follows a redirect to an allowed image', async () => {
    const res = await ogWithLogo(`${origin()}/redirect-good`, 'Redirected logo');
    expect(res.status).toBe(200);
  });

  it.each([
    ['https://127.0.0.1/x.png', 'loopback'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['https://[::1]/x.png', 'loopback'],
    ['https://10.0.0.8/x.png', 'private'],
    ['https://192.168.1.1/x.png', 'private'],
    ['https://100.64.0.1/x.png', 'carrierGradeNat'],
    ['https://[fd00::1]/x.png', 'uniqueLocal'],
    ['https://[::ffff:127.0.0.1]/x.png', 'loopback'],
    ['https://2130706433/x.png', 'loopback'], // 127.0.0.1 as a decimal integer
    ['https://0x7f.1/x.png', 'loopback'],
    ['https://0.0.0.0/x.png', 'unspecified'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'internal name'],
    ['https://printer.local/x.png', 'internal name'],
    ['https://user:secret@example.com/x.png', 'credentials'],
    ['http://example.com/x.png', 'https'],
  ])('refuses %s with 422 before any fetch (%s)', async (url) => {
    const p = await expectProblem(await ogWithLogo(url), 422, 'remote_image_blocked');
    expect(p.errors).toEqual([{ path: 'vars.logo', message: expect.any(String) }]);
    expect(p.detail).toContain('vars.logo');
  });

  it('refuses the loopback address of the very server that would answer, without touching it', async () => {
    const port = new URL(origin()).port;
    const before = (await hits())['/logo.png'] ?? 0;
    await expectProblem(await ogWithLogo(`http://127.0.0.1:${port}/logo.png`), 422, 'remote_image_blocked');
    await expectProblem(await ogWithLogo(`https://127.0.0.1:${port}/logo.png`), 422, 'remote_image_blocked');
    expect((await hits())['/logo.png'] ?? 0).toBe(before);
  });

  it('refuses a redirect to a private address', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/redirect-private`), 422, 'remote_image_blocked');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
  });

  it('refuses an image over 5 MB by Content-Length', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/big.png`), 422, 'remote_image_too_large');
  });

  it('refuses an image over 5 MB while streaming (no Content-Length)', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/big-chunked.png`), 422, 'remote_image_too_large');
  });

  it('refuses a non-image content type', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/page.html`), 422, 'remote_image_invalid_type');
    expect(p.detail).toContain('text/html');
  });

  it('refuses a file whose bytes are not an image, whatever its header says', async () => {
    await expectProblem(await ogWithLogo(`${origin()}/disguised.png`), 422, 'remote_image_invalid_type');
  });

  it('names the var and the HTTP status when the image is missing', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/missing.png`), 422, 'remote_image_fetch_failed');
    expect(p.detail).toMatch(/vars\.logo: .*HTTP 404/);
  });

  it('refuses an image declaring a huge bitmap (decompression bomb)', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/bomb.png`), 422, 'remote_image_too_large');
    expect(p.detail).toContain('20000×20000');
  });

  it('gives up after 5 s', async () => {
    const started = Date.now();
    await expectProblem(await ogWithLogo(`${origin()}/slow.png`), 422, 'remote_image_timeout');
    expect(Date.now() - started).toBeLessThan(6_500);
  }, 15_000);

  it('refuses a corrupt image (broken PNG chunk) with 422, not a 5xx or a silently missing logo', async () => {
    const p = await expectProblem(await ogWithLogo(`${origin()}/corrupt.png`), 422, 'remote_image_undecodable');
    expect(p.errors?.[0]?.path).toBe('vars.logo');
  });
});
