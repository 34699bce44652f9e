/**
 * Signed, expiring URLs for private files (PDFs): `/files/<fileId>.pdf?expires=<unix s>&signature=<sig>`.
 *
 * The signature is an HMAC-SHA256, base64url without padding, over a canonical string that binds
 * the scheme version, the method, the object's path and the expiry:
 *
 *     picstream-file-url-v1\nGET\n/files/<fileId>.pdf\n<expires>
 *
 * A file id is a content address (40 lowercase hex), so a URL for one file can never be bent into
 * a URL for another, and changing `expires` breaks the signature. The host is not bound, so a new
 * PUBLIC_BASE_URL keeps old links working. Verification compares with `crypto.subtle.verify`
 * (constant time), checks the signature before the expiry, and accepts every secret it is given,
 * so a rotated secret can stay valid for a day while links signed with it run out.
 *
 * @example
 * const path = await signFileUrl(secret, fileId, nowSeconds + fileUrlTtl);
 * const url = `${config(env).publicBaseUrl}${path}`;
 */

import { Buffer } from 'node:buffer';
import { trimEnd } from '../lib/trim';
/** How long a signed file URL is valid by default: 24 hours, in seconds. */
export const fileUrlTtl = 24 * 3600;

/** A file id: 40 lowercase hex characters (a content address). */
export const FILE_ID = /^[a-f0-9]{40}$/;

/** Bump when the canonical string changes; old URLs then fail as `invalid`, never as something else. */
const SCHEME = 'picstream-file-url-v1';

/**
 * The latest expiry a URL may carry (9999-12-31T23:59:59Z). Anything later, or not a plain
 * decimal without leading zeros, is not a URL we could have issued.
 */
const MAX_EXPIRES = 253_402_300_799;
const EXPIRES = /^[1-9][0-9]{0,11}$/;

/**
 * An HMAC-SHA256 is 32 bytes: 43 base64url characters without padding. The last character carries
 * 2 unused bits that must be zero, so each signature has exactly one spelling (otherwise changing
 * that last character could leave the decoded bytes, and so the verdict, unchanged).
 */
const SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export type FileUrlVerdict = 'valid' | 'expired' | 'invalid';

const encoder = new TextEncoder();
/** One imported key per secret per isolate. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    // a failed import must not stick for the life of the isolate
    key.catch(() => keys.delete(secret));
    keys.set(secret, key);
  }
  return key;
}

/** The path a file is served at (also what the signature binds). */
export function filePath(fileId: string): string {
  return `/files/${fileId}.pdf`;
}

/** The R2 key of a private file. */
export function fileObjectKey(fileId: string): string {
  return `pdf/${fileId}.pdf`;
}

/** The file id of an object key `pdf/<fileId>.pdf`, or undefined for any other key. */
export function fileIdOfObjectKey(objectKey: string): string | undefined {
  const fileId = objectKey.match(/^pdf\/([a-f0-9]{40})\.pdf$/)?.[1];
  return fileId;
}

function canonical(fileId: string, expires: string): Uint8Array {
  return encoder.encode(`${SCHEME}\nGET\n${filePath(fileId)}\n${expires}`);
}

/**
 * Signs a URL for `fileId` valid until `expiresAt` (unix seconds) and returns its path and query,
 * `/files/<fileId>.pdf?expires=…&signature=…`; prefix it with the public base URL.
 * Throws a RangeError for a malformed file id or expiry (a bug in the caller, not a user error).
 */
export async function signFileUrl(secret: string, fileId: string, expiresAt: number): Promise<string> {
  if (!FILE_ID.test(fileId)) throw new RangeError(`not a file id: ${JSON.stringify(fileId)}`);
  if (!Number.isSafeInteger(expiresAt) || expiresAt < 1 || expiresAt > MAX_EXPIRES) throw new RangeError(`not an expiry in unix seconds: ${expiresAt}`);
  const expires = String(expiresAt);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), canonical(fileId, expires));
  return `${filePath(fileId)}?expires=${expires}&signature=${Buffer.from(mac).toString('base64url')}`;
}

/**
 * Checks a file URL's `expires` and `signature` query values (null when absent) against each of
 * `secrets` (current first, then the previous one during a rotation). The signature is checked
 * first, so an altered `expires` is `invalid`, not `expired`; a correct signature whose expiry is
 * at or before `nowSeconds` is `expired`. Missing or malformed values are `invalid`.
 */
export async function verifyFileUrl(
  secrets: readonly string[],
  fileId: string,
  expires: string | null,
  signature: string | null,
  nowSeconds: number,
): Promise<FileUrlVerdict> {
  if (!FILE_ID.test(fileId) || expires === null || signature === null) return 'invalid';
  if (!EXPIRES.test(expires) || Number(expires) > MAX_EXPIRES || !SIGNATURE.test(signature)) return 'invalid';
  const mac = Buffer.from(signature, 'base64url');
  const data = canonical(fileId, expires);
  let genuine = false;
  for (const secret of new Set(secrets)) {
    if (!secret) continue;
    if (await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, data)) {
      genuine = true;
      break;
    }
  }
  if (!genuine) return 'invalid';
  return Number(expires) > nowSeconds ? 'valid' : 'expired';
}

/**
 * A URL for the PDF stored at `objectKey` (`pdf/<fileId>.pdf`), signed now and valid for
 * `fileUrlTtl`; undefined for any other key.
 */
export async function signedPdfUrl(secret: string, objectKey: string, baseUrl: string, nowMs: number): Promise<{ url: string; expiresAt: number } | undefined> {
  const fileId = fileIdOfObjectKey(objectKey);
  if (!fileId) return undefined;
  const expiresAt = Math.floor(nowMs / 1000) + fileUrlTtl;
  return { url: `${trimEnd(baseUrl, '/')}${await signFileUrl(secret, fileId, expiresAt)}`, expiresAt };
}
