/**
 * The image an og URL answers when it cannot render (README "Never a broken preview"): the
 * template drawn with its own example vars. A built-in template's example is fixed, so it is drawn
 * free. An account's template's example is its owner's markup and vars — a free drawing of it would
 * be a free render on demand (update the template, break a URL) — so it is rendered as the account's
 * own render (createImageRender: one unit the first time, then the content cache, a record in the
 * history). Should that fail too (over quota, the example's remote logo down, an engine error), a
 * plain card at the template's proportions, kept 60 s.
 *
 * A fallback is drawn once per template version and format in a colo: kept in this isolate
 * ('og fallback images' in lib/caches.ts) and in the colo's Cache API for a day; concurrent requests
 * for one share its drawing.
 */
import type { AuthContext } from '../auth/context';
import { config, renderImagePolicy } from '../config';
import { familyFaces } from '../db/fonts';
import type { Bindings } from '../env';
import { createImageRender } from '../jobs/create';
import { BoundedMap } from '../lib/bounded-map';
import { ENTRY_OVERHEAD_BYTES, stringBytes } from '../lib/caches';
import { trimEnd } from '../lib/trim';
import { encodePng } from '../render/encode/png';
import { encodeWebp } from '../render/encode/webp';
import { buildImageJob } from '../renders/build-job';
import { drawImage } from '../renders/draw';
import type { ResolvedImageTemplate } from '../renders/resolve';
import { onlyTemplate } from '../renders/resolve';
import { cachedAtEdge, md5Etag, pendingOutput } from '../storage/edge-outputs';
import { getOutput } from '../storage/outputs';

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

/** A plain card that stands in for a fallback that could not be drawn: kept this long before trying again. */
const PLAIN_KEPT_MS = 60_000;
const plain = new Map<string, { image: OgImage; until: number }>();
const drawing = new Map<string, Promise<OgImage>>();

/**
 * The fallback of `resolved` (undefined: the template could not even be read) in `format`, for
 * `owner`'s URL. Never throws: the last resort is the plain card.
 */
export async function fallbackImage(
  env: Bindings,
  owner: AuthContext,
  resolved: ResolvedImageTemplate | undefined,
  format: 'png' | 'webp',
  context: { baseUrl: string; waitUntil: (work: Promise<unknown>) => void },
): Promise<OgImage> {
  if (!resolved) return plainCard(PLAIN_SIZE, format);
  const { template } = resolved;
  // an account's template is the account's: its id is unique, but its example is its owner's
  const name = `${resolved.user ? `${owner.accountId}/` : ''}${template.id}@${template.version}.${format}`;
  const known = drawn.get(name);
  if (known) return known;
  const stand = plain.get(name);
  if (stand && stand.until > Date.now()) return stand.image;
  let made = drawing.get(name);
  if (!made) {
    made = draw(env, owner, resolved, format, name, context)
      .catch(async (err) => {
        console.error(`the og fallback of ${template.id}@${template.version} could not be drawn; answering a plain card`, err);
        const image = await plainCard(template.size, format);
        if (plain.size > 1000) plain.clear();
        plain.set(name, { image, until: Date.now() + PLAIN_KEPT_MS });
        return image;
      })
      .finally(() => drawing.delete(name));
    drawing.set(name, made);
    // the drawing outlives the request that started it: others wait on it
    context.waitUntil(made);
  }
  return made;
}

async function draw(
  env: Bindings,
  owner: AuthContext,
  resolved: ResolvedImageTemplate,
  format: 'png' | 'webp',
  name: string,
  context: { baseUrl: string; waitUntil: (work: Promise<unknown>) => void },
): Promise<OgImage> {
  const { template } = resolved;
  const key = new Request(`${trimEnd(context.baseUrl, '/')}/og-fallback/${name}`);
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
  const vars = template.example as Record<string, unknown>;
  if (resolved.user) {
    // the account's own render of its example (charged once, then a content-cache hit)
    const created = await createImageRender(
      env,
      { template: `${template.id}@${template.version}`, vars, format, scale: 1 },
      { owner, async: false, waitUntil: context.waitUntil, baseUrl: context.baseUrl, templates: onlyTemplate(resolved.user) },
    );
    const stored = await outputBytes(env, context.baseUrl, created.row.object_key as string);
    if (!stored) throw new Error(`the fallback render ${created.row.id} left no output`);
    image = stored;
  } else {
    const policy = renderImagePolicy(env);
    const { job } = await buildImageJob(
      resolved,
      { vars, format, scale: 1, watermark: false },
      { policy, defaultEngine: config(env).defaultEngine, fonts: { lookup: (family) => familyFaces(env.DB, owner.accountId, family) } },
    );
    const out = await drawImage(job, policy, env.FONTS);
    image = { bytes: out.bytes, contentType: out.contentType, etag: await md5Etag(out.bytes) };
  }
  drawn.set(name, image);
  const headers = { 'Content-Type': image.contentType, ETag: image.etag, 'Cache-Control': `public, max-age=${DAY_SECONDS}` };
  await caches.default.put(key, new Response(image.bytes, { headers })).catch((err) => console.error('caching an og fallback failed', err));
  return image;
}

/** A rendered output's bytes: this isolate's copy, the colo's cache, or R2. */
export async function outputBytes(env: Bindings, baseUrl: string, objectKey: string): Promise<OgImage | undefined> {
  const fresh = pendingOutput(objectKey);
  if (fresh) return fresh;
  const cached = await cachedAtEdge(baseUrl, objectKey);
  if (cached?.ok) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    return { bytes, contentType: cached.headers.get('content-type') ?? 'image/png', etag: cached.headers.get('etag') ?? (await md5Etag(bytes)) };
  }
  const object = await getOutput(env.OUTPUT, objectKey, {});
  if (!object || !('body' in object)) return undefined;
  const bytes = new Uint8Array(await object.arrayBuffer());
  return { bytes, contentType: object.httpMetadata?.contentType ?? 'image/png', etag: object.httpEtag };
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
