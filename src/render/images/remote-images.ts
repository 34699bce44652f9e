/**
 * Remote images in template vars (logos, avatars, product shots), fetched safely.
 *
 * The SSRF guard (lib/address-guard.ts, shared with webhook endpoints) runs on the URL before any
 * fetch and again on every redirect hop: https only (plain http only for hosts the deployment
 * lists in REMOTE_IMAGE_INSECURE_HOSTS, i.e. local dev), no credentials, no IP literal outside
 * public unicast space (ipaddr.js classifies loopback, private, link-local — which holds the
 * 169.254.169.254 metadata address —, CGNAT, unique-local and reserved ranges; an IPv6 form
 * embedding an IPv4 address is judged by it), and no internal names (localhost, *.internal,
 * *.local). Hostnames that resolve to private addresses cannot be checked from a Worker (no DNS
 * API); Cloudflare's edge does not route Worker subrequests to private networks, which closes that
 * gap in production.
 *
 * Limits: 5 MB, 5 s for the whole fetch including redirects (at most 3), and the type is checked
 * twice — the Content-Type header and the file's magic bytes must both say PNG, JPEG, GIF, WebP
 * or AVIF, or both say SVG (header image/svg+xml, and markup whose root is <svg>) — then the
 * file's structure and declared size are checked (image-check.ts, svg-image.ts). WebP, AVIF and
 * GIF (its first frame) are decoded and SVG is rasterised, all handed on as PNG (decode.ts,
 * svg-image.ts), so engines and PDFs see two formats: PNG and JPEG.
 *
 * A render's images together are held to REMOTE_IMAGE_BUDGET (budget.ts): fetchRemoteImages
 * fetches a render's distinct URLs a few at a time, charging every byte read and every picture's
 * declared pixels to one RemoteImageSpend; the image that crosses a total is a 422 naming its var,
 * and the fetches still running are aborted.
 *
 * With a cache bucket in the policy, what a URL gave is kept in R2 for a day (image-cache.ts) and
 * reused without fetching; the guard still runs on the URL first. Every refusal is a 422 whose
 * message names the var, the URL and the reason (an HTTP status, a type, a size).
 */
import { Buffer } from 'node:buffer';
import { type FieldError, type ProblemCode, ProblemError } from '../../errors/problem';
import { guardOutboundUrl, type OutboundPolicy } from '../../lib/address-guard';
import { now } from '../../lib/time';
import { megabytes, REMOTE_IMAGE_BUDGET } from '../budget';
import { DecodeLimitError, toPng } from './decode';
import { readCachedImage, writeCachedImage } from './image-cache';
import { checkImage, MAX_INPUT_PIXELS, sniffImage } from './image-check';
import { looksLikeSvg, SvgRejected, svgToPng } from './svg-image';

/** Per image; the deployment's policy (src/config.ts `remoteImages`) adds its insecure hosts. */
export const REMOTE_IMAGE_LIMITS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 5_000, maxRedirects: 3 } as const;

export interface RemoteImagePolicy extends OutboundPolicy {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  /** Where fetched images are kept for REMOTE_IMAGE_CACHE_TTL_MS (the OUTPUT bucket); none: always fetch. */
  cache?: R2Bucket;
  /** The clock the cache's TTL is read against (tests move it). */
  now?: () => number;
}

/** An image ready for the engines: always PNG or JPEG, whatever the URL served. */
export interface FetchedImage {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/jpeg';
}

function fail(code: ProblemCode, varPath: string, reason: string): never {
  const errors: FieldError[] = [{ path: varPath, message: reason }];
  throw new ProblemError(code, `${varPath}: ${reason}`, { errors });
}

/** Checks an image URL against the SSRF guard (lib/address-guard.ts); returns the parsed URL or throws a 422 naming the var. */
export function checkRemoteUrl(raw: string, varPath: string, policy: OutboundPolicy): URL {
  const verdict = guardOutboundUrl(raw, policy);
  if (!verdict.ok) fail('remote_image_blocked', varPath, verdict.reason);
  return verdict.url;
}

const SVG = 'image/svg+xml';
const ACCEPTED_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'image/avif', SVG]);
const ACCEPT_HEADER = 'image/png,image/jpeg,image/gif,image/webp,image/avif,image/svg+xml';
const TYPE_NAMES = 'PNG, JPEG, GIF, WebP, AVIF or SVG';

/**
 * What one render's remote images have cost so far (bytes read, pixels declared), against its
 * budget. JavaScript runs one fetch's continuation at a time, so concurrent fetches charging it
 * never race; the first charge past a total fails (naming its var) and aborts every fetch that
 * shares the spend, so nothing more is read or decoded for a render that is already refused.
 */
export class RemoteImageSpend {
  bytes = 0;
  pixels = 0;
  readonly #abort = new AbortController();

  constructor(readonly budget: { maxBytes: number; maxPixels: number } = REMOTE_IMAGE_BUDGET) {}

  /** Aborted once the render is refused (a budget crossed, or another image failed). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  abort(reason: unknown): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(reason);
  }

  chargeBytes(n: number, varPath: string, href: string): void {
    this.bytes += n;
    if (this.bytes > this.budget.maxBytes) {
      this.refuse(
        varPath,
        `${href} brings the render's remote images past ${megabytes(this.budget.maxBytes)} in all (they may total ${this.budget.maxBytes} bytes)`,
      );
    }
  }

  chargePixels(width: number, height: number, varPath: string, href: string): void {
    this.pixels += width * height;
    if (this.pixels > this.budget.maxPixels) {
      this.refuse(
        varPath,
        `${href} (${width}×${height}) brings the render's remote images to ${this.pixels} pixels; together they may have ${this.budget.maxPixels}`,
      );
    }
  }

  private refuse(varPath: string, reason: string): never {
    const err = new ProblemError('remote_image_too_large', `${varPath}: ${reason}`, { errors: [{ path: varPath, message: reason }] });
    this.abort(err);
    throw err;
  }
}

async function readCapped(
  body: ReadableStream<Uint8Array>,
  max: number,
  varPath: string,
  href: string,
  spend: RemoteImageSpend | undefined,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      fail('remote_image_too_large', varPath, `${href} is larger than ${max / 1024 / 1024} MB`);
    }
    try {
      spend?.chargeBytes(value.byteLength, varPath, href);
    } catch (err) {
      await reader.cancel();
      throw err;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * One remote image under the guard and limits, ready for the engines: from the cache when the
 * policy has one and it holds the URL, fetched otherwise (and then cached). Errors are 422
 * problems naming the var, the URL and the reason; they are never cached.
 */
export async function fetchRemoteImage(raw: string, varPath: string, policy: RemoteImagePolicy, spend?: RemoteImageSpend): Promise<FetchedImage> {
  const url = checkRemoteUrl(raw, varPath, policy);
  const { cache } = policy;
  if (!cache) return fetchAndNormalise(url, varPath, policy, spend);
  const at = (policy.now ?? now)();
  // the cache saves work; when R2 fails the image is fetched as if it were not there
  const cached = await readCachedImage(cache, url.href, at).catch((err: unknown) => {
    console.warn(`remote image cache read failed for ${varPath}: ${(err as Error).message}`);
    return undefined;
  });
  if (cached) {
    // a cached picture costs the render what a fetched one does: it is held and drawn alike
    if (spend) {
      spend.chargeBytes(cached.bytes.byteLength, varPath, url.href);
      const check = checkImage(cached.bytes, cached.contentType);
      if (check.ok) spend.chargePixels(check.width, check.height, varPath, url.href);
    }
    return cached;
  }
  const image = await fetchAndNormalise(url, varPath, policy, spend);
  await writeCachedImage(cache, url.href, image, at).catch((err: unknown) => {
    console.warn(`remote image cache write failed for ${varPath}: ${(err as Error).message}`);
  });
  return image;
}

/** A remote image a render asks for: its URL and the var (field path) that holds it. */
export interface ImageWant {
  url: string;
  path: string;
}

/**
 * Fetches a render's remote images under one budget: each distinct URL once (named by the first
 * var that asks for it), `concurrency` at a time, every byte and pixel charged to one spend. The
 * first failure — an image refused, or the totals crossed — aborts the fetches under way, starts
 * no more, and is what the render answers. Returns the images by URL.
 */
export async function fetchRemoteImages(
  wants: readonly ImageWant[],
  policy: RemoteImagePolicy,
  budget: { maxImages: number; maxBytes: number; maxPixels: number; concurrency: number } = REMOTE_IMAGE_BUDGET,
): Promise<Map<string, FetchedImage>> {
  const first = new Map<string, string>();
  for (const want of wants) if (!first.has(want.url)) first.set(want.url, want.path);
  const queue = [...first];
  // the request was counted before any work (renders/build-job.ts, renders/build-pdf-job.ts): this holds for any other caller
  const over = queue[budget.maxImages];
  if (over)
    fail('remote_image_too_large', over[1], `is the ${budget.maxImages + 1}th different remote image of the render; a render may have ${budget.maxImages}`);
  const spend = new RemoteImageSpend(budget);
  const out = new Map<string, FetchedImage>();
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    for (let next = queue.shift(); next && !failure; next = queue.shift()) {
      const [url, path] = next;
      try {
        out.set(url, await fetchRemoteImage(url, path, policy, spend));
      } catch (err) {
        // the first failure is the render's answer; the fetches it aborts fail after it
        failure ??= { err };
        spend.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(budget.concurrency, queue.length) }, worker));
  if (failure) throw failure.err;
  return out;
}

async function fetchAndNormalise(start: URL, varPath: string, policy: RemoteImagePolicy, spend: RemoteImageSpend | undefined): Promise<FetchedImage> {
  let url = start;
  const raw = start.href;
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  // a render refused meanwhile (another image crossed the budget, or failed) stops this fetch too
  const signal = spend ? AbortSignal.any([timeout, spend.signal]) : timeout;
  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await fetch(url, { redirect: 'manual', signal, headers: { accept: ACCEPT_HEADER } });
      } catch (err) {
        if (spend?.signal.aborted) throw spend.signal.reason;
        if (signal.aborted) throw err;
        fail('remote_image_fetch_failed', varPath, `could not be fetched from ${url.href} (${(err as Error).message})`);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        if (hop >= policy.maxRedirects) fail('remote_image_fetch_failed', varPath, `too many redirects from ${raw}`);
        url = checkRemoteUrl(new URL(res.headers.get('location') as string, url).href, varPath, policy);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        fail('remote_image_fetch_failed', varPath, `${url.href} answered HTTP ${res.status}`);
      }
      const declared = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!ACCEPTED_TYPES.has(declared)) {
        await res.body?.cancel();
        fail('remote_image_invalid_type', varPath, `${url.href} is ${declared || 'untyped'}; expected ${TYPE_NAMES}`);
      }
      const length = Number(res.headers.get('content-length') ?? Number.NaN);
      if (length > policy.maxBytes) {
        await res.body?.cancel();
        fail('remote_image_too_large', varPath, `${url.href} is ${length} bytes; the limit is ${policy.maxBytes}`);
      }
      const bytes = res.body ? await readCapped(res.body, policy.maxBytes, varPath, url.href, spend) : new Uint8Array();
      if (declared === SVG) {
        const png = await fromSvg(bytes, url.href, varPath);
        const drawn = checkImage(png.bytes, png.contentType);
        if (drawn.ok) spend?.chargePixels(drawn.width, drawn.height, varPath, url.href);
        return png;
      }
      const sniffed = sniffImage(bytes);
      if (!sniffed) fail('remote_image_invalid_type', varPath, `${url.href} says ${declared} but is not a ${TYPE_NAMES} file`);
      const check = checkImage(bytes, sniffed);
      if (!check.ok) fail('remote_image_undecodable', varPath, `${url.href}: ${check.reason}`);
      if (check.width * check.height > MAX_INPUT_PIXELS) {
        fail('remote_image_too_large', varPath, `${url.href} is ${check.width}×${check.height} pixels; the limit is ${MAX_INPUT_PIXELS}`);
      }
      // charged from the declared size, before anything is decoded
      spend?.chargePixels(check.width, check.height, varPath, url.href);
      if (sniffed === 'image/webp' || sniffed === 'image/avif' || sniffed === 'image/gif') {
        // handed on as PNG: the engines don't read WebP/AVIF, PDFs don't take GIF, and an animated
        // GIF must show its first frame on every engine alike
        const href = url.href;
        const png = await toPng(bytes, sniffed).catch((err: unknown) => {
          if (err instanceof DecodeLimitError) fail('remote_image_too_large', varPath, `${href}: ${err.message}`);
          fail('remote_image_undecodable', varPath, `${href} could not be decoded as ${sniffed} (${(err as Error).message})`);
        });
        return { bytes: png, contentType: 'image/png' };
      }
      return { bytes, contentType: sniffed };
    }
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    if (spend?.signal.aborted) throw spend.signal.reason;
    if (timeout.aborted) fail('remote_image_timeout', varPath, `${url.href} took longer than ${policy.timeoutMs / 1000} s`);
    throw err;
  }
}

/** An SVG (declared image/svg+xml) checked, limited and rasterised to PNG (svg-image.ts). */
async function fromSvg(bytes: Uint8Array, href: string, varPath: string): Promise<FetchedImage> {
  if (!looksLikeSvg(bytes)) fail('remote_image_invalid_type', varPath, `${href} says ${SVG} but is not SVG markup (no <svg> root element)`);
  try {
    return { bytes: (await svgToPng(bytes)).png, contentType: 'image/png' };
  } catch (err) {
    if (err instanceof SvgRejected) fail(err.tooLarge ? 'remote_image_too_large' : 'remote_image_undecodable', varPath, `${href} (SVG) ${err.message}`);
    throw err;
  }
}

export function toDataUrl(image: FetchedImage): string {
  return `data:${image.contentType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
}
