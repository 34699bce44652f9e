/**
 * Sealing of stored idempotent responses (src/idempotency/seal.ts): the row id and the AES key are
 * two different derivations of (secret, scope, Idempotency-Key) — plain SHA-256 without a secret,
 * HMAC-SHA256 under it — so neither the id nor a sealed body gives away the other, and only the
 * same key in the same scope opens a body. The derivations are pinned here: stored rows are found
 * by them, so a change would orphan every stored response.
 */
import { Buffer } from 'node:buffer';
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealerFor } from '../../src/idempotency/seal';

const message = (purpose: string, scope: string, key: string) => `picstream/idempotency/${purpose}\u0000${scope}\u0000${key}`;

describe('sealerFor: the row id', () => {
  it.each([
    ['no secret: SHA-256', undefined],
    ['an empty secret counts as none', ''],
  ])('%s of the id message', async (_, secret) => {
    const sealer = await sealerFor(secret, 'acc_1:POST /api/v1/keys', 'retry-1');
    expect(sealer.id).toBe(
      createHash('sha256')
        .update(message('id', 'acc_1:POST /api/v1/keys', 'retry-1'))
        .digest('hex'),
    );
  });

  it('with a secret: HMAC-SHA256 under it', async () => {
    const sealer = await sealerFor('s3cret', 'scope', 'key');
    expect(sealer.id).toBe(
      createHmac('sha256', 's3cret')
        .update(message('id', 'scope', 'key'))
        .digest('hex'),
    );
  });

  it.each<[string, [string | undefined, string, string]]>([
    ['another scope', [undefined, 'scope-2', 'key']],
    ['another key', [undefined, 'scope', 'key-2']],
    ['a secret', ['s3cret', 'scope', 'key']],
    ['another secret', ['other', 'scope', 'key']],
    // a separator keeps the parts apart (an Idempotency-Key is printable ASCII: it holds no NUL)
    ['the same characters split elsewhere', [undefined, 'scopek', 'ey']],
  ])('differs for %s', async (_, args) => {
    const base = await sealerFor(undefined, 'scope', 'key');
    const [secret, scope, key] = args;
    const other = await sealerFor(secret, scope, key);
    expect(other.id).toMatch(/^[0-9a-f]{64}$/);
    expect(other.id).not.toBe(base.id);
  });
});

describe('sealerFor: seal and open', () => {
  it.each([
    ['empty', ''],
    ['a response with a new key in it', '{"status":201,"body":{"key":"pk_live_abc"}}'],
    ['non-ASCII', 'Ünïcødé ✓ 😀 ليس'],
    ['large', 'x'.repeat(200_000)],
  ])('%s: round trip', async (_, plain) => {
    const sealer = await sealerFor('s3cret', 'scope', 'key');
    const sealed = await sealer.seal(plain);
    expect(sealed).not.toContain(plain || '\u0000');
    // 12-byte IV, the ciphertext, the 16-byte GCM tag
    expect(Buffer.from(sealed, 'base64').length).toBe(12 + new TextEncoder().encode(plain).length + 16);
    expect(await sealer.open(sealed)).toBe(plain);
    // a sealer derived again (another request with the same key) opens it too
    expect(await (await sealerFor('s3cret', 'scope', 'key')).open(sealed)).toBe(plain);
  });

  it('seals the same text differently each time (a fresh IV)', async () => {
    const sealer = await sealerFor(undefined, 'scope', 'key');
    const [a, b] = [await sealer.seal('same'), await sealer.seal('same')];
    expect(a).not.toBe(b);
    expect([await sealer.open(a), await sealer.open(b)]).toEqual(['same', 'same']);
  });

  it.each<[string, [string | undefined, string, string]]>([
    ['another Idempotency-Key', ['s3cret', 'scope', 'other-key']],
    ['another scope (another account)', ['s3cret', 'other-scope', 'key']],
    ['another secret', ['rotated', 'scope', 'key']],
    ['no secret', [undefined, 'scope', 'key']],
  ])('%s cannot open it', async (_, args) => {
    const sealed = await (await sealerFor('s3cret', 'scope', 'key')).seal('secret body');
    await expect((await sealerFor(...args)).open(sealed)).rejects.toThrow();
  });

  it.each([
    ['a flipped ciphertext byte', (bytes: Uint8Array) => bytes.with(14, (bytes[14] ?? 0) ^ 1)],
    ['a flipped IV byte', (bytes: Uint8Array) => bytes.with(0, (bytes[0] ?? 0) ^ 1)],
    ['a cut tag', (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 1)],
  ])('%s is refused (GCM authenticates)', async (_, tamper) => {
    const sealer = await sealerFor('s3cret', 'scope', 'key');
    const bytes = new Uint8Array(Buffer.from(await sealer.seal('a stored response'), 'base64'));
    await expect(sealer.open(Buffer.from(tamper(bytes)).toString('base64'))).rejects.toThrow();
  });
});
