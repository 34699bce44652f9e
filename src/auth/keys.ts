/**
 * API keys: `pk_live_` or `pk_test_` followed by 40 random base62 characters (~238 bits). Only the
 * SHA-256 of a key is stored, with its first characters (`start`) so listings can tell keys apart.
 * A plain hash (no salt, no KDF) is enough because the key is random and long: nothing to guess.
 */
import { sha256Hex } from '../lib/hash';

export const KEY_MODES = ['live', 'test'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 40;
/** What a key looks like; anything else is refused without a second look (but at the same cost). */
export const KEY_PATTERN = /^pk_(live|test)_[0-9A-Za-z]{32,64}$/;

/** A new key. Bytes ≥ 248 are dropped so every character is equally likely (248 = 4 × 62). */
export function generateKey(mode: KeyMode): string {
  let out = `pk_${mode}_`;
  while (out.length < RANDOM_CHARS + 8) {
    for (const byte of crypto.getRandomValues(new Uint8Array(48))) {
      if (byte < 248 && out.length < RANDOM_CHARS + 8) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function hashKey(key: string): Promise<string> {
  return sha256Hex(key);
}

/** The visible start of a key: prefix and four characters, e.g. `pk_live_AbCd`. */
export function keyStart(key: string): string {
  return key.slice(0, 12);
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer[ \t]+(\S+)[ \t]*$/i);
  return match?.[1] ?? null;
}
