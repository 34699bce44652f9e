/**
 * Keys and sealing for stored idempotent responses. Some replayed responses hold secrets (a new
 * API key is in the body of sign-up and POST /keys), and keys are never stored in plain text. So a
 * stored response is sealed with AES-GCM under a key derived from the Idempotency-Key itself,
 * and the row is found by a different hash of it: D1 alone can neither read a stored response
 * nor tell which Idempotency-Key it answers. Only a request presenting that key (in its scope)
 * can open it.
 */

const encoder = new TextEncoder();

async function derive(purpose: string, scope: string, key: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(`picstream/idempotency/${purpose}\u0000${scope}\u0000${key}`));
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export interface Sealer {
  /** Hex id of the row for this key in this scope. */
  id: string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}

export async function sealerFor(scope: string, key: string): Promise<Sealer> {
  const [id, raw] = await Promise.all([derive('id', scope, key), derive('seal', scope, key)]);
  const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    id: hex(id),
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
