/**
 * Image outputs at the edge (issue 17): a fresh image is answered before its R2 put lands, so its
 * URL must work from the moment it is answered. Before the answer the image goes into the colo's
 * Cache API (no round trip) and into this isolate's memory; the R2 put runs after the answer,
 * tried again on failure. GET /img/{key} looks in that order: the Cache API, this isolate's
 * pending outputs, R2.
 *
 * The cache key is the image's public URL (the one the answer names), built the same way by both
 * sides, so a request on another host name or with a query string still finds it. ETags are the
 * quoted hex MD5 of the bytes, which is what R2 gives a single-part object, so an image's ETag
 * does not change when it is later served from R2.
 */
import { trimEnd } from '../lib/trim';
import { IMMUTABLE_CACHE_CONTROL } from './outputs';

/** Bytes this isolate holds for outputs whose R2 put has not landed yet. */
const PENDING_MAX_BYTES = 16 * 1024 * 1024;
const pending = new Map<string, { bytes: Uint8Array; contentType: string; etag: string }>();
let pendingBytes = 0;

/** The Cache API key of an image: its public URL. */
export function edgeKey(baseUrl: string, objectKey: string): Request {
  return new Request(`${trimEnd(baseUrl, '/')}/${objectKey}`);
}

export async function md5Etag(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('MD5', bytes));
  return `"${[...digest].map((b) => b.toString(16).padStart(2, '0')).join('')}"`;
}

/** The headers every image answer carries, whichever layer it comes from. */
export function imageHeaders(contentType: string, etag: string, size: number): Headers {
  const headers = new Headers();
  headers.set('Content-Type', contentType);
  headers.set('Content-Length', String(size));
  headers.set('ETag', etag);
  headers.set('Cache-Control', IMMUTABLE_CACHE_CONTROL);
  headers.set('X-Content-Type-Options', 'nosniff');
  // SVGs are served from our origin: never let one run script or load anything.
  headers.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
  return headers;
}

/**
 * Makes a fresh image servable at once: into the colo's cache and this isolate's memory. Returns
 * the ETag. A Cache API failure is logged, not thrown: the isolate's copy and R2 still serve it.
 */
export async function publishAtEdge(baseUrl: string, objectKey: string, bytes: Uint8Array, contentType: string): Promise<string> {
  const etag = await md5Etag(bytes);
  if (pendingBytes + bytes.byteLength <= PENDING_MAX_BYTES && !pending.has(objectKey)) {
    pending.set(objectKey, { bytes, contentType, etag });
    pendingBytes += bytes.byteLength;
  }
  try {
    await caches.default.put(edgeKey(baseUrl, objectKey), new Response(bytes, { headers: imageHeaders(contentType, etag, bytes.byteLength) }));
  } catch (err) {
    console.error(`caching ${objectKey} at the edge failed`, err);
  }
  return etag;
}

const stores = new Set<Promise<unknown>>();

/** Tracks an R2 put that runs after its answer, for `outputsStored`. */
export function storing<T>(put: Promise<T>): Promise<T> {
  const tracked = put.finally(() => stores.delete(tracked));
  stores.add(tracked);
  return tracked;
}

/** R2 puts after answers still running (tests wait for 0 before reading R2). */
export function storesPending(): number {
  return stores.size;
}

/** The output's R2 put has landed: this isolate's copy can go. */
export function landed(objectKey: string): void {
  const entry = pending.get(objectKey);
  if (!entry) return;
  pending.delete(objectKey);
  pendingBytes -= entry.bytes.byteLength;
}

/** This isolate's copy of an output whose R2 put has not landed, if any. */
export function pendingOutput(objectKey: string): { bytes: Uint8Array; contentType: string; etag: string } | undefined {
  return pending.get(objectKey);
}

/** The cached answer for an image, if the colo has one. */
export async function cachedAtEdge(baseUrl: string, objectKey: string): Promise<Response | undefined> {
  return caches.default.match(edgeKey(baseUrl, objectKey));
}

/** Stores a response under the image's key (after an R2 read), for the next request in this colo. */
export function cacheAtEdge(baseUrl: string, objectKey: string, response: Response): Promise<void> {
  return caches.default.put(edgeKey(baseUrl, objectKey), response);
}
