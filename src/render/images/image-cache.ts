/**
 * The remote-image cache: a fetched, checked and normalised image (the PNG or JPEG bytes the
 * engines get) kept in the OUTPUT R2 bucket under a hash of its URL, so a logo used on every card
 * is fetched and decoded once a day rather than on every render. Only successes are stored; a
 * failed fetch is tried again next time. Entries older than REMOTE_IMAGE_CACHE_TTL_MS are
 * ignored (and overwritten by the refetch); an R2 lifecycle rule on the `cache/` prefix can
 * delete them for good (README, "Remote images"). The key carries a version, so a change in how
 * images are normalised (e.g. the SVG raster size) never serves bytes made the old way.
 */
import { sha256Hex } from '../../lib/hash';

/**
 * What an entry holds: the image as the engines get it, the shape of remote-images.ts's
 * FetchedImage. The cache owns its record's type so that it imports nothing from the fetcher above
 * it; a field added to FetchedImage stops a cached image from passing for one (a type error in
 * fetchRemoteImage) until the cache stores that field too.
 */
export interface CachedImage {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/jpeg';
}

/** How long a fetched image is reused before it is fetched again: 24 hours. */
export const REMOTE_IMAGE_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export const REMOTE_IMAGE_CACHE_PREFIX = 'cache/remote-images/v1/';

/** `cache/remote-images/v1/<sha256 hex of the URL>`: the URL itself never appears in a key. */
export async function remoteImageCacheKey(url: string): Promise<string> {
  return `${REMOTE_IMAGE_CACHE_PREFIX}${await sha256Hex(url)}`;
}

const CACHEABLE_TYPES = new Set<string>(['image/png', 'image/jpeg']);

/** The cached image for a URL, if one was stored less than the TTL before `now`. */
export async function readCachedImage(bucket: R2Bucket, url: string, now: number): Promise<CachedImage | undefined> {
  const object = await bucket.get(await remoteImageCacheKey(url));
  if (!object) return undefined;
  const fetchedAt = Date.parse(object.customMetadata?.fetched_at ?? '');
  const contentType = object.customMetadata?.content_type ?? '';
  // a stale or unreadable entry is a miss: the caller fetches again and overwrites it
  if (!(now - fetchedAt < REMOTE_IMAGE_CACHE_TTL_MS && now >= fetchedAt) || !CACHEABLE_TYPES.has(contentType)) {
    await object.body.cancel();
    return undefined;
  }
  return { bytes: new Uint8Array(await object.arrayBuffer()), contentType: contentType as CachedImage['contentType'] };
}

/** Stores an image the caller has fetched and checked, stamped with the time it was fetched. */
export async function writeCachedImage(bucket: R2Bucket, url: string, image: CachedImage, now: number): Promise<void> {
  await bucket.put(await remoteImageCacheKey(url), image.bytes, {
    httpMetadata: { contentType: image.contentType },
    // not the URL: it may carry a token in its query
    customMetadata: { fetched_at: new Date(now).toISOString(), content_type: image.contentType },
  });
}
