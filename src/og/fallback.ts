/**
 * The image an og URL answers when it cannot render (README "Never a broken preview"): the
 * template drawn with its own example vars — for an account's template, the example its owner
 * saved with that version — with no watermark and no quota unit. Should that fail too (the
 * example's remote logo is down, an engine error), a plain card at the template's proportions.
 *
 * A fallback is drawn once per template version and format in a colo: kept in this isolate
 * ('og fallback images' in lib/caches.ts) and in the colo's Cache API for a day.
 */
import { config, renderImagePolicy } from '../config';
import { familyFaces } from '../db/fonts';
import type { Bindings } from '../env';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { trimEnd } from '../lib/trim';
import { encodePng } from '../render/encode/png';
import { encodeWebp } from '../render/encode/webp';
import { buildImageJob } from '../renders/build-job';
import { drawImage } from '../renders/draw';
import type { ResolvedImageTemplate } from '../renders/resolve';
import { md5Etag } from '../storage/edge-outputs';

export interface OgImage {
  bytes: Uint8Array;
  contentType: string;
  etag: string;
}

const DAY_SECONDS = 86_400;
/** The plain card is at most this wide or tall (its pixels are made in memory). */
const PLAIN_MAX_SIDE = 1200;
const PLAIN_SIZE = { width: 1200, height: 630 };

const drawn = new BoundedMap<string, OgImage>(256, DAY_SECONDS * 1000, {
  name: 'og fallback images',
  sizeOf: (key, image) => stringBytes(key) + image.bytes.byteLength + ENTRY_OVERHEAD_BYTES,
});

/** The fallback of `resolved` (undefined: the template could not even be read) in `format`. */
export async function fallbackImage(
  env: Bindings,
  accountId: string,
  resolved: ResolvedImageTemplate | undefined,
  format: 'png' | 'webp',
  baseUrl: string,
): Promise<OgImage> {
  if (!resolved) return plainCard(PLAIN_SIZE, format);
  const { template } = resolved;
  // an account's template is the account's: its id is unique, but its example is its owner's
  const name = `${resolved.user ? `${accountId}/` : ''}${template.id}@${template.version}.${format}`;
  const known = drawn.get(name);
  if (known) return known;
  const key = new Request(`${trimEnd(baseUrl, '/')}/og-fallback/${name}`);
  const cached = await caches.default.match(key).catch(() => undefined);
  if (cached?.ok) {
    const image = {
      bytes: new Uint8Array(await cached.arrayBuffer()),
      contentType: cached.headers.get('content-type') ?? 'image/png',
      etag: cached.headers.get('etag') ?? '',
    };
    drawn.set(name, image);
    return image;
  }
  let image: OgImage;
  try {
    const policy = renderImagePolicy(env);
    const { job } = await buildImageJob(
      resolved,
      { vars: template.example as Record<string, unknown>, format, scale: 1, watermark: false },
      { policy, defaultEngine: config(env).defaultEngine, fonts: { lookup: (family) => familyFaces(env.DB, accountId, family) } },
    );
    const out = await drawImage(job, policy, env.FONTS);
    image = { bytes: out.bytes, contentType: out.contentType, etag: await md5Etag(out.bytes) };
  } catch (err) {
    console.error(`the og fallback of ${template.id}@${template.version} could not be drawn; answering a plain card`, err);
    return plainCard(template.size, format);
  }
  drawn.set(name, image);
  const headers = { 'Content-Type': image.contentType, ETag: image.etag, 'Cache-Control': `public, max-age=${DAY_SECONDS}` };
  await caches.default.put(key, new Response(image.bytes, { headers })).catch((err) => console.error('caching an og fallback failed', err));
  return image;
}

/** A plain light card at the template's proportions (at most PLAIN_MAX_SIDE a side): the last resort. */
export async function plainCard(size: { width: number; height: number }, format: 'png' | 'webp'): Promise<OgImage> {
  const shrink = Math.min(1, PLAIN_MAX_SIDE / Math.max(size.width, size.height, 1));
  const width = Math.max(1, Math.round(size.width * shrink));
  const height = Math.max(1, Math.round(size.height * shrink));
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    // zinc-100, with a zinc-300 band along the bottom
    const shade = i / 4 / width >= height - Math.max(2, Math.round(height / 60)) ? 212 : 244;
    rgba[i] = shade;
    rgba[i + 1] = shade;
    rgba[i + 2] = shade + 1;
    rgba[i + 3] = 255;
  }
  const bytes = format === 'webp' ? await encodeWebp(rgba, width, height) : encodePng(rgba, width, height);
  return { bytes, contentType: format === 'webp' ? 'image/webp' : 'image/png', etag: await md5Etag(bytes) };
}
