/**
 * Remote images in template vars (logos, avatars, product shots), fetched safely.
 *
 * The guard runs on the URL before any fetch and again on every redirect hop: https only (plain
 * http only for hosts the deployment lists in REMOTE_IMAGE_INSECURE_HOSTS, i.e. local dev), no
 * credentials, no IP literal outside public unicast space (ipaddr.js classifies loopback, private,
 * link-local — which holds the 169.254.169.254 metadata address —, CGNAT, unique-local, mapped and
 * reserved ranges), and no internal names (localhost, *.internal, *.local). Hostnames that resolve
 * to private addresses cannot be checked from a Worker (no DNS API); Cloudflare's edge does not
 * route Worker subrequests to private networks, which closes that gap in production.
 *
 * Limits: 5 MB, 5 s for the whole fetch including redirects (at most 3), and the type is checked
 * twice — the Content-Type header and the file's magic bytes must both say PNG, JPEG, GIF, WebP
 * or AVIF — then the file's structure and declared size are checked (image-check.ts). WebP and
 * AVIF are decoded and handed on as PNG (decode.ts), so engines and PDFs see three formats.
 */
import { Buffer } from 'node:buffer';
import ipaddr from 'ipaddr.js';
import { type FieldError, type ProblemCode, ProblemError } from '../errors/problem';
import { toPng } from './decode';
import { type CheckedType, checkImage, MAX_INPUT_PIXELS } from './image-check';

export const REMOTE_IMAGE_LIMITS = { maxBytes: 5 * 1024 * 1024, timeoutMs: 5_000, maxRedirects: 3 } as const;

export interface RemoteImagePolicy {
  /** Hostnames allowed over plain http and exempt from the internal-name rule (local dev only). */
  insecureHosts: ReadonlySet<string>;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export function remoteImagePolicy(insecureHostsVar: string | undefined): RemoteImagePolicy {
  const hosts = (insecureHostsVar ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { ...REMOTE_IMAGE_LIMITS, insecureHosts: new Set(hosts) };
}

export interface FetchedImage {
  bytes: Uint8Array;
  contentType: 'image/png' | 'image/jpeg' | 'image/gif';
}

const INTERNAL_NAME = /(^|\.)(localhost|internal|local|localdomain|home\.arpa)$/i;

function fail(code: ProblemCode, varPath: string, reason: string): never {
  const errors: FieldError[] = [{ path: varPath, message: reason }];
  throw new ProblemError(code, `${varPath}: ${reason}`, { errors });
}

/**
 * Checks a URL against the guard; returns the parsed URL or throws a 422 naming the var (with
 * `code`: remote images and webhook endpoints share the guard, not the error).
 */
export function checkRemoteUrl(
  raw: string,
  varPath: string,
  policy: Pick<RemoteImagePolicy, 'insecureHosts'>,
  code: ProblemCode = 'remote_image_blocked',
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(code, varPath, 'is not a valid URL');
  }
  // trailing dots name the same host ("localhost." is localhost)
  const host = url.hostname.toLowerCase().replace(/\.+$/, '');
  const trusted = policy.insecureHosts.has(host);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && trusted)) {
    fail(code, varPath, `must use https (got ${url.protocol.replace(':', '')})`);
  }
  if (url.username || url.password) fail(code, varPath, 'must not contain credentials');
  if (trusted) return url;

  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (ipaddr.isValid(literal)) {
    let addr = ipaddr.parse(literal);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
    }
    const range = addr.range();
    if (range !== 'unicast') fail(code, varPath, `points to a ${range} address, which is not allowed`);
  } else if (INTERNAL_NAME.test(host) || !host.includes('.')) {
    fail(code, varPath, `host "${host}" is an internal name`);
  }
  return url;
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

function sniff(bytes: Uint8Array): CheckedType | undefined {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x38) return 'image/gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  if (ascii(bytes, 4, 4) === 'ftyp') return 'image/avif'; // an ISO-BMFF file; checkImage requires an AVIF brand
  return undefined;
}

const ACCEPTED_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'image/avif']);
const ACCEPT_HEADER = 'image/png,image/jpeg,image/gif,image/webp,image/avif';
const TYPE_NAMES = 'PNG, JPEG, GIF, WebP or AVIF';

async function readCapped(body: ReadableStream<Uint8Array>, max: number, varPath: string): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      fail('remote_image_too_large', varPath, `is larger than ${max / 1024 / 1024} MB`);
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

/** Fetches one remote image under the guard and limits. Errors are 422 problems naming the var. */
export async function fetchRemoteImage(raw: string, varPath: string, policy: RemoteImagePolicy): Promise<FetchedImage> {
  let url = checkRemoteUrl(raw, varPath, policy);
  const signal = AbortSignal.timeout(policy.timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      let res: Response;
      try {
        res = await fetch(url, { redirect: 'manual', signal, headers: { accept: ACCEPT_HEADER } });
      } catch (err) {
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
      const bytes = res.body ? await readCapped(res.body, policy.maxBytes, varPath) : new Uint8Array();
      const sniffed = sniff(bytes);
      if (!sniffed) fail('remote_image_invalid_type', varPath, `${url.href} says ${declared} but is not a ${TYPE_NAMES} file`);
      const check = checkImage(bytes, sniffed);
      if (!check.ok) fail('remote_image_undecodable', varPath, `${url.href}: ${check.reason}`);
      if (check.width * check.height > MAX_INPUT_PIXELS) {
        fail('remote_image_too_large', varPath, `${url.href} is ${check.width}×${check.height} pixels; the limit is ${MAX_INPUT_PIXELS}`);
      }
      if (sniffed === 'image/webp' || sniffed === 'image/avif') {
        // the engines draw PNG, JPEG and GIF: the others are decoded here and handed on as PNG
        const png = await toPng(bytes, sniffed).catch(() => fail('remote_image_undecodable', varPath, `${url.href} could not be decoded as ${sniffed}`));
        return { bytes: png, contentType: 'image/png' };
      }
      return { bytes, contentType: sniffed };
    }
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    if (signal.aborted) fail('remote_image_timeout', varPath, `${url.href} took longer than ${policy.timeoutMs / 1000} s`);
    throw err;
  }
}

export function toDataUrl(image: FetchedImage): string {
  return `data:${image.contentType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
}
