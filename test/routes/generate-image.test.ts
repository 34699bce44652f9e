import { env } from 'cloudflare:test';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import decodeWebp, { init as initWebpDecoder } from '@jsquash/webp/decode';
import { Resvg } from '@resvg/resvg-wasm';
import { describe, expect, it, vi } from 'vitest';
import { useResvg } from '../../src/render/engines/resvg';
import { colourCount, decodePng, expectProblem, generate, get, pathOf, postJson } from '../helpers/api';

describe('POST /api/v1/generate/image', () => {
  it('renders og-card to a PNG of the template size and serves it', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Hello World' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 'complete', format: 'png', width: 1200, height: 630, cached: false, template: 'og-card', type: 'image' });
    expect(body.id).toMatch(/^rnd_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(body.url).toMatch(/^http:\/\/localhost:8787\/img\/[a-f0-9]{40}\.png$/);
    expect(body.render_ms).toBeTypeOf('number');
    expect(Date.parse(body.created_at as string)).not.toBeNaN();

    const img = await get(pathOf(body.url as string));
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const bytes = await img.arrayBuffer();
    expect(bytes.byteLength).toBe(body.bytes);
    const png = decodePng(bytes);
    expect([png.width, png.height]).toEqual([1200, 630]);
    expect(colourCount(png)).toBeGreaterThan(20);
  });

  it('answers an identical request from the cache without rendering', async () => {
    const request = { template: 'og-card', vars: { title: 'Cache me', theme: 'light' } };
    const first = await (await generate(request)).json<{ id: string; url: string; cached: boolean }>();
    expect(first.cached).toBe(false);

    // Replace the stored object with sentinel bytes: a re-render would overwrite them.
    const key = pathOf(first.url).slice(1);
    const sentinel = new TextEncoder().encode('sentinel-object');
    await env.OUTPUT.put(key, sentinel, { httpMetadata: { contentType: 'image/png' } });

    const second = await (await generate({ vars: { theme: 'light', title: 'Cache me' }, template: 'og-card' })).json<{
      id: string;
      url: string;
      cached: boolean;
      bytes: number;
      render_ms: number;
    }>();
    expect(second.cached).toBe(true);
    expect(second.url).toBe(first.url);
    expect(second.id).not.toBe(first.id);
    const stored = await env.OUTPUT.get(key);
    expect(await stored?.text()).toBe('sentinel-object');

    // both requests have their own render record (the hit's is written just after the response)
    await vi.waitFor(async () => {
      const rows = await env.DB.prepare('SELECT cached FROM renders WHERE id IN (?1, ?2) ORDER BY cached').bind(first.id, second.id).all();
      expect(rows.results.map((r) => r.cached)).toEqual([0, 1]);
    });
    // and the hit is pollable at once
    const polled = await (await get(`/api/v1/renders/${second.id}`)).json<{ cached: boolean; url: string }>();
    expect(polled).toMatchObject({ cached: true, url: first.url });
  });

  it('treats explicit defaults as the same request (canonical vars)', async () => {
    const a = await (await generate({ template: 'og-card', vars: { title: 'Same thing' } })).json<{ url: string }>();
    const b = await (await generate({ template: 'og-card', vars: { title: 'Same thing', theme: 'dark' }, format: 'png', scale: 1 })).json<{
      url: string;
      cached: boolean;
    }>();
    expect(b.url).toBe(a.url);
    expect(b.cached).toBe(true);
  });

  it('writes lossy WebP', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'WebP please' }, format: 'webp' });
    const body = await res.json<{ url: string; format: string; width: number }>();
    expect(res.status).toBe(200);
    expect(body.format).toBe('webp');
    const img = await get(pathOf(body.url));
    expect(img.headers.get('content-type')).toBe('image/webp');
    const bytes = new Uint8Array(await img.arrayBuffer());
    const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
    expect(ascii(0, 4)).toBe('RIFF');
    expect(ascii(8, 12)).toBe('WEBP');
    expect(ascii(12, 16)).toBe('VP8 '); // 'VP8 ' is lossy; lossless would be 'VP8L'
    // and libwebp's own decoder reads it back at full size, with content
    await initWebpDecoder(webpDecWasm);
    const decoded = await decodeWebp(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect([decoded.width, decoded.height]).toEqual([1200, 630]);
    expect(colourCount({ data: new Uint8Array(decoded.data.buffer) })).toBeGreaterThan(20);
  });

  it('writes SVG from satori', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Vector' }, format: 'svg' });
    const body = await res.json<{ url: string; engine: string }>();
    expect(res.status).toBe(200);
    expect(body.engine).toBe('satori');
    const img = await get(pathOf(body.url));
    expect(img.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await img.text();
    expect(svg).toMatch(/^<svg[^>]+width="1200"[^>]+height="630"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script/i);
    // a real SVG parser (resvg) reads it and rasterises it at its size
    const size = await useResvg(() => {
      const resvg = new Resvg(svg, { font: { loadSystemFonts: false } });
      const raster = resvg.render();
      const out = [raster.width, raster.height];
      raster.free();
      resvg.free();
      return out;
    });
    expect(size).toEqual([1200, 630]);
  });

  it('honours width, height and scale', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Square' }, width: 600, height: 600, scale: 2 });
    const body = await res.json<{ url: string; width: number; height: number; scale: number }>();
    expect([body.width, body.height, body.scale]).toEqual([1200, 1200, 2]);
    const png = decodePng(await (await get(pathOf(body.url))).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 1200]);
  });

  it('renders with the satori engine on request', async () => {
    const res = await generate({ template: 'og-card', vars: { title: 'Satori' }, engine: 'satori' });
    const body = await res.json<{ url: string; engine: string }>();
    expect(body.engine).toBe('satori');
    const png = decodePng(await (await get(pathOf(body.url))).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);
  });

  it('keeps concurrent identical requests whole', async () => {
    const request = { template: 'og-card', vars: { title: 'Stampede', theme: 'ocean' } };
    const responses = await Promise.all(Array.from({ length: 5 }, () => generate(request)));
    const bodies = await Promise.all(responses.map((r) => r.json<{ url: string }>()));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(bodies.map((b) => b.url)).size).toBe(1);
    const png = decodePng(await (await get(pathOf(bodies[0]!.url))).arrayBuffer());
    expect([png.width, png.height]).toEqual([1200, 630]);
  });

  describe('bad input', () => {
    it('unknown template → 404 template_not_found', async () => {
      await expectProblem(await generate({ template: 'nope', vars: {} }), 404, 'template_not_found');
    });

    it('invalid vars → 400 validation_failed with each field path', async () => {
      const p = await expectProblem(await generate({ template: 'og-card', vars: { title: 'x'.repeat(201), theme: 'neon' } }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.path).sort()).toEqual(['vars.theme', 'vars.title']);
    });

    it('missing required var → 400 naming it', async () => {
      const p = await expectProblem(await generate({ template: 'og-card', vars: {} }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.path)).toEqual(['vars.title']);
    });

    it('bad top-level fields → 400 with their paths', async () => {
      const p = await expectProblem(
        await generate({ template: 'og-card', vars: { title: 'x' }, format: 'gif', scale: 9, width: 5, extra: 1 }),
        400,
        'validation_failed',
      );
      const paths = p.errors?.map((e) => e.path) ?? [];
      for (const path of ['format', 'scale', 'width']) expect(paths).toContain(path);
      expect(p.errors?.some((e) => e.message.includes('extra'))).toBe(true);
    });

    it('malformed JSON → 400 malformed_json', async () => {
      await expectProblem(await postJson('/api/v1/generate/image', '{"template": "og-card",'), 400, 'malformed_json');
    });

    it('wrong content type → 415', async () => {
      const res = await postJson('/api/v1/generate/image', 'template=og-card', { 'content-type': 'application/x-www-form-urlencoded' });
      await expectProblem(res, 415, 'unsupported_media_type');
    });

    it('body over 64 KB → 413 before parsing', async () => {
      const res = await postJson('/api/v1/generate/image', { template: 'og-card', vars: { title: 'x', pad: 'y'.repeat(70_000) } });
      await expectProblem(res, 413, 'payload_too_large');
    });

    it('more than 4.2 MP of output → 400 image_too_large, nothing recorded', async () => {
      const p = await expectProblem(await generate({ template: 'og-card', vars: { title: 'Huge' }, width: 2400, height: 2400 }), 400, 'image_too_large');
      expect(p.errors?.[0]?.path).toBe('width');
      await expectProblem(await generate({ template: 'og-card', vars: { title: 'Huge' }, scale: 3 }), 400, 'image_too_large');
      await new Promise((r) => setTimeout(r, 150)); // past the cache-hit log's flush window
      expect(await env.DB.prepare(`SELECT count(*) AS n FROM renders WHERE vars LIKE '%"Huge"%'`).first<number>('n')).toBe(0);
    });

    it('takumi cannot write SVG → 400 engine_format_unsupported', async () => {
      await expectProblem(await generate({ template: 'og-card', vars: { title: 'x' }, format: 'svg', engine: 'takumi' }), 400, 'engine_format_unsupported');
    });

    it('non-object bodies and odd JSON never give a 5xx', async () => {
      for (const body of [
        '[]',
        'null',
        '42',
        '"og-card"',
        '{"template": null}',
        '{"template": "og-card", "vars": []}',
        '{"template": "og-card", "vars": {"title": {"$gt": 1}}}',
      ]) {
        const res = await postJson('/api/v1/generate/image', body);
        expect(res.status, body).toBeGreaterThanOrEqual(400);
        expect(res.status, body).toBeLessThan(500);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
    });
  });
});
