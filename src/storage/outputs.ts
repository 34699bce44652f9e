/** R2 access for rendered outputs. Objects are content-addressed and immutable. */
import { trimEnd } from '../lib/trim';

/** Where an image output is served publicly (routes/img.ts): the object key under the base URL. PDFs take signed URLs (signed-urls.ts). */
export function publicUrl(baseUrl: string, objectKey: string): string {
  return `${trimEnd(baseUrl, '/')}/${objectKey}`;
}

export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** The object's metadata without its body: whether it exists, its size, its HTTP metadata. */
export function headOutput(bucket: R2Bucket, key: string): Promise<R2Object | null> {
  return bucket.head(key);
}

/**
 * Stores an output. The key is a hash of everything that determines the bytes, so concurrent
 * writers of one key write identical bytes and R2's atomic put leaves one whole object either way.
 */
export async function putOutput(bucket: R2Bucket, key: string, bytes: Uint8Array, contentType: string, meta: Record<string, string>): Promise<void> {
  await bucket.put(key, bytes, {
    // images are public and immutable; PDFs are private documents, served only through signed URLs
    httpMetadata: { contentType, cacheControl: contentType === 'application/pdf' ? 'private, no-store' : IMMUTABLE_CACHE_CONTROL },
    customMetadata: meta,
    sha256: await crypto.subtle.digest('SHA-256', bytes),
  });
}

export function getOutput(bucket: R2Bucket, key: string, options: R2GetOptions): Promise<R2ObjectBody | R2Object | null> {
  return bucket.get(key, options);
}
