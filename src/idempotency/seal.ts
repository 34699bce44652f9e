/**
 * Keys and sealing for stored idempotent responses. Some replayed responses hold secrets (a new
 * API key is in the body of sign-up and POST /keys), and keys are never stored in plain text. So a
 * stored response is sealed with AES-GCM under a key derived from the Idempotency-Key, and the
 * row is found by a different derivation of it: D1 alone can neither read a stored response nor
 * tell which Idempotency-Key it answers. Only a request presenting that key (in its scope) can
 * open it. With IDEMPOTENCY_SECRET set (a Worker secret), both derivations are HMACs under it, so
 * even a short, guessable Idempotency-Key cannot be brute-forced from a copy of the database.
 */

import { toHex } from '../lib/hash';

const encoder = new TextEncoder();
const macKeys = new Map<string, Promise<CryptoKey>>();

async function derive(secret: string | undefined, purpose: string, scope: string, key: string): Promise<ArrayBuffer> {
  const message = encoder.encode(`picstream/idempotency/${purpose}\u0000${scope}\u0000${key}`);
  if (!secret) return crypto.subtle.digest('SHA-256', message);
  let mac = macKeys.get(secret);
  if (!mac) {
    mac = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    macKeys.set(secret, mac);
  }
  return crypto.subtle.sign('HMAC', await mac, message);
}

export interface Sealer {
  /** Hex id of the row for this key in this scope. */
  id: string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

export async function sealerFor(secret: string | undefined, scope: string, key: string): Promise<Sealer> {
  const [id, raw] = await Promise.all([derive(secret, 'id', scope, key), derive(secret, 'seal', scope, key)]);
  const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    id: toHex(id),
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, encoder.encode(plain)));
      const out = new Uint8Array(iv.length + sealed.length);
      out.set(iv);
      out.set(sealed, iv.length);
      return Buffer.from(out).toString('base64');
    },
    async open(sealed) {
      const bytes = Buffer.from(sealed, 'base64');
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, aes, bytes.subarray(12));
      return new TextDecoder().decode(plain);
    },
  };
}
