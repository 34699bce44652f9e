/**
 * The TEST watermark cannot be cropped off (finding 10 of issue 15): a test key's image differs
 * from the live image of the same request in every part of the picture, on both engines, and a
 * test key's SVG holds the watermarked picture itself (no element to delete).
 */
import { describe, expect, it } from 'vitest';
import { bearer, decodePng, generate, get, pathOf, signup } from '../helpers/api';

type Png = { width: number; height: number; data: Uint8Array };

/** Share of the pixels of a window that differ visibly between two images of one size. */
function differingShare(a: Png, b: Png, x0: number, y0: number, x1: number, y1: number): number {
  let differ = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * a.width + x) * 4;
      const d =
        Math.abs((a.data[i] as number) - (b.data[i] as number)) +
        Math.abs((a.data[i + 1] as number) - (b.data[i + 1] as number)) +
        Math.abs((a.data[i + 2] as number) - (b.data[i + 2] as number));
      if (d > 60) differ++;
    }
  }
  return differ / ((x1 - x0) * (y1 - y0));
}

/** The smallest differing share over a grid of windows, each a sixth of the image each way. */
function leastMarkedWindow(test: Png, live: Png, cells = 6): number {
  expect([test.width, test.height]).toEqual([live.width, live.height]);
  let least = 1;
  const w = Math.floor(test.width / cells);
  const h = Math.floor(test.height / cells);
  for (let cy = 0; cy < cells; cy++) {
    for (let cx = 0; cx < cells; cx++) least = Math.min(least, differingShare(test, live, cx * w, cy * h, (cx + 1) * w, (cy + 1) * h));
  }
  return least;
}

async function imageOf(body: Record<string, unknown>, key: string): Promise<{ bytes: Uint8Array; url: string }> {
  const res = await generate(body, bearer(key));
  expect(res.status, await res.clone().text()).toBe(200);
  const { url } = await res.json<{ url: string }>();
  return { bytes: new Uint8Array(await (await get(pathOf(url))).arrayBuffer()), url };
}

describe('TEST watermark', () => {
  it.each(['takumi', 'satori'])('marks every sixth-by-sixth window of a test key image (%s)', async (engine) => {
    const account = await signup();
    const request = { template: 'og-card', engine, vars: { title: `Crop me ${crypto.randomUUID()}` } };
    const test = decodePng((await imageOf(request, account.testKey)).bytes);
    const live = decodePng((await imageOf(request, account.apiKey)).bytes);
    expect(leastMarkedWindow(test, live)).toBeGreaterThan(0.01);
    // and the live image carries none of it: the same request drawn twice is the same picture
    const again = decodePng((await imageOf({ ...request, vars: { title: request.vars.title } }, account.apiKey)).bytes);
    expect(leastMarkedWindow(again, live)).toBe(0);
  });

  it('marks every window of a small, tall image too', async () => {
    const account = await signup();
    const request = { template: 'quote', width: 240, height: 900, vars: { quote: `Tall ${crypto.randomUUID()}`, author: 'Ada' } };
    const test = decodePng((await imageOf(request, account.testKey)).bytes);
    const live = decodePng((await imageOf(request, account.apiKey)).bytes);
    expect(leastMarkedWindow(test, live)).toBeGreaterThan(0.01);
  });

  it("a test key's SVG is the watermarked picture, not elements to delete; a live SVG stays vector", async () => {
    const account = await signup();
    const title = `Vector ${crypto.randomUUID()}`;
    const testSvg = new TextDecoder().decode((await imageOf({ template: 'og-card', format: 'svg', vars: { title } }, account.testKey)).bytes);
    const liveSvg = new TextDecoder().decode((await imageOf({ template: 'og-card', format: 'svg', vars: { title } }, account.apiKey)).bytes);
    expect(liveSvg).toContain('<path');
    expect(testSvg).not.toContain('<path');
    expect(testSvg.match(/<image /g)).toHaveLength(1);
    expect(testSvg).toMatch(/^<svg [^>]*width="1200" height="630"/);
    const href = /href="data:image\/png;base64,([^"]+)"/.exec(testSvg)?.[1] as string;
    const inner = decodePng(Uint8Array.from(atob(href), (c) => c.charCodeAt(0)));
    const live = decodePng((await imageOf({ template: 'og-card', engine: 'satori', vars: { title } }, account.apiKey)).bytes);
    expect(leastMarkedWindow(inner, live)).toBeGreaterThan(0.01);
  });
});
